"""ADDRESS recognizer: a street-level address where a person's address stands.

The *place* decides whose address it is (GUIDELINES: an organisation's street address is LOC),
so only these places are read:

* after a word that says "this person lives at" or "this person's address": 住, 现住, 家住, 原住,
  捕前住, 住址：, 家庭住址, 负责人住址, 户籍所在地, 迁往地址, 存款人地址 … (spaced out in forms: 住　　址,
  现 住 址), and 房屋坐落 in housing records; not 地址：, 通讯地址, 工厂地址, 住所地 (organisations
  use them: LOC);
* after 寄 on a letter or an envelope (回信请寄…, （信封）寄 …);
* a cell under a 住址 column header, or in a register row that also holds a resident ID number.

The span is the address as written, without the cue word: it runs to the next punctuation, bracket,
cell border or space (a 〒 postal code before it stays), and must look like a street-level address:
a street, lane, village group, building or room word in it (路 街 巷 弄 里 村 组 号 队 楼 栋 单元 室
丁目 …) and an ending such as a house number, a room, a village group or a production team
(…路18号3栋502室, …村四组, …大队第三生产队, …丁目5番12号, …院内西厢房). A bare village (龙田镇东营村)
is LOC and stays unlabelled.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.recognizers.tables import column_header, row_cells
from models.spans import Span
from models.text import NormalizedText

_CJK = r"\u3400-\u9fff\U00020000-\U0002ffff"
_SP = " {0,3}"  # forms space their labels out: 住　　址, 现 住 址


def _spaced(word: str) -> str:
    return _SP.join(map(re.escape, word))


#: Labels of a person's address (form fields and table headers).
_LABEL_WORDS = ("现住址", "家庭住址", "家庭地址", "户籍地址", "户籍所在地", "户口所在地", "现居住地", "居住地址",
                "原住址", "住址", "迁往地址", "迁入地址", "迁出地址", "存款人地址", "本人地址", "收信人地址",
                "原门牌", "门牌", "送达地址")
_LABEL = "|".join(_spaced(w) for w in sorted(_LABEL_WORDS, key=len, reverse=True))
#: A label with a short prefix naming whose address it is (负责人住址, 父母家庭住址, 日本住址).
_PREFIXED_LABEL = rf"[{_CJK}]{{0,5}}?(?:{_spaced('住址')}|家庭地址)"
_CUE = re.compile(
    rf"(?P<label>{_LABEL}|{_PREFIXED_LABEL}|{_spaced('房屋坐落')}(?:于|在)?"
    r"|(?:祖屋|老屋|旧居|住房|住宅)(?:在|位于|坐落于|坐落在))[ ]*[:：|]?[ ]*"
    r"|(?P<verb>捕前住|现住|家住|原住|暂住|住在|住)"
    r"|(?P<mail>(?<=[信)])寄|请寄|请写[ ]*[:：]|寄往|寄至)[ ]*")
#: What may stand before a bare 住 (记住, 入住, 居住 are no "lives at").
_BEFORE_VERB = set("\n ,，(（、;；。:：现家原暂前")
#: A run of an address as written: to the next punctuation, bracket, cell border or space.
_RUN = re.compile(r"(?:〒[0-9]{3}(?:-[0-9]{4})?[ ]?)?[^\s，。；;,、()（）|│:：“”\"的为是了着]{2,40}")
#: It must name a street, lane, village group, building or room before its ending (五组 alone is
#: no address, 上坪组17号 is) ...
_MARKER = re.compile(r"路|街|巷|弄|里|道|胡同|坊|村|组|屯|庄|寨|队|号|宿舍|小区|新村|院|楼|栋|幢|单元|室|厢房|丁目|番地")
#: ... carry a number (a house, a group, a team) or be a village's group (仙岭村新屋组) ...
_NUMBERED = re.compile(
    r"[0-9]|[一二三四五六七八九十百零〇]+(?:号|组|队|栋|幢|楼|室|门|弄|巷|番)|第[一二三四五六七八九十]+|厢房|[东西南北前后]街"
    r"|(?:村|大队|屯|庄|寨)[^0-9]{1,6}组$")
#: ... and end like one.
_ENDING = re.compile(
    r"(?:[0-9]|号|室|组|队|楼|栋|幢|门|座|[0-9号前后东西]院|厢房|番地|前街|后街|"
    r"之[一二三四五六七八九十0-9]+|[一二三四五六七八九十百零〇]+号)$")
#: Not a place of residence: 住院 (in hospital), 住宿, 住所 (a company's domicile), 住户.
_NOT_RESIDENCE = re.compile(r"院|宿|所|户|房|进|满|处|着|了|过|得|下|上|的")
#: A resident ID (18 or 15 digits, maybe spaced) or an ID document label earlier on the line.
_ID_ON_LINE = re.compile(r"[0-9]{6}[ ]?[0-9]{4}[ ]?[0-9]{4}[ ]?[0-9]{3}[0-9Xx]|[0-9]{15}|护照|回乡证|军官证|身份证")
_SPACED_ID_PART = re.compile(r"(?:[0-9] ?){10,}")
_DIGITS_OPEN = re.compile(r"[0-9]{4,}[ ]")
_DIGITS_CLOSE = re.compile(r"[0-9]{4,}$")
_LABEL_CELL = re.compile(rf"(?:{_LABEL}|{_PREFIXED_LABEL})")


def _is_address_label(cell: str) -> bool:
    return len(cell) <= 12 and _LABEL_CELL.fullmatch(cell.strip()) is not None


#: A number and its unit wrapped onto the next line (…1组⏎45号, …67号3栋1⏎702室).
_NUMBER_CONTINUES = re.compile(r"[0-9一二三四五六七八九十]*[号栋幢室组楼单元门]")


def _looks_whole(head: str) -> bool:
    """Ends like an address, carries a number, and names a street, village or building before
    its ending, or a district before a house number (西城区宫门口东岔12号)."""
    if not (_ENDING.search(head) and _NUMBERED.search(head)):
        return False
    return bool(_MARKER.search(head, 0, len(head) - 1) or _DISTRICT_HOUSE.search(head))


_DISTRICT_HOUSE = re.compile(r"[市区县镇乡旗][^市区县镇乡旗]{1,12}?[0-9一二三四五六七八九十百零〇]+号$")


def address_end(text: str, pos: int) -> int | None:
    """End of the address written at ``pos``, or None when what stands there is no address.

    The address runs to the next delimiter; its end is the longest prefix that ends like an
    address (…19号 before a note, a name, a role). Where the line breaks before the address is
    whole (吉水县⏎枫江镇…70号) or inside its number (1组⏎45号), it goes on over one line break, and
    then ends with the first token of the next line."""
    m = _RUN.match(text, pos)
    if m is None:
        return None
    run = m.group(0)
    best = None
    for k in range(len(run), 1, -1):
        if _looks_whole(run[:k]):
            best = pos + k
            break
    end = m.end()
    if end < len(text) and text[end] == "\n" and best in (None, end):
        nxt = _RUN.match(text, end + 1)
        if nxt is not None and (best is None or _NUMBER_CONTINUES.match(nxt.group(0))):
            whole = run + "\n" + nxt.group(0)
            # a bare number after the break (⏎l4) is no continuation; a unit or a street word is
            if _looks_whole(whole) and (not whole[-1].isdigit() or _MARKER.search(nxt.group(0))):
                return nxt.end()
    return best


class AddressRecognizer(RecognizerBase):
    name = "cn_address.v2"
    labels = frozenset({"ADDRESS"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        found: list[tuple[int, int, float, str]] = []
        for m in _CUE.finditer(text):
            if m.group("verb"):
                if m.group("verb") in ("住", "住在") and m.start() > 0 and text[m.start() - 1] not in _BEFORE_VERB:
                    continue  # 记住, 入住, 居住: not "lives at"
                if _NOT_RESIDENCE.match(text, m.end()):
                    continue  # 住院, 住宿, 住所地
            end = address_end(text, m.end())
            if end is not None and self._whole(text, end):
                kind = "label" if m.group("label") else ("letter" if m.group("mail") else "verb")
                found.append((m.end(), end, 0.85, f"address after {m.group(0).strip(' :：|')} ({kind})"))
        taken = [(s, e) for s, e, _, _ in found]
        for line_start, line in _lines(text):
            cells = row_cells(line)
            if len(cells) < 2:
                continue
            for a, b in cells:
                s, e = line_start + a, line_start + b
                if any(x <= s < y for x, y in taken):
                    continue
                end = address_end(text, s)
                # the cell must be the address, whole (or its first line, when it wraps)
                if end is None or not (end == e or (end > e and text[e:end].lstrip(" ").startswith("\n"))):
                    continue
                if column_header(text, s, _is_address_label) is not None:
                    found.append((s, end, 0.85, "cell of an address column"))
                elif self._register_row(text, line_start, line, a):
                    found.append((s, end, 0.8, "address cell of a register row"))
                else:
                    continue
                taken.append((s, end))
        return [self.span(nt, s, e, "ADDRESS", sc, why) for s, e, sc, why in found]

    @staticmethod
    def _register_row(text: str, line_start: int, line: str, cell: int) -> bool:
        """A register row: an ID number (or its label) before the cell on its line, maybe typed
        with spaces, or the rest of one wrapped onto the line (digits close the line above and
        open this one). Dates (1990年5月2日) are no such digits."""
        if _ID_ON_LINE.search(line, 0, cell) or _SPACED_ID_PART.search(line, 0, cell):
            return True
        # an ID wrapped at the end of the line above: digits end that line and open this one
        return bool(_DIGITS_OPEN.match(line) and _DIGITS_CLOSE.search(text, 0, max(0, line_start - 1)))

    @staticmethod
    def _whole(text: str, end: int) -> bool:
        """The address ends where the text says so (punctuation, space, line end, a bracket), not
        inside a word."""
        return end >= len(text) or text[end] in "\n ,，。;；、)）(（|│:：" or text[end].isspace()


def _lines(text: str):
    pos = 0
    for line in text.split("\n"):
        yield pos, line
        pos += len(line) + 1
