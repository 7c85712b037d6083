"""``kaifang audit verify | head | export``: check, publish and export the hash-chained audit log."""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json, settings

audit_app = typer.Typer(help="The tamper-evident audit log: verify the chain, publish its head, export it.",
                        no_args_is_help=True)


def _write_atomic(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(text, encoding="utf-8")
    os.replace(tmp, path)


def _read_head(path: Path):
    from review_app.audit import Head

    try:
        d = json.loads(path.read_text(encoding="utf-8"))
        return Head(seq=int(d["seq"]), hash=str(d["hash"]))
    except (OSError, ValueError, KeyError, TypeError) as exc:
        fail(f"{path}: not a head file written by `kaifang audit head` ({exc})")


@audit_app.command("verify")
def verify(head_file: Optional[Path] = typer.Option(None, "--head", help="a head file published earlier "
                                                    "(kaifang audit head --out): also catches a rewritten table")) -> None:
    """Recompute every event's hash. Exit 0 when intact; else name the first broken event, exit 1."""
    from review_app import audit
    from review_app.db import session_scope
    from review_app.tables import AuditEvent

    expected = _read_head(head_file) if head_file is not None else None
    with session_scope(engine()) as session:
        broken = audit.verify(session=session, expected_head=expected)
        h = audit.head(session=session)
        ev = session.get(AuditEvent, broken) if broken else None
    if broken is None:
        print_json({"intact": True, "events": h.seq, "head": h.hash,
                    "checked_against": str(head_file) if head_file else None})
        return
    where = (f"event #{broken} ({ev.ts} {ev.actor} {ev.action} {ev.subject})" if ev is not None
             else f"event #{broken} (missing)")
    print_json({"intact": False, "first_broken": broken, "event": where})
    typer.secho(f"kaifang: audit chain broken at {where}", err=True, fg=typer.colors.RED)
    raise typer.Exit(1)


@audit_app.command("head")
def head(out: Optional[Path] = typer.Option(None, "--out", help="write the head as JSON to this file")) -> None:
    """Print (or write) the chain head {seq, hash, written}: publish it outside the database."""
    from datetime import datetime, timezone

    from review_app import audit
    from review_app.db import session_scope

    with session_scope(engine()) as session:
        h = audit.head(session=session)
    d = {**h.to_dict(), "written": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    if out is not None:
        _write_atomic(out, json.dumps(d, indent=2) + "\n")
    print_json(d)


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
            _write_atomic(out, buf.getvalue())
        else:
            sys.stdout.write(buf.getvalue())
        record_export(session=session, actor=actor, what="audit", fmt=fmt, filters=filters.as_dict(), count=n,
                      algo=s.audit_hash)
    if out is not None:
        typer.echo(f"{n} events written to {out}", err=True)


def register(app: typer.Typer) -> None:
    app.add_typer(audit_app, name="audit")
