"""SCHEMA.md records -> tagger examples (windows of text with per-character allowed tags).

Why windows: archival documents run to thousands of characters; a BiLSTM trains faster and
more stably on sentence-sized windows, cut at sentence ends and never inside a gold span.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from typing import Iterable, Sequence

import numpy as np
import torch

from models.recognizers.char_tagger import CharVocab, chunk_bounds, spans_to_allowed


@dataclass
class Example:
    text: str
    spans: list[tuple[int, int, str]]  # window-relative, only the tagger's labels
    annotated: frozenset[str]
    #: window-relative ranges of spans of other labels: any tag allowed there
    free: list[tuple[int, int]] = field(default_factory=list)


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
        other = sorted((int(s["start"]), int(s["end"])) for s in rec.get("spans", [])
                       if s.get("label") not in labels)
        annotated = record_labels_annotated(rec, labels)
        for ws, we in chunk_bounds(text, max_len, [(s, e) for s, e, _ in spans] + other):
            inside = [(s - ws, e - ws, lab) for s, e, lab in spans if s >= ws and e <= we]
            free = [(max(s, ws) - ws, min(e, we) - ws) for s, e in other if s < we and e > ws]
            out.append(Example(text[ws:we], inside, annotated, free))
    return out


class EncodedExamples:
    """Every training window encoded once (ids, allowed tags, lexicon bits) as numpy arrays.

    Why: encoding and building the (T, K) allowed-tag masks per batch in Python cost more than
    the network's forward and backward pass; done once, an epoch is only tensor work.
    """

    def __init__(self, chars, bl, br, allowed, lex):
        self.chars, self.bl, self.br, self.allowed, self.lex = chars, bl, br, allowed, lex
        self.lengths = [len(c) for c in chars]

    @classmethod
    def build(cls, examples: Sequence[Example], vocab: CharVocab, tags: Sequence[str],
              lexicon=None) -> "EncodedExamples":
        chars, bl, br, allowed, lex = [], [], [], [], []
        for ex in examples:
            c, left, right = vocab.encode(ex.text)
            chars.append(np.asarray(c, dtype=np.int64))
            bl.append(np.asarray(left, dtype=np.int64))
            br.append(np.asarray(right, dtype=np.int64))
            allowed.append(spans_to_allowed(len(ex.text), ex.spans, tags, ex.annotated,
                                            ex.free).numpy())
            lex.append(lexicon.features(ex.text) if lexicon is not None else None)
        return cls(chars, bl, br, allowed, lex)

    def batch(self, idx: Sequence[int]):
        """(chars, bl, br, lengths, allowed, lex) tensors for the examples ``idx``, padded."""
        b = len(idx)
        t_len = max(1, max(self.lengths[i] for i in idx))
        k = self.allowed[idx[0]].shape[1]
        chars = np.zeros((b, t_len), dtype=np.int64)
        bl = np.zeros((b, t_len), dtype=np.int64)
        br = np.zeros((b, t_len), dtype=np.int64)
        allowed = np.ones((b, t_len, k), dtype=bool)
        lex = None
        if self.lex[idx[0]] is not None:
            lex = np.zeros((b, t_len, self.lex[idx[0]].shape[1]), dtype=np.float32)
        for r, i in enumerate(idx):
            n = self.lengths[i]
            chars[r, :n] = self.chars[i]
            bl[r, :n] = self.bl[i]
            br[r, :n] = self.br[i]
            allowed[r, :n] = self.allowed[i]
            if lex is not None:
                lex[r, :n] = self.lex[i]
        lengths = torch.tensor([max(1, self.lengths[i]) for i in idx], dtype=torch.long)
        return (torch.from_numpy(chars), torch.from_numpy(bl), torch.from_numpy(br), lengths,
                torch.from_numpy(allowed), torch.from_numpy(lex) if lex is not None else None)


def length_bucketed_batches(lengths: Sequence[int], batch_size: int, rng: random.Random
                            ) -> list[list[int]]:
    """Shuffled batches (index lists) of similar length (less padding), in a shuffled order."""
    idx = list(range(len(lengths)))
    rng.shuffle(idx)
    # sort within large pools so each batch has similar lengths but the epoch stays random
    pool = batch_size * 50
    batches = []
    for p in range(0, len(idx), pool):
        chunk = sorted(idx[p:p + pool], key=lambda i: lengths[i])
        for q in range(0, len(chunk), batch_size):
            batches.append(chunk[q:q + batch_size])
    rng.shuffle(batches)
    return batches
