"""Names announced by the words around them: courtesy and art names, former names and aliases;
married women's names (彭张氏); the entries of a roster field (出席：…, 记录：…).

Why a rule: GUIDELINES.md labels 字, 号, 原名, 曾用名 as PERSON (蔡元培，字鹤卿，号孑民), and these
names are often ordinary words (孑民, 竞雄, 晋园老人) a tagger cannot know are names; the word
before them says so exactly. The name runs from after the word to the next punctuation and is
2-4 characters long, else nothing is found.
"""
from __future__ import annotations

import re

from models.persons import COMPOUND_SURNAMES, SINGLE_SURNAMES
from models.recognizers.base import RecognizerBase
from models.recognizers.tables import column_header, row_cells
from models.spans import Span
from models.text import NormalizedText

# the cue opens a clause (after ，；（ or a line start), so 信号, 编号, 3号 and 号召 never count
_ALIAS = re.compile(
    r"(?:^|(?<=[，,；;（(\s]))(?:字|号|自号|晚号|别号|原名|曾用名|又名|别名|笔名|化名|乳名|小名|法名|谱名)"
    r"[：:]?\s*(?P<q>[\"“「])?(?P<n>[\u4e00-\u9fff]{2,4})(?(q)[\"”」]|(?=[，,。；;、）)\s]))", re.M)
_NOT_NAMES = ("召", "称", "码", "外", "令", "牌", "角", "房")


