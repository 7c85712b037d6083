"""Undo soft line wrapping in text read off a page (OCR and PDF text layers).

A scanned or typeset page breaks a paragraph into lines at the right margin. Kept as newlines,
those breaks split what later stages must see whole: an 18-digit ID number, a phone number or an
address wrapped across two lines no longer matches a recogniser. A line that runs to the right
margin (within 1.5 characters) is therefore joined to the next one, unless the next line starts a
new numbered item (一、 （二） 3. ...). Short lines (headings, signatures, dates, the last line of
a paragraph) keep their newline.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from statistics import median

_NEW_ITEM = re.compile(r"^\s*(?:[一二三四五六七八九十]+[、．.]|[（(][一二三四五六七八九十\d]+[)）]|\d+[、.．)）]|第[一二三四五六七八九十\d]+[条章节])")


@dataclass(frozen=True)
class Line:
    x0: float
    x1: float
    text: str


def reflow(lines: list[Line]) -> str:
    """Join lines wrapped at the right margin; keep real line ends. Needs at least three lines
    to know where the margin is; fewer are returned one per line."""
    lines = [ln for ln in lines if ln.text.strip()]
    if not lines:
        return ""
    texts = [ln.text.strip() for ln in lines]
    if len(lines) < 3:
        return "\n".join(texts)
    right = max(ln.x1 for ln in lines)
    left = min(ln.x0 for ln in lines)
    char_w = median((ln.x1 - ln.x0) / max(len(t), 1) for ln, t in zip(lines, texts))
    out = texts[0]
    for prev, cur, cur_text in zip(lines, lines[1:], texts[1:]):
        full = prev.x1 >= right - 1.5 * char_w and (prev.x1 - prev.x0) >= 0.6 * (right - left)
        out += ("" if full and not _NEW_ITEM.match(cur_text) else "\n") + cur_text
    return out
