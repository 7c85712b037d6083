"""ADDRESS recognizer: a street-level address where a person's address stands.

The shape is general (a run ending in a house number: …路18号3栋502室, …村6组49号, …大队第六生产队);
the *place* decides whose address it is (GUIDELINES: an organisation's street address is LOC), so
only two places are taken:

* after a word that says "this person lives at": 住, 现住, 家住, 原住, 住址：, 现住址：, 户籍地址：,
  家庭住址： (not 通讯地址 / 联系地址 / 地址：, which organisations use as well);
* a cell of a register row that also holds a resident ID number (户口登记簿, 普查底册: name,
  relation, ID, address), cells separated by spaces.

The span is the address as written, without the cue word. The tagger finds most addresses in
running text; this rule adds the register cells it misses and fixes the left boundary after 住.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.spans import Span
from models.text import NormalizedText

_CJK = r"\u3400-\u9fff\U00020000-\U0002ffff"
_CN_NUM = r"[一二三四五六七八九十百]+"
#: What an address ends with: a house number (with building, unit, room) or a production team.
_TAIL = (rf"(?:[0-9]+号(?:之[0-9]+)?(?:[0-9]+(?:栋|幢|号楼|单元|楼|室)|[0-9]+|前院|后院|[东西]厢房)*"
         rf"|第{_CN_NUM}生产队|{_CN_NUM}队)")
#: A street or village word must come before the number (not 第193号 of a document number).
_STREET = r"(?:路|街|大道|道|巷|弄|里|胡同|坊|村|屯|庄|组|大队|新村|小区|公寓)"
_ADDRESS = re.compile(rf"[{_CJK}0-9]{{0,30}}?{_STREET}[{_CJK}0-9]{{0,12}}?{_TAIL}(?![0-9])")
_CUE = re.compile(
    r"(?:现住址|家庭住址|家庭地址|户籍地址|户口所在地|现居住地|住址|现住|家住|原住|暂住|住)[ ]?[:：]?[ ]?")
#: A resident ID (18 or 15 digits, maybe spaced) or an ID document label earlier on the line.
_ID_ON_LINE = re.compile(r"[0-9]{6}[ ]?[0-9]{4}[ ]?[0-9]{4}[ ]?[0-9]{3}[0-9Xx]|[0-9]{15}|护照|回乡证|军官证|身份证")


class AddressRecognizer(RecognizerBase):
    name = "cn_address.v2"
    labels = frozenset({"ADDRESS"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        found: list[tuple[int, int, float, str]] = []
        for m in _CUE.finditer(text):
            word = m.group(0).strip(" :：")
            if word == "住" and m.start() > 0 and text[m.start() - 1] not in "\n ,，(（、;；。现家原暂":
                continue  # 记住, 入住, 居住: not "lives at"
            a = _ADDRESS.match(text, m.end())
            if a and self._whole(text, a.end()):
                found.append((a.start(), a.end(), 0.85, f"address after {word}"))
        for line_start, line in _lines(text):
            if not _ID_ON_LINE.search(line):
                continue
            for cell in re.finditer(r"[^ \t]+", line):
                s = line_start + cell.start()
                a = _ADDRESS.fullmatch(text, s, line_start + cell.end())
                id_before = _ID_ON_LINE.search(line, 0, cell.start())
                if a and id_before and not any(f[0] <= s < f[1] for f in found):
                    found.append((a.start(), a.end(), 0.8, "address cell of a register row"))
        return [self.span(nt, s, e, "ADDRESS", sc, why) for s, e, sc, why in found]

    @staticmethod
    def _whole(text: str, end: int) -> bool:
        """The address ends where the text says so (punctuation, space, line end), not inside a word."""
        return end >= len(text) or text[end] in "\n ,，。;；、)）"


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1
