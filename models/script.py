"""Traditional-script text (繁體): detection runs on a simplified view with the same offsets.

Why: the rules' context words (身份证号, 电话, 住址), the lexicon and the tagger were all built
on simplified text, so a letter written in 繁體 (身份證號, 電話, 住址 in 香港九龍…) lost names,
numbers and addresses. OpenCC converts phrase by phrase (乾隆 stays 乾隆, 頭髮 becomes 头发);
its output is almost always as long as its input, character for character, and then every
offset into the view is an offset into the original. Where a conversion changes the length,
the view is made character by character instead, so the guarantee holds always: a span found
on the view is returned, unchanged, as a span of the original string, which is never rewritten.
"""
from __future__ import annotations

import threading

_CONVERTER = None
_LOCK = threading.Lock()


def _converter():
    global _CONVERTER
    if _CONVERTER is None:
        with _LOCK:
            if _CONVERTER is None:
                import opencc

                _CONVERTER = opencc.OpenCC("t2s")
    return _CONVERTER


def simplified_view(text: str) -> str:
    """``text`` in simplified characters, exactly as long as ``text`` (see module docstring)."""
    if not text or text.isascii():
        return text
    conv = _converter()
    out = conv.convert(text)
    if len(out) == len(text):
        return out
    chars = []
    for ch in text:
        c = conv.convert(ch)
        chars.append(c if len(c) == 1 else ch)
    return "".join(chars)
