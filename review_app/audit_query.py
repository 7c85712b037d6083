"""Reading the audit log: filters, pages and exports (CSV, JSON Lines), shared by app and CLI.

Times in the log are ISO-8601 UTC strings (``2026-11-24T19:30:00.123456Z``), so a date range is a
string range: ``since`` is inclusive, ``until`` inclusive of its whole day when given as a date.
The export itself is recorded by ``store.exports.record_export`` (an export is an audit event).
"""
from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any, Iterable, Iterator, TextIO

from sqlmodel import Session, select

from review_app import audit, csvsafe
from review_app.tables import AuditEvent

EXPORT_FORMATS = ("csv", "jsonl")
FIELDS = ("seq", "ts", "actor", "action", "subject", "payload", "algo", "prev_hash", "hash")


def _bound(value: str | None, *, upper: bool) -> str | None:
    """A date or ISO timestamp as a comparable ts string (``until`` of a bare date covers the day)."""
    if value in (None, ""):
        return None
    v = str(value).strip()
    try:
        if len(v) == 10:
            d = date.fromisoformat(v)
            return (d + timedelta(days=1)).isoformat() if upper else d.isoformat()
        dt = datetime.fromisoformat(v.replace("Z", "+00:00"))
        return audit.timestamp(dt)
    except ValueError as exc:
        raise ValueError(f"not a date or ISO timestamp: {value!r} (use YYYY-MM-DD)") from exc


@dataclass
class AuditFilters:
    actor: str | None = None
    action: str | None = None
    subject: str | None = None
    document: int | None = None
    since: str | None = None
    until: str | None = None

    def apply(self, q):
        if self.actor:
            q = q.where(AuditEvent.actor == self.actor)
        if self.action:
            # "span" matches span.accept, span.add ...; "login" matches login and login.failed
            q = q.where((AuditEvent.action == self.action) | AuditEvent.action.startswith(self.action + "."))
        if self.document is not None:
            q = q.where(AuditEvent.subject == f"document:{int(self.document)}")
        elif self.subject:
            q = q.where(AuditEvent.subject == self.subject)
        lo, hi = _bound(self.since, upper=False), _bound(self.until, upper=True)
        if lo:
            q = q.where(AuditEvent.ts >= lo)
        if hi:
            q = q.where(AuditEvent.ts < hi if len(str(self.until).strip()) == 10 else AuditEvent.ts <= hi)
        return q

    def validate(self) -> "AuditFilters":
        _bound(self.since, upper=False)
        _bound(self.until, upper=True)
        return self

    def as_dict(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


def page(*, session: Session, filters: AuditFilters, before: int | None = None, limit: int = 100) -> list[AuditEvent]:
    """Newest first, keyset-paginated by ``seq`` (pass the last seq shown as ``before``)."""
    q = filters.apply(select(AuditEvent))
    if before is not None:
        q = q.where(AuditEvent.seq < before)
    return list(session.exec(q.order_by(AuditEvent.seq.desc()).limit(max(1, min(limit, 1000)))))


def iter_filtered(*, session: Session, filters: AuditFilters, batch: int = 1000) -> Iterator[AuditEvent]:
    """Oldest first, in batches (an export of a long log never holds it all in memory)."""
    after = 0
    while True:
        rows = list(session.exec(filters.apply(select(AuditEvent)).where(AuditEvent.seq > after)
                                 .order_by(AuditEvent.seq).limit(batch)))
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def event_dict(ev: AuditEvent) -> dict[str, Any]:
    return {f: getattr(ev, f) for f in FIELDS}


def write_export(events: Iterable[AuditEvent], fmt: str, out: TextIO) -> int:
    """Write events as CSV (header + one row each) or JSON Lines; returns how many."""
    if fmt not in EXPORT_FORMATS:
        raise ValueError(f"unknown export format {fmt!r}; expected one of {', '.join(EXPORT_FORMATS)}")
    n = 0
    if fmt == "csv":  # cells a spreadsheet would run as formulas are neutralised (csvsafe)
        w = csv.writer(out)
        w.writerow(FIELDS)
        for ev in events:
            w.writerow([csvsafe.cell(getattr(ev, f)) for f in FIELDS])
            n += 1
    else:
        for ev in events:
            d = event_dict(ev)
            d["payload"] = json.loads(ev.payload)
            out.write(json.dumps(d, ensure_ascii=False) + "\n")
            n += 1
    return n


def export_text(*, session: Session, filters: AuditFilters, fmt: str) -> tuple[str, int]:
    buf = io.StringIO()
    n = write_export(iter_filtered(session=session, filters=filters), fmt, buf)
    return buf.getvalue(), n
