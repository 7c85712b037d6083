"""Active-learning scores exist wherever proposals are made: ``kaifang propose`` (and so the demo)
and the end of a retraining job."""
from __future__ import annotations

from sqlmodel import select

from review_app.db import session_scope
from review_app.tables import ActiveScore, AuditEvent


class _Result(dict):
    """A proposal as a dict (what store.review.propose takes) with attribute access (what propose reads)."""

    __getattr__ = dict.__getitem__


class _Detector:
    version = "fake-det"

    def detect_many(self, texts, batch_size=32):
        from models.spans import Span

        return [[Span(0, 2, "PERSON", 0.55, "ner:fake")] if "张" in t else [] for t in texts]


class _Proposer:
    version = "fake-prop"

    def propose_many(self, texts, spans_list, metas):
        out = []
        for spans in spans_list:
            torn = bool(spans)
            probs = {"OPEN": 0.45, "OPEN_REDACTED": 0.47, "CLOSED": 0.08} if torn else \
                {"OPEN": 0.97, "OPEN_REDACTED": 0.02, "CLOSED": 0.01}
            out.append(_Result({"decision": "OPEN_REDACTED" if torn else "OPEN",
                        "reasons": ["PERSONAL_INFO"] if torn else [], "confidence": max(probs.values()),
                        "probabilities": probs, "model_version": "fake", "rulebook_version": "rb",
                        "fired_rules": [], "evidence": []}))
        return out


def test_propose_scores_what_it_proposed_and_what_lacked_a_score(engine, add_document, add_proposal):
    from kaifang.cli.propose import run_propose

    with session_scope(engine) as s:
        sure = add_document(s, "批次", "关于召开全县农业工作会议的通知。")
        torn = add_document(s, "批次", "张伟同志因病住院，联系电话13905912345。")
        old = add_document(s, "批次", "关于某工程的通报。")
        add_proposal(s, old, "CLOSED", {"OPEN": 0.05, "OPEN_REDACTED": 0.1, "CLOSED": 0.85})  # proposed before scores
    counts = run_propose(eng=engine, collection="批次", detector=_Detector(), proposer=_Proposer(), actor="tester")
    assert counts["proposed"] == 2 and counts["scored"] == 3
    with session_scope(engine) as s:
        rows = {r.document_id: r for r in s.exec(select(ActiveScore))}
        assert set(rows) == {sure, torn, old}
        assert rows[torn].uncertainty > rows[sure].uncertainty and rows[old].risk > rows[sure].risk
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "active.rescore")).one()
        assert ev.actor == "tester"
    again = run_propose(eng=engine, collection="批次", detector=_Detector(), proposer=_Proposer(), actor="tester")
    assert again["proposed"] == 0 and again["scored"] == 0  # idempotent


def test_a_training_run_rescores_the_queue(engine, add_document, add_proposal):
    from training import jobs

    with session_scope(engine) as s:
        d = add_document(s, "批次", "张伟同志因病住院。")
        add_proposal(s, d, "OPEN", {"OPEN": 0.6, "OPEN_REDACTED": 0.3, "CLOSED": 0.1})
    seen = []
    msg = jobs._rescore(engine, "admin1", lambda f, m: seen.append(m))
    assert msg == "; rescored 1 documents" and "rescoring" in seen[0]
    with session_scope(engine) as s:
        assert s.get(ActiveScore, d) is not None


def test_rescoring_failure_does_not_fail_the_run(engine, monkeypatch):
    from training import active, jobs

    def boom(*a, **k):
        raise RuntimeError("disk full")

    monkeypatch.setattr(active, "refresh_scores", boom)
    msg = jobs._rescore(engine, "admin1", lambda f, m: None)
    assert "rescoring the queue failed (RuntimeError: disk full)" in msg
