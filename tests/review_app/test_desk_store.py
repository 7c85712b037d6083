"""The store and queue behind the review desk (SQLite and PostgreSQL): the next document that
still awaits work, the committee's note rule, ranges to mask, a second reviewer on record."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from review_app.queue import QueueFilters, neighbour
from review_app.store import review
from review_app.tables import AuditEvent
from review_fixtures import TEXT, make_document, scan_and_propose


def _v(s, doc_id):
    return review.document_version(session=s, document_id=doc_id)


def _queue(s, n=4, collection="队列"):
    ids = make_document(s, n=n, collection=collection)
    for doc_id, conf in zip(ids, (0.95, 0.9, 0.85, 0.8, 0.75)):  # risk order = id order
        scan_and_propose(s, doc_id, confidence=conf)
    return ids


def test_next_skips_what_someone_decided_keeps_its_place_and_wraps(engine):
    with Session(engine, expire_on_commit=False) as s:
        a, b, c, d = _queue(s)
        todo = QueueFilters(collection="队列")
        assert neighbour(session=s, filters=todo, order="risk", after=a) == b
        # a is decided (it leaves the queue) and b by someone else: from a, the next awaiting is c
        review.decide(session=s, document_id=a, actor="rev1", decision="OPEN_REDACTED", reasons=["PERSONAL_INFO"],
                      version=_v(s, a))
        review.decide(session=s, document_id=b, actor="rev2", decision="OPEN_REDACTED", reasons=["PERSONAL_INFO"],
                      version=_v(s, b))
        assert neighbour(session=s, filters=todo, order="risk", after=a) == c
        assert neighbour(session=s, filters=todo, order="risk", after=d) == c  # wraps past the end
        assert neighbour(session=s, filters=todo, order="risk", after=c, per_page=1) == d  # across pages
        # back: the one just before, whatever its state
        assert neighbour(session=s, filters=todo, order="risk", after=c, step=-1) == b
        assert neighbour(session=s, filters=todo, order="risk", after=a, step=-1) is None
        # the committee's queue: the next reviewed one
        committee = QueueFilters(collection="队列", stage="committee")
        assert neighbour(session=s, filters=committee, order="risk", after=a) == b
        for doc_id in (c, d):
            review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN_REDACTED",
                          reasons=["PERSONAL_INFO"], version=_v(s, doc_id))
        assert neighbour(session=s, filters=todo, order="risk", after=d) is None  # nothing else awaits


def test_committee_note_only_where_it_differs_from_the_reviewer(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id, decision="CLOSED")  # the machine: closed, controlled use
        later = date.today() + timedelta(days=800)
        review.decide(session=s, document_id=doc_id, actor="rev1", decision="CLOSED", reasons=["PERSONAL_INFO"],
                      closure="DEFERRED", review_after=later, note="延期", version=_v(s, doc_id))
        detail = review.disagreement_detail(session=s, document_id=doc_id)
        assert detail == {"reviewer": "rev1", "reviewer_verdict": "CLOSED/DEFERRED",
                          "proposed_verdict": "CLOSED/CONTROLLED"}
        assert "CLOSED/DEFERRED" in review.disagreement(session=s, document_id=doc_id)
        with pytest.raises(review.ReviewError, match="needs a note"):
            review.finalize(session=s, document_id=doc_id, actor="com1", decision="CLOSED", reasons=["PERSONAL_INFO"],
                            closure="CONTROLLED", version=_v(s, doc_id))
        f = review.finalize(session=s, document_id=doc_id, actor="com1", decision="CLOSED", reasons=["PERSONAL_INFO"],
                            closure="DEFERRED", review_after=later, version=_v(s, doc_id))
        assert f.note == "" and f.disagrees  # the reviewer's departure from the proposal stays flagged


def test_a_final_partial_opening_must_mask_something_and_ranges_are_checked(engine):
    text = "福州第一针织厂产品调价报告\n出厂单价每吨3200元，自3月起执行。\n"
    price = "每吨3200元"
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        doc = review.get_document(session=s, document_id=doc_id)
        doc.text, doc.page_starts = text, [0]
        s.add(doc)
        s.commit()
        review.propose(session=s, document_id=doc_id, result={"decision": "OPEN_REDACTED", "reasons": ["COMMERCIAL_SECRET"],
                                                              "confidence": 0.7, "model_version": "m"})
        review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN_REDACTED",
                      reasons=["COMMERCIAL_SECRET"], version=_v(s, doc_id))
        with pytest.raises(review.ReviewError, match="must mask something") as exc:
            review.finalize(session=s, document_id=doc_id, actor="com1", decision="OPEN_REDACTED",
                            reasons=["COMMERCIAL_SECRET"], version=_v(s, doc_id))
        assert "至少屏蔽一处" in exc.value.localize("zh")
        i = text.index(price)
        for bad, match in (({"start": i, "end": 999}, "outside the text"), ("x", "start and end"),
                           ({"start": i, "end": i + 3, "text": "别的字"}, "not the selected"),
                           ({"start": i, "end": i + 3, "reason": "NOPE"}, "unknown reason")):
            with pytest.raises(review.ReviewError, match=match):
                review.finalize(session=s, document_id=doc_id, actor="com1", decision="OPEN_REDACTED",
                                reasons=["COMMERCIAL_SECRET"], redact=[bad], version=_v(s, doc_id))
        f = review.finalize(session=s, document_id=doc_id, actor="com1", decision="OPEN_REDACTED",
                            reasons=["COMMERCIAL_SECRET"], version=_v(s, doc_id),
                            redact=[{"start": i, "end": i + len(price), "text": price}])
        assert f.redact == [{"start": i, "end": i + len(price), "text": price}] and f.note == ""


def test_reviewer_free_ranges_join_the_default_masks(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id)
        i = TEXT.index("乳腺癌")
        r = review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN_REDACTED",
                          reasons=["PERSONAL_INFO"], redact=[{"start": i, "end": i + 3, "text": "乳腺癌"}],
                          version=_v(s, doc_id))
        assert {e.get("label") for e in r.redact} == {"ID_NUMBER", "PHONE", None}


def test_a_second_reviewers_decision_names_the_one_it_replaces(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id)
        first = review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN_REDACTED",
                              reasons=["PERSONAL_INFO"], version=_v(s, doc_id))
        review.decide(session=s, document_id=doc_id, actor="rev2", decision="CLOSED", reasons=["PERSONAL_INFO"],
                      closure="CONTROLLED", note="健康信息为主", version=_v(s, doc_id))
        payloads = [json.loads(e.payload) for e in s.exec(select(AuditEvent).where(AuditEvent.action == "decision.review")
                                                           .order_by(AuditEvent.seq))]
        assert payloads[0]["replaces_review"] is None
        assert (payloads[1]["replaces_review"], payloads[1]["replaces_reviewer"]) == (first.id, "rev1")
