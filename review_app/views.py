"""Read models for pages and the JSON API: one document with everything a reviewer needs."""
from __future__ import annotations

from typing import Any

from sqlmodel import Session, select

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


def document_view(*, session: Session, document_id: int, user: User) -> dict[str, Any]:
    """Everything the document page and ``GET /api/documents/{id}`` show, plus what the user may do."""
    doc = session.get(Document, document_id)
    if doc is None:
        raise review.NotFoundError(f"document {document_id} does not exist")
    col = session.get(Collection, doc.collection_id)
    spans = review.active_spans(session=session, document_id=document_id)
    rejected = list(session.exec(select(SpanRecord).where(SpanRecord.document_id == document_id,
                                                          SpanRecord.status == "rejected")
                                 .order_by(SpanRecord.start)))
    prop = review.current_proposal(session=session, document_id=document_id)
    reviews = list(session.exec(select(Review).where(Review.document_id == document_id).order_by(Review.id)))
    last_rev = next((r for r in reversed(reviews) if r.stage == "reviewer"), None)
    due = doc.review_after is not None and doc.status == "final" and review.is_due(doc)
    frozen = review.is_frozen(doc)
    may_decide = can(user.role, "decide") and (doc.status in ("new", "scanned", "proposed", "reviewed") or due)
    may_finalize = (can(user.role, "finalize") and doc.status == "reviewed" and last_rev is not None
                    and last_rev.username != user.username)
    from review_app.queue import active_scores

    active = active_scores(session=session, document_ids=[document_id]).get(document_id)
    if active:
        active = {**active, "computed_at": active["computed_at"].isoformat()}
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
        "can": {"edit_spans": can(user.role, "edit_spans") and not frozen, "decide": may_decide,
                "finalize": may_finalize, "reopen": can(user.role, "finalize") and frozen},
        "_segments": segments(doc.text, spans, doc.page_starts),
    }
