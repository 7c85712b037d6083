"""Chinese-text helpers: normalisation with an offset map, CJK-safe boundaries, UTF-16 offsets.

Why: archival text is typed with full-width digits (１３９), ideographic spaces, and OCR confusions
(O for 0, l for 1). Recognizers match on a *normalised* copy, but every span must point into the
*original* text, which is never rewritten. ``normalize_with_map`` returns the normalised text and
a map from each normalised index to the original index it came from; ``NormalizedText.to_original``
turns a normalised ``[start, end)`` back into original offsets.

Label Studio counts offsets in UTF-16 code units; Python counts code points. A character outside
the Basic Multilingual Plane (𠮷, common in names) is one code point but two UTF-16 units, so every
later offset shifts. ``cp_to_utf16`` / ``utf16_to_cp`` convert at that boundary.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

__all__ = [
    "NormalizedText",
    "normalize",
    "normalize_with_map",
    "cp_to_utf16",
    "utf16_to_cp",
    "NOT_ALNUM_BEFORE",
    "NOT_ALNUM_AFTER",
]

#: Look-behind / look-ahead that replace ``\b`` (which never fires between 中 and 1 in Python).
NOT_ALNUM_BEFORE = r"(?<![0-9A-Za-z])"
NOT_ALNUM_AFTER = r"(?![0-9A-Za-z])"

# Characters that carry no text and are dropped from the normalised copy.
_DROP = frozenset("\u200b\u200c\u200d\u2060\ufeff\u00ad")
# Dashes that OCR and word processors put inside numbers; all become an ASCII hyphen.
_DASHES = {c: "-" for c in "\u2010\u2011\u2012\u2013\u2014\u2015\u2212\ufe63\uff0d\u30fc"}

# OCR confusions are repaired only inside digit runs: a run of digits and the confusable letters
# O o l I (with a separator allowed between them), not touching any other Latin letter, and
# holding at least four real digits ("X" may follow: an ID's check character). "Oil", "IBM",
# "lol@qq.com" stay as they are.
_OCR_RUN = re.compile(r"(?<![A-Za-z])[0-9OolI](?:[ \-]?[0-9OolI])+(?![A-WYZa-wyz])")
_OCR_FIX = str.maketrans({"O": "0", "o": "0", "l": "1", "I": "1"})
_MIN_REAL_DIGITS = 4


@lru_cache(maxsize=8192)
def _normalize_char(ch: str) -> str:
    """NFKC of one character, plus the dash and zero-width rules above."""
    if ch in _DROP:
        return ""
    if ch in _DASHES:
        return "-"
    if ch == "\u3000":  # ideographic space: NFKC gives " " too, made explicit
        return " "
    out = unicodedata.normalize("NFKC", ch)
    return out


@dataclass(frozen=True, slots=True)
class NormalizedText:
    """The original text, its normalised copy and the map between them.

    ``index_map[i]`` is the original index of normalised character ``i``; it has one extra entry,
    ``len(original)``, so that an exclusive end maps too.
    """

    original: str
    text: str
    index_map: tuple[int, ...] | range

    @classmethod
    def of(cls, original: str) -> "NormalizedText":
        norm, mapping = _normalize(original)
        if mapping is None:  # the usual case: same length, identity map (a range costs nothing)
            return cls(original, norm, range(len(original) + 1))
        return cls(original, norm, tuple(mapping) + (len(original),))

    @property
    def identity(self) -> bool:
        return self.text == self.original

    def to_original(self, start: int, end: int) -> tuple[int, int]:
        """Map a normalised half-open range to the original text.

        The start maps to where its first character came from; the end to just after where its
        last character came from, so an expansion (one original character that became several)
        is covered whole and dropped characters inside the range are included.
        """
        if not 0 <= start < end <= len(self.text):
            raise ValueError(f"range [{start}, {end}) outside normalised text of {len(self.text)}")
        o_start = self.index_map[start]
        o_end = self.index_map[end - 1] + 1
        # an expansion (e.g. '…' -> '...') maps several normalised chars to one original char
        return o_start, max(o_end, o_start + 1)


def normalize_with_map(text: str) -> tuple[str, list[int]]:
    """Normalise ``text`` for matching and return ``(normalised, map)``.

    ``map[i]`` is the index in ``text`` of the character that produced normalised character ``i``
    (``len(map) == len(normalised)``). Steps: per-character NFKC (full-width digits, letters and
    punctuation to half-width, ideographic space to space), dashes to ``-``, zero-width characters
    dropped, then OCR confusions inside digit runs (O/o -> 0, l/I -> 1). The usual case keeps the
    length, so the map is the identity; expansions (``…`` -> ``...``) and drops are mapped exactly.
    """
    norm, mapping = _normalize(text)
    return norm, (list(range(len(text))) if mapping is None else mapping)


def _normalize(text: str) -> tuple[str, list[int] | None]:
    """``normalize_with_map`` with ``None`` for the identity map."""
    if not isinstance(text, str):
        raise TypeError(f"text must be str, not {type(text).__name__}")
    # one str.translate over a table of the distinct characters that change; the map is the
    # identity except around the few characters that expand (… -> ...) or vanish (zero-width)
    table: dict[int, str] = {}
    resized: dict[str, int] = {}
    if not text.isascii():
        for ch in set(text):
            if ord(ch) > 127:
                out = _normalize_char(ch)
                if out != ch:
                    table[ord(ch)] = out
                if len(out) != 1:
                    resized[ch] = len(out)
    norm = text.translate(table) if table else text
    mapping: list[int] | None = None
    if resized:
        mapping = []
        prev = 0
        for m in re.finditer("[" + re.escape("".join(resized)) + "]", text):
            i = m.start()
            mapping.extend(range(prev, i))
            mapping.extend([i] * resized[text[i]])
            prev = i + 1
        mapping.extend(range(prev, len(text)))
    if any(c in norm for c in "OolI"):
        norm = _OCR_RUN.sub(_fix_ocr_run, norm)  # same length: the map is unchanged
    return norm, mapping


def _fix_ocr_run(m: re.Match[str]) -> str:
    run = m.group(0)
    if sum(c.isdigit() for c in run) < _MIN_REAL_DIGITS:
        return run
    return run.translate(_OCR_FIX)


def normalize(text: str) -> str:
    """The normalised text only (see ``normalize_with_map``)."""
    return normalize_with_map(text)[0]


def cp_to_utf16(text: str, i: int) -> int:
    """UTF-16 code-unit offset of code-point offset ``i`` in ``text`` (Label Studio's unit)."""
    if not 0 <= i <= len(text):
        raise ValueError(f"code-point offset {i} outside text of length {len(text)}")
    return i + sum(1 for ch in text[:i] if ord(ch) > 0xFFFF)


def utf16_to_cp(text: str, j: int) -> int:
    """Code-point offset of UTF-16 offset ``j``; raises if ``j`` splits a surrogate pair."""
    if j < 0:
        raise ValueError(f"negative UTF-16 offset {j}")
    units = 0
    for cp, ch in enumerate(text):
        if units == j:
            return cp
        units += 2 if ord(ch) > 0xFFFF else 1
        if units > j:
            raise ValueError(f"UTF-16 offset {j} falls inside the surrogate pair of {ch!r} at {cp}")
    if units == j:
        return len(text)
    raise ValueError(f"UTF-16 offset {j} outside text of {units} UTF-16 units")


# three or more Chinese characters, each its own token, separated by single spaces (沈 福 根),
# the way OCR of old typescript spaces text out; spaces between words (黄桥乡 张庄村) stay
_SPACED_RUN = re.compile(r"(?<![\u4e00-\u9fff])[\u4e00-\u9fff](?: [\u4e00-\u9fff](?![\u4e00-\u9fff])){2,}")


def despaced_view(text: str) -> tuple[str, list[int]] | None:
    """``(view, map)`` of a text with its character-spaced runs closed up (沈 福 根 -> 沈福根),
    or None when it has none.

    Why: OCR of old typescript puts a space after many characters, and a character tagger
    trained on ordinary text reads 沈 福 根 as three letters, not a name. ``map[i]`` is the
    original index of view character ``i`` plus one extra entry ``len(text)``; a span
    ``[s, e)`` of the view is ``[map[s], map[e - 1] + 1)`` of the original, spaces inside kept.
    """
    drop: list[int] = []
    for m in _SPACED_RUN.finditer(text):
        drop.extend(range(m.start() + 1, m.end(), 2))
    if not drop:
        return None
    dropped = set(drop)
    keep = [i for i in range(len(text)) if i not in dropped]
    return "".join(text[i] for i in keep), keep + [len(text)]
