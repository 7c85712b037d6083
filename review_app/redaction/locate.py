"""Where each character of a page's stored text is drawn, and the boxes to burn and to write.

The stored text of a page came from its text layer (pdfplumber's lines) or from OCR; reading the
page the same way again gives the same characters in the same order, each with its box. The two
are aligned on their non-space characters (exactly in the usual case, by longest common blocks
when they differ), so every character of the stored text gets its box, or ``None`` where the
page does not show it: a masked character without a box cannot be redacted safely.
"""
from __future__ import annotations

import unicodedata
from dataclasses import dataclass
from difflib import SequenceMatcher
from typing import Iterable, Sequence

from review_app.ingest.ocr import Glyph

#: (x0, y0, x1, y1) in the page image's pixels, y downwards
Box = tuple[float, float, float, float]
#: padding around a burned box, as a share of its height: glyphs overshoot their boxes a little
#: above and below; sideways a character box already spans its advance, so less is needed
PAD_Y, PAD_X = 0.12, 0.04


def _same(a: str, b: str) -> bool:
    return a == b or unicodedata.normalize("NFKC", a) == unicodedata.normalize("NFKC", b)


def align(text: str, glyphs: Sequence[Glyph]) -> list[Box | None]:
    """The box of each code point of ``text`` (``None`` for whitespace and unmatched characters)."""
    pos = [i for i, c in enumerate(text) if not c.isspace()]
    chars = [text[i] for i in pos]
    found = [g for g in glyphs if g[0] and not g[0].isspace()]
    boxes: list[Box | None] = [None] * len(text)
    if len(chars) == len(found) and all(_same(c, g[0]) for c, g in zip(chars, found)):
        pairs: Iterable[tuple[int, int]] = zip(range(len(chars)), range(len(found)))
    else:
        keys_a = [unicodedata.normalize("NFKC", c) for c in chars]
        keys_b = [unicodedata.normalize("NFKC", g[0]) for g in found]
        blocks = SequenceMatcher(None, keys_a, keys_b, autojunk=False).get_matching_blocks()
        pairs = ((b.a + k, b.b + k) for b in blocks for k in range(b.size))
    for a, b in pairs:
        boxes[pos[a]] = tuple(found[b][1:5])  # type: ignore[assignment]
    return boxes


def _same_line(a: Box, b: Box) -> bool:
    """Do two boxes share most of their height (so they sit on one line)?"""
    overlap = min(a[3], b[3]) - max(a[1], b[1])
    return overlap >= 0.5 * min(a[3] - a[1], b[3] - b[1])


def _union(a: Box, b: Box) -> Box:
    return min(a[0], b[0]), min(a[1], b[1]), max(a[2], b[2]), max(a[3], b[3])


def mask_boxes(boxes: Sequence[Box | None], masked: Iterable[int]) -> list[Box]:
    """Padded rectangles covering the masked characters: neighbours on one line are joined, so a
    masked number is one bar, not a row of boxes with its digit gaps showing."""
    out: list[Box] = []
    prev = -2
    joinable = False  # the last box may grow: every character since it was masked too
    for i in sorted(set(masked)):
        joinable = joinable and i == prev + 1
        prev = i
        box = boxes[i]
        if box is None:
            continue
        if joinable and _same_line(out[-1], box) and box[0] >= out[-1][0] - 1:
            out[-1] = _union(out[-1], box)
        else:
            out.append(box)
        joinable = True
    padded = []
    for x0, y0, x1, y1 in out:
        py, px = max(PAD_Y * (y1 - y0), 1.0), max(PAD_X * (y1 - y0), 1.0)
        padded.append((x0 - px, y0 - py, x1 + px, y1 + py))
    return padded


@dataclass(frozen=True)
class Run:
    """A piece of text on one line of the page with the box it covers (pixels)."""

    text: str
    box: Box | None


def text_runs(text: str, boxes: Sequence[Box | None]) -> list[Run]:
    """Split ``text`` into runs that each sit on one line of the page, for the text layer.

    A run ends at a line break or where the next character's box starts a new line (a wrapped
    paragraph was joined at ingest); characters without a box (spaces, unmatched ones) stay in
    the run they are in.
    """
    runs: list[Run] = []
    cur: list[str] = []
    cur_box: Box | None = None

    def flush() -> None:
        nonlocal cur, cur_box
        if "".join(cur).strip():
            runs.append(Run("".join(cur), cur_box))
        cur, cur_box = [], None

    for ch, box in zip(text, boxes):
        if ch in "\n\f\r":
            flush()
            continue
        if box is not None and cur_box is not None and not (_same_line(cur_box, box) and box[0] >= cur_box[0]):
            flush()
        if box is not None:
            cur_box = box if cur_box is None else _union(cur_box, box)
        cur.append(ch)
    flush()
    return runs
