"""SCHEMA.md records -> tagger examples (windows of text with per-character allowed tags).

Why windows: archival documents run to thousands of characters; a BiLSTM trains faster and
more stably on sentence-sized windows, cut at sentence ends and never inside a gold span.
"""
from __future__ import annotations

import random
from dataclasses import dataclass
from typing import Iterable, Sequence

import torch

from models.recognizers.char_tagger import (CharVocab, chunk_bounds, encode_batch,
                                            spans_to_allowed)


@dataclass
class Example:
    text: str
    spans: list[tuple[int, int, str]]  # window-relative, only the tagger's labels
    annotated: frozenset[str]


def record_labels_annotated(record: dict, tagger_labels: Sequence[str]) -> frozenset[str]:
    """Which of the tagger's labels the record's annotation covers (all, unless it says)."""
    la = record.get("labels_annotated")
    if la is None:
        return frozenset(tagger_labels)
    return frozenset(la) & frozenset(tagger_labels)


def records_to_examples(records: Iterable[dict], labels: Sequence[str], max_len: int
                        ) -> list[Example]:
    """Cut each record into windows; keep spans of ``labels`` that fall inside a window."""
    labels = list(labels)
    out: list[Example] = []
    for rec in records:
        text = rec.get("text")
        if not isinstance(text, str) or not text:
            continue
        spans = sorted((int(s["start"]), int(s["end"]), s["label"]) for s in rec.get("spans", [])
                       if s.get("label") in labels)
        annotated = record_labels_annotated(rec, labels)
        for ws, we in chunk_bounds(text, max_len, [(s, e) for s, e, _ in spans]):
            inside = [(s - ws, e - ws, lab) for s, e, lab in spans if s >= ws and e <= we]
            out.append(Example(text[ws:we], inside, annotated))
    return out


@dataclass
class Batch:
    chars: torch.Tensor
    bl: torch.Tensor
    br: torch.Tensor
    lengths: torch.Tensor
    allowed: torch.Tensor | None = None


def make_batch(texts: Sequence[str], vocab: CharVocab, *, examples: Sequence[Example] | None = None,
               tags: Sequence[str] | None = None) -> Batch:
    """Pad encoded texts into tensors; with ``examples`` also the (B, T, K) allowed-tag mask."""
    chars, bl, br, lengths = encode_batch(vocab, texts)
    b, t_len = chars.shape
    allowed = None
    if examples is not None:
        assert tags is not None
        k = len(tags)
        allowed = torch.ones(b, t_len, k, dtype=torch.bool)
        for i, ex in enumerate(examples):
            n = len(ex.text)
            allowed[i, :n] = spans_to_allowed(n, ex.spans, tags, ex.annotated)
    return Batch(chars, bl, br, lengths, allowed)


def length_bucketed_batches(examples: Sequence[Example], batch_size: int, rng: random.Random
                            ) -> list[list[Example]]:
    """Shuffled batches of similar length (less padding), in a shuffled order."""
    idx = list(range(len(examples)))
    rng.shuffle(idx)
    # sort within large pools so each batch has similar lengths but the epoch stays random
    pool = batch_size * 50
    batches = []
    for p in range(0, len(idx), pool):
        chunk = sorted(idx[p:p + pool], key=lambda i: len(examples[i].text))
        for q in range(0, len(chunk), batch_size):
            batches.append([examples[i] for i in chunk[q:q + batch_size]])
    rng.shuffle(batches)
    return batches
