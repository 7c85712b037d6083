"""Is a phrase a record about one person, or public, statutory or statistical text?

Why one module: the phrase rules (HEALTH, LEGAL_RECORD) match words that published text uses
in a public sense all the time. A statute says who *may* be arrested (逮捕的, 可以逮捕, 处三年
以下有期徒刑); news counts arrests abroad (警方逮捕了至少6人); a health bulletin counts patients
(查出各类妇科病一万余例); a court case anonymises its parties (被告人林某某). A record states
what happened to one person: it has a date (1958年被逮捕), a decision (决定给予…处分), a term
(行政拘留十日). The checks here read that from the sentence around a match; the recognizers
decide which of them a phrase must pass.
"""
from __future__ import annotations

import re
from functools import lru_cache

#: Chinese numerals and digits as they write counts, terms and amounts.
NUM = r"(?:[0-9]{1,3}|[一二三四五六七八九十百两零〇]{1,4})"
COUNT = r"(?:[0-9][0-9,.]*|[一二三四五六七八九十百千万两零〇几数]+)"

_SENTENCE_MARKS = "\n。；;!?！？"
_CLAUSE_MARKS = "\n。；;!?！？，,：:"


def _back_to(text: str, start: int, window: int, marks: str) -> int:
    lo = max(0, start - window)
    for ch in marks:
        k = text.rfind(ch, lo, start)
        if k >= 0:
            lo = max(lo, k + 1)
    return lo


def _forward_to(text: str, end: int, window: int, marks: str) -> int:
    hi = min(len(text), end + window)
    for ch in marks:
        k = text.find(ch, end, hi)
        if k >= 0:
            hi = min(hi, k)
    return hi


_WRAP_BEFORE = re.compile(r"[\u3400-\u9fff，,、“”]\n(?=[\u3400-\u9fff“”])(?![\u3400-\u9fff ]{1,8}[:：])")


def sentence(text: str, start: int, end: int, window: int = 120) -> tuple[int, int]:
    """``(lo, hi)`` of the sentence holding ``[start, end)`` (at most ``window`` each way). A line
    break inside running text (after a character or a comma, the next line not indented) wraps
    the sentence and does not end it; a next line that opens with a field label (出院时情况：)
    starts a field of its own and ends it."""
    lo = _back_to(text, start, window, _SENTENCE_MARKS)
    while lo >= 2 and text[lo - 1] == "\n" and _WRAP_BEFORE.match(text, lo - 2) and start - lo < window:
        lo = _back_to(text, lo - 1, window, _SENTENCE_MARKS)
    hi = _forward_to(text, end, window, _SENTENCE_MARKS)
    while hi < len(text) and text[hi] == "\n" and _WRAP_BEFORE.match(text, hi - 1) and hi - end < window:
        hi = _forward_to(text, hi + 1, window, _SENTENCE_MARKS)
    return lo, hi


def clause_before(text: str, start: int, window: int = 24) -> str:
    """The clause before ``start``, back to the last comma, colon or sentence mark."""
    return text[_back_to(text, start, window, _CLAUSE_MARKS):start]


# ------------------------------------------------------------------------------- statutes --
#: What only normative text says: conditions (…的，处), modals, alternatives, ranges, self-reference.
#: 以上 opening a sentence (以上过失与…) refers back to what was said, not to a range.
_NORMATIVE = re.compile(
    r"的[，,]|或者|以上|以下|以内|之一的|有下列|下列情形|本法|本条例|本规定|本办法|本解释"
    r"|本决定|本细则|本规则|本条|前款|前[两二三四五]款|依法(?:追究|严惩|惩处|打击|惩治)|是指"
    r"|[即均可才不]构成")
#: Modals say what may or must be done; a record says so too (…自述患有…，可以收容劳动教养), so they
#: count only before the phrase, where a rule puts them (对…可以逮捕, 不得假释).
_MODAL = re.compile(r"可以|应当|不得|不予|必须|是否|可予|应予")
#: 本决定 in a decision on one person (如不服本决定, 接到本决定书之日起) is no statute's self-reference.
_SELF_REFERENCE = re.compile(
    r"(?<!不服)(?<!接到)(?<!收到)本(?:法|条例|规定|办法|解释|决定(?!书)|细则|规则|准则|标准)")


