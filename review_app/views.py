"""Read models for pages and the JSON API: one document with everything a reviewer needs."""
from __future__ import annotations

from datetime import date
from pathlib import PurePath
from typing import Any

from sqlmodel import Session, select

from models.policy import masked_labels
from models.vocabulary import AWAITING_REVIEWER, DocumentStatus, SpanStatus
from review_app.auth import can
from review_app.rendering import segments
from review_app.store import review
from review_app.tables import Collection, Document, Review, SpanRecord, User


def span_dict(r: SpanRecord) -> dict[str, Any]:
    return {"id": r.id, "start": r.start, "end": r.end, "label": r.label, "text": r.text,
            "score": round(float(r.score), 4), "source": r.source, "explanation": r.explanation,
            "status": r.status, "model_version": r.model_version, "replaces_id": r.replaces_id,
            "created_by": r.created_by}


def review_dict(r: Review) -> dict[str, Any]:
    return {"id": r.id, "stage": r.stage, "username": r.username, "decision": r.decision, "reasons": r.reasons,
            "closure": r.closure, "review_after": r.review_after.isoformat() if r.review_after else None,
            "note": r.note, "disagrees": r.disagrees, "redact": r.redact,
            "created_at": r.created_at.isoformat() if r.created_at else None}


def proposal_dict(p) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"id": p.id, "decision": p.decision, "reasons": p.reasons, "closure": p.closure,
            "review_after": p.review_after.isoformat() if p.review_after else None,
            "confidence": p.confidence, "probabilities": p.probabilities, "risk": p.risk,
            "uncertainty": p.uncertainty, "model_version": p.model_version,
            "rulebook_version": p.rulebook_version, "fired_rules": p.fired_rules, "evidence": p.evidence,
            "eligible_from": p.eligible_from.isoformat() if p.eligible_from else None}


def _free_ranges(doc: Document, redact: list | None) -> list[dict[str, Any]]:
    """The label-less ranges of a decision's ``redact`` list (what a person selected), with their text."""
    out = []
    for e in redact or []:
        if isinstance(e, dict) and not e.get("label") and isinstance(e.get("start"), int) and isinstance(e.get("end"), int):
            out.append({"start": e["start"], "end": e["end"], "reason": e.get("reason"),
                        "text": doc.text[e["start"]:e["end"]]})
    return out


def _prefill(doc: Document, stage: str | None, prop, last_rev: Review | None) -> dict[str, Any]:
    """What the decision form starts from: the reviewer's decision for the committee (agreeing is
    then one key, without a note), the machine's proposal for a reviewer."""
    if stage == "final" and last_rev is not None:
        src, base = "reviewer", last_rev
    elif prop is not None:
        src, base = "proposal", prop
    else:
        return {"source": "none", "decision": None, "reasons": [], "closure": None, "review_after": None, "redact": []}
    return {"source": src, "decision": base.decision, "reasons": list(base.reasons or []), "closure": base.closure,
            "review_after": base.review_after.isoformat() if base.review_after else None,
            "redact": _free_ranges(doc, last_rev.redact) if src == "reviewer" else []}


def _notices(*, session: Session, doc: Document, user: User, stage: str | None, last_rev: Review | None,
             due: bool, eligible: date | None, prefill: dict[str, Any]) -> list[dict[str, Any]]:
    """Warnings above the text, as catalogue keys and parameters (worded by the page)."""
    out: list[dict[str, Any]] = []
    if doc.status == "reviewed":
        d = review.disagreement_detail(session=session, document_id=doc.id)
        if d:
            out.append({"kind": "disagreement", "key": "notice.disagreement",
                        "params": {**d, "proposed_verdict": d["proposed_verdict"] or "?"}})
    if stage == "decision" and doc.status == "reviewed" and last_rev is not None:
        key = "notice.own_review" if last_rev.username == user.username else "notice.second_reviewer"
        out.append({"kind": "second-reviewer", "key": key,
                    "params": {"reviewer": last_rev.username, "verdict": review.verdict(last_rev.decision, last_rev.closure),
                               "when": last_rev.created_at.strftime("%Y-%m-%d %H:%M") if last_rev.created_at else ""}})
    if due:
        out.append({"kind": "deferred-due", "key": "notice.deferred_due",
                    "params": {"date": doc.review_after.isoformat() if doc.review_after else ""}})
    if eligible is not None and eligible > date.today():
        out.append({"kind": "not-eligible", "key": "notice.not_eligible", "params": {"date": eligible.isoformat()}})
    elif eligible is None:
        out.append({"kind": "no-date", "key": "notice.no_date", "params": {}})
    if stage and prefill.get("decision") == "OPEN_REDACTED" and not prefill.get("redact") and not any(
            r.label in masked_labels(prefill.get("reasons") or []) for r in review.active_spans(session=session, document_id=doc.id)):
        out.append({"kind": "masks-nothing", "key": "notice.masks_nothing", "params": {}})
    return out


