"""Detection results, proposals, span review and decisions: the only write path for review.

Every function is keyword-only with the session first. A function that changes state appends
its audit event in the same transaction and commits once: the change is on the record or did not
happen. Audit payloads carry offsets, labels and ids, never the document text (the log is read
by auditors who need not see personal information).

Optimistic locking: functions that a person calls from the app take ``version`` (the
``Document.version`` the person saw). The bump is one conditional UPDATE
(``... WHERE id = :id AND version = :version``), so of two reviewers who saved on the same
version exactly one wins and the other gets a ``ConflictError`` that says what to do. Machine
writes (detection, proposals) pass ``version=None`` and always bump.

Span statuses: ``proposed`` (machine), ``accepted``, ``rejected``, ``added`` (by a person),
``corrected`` (the new row of a relabel or resize; the old row becomes ``superseded`` and the
new one points to it by ``replaces_id``), ``withdrawn`` (an added or corrected span whose
action was undone). Two stages of decision: a reviewer's (``Review.stage == "reviewer"``), then
a committee member's final one (``"committee"``), by a different person.

Frozen after the final decision: once the committee has decided, the document's spans and
decisions cannot change (``FrozenError``), so a release made later reads what the committee saw.
Changing them takes an explicit ``reopen`` by a committee member with a reason, an audit event
of its own; the document then needs a new final decision before it is released again. A
deferred closure whose ``review_after`` date has come is open again by that decision's own terms.
"""
from __future__ import annotations

import json
import math
from dataclasses import asdict, is_dataclass
from datetime import date, datetime, timezone
from typing import Any, Iterable, Mapping, Sequence

from sqlalchemy import update
from sqlmodel import Session, select

from models.policy import masked_labels
from models.spans import LABELS, Span
from models.vocabulary import (  # noqa: F401  (DECISIONS, REASONS, CLOSURES: re-exported for callers)
    ACTIVE_SPAN_STATUSES,
    CLOSURES,
    CONFIRMED_SPAN_STATUSES,
    DECISIONS,
    REASONS,
    SPAN_ACTIONS,
    SpanAction,
    SpanStatus,
)
from review_app import audit
from review_app.i18n import LocalizedError
from review_app.tables import AuditEvent, Document, Proposal, Review, SpanRecord



class ReviewError(LocalizedError, ValueError):
    """A review request that cannot be honoured; the message says why, for a person to read.

    Raised with a message-catalogue key and its parameters (``review_app.i18n``): ``str()`` is the
    English text, a page shows it in the reader's language."""


class ConflictError(ReviewError):
    """The document changed since the person opened it: their save is refused, nothing is lost."""


class NotFoundError(ReviewError):
    """An unknown document, span or proposal."""


class FrozenError(ReviewError):
    """The document has a final decision: nothing changes until a committee member reopens it."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def subject(document_id: int) -> str:
    """The audit subject of everything that happens to a document."""
    return f"document:{document_id}"


def _bp(x: float | None) -> int | None:
    """A probability as integer basis points (audit payloads refuse floats)."""
    return None if x is None else int(round(float(x) * 10000))


# --------------------------------------------------------------------------- locking


def _document(session: Session, document_id: int) -> Document:
    doc = session.get(Document, document_id)
    if doc is None:
        raise NotFoundError("err.document_missing", document=document_id)
    return doc


def is_frozen(doc: Document, today: date | None = None) -> bool:
    """Whether the document's spans and decisions are frozen (final, and not a deferred closure now due)."""
    return doc.status == "final" and not _is_due(doc, today)


def _require_open(doc: Document) -> None:
    if is_frozen(doc):
        if doc.review_after:
            raise FrozenError("err.frozen_until", document=doc.id, date=doc.review_after.isoformat())
        raise FrozenError("err.frozen", document=doc.id)


