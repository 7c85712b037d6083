"""The CPU char tagger: trains in seconds, round-trips through safetensors, keeps offsets 1:1."""
from __future__ import annotations

import json

import pytest
import torch

from models.recognizers.char_tagger import (CharTagger, bioes_tags, chunk_bounds, fold_char,
                                            spans_to_allowed, tags_to_spans)
from models.recognizers.neural import NeuralRecognizer, detect_backend
from ner_fixtures import make_records
from training.ner.train import TrainConfig, train_tagger


@pytest.fixture(scope="module")
def tiny_tagger(tmp_path_factory):
    out = tmp_path_factory.mktemp("tagger")
    cfg = TrainConfig.tiny()
    cfg.epochs = 12
    metrics = train_tagger(make_records(64, seed=1), make_records(16, seed=2), out, seed=0,
                           config=cfg, progress=False)
    return out, metrics


def test_tiny_tagger_learns_the_templates(tiny_tagger):
    _, metrics = tiny_tagger
    assert metrics["dev"]["micro"]["f1"] >= 0.8, metrics["dev"]
    assert metrics["train_seconds"] < 60


def test_saved_files_are_safetensors_and_json_only(tiny_tagger):
    out, _ = tiny_tagger
    assert sorted(p.name for p in out.iterdir()) == ["config.json", "model.safetensors",
                                                     "vocab.json"]
    cfg = json.loads((out / "config.json").read_text(encoding="utf-8"))
    assert cfg["labels"] == ["PERSON", "ADDRESS", "HEALTH", "LEGAL_RECORD", "ORG", "LOC"]
    assert detect_backend(out) == "char_tagger"


def test_save_load_round_trip_gives_identical_predictions(tiny_tagger, tmp_path):
    out, _ = tiny_tagger
    texts = [r["text"] for r in make_records(12, seed=5)]
    a = CharTagger.load(out)
    a.save(tmp_path / "copy")
    b = CharTagger.load(tmp_path / "copy")
    assert a.predict_texts(texts) == b.predict_texts(texts)
    for (ka, va), (kb, vb) in zip(a.state_dict().items(), b.state_dict().items()):
        assert ka == kb and torch.equal(va, vb)


def test_offsets_are_code_points_including_non_bmp(tiny_tagger):
    out, _ = tiny_tagger
    rec = NeuralRecognizer(out, version="t1")
    model = CharTagger.load(out)
    text = "𠮷𠮷　经福州市档案局研究，同意𠮷小明调入。"  # non-BMP characters, ideographic space
    chars, left, right = model.vocab.encode(text)
    assert len(chars) == len(left) == len(right) == len(text)
    window = [(s, e, lab) for s, e, lab, _ in model.predict_texts([text])[0]]
    found = rec.find(text)
    assert found, "the tiny tagger should find the name in a training template"
    assert [(s.start, s.end, s.label) for s in found] == window
    assert all(s.source == "ner:t1" and s.text_in(text).strip() == s.text_in(text)
               for s in found)
    assert ("PERSON", "𠮷小明") in [(s.label, s.text_in(text)) for s in found]


def test_long_documents_are_windowed_and_offsets_stay_global(tiny_tagger):
    out, _ = tiny_tagger
    rec = NeuralRecognizer(out, version="t1", batch_size=3)
    model = CharTagger.load(out)
    doc = "".join(r["text"] for r in make_records(40, seed=9))
    windows = chunk_bounds(doc, model.config.max_len)
    assert len(windows) > 2 and all(doc[e - 1] == "。" for _, e in windows[:-1])
    expected = []
    for ws, we in windows:
        expected += [(ws + s, ws + e, lab) for s, e, lab, _ in model.predict_texts([doc[ws:we]])[0]]
    spans = rec.find(doc)
    assert [(s.start, s.end, s.label) for s in spans] == sorted(expected)
    assert len(spans) > 20
    assert rec.find_many([doc, "", "  "]) == [spans, [], []]


