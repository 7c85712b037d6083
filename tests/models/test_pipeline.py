"""The spaCy detection pipeline: rules + neural, one merge policy, one directory."""
from __future__ import annotations

import json

import pytest

from models.artifacts import make_manifest, write_manifest
from models.pipeline import Detector, merge_spans, save_pipeline
from models.spans import Span
from ner_fixtures import make_records
from training.ner.train import TrainConfig, train_tagger


class FakeRules:
    """Stands in for models.analyzer.RuleAnalyzer: every 11-digit run starting with 1 is a PHONE."""

    labels = frozenset({"PHONE"})

    def find(self, text: str) -> list[Span]:
        import re

        return [Span(m.start(), m.end(), "PHONE", 0.99, "fake_phone.v1", "test")
                for m in re.finditer(r"(?<![0-9])1[0-9]{10}(?![0-9])", text)]


@pytest.fixture(scope="module")
def tagger_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("tagger")
    cfg = TrainConfig.tiny()
    cfg.epochs = 10
    train_tagger(make_records(64, seed=1), [], out, seed=0, config=cfg, progress=False)
    return out


def _tuples(spans):
    return [(s.start, s.end, s.label) for s in spans]


def test_merge_policy_rules_own_their_characters():
    text = "住福州市杨桥路18号，13905912345。"
    address = Span(1, 22, "ADDRESS", 0.8, "ner:x")  # ran into the phone number
    phone = Span(11, 22, "PHONE", 0.99, "cn_phone.v1")
    merged = merge_spans(text, [phone], [address])
    assert _tuples(merged) == [(1, 10, "ADDRESS"), (11, 22, "PHONE")]
    assert text[1:10] == "福州市杨桥路18号"
    assert "clipped" in merged[0].explanation
    # a neural span entirely inside a rule span disappears
    assert _tuples(merge_spans(text, [phone], [Span(14, 18, "PERSON", 0.9, "ner:x")])) == \
        [(11, 22, "PHONE")]
    # neural against neural: the longer wins
    a, b = Span(1, 4, "LOC", 0.9, "ner:x"), Span(1, 10, "ADDRESS", 0.6, "ner:x")
    assert _tuples(merge_spans(text, [], [a, b])) == [(1, 10, "ADDRESS")]


def test_detector_merges_rules_and_neural_without_overlap(tagger_dir):
    det = Detector.from_parts(tagger_dir=tagger_dir, rule_analyzer=FakeRules(), version="v-test")
    text = "𠮷经福州市档案局研究，同意林碧军调入。林碧军电话13905912345。"
    spans = det.detect(text)
    assert (text.index("139"), text.index("139") + 11, "PHONE") in _tuples(spans)
    for a, b in zip(spans, spans[1:]):
        assert a.end <= b.start
    assert {s.source for s in spans} <= {"fake_phone.v1", "ner:v-test"}
    doc = next(iter(det.docs([text])))
    assert [(s.start_char, s.end_char, s.label_) for s in doc.spans["sc"]] == _tuples(spans)
    assert len(doc) == len(text)  # one token per code point
    assert [s.id_ for s in doc.spans["sc"]] == [s.source for s in spans]
    assert "rules" in doc.spans and "neural" in doc.spans


def test_detect_many_equals_detect(tagger_dir):
    det = Detector.from_parts(tagger_dir=tagger_dir, rule_analyzer=FakeRules())
    texts = [r["text"] for r in make_records(20, seed=3)] + ["", "电话13905912345"]
    assert det.detect_many(texts, batch_size=4) == [det.detect(t) for t in texts]