def _bump(session: Session, doc: Document, version: int | None) -> int:
    """Take the document's next version, refusing a stale save; returns the new version."""
    stmt = update(Document).where(Document.id == doc.id)
    if version is not None:  # a person's save: only on the version they saw
        stmt = stmt.where(Document.version == int(version))
    result = session.execute(stmt.values(version=Document.version + 1, updated_at=_now())
                             .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        session.rollback()
        current = session.exec(select(Document.version).where(Document.id == doc.id)).one()
        last = session.exec(select(AuditEvent.actor).where(AuditEvent.subject == subject(doc.id))
                            .order_by(AuditEvent.seq.desc()).limit(1)).first()
        raise ConflictError("err.stale_by" if last else "err.stale", document=doc.id, by=last or "",
                            seen=version, now=current)
    session.refresh(doc)
    return doc.version


# --------------------------------------------------------------------------- detection


def record_detection(*, session: Session, document_id: int, spans: Sequence[Span], model_version: str,
                     actor: str = "system", replace: bool = False) -> list[SpanRecord]:
    """Store a detector's spans for a document and commit (``stage_detection`` says what is stored)."""
    rows = stage_detection(session=session, document_id=document_id, spans=spans, model_version=model_version,
                           actor=actor, replace=replace)
    session.commit()
    for r in rows:
        session.refresh(r)
    return rows


def stage_detection(*, session: Session, document_id: int, spans: Sequence[Span], model_version: str,
                    actor: str = "system", replace: bool = False, version: int | None = None) -> list[SpanRecord]:
    """Add a detector's spans for a document, and their audit event, to the caller's transaction.

    Idempotent: a document already scanned by any detector is left alone unless ``replace``; then
    the machine spans nobody reviewed yet (``proposed``) are superseded by the new ones, and every
    span a person touched stays as it is. ``version``: the document version the spans were
    computed on; a document changed since is refused (``ConflictError``), so spans are never laid
    over a text or a review state they were not computed for. No commit: the caller commits once
    for a whole batch (``review_app.pipeline_service``).
    """
    doc = _document(session, document_id)
    existing = list(session.exec(select(SpanRecord).where(SpanRecord.document_id == document_id,
                                                          SpanRecord.created_by.is_(None))))
    if existing and not replace:
        return [r for r in existing if r.status in ACTIVE_SPAN_STATUSES]
    _require_open(doc)
    kept = [r for r in session.exec(select(SpanRecord).where(SpanRecord.document_id == document_id,
                                                              SpanRecord.status.in_(CONFIRMED_SPAN_STATUSES)))]
    for r in existing:
        if r.status == SpanStatus.PROPOSED:
            r.status, r.updated_at = SpanStatus.SUPERSEDED.value, _now()
            session.add(r)
    now = _now()
    rows: list[SpanRecord] = []
    for s in machine_spans_kept(spans, kept, text_length=len(doc.text), document_id=document_id):
        rows.append(SpanRecord(document_id=document_id, start=s.start, end=s.end, label=s.label,
                               text=doc.text[s.start:s.end], score=float(s.score), source=s.source,
                               explanation=s.explanation, status=SpanStatus.PROPOSED.value,
                               model_version=model_version, created_by=None, created_at=now, updated_at=now))
    session.add_all(rows)
    if doc.status == "new":
        doc.status = "scanned"
        session.add(doc)
    session.flush()
    _bump(session, doc, version)
    counts: dict[str, int] = {}
    for r in rows:
        counts[r.label] = counts.get(r.label, 0) + 1
    audit.append(session=session, actor=actor, action="detect", subject=subject(document_id),
                 payload={"model_version": model_version, "spans": len(rows), "labels": counts,
                          "replaced": bool(existing)})
    return rows


def machine_spans_kept(spans: Sequence[Span], confirmed: Sequence[Any], *, text_length: int,
                       document_id: int | None = None) -> list[Span]:
    """The detector's spans a scan stores: those inside the text that overlap no span a person
    confirmed (a person already decided that stretch of text). One rule for the store and for a
    worker that computes the proposal before the spans are stored (``pipeline_service``)."""
    out: list[Span] = []
    for s in spans:
        if not (0 <= s.start < s.end <= text_length):
            raise ReviewError(f"span [{s.start}, {s.end}) lies outside document {document_id} "
                              f"({text_length} characters)")
        if not any(k.start < s.end and s.start < k.end for k in confirmed):
            out.append(s)
    return out


def get_document(*, session: Session, document_id: int) -> Document:
    """The document, or NotFoundError."""
    return _document(session, document_id)


def document_version(*, session: Session, document_id: int) -> int:
    """The document's current version (what a client must send with its next change)."""
    return session.exec(select(Document.version).where(Document.id == document_id)).one()


def is_scanned(*, session: Session, document_id: int) -> bool:
    """Whether any detector has run on the document (so ``propose`` need not scan it again)."""
    doc = _document(session, document_id)
    return doc.status != "new"


# --------------------------------------------------------------------------- proposals


def _field(result: Any, name: str, default: Any = None) -> Any:
    if isinstance(result, Mapping):
        return result.get(name, default)
    return getattr(result, name, default)


def _as_date(v: Any) -> date | None:
    if v is None or v == "":
        return None
    if isinstance(v, datetime):
        return v.date()
    if isinstance(v, date):
        return v
    try:
        return date.fromisoformat(str(v))
    except ValueError as exc:
        raise ReviewError(f"not an ISO date: {v!r}") from exc


def _jsonable(obj: Any) -> Any:
    """Evidence as plain JSON (dataclasses, dates and spans become dicts and strings)."""
    if is_dataclass(obj) and not isinstance(obj, type):
        obj = asdict(obj)
    return json.loads(json.dumps(obj, ensure_ascii=False, default=str))


def risk_and_uncertainty(decision: str, confidence: float, probabilities: Mapping[str, float]) -> tuple[float, float]:
    """The queue's two orderings, derived from the proposal.

    risk: the probability that the document must not be opened in full (1 - P(OPEN)), so a
    document proposed OPEN that might hide something ranks above a clearly harmless one; without
    probabilities, 1 for a non-OPEN proposal and 0 for OPEN. uncertainty: the normalised entropy
    of the probabilities (1 - confidence without them), so the least sure proposals come first.
    """
    probs = {k: float(v) for k, v in (probabilities or {}).items() if v is not None}
    if probs:
        risk = 1.0 - probs.get("OPEN", 0.0)
        ps = [p for p in probs.values() if p > 0]
        ent = -sum(p * math.log(p) for p in ps)
        uncertainty = ent / math.log(len(DECISIONS))
    else:
        risk = 0.0 if decision == "OPEN" else 1.0
        uncertainty = 1.0 - float(confidence)
    return round(min(max(risk, 0.0), 1.0), 6), round(min(max(uncertainty, 0.0), 1.0), 6)


def propose(*, session: Session, document_id: int, result: Any, actor: str = "system") -> Proposal:
    """Store a decision proposal and commit (``stage_proposal`` says what is stored)."""
    p = stage_proposal(session=session, document_id=document_id, result=result, actor=actor)
    session.commit()
    session.refresh(p)
    return p


def stage_proposal(*, session: Session, document_id: int, result: Any, actor: str = "system") -> Proposal:
    """Add a decision proposal (a ``ProposalResult`` or a dict with its fields), as current, and its
    audit event to the caller's transaction (no commit: see ``stage_detection``).

    The previous current proposal stays in the table (history) but is no longer current. A
    DEFERRED closure sets the document's ``review_after`` so it comes back to the queue then.
    """
    doc = _document(session, document_id)
    decision = _field(result, "decision")
    if decision not in DECISIONS:
        raise ReviewError(f"a proposal's decision is one of {DECISIONS}, not {decision!r}")
    reasons = list(_field(result, "reasons", []) or [])
    closure = _field(result, "closure")
    if closure is not None and closure not in CLOSURES:
        raise ReviewError(f"closure is one of {CLOSURES}, not {closure!r}")
    confidence = float(_field(result, "confidence", 0.0) or 0.0)
    probabilities = {str(k): float(v) for k, v in (_field(result, "probabilities", {}) or {}).items()}
    model_version = str(_field(result, "model_version", "") or "")
    if not model_version:
        raise ReviewError("a proposal must say which model version made it")
    review_after = _as_date(_field(result, "review_after"))
    risk, uncertainty = risk_and_uncertainty(decision, confidence, probabilities)
    for old in session.exec(select(Proposal).where(Proposal.document_id == document_id, Proposal.is_current == True)):  # noqa: E712
        old.is_current = False
        session.add(old)
    p = Proposal(
        document_id=document_id, decision=decision, reasons=reasons, closure=closure, review_after=review_after,
        confidence=confidence, probabilities=probabilities, uncertainty=uncertainty, risk=risk,
        model_version=model_version, rulebook_version=str(_field(result, "rulebook_version", "") or ""),
        fired_rules=list(_field(result, "fired_rules", []) or []),
        evidence=_jsonable(list(_field(result, "evidence", []) or [])),
        eligible_from=_as_date(_field(result, "eligible_from")), is_current=True, created_at=_now(),
    )
    session.add(p)
    if doc.status in ("new", "scanned"):
        doc.status = "proposed"
    if closure == "DEFERRED" and review_after and doc.status != "final":
        doc.review_after = review_after
    session.add(doc)
    session.flush()
    _bump(session, doc, None)
    audit.append(session=session, actor=actor, action="propose", subject=subject(document_id),
                 payload={"proposal": p.id, "decision": decision, "reasons": reasons, "closure": closure,
                          "review_after": review_after.isoformat() if review_after else None,
                          "confidence_bp": _bp(confidence), "model_version": model_version,
                          "rulebook_version": p.rulebook_version, "fired_rules": p.fired_rules})
    return p


def current_proposal(*, session: Session, document_id: int) -> Proposal | None:
    return session.exec(select(Proposal).where(Proposal.document_id == document_id,
                                               Proposal.is_current == True)  # noqa: E712
                        .order_by(Proposal.id.desc())).first()


# --------------------------------------------------------------------------- span review


def active_spans(*, session: Session, document_id: int) -> list[SpanRecord]:
    """The spans a reader sees: machine proposals, accepted, added and corrected ones."""
    return list(session.exec(select(SpanRecord).where(SpanRecord.document_id == document_id,
                                                      SpanRecord.status.in_(ACTIVE_SPAN_STATUSES))
                             .order_by(SpanRecord.start, SpanRecord.end)))


def _span(session: Session, span_id: int, document_id: int | None = None) -> SpanRecord:
    row = session.get(SpanRecord, span_id)
    if row is None or (document_id is not None and row.document_id != document_id):
        raise NotFoundError("err.span_missing_in" if document_id else "err.span_missing", span=span_id,
                            document=document_id or "")
    return row


def _check_label(label: str) -> None:
    if label not in LABELS:
        raise ReviewError("err.unknown_label", label=label, expected=", ".join(LABELS))


def _check_range(doc: Document, start: int, end: int) -> None:
    if not (isinstance(start, int) and isinstance(end, int)) or not (0 <= start < end <= len(doc.text)):
        raise ReviewError("err.bad_range", length=len(doc.text), start=start, end=end)


def _check_overlap(session: Session, doc: Document, start: int, end: int, ignore: Iterable[int] = ()) -> None:
    ignore = set(ignore)
    for r in active_spans(session=session, document_id=doc.id):
        if r.id not in ignore and r.start < end and start < r.end:
            raise ReviewError("err.overlap", start=start, end=end, span=r.id, label=r.label, other_start=r.start,
                              other_end=r.end, text=r.text)


def _set_status(*, session: Session, span_id: int, actor: str, version: int | None, status: str,
                action: str) -> SpanRecord:
    row = _span(session, span_id)
    doc = _document(session, row.document_id)
    _require_open(doc)
    if row.status not in ACTIVE_SPAN_STATUSES and row.status != SpanStatus.REJECTED:
        raise ReviewError("err.span_not_changeable", span=span_id, status=row.status, to=status)
    new_version = _bump(session, doc, version)
    row = _span(session, span_id)
    before = row.status
    row.status, row.updated_at = status, _now()
    session.add(row)
    session.flush()
    audit.append(session=session, actor=actor, action=action, subject=subject(doc.id),
                 payload={"span": row.id, "label": row.label, "start": row.start, "end": row.end,
                          "from": before, "to": status, "version": new_version})
    session.commit()
    session.refresh(row)
    return row


def accept_span(*, session: Session, span_id: int, actor: str, version: int | None) -> SpanRecord:
    return _set_status(session=session, span_id=span_id, actor=actor, version=version, status=SpanStatus.ACCEPTED,
                       action=SpanAction.ACCEPT)


def reject_span(*, session: Session, span_id: int, actor: str, version: int | None) -> SpanRecord:
    return _set_status(session=session, span_id=span_id, actor=actor, version=version, status=SpanStatus.REJECTED,
                       action=SpanAction.REJECT)


def _correct(*, session: Session, span_id: int, actor: str, version: int | None, label: str, start: int,
             end: int, action: str) -> SpanRecord:
    old = _span(session, span_id)
    doc = _document(session, old.document_id)
    _require_open(doc)
    if old.status not in ACTIVE_SPAN_STATUSES:
        raise ReviewError("err.span_not_correctable", span=span_id, status=old.status)
    _check_label(label)
    _check_range(doc, start, end)
    _check_overlap(session, doc, start, end, ignore=[old.id])
    new_version = _bump(session, doc, version)
    old = _span(session, span_id)
    before = old.status
    old.status, old.updated_at = SpanStatus.SUPERSEDED.value, _now()
    new = SpanRecord(document_id=doc.id, start=start, end=end, label=label, text=doc.text[start:end], score=1.0,
                     source=f"human:{actor}", explanation=f"{action} of span {old.id}", status=SpanStatus.CORRECTED.value,
                     model_version=old.model_version, replaces_id=old.id, created_by=actor,
                     created_at=_now(), updated_at=_now())
    session.add(old)
    session.add(new)
    session.flush()
    audit.append(session=session, actor=actor, action=action, subject=subject(doc.id),
                 payload={"span": new.id, "replaces": old.id, "from": before,
                          "old": {"label": old.label, "start": old.start, "end": old.end},
                          "new": {"label": label, "start": start, "end": end}, "version": new_version})
    session.commit()
    session.refresh(new)
    return new


def relabel_span(*, session: Session, span_id: int, label: str, actor: str, version: int | None) -> SpanRecord:
    old = _span(session, span_id)
    if label == old.label:
        raise ReviewError("err.same_label", span=span_id, label=label)
    return _correct(session=session, span_id=span_id, actor=actor, version=version, label=label,
                    start=old.start, end=old.end, action=SpanAction.RELABEL)


def resize_span(*, session: Session, span_id: int, start: int, end: int, actor: str,
                version: int | None) -> SpanRecord:
    old = _span(session, span_id)
    if (start, end) == (old.start, old.end):
        raise ReviewError("err.same_range", span=span_id, start=start, end=end)
    return _correct(session=session, span_id=span_id, actor=actor, version=version, label=old.label,
                    start=start, end=end, action=SpanAction.RESIZE)


def add_span(*, session: Session, document_id: int, start: int, end: int, label: str, actor: str,
             version: int | None, expect_text: str | None = None) -> SpanRecord:
    """Add a span the detector missed. ``expect_text`` (the selected text) guards the offsets."""
    doc = _document(session, document_id)
    _require_open(doc)
    _check_label(label)
    _check_range(doc, start, end)
    if expect_text is not None and doc.text[start:end] != expect_text:
        raise ReviewError("err.selection_moved", start=start, end=end, found=repr(doc.text[start:end]),
                          selected=repr(expect_text))
    _check_overlap(session, doc, start, end)
    new_version = _bump(session, doc, version)
    row = SpanRecord(document_id=document_id, start=start, end=end, label=label, text=doc.text[start:end],
                     score=1.0, source=f"human:{actor}", explanation="added by a reviewer", status=SpanStatus.ADDED.value,
                     created_by=actor, created_at=_now(), updated_at=_now())
    session.add(row)
    session.flush()
    audit.append(session=session, actor=actor, action=SpanAction.ADD.value, subject=subject(document_id),
                 payload={"span": row.id, "label": label, "start": start, "end": end, "version": new_version})
    session.commit()
    session.refresh(row)
    return row


def undo(*, session: Session, document_id: int, actor: str, version: int | None) -> AuditEvent:
    """Undo the actor's latest span change on this document that is not undone yet.

    The undo is itself an audit event that names the event it reverts; nothing is erased. It is
    refused when someone else has changed that span since (their work would be lost).
    """
    doc = _document(session, document_id)
    _require_open(doc)
    events = list(session.exec(select(AuditEvent).where(AuditEvent.subject == subject(document_id),
                                                        AuditEvent.actor == actor,
                                                        AuditEvent.action.in_((*SPAN_ACTIONS, SpanAction.UNDO.value)))
                               .order_by(AuditEvent.seq.desc()).limit(500)))
    undone = {json.loads(e.payload).get("undoes") for e in events if e.action == SpanAction.UNDO}
    target = next((e for e in events if e.action != SpanAction.UNDO and e.seq not in undone), None)
    if target is None:
        raise ReviewError("err.nothing_to_undo")
    p = json.loads(target.payload)
    new_version = _bump(session, doc, version)
    if target.action in (SpanAction.ACCEPT, SpanAction.REJECT):
        row = _span(session, p["span"])
        if row.status != p["to"]:
            raise _undo_refused(session, row)
        row.status, row.updated_at = p["from"], _now()
        session.add(row)
    elif target.action == SpanAction.ADD:
        row = _span(session, p["span"])
        if row.status != SpanStatus.ADDED:
            raise _undo_refused(session, row)
        row.status, row.updated_at = SpanStatus.WITHDRAWN.value, _now()
        session.add(row)
    else:  # relabel / resize: withdraw the correction, bring the old span back
        new, old = _span(session, p["span"]), _span(session, p["replaces"])
        if new.status != SpanStatus.CORRECTED or old.status != SpanStatus.SUPERSEDED:
            raise _undo_refused(session, new)
        new.status, new.updated_at = SpanStatus.WITHDRAWN.value, _now()
        old.status, old.updated_at = p["from"], _now()
        session.add(new)
        session.add(old)
    session.flush()
    ev = audit.append(session=session, actor=actor, action=SpanAction.UNDO.value, subject=subject(document_id),
                      payload={"undoes": target.seq, "action": target.action, "span": p["span"],
                               "version": new_version})
    session.commit()
    return ev


def _undo_refused(session: Session, row: SpanRecord) -> ReviewError:
    session.rollback()
    return ReviewError("err.undo_refused", span=row.id, status=row.status)


# --------------------------------------------------------------------------- decisions


def _validate_decision(decision: str, reasons: Sequence[str], closure: str | None, review_after: date | None,
                       note: str) -> None:
    if decision not in DECISIONS:
        raise ReviewError("err.unknown_decision", decision=repr(decision), expected=", ".join(DECISIONS))
    bad = [r for r in reasons if r not in REASONS]
    if bad:
        raise ReviewError("err.unknown_reason", reasons=", ".join(bad), expected=", ".join(REASONS))
    if decision != "OPEN" and not reasons:
        raise ReviewError("err.needs_reason", decision=decision)
    if decision == "OPEN" and (reasons or closure):
        raise ReviewError("err.open_no_reasons")
    if decision == "CLOSED" and closure not in CLOSURES:
        raise ReviewError("err.closed_needs_closure")
    if decision != "CLOSED" and closure:
        raise ReviewError("err.closure_only_closed")
    if closure == "DEFERRED" and review_after is None:
        raise ReviewError("err.deferred_needs_date")
    if closure == "DEFERRED" and review_after is not None and review_after <= date.today():
        raise ReviewError("err.deferred_date_past")
    if "OTHER" in reasons and not note.strip():
        raise ReviewError("err.other_needs_note")


def _same(a_decision: str, a_closure: str | None, b_decision: str, b_closure: str | None) -> bool:
    return a_decision == b_decision and (a_decision != "CLOSED" or a_closure == b_closure)


def latest_review(*, session: Session, document_id: int, stage: str) -> Review | None:
    return session.exec(select(Review).where(Review.document_id == document_id, Review.stage == stage)
                        .order_by(Review.id.desc())).first()


def is_due(doc: Document, today: date | None = None) -> bool:
    """Whether a deferred closure's review date has come (the document is back in the queue)."""
    return _is_due(doc, today)


def _is_due(doc: Document, today: date | None = None) -> bool:
    return doc.review_after is not None and doc.review_after <= (today or date.today())


_REASON_OF_LABEL = {"SECRET_MARK": "STATE_SECRET"}


def default_redactions(*, session: Session, document_id: int, reasons: Sequence[str] = ()) -> list[dict]:
    """The ranges to mask for OPEN_REDACTED when the reviewer lists none: the visible spans of the
    labels the decision's reasons cover (personal information: ID, phone, e-mail, account, address,
    health, legal record; a state secret: the marking). Names are never masked (GUIDELINES rule 2),
    so PERSON is not among them; a decision without reasons is taken as PERSONAL_INFO."""
    labels = masked_labels(reasons or ("PERSONAL_INFO",))
    return [{"start": r.start, "end": r.end, "label": r.label, "reason": _REASON_OF_LABEL.get(r.label, "PERSONAL_INFO")}
            for r in active_spans(session=session, document_id=document_id) if r.label in labels]


def decide(*, session: Session, document_id: int, actor: str, decision: str, reasons: Sequence[str] = (),
           closure: str | None = None, review_after: date | str | None = None, note: str = "",
           redact: Sequence[dict] = (), version: int | None) -> Review:
    """A reviewer's (first-stage) decision. A decision that differs from the proposal is flagged.

    A document already reviewed (waiting for the committee) may be decided again, by the same or
    another reviewer: the newer decision is the one the committee sees, and the audit event names
    the decision it replaces (the page tells the second reviewer before they save). A final
    decision is frozen (``FrozenError``) until a committee member reopens it."""
    doc = _document(session, document_id)
    reasons, review_after, note = list(dict.fromkeys(reasons)), _as_date(review_after), note or ""
    _validate_decision(decision, reasons, closure, review_after, note)
    _require_open(doc)
    redact = _check_redact(doc, redact)
    prop = current_proposal(session=session, document_id=document_id)
    disagrees = bool(prop and not _same(decision, closure, prop.decision, prop.closure))
    if decision == "OPEN_REDACTED" and not any(e.get("label") for e in redact):
        # the labelled defaults, plus the free ranges the reviewer selected (e.g. a price)
        redact = default_redactions(session=session, document_id=document_id, reasons=reasons) + redact
    earlier = latest_review(session=session, document_id=document_id, stage="reviewer") \
        if doc.status == "reviewed" else None
    new_version = _bump(session, doc, version)
    r = Review(document_id=document_id, stage="reviewer", username=actor, decision=decision, reasons=reasons,
               closure=closure, review_after=review_after, redact=_jsonable(list(redact)), note=note,
               proposal_id=prop.id if prop else None, disagrees=disagrees, created_at=_now())
    session.add(r)
    doc.status = "reviewed"
    doc.review_after = review_after if closure == "DEFERRED" else None
    session.add(doc)
    session.flush()
    audit.append(session=session, actor=actor, action="decision.review", subject=subject(document_id),
                 payload={"review": r.id, "decision": decision, "reasons": reasons, "closure": closure,
                          "review_after": review_after.isoformat() if review_after else None,
                          "proposal": r.proposal_id, "proposed": prop.decision if prop else None,
                          "disagrees": disagrees, "note": note[:2000], "version": new_version,
                          "replaces_review": earlier.id if earlier else None,
                          "replaces_reviewer": earlier.username if earlier else None})
    session.commit()
    session.refresh(r)
    return r


def finalize(*, session: Session, document_id: int, actor: str, decision: str, reasons: Sequence[str] = (),
             closure: str | None = None, review_after: date | str | None = None, note: str = "",
             redact: Sequence[dict] = (), version: int | None) -> Review:
    """The committee's final decision, after a reviewer's, by someone else.

    A note is needed where the committee decides differently from the reviewer (the decision, or
    for a closure its kind: 控制使用 vs 延期开放): the committee says why it overrules. Agreeing with
    the reviewer needs none, also where the reviewer departed from the machine's proposal (the
    reviewer's departure is on record, with the reviewer's own note). The final decision is flagged
    ``disagrees`` when either happened. A final OPEN_REDACTED must mask something: a span whose
    label its reasons cover, or a range (``redact``; else the reviewer's free ranges).
    """
    doc = _document(session, document_id)
    reasons, review_after, note = list(dict.fromkeys(reasons)), _as_date(review_after), note or ""
    _validate_decision(decision, reasons, closure, review_after, note)
    _require_open(doc)
    redact = _check_redact(doc, redact)
    rev = latest_review(session=session, document_id=document_id, stage="reviewer")
    if rev is None or doc.status != "reviewed":
        raise ReviewError("err.no_reviewer_decision", document=document_id)
    if rev.username == actor:
        raise ReviewError("err.final_by_reviewer", actor=actor)
    differs = not _same(decision, closure, rev.decision, rev.closure)
    if differs and not note.strip():
        raise ReviewError("err.final_differs_needs_note", reviewer=rev.username,
                          reviewer_verdict=verdict(rev.decision, rev.closure), verdict=verdict(decision, closure))
    if decision == "OPEN_REDACTED" and not _masks_something(session, document_id, reasons, redact, rev):
        raise ReviewError("err.redacted_masks_nothing", reasons=", ".join(reasons))
    disagrees = rev.disagrees or differs
    new_version = _bump(session, doc, version)
    prop = current_proposal(session=session, document_id=document_id)
    r = Review(document_id=document_id, stage="committee", username=actor, decision=decision, reasons=reasons,
               closure=closure, review_after=review_after, redact=_jsonable(list(redact)), note=note,
               proposal_id=prop.id if prop else None, disagrees=disagrees, created_at=_now())
    session.add(r)
    doc.status = "final"
    doc.review_after = review_after if closure == "DEFERRED" else None
    session.add(doc)
    session.flush()
    audit.append(session=session, actor=actor, action="decision.final", subject=subject(document_id),
                 payload={"review": r.id, "decision": decision, "reasons": reasons, "closure": closure,
                          "review_after": review_after.isoformat() if review_after else None,
                          "reviewer": rev.username, "reviewer_decision": rev.decision, "disagrees": disagrees,
                          "differs_from_reviewer": differs, "note": note[:2000], "version": new_version})
    session.commit()
    session.refresh(r)
    return r


def reopen(*, session: Session, document_id: int, actor: str, note: str, version: int | None) -> AuditEvent:
    """Lift the freeze of a final decision so that spans and decisions can change again.

    A committee member's act with a reason (``note``), recorded as ``decision.reopen`` naming the
    final decision it sets aside. The document goes back to the committee's queue (``reviewed``:
    the reviewer's decision stands until a reviewer changes it) and is not released until a new
    final decision; the earlier one stays in the history.
    """
    doc = _document(session, document_id)
    note = (note or "").strip()
    if not is_frozen(doc):
        raise ReviewError("err.nothing_to_reopen", document=document_id)
    if not note:
        raise ReviewError("err.reopen_needs_note")
    final = latest_review(session=session, document_id=document_id, stage="committee")
    new_version = _bump(session, doc, version)
    doc.status = "reviewed" if latest_review(session=session, document_id=document_id, stage="reviewer") else "proposed"
    doc.review_after = None
    session.add(doc)
    session.flush()
    ev = audit.append(session=session, actor=actor, action="decision.reopen", subject=subject(document_id),
                      payload={"final_review": final.id if final else None,
                               "final_decision": final.decision if final else None,
                               "note": note[:2000], "version": new_version})
    session.commit()
    return ev


def verdict(decision: str, closure: str | None) -> str:
    """A decision with its closure as one code (``CLOSED/DEFERRED``): what "the same decision" means
    (``_same``), and how messages name it (catalogue family ``verdict``: 暂不开放（延期开放）)."""
    return f"{decision}/{closure}" if decision == "CLOSED" and closure else decision


def _check_redact(doc: Document, redact: Sequence[Any]) -> list[dict]:
    """A decision's ranges to mask, checked: integer offsets inside the text, a known reason, and
    where the entry quotes its text, that text (so a range selected on a stale page is refused)."""
    out = []
    for entry in redact or ():
        if not isinstance(entry, Mapping):
            raise ReviewError("err.redact_entry", entry=repr(entry)[:100])
        start, end = entry.get("start"), entry.get("end")
        if not (isinstance(start, int) and isinstance(end, int) and 0 <= start < end <= len(doc.text)):
            raise ReviewError("err.redact_range", start=start, end=end, length=len(doc.text))
        reason = entry.get("reason")
        if reason is not None and reason not in REASONS:
            raise ReviewError("err.unknown_reason", reasons=str(reason), expected=", ".join(REASONS))
        quoted = entry.get("text")
        if quoted is not None and doc.text[start:end] != quoted:
            raise ReviewError("err.selection_moved", start=start, end=end, found=repr(doc.text[start:end]),
                              selected=repr(quoted))
        out.append(dict(entry))
    return out


def _masks_something(session: Session, document_id: int, reasons: Sequence[str], redact: Sequence[dict],
                     reviewer: Review) -> bool:
    """Whether a final OPEN_REDACTED would mask anything in the release (``store.release.mask_plan``):
    a visible span whose label the reasons cover, the committee's ranges, else the reviewer's free ones."""
    labels = masked_labels(reasons)
    if any(r.label in labels for r in active_spans(session=session, document_id=document_id)):
        return True
    return bool(redact) or any(isinstance(e, dict) and not e.get("label") for e in (reviewer.redact or []))


def disagreement_detail(*, session: Session, document_id: int) -> dict[str, Any] | None:
    """The pending disagreement on a reviewed document (the reviewer departed from the proposal),
    as data for a page to word: who, their decision and closure, and the proposal's; or None."""
    rev = latest_review(session=session, document_id=document_id, stage="reviewer")
    if rev is None or not rev.disagrees:
        return None
    prop = session.get(Proposal, rev.proposal_id) if rev.proposal_id else None
    return {"reviewer": rev.username, "reviewer_verdict": verdict(rev.decision, rev.closure),
            "proposed_verdict": verdict(prop.decision, prop.closure) if prop else None}


def disagreement(*, session: Session, document_id: int) -> str | None:
    """A sentence describing the pending disagreement on a reviewed document, or None (English, for
    the JSON API; pages word ``disagreement_detail`` in the reader's language)."""
    d = disagreement_detail(session=session, document_id=document_id)
    if d is None:
        return None
    return f"reviewer {d['reviewer']} decided {d['reviewer_verdict']}; the machine proposed {d['proposed_verdict'] or '?'}"
