"""The append-only, hash-chained audit log.

Each event's hash covers the previous event's hash and the event's own canonical content, so an
edit, a deletion or a reordering anywhere breaks the chain from that event on. A wholesale rewrite
or a truncation of the table is caught by comparing with a published head: after every commit
that appended events, the new head is written to a file outside the database (``publish_head``,
``KAIFANG_AUDIT_HEAD_FILE``), and ``verify_published`` checks the chain against it. This module
only inserts and reads: there is no update or delete.

One hash per chain, chosen in one place. ``configure(engine, algo=...)`` (called where engines
are built from settings: the app and the CLI) attaches the configured hash to the engine; the
first event of a chain is hashed with it and every later event with the chain's own hash, so no
caller can make a mixed chain. A configured hash that differs from the chain's is refused
(``AuditConfigError``) rather than silently ignored, and ``verify`` reports a mixed chain.

Writers are serialised per database (a PostgreSQL advisory transaction lock, SQLite's write
lock), and ``UNIQUE(prev_hash)`` makes any fork that slips through fail loudly.
"""
from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterable

from sqlalchemy import event, text
from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from review_app.store import integrity
from review_app.tables import AuditEvent

log = logging.getLogger(__name__)
integrity.install()

GENESIS = "0" * 64
_PG_LOCK_KEY = 0x4B414946  # "KAIF"
ALGORITHMS = ("sha256", "sm3")
#: the engine execution option that carries this deployment's ``AuditConfig``
_OPTION = "kaifang_audit"
_PENDING_HEAD = "kaifang.audit.pending_head"


class AuditConfigError(RuntimeError):
    """The configured audit hash differs from the chain's: one chain never mixes two hashes."""


@dataclass(frozen=True)
class AuditConfig:
    """How a deployment's chain is hashed and where its head is published.

    ``algo`` None (an engine nobody configured: a worker process, a script) follows the chain:
    its first event's hash, SHA-256 for a new chain.
    """

    algo: str | None = None
    head_file: Path | None = None


def configure(engine: Engine, *, algo: str | None, head_file: Path | str | None = None) -> Engine:
    """Attach the audit settings to ``engine`` (the one place the hash is chosen); returns it."""
    if algo is not None and algo not in ALGORITHMS:
        raise ValueError(f"unknown audit hash {algo!r}; expected one of {ALGORITHMS}")
    cfg = AuditConfig(algo=algo, head_file=Path(head_file) if head_file else None)
    engine.update_execution_options(**{_OPTION: cfg})
    return engine


def engine_config(bind) -> AuditConfig:
    """The audit settings attached to an engine or connection (default: follow the chain, no head file)."""
    return bind.get_execution_options().get(_OPTION) or AuditConfig()


def config(session: Session) -> AuditConfig:
    """The audit settings of the session's engine."""
    return engine_config(session.get_bind())


def chain_algorithm(session: Session) -> str | None:
    """The hash the chain was started with (its first event's), or None for an empty chain."""
    return session.exec(select(AuditEvent.algo).order_by(AuditEvent.seq).limit(1)).first()


def check_algorithm(session: Session) -> None:
    """Refuse a configured hash that differs from the existing chain's (``AuditConfigError``)."""
    chain, wanted = chain_algorithm(session), config(session).algo
    if chain is not None and wanted is not None and chain != wanted:
        raise AuditConfigError(
            f"the audit chain was started with {chain} and every event must use it, but KAIFANG_AUDIT_HASH is "
            f"{wanted}: set KAIFANG_AUDIT_HASH={chain} (a new hash needs a new database)")


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


def digest(algo: str, data: str | bytes) -> str:
    """The chain's hash function (hex): every hash the audit log relies on goes through here."""
    if algo not in ALGORITHMS:
        raise ValueError(f"unknown audit hash {algo!r}; expected one of {ALGORITHMS}")
    return hashlib.new(algo, data.encode("utf-8") if isinstance(data, str) else data).hexdigest()



def event_hash(*, algo: str, prev_hash: str, ts: str, actor: str, action: str, subject: str, payload: str) -> str:
    body = canonical({"ts": ts, "actor": actor, "action": action, "subject": subject, "payload": payload})
    return digest(algo, prev_hash + "\n" + body)


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


def append(*, session: Session, actor: str, action: str, subject: str = "", payload: dict | None = None) -> AuditEvent:
    """Add one event to the chain inside the caller's transaction (no commit here).

    The hash is the chain's own (its first event's), or for a new chain the configured one. The
    rows of the integrity-covered tables this transaction changed (``review_app.integrity``) are
    added to the payload as ``rows`` (their digests), so the chain vouches for them too. After
    the caller commits, the new head is published (``publish_head``) when a head file is set.
    """
    if not actor or not action:
        raise ValueError("audit events need an actor and an action")
    cfg = config(session)
    session.flush()  # the caller's changes are tracked (integrity) before their digests are taken
    _lock(session)
    last = session.exec(select(AuditEvent).order_by(AuditEvent.seq.desc()).limit(1)).first()
    if cfg.algo is None:
        algo = (chain_algorithm(session) if last is not None else None) or "sha256"
    else:
        if last is not None and last.algo != cfg.algo:
            check_algorithm(session)  # the chain's first event decides
        algo = cfg.algo
    prev = last.hash if last else GENESIS
    ts = timestamp()
    payload = dict(payload or {})
    rows = integrity.touched_digests(session, subject=str(subject), algo=algo)
    if rows:
        payload[integrity.PAYLOAD_KEY] = rows
    body = canonical(payload)
    ev = AuditEvent(
        ts=ts, actor=actor, action=action, subject=str(subject), payload=body, algo=algo, prev_hash=prev,
        hash=event_hash(algo=algo, prev_hash=prev, ts=ts, actor=actor, action=action, subject=str(subject),
                        payload=body),
    )
    session.add(ev)
    session.flush()
    if cfg.head_file is not None:
        _publish_after_commit(session, cfg.head_file, Head(seq=ev.seq, hash=ev.hash))
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


