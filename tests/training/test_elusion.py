"""Elusion sampling: exact and Wilson intervals, and blind samples stored and audited."""
from __future__ import annotations

import json

import pytest
from sqlmodel import select

from review_app.db import session_scope
from review_app.tables import AuditEvent
from training import elusion


def test_clopper_pearson_matches_reference_values():
    # R: binom.test(3, 100)$conf.int -> 0.006229972 0.085176053
    low, high = elusion.clopper_pearson(3, 100)
    assert low == pytest.approx(0.006229972, abs=1e-8) and high == pytest.approx(0.085176053, abs=1e-8)
    # k = 0: the upper bound is 1 - (alpha/2)^(1/n)
    assert elusion.clopper_pearson(0, 60) == (0.0, pytest.approx(1 - 0.025 ** (1 / 60)))
    assert elusion.clopper_pearson(60, 60)[1] == 1.0


def test_wilson_is_inside_clopper_pearson_and_correct():
    low, high = elusion.wilson(3, 100)
    assert low == pytest.approx(0.010255, abs=1e-5) and high == pytest.approx(0.084519, abs=1e-5)
    cp = elusion.clopper_pearson(3, 100)
    assert cp[0] <= low and high <= cp[1]


def test_estimate_scales_to_the_batch_and_validates():
    est = elusion.estimate(2, 72, 600)
    assert est.rate == pytest.approx(2 / 72)
    point, lo, hi = est.expected_sensitive
    assert point == pytest.approx(600 * 2 / 72) and lo < point < hi
    assert "2 of 72" in est.sentence()
    assert elusion.sample_size_for(0.05) == 72  # zero found in 72 -> upper bound under 5 %
    assert elusion.clopper_pearson(0, elusion.sample_size_for(0.05))[1] < 0.05
    for bad in ((5, 4, 10), (0, 0, 10), (1, 10, 5)):
        with pytest.raises(ValueError):
            elusion.estimate(*bad)
    with pytest.raises(ValueError, match="unknown interval"):
        elusion.estimate(1, 10, 10, method="wald")


def test_sample_drawn_from_open_proposals_judged_blind_and_summarised(engine, add_document, add_proposal):
    with session_scope(engine) as s:
        open_ids = []
        for i in range(6):
            d = add_document(s, "批次甲", f"关于第{i}号农田水利工程的验收报告，工程质量合格。")
            add_proposal(s, d, "OPEN", {"OPEN": 0.9, "OPEN_REDACTED": 0.07, "CLOSED": 0.03})
            open_ids.append(d)
        closed = add_document(s, "批次甲", "机密★10年 关于边境防务部署的通报。")
        add_proposal(s, closed, "CLOSED", {"OPEN": 0.01, "OPEN_REDACTED": 0.04, "CLOSED": 0.95})
        other = add_document(s, "批次乙", "关于植树造林的通知。")
        add_proposal(s, other, "OPEN", {"OPEN": 0.8, "OPEN_REDACTED": 0.1, "CLOSED": 0.1})
        col_id = __import__("review_app.store.documents", fromlist=["x"]).get_collection(session=s, name="批次甲").id

        sample = elusion.draw(session=s, actor="chair", size=4, seed=7, collection_id=col_id)
        assert sample.population_size == 6 and len(sample.document_ids) == 4
        assert set(sample.document_ids) <= set(open_ids)  # never the CLOSED one, never another batch
        again = elusion.draw(session=s, actor="chair", size=4, seed=7, collection_id=col_id)
        assert again.document_ids == sample.document_ids  # the seed reproduces the draw

        first = elusion.summary(session=s, sample_id=sample.id)
        assert first["judged"] == 0 and first["estimate"] is None
        for i, doc_id in enumerate(sample.document_ids):
            elusion.judge(session=s, sample_id=sample.id, document_id=doc_id, username="blind1",
                          sensitive=(i == 0), note="含个人住址" if i == 0 else "")
        with pytest.raises(ValueError, match="already judged"):
            elusion.judge(session=s, sample_id=sample.id, document_id=sample.document_ids[0], username="b2",
                          sensitive=False)
        with pytest.raises(ValueError, match="not in elusion sample"):
            elusion.judge(session=s, sample_id=sample.id, document_id=closed, username="b2", sensitive=True)
        done = elusion.summary(session=s, sample_id=sample.id)
        assert done["complete"] and done["sensitive"] == 1
        assert done["estimate"]["rate"] == pytest.approx(0.25)
        assert done["estimate"]["high"] == pytest.approx(elusion.clopper_pearson(1, 4)[1])
        assert "1 of 4" in done["text"]
        events = s.exec(select(AuditEvent).where(AuditEvent.action.like("elusion.%")).order_by(AuditEvent.seq)).all()
        assert [e.action for e in events] == ["elusion.draw"] * 2 + ["elusion.judge"] * 4
        assert json.loads(events[2].payload)["sensitive"] is True


def test_no_open_proposals_means_no_sample(engine, add_document, add_proposal):
    with session_scope(engine) as s:
        d = add_document(s, "空批次", "绝密 作战方案。")
        add_proposal(s, d, "CLOSED", {"OPEN": 0.0, "OPEN_REDACTED": 0.0, "CLOSED": 1.0})
        with pytest.raises(ValueError, match="nothing to sample"):
            elusion.draw(session=s, actor="chair", size=5)


def test_elusion_cli_draw_judge_status(tmp_path, monkeypatch, add_document, add_proposal):
    from typer.testing import CliRunner

    from kaifang.cli import app
    from review_app.db import make_engine, upgrade

    home = tmp_path / "home"
    home.mkdir()
    monkeypatch.setenv("KAIFANG_HOME", str(home))
    monkeypatch.delenv("KAIFANG_DATABASE_URL", raising=False)
    eng = make_engine(f"sqlite:///{(home / 'kaifang.db').resolve()}")
    upgrade(eng)
    with session_scope(eng) as s:
        for i in range(5):
            d = add_document(s, "第三批", f"关于第{i}期扫盲班结业的报告。")
            add_proposal(s, d, "OPEN", {"OPEN": 0.9, "OPEN_REDACTED": 0.05, "CLOSED": 0.05})
    runner = CliRunner()
    out = runner.invoke(app, ["elusion", "draw", "--collection", "第三批", "--size", "3", "--seed", "1"])
    assert out.exit_code == 0, out.output
    drawn = json.loads(out.stdout)
    assert drawn["population"] == 5 and len(drawn["documents"]) == 3
    for doc in drawn["documents"]:
        out = runner.invoke(app, ["elusion", "judge", str(drawn["sample"]), str(doc), "--not-sensitive",
                                  "--user", "blind1"])
        assert out.exit_code == 0, out.output
    status = json.loads(runner.invoke(app, ["elusion", "status", str(drawn["sample"]), "--method", "wilson"]).stdout)
    assert status["complete"] and status["estimate"]["sensitive"] == 0 and status["estimate"]["method"] == "wilson"
    out = runner.invoke(app, ["elusion", "draw", "--collection", "没有这批"])
    assert out.exit_code == 2 and "unknown collection" in out.output
    eng.dispose()