def test_pipeline_directory_round_trip(tagger_dir, tmp_path):
    version_dir = tmp_path / "2026-11-24-a"
    save_pipeline(version_dir / "ner", tagger_dir=tagger_dir, version="2026-11-24-a")
    write_manifest(version_dir, make_manifest(version="2026-11-24-a", components={
        "ner": {"path": "ner"}}))
    spec = json.loads((version_dir / "ner" / "pipeline.json").read_text(encoding="utf-8"))
    assert spec["tagger_dir"] == "tagger" and spec["lang"] == "zh"
    a = Detector.load(version_dir, rule_analyzer=FakeRules())
    b = Detector.from_parts(tagger_dir=tagger_dir, rule_analyzer=FakeRules(),
                            version="2026-11-24-a")
    assert a.version == "2026-11-24-a"
    texts = [r["text"] for r in make_records(10, seed=4)]
    assert a.detect_many(texts) == b.detect_many(texts)
    # the pipeline directory alone loads too
    c = Detector.load(version_dir / "ner", rule_analyzer=FakeRules())
    assert c.detect_many(texts) == a.detect_many(texts)


def test_real_rule_analyzer_runs_inside_the_pipeline(tagger_dir):
    pytest.importorskip("models.analyzer")
    det = Detector.from_parts(tagger_dir=tagger_dir)
    text = "林碧军，身份证号350102198703154511，手机１３９０５９１２３４５。"
    spans = det.detect(text)
    labels = {s.label for s in spans}
    assert {"ID_NUMBER", "PHONE"} <= labels, spans
    phone = next(s for s in spans if s.label == "PHONE")
    assert phone.text_in(text) == "１３９０５９１２３４５"


def test_load_errors_are_clear(tmp_path):
    with pytest.raises(FileNotFoundError, match="not found"):
        Detector.load(tmp_path / "nope")
    with pytest.raises(FileNotFoundError, match="neither"):
        Detector.load(tmp_path)
    det = Detector.from_parts(tagger_dir=None, rule_analyzer=FakeRules())
    with pytest.raises(TypeError):
        det.detect(None)  # type: ignore[arg-type]


def test_quantized_pipeline_loads_and_keeps_the_contract(tagger_dir, tmp_path):
    save_pipeline(tmp_path / "ner", tagger_dir=tagger_dir, version="q", quantize=True)
    det = Detector.load(tmp_path / "ner", rule_analyzer=FakeRules())
    assert det.neural.quantize is True
    texts = [r["text"] for r in make_records(10, seed=4)] + ["电话13905912345"]
    for text, spans in zip(texts, det.detect_many(texts)):
        assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))
        assert all(0 <= s.start < s.end <= len(text) for s in spans)
    assert Detector.load(tmp_path / "ner", rule_analyzer=FakeRules(),
                         quantize=False).neural.quantize is False


def test_per_label_min_scores_travel_with_the_pipeline(tagger_dir, tmp_path):
    texts = [r["text"] for r in make_records(10, seed=4)]
    base = Detector.from_parts(tagger_dir=tagger_dir, rule_analyzer=FakeRules())
    spans = [s for d in base.detect_many(texts) for s in d if s.source.startswith("ner:")]
    persons = sorted(s.score for s in spans if s.label == "PERSON")
    assert persons, "the tiny tagger should find some PERSON"
    cut = persons[len(persons) // 2]  # drops about half of them
    save_pipeline(tmp_path / "ner", tagger_dir=tagger_dir, min_scores={"PERSON": cut})
    spec = json.loads((tmp_path / "ner" / "pipeline.json").read_text(encoding="utf-8"))
    assert spec["min_scores"] == {"PERSON": cut}
    det = Detector.load(tmp_path / "ner", rule_analyzer=FakeRules())
    assert det.neural.min_scores == {"PERSON": cut}
    kept = [s for d in det.detect_many(texts) for s in d if s.source.startswith("ner:")]
    assert all(s.score >= cut for s in kept if s.label == "PERSON")
    assert sum(s.label == "PERSON" for s in kept) < len(persons)
    # other labels are untouched
    assert sorted((s.start, s.label) for s in kept if s.label != "PERSON") == \
        sorted((s.start, s.label) for s in spans if s.label != "PERSON")
    # and saving the loaded detector keeps the thresholds
    det.save_pipeline(tmp_path / "again")
    again = json.loads((tmp_path / "again" / "pipeline.json").read_text(encoding="utf-8"))
    assert again["min_scores"] == {"PERSON": cut}
