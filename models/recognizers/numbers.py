"""Digit runs: numbers as typed, with the spaces, hyphens and line breaks inside them.

Why one tokenizer for all numeric recognizers: "350102 19870315 4511" is one ID,
"6222 0210 0112 3456 789" one bank card, "0591-87654321" one landline, but
"350102198703154511 13905912345" in a table row is an ID *and* a phone. A run is a maximal
sequence of digit groups joined by single separators: a space, a tab, a hyphen, or a line break
with the indent around it (and maybe a hyphen before it), which is how a form wraps a long
number onto its next line; not when the next line opens with a list number (``4．``). A candidate is a contiguous slice of its groups. The whole run is the number as written; a slice (``split=True``) is a weaker reading that
recognizers score lower, so that the whole-run reading wins an overlap.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

_RUN = re.compile(
    r"(?<![0-9A-Za-z@_])(?<![0-9][.])(?<![0-9A-Za-z]-)"  # not inside a word, a decimal, an e-mail or a code
    r"[0-9]+(?:(?:[ \t\-]|-?[ \t]*\r?\n[ \t]*(?![0-9]+[.、)](?![0-9])))[0-9]+)*[Xx]?"
    r"(?![0-9A-Za-z@_])(?![.][0-9])(?!-[0-9A-Za-z])"
)
_GROUP = re.compile(r"[0-9]+[Xx]?")

#: Longest digit string any numeric recognizer cares about (bank accounts).
MAX_DIGITS = 30


@dataclass(frozen=True, slots=True)
class Candidate:
    start: int  # normalised offsets
    end: int
    digits: str  # the digits only (X upper-cased)
    split: bool  # True when only part of a longer run
    groups: tuple[int, ...]  # lengths of the digit groups, e.g. (4, 8) for 0591-87654321
    at_run_start: bool = True

    @property
    def regrouped(self) -> bool:
        """A slice of a longer run made of several groups: a guess at how to regroup digits
        (a single complete group beside others, as in a table row, is no guess)."""
        return self.split and len(self.groups) > 1


@lru_cache(maxsize=16)
def digit_runs(text: str) -> tuple[tuple[tuple[int, int], ...], ...]:
    """Each run as a tuple of its groups' ``(start, end)`` in ``text`` (normalised)."""
    runs = []
    for m in _RUN.finditer(text):
        groups = tuple((g.start() + m.start(), g.end() + m.start()) for g in _GROUP.finditer(m.group(0)))
        runs.append(groups)
    return tuple(runs)


@lru_cache(maxsize=16)
def candidates(text: str) -> tuple[Candidate, ...]:
    """Every contiguous slice of every run's groups, whole runs first (at most ``MAX_DIGITS``)."""
    out: list[Candidate] = []
    for groups in digit_runs(text):
        n = len(groups)
        for i in range(n):
            for j in range(i, n):
                s, e = groups[i][0], groups[j][1]
                digits = "".join(text[a:b] for a, b in groups[i : j + 1]).upper()
                if len(digits) > MAX_DIGITS:
                    break
                # an X may only end the last group of the slice
                if "X" in digits[:-1]:
                    break
                lengths = tuple(b - a for a, b in groups[i : j + 1])
                out.append(Candidate(s, e, digits, not (i == 0 and j == n - 1), lengths, i == 0))
    return tuple(out)


def luhn_ok(digits: str) -> bool:
    """The Luhn (mod 10) check that bank cards pass."""
    if not digits.isdigit():
        return False
    total = 0
    for k, ch in enumerate(reversed(digits)):
        d = ord(ch) - 48
        if k % 2 == 1:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return total % 10 == 0
