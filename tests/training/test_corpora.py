"""The corpus loaders return SCHEMA records whose spans are aligned on the real files."""
from __future__ import annotations

import itertools
from collections import Counter

import pytest

from training import corpora
from training.gazetteers import shared_datasets_dir

pytestmark = pytest.mark.skipif(not (shared_datasets_dir() / "cluener2020").exists(), reason="shared datasets not present")


def _check(records, labels):
    assert records
    for r in records:
        assert set(r) >= {"id", "text", "spans", "decision", "reasons", "labels_annotated"}
        assert r["labels_annotated"] == list(labels)
        last = 0
        for s in r["spans"]:
            assert 0 <= s["start"] < s["end"] <= len(r["text"])
            assert s["start"] >= last, "spans overlap or are unsorted"
            assert s["label"] in labels
            last = s["end"]


def test_cluener_dev_alignment_and_counts():
    dev = corpora.load_cluener("dev")
    _check(dev, ("PERSON", "ORG", "LOC"))
    counts = Counter(s["label"] for r in dev for s in r["spans"])
    # DATACARD mention counts: name 465; government+company+organization 247+378+367; address 373
    assert counts == {"PERSON": 465, "ORG": 992, "LOC": 373}
    first = dev[0]
    for s in first["spans"]:
        assert first["text"][s["start"]:s["end"]].strip()


def test_cluener_train_first_line_exclusive_end():
    train = corpora.load_cluener("train")
    r = train[0]
    assert r["text"].startswith("浙商银行企业信贷部叶老桂博士")
    got = [(r["text"][s["start"]:s["end"]], s["label"]) for s in r["spans"]]
    assert ("浙商银行", "ORG") in got and ("叶老桂", "PERSON") in got
    assert len(train) == 10748


def test_resume_weibo_peoples_daily_counts_match_datacards():
    resume = corpora.load_resume("dev")
    _check(resume, corpora.RESUME_LABELS)
    assert Counter(s["label"] for r in resume for s in r["spans"]) == {"ORG": 523, "PERSON": 110, "LOC": 2}
    weibo = corpora.load_weibo("dev")
    _check(weibo, corpora.WEIBO_LABELS)
    # PER.NAM 90, ORG.NAM 47, LOC.NAM 6 + GPE.NAM 26; the .NOM mentions are dropped
    assert Counter(s["label"] for r in weibo for s in r["spans"]) == {"PERSON": 90, "ORG": 47, "LOC": 32}
    assert sum(len(r["text"]) for r in weibo) == 14509
    pd = corpora.load_peoples_daily("dev")
    _check(pd, corpora.PEOPLES_DAILY_LABELS)
    assert Counter(s["label"] for r in pd for s in r["spans"]) == {"LOC": 1951, "ORG": 984, "PERSON": 884}
    r = next(r for r in pd if "青岛海牛队" in r["text"])
    assert [r["text"][s["start"]:s["end"]] for s in r["spans"]] == ["青岛海牛队", "广州松日队"]


def test_bad_split_is_refused():
    with pytest.raises(ValueError):
        corpora.load_cluener("test")
    with pytest.raises(ValueError):
        corpora.load_peoples_daily("train")


def test_tags_to_spans_bio_and_bmes():
    assert corpora._tags_to_spans(["B-PER", "I-PER", "O", "B-LOC"], corpora.PEOPLES_DAILY_MAP) == [
        {"start": 0, "end": 2, "label": "PERSON"}, {"start": 3, "end": 4, "label": "LOC"}]
    assert corpora._tags_to_spans(["B-NAME", "E-NAME", "S-ORG", "B-TITLE", "E-TITLE"], corpora.RESUME_MAP) == [
        {"start": 0, "end": 2, "label": "PERSON"}, {"start": 2, "end": 3, "label": "ORG"}]
    assert corpora._tags_to_spans(["B-PER.NOM", "I-PER.NOM", "B-GPE.NAM"], corpora.WEIBO_MAP) == [
        {"start": 2, "end": 3, "label": "LOC"}]


def test_iter_raw_text_mixes_sources_and_respects_budget():
    paras = list(corpora.iter_raw_text(max_chars=20000))
    total = sum(len(p) for p in paras)
    assert 20000 <= total < 20000 + 25000
    assert all(len(p) >= 10 and p == p.strip() for p in paras)
    assert not any(p.startswith("央视网消息") for p in paras)
    first = list(itertools.islice(corpora.iter_raw_text(), 3))
    assert len(first) == 3


def test_raw_text_never_reads_the_published_files_reserved_for_testing(monkeypatch):
    """Reserved files (news of 2025, administrative regulations, Wikipedia passages) measure
    false alarms on openable text: training's raw text must not open them."""
    opened = []
    real = corpora.dataset_path

    def spy(*parts):
        opened.append("/".join(parts))
        return real(*parts)

    monkeypatch.setattr(corpora, "dataset_path", spy)
    for _ in corpora.iter_raw_text():
        pass
    reserved = ("xwlb_" + "2025", "administrative_" + "regulations", "cmrc" + "2018")
    assert opened and not [p for p in opened if any(r in p for r in reserved)]


def test_gazetteers_are_consistent_and_filtered():
    from training import gazetteers as gz

    names, weights = gz.surnames()
    assert len(names) > 1000 and "欧阳" in gz.compound_surnames() and all(w > 0 for w in weights)
    for a in gz.areas()[:: 97]:
        assert a.code[:2] in gz.provinces() and gz.provinces()[a.code[:2]] == a.province
        assert a.name not in {"市辖区", "省直辖县级行政区划"}
    fuzhou = [a for a in gz.areas() if a.name == "鼓楼区" and a.city == "福州市"]
    assert fuzhou and fuzhou[0].province == "福建省"
    assert any(s.endswith("街道") for s in gz.streets_by_area()[fuzhou[0].code])
    diseases = gz.disease_terms()
    assert "糖尿病" in diseases and "疾病" not in diseases
    assert "盗窃罪" in gz.criminal_charges() and all(c.endswith("罪") for c in gz.criminal_charges())
    hist = gz.historical_names()
    assert hist and all(2 <= len(n) <= 4 for n in hist[:1000])
    assert not any("張" in n or "陳" in n for n in hist)


def test_cluener_scene_as_loc_option():
    dev = corpora.load_cluener("dev", scene_as_loc=True)
    counts = Counter(s["label"] for r in dev for s in r["spans"])
    assert counts == {"PERSON": 465, "ORG": 992, "LOC": 373 + 209}  # DATACARD: scene 209 mentions in dev