def test_find_stream_reads_lazily_and_gives_each_groups_find_many(tiny_tagger):
    """The pipeline's stream: texts pulled a group at a time, one prediction stream across the
    groups, spans in input order and the same as ``find_many`` of each group (empty texts and
    a group without a single window included)."""
    import itertools

    out, _ = tiny_tagger
    rec = NeuralRecognizer(out, version="t1", batch_size=4)
    texts = [r["text"] for r in make_records(23, seed=11)]
    texts[3:3] = ["", "  "]
    texts[9:9] = ["", " ", "\n"]                       # with group=3, a group of no windows
    expected = []
    for g in range(0, len(texts), 3):
        expected += rec.find_many(texts[g:g + 3])
    assert list(rec.find_stream(texts, group=3)) == expected
    assert any(expected) and expected[3] == [] and expected[9:12] == [[], [], []]

    pulled = []

    def endless():
        for n in itertools.count():
            pulled.append(n)
            yield texts[n % len(texts)]

    stream = rec.find_stream(endless(), group=3)
    first = next(stream)
    assert first == expected[0]
    assert len(pulled) < 40          # a few groups ahead at most, not the whole iterator
    with pytest.raises(TypeError):
        list(rec.find_stream(["纪检", 7], group=2))
    with pytest.raises(ValueError):
        list(rec.find_stream(texts, group=0))


def test_fold_char_keeps_one_code_point():
    assert fold_char("１") == "0" and fold_char("Ａ") == "a" and fold_char("𠮷") == "𠮷"
    assert fold_char("㈱") == "㈱"  # NFKC would give 3 characters: keep the original


def test_bioes_round_trip_and_partial_annotation_mask():
    tags = bioes_tags(["PERSON", "HEALTH"])
    allowed = spans_to_allowed(6, [(1, 4, "PERSON")], tags, annotated={"PERSON"})
    assert allowed[1].nonzero().flatten().tolist() == [tags.index("B-PERSON")]
    assert allowed[3].nonzero().flatten().tolist() == [tags.index("E-PERSON")]
    # outside the gold span: O or any HEALTH tag (HEALTH is not annotated), never PERSON
    free = {tags[i] for i in allowed[0].nonzero().flatten().tolist()}
    assert free == {"O", "B-HEALTH", "I-HEALTH", "E-HEALTH", "S-HEALTH"}
    seq = ["O", "B-PERSON", "I-PERSON", "E-PERSON", "S-HEALTH", "O"]
    assert [s[:3] for s in tags_to_spans(seq)] == [(1, 4, "PERSON"), (4, 5, "HEALTH")]


def test_chunk_bounds_cut_at_sentence_ends_and_never_inside_protected():
    text = "甲乙丙。" * 10
    bounds = chunk_bounds(text, 10)
    assert bounds[0] == (0, 8) and all(e - s <= 10 for s, e in bounds)
    assert "".join(text[s:e] for s, e in bounds) == text
    bounds = chunk_bounds("一二三四五六七八九十一二", 5, protected=[(3, 7)])
    assert all(not (3 < e < 7) for _, e in bounds)


def test_bad_directory_fails_clearly(tmp_path):
    with pytest.raises(FileNotFoundError):
        NeuralRecognizer(tmp_path / "missing").find("林碧军")
    (tmp_path / "x").mkdir()
    with pytest.raises(ValueError, match="neither"):
        NeuralRecognizer(tmp_path / "x").find("林碧军")
    with pytest.raises(ValueError, match="unknown neural backend"):
        NeuralRecognizer(tmp_path, backend="onnx")


def _log_space_marginals(tagger, em, mask):
    """The textbook log-space forward-backward, the reference for the tagger's scaled one."""
    import torch

    trans = tagger.trans + tagger.trans_mask
    end = tagger.end + tagger.end_mask
    alpha = [tagger.start + tagger.start_mask + em[:, 0]]
    for t in range(1, em.shape[1]):
        alpha.append(torch.logsumexp(alpha[-1].unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t])
    beta = [end.expand_as(em[:, 0])]
    for t in range(em.shape[1] - 2, -1, -1):
        cand = torch.logsumexp(trans.unsqueeze(0) + (em[:, t + 1] + beta[-1]).unsqueeze(1), dim=2)
        beta.append(torch.where(mask[:, t + 1].unsqueeze(1), cand, end.expand_as(cand)))
    beta.reverse()
    return torch.softmax(torch.stack(alpha, dim=1) + torch.stack(beta, dim=1), dim=-1)


