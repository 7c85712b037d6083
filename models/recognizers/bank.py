"""BANK_ACCOUNT recognizers: bank cards (Luhn + issuer prefix) and accounts named by context.

Cards pass the Luhn check and start with a known issuer prefix (62 UnionPay, 4 Visa, 5 Mastercard,
3 JCB/Amex, 60/9 domestic debit). Passbook and corporate accounts follow no checksum, so they are
taken only right after a bank cue (账号, 开户行 ..., within one clause). An 18-digit number that is
a valid resident ID is read as an ID unless a bank cue says otherwise.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.recognizers.cn_identifiers import is_valid_resident_id
from models.recognizers.context import cue_before, quantity_follows
from models.recognizers.numbers import Candidate, candidates, luhn_ok
from models.spans import Span
from models.text import NormalizedText

# between a cue and its number: a colon, a space, 为/是 (账号：, 卡号为); after 开户行, the bank's name
_TIGHT_GAP = re.compile(r"^(?:号码|号)?[ :|\-()为是]{0,4}$")
_BANK_NAME_CUES = frozenset({"开户行", "开户银行"})
_BANK_NAME_GAP = re.compile(r"^[ :]*[^\n。；;]{0,24}(?:银行|行|社|部|所|处)[ ,，、:]*(?:账号|帐号|账户|帐户)?[ :]*$")
_CARD_CUES = frozenset({"卡号", "银行卡号", "银行卡", "信用卡", "借记卡", "储蓄卡"})
_CARD_PREFIX = re.compile(r"(?:62|60|4|5[1-5]|3[47]|35|9[45]|2[2-7])")


class BankCardRecognizer(RecognizerBase):
    """16-19 digit cards passing Luhn; with a bank cue a failed Luhn is kept at a lower score."""

    name = "cn_bank_card.v2"
    labels = frozenset({"BANK_ACCOUNT"})

    def __init__(self, context_window: int = 30, split_penalty: float = 0.15):
        self.context_window = context_window
        self.split_penalty = split_penalty

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        out: list[Span] = []
        for c in candidates(text):
            d = c.digits
            if not (16 <= len(d) <= 19) or not d.isdigit() or quantity_follows(text, c.end):
                continue
            ctx = cue_before(text, c.start, self.context_window)
            cat = ctx.category if ctx else None
            if cat in ("decoy", "phone", "passport", "permit"):
                continue
            luhn = luhn_ok(d)
            prefix = bool(_CARD_PREFIX.match(d))
            if cat == "bank":
                score, why = (0.98, f"card number, Luhn passes, context {ctx.word}") if luhn else (
                    0.65, f"Luhn failed, context {ctx.word}")
            elif cat == "id" or (len(d) == 18 and is_valid_resident_id(d)):
                continue  # an ID number, not a card
            elif luhn and prefix:
                score, why = 0.85, "card number: Luhn passes, issuer prefix " + d[:2]
            else:
                continue
            if c.regrouped:
                score -= self.split_penalty
                why += "; regrouped from a longer digit run"
            out.append(self.span(nt, c.start, c.end, "BANK_ACCOUNT", score, why))
        return out


class BankAccountRecognizer(RecognizerBase):
    """Passbook and corporate account numbers (8-30 digits) right after a bank cue."""

    name = "cn_bank_account.v2"
    labels = frozenset({"BANK_ACCOUNT"})

    def __init__(self, context_window: int = 30, min_digits: int = 8):
        self.context_window = context_window
        self.min_digits = min_digits

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        out: list[Span] = []
        best_by_start: dict[int, Candidate] = {}
        # the number right after the cue: the longest slice from the start of its run that is
        # not a quantity ("账号1402-0232-0910 1990年" stops before the year)
        for c in candidates(text):
            d = c.digits
            if not c.at_run_start or len(d) < self.min_digits or not d.isdigit() or quantity_follows(text, c.end):
                continue
            prev = best_by_start.get(c.start)
            if prev is None or c.end > prev.end:
                best_by_start[c.start] = c
        for c in best_by_start.values():
            d = c.digits
            ctx = cue_before(text, c.start, self.context_window)
            if ctx is None or ctx.category != "bank":
                continue
            gap = text[c.start - ctx.distance : c.start]
            if re.search(r"[0-9]", gap):
                continue  # the cue names the first number after it, not a later one
            if ctx.where == "inline" and not (
                    _TIGHT_GAP.match(gap) or (ctx.word in _BANK_NAME_CUES and _BANK_NAME_GAP.match(gap))):
                continue  # 帐号迁移的…实体店14131922: the cue does not name this number
            if ctx.word in _CARD_CUES and 16 <= len(d) <= 19:
                continue  # a card: BankCardRecognizer reads it and says whether Luhn passes
            score = (0.9 if ctx.distance <= 8 else 0.8) - (0.05 if c.split else 0.0)
            where = {"inline": "after", "column": "in the column", "above": "under"}[ctx.where]
            out.append(self.span(nt, c.start, c.end, "BANK_ACCOUNT", score,
                                 f"account number {where} {ctx.word}"))
        return out
