"""PHONE and EMAIL recognizers: mobiles, landlines with area or country code, short local numbers
after a phone cue, fax, pagers (传呼126-3351872), e-mail addresses.

The label word (电话, 传真, 传呼) is outside the span; a country code (+86, (+86), 0086) and an area
code in brackets ((0591)87654321) are inside it, as written.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.recognizers.context import WEAK_PHONE_WORDS, cue_before, quantity_follows
from models.recognizers.numbers import Candidate, candidates
from models.spans import Span
from models.text import NormalizedText

_MOBILE = re.compile(r"1[3-9][0-9]{9}")
_COUNTRY_PREFIX = re.compile(r"(?:\(\+?86\)|\+|\+86|0086)[ \-]?$")  # what may precede the digits
_AREA_IN_BRACKETS = re.compile(r"\((0[0-9]{2,3})\)[ \-]?$")
_FOREIGN_AREA_IN_BRACKETS = re.compile(r"\(([1-9][0-9]{1,3})\)[ \-]?$")
_SERVICE = re.compile(r"[48]00[0-9]{7}")
#: ITU-T E.164 country calling codes (prefix-free, so at most one starts a number). 86 is read by
#: the +86 rules; 852 Hong Kong, 853 Macao and 886 Taiwan are the ones archives meet most.
COUNTRY_CODES = frozenset(
    "1 7 20 27 30 31 32 33 34 36 39 40 41 43 44 45 46 47 48 49 51 52 53 54 55 56 57 58 60 61 62 63 "
    "64 65 66 81 82 84 90 91 92 93 94 95 98 "
    "211 212 213 216 218 220 221 222 223 224 225 226 227 228 229 230 231 232 233 234 235 236 237 "
    "238 239 240 241 242 243 244 245 246 248 249 250 251 252 253 254 255 256 257 258 260 261 262 "
    "263 264 265 266 267 268 269 290 291 297 298 299 350 351 352 353 354 355 356 357 358 359 370 "
    "371 372 373 374 375 376 377 378 380 381 382 383 385 386 387 389 420 421 423 500 501 502 503 "
    "504 505 506 507 508 509 590 591 592 593 594 595 596 597 598 599 670 672 673 674 675 676 677 "
    "678 679 680 681 682 683 685 686 687 688 689 690 691 692 850 852 853 855 856 880 886 960 961 "
    "962 963 964 965 966 967 968 970 971 972 973 974 975 976 977 992 993 994 995 996 998".split())
_CC_IN_BRACKETS = re.compile(r"\((\+)?([0-9]{1,3})\)[ \-]?$")


def split_country_code(digits: str) -> tuple[str, str] | None:
    """(country code, national number) for a number written with its country code, else None."""
    for k in (1, 2, 3):
        if digits[:k] in COUNTRY_CODES:
            return digits[:k], digits[k:]
    return None
# what may stand between a phone cue and a bare local number: 电话：, 电话(办) , 电话号码为
_CUE_GAP = re.compile(r"^(?:号码|号)?[ :|\-()办宅为是]{0,4}$")
# between two numbers of one list: a separator, maybe after a note on the first (225416（单位） 206387)
_LIST_SEP = re.compile(r"^(?:[ ]?\([^()\n]{1,6}\))?(?:[ ]*[、，,/或和及;；][ ]?|[ ]*)$")


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

    name = "cn_phone.v2"
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
        # a directory (通讯录, 电话一览) lists one number at the end of each line: the digit count of
        # the phone that ends a line, by the line's start
        line_phones: dict[int, int] = {}
        for c in sorted(candidates(text), key=lambda c: (c.start, -c.end)):
            if "X" in c.digits:
                continue
            read = self._read(text, c, last_end, line_phones)
            if read is None:
                continue
            start, score, why = read
            if c.regrouped:
                score -= self.split_penalty
                why += "; regrouped from a longer digit run"
            if score >= 0.5:
                last_end = max(last_end, c.end)
                if _ends_its_line(text, c.end):
                    line_phones[text.rfind("\n", 0, c.start) + 1] = len(c.digits)
            out.append(self.span(nt, start, c.end, "PHONE", score, why))
        return out

    def _read(self, text: str, c: Candidate, last_end: int,
              line_phones: dict[int, int]) -> tuple[int, float, str] | None:
        d = c.digits
        if quantity_follows(text, c.end):
            return None
        ctx = cue_before(text, c.start, self.context_window)
        cat = ctx.category if ctx else None
        if cat == "decoy":
            return None
        phone_ctx = cat in ("phone", "pager")
        ctx_note = f"; context {ctx.word}" if phone_ctx else ""
        start = c.start
        before = text[max(0, c.start - 8) : c.start]
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

        if national == d and cat not in ("bank", "id", "passport", "permit"):
            intl = self._international(text, c, before, prefix, phone_ctx)
            if intl is not None:
                i_start, score, why = intl
                return i_start, score, why + ctx_note
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
        foreign_area = _FOREIGN_AREA_IN_BRACKETS.search(before)
        if foreign_area and phone_ctx and 6 <= len(d) <= 8:
            start = c.start - len(foreign_area.group(0))  # 電話：(415) 986-4731
            return start, 0.9, f"number with area code {foreign_area.group(1)} in brackets" + ctx_note
        if _SERVICE.fullmatch(national):
            return start, 0.97 if phone_ctx else 0.85, "service number (400/800)" + ctx_note
        if cat == "pager" and 5 <= len(d) <= 11 and ctx.distance <= self.local_context_distance + 4:
            return start, 0.95, f"pager number, context {ctx.word}"
        if 4 <= len(d) <= 8:
            if text.startswith("-", c.end):
                return None  # 3-1724 3-1725: this slice would end inside the next number
            gap_to_cue = text[c.start - ctx.distance : c.start] if ctx else ""
            # a subscriber number never starts with 0 (that is an area code: 电话 0591-…)
            local_shape = d[0] != "0" and (len(d) <= 6 or d[0] in "23456789")
            weak_cue = ctx is not None and _unspaced_word(ctx.word) in WEAK_PHONE_WORDS
            if weak_cue and (len(d) < 5 or _looks_like_date(d)):
                local_shape = False  # 住宅｜1936 in a land register: a year or an area, not a phone
            gap_core = gap_to_cue.replace(" ", "")  # aligned columns pad the gap with spaces
            if (cat == "phone" and ctx.where == "inline" and len(gap_core) <= self.local_context_distance
                    and _CUE_GAP.match(gap_core) and local_shape):
                return start, 0.9, f"local number after {ctx.word}"
            # in a column: the number opens its cell (a tab or a space joins cells into one run)
            opens_cell = c.at_run_start or (len(c.groups) == 1 and text[c.start - 1] in "\t ")
            if cat == "phone" and ctx.where != "inline" and opens_cell and local_shape:
                return start, 0.88, f"local number in a {ctx.word} {'column' if ctx.where == 'column' else 'field'}"
            gap = text[last_end:c.start] if 0 <= last_end <= c.start else None
            if (gap is not None and _LIST_SEP.match(gap) and len(d) >= 5 and len(c.groups) <= 2
                    and not _looks_like_date(d)):
                return start, 0.8, "local number continuing a list of phone numbers"
            above = _previous_line_start(text, c.start)
            if (above is not None and line_phones.get(above) == len(d) and len(d) >= 5 and local_shape
                    and cat in (None, "phone") and _ends_its_line(text, c.end) and not _looks_like_date(d)):
                return start, 0.8, "local number ending its line, as the phone on the line above does"
        return None


    @staticmethod
    def _international(text: str, c: Candidate, before: str, prefix: re.Match[str] | None,
                       phone_ctx: bool) -> tuple[int, float, str] | None:
        """A foreign, Hong Kong, Macao or Taiwan number written with its country code:
        +852 9123 4567, 00852-9123 4567, (852) 2345 6789, 81-6-6341-2207, 1-212-555-0123."""
        d = c.digits
        first = d[:c.groups[0]]
        if prefix is not None and prefix.group(0).startswith("+") and "86" not in prefix.group(0):
            cc = split_country_code(d)
            # written in groups, the country code is the first group (+852 9123 4567)
            if cc and 6 <= len(cc[1]) <= 12 and (len(c.groups) == 1 or cc[0] == first):
                return c.start - len(prefix.group(0)), 0.95, f"international number, country code +{cc[0]}"
        if d.startswith("00") and not d.startswith("0086") and len(c.groups) >= 2:
            cc = split_country_code(d[2:])
            if cc and 6 <= len(cc[1]) <= 12 and "00" + cc[0] == first:
                return c.start, 0.92, f"international number, country code 00{cc[0]}"
        bracket = _CC_IN_BRACKETS.search(before)
        if (bracket and bracket.group(2) in COUNTRY_CODES and bracket.group(2) != "86"
                and (bracket.group(1) or len(bracket.group(2)) == 3 or phone_ctx) and 6 <= len(d) <= 12):
            return (c.start - len(bracket.group(0)), 0.92,
                    f"international number, country code ({bracket.group(2)}) in brackets")
        # no prefix: the country code is the first of at least three groups (81-6-6341-2207)
        g = c.groups
        if len(g) >= 3 and d[:g[0]] in COUNTRY_CODES and not d.startswith("86"):
            national = g[1:]
            if (6 <= sum(national) <= 12 and sum(1 for n in national if n == 1) <= 1
                    and national[-1] >= 3 and max(national) <= 8 and _one_separator(text, c)):
                return c.start, 0.95 if phone_ctx else 0.8, f"international number, country code {d[:g[0]]}"
        return None


_LINE_TAIL = re.compile(r"[^0-9\n]*(?:\n|$)")


def _ends_its_line(text: str, end: int) -> bool:
    """No other number after ``end`` on its line (a note such as （兼传真） may follow)."""
    return _LINE_TAIL.match(text, end) is not None


def _previous_line_start(text: str, pos: int, max_blank: int = 2) -> int | None:
    """Start of the nearest non-blank line above the line of ``pos`` (at most two blank lines
    in between), or None."""
    start = text.rfind("\n", 0, pos) + 1
    for _ in range(max_blank + 1):
        if start == 0:
            return None
        prev = text.rfind("\n", 0, start - 1) + 1
        if text[prev:start - 1].strip():
            return prev
        start = prev
    return None


def _unspaced_word(word: str) -> str:
    return word.replace(" ", "")


def _one_separator(text: str, c: Candidate) -> bool:
    """All groups of the candidate joined by the same single separator (81-6-6341-2207)."""
    seps = set(re.findall(r"[^0-9]+", text[c.start:c.end]))
    return len(seps) == 1 and seps <= {"-", " "}


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
