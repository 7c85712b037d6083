"""Spans pulled back from Label Studio update the review app's span rows through the same write
path as a reviewer's clicks (store.review), audited with the annotator as actor; no server needed:
the pulled annotation is built as ``training.labelstudio.pull`` returns it."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlmodel import select

from review_app.db import make_engine, session_scope, upgrade
from review_app.store import review
from review_app.tables import AuditEvent, Document, SpanRecord
from training import labelstudio as ls

from ls_seed import ADDR, ID, NAME, PHONE, TEXT, cp, seed_document  # noqa: E402

ORG = "情况说明"
ANNOTATOR = "annotator@kaifang.test"
_cp = cp


@pytest.fixture
def engine(tmp_path):
    eng = make_engine(f"sqlite:///{tmp_path / 'kaifang.db'}")
    upgrade(eng)
    yield eng
    eng.dispose()


def _seed(engine) -> int:
    # the machine proposed: the name, the ID (as PHONE: wrong label), the phone, and a false ORG
    return seed_document(engine, "批次", ((NAME, "PERSON"), (ID, "PHONE"), (PHONE, "PHONE"), (ORG, "ORG")))


def _report(doc_id: int, annotation_id: int = 7) -> ls.PullReport:
    spans = [{"start": a, "end": b, "label": lab} for (a, b), lab in
             ((_cp(NAME), "PERSON"), (_cp(ID), "ID_NUMBER"), (_cp(ADDR), "ADDRESS"), (_cp(PHONE), "PHONE"))]
    return ls.PullReport(annotations=[ls.PulledAnnotation(
        annotation_id=annotation_id, task_id=1, key=f"doc:{doc_id}", document_id=doc_id, text=TEXT,
        annotator=ANNOTATOR, spans=spans, decision="OPEN_REDACTED", reasons=["PERSONAL_INFO"],
        annotated_at=datetime.now(timezone.utc))])


def test_pull_updates_span_rows_through_the_review_write_path(engine):
    doc_id = _seed(engine)
    report = _report(doc_id)
    with session_scope(engine) as s:
        assert len(ls.store_pulled(s, project_id=3, report=report)) == 1
        rows = review.active_spans(session=s, document_id=doc_id)
        got = {(TEXT[r.start:r.end], r.label, r.status) for r in rows}
        assert got == {(NAME, "PERSON", "accepted"), (ID, "ID_NUMBER", "corrected"), (ADDR, "ADDRESS", "added"),
                       (PHONE, "PHONE", "accepted")}
        assert s.exec(select(SpanRecord).where(SpanRecord.text == ORG)).one().status == "rejected"
        events = s.exec(select(AuditEvent).where(AuditEvent.subject == f"document:{doc_id}")
                        .order_by(AuditEvent.seq)).all()
        span_events = [e for e in events if e.action.startswith("span.")]
        assert sorted(e.action for e in span_events) == ["span.accept", "span.accept", "span.add", "span.reject",
                                                          "span.relabel"]
        assert {e.actor for e in span_events} == {ANNOTATOR}
        assert any(e.action == "annotation.import" for e in events)
    assert report.span_updates == [{"document": doc_id, "annotation": 7, "accepted": 2, "relabelled": 1,
                                    "rejected": 1, "added": 1}]
    # a second pull of the same annotation changes nothing
    again = _report(doc_id)
    with session_scope(engine) as s:
        n_events = len(s.exec(select(AuditEvent)).all())
        ls.store_pulled(s, project_id=3, report=again)
        assert len(s.exec(select(AuditEvent)).all()) == n_events and again.span_updates == []


def test_pull_leaves_a_final_document_frozen(engine):
    doc_id = _seed(engine)
    with session_scope(engine) as s:
        doc = s.get(Document, doc_id)
        doc.status = "final"
        s.add(doc)
        s.commit()
    report = _report(doc_id, annotation_id=8)
    with session_scope(engine) as s:
        assert len(ls.store_pulled(s, project_id=3, report=report)) == 1  # still training data
        assert {r.status for r in review.active_spans(session=s, document_id=doc_id)} == {"proposed"}
    assert "final decision" in report.span_updates[0]["skipped"]
    assert json.dumps(report.span_updates, ensure_ascii=False)
