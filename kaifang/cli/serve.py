"""``kaifang serve``: the review app on 127.0.0.1 (uvicorn)."""
from __future__ import annotations

from typing import Optional

import typer

from kaifang.cli.common import engine, fail, settings


def build_app(s, eng):
    """The composition root of the web app: the review app plus what only ``training`` provides.

    The app itself never imports ``training``; here the active-learning queue order is registered,
    and background retraining, active-learning rescoring, the elusion estimate and drawing an elusion
    sample from the committee page are plugged in.
    """
    from review_app.main import create_app
    from training import active, elusion, jobs

    active.register_queue_order()

    def start_training(actor: str):
        return jobs.start_background(engine=eng, database_url=s.db_url, models_root=s.models_root, actor=actor,
                                     log_dir=s.home / "logs")

    def rescore(session, document_ids, actor: str) -> int:
        return active.refresh_scores(session, document_ids=list(document_ids), actor=actor, reason="rescan")

    def elusion_summary(session, sample_id: int) -> dict:
        return elusion.summary(session=session, sample_id=sample_id)

    def draw_elusion(session, *, actor: str, collection_id: int | None, max_rate: float):
        return elusion.draw(session=session, actor=actor, collection_id=collection_id, max_rate=max_rate)

    return create_app(s, engine=eng, start_training=start_training, rescore=rescore,
                      elusion_summary=elusion_summary, draw_elusion=draw_elusion)


def serve_app(s, eng, host: str, port: int, log_level: str = "info") -> None:
    import uvicorn

    app = build_app(s, eng)
    uvicorn.run(app, host=host, port=port, log_level=log_level, proxy_headers=False)


def print_first_admin(eng) -> None:
    """Create the first admin on an empty user table and print its one-time password."""
    from review_app.db import session_scope
    from review_app.store.users import ensure_first_admin

    with session_scope(eng) as session:
        created = ensure_first_admin(session=session)
    if created:
        typer.secho(f"First-run admin created. Sign in as: {created[0]}  password: {created[1]}\n"
                    "(shown once; change it or create named accounts under Admin)", fg=typer.colors.GREEN)
    else:
        typer.echo("Accounts exist already: sign in with yours (a forgotten admin password: "
                   "kaifang users set-password admin).")


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve(
        host: Optional[str] = typer.Option(None, "--host", help="address to bind (default 127.0.0.1; "
                                           "put a TLS proxy in front for anything but loopback)"),
        port: Optional[int] = typer.Option(None, "--port", help="port (default 8000, or KAIFANG_PORT)"),
    ) -> None:
        """Serve the review app: queue, document review, committee decisions, audit log, admin."""
        s = settings()
        host = host or s.host
        port = port or s.port
        if not 0 < port < 65536:
            fail(f"--port {port}: not a TCP port")
        eng = engine(s)
        print_first_admin(eng)
        typer.echo(f"Kaifang review app on http://{host}:{port}/  (Ctrl-C stops it)")
        serve_app(s, eng, host, port)
