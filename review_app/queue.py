"""The review queue: filters, named orderings and pagination, read-only.

Orderings are named strategies in ``ORDERS`` so that another ranking (active learning, helper G)
plugs in with ``register_order(name, fn, label)`` without touching the routes: ``fn`` takes the
query (documents outer-joined to their current proposal as ``Proposal``) and returns it ordered.
The query never loads document text: a queue row is catalogue metadata and the proposal.
"""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from datetime import date
from typing import Any, Callable

from sqlalchemy import and_, exists, func, or_, text, tuple_
from sqlalchemy.sql import Select
from sqlmodel import Session, select

from models.vocabulary import AWAITING_REVIEWER, DECISIONS
from review_app.i18n import LocalizedError
from review_app.tables import ActiveScore, Collection, Document, Proposal, Review

STAGES: dict[str, str] = {
    "todo": "awaiting a reviewer (incl. deferred closures now due)",
    "committee": "awaiting the committee",
    "final": "decided",
    "all": "everything",
}
PER_PAGE_MAX = 200


@dataclass(frozen=True)
class Order:
    name: str
    label: str
    apply: Callable[[Select], Select]
    #: the complete sort key, all in one direction, as (column, the queue row's key for it): an
    #: order with one can be paged by keyset (``after``); others fall back to OFFSET pages
    keyset: tuple[tuple[Any, str], ...] = ()
    descending: bool = False


ORDERS: dict[str, Order] = {}


def register_order(name: str, fn: Callable[[Select], Select], label: str = "", *,
                   keyset: tuple[tuple[Any, str], ...] = (), descending: bool = False) -> None:
    """Add (or replace) a named queue ordering. Idempotent.

    ``fn`` orders the query of documents *with* a current proposal (``Proposal`` and ``Document``
    are joined); documents not yet proposed follow in catalogue order. Ordering by indexed
    proposal columns (risk, uncertainty) lets the database stop after one page. ``keyset``: the
    columns ``fn`` sorts by (unique together, all ``descending`` or all ascending), so that the
    next page starts after the last row shown instead of counting past every earlier row.
    """
    ORDERS[name] = Order(name=name, label=label or name, apply=fn, keyset=keyset, descending=descending)


register_order("risk", lambda q: q.order_by(Proposal.risk.desc(), Proposal.uncertainty.desc(),
                                            Proposal.document_id.desc()), "risk, then uncertainty",
               keyset=((Proposal.risk, "risk"), (Proposal.uncertainty, "uncertainty"), (Proposal.document_id, "id")),
               descending=True)
register_order("uncertainty", lambda q: q.order_by(Proposal.uncertainty.desc(), Proposal.risk.desc(),
                                                   Proposal.document_id.desc()), "uncertainty, then risk",
               keyset=((Proposal.uncertainty, "uncertainty"), (Proposal.risk, "risk"), (Proposal.document_id, "id")),
               descending=True)
register_order("oldest", lambda q: q.order_by(Document.year.asc().nulls_last(), Document.id), "oldest record first")
register_order("id", lambda q: q.order_by(Document.id), "catalogue order", keyset=((Document.id, "id"),))


class QueueError(LocalizedError, ValueError):
    """A queue request that cannot be answered (unknown stage, order or bound); says why."""


@dataclass
class QueueFilters:
    """What the queue page and /api/queue accept; every field optional."""

    collection: str | None = None
    year: int | None = None
    decision: str | None = None
    min_confidence: float | None = None
    max_confidence: float | None = None
    reviewer: str | None = None
    stage: str = "todo"

    def validate(self) -> "QueueFilters":
        if self.stage not in STAGES:
            raise QueueError("err.unknown_stage", stage=repr(self.stage), expected=", ".join(STAGES))
        if self.decision and self.decision not in DECISIONS:
            raise QueueError("err.unknown_filter_decision", decision=repr(self.decision))
        for v in (self.min_confidence, self.max_confidence):
            if v is not None and not 0.0 <= v <= 1.0:
                raise QueueError("err.confidence_bounds")
        return self

    def as_query(self) -> dict[str, Any]:
        return {k: v for k, v in self.__dict__.items() if v not in (None, "")}


