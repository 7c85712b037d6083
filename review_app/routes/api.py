"""The JSON API under /api: the same permissions as the pages, the same store functions.

Every state-changing call takes the ``version`` of the document the caller saw; a stale one is
answered 409 with a message that says what to do. Errors a person can fix are 400 with a reason.
"""
from __future__ import annotations

from datetime import date
from typing import Any, Literal

from fastapi import APIRouter, Depends, HTTPException, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from sqlmodel import Session

from models.vocabulary import Closure, Decision
from review_app import audit_query
from review_app.deps import Admin, Auditor, Decider, Finalizer, Reader, SessionDep, SpanEditor
from review_app.http_errors import http_error
from review_app.i18n import LocalizedError
from review_app.queue import ORDERS, QueueError, QueueFilters, active_scores, check_order, queue_page
from review_app.store import exports, integrity, review
from review_app.store import users as user_store
from review_app.tables import User
from review_app.validation import INT32_MAX, MAX_PAGE, DbId, Offset, Version, bounded_int
from review_app.views import document_view, span_dict

router = APIRouter(prefix="/api")


def store_call(fn, **kwargs):
    """Run a store function, turning its refusals into HTTP answers a client can show."""
    try:
        return fn(**kwargs)
    except (review.ConflictError, review.FrozenError) as exc:
        raise http_error(409, exc) from exc
    except review.NotFoundError as exc:
        raise http_error(404, exc) from exc
    except LocalizedError as exc:
        raise http_error(400, exc) from exc
    except (user_store.UserError, ValueError) as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc


# --------------------------------------------------------------------------- queue and documents


def _opt(value: str | None, kind: type, name: str):
    """Optional number from a query string: an empty field (an HTML form's default) means unset."""
    if value is None or value.strip() == "":
        return None
    try:
        return kind(value)
    except ValueError as exc:
        raise http_error(400, "err.not_a_number", field=name, value=repr(value)) from exc


def queue_filters(collection: str | None = None, year: str | None = None, decision: str | None = None,
                  min_confidence: str | None = None, max_confidence: str | None = None,
                  reviewer: str | None = None, stage: str = "todo") -> QueueFilters:
    try:
        return QueueFilters(collection=collection or None, year=bounded_int(_opt(year, int, "year"), "year", 1, 9999),
                            decision=decision or None,
                            min_confidence=_opt(min_confidence, float, "min_confidence"),
                            max_confidence=_opt(max_confidence, float, "max_confidence"),
                            reviewer=reviewer or None, stage=stage).validate()
    except QueueError as exc:
        raise http_error(400, exc) from exc


@router.get("/queue")
def api_queue(*, filters: QueueFilters = Depends(queue_filters), order: str = "risk",
              page: int = Query(1, ge=1, le=MAX_PAGE),
              per_page: int = Query(50, ge=1, le=200), session: SessionDep,
              user: Reader, after: str | None = Query(None, max_length=200,
                                                      description="next_after of the page before (keyset)")) -> dict:
    store_call(check_order, order=order)
    qp = store_call(queue_page, session=session, filters=filters, order=order, page=page, per_page=per_page,
                    after=after or None)
    scores = active_scores(session=session, document_ids=[r["id"] for r in qp.rows])
    rows = [{**r, "review_after": r["review_after"].isoformat() if r["review_after"] else None,
             "active": {k: round(v, 4) for k, v in scores[r["id"]].items() if k != "computed_at"}
             if r["id"] in scores else None} for r in qp.rows]
    return {"rows": rows, "page": qp.page, "per_page": qp.per_page, "has_more": qp.has_more, "order": order,
            "orders": list(ORDERS), "next_after": qp.next_after}


@router.get("/documents/{document_id}")
def api_document(*, document_id: DbId, session: SessionDep,
                 user: Reader) -> dict:
    view = store_call(document_view, session=session, document_id=document_id, user=user)
    return {k: v for k, v in view.items() if not k.startswith("_")}


class Versioned(BaseModel):
    version: Version


class AddSpan(Versioned):
    start: Offset
    end: Offset
    label: str
    expect_text: str | None = None


class Relabel(Versioned):
    label: str


class Resize(Versioned):
    start: Offset
    end: Offset


class DecisionBody(Versioned):
    decision: Decision
    reasons: list[str] = []
    closure: Closure | None = None
    review_after: date | None = None
    note: str = ""
    redact: list[dict[str, Any]] = []


def _span_answer(session: Session, row) -> dict:
    doc_version = review.document_version(session=session, document_id=row.document_id)
    return {"span": span_dict(row), "version": doc_version}


@router.post("/documents/{document_id}/spans")
def api_add_span(*, document_id: DbId, body: AddSpan, session: SessionDep,
                 user: SpanEditor) -> dict:
    row = store_call(review.add_span, session=session, document_id=document_id, start=body.start, end=body.end,
                     label=body.label, actor=user.username, version=body.version, expect_text=body.expect_text)
    return _span_answer(session, row)


