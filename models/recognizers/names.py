"""Boundary repair of a model's PERSON spans: the shapes of Chinese names the tagger gets wrong.

Why rules after the model: the measured misses on hand-written records are boundary errors of a
few kinds, each with an exact tell in the text:
  * a compound surname cut in two (官志诚 of 上官志诚): extend over it;
  * a transliterated name cut at its middle dot (提·吐尔逊 of 买买提·吐尔逊): extend over the dot
    and the name syllables before or after it;
  * a following character taken in (周晓燕代 投, 李启荣缄) or a preceding kinship word
    (子何小军): cut it from a four-character span, a three-character name and one more;
  * an ordinary word tagged as a name (盖章, 株连, 收养人), also spaced out as headings and form
    labels are (说　明, 合　计): dropped when the model's own lexicon (``models.lexicon``) knows it
    as a word, a place or an organisation and never as a name;
  * the issuer prefix of a document number (沂革发〔1975〕, 湘政函〔1986〕, 渝劳鉴字〔1992〕,
    旅府衛字第三二四号) or of a serial code (万荣-065): a name is never followed by a year in
    brackets or by a hyphen and digits;
  * a kinship word (阿妈, 岳父, 四弟) or a foreign surname with a title (索科洛夫团长, after the
    full name 维克多·索科洛夫 was given): GUIDELINES.md labels neither.
"""
from __future__ import annotations

import re

from typing import Callable, Iterable

from models.lexicon import SURNAME
from models.persons import COMPOUND_SURNAMES
from models.spans import Span

#: characters that follow a name without being part of it (verbs of letters and forms, kinship,
#: counters of 二同志, function words)
TRAILING = frozenset("代独等二三两缄緘收寄启啟叩拜敬上贤賢弟兄叔伯姐妹母儿兒妻同说和与及为在是的了"
                     "被向对把将就也都又再已曾家之签书")
#: kinship and role characters that precede a name in registers (子何小军, 妻李淑芬, 尹赵思恭)
LEADING = frozenset("子女妻夫父母弟兄姐妹侄孙尹员工由对将与和及给向请据因被把叫交送致附经系")
_DOT = "·•‧・"
#: characters that end a transliterated name's run: roles, function words, kinship, gender
NAME_STOPS = frozenset("犯人告员长任记者方的对被以和与及同志由将把向据说是在为了男女族等收寄签呈"
                       "称讲到从自于因经系其之该")


#: what follows an issuer prefix: 字/发/函/任/复 …, then a bracketed year or 字第 + a number
_YEAR = r"\s*[0-9０-９lO〇一二三四五六七八九零]{2,4}\s*"
_ISSUER_END = "字发發函任复複呈令批"
#: after an issuer prefix: a year in 〔〕/［］/【】 (never a name's), or 字/发 … + a year in round
#: brackets or 字第 + a number (张伟（1975） is a name with a year)
_DOC_NUMBER_AFTER = re.compile(rf"[{_ISSUER_END}]?\s*[〔\[［【]{_YEAR}[〕\]］】]|[{_ISSUER_END}]\s*[(（]{_YEAR}[)）]"
                               rf"|字\s*第\s*[0-9０-９〇一二三四五六七八九零]")
_DOC_NUMBER_ROUND = re.compile(rf"^[(（]{_YEAR}[)）]")
_SERIAL_AFTER = re.compile(r"[-－‐]\s*[0-9０-９]")
_SPACES = " \u3000\t"
#: kinship morphemes and the prefixes that make kinship terms of them (阿妈, 四弟, 吾兄, 岳父)
_KINSHIP = frozenset("父母爸妈娘爹爷奶婆公哥姐妹弟兄叔伯姑姨舅嫂侄孙儿女媳婿岳")
_KIN_PREFIX = frozenset("阿老吾大二三四五六七八九小堂表亲令家舍胞继养")
_FOREIGN_TITLE = re.compile(r"(?:团长|副团长|议员|主席|副主席|部长|副部长|总统|总理|大使|先生|女士|夫人|博士|教授|"
                            r"经理|总经理|代表|领事|参赞|秘书|局长|市长|州长|省长|同志)")


def _cjk(ch: str) -> bool:
    return "\u3400" <= ch <= "\u9fff"


