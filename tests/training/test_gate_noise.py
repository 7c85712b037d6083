"""The gate's count-aware noise bound (training.gate.allowed_drop / decide with noise_z).

The figures are those of the learning benchmark's first Weibo run (`--quick`, now benchmarks/results/learning_quick.json,
before this bound): Resume's dev sample has 38 sensitive gold spans, so one span lost is 2.6 points
of sensitive recall, which the fixed 1-point tolerance called "worse beyond noise".
"""
from __future__ import annotations

import math

import pytest

from training.gate import allowed_drop, binomial_se, decide
from training.retrain import PromotionGate, RetrainConfig

TOL = PromotionGate().tolerances()
Z = PromotionGate().noise_z


def _resume(recall: float, person: float = 0.846154) -> dict:
    return {"documents": 200, "span_f1": 0.855172, "person_f1": person, "sensitive_recall": recall,
            "n": {"span_f1": 300, "person_f1": 38, "sensitive_recall": 38}}


def _genre(f1: float) -> dict:
    return {"documents": 38, "span_f1": f1, "sensitive_recall": f1, "n": {"span_f1": 60, "sensitive_recall": 38}}


def _devset(leak: float) -> dict:
    return {"documents": 30, "span_f1": 0.68, "decision_macro_f1": 0.21, "sensitive_recall": 0.81, "leak_rate": leak,
            "n": {"span_f1": 352, "decision_macro_f1": 30, "sensitive_recall": 352, "leak_rate": 20}}


def test_shipped_gate_uses_two_standard_errors():
    cfg = RetrainConfig.load()
    assert cfg.gate.noise_z == 2.0 and cfg.gate.max_leak_rate_increase == 0.0


def test_binomial_bound():
    # add-one estimate: (0.8684 * 38 + 1) / 40
    q = (33 + 1) / 40
    assert binomial_se(33 / 38, 38) == pytest.approx(math.sqrt(q * (1 - q) / 38))
    assert allowed_drop(33 / 38, 38, 0.01, 2.0) == pytest.approx(2 * math.sqrt(q * (1 - q) / 38))
    assert allowed_drop(33 / 38, 38, 0.01, 2.0) > 1 / 38          # one span is within noise
    assert allowed_drop(1.0, 38, 0.01, 2.0) > 1 / 38               # even from a perfect figure
    assert allowed_drop(0.5, 100_000, 0.01, 2.0) == 0.01           # a large set: the tolerance is the floor
    assert allowed_drop(0.5, None, 0.01, 2.0) == 0.01              # n unknown: the tolerance
    assert allowed_drop(0.5, 38, 0.0, 2.0, widen=False) == 0.0      # strict figures are never widened
    assert allowed_drop(0.5, 38, 0.01, 0.0) == 0.01                 # noise_z = 0: the tolerance alone


def test_one_span_lost_on_38_is_within_noise_and_promotes():
    cand = {"confirmed:weibo": _genre(0.2037), "resume_dev": _resume(32 / 38, person=0.831169)}
    cur = {"confirmed:weibo": _genre(0.1754), "resume_dev": _resume(33 / 38)}
    res = decide(cand, cur, genre_names=["confirmed:weibo"], tolerances=TOL, min_gain=0.0, noise_z=Z)
    assert res.promote, res.reasons
    rec = res.noise["resume_dev"]["sensitive_recall"]
    assert rec["n"] == 38 and rec["allowed_drop"] > rec["drop"] == pytest.approx(1 / 38, abs=1e-4)
    assert any("no frozen set worse beyond noise" in r and "resume_dev sensitive_recall" in r for r in res.reasons)
    # the old rule (fixed tolerance) refused exactly this candidate
    old = decide(cand, cur, genre_names=["confirmed:weibo"], tolerances=TOL, min_gain=0.0, noise_z=0.0)
    assert not old.promote and any("resume_dev: sensitive_recall worse beyond noise" in r for r in old.reasons)


def test_large_drop_is_refused_and_the_bound_is_reported():
    # wrong reviews: PERSON recall collapses on Weibo dev (0.35 -> 0.14 on 43 sensitive spans)
    weibo = lambda r, p: {"documents": 200, "span_f1": 0.28, "person_f1": p, "sensitive_recall": r,
                          "n": {"span_f1": 180, "person_f1": 43, "sensitive_recall": 43}}
    cand = {"confirmed:weibo": _genre(0.30), "weibo_dev": weibo(6 / 43, 0.05)}
    cur = {"confirmed:weibo": _genre(0.1754), "weibo_dev": weibo(15 / 43, 0.207)}
    res = decide(cand, cur, genre_names=["confirmed:weibo"], tolerances=TOL, min_gain=0.0, noise_z=Z)
    assert not res.promote
    msg = next(r for r in res.reasons if r.startswith("weibo_dev: sensitive_recall worse beyond noise"))
    assert "on 43 sensitive gold spans" in msg and "max(0.01, 2 SE, binomial)" in msg
    assert any(r.startswith("weibo_dev: person_f1 worse beyond noise") for r in res.reasons)
    # a drop of several points on a large set is beyond noise too
    big = {"confirmed:weibo": _genre(0.30), "devset": {**_devset(0.0), "sensitive_recall": 0.75}}
    res = decide(big, {"confirmed:weibo": _genre(0.17), "devset": _devset(0.0)}, genre_names=["confirmed:weibo"],
                 tolerances=TOL, min_gain=0.0, noise_z=Z)
    assert not res.promote and any(r.startswith("devset: sensitive_recall worse beyond noise") for r in res.reasons)