def test_scaled_forward_backward_equals_the_log_space_one():
    """The span scores come from CRF marginals; the fast (matrix-product, scaled) forward-backward
    must give the log-space one's marginals, padded batches included."""
    import torch

    from models.recognizers.char_tagger import (CharTagger, CharVocab, TaggerConfig, crf_marginals,
                                                encode_batch)

    texts = ["患者林碧军确诊为肺结核，住福州市鼓楼区杨桥路18号。", "判处有期徒刑三年", "国务院"]
    vocab = CharVocab.build(texts, min_char_count=1)
    torch.manual_seed(0)
    tagger = CharTagger(TaggerConfig(labels=["PERSON", "HEALTH", "ADDRESS"], char_dim=8, bigram_dim=4, hidden=8),
                        vocab).eval()
    with torch.no_grad():
        for p in (tagger.trans, tagger.start, tagger.end):
            p.normal_(0, 2.0)
        chars, bl, br, lengths = encode_batch(vocab, texts)
        em = tagger.emissions(chars, bl, br, lengths) * 5
        mask = torch.arange(em.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        fast = torch.from_numpy(crf_marginals(em.numpy(), mask.numpy(), *tagger._crf_scores()))
        ref = _log_space_marginals(tagger, em, mask)
    assert torch.allclose(fast[mask], ref[mask], atol=1e-5)
    assert torch.allclose(fast[mask].sum(-1), torch.ones(int(mask.sum())), atol=1e-5)


def test_padded_bilstm_equals_the_packed_one_values_and_gradients():
    """Training runs the BiLSTM on padded tensors (oneDNN) instead of packed ones; outputs and
    gradients must be the packed call's, for sequences of every length in one batch."""
    from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

    from models.recognizers.char_tagger import _bilstm_padded

    torch.manual_seed(0)
    lstm = torch.nn.LSTM(20, 8, bidirectional=True, batch_first=True)
    x = torch.randn(5, 11, 20, requires_grad=True)
    lengths = torch.tensor([11, 3, 7, 1, 11])
    packed = pack_padded_sequence(x, lengths, batch_first=True, enforce_sorted=False)
    ref, _ = pad_packed_sequence(lstm(packed)[0], batch_first=True, total_length=11)
    out = _bilstm_padded(lstm, x, lengths)
    assert torch.allclose(out, ref, atol=1e-6)
    params = [x] + list(lstm.parameters())
    for a, b in zip(torch.autograd.grad(ref.square().sum(), params),
                    torch.autograd.grad(out.square().sum(), params)):
        assert torch.allclose(a, b, atol=1e-5)


def test_overlapped_batches_give_the_plain_loops_spans(tiny_tagger):
    """The LSTM of one batch runs in a worker thread while this one decodes the last: same
    spans, same order, as predicting each batch alone; the quantised tagger too."""
    from models.recognizers.neural import quantize_tagger

    out, _ = tiny_tagger
    texts = [r["text"] for r in make_records(40, seed=7)]
    batches = [texts[i:i + 7] for i in range(0, len(texts), 7)]
    for model in (CharTagger.load(out), quantize_tagger(CharTagger.load(out))):
        plain = [model.predict_texts(b) for b in batches]
        assert list(model.predict_stream(iter(batches))) == plain
        assert list(model.predict_stream(batches, overlap=False)) == plain
    assert list(CharTagger.load(out).predict_stream([])) == []
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        stream = CharTagger.load(out).predict_stream(batches)
        next(stream)
        assert torch.get_num_threads() == 1   # one core left to this thread while it runs
        list(stream)
        assert torch.get_num_threads() == 2   # and given back when it ends
    finally:
        torch.set_num_threads(before)
