"""The NER training recipe: the seeded default builder (``--tiny``), its data and artifacts."""
from __future__ import annotations

import json

import pytest

from models.artifacts import (atomic_directory, make_manifest, new_version_name, read_manifest,
                              validate_version_name, write_manifest)
from models.pipeline import Detector


@pytest.fixture(scope="module")
def tiny_version(tmp_path_factory):
    from training.ner.train_default import build

    out = tmp_path_factory.mktemp("versions") / "v-tiny"
    out.mkdir()
    # another helper's component that the NER builder must leave alone
    (out / "decision").mkdir()
    (out / "decision" / "model.json").write_text("{}", encoding="utf-8")
    write_manifest(out, make_manifest(version="v-tiny", components={"decision": {"path": "decision"}}))
    summary = build(out, seed=0, tiny=True, epochs=2, synth_docs=20,
                    threads=1, version=None)
    return out, summary


def test_tiny_default_builds_a_loadable_model_version(tiny_version):
    out, summary = tiny_version
    manifest = read_manifest(out)
    assert manifest["version"] == "v-tiny" == summary["version"]
    assert set(manifest["components"]) == {"ner", "decision"}
    assert manifest["components"]["ner"]["seed"] == 0
    assert (out / "decision" / "model.json").is_file()
    files = {p.name for p in (out / "ner").rglob("*") if p.is_file()}
    assert {"pipeline.json", "config.json", "vocab.json", "model.safetensors"} <= files
    assert "lexicon.tsv.gz" in files                     # the word list of the lexicon features
    assert all(f.endswith((".json", ".safetensors", ".toml", ".tsv.gz", ".NOTICE")) for f in files)  # no pickle
    det = Detector.load(out)
    assert det.version == "v-tiny"
    text = "林碧军，身份证号350102198703154511，住福州市鼓楼区杨桥路18号。"
    spans = det.detect(text)
    assert any(s.label == "ID_NUMBER" for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_same_seed_same_model(tiny_version, tmp_path):
    from training.ner.train_default import build

    out, _ = tiny_version
    build(tmp_path / "again", seed=0, tiny=True, epochs=2, synth_docs=20,
          threads=1, version="v-tiny")
    a = (out / "ner" / "tagger" / "model.safetensors").read_bytes()
    b = (tmp_path / "again" / "ner" / "tagger" / "model.safetensors").read_bytes()
    assert a == b


def test_artifacts_atomic_directory_and_names(tmp_path):
    target = tmp_path / "ner"
    with atomic_directory(target) as tmp:
        (tmp / "a.json").write_text("1")
    assert (target / "a.json").read_text() == "1"
    with pytest.raises(RuntimeError):
        with atomic_directory(target) as tmp:
            (tmp / "b.json").write_text("2")
            raise RuntimeError("crash mid-write")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["ner"]
    assert not (target / "b.json").exists()
    assert new_version_name(["2026-11-24-a"], today=__import__("datetime").datetime(2026, 11, 24)) \
        == "2026-11-24-b"
    with pytest.raises(ValueError):
        validate_version_name("../evil")
    with pytest.raises(FileNotFoundError):
        read_manifest(tmp_path)
    (tmp_path / "manifest.json").write_text(json.dumps({"version": "x"}))
    with pytest.raises(ValueError, match="lacks"):
        read_manifest(tmp_path)


def _records(names: list[str]) -> list[dict]:
    out = []
    for n in names:
        text = f"经办人{n}，住福州市鼓楼区。"
        out.append({"text": text, "spans": [{"start": 3, "end": 3 + len(n), "label": "PERSON"}]})
    return out


def test_anchor_pulls_a_fine_tuning_back_toward_the_warm_start(tmp_path):
    """L2-SP (TrainConfig.anchor): the fine-tuned weights stay nearer the parent's, and a pull that
    saturates (lr x anchor >= 1) leaves them exactly where they started."""
    from dataclasses import replace

    from models.recognizers.char_tagger import CharTagger
    from training.ner.train import TrainConfig, train_tagger

    cfg = replace(TrainConfig.tiny(), labels=("PERSON",), epochs=2)
    train_tagger(_records(["林碧军", "陈玉兰", "王建国", "张秀英"]), [], tmp_path / "parent", config=cfg,
                 progress=False)
    parent = CharTagger.load(tmp_path / "parent")
    new = _records(["欧阳明", "司马南", "诸葛亮", "上官婉"])

    def drift(anchor: float, name: str) -> float:
        metrics = train_tagger(new, [], tmp_path / name, config=replace(cfg, anchor=anchor), progress=False,
                               warm_start=CharTagger.load(tmp_path / "parent"))
        assert metrics["warm_start"] and metrics.get("anchor", 0.0) == anchor
        child = CharTagger.load(tmp_path / name)
        p0, p1 = parent.state_dict(), child.state_dict()
        return sum(float((p1[k].float() - p0[k].float()).abs().sum()) for k in p0)

    free, held = drift(0.0, "free"), drift(20.0, "held")
    assert free > 0 and held < free
    assert drift(1e9, "frozen") == pytest.approx(0.0, abs=1e-3)  # fp16 save of equal weights
    with pytest.raises(ValueError, match="anchor"):
        train_tagger(new, [], tmp_path / "bad", config=replace(cfg, anchor=-1.0), progress=False,
                     warm_start=parent)


def test_interpolate_saves_a_point_between_warm_start_and_fine_tuned_weights(tmp_path):
    """WiSE-FT (TrainConfig.interpolate): the saved tagger lies on the line from the parent to the
    fine-tuned weights, at the configured fraction, and the setting is reported and validated."""
    from dataclasses import replace

    import torch

    from models.recognizers.char_tagger import CharTagger
    from training.ner.train import TrainConfig, train_tagger

    cfg = replace(TrainConfig.tiny(), labels=("PERSON",), epochs=2, fp16=False)
    train_tagger(_records(["林碧军", "陈玉兰", "王建国", "张秀英"]), [], tmp_path / "parent", config=cfg,
                 progress=False)
    new, dev = _records(["欧阳明", "司马南", "诸葛亮", "上官婉"]), _records(["端木蓉", "林岚"])
    full = train_tagger(new, dev, tmp_path / "full", config=cfg, progress=False,
                        warm_start=CharTagger.load(tmp_path / "parent"))
    half = train_tagger(new, dev, tmp_path / "half", config=replace(cfg, interpolate=0.5), progress=False,
                        warm_start=CharTagger.load(tmp_path / "parent"))
    assert "interpolate" not in full and half["interpolate"] == 0.5
    assert 0.0 <= half["dev_select_f1_interpolated"] <= 1.0
    p0, p1, ph = (CharTagger.load(tmp_path / n).state_dict() for n in ("parent", "full", "half"))
    moved = [k for k in p0 if p0[k].is_floating_point() and not torch.equal(p0[k], p1[k])]
    assert moved  # the same seed and data: "half" is the midpoint of "full"'s move
    for k in moved:
        assert torch.allclose(ph[k], (p0[k] + p1[k]) / 2, atol=1e-5)
    for bad in (0.0, 1.5):
        with pytest.raises(ValueError, match="interpolate"):
            train_tagger(new, [], tmp_path / "bad", config=replace(cfg, interpolate=bad), progress=False,
                         warm_start=CharTagger.load(tmp_path / "parent"))