@router.post("/spans/{span_id}/accept")
def api_accept(*, span_id: DbId, body: Versioned, session: SessionDep,
               user: SpanEditor) -> dict:
    return _span_answer(session, store_call(review.accept_span, session=session, span_id=span_id,
                                            actor=user.username, version=body.version))


@router.post("/spans/{span_id}/reject")
def api_reject(*, span_id: DbId, body: Versioned, session: SessionDep,
               user: SpanEditor) -> dict:
    return _span_answer(session, store_call(review.reject_span, session=session, span_id=span_id,
                                            actor=user.username, version=body.version))


@router.post("/spans/{span_id}/relabel")
def api_relabel(*, span_id: DbId, body: Relabel, session: SessionDep,
                user: SpanEditor) -> dict:
    return _span_answer(session, store_call(review.relabel_span, session=session, span_id=span_id,
                                            label=body.label, actor=user.username, version=body.version))


@router.post("/spans/{span_id}/resize")
def api_resize(*, span_id: DbId, body: Resize, session: SessionDep,
               user: SpanEditor) -> dict:
    return _span_answer(session, store_call(review.resize_span, session=session, span_id=span_id,
                                            start=body.start, end=body.end, actor=user.username,
                                            version=body.version))


@router.post("/documents/{document_id}/undo")
def api_undo(*, document_id: DbId, body: Versioned, session: SessionDep,
             user: SpanEditor) -> dict:
    ev = store_call(review.undo, session=session, document_id=document_id, actor=user.username,
                    version=body.version)
    return {"undone": ev.payload, "version": review.document_version(session=session, document_id=document_id)}


@router.post("/documents/{document_id}/decision")
def api_decide(*, document_id: DbId, body: DecisionBody, session: SessionDep,
               user: Decider) -> dict:
    r = store_call(review.decide, session=session, document_id=document_id, actor=user.username,
                   decision=body.decision, reasons=body.reasons, closure=body.closure,
                   review_after=body.review_after, note=body.note, redact=body.redact, version=body.version)
    return {"review": r.id, "disagrees": r.disagrees, "stage": r.stage,
            "version": review.document_version(session=session, document_id=document_id)}


@router.post("/documents/{document_id}/final")
def api_finalize(*, document_id: DbId, body: DecisionBody, session: SessionDep,
                 user: Finalizer) -> dict:
    r = store_call(review.finalize, session=session, document_id=document_id, actor=user.username,
                   decision=body.decision, reasons=body.reasons, closure=body.closure,
                   review_after=body.review_after, note=body.note, redact=body.redact, version=body.version)
    return {"review": r.id, "disagrees": r.disagrees, "stage": r.stage,
            "version": review.document_version(session=session, document_id=document_id)}


class Reopen(Versioned):
    note: str = Field(description="why the final decision is set aside (required, on the record)")


@router.post("/documents/{document_id}/reopen")
def api_reopen(*, document_id: DbId, body: Reopen, session: SessionDep,
               user: Finalizer) -> dict:
    """Lift the freeze of a final decision (committee): spans and decisions can change again and the
    document needs a new final decision before it is released; an audit event with the reason."""
    ev = store_call(review.reopen, session=session, document_id=document_id, actor=user.username, note=body.note,
                    version=body.version)
    return {"event": ev.seq, "status": review.get_document(session=session, document_id=document_id).status,
            "version": review.document_version(session=session, document_id=document_id)}


@router.post("/documents/{document_id}/rescan")
def api_rescan(*, document_id: DbId, body: Versioned, request: Request, session: SessionDep,
               user: Decider) -> dict:
    """Detect again and propose again with the model version now current (after a promotion).

    Spans people already accepted, added or corrected stay; machine spans nobody reviewed are
    replaced. Refused (409) when the document changed since the caller saw it, or has a final
    decision (frozen until reopened).
    """
    from review_app import pipeline_service as ps

    doc = store_call(review.get_document, session=session, document_id=document_id)
    if doc.version != body.version:
        raise http_error(409, "err.stale", document=document_id, seen=body.version, now=doc.version)
    if review.is_frozen(doc):
        raise http_error(409, "err.frozen", document=document_id)
    try:
        models = request.app.state.model_service.models()
    except (FileNotFoundError, ValueError, ImportError) as exc:
        raise HTTPException(status_code=503, detail=f"no model available: {exc}") from exc
    # one transaction: the new spans, the proposal computed from them and both audit events, written
    # only on the version the caller saw (strict: a change meanwhile is a 409 and nothing is written)
    store_call(ps.process, session=session, document_ids=[document_id], detector=models.detector,
               proposer=models.proposer, options=ps.Options(scan=True, rescan=True, propose=True, repropose=True),
               actor=user.username, strict=True)
    p = review.current_proposal(session=session, document_id=document_id)
    if request.app.state.rescore is not None:  # the active-learning score follows the new proposal
        request.app.state.rescore(session, [document_id], user.username)
    return {"proposal": p.id, "decision": p.decision, "model_version": p.model_version,
            "detector": str(models.detector.version), "version": review.document_version(session=session, document_id=document_id)}