def normative_sentence(text: str, lo: int, hi: int, start: int | None = None) -> bool:
    """The sentence ``[lo, hi)`` speaks of anyone (a statute, a rule, a policy), not of one
    person; ``start``: where the phrase begins (modals before it count)."""
    for m in _NORMATIVE.finditer(text, lo, hi):
        if m.group(0) == "以上" and not text[lo:m.start()].strip():
            continue  # 以上过失与…: the sentence refers back to what was said
        return True
    return _MODAL.search(text, lo, hi if start is None else start) is not None


@lru_cache(maxsize=16)
def normative_document(text: str) -> bool:
    """A law, regulation or judicial interpretation: it refers to itself (本法, 本条例, 本解释 ...).
    Articles alone (第四条) do not make one: contracts and agreements about one person have them."""
    return len(_SELF_REFERENCE.findall(text)) >= 2


# ---------------------------------------------------------------------------------- dates --
_DATE = re.compile(
    r"[0-9]{4}[年.\-/]|[一二三四五六七八九〇零○]{2,4}年|[0-9一二三四五六七八九十]{1,2}月(?:[0-9一二三四五六七八九十]{1,3}[日号])?"
    r"|同年|次年|当年|翌年|去年|今年|前年|是年|当日|次日|当天|当晚")


def has_date(text: str, lo: int, hi: int) -> bool:
    """A date or a time word in ``[lo, hi)``: the sentence tells what happened when."""
    return _DATE.search(text, lo, hi) is not None


# ------------------------------------------------------------------------- whose record? --
def anonymised_before(text: str, start: int, window: int = 40) -> bool:
    """An anonymised person (林某某, 张某) earlier in the same sentence: the record is nobody's."""
    return "某" in text[_back_to(text, start, window, _SENTENCE_MARKS):start]


#: Unnamed people as the subject or object of a measure: 嫌疑人被逮捕, 逮捕了至少6人.
_UNNAMED = (r"(?:犯罪)?嫌疑人|嫌犯|枪手|凶手|歹徒|抗议者|示威者|武装人员|武装分子|男子|女子|司机|商户|游客|"
            r"移民|民众|人群|难民|违法人员|人员|多人|数人|" + COUNT + r"(?:多|余)?(?:名|人|万人)")
# the unnamed noun right before the measure, with only adverbs and a passive between
# (嫌疑人已被逮捕, 7人因涉嫌纵火被捕; but 嫌疑人李四被逮捕 names him)
_UNNAMED_SUBJECT = re.compile(
    rf"(?:{_UNNAMED})(?:已经|已|均|都|也|又|随后|当场|相继|先后|当即|全部)*(?:因[^，。；,;]{{1,10}})?"
    r"(?:被|遭到|遭|予以|给予)?(?:警方|依法)?$")
_UNNAMED_OBJECT = re.compile(
    rf"(?:了)?(?:至少|近|超过|超|约|共|其中|包括)?(?:{_UNNAMED}|{COUNT}(?:多|余)?(?:名|人|万))")


def unnamed_person(text: str, start: int, end: int) -> bool:
    """The measure falls on unnamed or counted people (news, statistics), not on one person."""
    return (_UNNAMED_SUBJECT.search(clause_before(text, start)) is not None
            or _UNNAMED_OBJECT.match(text, end) is not None)


#: A count right after a phrase: 刑事拘留250人, 肺结核患者156人, 查出阳性二万零四百一十人.
_COUNT_AFTER = re.compile(
    rf"[ ]?(?:患者|病人|病例|病员|者|人数)?(?:共|计|达|约|总计|累计)?[ ]?{COUNT}(?:多|余)?"
    r"(?:人|名|例|户|起|人次|宗|件|家)")


def count_follows(text: str, end: int) -> bool:
    return _COUNT_AFTER.match(text, end) is not None


# ------------------------------------------------------------------------- where it stands --
def in_book_title(text: str, start: int) -> bool:
    """Inside 《…》 (the title of a law, a book, a decision): a name, not a record."""
    line_start = text.rfind("\n", 0, start) + 1
    return text.rfind("《", line_start, start) > text.rfind("》", line_start, start)
