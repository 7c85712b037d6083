"""SECRET_MARK recognizer: classification markings as printed.

Marked: 绝密/机密/秘密 with ★ and a period (机密★10年, 秘密★长期, 绝密★启用前), a level alone where a
marking stands (at the head of a line, in brackets, after 密级：), and 内部 markings
(内部资料　注意保存, 内部文件 妥善保管, a lone 内部资料 header). Not marked (GUIDELINES): 秘字/绝字
inside document numbers, the declassification note itself (原密级：机密), and 保密, 内部, 商业秘密,
技术秘密, 国家秘密 ... in running text, and 内部参考 / 《内部参考》 / 内参, the title of a bulletin.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.spans import Span
from models.text import NormalizedText

_NUM = r"(?:[0-9]{1,3}|[一二三四五六七八九十两]{1,3})"
_PERIOD = rf"(?:{_NUM}[ ]?(?:年|个月|月)|长期|启用前|公布前|考试结束前|开考前|解密前)"
_STAR = r"[★☆*＊]"
# a level with a star: always a marking
# (not after 国家/商业/技术/工作/军事: 国家秘密* with a footnote star is running text)
_NOT_RUNNING_TEXT = r"(?<!国家)(?<!商业)(?<!技术)(?<!工作)(?<!军事)(?<!个人)"
_STARRED = re.compile(rf"{_NOT_RUNNING_TEXT}(?:绝密|机密|秘密)(?:级)?[ ]{{0,2}}{_STAR}(?:[ ]{{0,2}}{_PERIOD})?")
# a level with a bracketed period: 机密(10年)
_BRACKETED = re.compile(rf"{_NOT_RUNNING_TEXT}(?:绝密|机密|秘密)(?:级)?[ ]?\([ ]?{_PERIOD}[ ]?\)")
# a bare level, accepted only where a marking stands (checked in code)
_BARE = re.compile(r"(?:绝 ?密|机 ?密|秘 ?密)(?:级)?")  # OCR spaces every character out: 机 密
_INTERNAL = re.compile(
    r"内部(?:资料|文件|刊物|材料|参考资料|参考|发行|读物)"
    r"(?P<trailer>[ ,，、·.]{0,4}(?:注意保存|注意保密|妥善保存|妥善保管|不得外传|请勿外传|严禁外传|不得翻印))?"
)
# what a marking's field label looks like: 密级：, 【密级】, 标密：, 保密等级:
_FIELD_LABEL = r"(?:密[ ]?级|标[ ]?密|秘密等级|保密等级|密[ ]?别|文件密级)[ ]?[:：】\])]?[ ]*"
_HEAD_BEFORE = re.compile(rf"(?:[\n\[【(「『〖]|{_FIELD_LABEL})[ ]*$")
_AFTER_FIELD_LABEL = re.compile(rf"{_FIELD_LABEL}$")
# after a bare level: the end, a space, a closing bracket, punctuation, or an opening bracket
# (机密（已于1998年解密）, 秘密(10年))
_END_AFTER = re.compile(r"^(?:$|[ \n\]】)」』〗(（]|[,，、;；。])")
_SENTENCE_END_BEFORE = re.compile(r"[。；;!?！？][ ]*$")
#: 《内部参考》 (内参) is the name of Xinhua's internal bulletin: a line headed 内部参考 quotes or
#: names the publication. Only a classification field (密级：内部参考) or a handling instruction
#: (内部参考 注意保存) makes it a marking.
_PUBLICATION_TITLE = "内部参考"
_DECLASSIFIED_NOTE = re.compile(r"原(?:定)?密级[ ]?[:：]?[ ]*$")


class SecretMarkRecognizer(RecognizerBase):
    name = "cn_secret_mark.v2"
    labels = frozenset({"SECRET_MARK"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        found: list[tuple[int, int, float, str]] = []
        for rx, why in ((_STARRED, "classification level with ★"),
                        (_BRACKETED, "classification level with period")):
            for m in rx.finditer(text):
                if self._in_declassification_note(text, m.start()):
                    continue
                found.append((m.start(), m.end(), 0.98, why))
        for m in _BARE.finditer(text):
            if any(s <= m.start() < e for s, e, _, _ in found):
                continue
            before = _before(text, m.start())
            if self._in_declassification_note(text, m.start()):
                continue
            after = text[m.end() : m.end() + 1]
            if _HEAD_BEFORE.search(before) and _END_AFTER.match(after):
                score = 0.95 if _AFTER_FIELD_LABEL.search(before) else 0.9
                found.append((m.start(), m.end(), score, "classification level where a marking stands"))
            elif _SENTENCE_END_BEFORE.search(before) and after in ("", "\n"):
                found.append((m.start(), m.end(), 0.8, "classification level alone at the end of a line"))
        for m in _INTERNAL.finditer(text):
            if m.group("trailer"):
                found.append((m.start(), m.end(), 0.95, "内部 marking with handling instruction"))
                continue
            before = _before(text, m.start())
            line_end = text.find("\n", m.end())
            rest = text[m.end() : len(text) if line_end < 0 else line_end]
            if _AFTER_FIELD_LABEL.search(before):
                found.append((m.start(), m.end(), 0.9, "内部 marking after a classification field label"))
            elif m.group(0).startswith(_PUBLICATION_TITLE):
                continue  # 内部参考 heading a page is the bulletin's title, not a marking
            elif _HEAD_BEFORE.search(before) and (not rest.strip() or _END_AFTER.match(rest[:1])):
                found.append((m.start(), m.end(), 0.85, "内部 marking at the head of a line"))
        return [self.span(nt, s, e, "SECRET_MARK", score, why) for s, e, score, why in found]

    @staticmethod
    def _in_declassification_note(text: str, start: int) -> bool:
        return bool(_DECLASSIFIED_NOTE.search(text[max(0, start - 8) : start]))


def _before(text: str, start: int, window: int = 12) -> str:
    """Up to ``window`` characters before ``start`` on its line, led by a newline when the
    window reaches the start of the line (so that ``_HEAD_BEFORE`` can see a line start)."""
    line_start = text.rfind("\n", 0, start) + 1
    lo = max(line_start, start - window)
    # a marking indented to the right margin still heads its line
    return ("\n" if not text[line_start:lo].strip() else "") + text[lo:start]
