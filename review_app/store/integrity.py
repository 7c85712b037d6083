"""Rows the audit chain vouches for: documents, spans and decisions (what a release trusts).

The chain alone proves that the *log* was not edited; a release reads the review *tables*. So
every audit event also carries the digests of the rows of those tables that its transaction
changed (payload key ``rows``: ``{"review:12": "<hex>", "span:40": "<hex>", "document:3": ...}``),
computed with the chain's own hash function. A row edited in SQL afterwards (a final decision
turned from CLOSED to OPEN, a span's status from accepted to rejected) no longer matches the
digest of the latest event that wrote it; a row inserted behind the app's back (a second
committee decision) matches none; a deleted one leaves its digest without a row.
``verify_rows`` reports each such row, ``kaifang audit verify`` prints them, and a release
refuses when a document it would read has one (``release_problem``).

Which rows: nothing has to be listed by hand. A session listener notes every ``Document``,
``SpanRecord`` and ``Review`` object that a flush inserted, changed or deleted, and
``review_app.audit.append`` puts their digests into its event (the store functions append their
event after the change, in the same transaction). Every such event is about one document
(subject ``document:<id>``), so verification reads a document's events by the indexed subject,
a few hundred documents at a time, and never holds the whole log in memory.

Covered columns are those a release or the review workflow relies on; bookkeeping that changes
on every save (``Document.version``, ``updated_at``) is left out, and a document's text is
covered by its digest.

Databases written before row digests existed: ``seal_unrecorded`` records, in one audited event
per document, the rows of documents that have *no* recorded row at all (``kaifang audit seal``).
A document with any recorded row is never sealed again: an unrecorded row there is reported.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timezone
from itertools import chain
from typing import Any, Iterable, Sequence

from sqlalchemy import event
from sqlalchemy.orm import Session as OrmSession
from sqlmodel import Session, select

from review_app.tables import AuditEvent, Document, Review, SpanRecord

PAYLOAD_KEY = "rows"
_TOUCHED = "kaifang.integrity.touched"
_KINDS: dict[type, str] = {Document: "document", SpanRecord: "span", Review: "review"}
CHUNK = 300


class IntegrityError(RuntimeError):
    """A store function changed covered rows of another document than its audit event is about."""


# --------------------------------------------------------------------------- row digests


def _ts(value: datetime | None) -> str | None:
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _day(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


def row_content(row: Any, algo: str) -> dict[str, Any]:
    """The covered columns of a row, as plain JSON values."""
    from review_app.audit import digest

    if isinstance(row, Document):
        return {"id": row.id, "collection_id": row.collection_id, "reference_code": row.reference_code,
                "title": row.title, "creator": row.creator, "date_text": row.date_text, "status": row.status,
                "review_after": _day(row.review_after), "page_starts": list(row.page_starts or []),
                "sha256": row.sha256, "text": digest(algo, row.text or "")}
    if isinstance(row, SpanRecord):
        return {"id": row.id, "document_id": row.document_id, "start": row.start, "end": row.end,
                "label": row.label, "status": row.status, "replaces_id": row.replaces_id}
    if isinstance(row, Review):
        return {"id": row.id, "document_id": row.document_id, "stage": row.stage, "username": row.username,
                "decision": row.decision, "reasons": list(row.reasons or []), "closure": row.closure,
                "review_after": _day(row.review_after), "redact": list(row.redact or []), "note": row.note,
                "proposal_id": row.proposal_id, "disagrees": bool(row.disagrees), "created_at": _ts(row.created_at)}
    raise TypeError(f"{type(row).__name__} rows are not covered by the audit chain")


def row_digest(row: Any, algo: str) -> str:
    """The digest of a row's covered columns, with the chain's hash function."""
    from review_app.audit import digest

    # not audit.canonical: a redact list may hold a client's float, and the digest only needs a
    # deterministic serialisation (sorted keys; JSON columns read back what was written)
    body = json.dumps(row_content(row, algo), ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return digest(algo, f"{_KINDS[type(row)]}\n{body}")


def key(row: Any) -> str:
    return f"{_KINDS[type(row)]}:{row.id}"


def document_of(row: Any) -> int:
    return row.id if isinstance(row, Document) else row.document_id


# --------------------------------------------------------------------------- tracking


def _after_flush(session: OrmSession, _context) -> None:
    touched: dict[str, Any] = session.info.setdefault(_TOUCHED, {})
    for obj in chain(session.new, session.dirty):
        if type(obj) in _KINDS:
            touched[key(obj)] = obj
    for obj in session.deleted:
        if type(obj) in _KINDS:
            touched[key(obj)] = (document_of(obj), None)


def _forget(session: OrmSession, *_args) -> None:
    session.info.pop(_TOUCHED, None)


def install() -> None:
    """Listen to every session's flushes (idempotent; ``review_app.audit`` calls it on import)."""
    if not event.contains(OrmSession, "after_flush", _after_flush):
        event.listen(OrmSession, "after_flush", _after_flush)
        event.listen(OrmSession, "after_commit", _forget)
        event.listen(OrmSession, "after_soft_rollback", _forget)


