"""PHONE and EMAIL recognizers: mobiles, landlines with area or country code, short local numbers
after a phone cue, fax, pagers (传呼126-3351872), e-mail addresses.

The label word (电话, 传真, 传呼) is outside the span; a country code (+86, (+86), 0086) and an area
code in brackets ((0591)87654321) are inside it, as written.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.recognizers.context import CONTEXT, quantity_follows
from models.recognizers.numbers import Candidate, candidates
from models.spans import Span
from models.text import NormalizedText

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_COUNTRY_PREFIX = re.compile(r"(?:\(\+?86\)|\+|\+86|0086)[ \-]?$")  # what may precede the digits
_AREA_IN_BRACKETS = re.compile(r"\((0[0-9]{2,3})\)[ \-]?$")
_SERVICE = re.compile(r"[48]00[0-9]{7}")
# what may stand between a phone cue and a bare local number: 电话：, 电话(办) , 电话号码为
_CUE_GAP = re.compile(r"^(?:号码|号)?[ :\-()办宅为是]{0,4}$")
_LIST_SEP = re.compile(r"^[ ]?[、，,/或和及;；][ ]?$|^[ ]?$")


def area_code_length(digits: str) -> int | None:
    """Length of the area code a 0-prefixed number starts with (010, 02X: 3; 03XX-09XX: 4)."""
    if len(digits) < 3 or digits[0] != "0":
        return None
    if digits[1] in "12":
        return 3 if digits[1] == "2" or digits[2] == "0" else None
    return 4


def split_landline(digits: str, min_subscriber: int = 7) -> tuple[str, str] | None:
    """(area code, subscriber) when ``digits`` is a full landline number, else None.

    Subscriber numbers have 7-8 digits since the 1990s; older ones 5-6, accepted only where the
    caller has other evidence (a separator after the area code, or a phone cue).
    """
    k = area_code_length(digits)
    if k is None:
        return None
    sub = digits[k:]
    if min_subscriber <= len(sub) <= 8 and sub[0] in "23456789":
        return digits[:k], sub
    return None


class PhoneRecognizer(RecognizerBase):
    """Mobiles, landlines, +86 forms, fax and local numbers; one recognizer so that the readings
    of one run agree (a number is read once, and list continuations see the previous phone)."""

    name = "cn_phone.v1"
    labels = frozenset({"PHONE"})

    def __init__(self, context_window: int = 16, local_context_distance: int = 4,
                 split_penalty: float = 0.15):
        self.context_window = context_window
        self.local_context_distance = local_context_distance
        self.split_penalty = split_penalty

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        out: list[Span] = []
        last_end = -10
        for c in sorted(candidates(text), key=lambda c: (c.start, -c.end)):
            if "X" in c.digits:
                continue
            read = self._read(text, c, last_end)
            if read is None:
                continue
            start, score, why = read
            if c.regrouped:
                score -= self.split_penalty
                why += "; regrouped from a longer digit run"
            if score >= 0.5:
                last_end = max(last_end, c.end)
            out.append(self.span(nt, start, c.end, "PHONE", score, why))
        return out

    def _read(self, text: str, c: Candidate, last_end: int) -> tuple[int, float, str] | None:
        d = c.digits
        if quantity_follows(text, c.end):
            return None
        ctx = CONTEXT.nearest(text, c.start, self.context_window)
        cat = ctx.category if ctx else None
        if cat == "decoy":
            return None
        phone_ctx = cat in ("phone", "pager")
        ctx_note = f"; context {ctx.word}" if phone_ctx else ""
        start = c.start
        before = text[max(0, c.start - 6) : c.start]
        prefix = _COUNTRY_PREFIX.search(before)

        # +86 forms: the country code may be inside the run (86 139...) or before it ((+86)139...)
        national = d
        if d.startswith("0086"):
            national = d[4:]
        elif d.startswith("86") and ((prefix and prefix.group(0).startswith("+") and len(d) >= 9)
                                     or (len(d) == 13 and _MOBILE.fullmatch(d[2:]))):
            national = d[2:]
        if national != d and prefix and prefix.group(0).startswith("+"):
            start = c.start - len(prefix.group(0))
        elif national == d and prefix and "86" in prefix.group(0):
            start = c.start - len(prefix.group(0))

        if len(national) == 11 and _MOBILE.fullmatch(national):
            if cat in ("bank", "id", "passport", "permit"):
                return start, 0.45, f"mobile pattern but context {ctx.word}"
            if not phone_ctx and national == d and _looks_like_date(d[:8]):
                # 19690911240 after 收文日期: a date with a serial, unless a phone cue says otherwise
                return start, 0.45, "mobile pattern, but starts with a date and has no phone cue"
            base = 0.98 if (phone_ctx or national != d) else 0.9
            return start, base, "mobile number (1[3-9] + 9 digits)" + ctx_note
        if national == d:
            k = area_code_length(d)
            sep_after_area = k is not None and len(c.groups) >= 2 and c.groups[0] == k
            landline = split_landline(d, 5 if (phone_ctx or sep_after_area) else 7)
        else:  # +86 591 87654321 drops the trunk 0
            sep_after_area = True
            landline = split_landline(national, 5) or split_landline("0" + national, 5)
        if landline is not None and cat not in ("bank", "id"):
            old = len(landline[1]) < 7
            base = 0.97 if phone_ctx else (0.88 if sep_after_area else 0.7)
            return start, base - (0.05 if old else 0.0), (
                f"landline, area code {landline[0]}" + (", short (old) subscriber number" if old else "") + ctx_note)
        bracket = _AREA_IN_BRACKETS.search(before)
        if bracket and (7 <= len(d) <= 8 or (phone_ctx and 5 <= len(d) <= 6)) and d[0] in "23456789":
            start = c.start - len(bracket.group(0))
            return start, 0.95 if phone_ctx else 0.88, f"landline, area code {bracket.group(1)} in brackets" + ctx_note
        if _SERVICE.fullmatch(national):
            return start, 0.97 if phone_ctx else 0.85, "service number (400/800)" + ctx_note
        if cat == "pager" and 5 <= len(d) <= 11 and ctx.distance <= self.local_context_distance + 4:
            return start, 0.95, f"pager number, context {ctx.word}"
        if 4 <= len(d) <= 8:
            gap_to_cue = text[c.start - ctx.distance : c.start] if ctx else ""
            if (cat == "phone" and ctx.distance <= self.local_context_distance
                    and _CUE_GAP.match(gap_to_cue) and (len(d) <= 6 or d[0] in "23456789")):
                return start, 0.9, f"local number after {ctx.word}"
            gap = text[last_end:c.start] if 0 <= last_end <= c.start else None
            if (gap is not None and _LIST_SEP.match(gap) and len(d) >= 5 and len(c.groups) == 1
                    and not _looks_like_date(d)):
                return start, 0.8, "local number continuing a list of phone numbers"
        return None


def _looks_like_date(d: str) -> bool:
    """19960315-style dates, which must never read as phone numbers."""
    return (len(d) == 8 and d[:2] in ("18", "19", "20") and "01" <= d[4:6] <= "12"
            and "01" <= d[6:8] <= "31")


class EmailRecognizer(RecognizerBase):
    """E-mail addresses (full-width ＠ and letters are normalised first)."""

    name = "email.v1"
    labels = frozenset({"EMAIL"})
    pattern = re.compile(
        r"(?<![A-Za-z0-9._%+\-])"
        r"[A-Za-z0-9](?:[A-Za-z0-9._%+\-]{0,63}[A-Za-z0-9_%+\-])?"
        r"@[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?"
        r"(?:\.[A-Za-z0-9](?:[A-Za-z0-9\-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,24}"
        r"(?![A-Za-z0-9\-])(?!\.[A-Za-z0-9])"
    )

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        return [self.span(nt, m.start(), m.end(), "EMAIL", 0.97, "e-mail address pattern")
                for m in self.pattern.finditer(nt.text)]