def document_view(*, session: Session, document_id: int, user: User) -> dict[str, Any]:
    """Everything the document page and ``GET /api/documents/{id}`` show, plus what the user may do."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise review.NotFoundError("err.document_missing", document=document_id)
    col = session.get(Collection, doc.collection_id)
    spans = review.active_spans(session=session, document_id=document_id)
    rejected = list(session.exec(select(SpanRecord).where(SpanRecord.document_id == document_id,
                                                          SpanRecord.status == SpanStatus.REJECTED.value)
                                 .order_by(SpanRecord.start)))
    prop = review.current_proposal(session=session, document_id=document_id)
    reviews = list(session.exec(select(Review).where(Review.document_id == document_id).order_by(Review.id)))
    last_rev = next((r for r in reversed(reviews) if r.stage == "reviewer"), None)
    due = doc.review_after is not None and doc.status == "final" and review.is_due(doc)
    frozen = review.is_frozen(doc)
    may_decide = can(user.role, "decide") and (doc.status in (*AWAITING_REVIEWER, DocumentStatus.REVIEWED) or due)
    may_finalize = (can(user.role, "finalize") and doc.status == "reviewed" and last_rev is not None
                    and last_rev.username != user.username)
    stage = "final" if may_finalize else "decision" if may_decide else None
    from review_app.queue import active_scores
    from review_app.store.release_guard import eligible_from

    active = active_scores(session=session, document_ids=[document_id]).get(document_id)
    if active:
        active = {**active, "computed_at": active["computed_at"].isoformat()}
    eligible = eligible_from(doc, prop)
    prefill = _prefill(doc, stage, prop, last_rev)
    file_name = PurePath(doc.source_path).name if doc.source_path else ""
    return {
        "document": {
            "id": doc.id, "collection": col.name if col else None, "reference_code": doc.reference_code,
            "title": doc.title, "creator": doc.creator, "date": doc.date_text, "year": doc.year,
            "classification": doc.classification, "genre": doc.genre, "catalogue": doc.catalogue,
            "media_type": doc.media_type, "page_count": doc.page_count, "page_starts": doc.page_starts,
            "ocr_pages": doc.ocr_pages, "status": doc.status, "version": doc.version,
            "review_after": doc.review_after.isoformat() if doc.review_after else None,
            "source_path": doc.source_path, "text": doc.text,
        },
        "spans": [span_dict(r) for r in spans],
        "rejected_spans": [span_dict(r) for r in rejected],
        "proposal": proposal_dict(prop),
        "active": active,
        "reviews": [review_dict(r) for r in reviews],
        "disagreement": review.disagreement(session=session, document_id=document_id) if doc.status == "reviewed" else None,
        "deferred_due": due,
        "frozen": frozen,
        "eligible_from": eligible.isoformat() if eligible else None,
        "can": {"edit_spans": can(user.role, "edit_spans") and not frozen, "decide": may_decide,
                "finalize": may_finalize, "reopen": can(user.role, "finalize") and frozen},
        "stage": stage,
        "prefill": prefill,
        "_segments": segments(doc.text, spans, doc.page_starts),
        "_notices": _notices(session=session, doc=doc, user=user, stage=stage, last_rev=last_rev, due=due,
                             eligible=eligible, prefill=prefill),
        "_last_reviewer": last_rev,
        "_replaces": last_rev if stage == "decision" and doc.status == "reviewed" else None,
        "_meta_parts": [x for x in (doc.reference_code, doc.creator, doc.date_text) if x],
        "_file_name": file_name,
        "_uncatalogued": not doc.reference_code and not any(not k.startswith("_") for k in (doc.catalogue or {})),
    }
