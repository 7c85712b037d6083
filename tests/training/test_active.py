"""Active learning: the signals, the stored scores and the queue's ``active`` order."""
from __future__ import annotations

import pytest
from sqlmodel import select

from models.spans import Span
from review_app.db import session_scope
from review_app.tables import ActiveScore, AuditEvent
from training import active


def test_entropy_margin_orders_sure_before_torn():
    assert active.entropy_margin({"OPEN": 1 / 3, "OPEN_REDACTED": 1 / 3, "CLOSED": 1 / 3}) == pytest.approx(1.0)
    sure = active.entropy_margin({"OPEN": 0.98, "OPEN_REDACTED": 0.01, "CLOSED": 0.01})
    torn = active.entropy_margin({"OPEN": 0.49, "OPEN_REDACTED": 0.48, "CLOSED": 0.03})
    assert sure < 0.15 < 0.6 < torn <= 1.0
    assert active.entropy_margin({}) == 1.0


def test_span_doubt_and_disagreement():
    assert active.span_doubt([]) == 0.0
    assert active.span_doubt([0.5]) == pytest.approx(1.0) and active.span_doubt([1.0, 0.0]) == 0.0
    probs = {"OPEN": 0.7, "OPEN_REDACTED": 0.2, "CLOSED": 0.1}
    # the policy closed what the model would open: full disagreement on the decision
    assert active.disagreement("CLOSED", probs, []) == 1.0
    assert active.disagreement("OPEN", probs, []) == 0.0
    # a weak neural span where rules are silent raises it
    spans = [("PERSON", "ner:2026-11-24-a", 0.4), ("ID_NUMBER", "cn_resident_id.v1", 1.0)]
    assert active.disagreement("OPEN", probs, spans) == pytest.approx(0.5)


def test_novelty_is_distance_to_the_nearest_reference():
    idx = active.NoveltyIndex(["关于召开全县农业工作会议的通知", "关于春耕生产物资供应的报告"])
    nov = idx.novelty(["关于召开全县农业工作会议的通知", "某某同志因病住院治疗，诊断为肺结核。"])
    assert nov[0] == pytest.approx(0.0, abs=1e-9) and nov[1] > 0.7
    assert list(active.NoveltyIndex([]).novelty(["任何文本"])) == [1.0]


def test_scores_stored_and_queue_orders_most_informative_first(engine, add_document, add_proposal):
    from review_app.queue import ORDERS, QueueFilters, queue_page

    with session_scope(engine) as s:
        sure = add_document(s, "批次", "关于召开全县农业工作会议的通知。会议定于三月五日召开。")
        add_proposal(s, sure, "OPEN", {"OPEN": 0.97, "OPEN_REDACTED": 0.02, "CLOSED": 0.01})
        torn = add_document(s, "批次", "张伟同志因病住院，其家属王芳联系电话13905912345。")
        add_proposal(s, torn, "OPEN_REDACTED", {"OPEN": 0.45, "OPEN_REDACTED": 0.47, "CLOSED": 0.08},
                     spans=[Span(0, 2, "PERSON", 0.55, "ner:test"), Span(15, 17, "PERSON", 0.5, "ner:test")])
        risky = add_document(s, "批次", "机密 关于某工程的通报。")
        add_proposal(s, risky, "CLOSED", {"OPEN": 0.05, "OPEN_REDACTED": 0.1, "CLOSED": 0.85})
        scores = {x.document_id: x for x in active.score_documents(s, [sure, torn, risky])}
        assert scores[torn].uncertainty > scores[risky].uncertainty > scores[sure].uncertainty
        assert scores[risky].risk > scores[sure].risk
        assert active.order_documents(s, [sure, torn, risky])[0] == torn
        assert active.order_documents(s, [sure, torn, risky])[-1] == sure

        assert active.refresh_scores(s, actor="trainer", reason="test") == 3
        rows = {r.document_id: r for r in s.exec(select(ActiveScore))}
        assert rows[torn].priority == pytest.approx(scores[torn].priority)
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "active.rescore")).one().actor == "trainer"
        active.register_queue_order()
        assert "active" in ORDERS
        page = queue_page(session=s, filters=QueueFilters(), order="active")
        assert [r["id"] for r in page.rows] == active.order_documents(s, [sure, torn, risky])
