"""The append-only, hash-chained audit log.

Each event's hash covers the previous event's hash and the event's own canonical content, so an
edit, a deletion or a reordering anywhere breaks the chain from that event on. A wholesale rewrite
of the table is caught by comparing with a published head (``head()`` written to a file or a
report outside the database). This module only inserts and reads: there is no update or delete.

Writers are serialised per database (a PostgreSQL advisory transaction lock, SQLite's write
lock), and ``UNIQUE(prev_hash)`` makes any fork that slips through fail loudly.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Iterable

from sqlalchemy import text
from sqlmodel import Session, select

from review_app.tables import AuditEvent

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x4B414946  # "KAIF"
ALGORITHMS = ("sha256", "sm3")


def canonical(obj: Any) -> str:
    """Canonical JSON: sorted keys, UTF-8 (no escapes), no spaces. Floats are refused."""

    def check(o: Any) -> None:
        if isinstance(o, float):
            raise TypeError("floats are not allowed in audit payloads; use strings or basis points")
        if isinstance(o, dict):
            for k, v in o.items():
                if not isinstance(k, str):
                    raise TypeError("audit payload keys must be strings")
                check(v)
        elif isinstance(o, (list, tuple)):
            for v in o:
                check(v)

    check(obj)
    return json.dumps(obj, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=str)


def _digest(algo: str, data: str) -> str:
    if algo not in ALGORITHMS:
        raise ValueError(f"unknown audit hash {algo!r}; expected one of {ALGORITHMS}")
    return hashlib.new(algo, data.encode("utf-8")).hexdigest()


def event_hash(*, algo: str, prev_hash: str, ts: str, actor: str, action: str, subject: str, payload: str) -> str:
    body = canonical({"ts": ts, "actor": actor, "action": action, "subject": subject, "payload": payload})
    return _digest(algo, prev_hash + "\n" + body)


def _lock(session: Session) -> None:
    """Serialise appenders until the surrounding transaction ends."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=_PG_LOCK_KEY))
    elif dialect == "sqlite":
        # A write statement takes SQLite's RESERVED lock (waiting up to busy_timeout) before the
        # head is read, so no other writer can append between our read and our commit.
        session.exec(text("UPDATE audit_event SET seq = seq WHERE seq = -1"))


#: an event's ``ts``: ISO-8601 UTC with microseconds, so that ts strings compare as times do
TS_FORMAT = "%Y-%m-%dT%H:%M:%S.%fZ"


def timestamp(when: datetime | None = None) -> str:
    """``when`` (default now, UTC) in the events' ``ts`` format."""
    return (when or datetime.now(timezone.utc)).strftime(TS_FORMAT)


def parse_timestamp(ts: str) -> datetime:
    """An event's ``ts`` back as an aware UTC datetime."""
    return datetime.strptime(ts, TS_FORMAT).replace(tzinfo=timezone.utc)


def append(*, session: Session, actor: str, action: str, subject: str = "", payload: dict | None = None,
           algo: str = "sha256") -> AuditEvent:
    """Add one event to the chain inside the caller's transaction (no commit here)."""
    if not actor or not action:
        raise ValueError("audit events need an actor and an action")
    _lock(session)
    last = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    prev = last.hash if last else GENESIS
    ts = timestamp()
    body = canonical(payload or {})
    ev = AuditEvent(
        ts=ts, actor=actor, action=action, subject=str(subject), payload=body, algo=algo, prev_hash=prev,
        hash=event_hash(algo=algo, prev_hash=prev, ts=ts, actor=actor, action=action, subject=str(subject),
                        payload=body),
    )
    session.add(ev)
    session.flush()
    return ev


@dataclass(frozen=True)
class Head:
    seq: int
    hash: str

    def to_dict(self) -> dict:
        return {"seq": self.seq, "hash": self.hash}


def head(*, session: Session) -> Head:
    last = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    return Head(seq=last.seq, hash=last.hash) if last else Head(seq=0, hash=GENESIS)


def iter_events(session: Session, batch: int = 1000) -> Iterable[AuditEvent]:
    after = 0
    while True:
        rows = session.exec(
            select(AuditEvent).where(AuditEvent.seq > after).order_by(AuditEvent.seq).limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        after = rows[-1].seq


def verify(*, session: Session, expected_head: Head | None = None) -> int | None:
    """Return the sequence number of the first broken event, or None when the chain is intact.

    With ``expected_head`` (a head published earlier), an event missing or changed at or before
    that head is reported too: a truncated or wholly rewritten table no longer matches it.
    """
    prev = GENESIS
    seen_head = expected_head is None
    last_seq = 0
    for ev in iter_events(session):
        recomputed = event_hash(algo=ev.algo, prev_hash=ev.prev_hash, ts=ev.ts, actor=ev.actor,
                                action=ev.action, subject=ev.subject, payload=ev.payload)
        if ev.prev_hash != prev or recomputed != ev.hash:
            return ev.seq
        if expected_head is not None and ev.seq == expected_head.seq:
            if ev.hash != expected_head.hash:
                return ev.seq
            seen_head = True
        prev = ev.hash
        last_seq = ev.seq
    if not seen_head:
        return min(expected_head.seq, last_seq + 1)
    return None