def forget(session: Session) -> None:
    """Drop the rows noted since the last event (a bulk insert then ``mark``s each event's own)."""
    _forget(session)


def mark(session: Session, rows: Iterable[Any]) -> None:
    """Have the next audit event of this session record ``rows`` (as ``seal_unrecorded`` does)."""
    touched: dict[str, Any] = session.info.setdefault(_TOUCHED, {})
    for r in rows:
        touched[key(r)] = r


def _subject_document(subject: str) -> int | None:
    kind, _, ident = subject.partition(":")
    return int(ident) if kind == "document" and ident.isdigit() else None


def touched_digests(session: Session, *, subject: str, algo: str) -> dict[str, str | None]:
    """The digests of the covered rows changed since the last event (and forget them).

    Raises ``IntegrityError`` when they belong to another document than ``subject`` names: the
    digest would land where verification never looks for it.
    """
    touched: dict[str, Any] = session.info.pop(_TOUCHED, None) or {}
    if not touched:
        return {}
    doc_id = _subject_document(subject)
    out: dict[str, str | None] = {}
    for k, obj in sorted(touched.items()):
        owner, dig = (obj[0], obj[1]) if isinstance(obj, tuple) else (document_of(obj), row_digest(obj, algo))
        if owner != doc_id:
            raise IntegrityError(f"an audit event about {subject!r} would record {k} of document {owner}; "
                                 "each change to a document is its own event")
        out[k] = dig
    return out


# --------------------------------------------------------------------------- verification


@dataclass(frozen=True)
class RowProblem:
    """A covered row that does not match the chain."""

    key: str  # "review:12"
    document_id: int
    problem: str  # changed | unrecorded | missing
    seq: int | None = None  # the latest event that recorded the row

    def describe(self) -> str:
        kind, _, ident = self.key.partition(":")
        what = f"{kind} row {ident} (document {self.document_id})"
        if self.problem == "changed":
            return f"{what} differs from what audit event #{self.seq} recorded: it was edited outside the app"
        if self.problem == "missing":
            return f"{what} was recorded by audit event #{self.seq} but is gone: it was deleted outside the app"
        return f"{what} is not recorded by any audit event: it was written outside the app"

    def to_dict(self) -> dict:
        return {"row": self.key, "document": self.document_id, "problem": self.problem, "event": self.seq,
                "message": self.describe()}


def _recorded(session: Session, doc_ids: Sequence[int]) -> dict[int, dict[str, tuple[int, str | None]]]:
    """Per document, the latest recorded digest of each row key (and the event that recorded it)."""
    out: dict[int, dict[str, tuple[int, str | None]]] = {d: {} for d in doc_ids}
    subjects = [f"document:{d}" for d in doc_ids]
    q = (select(AuditEvent.seq, AuditEvent.subject, AuditEvent.payload)
         .where(AuditEvent.subject.in_(subjects), AuditEvent.payload.contains(f'"{PAYLOAD_KEY}":'))
         .order_by(AuditEvent.seq))
    for seq, subject, payload in session.exec(q):
        try:
            rows = json.loads(payload).get(PAYLOAD_KEY)
        except (ValueError, AttributeError):
            continue  # a mangled payload breaks the chain itself; verify reports that
        if isinstance(rows, dict):
            target = out[int(subject.split(":", 1)[1])]
            for k, dig in rows.items():
                target[str(k)] = (seq, dig)
    return out


def _current(session: Session, doc_ids: Sequence[int]) -> dict[int, dict[str, Any]]:
    out: dict[int, dict[str, Any]] = {d: {} for d in doc_ids}
    for model, col in ((Document, Document.id), (SpanRecord, SpanRecord.document_id), (Review, Review.document_id)):
        for row in session.exec(select(model).where(col.in_(list(doc_ids)))):
            out[document_of(row)][key(row)] = row
    return out


def _chunks(session: Session, document_ids: Iterable[int] | None) -> Iterable[list[int]]:
    if document_ids is not None:
        ids = sorted(set(int(i) for i in document_ids))
        for k in range(0, len(ids), CHUNK):
            yield ids[k:k + CHUNK]
        return
    after = 0
    while True:
        ids = list(session.exec(select(Document.id).where(Document.id > after).order_by(Document.id).limit(CHUNK)))
        if not ids:
            return
        yield ids
        after = ids[-1]


