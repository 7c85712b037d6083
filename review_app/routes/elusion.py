"""Elusion QA in the app: what the committee sees before it opens a batch, and the blind review of
a sample's documents.

An elusion sample (drawn on the committee page, or with ``kaifang elusion draw``) is a random sample of the documents the
machine proposes to OPEN. Each is judged blind here: the page shows the catalogue and the text,
never the proposal, the machine's spans or earlier decisions. The committee's queue shows, per
batch, the latest sample's progress and the estimated share of sensitive documents with its 95 %
interval (computed by ``training.elusion``, plugged in by the composition root), or a warning that
no elusion check has been done.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from fastapi import APIRouter, Form, HTTPException, Request
from fastapi.responses import RedirectResponse
from sqlmodel import Session, select

from review_app.auth import can
from review_app.deps import ElusionSampler, Finalizer, SessionDep
from review_app.http_errors import http_error
from review_app.rendering import segments
from review_app.store import model_registry as registry
from review_app.validation import DbId
from review_app.tables import Collection, Document, ElusionJudgement, ElusionSample, User

router = APIRouter(include_in_schema=False)


@dataclass
class BatchElusion:
    """One batch (collection) as the committee sees it: its latest elusion sample, or none."""

    collection: str
    open_now: int  # documents proposed OPEN and not final, now
    open_all: int = 0  # documents proposed OPEN, final or not (what a check after a release samples)
    sample: ElusionSample | None = None
    scope: str = "collection"  # collection | all (a sample drawn over every collection)
    judged: int = 0
    sensitive: int = 0
    summary: dict[str, Any] | None = None
    warnings: list[dict[str, Any]] = field(default_factory=list)  # catalogue key + params


def batch_elusion(request: Request, session: Session, collection: str | None) -> list[BatchElusion]:
    """The elusion status of the filtered collection, else of every collection awaiting the committee."""
    if collection:
        cols = list(session.exec(select(Collection).where(Collection.name == collection)))
    else:
        cols = list(session.exec(select(Collection).where(
            Collection.id.in_(select(Document.collection_id).where(Document.status == "reviewed").distinct()))
            .order_by(Collection.name)))
    out = []
    summarise = getattr(request.app.state, "elusion_summary", None)
    for col in cols:
        b = BatchElusion(collection=col.name,
                         open_now=len(registry.open_proposal_ids(session=session, collection_id=col.id)),
                         open_all=len(registry.open_proposal_ids(session=session, collection_id=col.id,
                                                                 include_final=True)))
        sample = registry.latest_elusion_sample(session=session, collection_id=col.id)
        if sample is None and (sample := registry.latest_elusion_sample(session=session, collection_id=None)) is not None:
            b.scope = "all"
        if sample is not None:
            st = registry.elusion_status(session=session, sample_id=sample.id)
            b.sample, b.judged, b.sensitive = sample, st.judged, st.sensitive
            if st.judged and summarise is not None:
                b.summary = summarise(session, sample.id)
            if not st.complete:
                b.warnings.append({"key": "elusion.partial", "params": {"judged": st.judged,
                                                                        "size": len(sample.document_ids)}})
            if b.scope == "collection" and b.open_now > sample.population_size:
                b.warnings.append({"key": "elusion.grown", "params": {"now": b.open_now,
                                                                      "then": sample.population_size}})
        out.append(b)
    return out


def can_draw(request: Request, user: User) -> bool:
    """Committee members and admins draw samples, where the deployment can (``draw_elusion`` plugged in)."""
    return can(user.role, "finalize") and getattr(request.app.state, "draw_elusion", None) is not None


@router.post("/elusion/draw")
def elusion_draw(*, request: Request, collection: str = Form(...), max_rate: str = Form("0.05"),
                 session: SessionDep, user: Finalizer):
    """Draw an elusion sample of a batch's OPEN proposals from the committee page and open it.

    The sample size is the smallest that rules out ``max_rate`` when nothing sensitive is found
    (``training.elusion``, plugged in by the composition root); where the committee has decided
    every OPEN proposal already (after a release), the decided ones are sampled.
    """
    draw = getattr(request.app.state, "draw_elusion", None)
    if draw is None:
        raise http_error(503, "err.elusion_unavailable")
    try:
        rate = float(max_rate)
    except ValueError:
        raise http_error(400, "err.not_a_number", field="max_rate", value=repr(max_rate)) from None
    if not 0 < rate < 0.5:
        raise http_error(400, "err.max_rate", value=max_rate)
    col = session.exec(select(Collection).where(Collection.name == collection)).first()
    if col is None:
        raise http_error(404, "err.unknown_collection", collection=collection[:200])
    try:
        sample = draw(session, actor=user.username, collection_id=col.id, max_rate=rate)
    except ValueError as exc:
        raise http_error(409, "err.elusion_nothing", collection=col.name) from exc
    return RedirectResponse(f"/elusion/{sample.id}", status_code=303)


def _sample(session: Session, sample_id: int) -> ElusionSample:
    sample = session.get(ElusionSample, sample_id)
    if sample is None:
        raise http_error(404, "err.sample_missing", sample=sample_id)
    return sample


def _judged(session: Session, sample_id: int) -> dict[int, ElusionJudgement]:
    return {j.document_id: j for j in registry.elusion_judgements(session=session, sample_id=sample_id)}


@router.get("/elusion/{sample_id}")
def elusion_sample_page(*, request: Request, sample_id: DbId, session: SessionDep,
                        user: ElusionSampler):
    """The sample's documents to judge blind, with who judged which (no proposals shown)."""
    sample = _sample(session, sample_id)
    docs = {d.id: d for d in session.exec(select(Document).where(Document.id.in_(sample.document_ids)))}
    col = session.get(Collection, sample.collection_id) if sample.collection_id else None
    judged = _judged(session, sample_id)
    summarise = request.app.state.elusion_summary
    ctx = {"user": user, "sample": sample, "docs": docs, "judged": judged, "collection": col.name if col else None,
           "summary": summarise(session, sample_id) if judged and summarise else None,
           "csrf": request.state.web_session.csrf}
    return request.app.state.templates.TemplateResponse(request, "elusion_sample.html", ctx)