def test_leak_rise_is_refused_whatever_the_set_size():
    # one restricted document of 20 proposed OPEN: well within 2 SE, but the leak rate is strict
    cand = {"confirmed:weibo": _genre(0.30), "devset": _devset(0.05)}
    cur = {"confirmed:weibo": _genre(0.17), "devset": _devset(0.0)}
    res = decide(cand, cur, genre_names=["confirmed:weibo"], tolerances=TOL, min_gain=0.0, noise_z=Z)
    assert not res.promote
    msg = next(r for r in res.reasons if r.startswith("devset: leak_rate worse beyond noise"))
    assert "strict" in msg
    assert res.noise["devset"]["leak_rate"]["allowed_drop"] == 0.0


def test_learned_genre_must_still_improve():
    cand = {"confirmed:weibo": _genre(0.15), "resume_dev": _resume(33 / 38)}
    cur = {"confirmed:weibo": _genre(0.1754), "resume_dev": _resume(33 / 38)}
    res = decide(cand, cur, genre_names=["confirmed:weibo"], tolerances=TOL, min_gain=0.0, noise_z=Z)
    assert not res.promote and any("not better on the learned genre" in r for r in res.reasons)


# ---------------------------------------------------------------- the paired bootstrap (per-document counts)


def _sens_docs(hits: int, total: int) -> list[list[int]]:
    """One sensitive gold span per document, the first ``hits`` of them found."""
    return [[1 if i < hits else 0, 1] for i in range(total)]


def test_paired_one_span_lost_on_38_is_within_noise():
    cur = {**_resume(33 / 38), "per_doc": {"sens": _sens_docs(33, 38)}}
    cand = {**_resume(32 / 38), "per_doc": {"sens": _sens_docs(32, 38)}}
    res = decide({"confirmed:weibo": _genre(0.2037), "resume_dev": cand},
                 {"confirmed:weibo": _genre(0.1754), "resume_dev": cur},
                 genre_names=["confirmed:weibo"], tolerances=TOL, min_gain=0.0, noise_z=Z)
    assert res.promote, res.reasons
    fig = res.noise["resume_dev"]["sensitive_recall"]
    assert fig["method"] == "paired bootstrap" and fig["allowed_drop"] > 1 / 38
    assert fig["se"] == pytest.approx(1 / 38, rel=0.25)  # one discordant span of 38


def test_paired_systematic_drop_is_refused_where_the_binomial_bound_allows_it():
    # 100 documents, one gold span each: the current model finds 50; the candidate loses 7 of them
    cur_docs = [[1, 0, 0] if i < 50 else [0, 1, 1] for i in range(100)]
    cand_docs = [[1, 0, 0] if i < 43 else [0, 1, 1] for i in range(100)]
    f1 = lambda docs: 2 * sum(d[0] for d in docs) / sum(2 * d[0] + d[1] + d[2] for d in docs)
    base = {"documents": 100, "n": {"span_f1": 100}}
    cur, cand = {**base, "span_f1": f1(cur_docs)}, {**base, "span_f1": f1(cand_docs)}
    assert cur["span_f1"] - cand["span_f1"] == pytest.approx(0.07)
    genre = ({"confirmed:weibo": _genre(0.30)}, {"confirmed:weibo": _genre(0.17)})
    unpaired = decide({**genre[0], "weibo_dev": cand}, {**genre[1], "weibo_dev": cur}, genre_names=["confirmed:weibo"],
                      tolerances=TOL, min_gain=0.0, noise_z=Z)
    assert unpaired.promote  # 2 binomial SE of 0.5 on 100 spans = 0.1
    paired = decide({**genre[0], "weibo_dev": {**cand, "per_doc": {"span": cand_docs}}},
                    {**genre[1], "weibo_dev": {**cur, "per_doc": {"span": cur_docs}}},
                    genre_names=["confirmed:weibo"], tolerances=TOL, min_gain=0.0, noise_z=Z)
    assert not paired.promote
    msg = next(r for r in paired.reasons if r.startswith("weibo_dev: span_f1 worse beyond noise"))
    assert "paired bootstrap" in msg


def test_per_document_counts_match_the_set_figures():
    from training.gate import per_document_counts

    recs = [{"id": "a", "text": "张三和李四在北京", "spans": [[0, 2, "PERSON"], [3, 5, "PERSON"], [6, 8, "LOC"]]},
            {"id": "b", "text": "王五去了上海", "spans": [[0, 2, "PERSON"], [4, 6, "LOC"]]}]
    pred = [[{"start": 0, "end": 2, "label": "PERSON"}, {"start": 6, "end": 8, "label": "ORG"}],
            [{"start": 0, "end": 3, "label": "PERSON"}]]
    got = per_document_counts(recs, pred, ["PERSON", "ORG", "LOC"])
    assert got["span"] == [[1, 1, 2], [0, 1, 2]]
    assert got["person"] == [[1, 0, 1], [0, 1, 1]]
    assert got["sens"] == [[1, 2], [1, 1]]
