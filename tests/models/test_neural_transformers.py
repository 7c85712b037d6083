"""The transformers backend: a tiny randomly initialised BERT saved to a temp dir (built from a
config, never from the hub) loads locally and yields spans with code-point offsets."""
from __future__ import annotations

import pytest

transformers = pytest.importorskip("transformers")
tokenizers = pytest.importorskip("tokenizers")

from models.recognizers.neural import NeuralRecognizer, detect_backend  # noqa: E402

LABELS = ["O", "B-PERSON", "I-PERSON", "B-LOC", "I-LOC"]


def _save_tiny_bert(directory, text_chars: str, favour: str):
    """A 1-layer BERT whose classifier always prefers ``favour`` (weights zeroed, bias set)."""
    import torch
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import BertConfig, BertForTokenClassification, PreTrainedTokenizerFast

    vocab = {"[PAD]": 0, "[UNK]": 1, "[CLS]": 2, "[SEP]": 3}
    for ch in dict.fromkeys(text_chars):
        vocab.setdefault(ch, len(vocab))
    tok = Tokenizer(models.WordLevel(vocab=vocab, unk_token="[UNK]"))
    tok.pre_tokenizer = pre_tokenizers.Split(pattern="", behavior="isolated")
    from tokenizers.processors import TemplateProcessing

    tok.post_processor = TemplateProcessing(single="[CLS] $A [SEP]",
                                            special_tokens=[("[CLS]", 2), ("[SEP]", 3)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token="[UNK]", pad_token="[PAD]",
                                   cls_token="[CLS]", sep_token="[SEP]")
    cfg = BertConfig(vocab_size=len(vocab), hidden_size=16, num_hidden_layers=1,
                     num_attention_heads=2, intermediate_size=32, max_position_embeddings=64,
                     num_labels=len(LABELS), id2label=dict(enumerate(LABELS)),
                     label2id={l: i for i, l in enumerate(LABELS)})
    torch.manual_seed(0)
    model = BertForTokenClassification(cfg)
    with torch.no_grad():
        model.classifier.weight.zero_()
        model.classifier.bias.zero_()
        model.classifier.bias[LABELS.index(favour)] = 5.0
    model.save_pretrained(directory)
    fast.save_pretrained(directory)


def test_transformers_backend_offsets_with_non_bmp(tmp_path):
    text = "𠮷林碧军 住在福州。"
    _save_tiny_bert(tmp_path, text, favour="I-PERSON")
    assert detect_backend(tmp_path) == "transformers"
    rec = NeuralRecognizer(tmp_path, version="bert-t")
    spans = rec.find(text)
    # every character is I-PERSON: one span per window; the final 。 is trimmed (a name never
    # ends on punctuation), and 𠮷 (one code point, two UTF-16 units) keeps later offsets exact
    assert [(s.start, s.end, s.label) for s in spans] == [(0, len(text) - 1, "PERSON")]
    assert spans[0].text_in(text) == text[:-1] and spans[0].source == "ner:bert-t"
    assert rec.labels == frozenset({"PERSON", "LOC"})


def test_transformers_backend_windows_long_text(tmp_path):
    sentence = "林碧军住在福州。"
    _save_tiny_bert(tmp_path, sentence, favour="B-LOC")
    rec = NeuralRecognizer(tmp_path, version="bert-t", batch_size=4)
    doc = sentence * 30  # 240 characters, more than the 62 the tiny model's positions allow
    spans = rec.find(doc)
    # B-LOC everywhere: one single-character LOC per character (but 。, which is no place),
    # offsets global and exact
    assert [(s.start, s.end) for s in spans] == [(i, i + 1) for i in range(len(doc)) if doc[i] != "。"]
    assert all(s.label == "LOC" for s in spans)


def test_transformers_backend_refuses_hub_names(tmp_path):
    with pytest.raises(FileNotFoundError):
        NeuralRecognizer("bert-base-chinese", backend="transformers").find("林碧军")
