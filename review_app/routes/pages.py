"""Server-rendered review pages: the queue, the committee's queue and the document view, plus the
language switch and the way from one document to the next."""
from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session

from review_app.deps import Finalizer, Reader, SessionDep
from review_app.explain import explain
from review_app.http_errors import http_error
from review_app.i18n import LANG_COOKIE, LANGS
from review_app.queue import ORDERS, STAGES, QueueFilters, active_scores, check_order, collections, neighbour, queue_page
from review_app.routes.api import queue_filters, store_call
from review_app.routes.elusion import batch_elusion, can_draw
from review_app.routes.login import _safe_next
from review_app.store import review
from review_app.tables import User
from review_app.validation import INT32_MAX, MAX_PAGE, DbId
from review_app.views import document_view

router = APIRouter(include_in_schema=False)
LANG_MAX_AGE = 365 * 24 * 3600


def _render(request: Request, name: str, ctx: dict, status: int = 200):
    ctx.setdefault("csrf", request.state.web_session.csrf)
    return request.app.state.templates.TemplateResponse(request, name, ctx, status_code=status)


def _queue(request: Request, filters: QueueFilters, order: str, page: int, session: Session, user: User,
           title_key: str, path: str, elusion: list | None = None, after: str | None = None):
    store_call(check_order, order=order)
    qp = store_call(queue_page, session=session, filters=filters, order=order, page=page, per_page=50,
                    after=after or None)
    scores = active_scores(session=session, document_ids=[r["id"] for r in qp.rows])
    ctx = {"user": user, "qp": qp, "scores": scores, "orders": ORDERS, "stages": STAGES,
           "collections": collections(session=session), "title_key": title_key, "path": path,
           "query": {**filters.as_query(), "order": order}, "elusion": elusion,
           "done": request.query_params.get("done"), "can_draw": can_draw(request, user)}
    partial = request.headers.get("HX-Request") == "true" and request.headers.get("HX-Target") == "queue-rows"
    ctx["oob"] = partial  # the committee's elusion panel follows the collection filter
    return _render(request, "_queue_rows.html" if partial else "queue.html", ctx)


@router.get("/queue")
def queue(*, request: Request, filters: QueueFilters = Depends(queue_filters), order: str = "risk",
          page: int = Query(1, ge=1, le=MAX_PAGE), session: SessionDep,
          user: Reader, after: str | None = Query(None, max_length=200)):
    return _queue(request, filters, order, page, session, user, "queue.title", "/queue", after=after)


@router.get("/committee")
def committee(*, request: Request, filters: QueueFilters = Depends(queue_filters), order: str = "risk",
              page: int = Query(1, ge=1, le=MAX_PAGE), session: SessionDep,
              user: Reader, after: str | None = Query(None, max_length=200)):
    if "stage" not in request.query_params:
        filters.stage = "committee"
    return _queue(request, filters, order, page, session, user, "committee.title", "/committee",
                  elusion=batch_elusion(request, session, filters.collection), after=after)


def _doc_ctx(request: Request, document_id: int, session: Session, user: User) -> dict:
    view = store_call(document_view, session=session, document_id=document_id, user=user)
    v = {k.lstrip("_"): x for k, x in view.items()}
    d = view["document"]
    return {"user": user, "v": v, "d": d, "segments": view["_segments"],
            "explanation": explain(view["proposal"], d["text"], d["page_starts"], request.state.lang)}


@router.get("/documents/{document_id}")
def document_page(*, request: Request, document_id: DbId, session: SessionDep,
                  user: Reader):
    return _render(request, "document.html", _doc_ctx(request, document_id, session, user))


@router.post("/documents/{document_id}/reopen")
def document_reopen(*, document_id: DbId, note: str = Form(""), version: int = Form(..., ge=0, le=INT32_MAX),
                    session: SessionDep, user: Finalizer):
    """The reopen form of the document page (``api_reopen`` for the JSON API)."""
    store_call(review.reopen, session=session, document_id=document_id, actor=user.username, note=note,
               version=version)
    return RedirectResponse(f"/documents/{document_id}", status_code=303)


@router.get("/documents/{document_id}/panel")
def document_panel(*, request: Request, document_id: DbId, session: SessionDep,
                   user: Reader):
    """The text, spans and decision panel, re-rendered after each change (swapped in by JS)."""
    return _render(request, "_doc_panel.html", _doc_ctx(request, document_id, session, user))


@router.get("/documents/{document_id}/neighbour")
def document_neighbour(*, request: Request, document_id: DbId, step: int = Query(1, ge=-1, le=1),
                       filters: QueueFilters = Depends(queue_filters), order: str = "risk",
                       session: SessionDep, user: Reader):
    """Go to the next document that still awaits work in the queue the person came from (the
    page script sends that queue's filters and order), or the previous one (``step=-1``).

    Without a queue, a committee member's is the committee's and everyone else's the reviewers'.
    Nothing left: back to that queue with a note that it is done.
    """
    if step == 0:
        raise http_error(400, "err.step")
    if "stage" not in request.query_params:
        filters.stage = "committee" if user.role == "committee" else "todo"
    store_call(review.get_document, session=session, document_id=document_id)
    target = store_call(neighbour, session=session, filters=filters, order=order, after=document_id, step=step)
    if target is not None:
        return RedirectResponse(f"/documents/{target}", status_code=303)
    path = "/committee" if filters.stage == "committee" else "/queue"
    query = {**filters.as_query(), "order": order, "done": "1" if step > 0 else "first"}
    return RedirectResponse(f"{path}?{urlencode(query)}", status_code=303)


@router.get("/lang")
def switch_language(to: str = "zh", next: str | None = None):
    """Switch the interface language (``/lang?to=en``; a cookie, so it holds before signing in too)."""
    if to not in LANGS:
        raise http_error(400, "err.unknown_language", code=to[:20], expected=", ".join(LANGS))
    resp = RedirectResponse(_safe_next(next), status_code=303)
    resp.set_cookie(LANG_COOKIE, to, max_age=LANG_MAX_AGE, samesite="lax", httponly=False, path="/")
    return resp
