"""Layout augmentation for tagger training: the shapes archival text has and newswire lacks.

Why: the public corpora are running sentences. Archival records put names in form cells
(``｜鲁秀英｜女｜``), pad two-character names to three widths (``黎　平``), and come out of OCR
with a space between every character (``审 判 员``). A tagger that never saw a ``｜`` treats it
as an unknown character, and unknown characters look like rare name characters, so it tagged
``｜鲁秀英`` as one name. Each transformation here rewrites a record's text and moves its spans
with it (an insertion inside a span stays inside it), so the labels stay exact.
"""
from __future__ import annotations

import random
import re
from typing import Callable

_CELL_BREAK = re.compile(r"[，、：；:,;]")


def rebuild(record: dict, inserts: dict[int, str], replace: dict[int, str] | None = None) -> dict:
    """``record`` with ``inserts[i]`` put before character ``i`` and ``replace[i]`` instead of it.

    Span boundaries move with their characters; text inserted before a span's first character
    stays outside the span, text inserted before any later character of it falls inside.
    """
    replace = replace or {}
    text = record["text"]
    out: list[str] = []
    start_of: list[int] = []  # new index of each old character
    pos = 0
    for i, ch in enumerate(text):
        ins = inserts.get(i, "")
        out.append(ins)
        pos += len(ins)
        start_of.append(pos)
        rep = replace.get(i, ch)
        out.append(rep)
        pos += len(rep)
    tail = inserts.get(len(text), "")
    out.append(tail)
    new_text = "".join(out)
    end_of = [start_of[i] + len(replace.get(i, text[i])) for i in range(len(text))]
    spans = []
    for s in record.get("spans", []):
        ns, ne = start_of[s["start"]], end_of[s["end"] - 1]
        spans.append(dict(s, start=ns, end=ne))
    return dict(record, text=new_text, spans=spans)


def pad_two_character_names(record: dict, rng: random.Random, p: float = 0.5) -> dict:
    """林岚 -> 林　岚 (a full-width space inside a two-character PERSON span)."""
    inserts = {s["start"] + 1: "\u3000" for s in record.get("spans", [])
               if s["label"] == "PERSON" and s["end"] - s["start"] == 2 and rng.random() < p}
    return rebuild(record, inserts) if inserts else record


def as_table_row(record: dict, rng: random.Random) -> dict:
    """Clause punctuation outside spans becomes a cell border; the row gets borders at its ends."""
    inside = {i for s in record.get("spans", []) for i in range(s["start"], s["end"])}
    border = rng.choice(["｜", "|", " ｜ ", "\t", "　　"])
    replace = {m.start(): border for m in _CELL_BREAK.finditer(record["text"])
               if m.start() not in inside}
    inserts = {0: "｜", len(record["text"]): "｜"} if border.strip() in ("｜", "|") else {}
    return rebuild(record, inserts, replace)


def ocr_spaced(record: dict, rng: random.Random) -> dict:
    """A space between characters, as OCR of a spaced typewritten page gives (审 判 员)."""
    text = record["text"]
    inserts = {i: " " for i in range(1, len(text))
               if not text[i].isspace() and not text[i - 1].isspace()}
    return rebuild(record, inserts)


AUGMENTATIONS: dict[str, Callable[[dict, random.Random], dict]] = {
    "pad_names": pad_two_character_names,
    "table_row": as_table_row,
    "ocr_spaced": ocr_spaced,
}


def augment(records: list[dict], rates: dict[str, float], seed: int) -> list[dict]:
    """Copies of a seeded share of ``records`` per augmentation (the originals are kept)."""
    rng = random.Random(seed)
    out = []
    for name, rate in rates.items():
        fn = AUGMENTATIONS[name]
        for r in records:
            if rng.random() < rate:
                new = fn(r, rng)
                if new is not r:
                    out.append(dict(new, id=f"{r.get('id', '')}+{name}"))
    return out