# --------------------------------------------------------------------------- audit log


def audit_filters(actor: str | None = None, action: str | None = None, subject: str | None = None,
                  document: str | int | None = None, since: str | None = None,
                  until: str | None = None) -> audit_query.AuditFilters:
    doc = document if isinstance(document, int) or document is None else _opt(document, int, "document")
    f = audit_query.AuditFilters(actor=actor or None, action=action or None, subject=subject or None,
                                 document=doc, since=since or None, until=until or None)
    try:
        f.validate()
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    return f


@router.get("/audit")
def api_audit(*, filters: audit_query.AuditFilters = Depends(audit_filters),
              before: int | None = Query(None, ge=1, le=INT32_MAX),
              limit: int = Query(100, ge=1, le=1000), session: SessionDep,
              user: Auditor) -> dict:
    rows = audit_query.page(session=session, filters=filters, before=before, limit=limit)
    return {"events": [audit_query.event_dict(e) for e in rows],
            "next_before": rows[-1].seq if len(rows) == limit else None}


@router.get("/audit/verify")
def api_audit_verify(*, session: SessionDep, user: Auditor) -> dict:
    """The chain, checked against the head published outside the database, and the review rows
    it vouches for (at most 100 row problems listed)."""
    result = integrity.check(session=session, row_limit=100)
    c = result.chain
    return {"intact": result.intact, "first_broken": c.first_broken, "head": c.head.to_dict(),
            "published_head": c.published.to_dict() if c.published else None, "head_file": c.head_file,
            "problem": c.problem, "rows": [p.to_dict() for p in result.rows]}


class ExportBody(BaseModel):
    format: Literal["csv", "jsonl"] = "jsonl"
    since: str | None = None
    until: str | None = None
    user: str | None = None
    document: int | None = Field(default=None, ge=1, le=INT32_MAX)


@router.post("/audit/export")
def api_audit_export(*, body: ExportBody, session: SessionDep,
                     user: Auditor) -> Response:
    filters = audit_filters(actor=body.user, document=body.document, since=body.since, until=body.until)
    text, n = audit_query.export_text(session=session, filters=filters, fmt=body.format)
    exports.record_export(session=session, actor=user.username, what="audit", fmt=body.format,
                          filters=filters.as_dict(), count=n)
    media = "text/csv" if body.format == "csv" else "application/x-ndjson"
    return Response(text, media_type=f"{media}; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="kaifang-audit.{body.format}"'})


# --------------------------------------------------------------------------- users and models


class NewUser(BaseModel):
    username: str
    password: str
    role: str | None = Field(default=None, description="default: the least privileged role (auditor)")
    display_name: str = ""


class UserChange(BaseModel):
    role: str | None = None
    active: bool | None = None
    password: str | None = None
    sign_out: bool | None = Field(default=None, description="true: end every session of the account now")


def _user_dict(u: User) -> dict:
    return {"username": u.username, "display_name": u.display_name, "role": u.role, "active": u.active}


@router.get("/users")
def api_users(*, session: SessionDep, user: Admin) -> list[dict]:
    return [_user_dict(u) for u in user_store.list_users(session=session)]


@router.post("/users")
def api_create_user(*, body: NewUser, session: SessionDep,
                    user: Admin) -> dict:
    u = store_call(user_store.create_user, session=session, username=body.username, password=body.password,
                   role=body.role or user_store.least_privileged_role(), actor=user.username,
                   display_name=body.display_name)
    return _user_dict(u)


@router.post("/users/{username}")
def api_change_user(*, username: str, body: UserChange, session: SessionDep,
                    user: Admin) -> dict:
    u = None
    if body.role is not None:
        u = store_call(user_store.set_role, session=session, username=username, role=body.role, actor=user.username)
    if body.active is not None:
        u = store_call(user_store.set_active, session=session, username=username, active=body.active,
                       actor=user.username)
    if body.password is not None:
        u = store_call(user_store.set_password, session=session, username=username, password=body.password,
                       actor=user.username)
    if body.sign_out:
        store_call(user_store.sign_out_everywhere, session=session, username=username, actor=user.username)
        u = store_call(user_store.get_user, session=session, username=username)
    if u is None:
        raise HTTPException(status_code=400, detail="say what to change: role, active, password or sign_out")
    return _user_dict(u)


@router.get("/models")
def api_models(*, request: Request, session: SessionDep, user: Reader) -> dict:
    from review_app.store import model_registry

    cur = model_registry.current_version(session=session)
    return {"current": cur.name if cur else None, "loaded": request.app.state.model_service.loaded_key(),
            "versions": [{"name": v.name, "status": v.status, "parent": v.parent, "created_at": v.created_at.isoformat()
                          if v.created_at else None, "metrics": v.metrics}
                         for v in model_registry.list_versions(session=session)]}
