"""A small run of benchmarks/rules_bench.py as a regression test: every rule label keeps exact
F1 >= 0.99 on hard cases and, when helper C's generator is present, on held-out synthetic templates."""
import importlib.util
from pathlib import Path

import pytest

from models.analyzer import build_rule_analyzer
from models.evaluation import RulesOnlyDetector, evaluate_records

BENCH = Path(__file__).resolve().parents[2] / "benchmarks" / "rules_bench.py"


@pytest.fixture(scope="module")
def bench():
    spec = importlib.util.spec_from_file_location("rules_bench", BENCH)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def detector():
    return RulesOnlyDetector(build_rule_analyzer())


def check(bench, records, detector):
    for r in records:  # the generator's gold offsets are consistent with its text
        for s in r["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(r["text"])
    result = evaluate_records(records, detector)
    for label, e in bench.per_label(result).items():
        assert e["support"], f"no {label} in the sample"
        assert e["f1"] >= 0.99, (label, e, bench.show_errors(records, detector, 10))


def test_hard_cases(bench, detector):
    check(bench, bench.hard_cases(150, seed=11), detector)


def test_held_out_synthetic_templates(bench, detector):
    synth = bench.synth_test(300, seed=12)
    if synth is None:
        pytest.skip("training.synth not available")
    check(bench, bench.restrict(synth), detector)


def test_hard_case_decoys_alone_give_no_spans(bench, detector):
    import random

    rng = random.Random(3)
    texts = [make(rng) for make in bench.DECOYS for _ in range(20)]
    hits = [(t, detector.detect(t)) for t in texts]
    assert [h for h in hits if h[1]] == []


def test_published_false_alarms_count_per_file_and_never_open_reserved_files(bench, tmp_path):
    import json

    news = tmp_path / "xwlb_cctv_news_transcripts"
    news.mkdir()
    rows = [{"id": "1", "title": "国内联播快讯", "text": "全年依法刑事拘留250人。警方逮捕了至少6人。"},
            {"id": "2", "title": "先进事迹", "text": "王建国1979年被逮捕，1983年刑满释放。"}]
    (news / "xwlb_2023.jsonl").write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
                                          encoding="utf-8")
    reserved = news / "xwlb_2025.jsonl"
    reserved.write_text("not json at all\n", encoding="utf-8")  # would fail if it were read
    report = bench.published_false_alarms(build_rule_analyzer(), tmp_path, examples=10)
    f = report["files"]["xwlb_cctv_news_transcripts/xwlb_2023.jsonl"]
    assert f["documents"] == 2 and f["counts"]["LEGAL_RECORD"] == 2  # 逮捕, 刑满释放 of a named man
    assert f["per_10k"]["LEGAL_RECORD"] == round(2 * 1e4 / f["characters"], 3)
    assert report["files"]["lawrefbook_cn_laws/laws_national.jsonl"] == {
        "missing": str(tmp_path / "lawrefbook_cn_laws/laws_national.jsonl")}
    assert {e["text"] for e in report["examples"]} == {"逮捕", "刑满释放"}
    with pytest.raises(ValueError, match="reserved"):
        bench.published_texts(reserved)
