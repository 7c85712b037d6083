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