class AliasNameRecognizer(RecognizerBase):
    """PERSON after 字/号/原名/曾用名/又名/笔名 … (module docstring)."""

    name = "alias_name.v1"
    labels = frozenset({"PERSON"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        out = []
        for m in _ALIAS.finditer(nt.text):
            s, e = m.span("n")
            if nt.text[s] in _NOT_NAMES:
                continue
            out.append(self.span(nt, s, e, "PERSON", 0.85,
                                 f"a name announced by {m.group(0)[:m.start('n') - m.start()].strip()}"))
        return out


_SURNAME_CLASS = "".join(sorted(SINGLE_SURNAMES))
# a married woman recorded by her husband's and her own surname (彭张氏, 林陳氏): two surnames
# and 氏, after a kinship word (母, 妻, 先母, 祖母, 遗孀) or as an entry of a list or form field
_MARRIED = re.compile(rf"(?:(?<=[母妻嫂婶媳婆姑姨孀亲])|(?<=[：:、，,；;（(｜|\s]))"
                      rf"(?P<n>[{_SURNAME_CLASS}]{{2}}氏)(?![族])")

# a roster field: 出席/列席/请假/记录/主持/审核/批准 … and a colon, then names separated by spaces
# or 、，; each entry is a name when it is 2-4 letters (a 2-letter name may be padded: 施　敏)
# starting with a surname and holds no organisation or title word
_CUES = ("出席", "列席", "缺席", "请假", "到会", "与会", "参加人", "参加人员", "出席人员", "列席人员",
         "主持", "主持人", "记录", "记录人", "审核", "复核", "批准", "审批", "签发", "制表", "填表人",
         "经办人", "承办人", "拟稿", "核稿", "校对", "监印", "联系人", "调解员", "见证人")
_CUE = "|".join("[ \u3000]?".join(c) for c in sorted(_CUES, key=len, reverse=True))
_ROSTER = re.compile(rf"(?:^|(?<=[\s，,；;。]))(?P<cue>{_CUE})[ \u3000]*[：:][ \u3000]*"
                     rf"(?P<v>[^\n。]+?)(?=[ \u3000]+(?:{_CUE})[ \u3000]*[：:]|[\n。]|$)", re.M)
# an entry: a two-letter name padded to a cell's width (于　萍), else a run up to a separator. The
# padded shape is tried first and only as a whole entry, so 孙国强　于　萍 reads as two names
# (roster_name.v1 took 孙国强　于 and lost 萍)
_PAD_END = r"(?=$|[ \u3000、，,；;（(])"
_ENTRY = re.compile(rf"[\u4e00-\u9fff][ \u3000][\u4e00-\u9fff]{_PAD_END}|[^ \u3000\t、，,；;]+")
_NOT_ENTRIES = frozenset(("全体", "全部", "以上", "如下", "其他", "其余", "同上", "待定", "本人", "双方", "各方",
                          "另附", "见后", "见附件"))
_NOT_IN_NAME = frozenset("局委部处科室会院所厂司组队办校站馆社团区县市省镇乡村等及各全")
_TITLE_ENDS = ("长", "员", "书记", "主任", "同志", "代表", "干部", "群众")


def _name_entry(entry: str) -> bool:
    letters = entry.replace("\u3000", "").replace(" ", "")
    if not 2 <= len(letters) <= 4 or not all("\u4e00" <= c <= "\u9fff" for c in letters):
        return False
    if len(letters) < len(entry) and len(letters) != 2:
        return False  # only a two-letter name is padded to three
    if letters in _NOT_ENTRIES or letters.endswith(_TITLE_ENDS) or any(c in _NOT_IN_NAME for c in letters[1:]):
        return False
    return letters[:2] in COMPOUND_SURNAMES or letters[0] in SINGLE_SURNAMES


class MarriedNameRecognizer(RecognizerBase):
    """PERSON for 彭张氏-style names after a kinship word or in a list (module docstring)."""

    name = "married_name.v1"
    labels = frozenset({"PERSON"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        return [self.span(nt, *m.span("n"), "PERSON", 0.85, "husband's and own surname with 氏")
                for m in _MARRIED.finditer(nt.text)]


class RosterNameRecognizer(RecognizerBase):
    """PERSON for each name of a 出席/列席/记录/审核 … field (module docstring)."""

    name = "roster_name.v2"
    labels = frozenset({"PERSON"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        out = []
        for m in _ROSTER.finditer(nt.text):
            base = m.start("v")
            value = m.group("v")
            for e in _ENTRY.finditer(value):
                entry = e.group(0)
                cut = min((i for i in (entry.find("（"), entry.find("(")) if i >= 0), default=len(entry))
                entry = entry[:cut].rstrip(" \u3000")
                if entry and _name_entry(entry):
                    s = base + e.start()
                    out.append(self.span(nt, s, s + len(entry), "PERSON", 0.8,
                                         f"an entry of the {m.group('cue')} field"))
        return out


# the four boundaries of a plot in a land or house record (四至: 东至周四满田, 西：何光荣宅基): the
# neighbour is named by the owner of the field, hill, wall or house plot that borders it
_BOUNDARY = re.compile(
    rf"(?:[东南西北](?:至|邻|靠|抵|界)|[东南西北][ \u3000]*[：:])[ \u3000]*"
    rf"(?P<n>[{_SURNAME_CLASS}][\u4e00-\u9fff]{{1,2}}?)"
    rf"(?=田|土|地|山|屋|宅|房|墙|园|坟|塘|林|竹|菜地|自留)")
_NOT_IN_OWNER = frozenset("家姓氏村组队户厂校庄屯寨营湾坪岗沟坡岭河江湖港桥路街巷镇乡场圩堡集社区县市省")


class BoundaryNameRecognizer(RecognizerBase):
    """PERSON for the neighbour owning a plot's border in a 四至 description (above)."""

    name = "boundary_name.v1"
    labels = frozenset({"PERSON"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        out = []
        for m in _BOUNDARY.finditer(nt.text):
            name = m.group("n")
            if any(c in _NOT_IN_OWNER for c in name[1:]):
                continue
            out.append(self.span(nt, *m.span("n"), "PERSON", 0.75, "the owner of a plot's border (四至)"))
        return out


# the header cells of a register's name column (姓名｜性别｜出生年月 …)
_NAME_HEADERS = frozenset(("姓名", "户主", "户主姓名", "家属姓名", "职工姓名", "学生姓名", "干部姓名", "申请人",
                           "当事人", "领款人", "收款人", "签收人", "获奖者", "获奖人", "被调查人", "死者姓名",
                           "伤者姓名", "患者姓名", "家庭成员", "成员姓名", "本人姓名", "烈士姓名", "亲属姓名"))


def _unspaced(text: str) -> str:
    return text.replace(" ", "").replace("\u3000", "")


def _name_header(cell: str) -> bool:
    return _unspaced(cell) in _NAME_HEADERS


class NameColumnRecognizer(RecognizerBase):
    """PERSON for each cell of a table's name column (姓名, 户主, 申请人 … in the header row):
    a register lists its people as bare cells, where a tagger reading prose has no context."""

    name = "name_column.v1"
    labels = frozenset({"PERSON"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        compact = _unspaced(text)  # no header anywhere: no name column (the common case, fast)
        if not any(h in compact for h in _NAME_HEADERS):
            return []
        out = []
        pos = 0
        for line in text.split("\n"):
            for a, b in row_cells(line):
                cell = line[a:b].strip()
                if not cell or not _name_entry(cell):
                    continue
                start = pos + a + (len(line[a:b]) - len(line[a:b].lstrip()))
                head = column_header(text, start, _name_header)
                if head is not None and _name_header(head[0]):
                    out.append(self.span(nt, start, start + len(cell), "PERSON", 0.8,
                                         f"a cell of the {head[0].strip()} column"))
            pos += len(line) + 1
        return out


# names listed before a count of persons (纠集孙立国、曲德江等人; 对陶永庆、蒲秀兰三人; 向玉兰等十一户)
_NUM = "0-9一二三四五六七八九十两几"
_COUNTED = re.compile(rf"(?P<list>(?:[\u4e00-\u9fff]{{2,4}}、)*[\u4e00-\u9fff]{{2,4}})"
                      rf"(?=等人|等同志|等犯|等[{_NUM}]+(?:人|名|户)|[二三四五六七八九十两{_NUM[:3]}]+人)")


def _three_letter_name(item: str) -> bool:
    """A three-letter name, or four with a compound surname (the list reader's only shape)."""
    if len(item) == 4:
        return item[:2] in COMPOUND_SURNAMES and _name_entry(item)
    return len(item) == 3 and item[0] in SINGLE_SURNAMES and _name_entry(item)


class CountedNamesRecognizer(RecognizerBase):
    """PERSON for three-letter names listed before a count of persons (等人, 三人, 等十一户).

    Lists of people are homogeneous: every item must have a name's shape (a surname and two
    letters, no title or organisation word) or none is taken, so 农民工、建筑工人等人 stays a
    list of occupations. The first item has no left boundary: its last three letters are taken
    (纠集孙立国 -> 孙立国), or four when they start with a compound surname."""

    name = "counted_names.v1"
    labels = frozenset({"PERSON"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        out = []
        for m in _COUNTED.finditer(nt.text):
            items, pos = [], m.start("list")
            parts = m.group("list").split("、")
            first = parts[0]
            cut = 4 if len(first) == 4 and first[:2] in COMPOUND_SURNAMES else min(3, len(first))
            pos += len(first) - cut
            parts[0] = first[-cut:]
            for part in parts:
                items.append((pos, part))
                pos += len(part) + 1
            if all(_three_letter_name(p) for _, p in items):
                out += [self.span(nt, s, s + len(p), "PERSON", 0.8, "a name listed before a count of persons")
                        for s, p in items]
        return out


# a person introduced as records introduce private individuals, by name, sex and age (被告人冯国栋，
# 男，一九五六年生; 掘进工隋长海，二十六岁; 元金旺　男　石匠; 王明亮（男，45岁）): the name is the three
# letters before the comma (four with a compound surname), the counted-names reader's shape
_SEX_AGE = (rf"[,，、 ]\s*(?:[男女](?=[,，、 )）;；。\n]|性|$)|[{_NUM}]{{1,3}}\s*(?:周岁|岁)(?=[,，、。；;)）\s]|$)"
            rf"|[0-9〇零一二三四五六七八九]{{4}}\s*年[{_NUM}〇零月日]{{0,6}}出?生(?![产活效]))|[（(][男女][,，、)）]")
_INTRODUCED = re.compile(rf"(?<=[\u4e00-\u9fff])(?:{_SEX_AGE})")  # found first, the name read back from it
#: letters that end an occupation or role word (工程师, 医师, 法官, 民兵, 石匠, 社员): when one of them
#: is a three-letter candidate's first letter inside a longer run, the name may be two letters
#: (工程师金明 -> 金明, not 师金明); the rule then leaves it to the tagger
_ROLE_ENDS = frozenset("师员工长生民人者手匠农兵官吏士家")
_HONORIFIC_END = re.compile(r"(?:先生|女士|小姐|老师|师傅|同志|老人)$")
#: letters a name does not end with here: role and kinship words (申请人, 当事者, 其长子)
_NOT_NAME_END = frozenset("人者方犯属员儿子女孩婴籍权士格")
#: 居民, 村民, 农民 …: a group of people, not a given name ending in 民 (陈立民)
_GROUP_OF_PEOPLE = frozenset("居市村农公人选股网牧渔移难灾贫")


class IntroducedNameRecognizer(RecognizerBase):
    """PERSON for a name followed by the person's sex or age (module text above): the form in
    which court, police, injury and personnel records introduce the private people they are about."""

    name = "introduced_name.v1"
    labels = frozenset({"PERSON"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        out = []
        text = nt.text
        for m in _INTRODUCED.finditer(text):
            end = m.start()
            start = end - 1
            while start > 0 and end - start < 10 and "\u4e00" <= text[start - 1] <= "\u9fff":
                start -= 1
            run = text[start:end]
            honorific = _HONORIFIC_END.search(run)  # 仇成丰先生，男: the name ends before 先生
            if honorific:
                end -= len(honorific.group(0))
                run = run[:honorific.start()]
            if len(run) < 3:
                continue
            size = 4 if len(run) >= 4 and run[-4:-2] in COMPOUND_SURNAMES else 3
            name = run[-size:]
            if len(run) > size and name[0] in _ROLE_ENDS:
                continue
            if (name[-1] in _NOT_NAME_END or (name[-1] == "民" and name[-2] in _GROUP_OF_PEOPLE)
                    or not _three_letter_name(name)):
                continue
            out.append(self.span(nt, end - size, end, "PERSON", 0.8, "a name followed by the person's sex or age"))
        return out