# --------------------------------------------------------------------------- published head


def head_document(h: Head) -> dict:
    """What a head file holds: the head and when it was written."""
    return {**h.to_dict(), "written": datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}


def read_head(path: Path | str) -> Head:
    """A head file (``kaifang audit head --out``, the automatic one) or a release manifest's head.

    Raises ``ValueError`` (with the reason) for a file that is not one of those.
    """
    try:
        d = json.loads(Path(path).read_text(encoding="utf-8"))
        d = d.get("audit_head", d) if isinstance(d, dict) else d
        return Head(seq=int(d["seq"]), hash=str(d["hash"]))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"{path}: not a head file written by `kaifang audit head` or a release manifest "
                         f"({type(exc).__name__}: {exc})") from None


def write_head_file(path: Path | str, h: Head) -> bool:
    """Write ``h`` to ``path`` atomically, unless the file already names a later (or the same) event.

    Monotonic: app processes that commit in one order may publish in another, and a later head
    must never be replaced by an earlier one; nor is a head overwritten by a different hash at
    the same or an earlier position (that would erase the evidence of a rewrite). Returns
    whether the file was written. Concurrent writers are serialised by ``flock`` on a side file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if path.exists():
            try:
                if read_head(path).seq >= h.seq:
                    return False
            except ValueError:
                pass  # an unreadable file (a crash while writing it) is replaced
        # replaced by a rename (readers see the old head or the new one, never half a file); not
        # fsync'ed: after a power cut the file may lag a few commits (still a valid earlier head)
        # or, on an unusual file system, be unreadable (verify says so; the next commit rewrites
        # it). An fsync per commit cost a third of the ingest rate.
        tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
        with open(tmp, "w", encoding="utf-8") as fh:
            fh.write(json.dumps(head_document(h), indent=2) + "\n")
        os.replace(tmp, path)
    return True


def _publish_after_commit(session: Session, path: Path, h: Head) -> None:
    """Publish ``h`` once the session's transaction commits (never a head that was rolled back)."""
    first = _PENDING_HEAD not in session.info
    session.info[_PENDING_HEAD] = (path, h)
    if not first:
        return

    def after_commit(sess) -> None:
        pending = sess.info.pop(_PENDING_HEAD, None)
        if pending is None:
            return
        try:
            write_head_file(*pending)
        except OSError as exc:  # the change is committed; a missed publication is caught up next time
            log.warning("could not publish the audit head to %s: %s", pending[0], exc)

    def after_rollback(sess) -> None:
        sess.info.pop(_PENDING_HEAD, None)

    event.listen(session, "after_commit", after_commit, once=True)
    event.listen(session, "after_soft_rollback", lambda sess, _tx: after_rollback(sess), once=True)


# --------------------------------------------------------------------------- verification


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

    Broken: its hash does not match its content and the previous hash, or it uses another hash
    function than the chain's first event (a mixed chain). With ``expected_head`` (a head
    published earlier), an event missing or changed at or before that head is reported too: a
    truncated or wholly rewritten table no longer matches it.
    """
    prev = GENESIS
    seen_head = expected_head is None
    last_seq = 0
    algo = None
    for ev in iter_events(session):
        algo = algo or ev.algo
        recomputed = event_hash(algo=ev.algo, prev_hash=ev.prev_hash, ts=ev.ts, actor=ev.actor,
                                action=ev.action, subject=ev.subject, payload=ev.payload)
        if ev.prev_hash != prev or recomputed != ev.hash or ev.algo != algo:
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


@dataclass(frozen=True)
class Verification:
    """The chain checked against the head published outside the database (where there is one)."""

    first_broken: int | None
    head: Head
    published: Head | None
    head_file: str | None
    problem: str | None = None  # why the check could not use the published head

    @property
    def intact(self) -> bool:
        return self.first_broken is None and self.problem is None


def verify_published(*, session: Session, head_file: Path | str | None = None) -> Verification:
    """``verify`` against ``head_file`` (default: the configured, automatically published one).

    A head file that is missing while the chain has events, or unreadable, is a problem in its
    own right: deleting it is how a truncation would be hidden.
    """
    path = Path(head_file) if head_file is not None else config(session).head_file
    current = head(session=session)
    published, problem = None, None
    if path is not None:
        if path.exists():
            try:
                published = read_head(path)
            except ValueError as exc:
                problem = str(exc)
        elif current.seq:
            problem = (f"no published head at {path} although the chain has {current.seq} events: a truncated "
                       "or rewritten chain cannot be told from an intact one (restore the file, or check with "
                       f"--head against a head published elsewhere; after upgrading from a Kaifang that did not "
                       f"publish it, check the chain and publish it once: kaifang audit head --out {path})")
    broken = verify(session=session, expected_head=published)
    return Verification(first_broken=broken, head=current, published=published,
                        head_file=str(path) if path is not None else None, problem=problem)
