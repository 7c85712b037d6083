"""``kaifang release``: redacted open copies and the open catalogue (开放目录) of a collection."""
from __future__ import annotations

from pathlib import Path

import typer

from kaifang.cli.common import engine, fail, print_json, settings


def register(app: typer.Typer) -> None:
    @app.command("release")
    def release(
        collection: str = typer.Option(..., "--collection", help="the collection (全宗) to release"),
        out: Path = typer.Option(..., "--out", help="a new directory for the release"),
        force: bool = typer.Option(False, "--force", help="replace an earlier release in --out"),
        actor: str = typer.Option("cli", "--actor", help="who the release event names"),
        as_json: bool = typer.Option(False, "--json", help="print the full report as JSON"),
    ) -> None:
        """Release what the committee opened: OPEN copied, OPEN_REDACTED masked (■ per character, offsets kept), the open catalogue (CSV, UTF-8 with BOM) and a manifest with every file's sha256.

        Refused (exit 2, nothing written) when the audit chain does not verify, when --out exists (without --force, which replaces only an earlier release), or when a masked value is still readable in a copy. CLOSED and undecided documents are never released; the report counts them.
        """
        from review_app.db import session_scope
        from review_app.store.release import ReleaseRefused, write_release

        s = settings()
        with session_scope(engine(s)) as session:
            def estimator(sample_id: int) -> dict:
                from training import elusion

                return elusion.summary(session=session, sample_id=sample_id)

            try:
                report = write_release(session=session, collection=collection, out_dir=out, actor=actor,
                                       force=force, elusion_estimator=estimator, algo=s.audit_hash)
            except ReleaseRefused as exc:
                fail(f"release refused: {exc}")
        if as_json:
            print_json(report)
            return
        c = report["counts"]
        typer.echo(f"released {c['released']} of {c['documents']} documents of {report['collection']} into "
                   f"{report['out']}: {c['open']} 开放, {c['open_redacted']} 部分开放 "
                   f"({c['masked_ranges']} masked ranges)")
        held = {k: v for k, v in report["withheld"].items() if v}
        for reason, docs in held.items():
            refs = ", ".join((d["reference_code"] or f"#{d['id']}") + (f" (eligible {d['eligible_from']})"
                                                                         if d.get("eligible_from") else "")
                             for d in docs[:20])
            more = f" … and {len(docs) - 20} more" if len(docs) > 20 else ""
            typer.echo(f"withheld ({reason}): {len(docs)}: {refs}{more}")
        for w in report["warnings"]:
            typer.secho(f"warning: {w}", err=True, fg=typer.colors.YELLOW)
        typer.echo(f"manifest sha256 {report['manifest_sha256']} (audit event #{report['audit_event']})")
