"""What every rule recognizer shares: the protocol, context-word look-up, span building.

Why a context look-up of its own: the same digits are an ID after 身份证号, a phone after 电话,
and nothing at all after 档号 or 邮编. Recognizers ask ``nearest_context`` for the closest cue
word before a candidate (in the normalised text) and score the candidate by what it says.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Iterable, Mapping, Protocol, runtime_checkable

from models.spans import Span
from models.text import NormalizedText


@runtime_checkable
class Recognizer(Protocol):
    """A rule recognizer: cheap to build (no I/O), finds spans in one text."""

    name: str
    labels: frozenset[str]

    def find(self, text: str) -> list[Span]: ...

    def find_normalized(self, nt: NormalizedText) -> list[Span]: ...


class RecognizerBase:
    """``find`` normalises once and delegates to ``find_normalized``; subclasses write the latter."""

    name: str = ""
    labels: frozenset[str] = frozenset()

    def find(self, text: str) -> list[Span]:
        return self.find_normalized(NormalizedText.of(text))

    def find_normalized(self, nt: NormalizedText) -> list[Span]:  # pragma: no cover - abstract
        raise NotImplementedError

    def span(self, nt: NormalizedText, start: int, end: int, label: str, score: float,
             explanation: str) -> Span:
        """A span over the *original* text for the normalised range ``[start, end)``."""
        o_start, o_end = nt.to_original(start, end)
        return Span(o_start, o_end, label, round(min(max(score, 0.0), 1.0), 4), self.name,
                    explanation)

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.name}>"


@dataclass(frozen=True, slots=True)
class ContextHit:
    category: str  # e.g. "id", "phone", "bank", or a decoy category such as "decoy"
    word: str
    distance: int  # characters between the end of the cue word and the candidate
    #: where the cue stands: "inline" (before the number in its clause), "column" (the header
    #: cell of its table column), "above" (a label alone on the line above the value)
    where: str = "inline"


_DIGIT = re.compile(r"[0-9]")
_SPACED = " {0,3}"
_CJK_WORD = re.compile(r"[\u3400-\u9fff]{2,}")


def _unspaced(word: str) -> str:
    """A cue word as looked up: without spaces between Chinese characters (电 话 -> 电话)."""
    return word.replace(" ", "") if _CJK_WORD.fullmatch(word.replace(" ", "")) else word


class ContextWords:
    """Cue words by category, found by one regex, longest word first.

    ``nearest(text, pos, window)`` returns the cue word whose end lies closest before ``pos``
    within ``window`` characters. Only what lies between the cue and the candidate matters, so a
    word of another category in between (``身份证号…… 电话``) makes that nearer one win. Cues of the
    ``first_number_only`` categories (decoys) name only the first number after them.
    """

    def __init__(self, words: Mapping[str, Iterable[str]], first_number_only: Iterable[str] = ()):
        self.first_number_only = frozenset(first_number_only)
        self._category: dict[str, str] = {}
        for category, ws in words.items():
            for w in ws:
                self._category.setdefault(_unspaced(w), category)
        alts = sorted(self._category, key=len, reverse=True)
        # a form spaces its labels out to the width of a cell (电　　话, 身 份 证 号): the Chinese
        # cue words match with up to three spaces between their characters
        pattern = "|".join(
            _SPACED.join(map(re.escape, w)) if _CJK_WORD.fullmatch(w) else re.escape(w) for w in alts)
        self._regex = re.compile(pattern)
        self._at_end = re.compile(f"(?:{pattern})\\Z")

    def nearest(self, text: str, pos: int, window: int = 24, *, stop_at: str = "\n。；;")\
            -> ContextHit | None:
        lo = max(0, pos - window)
        # a sentence end or a new line cuts the window: the cue must be in the same clause
        for ch in stop_at:
            k = text.rfind(ch, lo, pos)
            if k >= 0:
                lo = max(lo, k + 1)
        best: ContextHit | None = None
        for m in self._regex.finditer(text, lo, pos):
            word = m.group(0)
            category = self._category.get(word) or self._category[_unspaced(word)]
            if category in self.first_number_only and _DIGIT.search(text, m.end(), pos):
                continue  # 邮编350001，…6236683577767268: the decoy named the first number only
            hit = ContextHit(category, m.group(0), pos - m.end())
            if best is None or hit.distance <= best.distance:
                best = hit
        return best

    def in_label(self, label: str, *, at_end: bool = False) -> ContextHit | None:
        """The cue a short label names (a table header cell, a form label): its first cue word,
        or with ``at_end`` the cue word that ends it (``申请人身份证号`` names an ID)."""
        if at_end:
            m = self._at_end.search(label)
            if m is None:
                return None
        else:
            m = self._regex.search(label)
            if m is None:
                return None
        return ContextHit(self._category[_unspaced(m.group(0))], m.group(0), 0)

    def following(self, text: str, end: int, window: int = 6) -> ContextHit | None:
        """A cue word right after a candidate (``13905912345（手机）``)."""
        m = self._regex.search(text, end, min(len(text), end + window))
        if m is None:
            return None
        return ContextHit(self._category[_unspaced(m.group(0))], m.group(0), m.start() - end)


def digits_only(s: str) -> str:
    return "".join(c for c in s if c.isdigit() or c in "Xx").upper()
