"""The NER training recipes: the seeded default builder (``--tiny``), pre-training, artifacts."""
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
    summary = build(out, seed=0, tiny=True, epochs=2, synth_docs=20, pretrain_steps=0,
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
    assert all(f.endswith((".json", ".safetensors", ".toml")) for f in files)
    det = Detector.load(out)
    assert det.version == "v-tiny"
    text = "林碧军，身份证号350102198703154511，住福州市鼓楼区杨桥路18号。"
    spans = det.detect(text)
    assert any(s.label == "ID_NUMBER" for s in spans)
    assert all(a.end <= b.start for a, b in zip(spans, spans[1:]))


def test_same_seed_same_model(tiny_version, tmp_path):
    from training.ner.train_default import build

    out, _ = tiny_version
    build(tmp_path / "again", seed=0, tiny=True, epochs=2, synth_docs=20, pretrain_steps=0,
          threads=1, version="v-tiny")
    a = (out / "ner" / "tagger" / "model.safetensors").read_bytes()
    b = (tmp_path / "again" / "ner" / "tagger" / "model.safetensors").read_bytes()
    assert a == b


def test_pretraining_initialises_the_tagger(tmp_path):
    import torch

    from models.recognizers.char_tagger import CharTagger
    from training.ner.pretrain import load_encoder, pretrain_encoder
    from training.ner.train import TrainConfig, build_vocab, train_tagger
    from training.ner.data import records_to_examples

    from training.synth import generate_documents

    records = generate_documents(12, seed=3)
    cfg = TrainConfig.tiny()
    cfg.epochs = 1
    cfg.lr = 1e-9  # fine-tuning barely moves: the weights must be the pre-trained ones
    raw = ["中华人民共和国档案法规定，档案馆应当定期向社会开放档案。" * 3] * 30
    vocab = build_vocab(records_to_examples(records, cfg.labels, cfg.max_len), raw, cfg)
    facts = pretrain_encoder(vocab, raw, tmp_path / "enc", seed=0, steps=5, batch_size=4,
                             max_len=cfg.max_len, char_dim=cfg.char_dim,
                             bigram_dim=cfg.bigram_dim, hidden=cfg.hidden, threads=1,
                             progress=False)
    assert facts["steps"] == 5 and facts["chars_seen"] > 0
    v2, state, _ = load_encoder(tmp_path / "enc")
    assert v2.chars == vocab.chars
    train_tagger(records, [], tmp_path / "tagger", seed=0, config=cfg, init_from=tmp_path / "enc",
                 progress=False)
    tagger = CharTagger.load(tmp_path / "tagger")
    assert torch.allclose(tagger.char_emb.weight, state["char_emb.weight"], atol=1e-3)
    bad = TrainConfig.tiny()
    bad.hidden = 8
    with pytest.raises(ValueError, match="hidden"):
        train_tagger(records, [], tmp_path / "t2", seed=0, config=bad, init_from=tmp_path / "enc",
                     progress=False)


def test_mlm_masking_hides_the_answer():
    import torch

    from models.recognizers.char_tagger import CharVocab, encode_batch
    from training.ner.pretrain import MASK_ID, mask_batch

    vocab = CharVocab.build(["福州市档案馆"] * 3, min_char_count=1, min_bigram_count=1)
    chars, bl, br, lengths = encode_batch(vocab, ["福州市档案馆" * 10])
    gen = torch.Generator().manual_seed(0)
    m_chars, m_bl, m_br, targets = mask_batch(chars, bl, br, lengths, vocab.n_chars, gen, rate=0.3)
    sel = targets >= 0
    assert sel.any()
    # no bigram touching a selected character survives
    assert (m_bl[sel] == MASK_ID).all() and (m_br[sel] == MASK_ID).all()
    prev = torch.zeros_like(sel)
    prev[:, :-1] = sel[:, 1:]
    assert (m_br[prev] == MASK_ID).all()


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