def _algo(session: Session) -> str:
    from review_app.audit import chain_algorithm

    return chain_algorithm(session) or "sha256"


def verify_rows(*, session: Session, document_ids: Iterable[int] | None = None,
                limit: int | None = None) -> list[RowProblem]:
    """Every covered row of these documents (default: all) that does not match the chain.

    Stops after ``limit`` problems when given. Rows are compared with the latest event that
    recorded them; a document whose rows no event recorded at all is reported row by row too.
    """
    with Session(session.get_bind()) as own:  # its own identity map: the caller's objects stay as they are
        return _verify_rows(own, document_ids, limit)


def _verify_rows(session: Session, document_ids: Iterable[int] | None, limit: int | None) -> list[RowProblem]:
    algo = _algo(session)
    problems: list[RowProblem] = []
    for ids in _chunks(session, document_ids):
        recorded, current = _recorded(session, ids), _current(session, ids)
        for doc_id in ids:
            rec, cur = recorded[doc_id], current[doc_id]
            for k in sorted(set(rec) | set(cur), key=lambda s: (s.split(":")[0], int(s.split(":")[1]))):
                seq, dig = rec.get(k, (None, None))
                row = cur.get(k)
                if row is None:
                    if seq is not None and dig is not None:
                        problems.append(RowProblem(k, doc_id, "missing", seq))
                elif seq is None:
                    problems.append(RowProblem(k, doc_id, "unrecorded"))
                elif dig != row_digest(row, algo):
                    problems.append(RowProblem(k, doc_id, "changed", seq))
                if limit is not None and len(problems) >= limit:
                    return problems
        session.expunge_all()  # one chunk of document texts in memory at a time
    return problems


@dataclass(frozen=True)
class Check:
    """The whole record checked: the chain, its published head and the rows it vouches for."""

    chain: Any  # review_app.audit.Verification
    rows: list[RowProblem]
    rows_checked: bool

    @property
    def intact(self) -> bool:
        return self.chain.intact and not self.rows


def check(*, session: Session, head_file=None, rows: bool = True, row_limit: int | None = None) -> Check:
    """``audit.verify_published`` plus ``verify_rows``: what ``kaifang audit verify`` and the
    auditors' verify button report."""
    from review_app import audit

    chain_check = audit.verify_published(session=session, head_file=head_file)
    problems = verify_rows(session=session, limit=row_limit) if rows else []
    return Check(chain=chain_check, rows=problems, rows_checked=rows)


def release_problem(*, session: Session, collection_id: int) -> str | None:
    """Why a release of this collection must be refused, or None: the chain must match the head
    published outside the database, and every row of the collection's documents must match it."""
    from review_app import audit

    check = audit.verify_published(session=session)
    if not check.intact:
        why = []
        if check.first_broken is not None:
            against = f" (checked against the head published in {check.head_file})" if check.published else ""
            why.append(f"the audit chain is broken at event #{check.first_broken}{against}")
        if check.problem is not None:
            why.append(f"the audit chain cannot be checked against its published head: {check.problem}")
        return "; ".join(why + ["nothing is released from a store whose record cannot be trusted "
                                "(kaifang audit verify)"])
    ids = list(session.exec(select(Document.id).where(Document.collection_id == collection_id)))
    problems = verify_rows(session=session, document_ids=ids, limit=20)
    if problems:
        return ("rows that the release would read do not match the audit chain (kaifang audit verify):\n  "
                + "\n  ".join(p.describe() for p in problems))
    return None


# --------------------------------------------------------------------------- sealing legacy rows


def seal_unrecorded(*, session: Session, actor: str) -> dict[str, int]:
    """Record the rows of documents that no event has recorded any row of (data written before
    row digests existed): one ``integrity.seal`` event per such document, committed one by one.

    Documents with at least one recorded row are left alone, so a row slipped into a covered
    document later is never sealed: it stays reported.
    """
    from review_app import audit

    if not actor:
        raise ValueError("sealing needs the user who does it")
    sealed = documents = 0
    for ids in _chunks(session, None):
        recorded, current = _recorded(session, ids), _current(session, ids)
        todo = [d for d in ids if not recorded[d] and current[d]]
        session.expunge_all()
        for doc_id in todo:
            rows = list(_current(session, [doc_id])[doc_id].values())
            mark(session, rows)
            audit.append(session=session, actor=actor, action="integrity.seal", subject=f"document:{doc_id}",
                         payload={"reason": "rows written before row digests were recorded", "count": len(rows)})
            session.commit()
            sealed += len(rows)
            documents += 1
        session.expunge_all()
    return {"documents": documents, "rows": sealed}
