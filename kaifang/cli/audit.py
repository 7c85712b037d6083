"""``kaifang audit verify | head | export | seal``: check, publish and export the hash-chained audit log."""
from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json, settings, write_text_atomic

audit_app = typer.Typer(help="The tamper-evident audit log: verify the chain, publish its head, export it.",
                        no_args_is_help=True)


@audit_app.command("verify")
def verify(head_file: Optional[Path] = typer.Option(None, "--head", help="a head published elsewhere (kaifang audit "
                                                    "head --out, or a release's manifest.json); default: the head "
                                                    "the app publishes after every change (KAIFANG_AUDIT_HEAD_FILE)"),
           rows: bool = typer.Option(True, "--rows/--no-rows", help="also check every document, span and decision "
                                     "row against the digests the chain recorded")) -> None:
    """Recompute every event's hash, compare with the published head and check the review rows.

    Exit 0 when all hold; else name the first broken event and every edited row, exit 1.
    """
    from review_app.db import session_scope
    from review_app.store import integrity
    from review_app.tables import AuditEvent

    if head_file is not None and not head_file.is_file():
        fail(f"{head_file}: not a head file written by `kaifang audit head` or a release manifest (no such file)")
    with session_scope(engine(check_audit=False)) as session:
        try:
            result = integrity.check(session=session, head_file=head_file, rows=rows)
        except ValueError as exc:
            fail(str(exc))
        check = result.chain
        ev = session.get(AuditEvent, check.first_broken) if check.first_broken else None
    out: dict = {"intact": result.intact, "events": check.head.seq, "head": check.head.hash,
                 "checked_against": check.head_file,
                 "published_head": check.published.to_dict() if check.published else None}
    if check.first_broken is not None:
        where = (f"event #{check.first_broken} ({ev.ts} {ev.actor} {ev.action} {ev.subject})" if ev is not None
                 else f"event #{check.first_broken} (missing)")
        out.update(first_broken=check.first_broken, event=where)
        typer.secho(f"kaifang: audit chain broken at {where}", err=True, fg=typer.colors.RED)
    if check.problem:
        out["problem"] = check.problem
        typer.secho(f"kaifang: {check.problem}", err=True, fg=typer.colors.RED)
    out["rows_checked"] = rows
    out["rows"] = [p.to_dict() for p in result.rows]
    for p in result.rows[:50]:
        typer.secho(f"kaifang: {p.describe()}", err=True, fg=typer.colors.RED)
    if len(result.rows) > 50:
        typer.secho(f"kaifang: ... and {len(result.rows) - 50} more rows", err=True, fg=typer.colors.RED)
    print_json(out)
    if not out["intact"]:
        raise typer.Exit(1)


@audit_app.command("head")
def head(out: Optional[Path] = typer.Option(None, "--out", help="write the head as JSON to this file")) -> None:
    """Print (or write) the chain head {seq, hash, written}: publish it outside the database.

    The app also writes it after every change to KAIFANG_AUDIT_HEAD_FILE; this copy is for a
    second place (a printed report, WORM storage).
    """
    from review_app import audit
    from review_app.db import session_scope

    with session_scope(engine(check_audit=False)) as session:
        h = audit.head(session=session)
    d = audit.head_document(h)
    if out is not None:
        write_text_atomic(out, json.dumps(d, indent=2) + "\n")
    print_json(d)


@audit_app.command("seal")
def seal(actor: str = typer.Option(..., "--actor", help="who seals (named in each audit event)")) -> None:
    """Record the rows of documents written before Kaifang recorded row digests (once, after upgrading).

    Only documents with no recorded row at all are sealed, one audited event each; a row that
    differs from its recorded digest, or was added to a covered document behind the app's back,
    stays reported by `kaifang audit verify`.
    """
    from review_app.db import session_scope
    from review_app.store import integrity

    with session_scope(engine()) as session:
        print_json(integrity.seal_unrecorded(session=session, actor=actor))


@audit_app.command("export")
def export(
    fmt: str = typer.Option("jsonl", "--format", help="csv | jsonl"),
    since: Optional[str] = typer.Option(None, "--since", help="YYYY-MM-DD (inclusive) or ISO time"),
    until: Optional[str] = typer.Option(None, "--until", help="YYYY-MM-DD (inclusive) or ISO time"),
    user: Optional[str] = typer.Option(None, "--user", help="only this actor's events"),
    document: Optional[int] = typer.Option(None, "--document", help="only events about this document id"),
    out: Optional[Path] = typer.Option(None, "--out", help="file to write (default: standard output)"),
    actor: str = typer.Option("cli", "--actor", help="who the export event names"),
) -> None:
    """Export events (oldest first) as CSV or JSON Lines; the export is itself an audit event."""
    import io

    from review_app import audit_query
    from review_app.db import session_scope
    from review_app.store.exports import record_export

    if fmt not in audit_query.EXPORT_FORMATS:
        fail(f"--format {fmt}: choose csv or jsonl")
    filters = audit_query.AuditFilters(actor=user, document=document, since=since, until=until)
    try:
        filters.validate()
    except ValueError as exc:
        fail(str(exc))
    s = settings()
    with session_scope(engine(s)) as session:
        buf = io.StringIO()
        n = audit_query.write_export(audit_query.iter_filtered(session=session, filters=filters), fmt, buf)
        if out is not None:
            write_text_atomic(out, buf.getvalue())
        else:
            sys.stdout.write(buf.getvalue())
        record_export(session=session, actor=actor, what="audit", fmt=fmt, filters=filters.as_dict(), count=n)
    if out is not None:
        typer.echo(f"{n} events written to {out}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