@dataclass
class QueuePage:
    rows: list[dict[str, Any]]
    page: int
    per_page: int
    has_more: bool
    order: str
    filters: QueueFilters = field(default_factory=QueueFilters)
    #: the cursor of the next page (``queue_page(after=...)``), None on the last page or for an
    #: order without a keyset
    next_after: str | None = None


def encode_cursor(part: str, values: list[Any]) -> str:
    """An opaque, URL-safe cursor: which part of the queue (``p`` proposed, ``u`` not yet) and the
    sort key of the last row shown."""
    return base64.urlsafe_b64encode(json.dumps([part, *values]).encode()).decode().rstrip("=")


def decode_cursor(cursor: str, order: Order) -> tuple[str, list[Any]]:
    try:
        raw = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
        part, values = raw[0], raw[1:]
        ok = (part == "u" and len(values) == 1 and isinstance(values[0], int)) or \
             (part == "p" and len(values) == len(order.keyset)
              and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values))
    except (ValueError, TypeError, IndexError, UnicodeDecodeError):
        ok = False
    if not ok:
        raise QueueError("err.bad_cursor", cursor=repr(cursor[:40]))
    return part, values


#: whether the latest reviewer decision departed from the proposal (shown as a flag to the committee)
_DISAGREES = (select(Review.disagrees).where(Review.document_id == Document.id, Review.stage == "reviewer")
              .order_by(Review.id.desc()).limit(1).correlate(Document).scalar_subquery().label("disagrees"))
_COLUMNS = (Document.id, Document.reference_code, Document.title, Document.year, Document.status,
            Document.review_after, Document.version, Document.source_path, Collection.name.label("collection"),
            _DISAGREES)
_PROPOSAL_COLUMNS = (Proposal.decision, Proposal.confidence, Proposal.risk, Proposal.uncertainty,
                     Proposal.closure, Proposal.model_version)


def _document_filters(q: Select, filters: QueueFilters, today: date) -> Select:
    if filters.stage == "todo":
        q = q.where(or_(Document.status.in_(AWAITING_REVIEWER),
                        and_(Document.status == "final", Document.review_after <= today)))
    elif filters.stage == "committee":
        q = q.where(Document.status == "reviewed")
    elif filters.stage == "final":
        q = q.where(Document.status == "final")
    if filters.collection:
        q = q.where(Collection.name == filters.collection)
    if filters.year is not None:
        q = q.where(Document.year == filters.year)
    if filters.reviewer:
        q = q.where(exists().where(Review.document_id == Document.id, Review.username == filters.reviewer))
    return q


def _proposed(filters: QueueFilters, today: date, dialect: str = "sqlite") -> Select:
    """Documents with a current proposal, driven from the proposal table (its indexes give the order).

    On SQLite a year or reviewer filter starts from the documents instead (its planner would walk
    the whole proposal index). PostgreSQL's planner costs both ways itself: at a million
    documents a year still holds tens of thousands, and walking the risk index until a page of
    them is found beats sorting them all.
    """
    if (filters.year is not None or filters.reviewer) and dialect != "postgresql":
        # a selective document filter: start from those few documents and sort them, rather than
        # walk the whole proposal index looking for them
        # (coalesce() keeps SQLite's planner from walking the is_current-first ordering index)
        q = (select(*_COLUMNS, *_PROPOSAL_COLUMNS).select_from(Document)
             .join(Proposal, and_(Proposal.document_id == Document.id,
                                  func.coalesce(Proposal.is_current, False) == True)))  # noqa: E712
    else:
        q = (select(*_COLUMNS, *_PROPOSAL_COLUMNS).select_from(Proposal)
             .join(Document, Document.id == Proposal.document_id)
             .where(Proposal.is_current == True))  # noqa: E712
    q = q.join(Collection, Collection.id == Document.collection_id)
    if filters.decision:
        q = q.where(Proposal.decision == filters.decision)
    if filters.min_confidence is not None:
        q = q.where(Proposal.confidence >= filters.min_confidence)
    if filters.max_confidence is not None:
        q = q.where(Proposal.confidence <= filters.max_confidence)
    return _document_filters(q, filters, today)


