"""ID_NUMBER recognizers: resident IDs (GB 11643), passports, home-return permits, PLA officer cards.

Scores say how sure the rule is, explanations say why (checksum, birth date, province, context).
A resident ID whose check digit is wrong is still an ID when the text says so (``身份证号``): such
numbers are emitted with a lower score and "checksum failed, context 身份证号"; without that
context they stay below the analyzer's threshold. A decoy cue (档号, 文号, 税务登记号, 邮编 ...)
vetoes any reading.
"""
from __future__ import annotations

import datetime as dt
import re

from models.recognizers.base import RecognizerBase
from models.recognizers.context import cue_before
from models.recognizers.numbers import candidates, luhn_ok
from models.spans import Span
from models.text import NormalizedText

#: First two digits of the administrative-division code (GB/T 2260), plus 71 Taiwan, 81 Hong Kong,
#: 82 Macao and 83 (residence permits for Taiwan residents).
PROVINCE_CODES = frozenset({
    11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45, 46,
    50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83,
})
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_CHECK = "10X98765432"
_MIN_BIRTH_YEAR = 1870


def resident_id_check_char(first17: str) -> str:
    """The GB 11643-1999 check character (ISO 7064 MOD 11-2) for the first 17 digits."""
    if len(first17) != 17 or not first17.isdigit():
        raise ValueError("need exactly 17 digits")
    return _CHECK[sum(int(c) * w for c, w in zip(first17, _WEIGHTS)) % 11]


def _valid_date(year: int, month: int, day: int, today: dt.date | None = None) -> bool:
    today = today or dt.date.today()
    try:
        d = dt.date(year, month, day)
    except ValueError:
        return False
    return dt.date(_MIN_BIRTH_YEAR, 1, 1) <= d <= today


def id18_parts(digits: str) -> tuple[bool, bool, bool]:
    """(province valid, birth date valid, checksum valid) for an 18-character ID."""
    province = int(digits[:2]) in PROVINCE_CODES
    date = digits[6:14].isdigit() and _valid_date(int(digits[6:10]), int(digits[10:12]), int(digits[12:14]))
    checksum = digits[:17].isdigit() and resident_id_check_char(digits[:17]) == digits[17]
    return province, date, checksum


def is_valid_resident_id(number: str) -> bool:
    """Strict validity: 18 characters with province, birth date and check digit, or a legacy 15."""
    d = number.replace(" ", "").replace("-", "").upper()
    if len(d) == 18 and d[:17].isdigit() and (d[17].isdigit() or d[17] == "X"):
        return all(id18_parts(d))
    if len(d) == 15 and d.isdigit():
        return _legacy15_ok(d)
    return False


def _legacy15_ok(d: str) -> bool:
    return int(d[:2]) in PROVINCE_CODES and d[2:6] != "0000" and _valid_date(
        1900 + int(d[6:8]), int(d[8:10]), int(d[10:12]))


class ResidentIdRecognizer(RecognizerBase):
    """18-digit resident IDs (check digit may be X) and legacy 15-digit IDs, spaced or not."""

    name = "cn_resident_id.v2"
    labels = frozenset({"ID_NUMBER"})

    def __init__(self, context_window: int = 24, split_penalty: float = 0.15):
        self.context_window = context_window
        self.split_penalty = split_penalty

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        out: list[Span] = []
        for c in candidates(text):
            n = len(c.digits)
            if n not in (15, 18) or (n == 15 and not c.digits.isdigit()):
                continue
            ctx = cue_before(text, c.start, self.context_window)
            cat, word = (ctx.category, ctx.word) if ctx else (None, "")
            if cat == "decoy":
                continue
            scored = self._score18(c.digits, cat, word) if n == 18 else self._score15(c.digits, cat, word)
            if scored is None:
                continue
            score, why = scored
            if c.regrouped:
                score -= self.split_penalty
                why += "; regrouped from a longer digit run"
            out.append(self.span(nt, c.start, c.end, "ID_NUMBER", score, why))
        return out

    @staticmethod
    def _score18(d: str, cat: str | None, word: str) -> tuple[float, str] | None:
        province, date, checksum = id18_parts(d)
        id_ctx = cat == "id"
        if province and date and checksum:
            if id_ctx:
                return 0.99, f"18-digit resident ID: checksum, birth date and province valid; context {word}"
            if cat == "bank" and luhn_ok(d):
                return 0.6, f"valid resident ID but context {word} and Luhn passes"
            return 0.95, "18-digit resident ID: checksum, birth date and province valid"
        if id_ctx:
            failed = [n for n, ok in (("checksum", checksum), ("birth date", date), ("province", province)) if not ok]
            score = 0.6 if (province and date) else 0.55
            return score, f"{' and '.join(failed)} failed, context {word}"
        if province and date:
            # structurally an ID with a wrong check digit: below the default threshold
            return 0.35, "checksum failed, no context"
        return None

    @staticmethod
    def _score15(d: str, cat: str | None, word: str) -> tuple[float, str] | None:
        ok = _legacy15_ok(d)
        if cat == "id":
            return (0.95, f"15-digit legacy resident ID, context {word}") if ok else (
                0.55, f"15 digits, birth date or province invalid, context {word}")
        if not ok or cat in ("bank", "phone", "pager", "passport", "permit"):
            return None
        return 0.75, "15-digit legacy resident ID: birth date and province valid"


