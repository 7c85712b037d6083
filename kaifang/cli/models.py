"""``kaifang models list|promote NAME|rollback``: the model registry by hand."""
from __future__ import annotations

import typer

from kaifang.cli.common import engine, fail, print_json


def _row(mv) -> dict:
    m = mv.metrics or {}
    cand = m.get("candidate", {}) if isinstance(m.get("candidate"), dict) else {}
    return {"name": mv.name, "status": mv.status, "parent": mv.parent, "path": mv.path,
            "created_at": mv.created_at.isoformat() if mv.created_at else None,
            "promoted_at": mv.promoted_at.isoformat() if mv.promoted_at else None,
            "data_fingerprint": mv.data_fingerprint, "code_version": mv.code_version,
            "f1": cand.get("f1"), "sensitive_recall": cand.get("sensitive_recall"),
            "leak_rate": cand.get("leak_rate"), "gate": m.get("gate")}


def register(app: typer.Typer) -> None:
    models_app = typer.Typer(help="The model registry: list versions, promote one, roll back.", no_args_is_help=True)
    app.add_typer(models_app, name="models")

    @models_app.command("list")
    def list_() -> None:
        """Every registered version, newest first, with its metrics and status (one JSON line each)."""
        from review_app.db import session_scope
        from review_app.store import model_registry as registry

        with session_scope(engine()) as s:
            rows = registry.list_versions(session=s)
        if not rows:
            typer.echo("no model versions registered yet: the app serves the default model shipped in models/default",
                       err=True)
        for mv in rows:
            print_json(_row(mv))

    @models_app.command("promote")
    def promote(name: str = typer.Argument(..., help="version name from `kaifang models list`"),
                actor: str = typer.Option("admin", "--actor"),
                reason: str = typer.Option("manual promotion", "--reason")) -> None:
        """Make NAME the current version (the running app switches without a restart)."""
        from review_app.db import session_scope
        from review_app.store import model_registry as registry

        try:
            with session_scope(engine()) as s:
                mv = registry.promote(session=s, name=name, actor=actor, reason=reason)
        except registry.RegistryError as exc:
            fail(str(exc))
        print_json(_row(mv))

    @models_app.command("rollback")
    def rollback(actor: str = typer.Option("admin", "--actor"),
                 reason: str = typer.Option("manual rollback", "--reason")) -> None:
        """Put back the version that was current before the present one."""
        from review_app.db import session_scope
        from review_app.store import model_registry as registry

        try:
            with session_scope(engine()) as s:
                mv = registry.rollback(session=s, actor=actor, reason=reason)
        except registry.RegistryError as exc:
            fail(str(exc))
        print_json(_row(mv))