def repair_person(text: str, start: int, end: int,
                  classes_of: Callable[[str], Iterable[str]] | None = None) -> tuple[int, int] | None:
    """The repaired ``[start, end)`` of a PERSON span, or None to drop it (module docstring)."""
    # a middle-dot name cut at its dot (·吐尔逊 of 买买提·吐尔逊): extend that end over the
    # syllables of the cut-off part, up to a role or function character. A span that merely
    # contains a dot is left alone: 乔·科恩 and 迈伦·斯科尔斯 are whole names.
    if (start > 0 and text[start - 1] in _DOT) or (end < len(text) and text[end] in _DOT):
        s = start
        if s > 0 and text[s - 1] in _DOT:
            s -= 1
            while s > 0 and start - s < 7 and _cjk(text[s - 1]) and text[s - 1] not in NAME_STOPS:
                s -= 1
        e = end
        if e < len(text) and text[e] in _DOT:
            e += 1
            while e < len(text) and e - end < 7 and _cjk(text[e]) and text[e] not in NAME_STOPS:
                e += 1
        while s < e and text[s] in _DOT:
            s += 1
        while e > s and text[e - 1] in _DOT:
            e -= 1
        return (s, e) if e - s >= 2 else None
    # compound surname cut off (官志诚 -> 上官志诚; 志诚 -> 上官志诚)
    if start >= 1 and text[start - 1:start + 1] in COMPOUND_SURNAMES:
        start -= 1
    elif start >= 2 and text[start - 2:start] in COMPOUND_SURNAMES and end - start == 2:
        start -= 2
    compound = text[start:start + 2] in COMPOUND_SURNAMES
    letters = lambda s, e: sum(_cjk(c) for c in text[s:e])  # noqa: E731
    # a word after a Chinese name (周晓燕代, 李启荣缄): four characters without a compound surname
    # are a three-character name and one more (longer runs are transliterations: 贝尔巴托夫)
    if letters(start, end) == 4 and end - start == 4 and not compound and text[end - 1] in TRAILING:
        end -= 1
    # a kinship or role character before it (子何小军, 尹赵思恭)
    elif letters(start, end) == 4 and end - start == 4 and not compound and text[start] in LEADING:
        start += 1
    core = text[start:end]
    if all(c in _KINSHIP or c in _KIN_PREFIX for c in core) and any(c in _KINSHIP for c in core):
        return None  # a kinship word, not a name
    if _FOREIGN_TITLE.match(text, end) and not any(c in _DOT for c in core) \
            and any(d + core in text or core + d in text for d in _DOT):  # the text scan last
        return None  # a foreign surname with a title, the full name given elsewhere
    after = text[end:end + 12]
    if _DOC_NUMBER_AFTER.match(after) or _SERIAL_AFTER.match(after) \
            or (text[end - 1] in _ISSUER_END and _DOC_NUMBER_ROUND.match(after)):
        return None  # a document number's issuer prefix or a serial code
    letters_only = "".join(c for c in text[start:end] if c not in _SPACES)
    spaced = len(letters_only) < end - start
    if spaced and classes_of is not None and SURNAME in set(classes_of(letters_only[:1])):
        return (start, end)  # a name padded to the width of a table cell (富　强, 谭　俊)
    if classes_of is not None and letters_only and all(_cjk(c) for c in letters_only):
        classes = set(classes_of(letters_only))
        if classes and "PER" not in classes:
            return None  # an ordinary word, a place or an organisation the lexicon knows
    return (start, end) if end - start >= 2 else None


def _letters_within(text: str, a: int, b: int) -> tuple[int, int]:
    """``[a, b)`` without the spaces and punctuation at its edges (what is left of a cut span)."""
    def edge(ch: str) -> bool:
        return ch in _SPACES or not (_cjk(ch) or ch.isalnum())

    while a < b and edge(text[a]):
        a += 1
    while b > a and edge(text[b - 1]):
        b -= 1
    return a, b


def propagate_names(text: str, spans: list[Span]) -> list[Span]:
    """Every other occurrence of a name found in this document, labelled PERSON too.

    Why: a record names the same person several times, and the tagger reads each occurrence in
    its own context, so 段家才 found in one sentence is missed in the next, or swallowed by an
    organisation or place span (林海波　温岭市石塘镇, 古汉章（梅县东山中学): document-level label
    consistency. Only names of three or more letters (a padded two-letter name counts: 宋　璋)
    are copied, because two letters (建国, 恩铭) are too often part of ordinary words. An ORG or
    LOC span of the tagger overlapping an occurrence is cut back to what lies outside the name
    (dropped when under two letters remain); an occurrence overlapping a rule span or another
    PERSON span is left alone. ``spans`` must be sorted and non-overlapping
    (``models.pipeline.merge_spans``); so is the result.
    """
    best: dict[str, Span] = {}
    for s in spans:
        if s.label != "PERSON":
            continue
        name = text[s.start:s.end]
        letters = [c for c in name if c not in _SPACES]
        if not all(_cjk(c) for c in letters) or not (len(letters) >= 3 or len(letters) < len(name)):
            continue
        if name not in best or s.score > best[name].score:
            best[name] = s
    if not best:
        return spans
    out = list(spans)
    for name in sorted(best, key=len, reverse=True):
        src = best[name]
        i = text.find(name)
        while i >= 0:
            j = i + len(name)
            near = [s for s in out if s.start < j and s.end > i]
            if all(s.label in ("ORG", "LOC") and s.source.startswith("ner:") for s in near):
                for s in near:
                    out.remove(s)
                    for a, b in (_letters_within(text, s.start, i), _letters_within(text, j, s.end)):
                        if b - a >= 2:
                            out.append(s.with_(start=a, end=b))
                out.append(src.with_(start=i, end=j,
                                     explanation="the same name found elsewhere in this document"))
                out.sort(key=lambda s: (s.start, s.end))
            i = text.find(name, j)
    return out
