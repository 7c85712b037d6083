"""Server-rendered review pages: the queue, the committee's queue and the document view."""
from __future__ import annotations

from fastapi import APIRouter, Depends, Form, HTTPException, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from review_app.deps import get_session, require
from review_app.queue import ORDERS, STAGES, QueueFilters, active_scores, collections, queue_page
from review_app.routes.api import queue_filters, store_call
from review_app.routes.elusion import batch_elusion
from review_app.store import review
from review_app.validation import INT32_MAX, MAX_PAGE, DbId
from review_app.tables import User
from review_app.views import document_view

router = APIRouter(include_in_schema=False)


def _render(request: Request, name: str, ctx: dict, status: int = 200):
    ctx.setdefault("csrf", request.state.web_session.csrf)
    return request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status)


def _queue(request: Request, filters: QueueFilters, order: str, page: int, session: Session, user: User,
           title: str, path: str, elusion: list | None = None):
    if order not in ORDERS:
        raise HTTPException(status_code=400, detail=f"unknown order {order!r}; expected one of {', '.join(ORDERS)}")
    qp = queue_page(session=session, filters=filters, order=order, page=page, per_page=50)
    scores = active_scores(session=session, document_ids=[r["id"] for r in qp.rows])
    ctx = {"user": user, "qp": qp, "scores": scores, "orders": ORDERS, "stages": STAGES, "collections": collections(session=session),
           "title": title, "path": path, "query": {**filters.as_query(), "order": order}, "elusion": elusion}
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "queue-rows"
    ctx["oob"] = partial  # the committee's elusion panel follows the collection filter
    return _render(request, "_queue_rows.html" if partial else "queue.html", ctx)


@router.get("/queue")
def queue(request: Request, filters: QueueFilters = Depends(queue_filters), order: str = "risk",
          page: int = Query(1, ge=1, le=MAX_PAGE), session: Session = Depends(get_session),
          user: User = Depends(require("read"))):
    return _queue(request, filters, order, page, session, user, "审核队列 Review queue", "/queue")


@router.get("/committee")
def committee(request: Request, filters: QueueFilters = Depends(queue_filters), order: str = "risk",
              page: int = Query(1, ge=1, le=MAX_PAGE), session: Session = Depends(get_session),
          user: User = Depends(require("read"))):
    if "stage" not in request.query_params:
        filters.stage = "committee"
    return _queue(request, filters, order, page, session, user, "委员会终审 Committee", "/committee",
                  elusion=batch_elusion(request, session, filters.collection))


def _doc_ctx(request: Request, document_id: int, session: Session, user: User) -> dict:
    try:
        view = document_view(session=session, document_id=document_id, user=user)
    except review.NotFoundError as exc:
        raise HTTPException(status_code=404, detail=str(exc)) from exc
    return {"user": user, "v": view, "d": view["document"], "segments": view["_segments"]}


@router.get("/documents/{document_id}")
def document_page(request: Request, document_id: DbId, session: Session = Depends(get_session),
                  user: User = Depends(require("read"))):
    return _render(request, "document.html", _doc_ctx(request, document_id, session, user))


@router.post("/documents/{document_id}/reopen")
def document_reopen(document_id: DbId, note: str = Form(""), version: int = Form(..., ge=0, le=INT32_MAX),
                    session: Session = Depends(get_session), user: User = Depends(require("finalize"))):
    """The reopen form of the document page (``api_reopen`` for the JSON API)."""
    store_call(review.reopen, session=session, document_id=document_id, actor=user.username, note=note,
               version=version)
    return RedirectResponse(f"/documents/{document_id}", status_code=303)


@router.get("/documents/{document_id}/panel")
def document_panel(request: Request, document_id: DbId, session: Session = Depends(get_session),
                   user: User = Depends(require("read"))):
    """The text, spans and decision panel, re-rendered after each change (swapped in by JS)."""
    return _render(request, "_doc_panel.html", _doc_ctx(request, document_id, session, user))