def _unproposed(filters: QueueFilters, today: date) -> Select:
    """Documents without a current proposal (not scanned or proposed yet), in catalogue order."""
    has = exists().where(Proposal.document_id == Document.id, Proposal.is_current == True)  # noqa: E712
    q = (select(*_COLUMNS).join(Collection, Collection.id == Document.collection_id).where(~has))
    return _document_filters(q, filters, today).order_by(Document.id)


def _prepare(session: Session) -> str:
    """The session's dialect; on PostgreSQL, no parallel workers for the rest of this transaction:
    a queue page reads a few hundred index entries, and starting workers (a Gather Merge) costs
    more than that on a busy server (measured: 130 ms of 145 ms for a year filter at 100,000)."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        session.exec(text("SET LOCAL max_parallel_workers_per_gather = 0"))
    return dialect


def _count(session: Session, q: Select) -> int:
    return session.exec(select(func.count()).select_from(q.order_by(None).subquery())).one()


def queue_page(*, session: Session, filters: QueueFilters, order: str = "risk", page: int = 1,
               per_page: int = 50, today: date | None = None, after: str | None = None) -> QueuePage:
    """One page of the queue: proposed documents in the chosen order, then unproposed ones.

    One extra row tells whether a next page exists; no total count is run (it would cost a scan
    of the whole queue on every page view). With ``after`` (the ``next_after`` of the page
    before) the page starts after that page's last row (keyset): at page 1,000 of a million
    documents as fast as at page 1. Without it, LIMIT/OFFSET from ``page``.
    """
    filters.validate()
    check_order(order)
    page = max(1, int(page))
    per_page = max(1, min(PER_PAGE_MAX, int(per_page)))
    today = today or date.today()
    if after is not None and ORDERS[order].keyset:
        return _keyset_page(session, filters, ORDERS[order], per_page, today, after, page)
    offset, want = (page - 1) * per_page, per_page + 1
    dialect = _prepare(session)
    proposed_q = ORDERS[order].apply(_proposed(filters, today, dialect))
    rows = [dict(r._mapping) for r in session.exec(proposed_q.offset(offset).limit(want)).all()]
    proposal_filter = filters.decision or filters.min_confidence is not None or filters.max_confidence is not None
    if len(rows) < want and not proposal_filter:
        n_proposed = offset + len(rows) if rows else _count(session, _proposed(filters, today, dialect))
        rest = session.exec(_unproposed(filters, today).offset(max(0, offset - n_proposed))
                            .limit(want - len(rows))).all()
        rows += [{**dict(r._mapping), **{c.key: None for c in _PROPOSAL_COLUMNS}} for r in rest]
    return QueuePage(rows=rows[:per_page], page=page, per_page=per_page, has_more=len(rows) > per_page,
                     order=order, filters=filters, next_after=_next_cursor(ORDERS[order], rows, per_page))


def _keyset_page(session: Session, filters: QueueFilters, o: Order, per_page: int, today: date, after: str,
                 page: int) -> QueuePage:
    part, values = decode_cursor(after, o)
    want = per_page + 1
    rows: list[dict[str, Any]] = []
    proposal_filter = filters.decision or filters.min_confidence is not None or filters.max_confidence is not None
    if part == "p":
        key = tuple_(*(c for c, _ in o.keyset))
        bound = tuple_(*values)
        q = o.apply(_proposed(filters, today, _prepare(session)).where(key < bound if o.descending else key > bound))
        rows = [dict(r._mapping) for r in session.exec(q.limit(want)).all()]
    if len(rows) < want and not proposal_filter:
        last_unproposed = values[0] if part == "u" else 0
        rest = session.exec(_unproposed(filters, today).where(Document.id > last_unproposed)
                            .limit(want - len(rows))).all()
        rows += [{**dict(r._mapping), **{c.key: None for c in _PROPOSAL_COLUMNS}} for r in rest]
    return QueuePage(rows=rows[:per_page], page=page, per_page=per_page, has_more=len(rows) > per_page,
                     order=o.name, filters=filters, next_after=_next_cursor(o, rows, per_page))


def _next_cursor(o: Order, rows: list[dict[str, Any]], per_page: int) -> str | None:
    """The cursor after the page's last row, if a next page exists and the order has a keyset."""
    if len(rows) <= per_page or not o.keyset:
        return None
    last = rows[per_page - 1]
    if last.get("decision") is None:  # an unproposed document: they follow in id order
        return encode_cursor("u", [last["id"]])
    return encode_cursor("p", [last[k] for _, k in o.keyset])


