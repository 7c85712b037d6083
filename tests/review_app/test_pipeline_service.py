"""``review_app.pipeline_service``: one path from text to proposal, one transaction per batch."""
from __future__ import annotations

import pytest
from sqlmodel import Session, select

from review_app import pipeline_service as ps
from review_app.store import review
from review_app.tables import AuditEvent, Document, Proposal, SpanRecord

from review_fixtures import make_document


@pytest.fixture(scope="module")
def models(model_version):
    from models.decision import DecisionProposer
    from models.pipeline import Detector

    return Detector.load(model_version), DecisionProposer.load(model_version)


class FailingProposer:
    """A proposer that fails after the detector ran: nothing of the batch may be stored."""

    version = "broken"

    def propose_many(self, texts, spans_list, metas):
        raise RuntimeError("proposer down")


def _state(engine):
    with Session(engine) as s:
        return (len(s.exec(select(SpanRecord)).all()), len(s.exec(select(Proposal)).all()),
                sorted(e.action for e in s.exec(select(AuditEvent)) if e.action in ("detect", "propose")),
                sorted(d.status for d in s.exec(select(Document))))


def test_batch_is_one_transaction(sqlite_engine, models):
    """Spans, proposals and audit events of a batch are committed together or not at all: a proposer
    that fails leaves no spans behind (the old path committed the spans first)."""
    detector, _ = models
    with Session(sqlite_engine, expire_on_commit=False) as s:
        ids = make_document(s, n=3)
    before = _state(sqlite_engine)
    with Session(sqlite_engine, expire_on_commit=False) as s, pytest.raises(RuntimeError, match="proposer down"):
        ps.process(s, ids, detector=detector, proposer=FailingProposer(), options=ps.Options(), actor="t")
    assert _state(sqlite_engine) == before == (0, 0, [], ["new", "new", "new"])


def test_process_scans_and_proposes_each_document_once(sqlite_engine, models):
    detector, proposer = models
    with Session(sqlite_engine, expire_on_commit=False) as s:
        ids = make_document(s, n=3)
        c = ps.process(s, ids, detector=detector, proposer=proposer, options=ps.Options(), actor="t")
        again = ps.process(s, ids, detector=detector, proposer=proposer, options=ps.Options(), actor="t")
    assert (c.scanned, c.proposed, c.skipped) == (3, 3, 0)
    assert (again.scanned, again.proposed, again.skipped) == (0, 0, 3)
    spans, props, actions, statuses = _state(sqlite_engine)
    assert props == 3 and actions == ["detect"] * 3 + ["propose"] * 3 and statuses == ["proposed"] * 3


def test_proposal_reads_the_spans_the_store_keeps(sqlite_engine, models):
    """A rescan computes the proposal from the confirmed spans plus the new machine spans that
    overlap none of them, which is exactly what the store holds afterwards: proposing again from
    the stored spans gives the same proposal."""
    from models.spans import Span
    from review_app.model_service import model_metadata

    detector, proposer = models
    with Session(sqlite_engine, expire_on_commit=False) as s:
        [doc_id] = make_document(s, n=1)
        ps.process(s, [doc_id], detector=detector, proposer=proposer, options=ps.Options(), actor="t")
        address = next(r for r in review.active_spans(session=s, document_id=doc_id) if r.label == "ADDRESS")
        v = review.document_version(session=s, document_id=doc_id)
        fixed = review.resize_span(session=s, span_id=address.id, start=address.start + 6, end=address.end,
                                   actor="rev", version=v)
        items, _ = ps.plan(s, [doc_id], ps.Options(rescan=True, repropose=True))
        [result] = ps.compute(items, detector=detector, proposer=proposer)
        ps.write(s, [result], actor="t", replace=True)
        rows = review.active_spans(session=s, document_id=doc_id)
        doc = s.get(Document, doc_id)
        again = proposer.propose(doc.text, [Span(r.start, r.end, r.label, r.score, r.source, r.explanation)
                                            for r in rows], model_metadata(doc))
    assert [r.label for r in rows if r.label == "ADDRESS"] == ["ADDRESS"]  # the machine's overlapping one dropped
    assert any(r.id == fixed.id for r in rows)
    assert (again.decision, again.reasons, round(again.confidence, 6)) == \
        (result.proposal.decision, result.proposal.reasons, round(result.proposal.confidence, 6))


def test_changed_document_is_not_overwritten(sqlite_engine, models):
    """A result computed on a version that changed meanwhile (a reviewer's save, or the same batch
    written already) is skipped by a batch run and refused (409-style) by the app's rescan."""
    detector, proposer = models
    with Session(sqlite_engine, expire_on_commit=False) as s:
        ids = make_document(s, n=2)
        items, _ = ps.plan(s, ids, ps.Options())
        results = ps.compute(items, detector=detector, proposer=proposer)
        first = ps.write(s, results, actor="t", replace=False)
        again = ps.write(s, results, actor="t", replace=False)  # the same batch a second time
        with pytest.raises(review.ConflictError):
            ps.write(s, results, actor="t", replace=False, strict=True)
    assert (first.scanned, first.proposed, first.changed) == (2, 2, 0)
    assert (again.scanned, again.proposed, again.changed) == (0, 0, 2)
    _, props, actions, _ = _state(sqlite_engine)
    assert props == 2 and actions.count("detect") == 2 and actions.count("propose") == 2


def test_run_local_reads_ids_in_batches(sqlite_engine, models):
    detector, proposer = models
    with Session(sqlite_engine, expire_on_commit=False) as s:
        ids = make_document(s, n=5)
        coll_id = s.get(Document, ids[0]).collection_id
    c = ps.run_local(sqlite_engine, collection_id=coll_id, detector=detector, proposer=proposer,
                     options=ps.Options(), actor="t", batch_size=2)
    assert (c.documents, c.scanned, c.proposed) == (5, 5, 5)
    assert sorted(c.proposed_ids) == sorted(ids)


def test_app_rescan_is_one_transaction_on_the_version_seen(app_env, models, monkeypatch):
    """The app's rescan: spans and proposal written together, with exactly one detect and one
    propose event; a stale version is a 409 that writes nothing."""
    from app_helpers import login
    from review_app.model_service import LoadedModels

    app, engine, ids = app_env
    detector, proposer = models
    monkeypatch.setattr(app.state.model_service, "models",
                        lambda: LoadedModels(key="test-v1", detector=detector, proposer=proposer))
    client, csrf = login(app, "reviewer1")
    v = client.get(f"/api/documents/{ids[0]}").json()["document"]["version"]
    before = _events(engine, ids[0])
    stale = client.post(f"/api/documents/{ids[0]}/rescan", json={"version": v - 1}, headers={"X-CSRF-Token": csrf})
    assert stale.status_code == 409 and _events(engine, ids[0]) == before
    ok = client.post(f"/api/documents/{ids[0]}/rescan", json={"version": v}, headers={"X-CSRF-Token": csrf})
    assert ok.status_code == 200, ok.text
    assert ok.json()["version"] == v + 2 and ok.json()["detector"] == "test-v1"
    assert _events(engine, ids[0]) == before + ["detect", "propose"]
    with Session(engine) as s:
        current = s.exec(select(Proposal).where(Proposal.document_id == ids[0], Proposal.is_current == True)).all()  # noqa: E712
        assert [p.id for p in current] == [ok.json()["proposal"]]


def _events(engine, document_id: int) -> list[str]:
    with Session(engine) as s:
        return [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.subject == f"document:{document_id}")
                                         .order_by(AuditEvent.seq))]
