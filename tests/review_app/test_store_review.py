"""The review write path on SQLite and PostgreSQL: spans, undo, two-stage decisions, audit events."""
from __future__ import annotations

import json
from datetime import date, timedelta

import pytest
from sqlmodel import Session, select

from review_app import audit
from review_app.store import review, users
from review_app.tables import AuditEvent, Document, Proposal, SpanRecord

from review_fixtures import TEXT, make_document, scan_and_propose


def _events(s: Session, action: str | None = None) -> list[AuditEvent]:
    q = select(AuditEvent).order_by(AuditEvent.seq)
    if action:
        q = q.where(AuditEvent.action == action)
    return list(s.exec(q))


def _version(s: Session, doc_id: int) -> int:
    s.expire_all()
    return s.get(Document, doc_id).version


def test_detection_and_proposal_are_stored_with_audit(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        rows, prop = scan_and_propose(s, doc_id)
        assert [r.text for r in rows] == ["林碧军", "350102198703154511", "13905912345", "机密★10年"]
        assert prop.is_current and prop.model_version == "test-model-1"
        assert 0 < prop.risk <= 1 and 0 < prop.uncertainty <= 1
        ev = _events(s, "propose")[0]
        payload = json.loads(ev.payload)
        assert payload["model_version"] == "test-model-1" and payload["confidence_bp"] == 8000
        assert "林碧军" not in ev.payload  # no document text in the log
        # re-running detection changes nothing (idempotent)
        again = review.record_detection(session=s, document_id=doc_id, spans=[], model_version="x")
        assert len(again) == 4 and len(_events(s, "detect")) == 1
        # a newer proposal replaces the current one
        review.propose(session=s, document_id=doc_id, result={"decision": "OPEN", "confidence": 0.9,
                                                              "model_version": "m2"})
        cur = s.exec(select(Proposal).where(Proposal.is_current == True)).all()  # noqa: E712
        assert [p.model_version for p in cur] == ["m2"]
        assert s.get(Document, doc_id).status == "proposed"
        assert audit.verify(session=s) is None


def test_span_changes_undo_and_stale_version(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        rows, _ = scan_and_propose(s, doc_id)
        v = _version(s, doc_id)
        review.accept_span(session=s, span_id=rows[0].id, actor="rev1", version=v)
        review.reject_span(session=s, span_id=rows[2].id, actor="rev1", version=v + 1)
        new = review.relabel_span(session=s, span_id=rows[3].id, label="ORG", actor="rev1", version=v + 2)
        assert new.status == "corrected" and new.replaces_id == rows[3].id
        start = TEXT.index("福州市鼓楼区杨桥路")
        end = TEXT.index("。经查")
        added = review.add_span(session=s, document_id=doc_id, start=start, end=end, label="ADDRESS",
                                actor="rev1", version=v + 3, expect_text="福州市鼓楼区杨桥路18号3栋502室")
        assert added.text == "福州市鼓楼区杨桥路18号3栋502室"
        # a stale version (someone saved in between) is refused with a clear message
        with pytest.raises(review.ConflictError, match="changed by rev1 since you opened it"):
            review.accept_span(session=s, span_id=rows[1].id, actor="rev2", version=v)
        # overlapping spans are refused
        with pytest.raises(review.ReviewError, match="overlaps"):
            review.add_span(session=s, document_id=doc_id, start=start + 1, end=end + 2, label="ADDRESS",
                            actor="rev1", version=_version(s, doc_id))
        # wrong selected text is refused
        with pytest.raises(review.ReviewError, match="not the selected"):
            review.add_span(session=s, document_id=doc_id, start=0, end=3, label="ORG", actor="rev1",
                            version=_version(s, doc_id), expect_text="鼓楼区")
        # undo, newest first: add, relabel, reject
        review.undo(session=s, document_id=doc_id, actor="rev1", version=_version(s, doc_id))
        s.expire_all()
        assert s.get(SpanRecord, added.id).status == "withdrawn"
        review.undo(session=s, document_id=doc_id, actor="rev1", version=_version(s, doc_id))
        s.expire_all()
        assert s.get(SpanRecord, new.id).status == "withdrawn"
        assert s.get(SpanRecord, rows[3].id).status == "proposed"
        review.undo(session=s, document_id=doc_id, actor="rev1", version=_version(s, doc_id))
        s.expire_all()
        assert s.get(SpanRecord, rows[2].id).status == "proposed"
        assert s.get(SpanRecord, rows[0].id).status == "accepted"
        with pytest.raises(review.ReviewError, match="nothing of yours"):
            review.undo(session=s, document_id=doc_id, actor="rev2", version=_version(s, doc_id))
        actions = [e.action for e in _events(s)]
        assert actions.count("span.undo") == 3 and "span.add" in actions and "span.relabel" in actions
        assert audit.verify(session=s) is None


def test_resize_span(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        rows, _ = scan_and_propose(s, doc_id)
        i = TEXT.index("联系电话13905912345")
        new = review.resize_span(session=s, span_id=rows[2].id, start=i + 5, end=i + 15, actor="rev1",
                                 version=_version(s, doc_id))
        assert new.text == "3905912345" and new.label == "PHONE" and new.replaces_id == rows[2].id
        with pytest.raises(review.ReviewError, match="0 <= start < end"):
            review.resize_span(session=s, span_id=new.id, start=5, end=5000, actor="rev1",
                               version=_version(s, doc_id))


def test_two_stage_decision_with_disagreement(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id, decision="OPEN_REDACTED")
        with pytest.raises(review.ReviewError, match="no pending reviewer decision"):
            review.finalize(session=s, document_id=doc_id, actor="com1", decision="OPEN", version=_version(s, doc_id))
        with pytest.raises(review.ReviewError, match="needs at least one reason"):
            review.decide(session=s, document_id=doc_id, actor="rev1", decision="CLOSED", closure="CONTROLLED",
                          version=_version(s, doc_id))
        with pytest.raises(review.ReviewError, match="review_after"):
            review.decide(session=s, document_id=doc_id, actor="rev1", decision="CLOSED", closure="DEFERRED",
                          reasons=["PERSONAL_INFO"], version=_version(s, doc_id))
        r = review.decide(session=s, document_id=doc_id, actor="rev1", decision="CLOSED", closure="CONTROLLED",
                          reasons=["PERSONAL_INFO"], note="健康信息", version=_version(s, doc_id))
        assert r.disagrees  # reviewer vs the OPEN_REDACTED proposal
        with pytest.raises(review.ReviewError, match="someone other than the reviewer"):
            review.finalize(session=s, document_id=doc_id, actor="rev1", decision="CLOSED", closure="CONTROLLED",
                            reasons=["PERSONAL_INFO"], note="x", version=_version(s, doc_id))
        # differing from the reviewer needs a note, also where only the kind of closure differs
        with pytest.raises(review.ReviewError, match="needs a note") as exc:
            review.finalize(session=s, document_id=doc_id, actor="com1", decision="CLOSED", closure="DEFERRED",
                            reasons=["PERSONAL_INFO"], review_after=date.today() + timedelta(days=400),
                            version=_version(s, doc_id))
        assert "closed (controlled use)" in str(exc.value) and "控制使用" in exc.value.localize("zh")
        # agreeing with the reviewer needs none, though the reviewer departed from the proposal
        f = review.finalize(session=s, document_id=doc_id, actor="com1", decision="CLOSED", closure="CONTROLLED",
                            reasons=["PERSONAL_INFO"], version=_version(s, doc_id))
        assert f.stage == "committee" and f.disagrees and f.note == ""
        assert s.get(Document, doc_id).status == "final"
        with pytest.raises(review.ReviewError, match="final decision"):
            review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN", version=_version(s, doc_id))
        final = json.loads(_events(s, "decision.final")[0].payload)
        assert final["reviewer"] == "rev1" and final["disagrees"] is True and final["differs_from_reviewer"] is False
        assert audit.verify(session=s) is None


def test_agreeing_decisions_need_no_note_and_redactions_default_to_the_reasons_labels(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id, decision="OPEN_REDACTED")
        r = review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN_REDACTED",
                          reasons=["PERSONAL_INFO"], version=_version(s, doc_id))
        assert not r.disagrees
        # personal information masks the PI labels; names are never masked (GUIDELINES rule 2)
        assert {d["label"] for d in r.redact} == {"ID_NUMBER", "PHONE"}
        f = review.finalize(session=s, document_id=doc_id, actor="com1", decision="OPEN_REDACTED",
                            reasons=["PERSONAL_INFO"], version=_version(s, doc_id))
        assert not f.disagrees


def test_deferred_closure_comes_back_when_due(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id, decision="CLOSED")
        later = date.today() + timedelta(days=30)
        review.decide(session=s, document_id=doc_id, actor="rev1", decision="CLOSED", closure="DEFERRED",
                      reasons=["STATE_SECRET"], review_after=later, note="十年后复审", version=_version(s, doc_id))
        review.finalize(session=s, document_id=doc_id, actor="com1", decision="CLOSED", closure="DEFERRED",
                        reasons=["STATE_SECRET"], review_after=later.isoformat(), note="同意",
                        version=_version(s, doc_id))
        doc = s.get(Document, doc_id)
        assert doc.status == "final" and doc.review_after == later
        with pytest.raises(review.FrozenError, match="deferred closure is due"):
            review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN", version=_version(s, doc_id))
        # the date arrives: the document may be reviewed again
        doc.review_after = date.today()
        s.add(doc)
        s.commit()
        r = review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN", version=_version(s, doc_id))
        assert r.stage == "reviewer" and s.get(Document, doc_id).status == "reviewed"


def test_users_and_logins_are_audited(engine):
    with Session(engine, expire_on_commit=False) as s:
        first = users.ensure_first_admin(session=s)
        assert first is not None and first[0] == "admin"
        assert users.ensure_first_admin(session=s) is None
        users.create_user(session=s, username="林审核", password="correct horse", role="reviewer", actor="admin")
        with pytest.raises(users.UserError, match="already exists"):
            users.create_user(session=s, username="林审核", password="correct horse", role="reviewer", actor="admin")
        with pytest.raises(users.UserError, match="unknown role"):
            users.create_user(session=s, username="x1", password="correct horse", role="boss", actor="admin")
        with pytest.raises(users.UserError, match="at least 8"):
            users.create_user(session=s, username="x2", password="short", role="auditor", actor="admin")
        assert users.authenticate(session=s, username="林审核", password="correct horse").role == "reviewer"
        assert users.authenticate(session=s, username="林审核", password="wrong") is None
        assert users.authenticate(session=s, username=first[0], password=first[1]) is not None
        u = users.get_user(session=s, username="林审核")
        assert u.password_hash.startswith("$argon2") and "correct horse" not in u.password_hash
        users.set_active(session=s, username="林审核", active=False, actor="admin")
        assert users.authenticate(session=s, username="林审核", password="correct horse") is None
        actions = [e.action for e in _events(s)]
        assert actions.count("login") == 2 and actions.count("login.failed") == 2
        assert all("correct horse" not in e.payload for e in _events(s))


def test_queue_pages_proposed_by_risk_then_unproposed(engine):
    from review_app.queue import QueueFilters, queue_page

    with Session(engine, expire_on_commit=False) as s:
        ids = make_document(s, n=5)
        for i, conf in zip(ids[:3], (0.9, 0.5, 0.7)):  # risk = 1 - P(OPEN) = 1 - (1-conf)/2
            scan_and_propose(s, i, confidence=conf)
        pages = [queue_page(session=s, filters=QueueFilters(), order="risk", page=p, per_page=2) for p in (1, 2, 3)]
        assert [[r["id"] for r in p.rows] for p in pages] == [[ids[0], ids[2]], [ids[1], ids[3]], [ids[4]]]
        assert [p.has_more for p in pages] == [True, True, False]
        assert pages[1].rows[1]["decision"] is None
        only = queue_page(session=s, filters=QueueFilters(decision="OPEN_REDACTED", stage="all"), per_page=10)
        assert [r["id"] for r in only.rows] == [ids[0], ids[2], ids[1]]
        review.decide(session=s, document_id=ids[4], actor="rev1", decision="OPEN", version=_version(s, ids[4]))
        com = queue_page(session=s, filters=QueueFilters(stage="committee"))
        assert [r["id"] for r in com.rows] == [ids[4]]  # reviewed without a proposal still reaches the committee


def test_password_guessing_is_throttled_per_account(engine):
    """After max_failures wrong passwords within the window the account is refused unchecked
    (even with the right password), audited as login.throttled; a good sign-in earlier does not
    count the failures before it; other accounts are unaffected."""
    with Session(engine, expire_on_commit=False) as s:
        users.create_user(session=s, username="林审核", password="correct horse", role="reviewer", actor="admin")
        users.create_user(session=s, username="陈委员", password="battery staple", role="committee", actor="admin")
        kw = dict(session=s, max_failures=3, window_minutes=15)
        assert users.authenticate(username="林审核", password="wrong", **kw) is None
        assert users.authenticate(username="林审核", password="correct horse", **kw) is not None  # resets
        for _ in range(3):
            assert users.authenticate(username="林审核", password="wrong", **kw) is None
        with pytest.raises(users.LoginThrottled) as exc:
            users.authenticate(username="林审核", password="correct horse", **kw)
        assert 0 < exc.value.retry_after <= 15 * 60
        assert users.authenticate(username="陈委员", password="battery staple", **kw) is not None
        assert users.throttle_attempts(session=s, username="林审核") == 3
        assert users.throttle_attempts(session=s, username="陈委员") == 0  # a good sign-in gives them back
        assert len(_events(s, "login.throttled")) == 1
        assert users.authenticate(username="林审核", password="correct horse", session=s, max_failures=0) is not None
        assert audit.verify(session=s) is None