def check_order(order: str) -> str:
    """``order`` if it names a registered ordering, else a ``QueueError`` that lists them."""
    if order not in ORDERS:
        raise QueueError("err.unknown_order", order=repr(order), expected=", ".join(ORDERS))
    return order


def awaits(stage: str, status: str, review_after: date | None, today: date) -> bool:
    """Whether a document in this state still waits for the work of ``stage`` (the queue filters'
    rule in Python: todo = not yet decided by a reviewer, or a deferred closure now due)."""
    if stage == "todo":
        return status in AWAITING_REVIEWER or (status == "final" and review_after is not None
                                                             and review_after <= today)
    if stage == "committee":
        return status == "reviewed"
    return True


def neighbour(*, session: Session, filters: QueueFilters, order: str, after: int, step: int = 1,
              today: date | None = None, per_page: int = PER_PAGE_MAX, max_pages: int = 25) -> int | None:
    """The document to open after (``step=1``) or before (``step=-1``) document ``after`` in a queue.

    Forward, it is the next document in the queue's order that still awaits the queue's stage,
    wrapping around to the start; so after a save (when ``after`` has just left the queue) it is
    the one that followed it, and a document somebody else decided meanwhile is skipped. Backward,
    it is the document just before, whatever its state (to look at what one just saved). The order
    is walked over every state (stage ``all``, the same filters) so a document that left the queue
    keeps its place; the walk stops at the answer, and after ``max_pages`` pages falls back to
    the head of the queue. None: nothing else awaits (forward) or ``after`` is the first (backward).
    """
    today = today or date.today()
    filters.validate()
    check_order(order)
    stage = filters.stage
    walk = QueueFilters(**{**filters.__dict__, "stage": "all"})
    first_waiting: int | None = None
    previous: int | None = None
    seen_after = False
    cursor: str | None = None  # keyset where the order has one: page 25 costs what page 1 does
    for page in range(1, max_pages + 1):
        qp = queue_page(session=session, filters=walk, order=order, page=page, per_page=per_page, today=today,
                        after=cursor)
        cursor = qp.next_after
        for r in qp.rows:
            if r["id"] == after:
                if step < 0:
                    return previous
                seen_after = True
                continue
            waiting = awaits(stage, r["status"], r["review_after"], today)
            if seen_after and waiting:
                return r["id"]
            if waiting and first_waiting is None:
                first_waiting = r["id"]
            previous = r["id"]
        if not qp.has_more:
            return None if step < 0 else first_waiting
    if step < 0:
        return None
    head = queue_page(session=session, filters=filters, order=order, page=1, per_page=2, today=today).rows
    return next((r["id"] for r in head if r["id"] != after), None)


def collections(*, session: Session) -> list[str]:
    return list(session.exec(select(Collection.name).order_by(Collection.name)))


ACTIVE_PARTS = ("uncertainty", "disagreement", "novelty", "risk")


def active_scores(*, session: Session, document_ids: list[int]) -> dict[int, dict[str, Any]]:
    """The stored active-learning scores (priority and its four parts) of these documents, by id.

    Written by ``training.active.refresh_scores`` (after proposals, rescans and retraining), read
    here so the queue and the document page can say why a document comes first.
    """
    if not document_ids:
        return {}
    rows = session.exec(select(ActiveScore).where(ActiveScore.document_id.in_(list(document_ids))))
    return {r.document_id: {"priority": r.priority, **{k: getattr(r, k) for k in ACTIVE_PARTS},
                            "computed_at": r.computed_at} for r in rows}