class _PatternIdRecognizer(RecognizerBase):
    """An ID form recognised by a regex on the normalised text, scored by its context."""

    labels = frozenset({"ID_NUMBER"})
    pattern: re.Pattern[str]
    context_category: str
    kind: str
    score_with_context = 0.97
    score_without_context = 0.6
    needs_context_group: str | None = None  # regex group name that is only valid with context
    #: regex group name valid only right after its cue (护照号码：…), in its column or under its label
    needs_tight_context_group: str | None = None
    min_digits_tight = 4

    def __init__(self, context_window: int = 16):
        self.context_window = context_window

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        out: list[Span] = []
        for m in self.pattern.finditer(nt.text):
            ctx = cue_before(nt.text, m.start(), self.context_window)
            if ctx is not None and ctx.category == "decoy":
                continue
            if self.needs_tight_context_group and m.group(self.needs_tight_context_group):
                if not self._tight(nt.text, m, ctx):
                    continue
                score, why = self.score_with_context - 0.05, f"{self.kind} (other issuer), context {ctx.word}"
            elif ctx is not None and ctx.category == self.context_category:
                score, why = self.score_with_context, f"{self.kind}, context {ctx.word}"
            else:
                if self.needs_context_group and m.group(self.needs_context_group):
                    continue
                score, why = self.score_without_context, f"{self.kind} pattern, no context"
            out.append(self.span(nt, m.start(), m.end(), "ID_NUMBER", score, why))
        return out


    def _tight(self, text: str, m: re.Match[str], ctx) -> bool:
        """The cue names this very token: nothing but 号码/号, a colon or brackets between them
        (or the token stands in the cue's column or under its label), and enough digits."""
        if ctx is None or ctx.category != self.context_category:
            return False
        if sum(ch.isdigit() for ch in m.group(0)) < self.min_digits_tight:
            return False
        return ctx.where != "inline" or _TIGHT_GAP.match(text, m.start() - ctx.distance, m.start()) is not None


_TIGHT_GAP = re.compile(r"[ .:|#()]*(?:号码|号)?[ .:|#()为是]*$")


class PassportRecognizer(_PatternIdRecognizer):
    """PRC passports: E/G + 8 digits, E + letter + 7 digits; P/S/D (public affairs, service,
    diplomatic) and old 14/15-prefixed numbers only after a passport cue; any other issuer's
    number (6-10 letters and digits, at least 4 digits: 488839667, TK1234567, C01X00T47; or a
    series and a number: 62 4518307) only
    right after the cue (护照号码：…) or in a 护照号码 column."""

    name = "cn_passport.v2"
    kind = "passport number"
    context_category = "passport"
    needs_context_group = "weak"
    needs_tight_context_group = "foreign"
    pattern = re.compile(
        r"(?<![0-9A-Za-z])(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7}|(?P<weak>(?:[PSD]E?)[0-9]{7,8}|1[45][0-9]{7})"
        r"|(?P<foreign>[A-Z0-9]{6,10}|[A-Z0-9]{2,4}[ \-][0-9]{6,8}))"
        r"(?![0-9A-Za-z])"
    )


class HomeReturnPermitRecognizer(_PatternIdRecognizer):
    """港澳居民来往内地通行证 (H/M + 8 or 10 digits) and 往来港澳通行证 (C + 8 characters)."""

    name = "cn_travel_permit.v2"
    kind = "home-return / travel permit number"
    context_category = "permit"
    score_without_context = 0.45  # a bare H12345678 is too weak on its own
    pattern = re.compile(r"(?<![0-9A-Za-z])(?:[HM][0-9]{8}(?:[0-9]{2})?|C[0-9A-Z][0-9]{7})(?![0-9A-Za-z])")


class MilitaryIdRecognizer(_PatternIdRecognizer):
    """PLA officer card numbers as printed: 南字第087315号 (the whole phrase is the span)."""

    name = "cn_military_id.v2"
    kind = "PLA officer card number"
    context_category = "military"
    score_without_context = 0.9
    pattern = re.compile(r"[南北沈兰成济广京空海后参政装武炮军总]字第[0-9]{6,8}号")
