"""The review vocabulary, defined once: decisions, reasons, closures, span statuses, span actions.

Every module that checks, stores or shows one of these imports it from here, so adding a reason
code or a span action is a one-line change that the store, the app, training and the exports see
alike. The members are ``StrEnum``s: a member *is* its string (``Decision.OPEN == "OPEN"``), so
they go into the database, JSON and audit payloads unchanged, and the tuples below keep the order
the models and the pages rely on (OPEN < OPEN_REDACTED < CLOSED is the order of restrictiveness).
"""
from __future__ import annotations

from enum import StrEnum


class Decision(StrEnum):
    """An open-review decision, least restrictive first."""

    OPEN = "OPEN"
    OPEN_REDACTED = "OPEN_REDACTED"
    CLOSED = "CLOSED"


class Reason(StrEnum):
    """A reason code for OPEN_REDACTED or CLOSED (the law each one cites is in the rulebook)."""

    STATE_SECRET = "STATE_SECRET"
    PERSONAL_INFO = "PERSONAL_INFO"
    COMMERCIAL_SECRET = "COMMERCIAL_SECRET"
    PUBLIC_SECURITY = "PUBLIC_SECURITY"
    OTHER = "OTHER"


class Closure(StrEnum):
    """The kind of a CLOSED decision: 控制使用 (controlled) or 延期开放 (deferred to a date)."""

    CONTROLLED = "CONTROLLED"
    DEFERRED = "DEFERRED"


class DocumentStatus(StrEnum):
    """A document's place in review: new -> scanned -> proposed -> reviewed -> final."""

    NEW = "new"
    SCANNED = "scanned"
    PROPOSED = "proposed"
    REVIEWED = "reviewed"
    FINAL = "final"


class SpanStatus(StrEnum):
    """Where a detected or added span stands (``review_app.store.review`` explains each)."""

    PROPOSED = "proposed"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    ADDED = "added"
    CORRECTED = "corrected"
    SUPERSEDED = "superseded"
    WITHDRAWN = "withdrawn"


class SpanAction(StrEnum):
    """The audit actions of a person's change to a span (and its undo)."""

    ACCEPT = "span.accept"
    REJECT = "span.reject"
    RELABEL = "span.relabel"
    RESIZE = "span.resize"
    ADD = "span.add"
    UNDO = "span.undo"


def _values(*members: StrEnum) -> tuple[str, ...]:
    """Plain strings (not enum members) for the tuples: database drivers and JSON see ``str``."""
    return tuple(m.value for m in members)


DECISIONS: tuple[str, ...] = _values(*Decision)
REASONS: tuple[str, ...] = _values(*Reason)
CLOSURES: tuple[str, ...] = _values(*Closure)
#: documents a reviewer has not decided yet (the queue's "todo" stage, with deferred closures now due)
AWAITING_REVIEWER: tuple[str, ...] = _values(DocumentStatus.NEW, DocumentStatus.SCANNED, DocumentStatus.PROPOSED)
#: the spans a reader sees: the machine's proposals and what people accepted, added or corrected
ACTIVE_SPAN_STATUSES: tuple[str, ...] = _values(SpanStatus.PROPOSED, SpanStatus.ACCEPTED, SpanStatus.ADDED,
                                                SpanStatus.CORRECTED)
#: the spans a person confirmed: a rescan keeps them, training learns from them, a release masks them
CONFIRMED_SPAN_STATUSES: tuple[str, ...] = _values(SpanStatus.ACCEPTED, SpanStatus.ADDED, SpanStatus.CORRECTED)
#: a person's span changes that ``undo`` can revert (the undo itself is ``SpanAction.UNDO``)
SPAN_ACTIONS: tuple[str, ...] = _values(SpanAction.ACCEPT, SpanAction.REJECT, SpanAction.RELABEL,
                                        SpanAction.RESIZE, SpanAction.ADD)
#: the span changes that teach the tagger where a span is (a reject teaches only by absence)
SPAN_LABELLING_ACTIONS: tuple[str, ...] = _values(SpanAction.ACCEPT, SpanAction.ADD, SpanAction.RELABEL,
                                                  SpanAction.RESIZE)
