"""The audit log in the app: browse, filter, verify the chain, export. Auditors and admins only."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Query, Request

from models.vocabulary import SPAN_ACTIONS, SpanAction
from review_app import audit, audit_query
from review_app.deps import Auditor, SessionDep
from review_app.store import integrity
from review_app.routes.api import audit_filters
from review_app.validation import INT32_MAX

router = APIRouter(include_in_schema=False)

#: what the action filter offers: families first (``span`` matches every ``span.*``), then single actions
AUDIT_ACTIONS: tuple[str, ...] = (
    "span", "decision", "login", "user", "model", "training", "elusion",
    "ingest", "detect", "propose", *SPAN_ACTIONS, SpanAction.UNDO.value, "decision.review", "decision.final", "decision.reopen", "release", "export", "active.rescore",
    "annotation.import", "logout", "user.sign_out", "integrity.seal",
)


@router.get("/audit")
def audit_page(*, request: Request, filters: audit_query.AuditFilters = Depends(audit_filters),
               before: int | None = Query(None, ge=1, le=INT32_MAX), limit: int = Query(100, ge=1, le=500),
               session: SessionDep, user: Auditor):
    rows = audit_query.page(session=session, filters=filters, before=before, limit=limit)
    ctx = {"user": user, "events": rows, "filters": filters, "csrf": request.state.web_session.csrf,
           "audit_actions": AUDIT_ACTIONS,
           "next_before": rows[-1].seq if len(rows) == limit else None, "head": audit.head(session=session)}
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "audit-rows"
    return request.app.state.templates.TemplateResponse(request, "_audit_rows.html" if partial else "audit.html", ctx)


@router.get("/audit/verify")
def audit_verify(*, request: Request, session: SessionDep, user: Auditor):
    result = integrity.check(session=session, row_limit=20)
    return request.app.state.templates.TemplateResponse(
        request, "_verify.html", {"broken": result.chain.first_broken, "head": result.chain.head,
                                  "problem": result.chain.problem, "rows": result.rows})