@router.get("/elusion/{sample_id}/documents/{document_id}")
def elusion_blind_page(*, request: Request, sample_id: DbId, document_id: DbId, session: SessionDep,
                       user: ElusionSampler):
    """One sampled document, blind: catalogue and text only; a form to say sensitive or not."""
    sample = _sample(session, sample_id)
    if document_id not in sample.document_ids:
        raise http_error(404, "err.not_in_sample", document=document_id, sample=sample_id)
    doc = session.get(Document, document_id)
    if doc is None:
        raise http_error(404, "err.document_missing", document=document_id)
    judgement = _judged(session, sample_id).get(document_id)
    ctx = {"user": user, "sample": sample, "d": doc, "judgement": judgement,
           "position": sample.document_ids.index(document_id) + 1,
           "segments": segments(doc.text, [], doc.page_starts), "csrf": request.state.web_session.csrf}
    return request.app.state.templates.TemplateResponse(request, "elusion_blind.html", ctx)


@router.post("/elusion/{sample_id}/documents/{document_id}")
def elusion_judge(*, request: Request, sample_id: DbId, document_id: DbId, sensitive: str = Form(...),
                  note: str = Form(""), session: SessionDep,
                  user: ElusionSampler):
    """Record one blind judgement (an ``elusion.judge`` audit event) and go on to the next document."""
    sample = _sample(session, sample_id)
    if sensitive not in ("1", "0"):
        raise http_error(400, "err.say_sensitive")
    if document_id in _judged(session, sample_id):
        raise http_error(409, "err.already_judged", document=document_id, sample=sample_id)
    try:
        registry.record_elusion_judgement(session=session, sample_id=sample_id, document_id=document_id,
                                          username=user.username, sensitive=sensitive == "1", note=note.strip())
    except ValueError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from exc
    judged = _judged(session, sample_id)
    following = sample.document_ids[sample.document_ids.index(document_id) + 1:] + sample.document_ids
    nxt = next((i for i in following if i not in judged), None)
    target = f"/elusion/{sample_id}/documents/{nxt}" if nxt is not None else f"/elusion/{sample_id}"
    return RedirectResponse(target, status_code=303)
