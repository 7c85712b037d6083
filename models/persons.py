"""Who a person named in a record is, and whose a personal-record span is.

Why: GUIDELINES.md rule 1 opens public-facing records whose persons are officials acting in
office, people named in a public role (commended, elected, authors) and long-dead historical
figures; rules 2-3 restrict a private individual's health, criminal, family and financial
details. A name is therefore not evidence by itself; what matters is the role of the person a
sensitive detail is about. Roles are read from the words around a name (titles, role labels,
signature and 抄送 lines, commendation and martyrdom vocabulary), never from a list of names.

Roles, most public first: ``official`` (acting in office), ``historical`` (a long-dead or
historical figure, a revolutionary martyr), ``public`` (named in a public role), ``private``.
"""
from __future__ import annotations

import re
from typing import Sequence

from models.spans import Span

ROLES: tuple[str, ...] = ("official", "historical", "public", "private")
#: two-character surnames (复姓): a tagger that saw few of them cuts 上官志诚 to 官志诚
COMPOUND_SURNAMES: frozenset[str] = frozenset((
    "欧阳", "上官", "诸葛", "司马", "公孙", "东方", "皇甫", "尉迟", "慕容", "端木", "夏侯", "令狐",
    "长孙", "宇文", "司徒", "申屠", "澹台", "闻人", "赫连", "万俟", "西门", "南宫", "独孤", "百里",
    "呼延", "轩辕", "钟离", "太史", "闾丘", "左丘", "公冶", "濮阳", "淳于", "单于", "拓跋", "司空"))
#: single-character surnames of the 百家姓 tradition that are still common (about 400, most
#: frequent first); the rules that read names from their shape (``models.recognizers.name_forms``)
#: need a surname, and they run without the tagger's word list
SINGLE_SURNAMES: frozenset[str] = frozenset(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖萧田董袁潘于蒋蔡余杜叶"
    "程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫阎段雷侯龙史陶黎贺"
    "顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关"
    "兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁冉骆蓝路游辛靳管柴蒙鲍华喻祁"
    "蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米柏宗瞿桂全"
    "佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝官封谈匡鞠惠荆乐"
    "冀郁胥南班储栗燕楚鄢劳谌奚皮粟冼蔺楼盘满闻位厉伊仝区郜海阚花权强帅屠豆朴盖练廉禹井祖漆巴"
    "丰支卿国狄平计索宣晋相初门云容敬来扈晁芮都普阙浦戈伏鹿薄邸雍辜羊乌母裘亓修邰赫杭况那宿鲜"
    "印逯隆茹诸战慕危玉银亢嵇公哈湛宾戎勾茅利於呼居揭干但尉冶斯元束檀衣信展阴昝智幸奉植衡富尧"
    "闭由逄宓郗邴郏过")
#: personal-record labels whose subject matters (rules 2-3)
RECORD_LABELS = frozenset({"HEALTH", "LEGAL_RECORD", "ADDRESS", "ID_NUMBER"})

_TITLES = (r"同志|主任|副主任|局长|副局长|书记|副书记|县长|副县长|市长|副市长|镇长|乡长|区长|省长|科长|"
           r"厂长|经理|校长|主席|委员|处长|部长|院长|所长|队长|社长|站长|组长|总理|秘书长|股长|馆长|"
           r"司令员|政委|参谋长|主编|常委|专员|州长|旗长|盟长|董事长|总经理|会长|理事长|大使|领事")
_OFFICIAL_RIGHT = re.compile(rf"^[\s\u3000]*(?:{_TITLES}|代表)")
_OFFICIAL_LEFT = re.compile(
    rf"(?:负责人|经办人|编制|审核|审批|核算人|签发|记录|主持|联系人|代理人|审判员|审判长|书记员|"
    rf"法医师|医师|医生|签字|代表|"
    rf"鉴定人|登记员|承办人|发言|批示|报告人|填表人|调查人|执笔|起草|监制|领导|会计|出纳|制表|"
    rf"核稿|校对|拟稿|接待人|陪同|出席|列席|参加|抄送|主送|{_TITLES})[：:\s\u3000、，]*$")
_OFFICIAL_LINE = re.compile(r"现任|拟任|兼任|任命|担任|当选|调任|免去|任职|同志为|同志任")
_ROSTER_LINE = re.compile(r"^[\s\u3000]*(?:出席|列席|参加|缺席|抄送|主送|抄报|发送|记录|主持)[：:]")
_HISTORICAL = re.compile(r"烈士|先烈|英勇就义|壮烈牺牲|就义|遇害|殉难|殉职|牺牲|革命先驱|民族英雄|"
                         r"反动派|国民党反动|白色恐怖|清朝|清代|明代|明朝|宋代|唐代|元代|民国|辛亥|"
                         r"北洋|光绪|宣统|同治|咸丰|道光|乾隆|康熙|太平天国|字[\u4e00-\u9fff]{1,2}[，,]|号[\u4e00-\u9fff]{1,3}[，,]")
_PUBLIC = re.compile(r"表彰|先进|模范|劳模|英雄|获奖|荣获|光荣|嘉奖|当选|人大代表|政协委员|著有|编著|作者|"
                     r"教授|专家|学者|作家|画家|诗人|演员|运动员|冠军|院士|录取|毕业|悼词|追悼|生平")
_OLD_YEAR = re.compile(r"(?<![0-9])(?:1[0-8]\d\d|19[0-4]\d)\s*年|(?<![〇零一二三四五六七八九])"
                       r"(?:一[零〇一二三四五六七八][零〇一二三四五六七八九]{2}|一九[零〇一二三四][零〇一二三四五六七八九])年"
                       r"|[（(]1[0-9]{3}[—\-－～~]1[0-9]{3}[）)]")
_SENTENCE_END = "。；！？\n"


def _sentence(text: str, start: int, end: int, reach: int = 80) -> tuple[int, int]:
    s = start
    while s > 0 and start - s < reach and text[s - 1] not in _SENTENCE_END:
        s -= 1
    e = end
    while e < len(text) and e - end < reach and text[e] not in _SENTENCE_END:
        e += 1
    return s, e


def _line(text: str, pos: int) -> tuple[int, int]:
    s = text.rfind("\n", 0, pos) + 1
    e = text.find("\n", pos)
    return s, (e if e >= 0 else len(text))


def is_official_person(text: str, span: Span) -> bool:
    """A PERSON span in an official role: a title after the name (同志, 局长 ...), a role label
    or title before it (负责人：, 县长　韩永录), an appointment in its line, or a roster line
    (出席：, 抄送：). A bare name at the end is not enough: an applicant signs there too."""
    right = text[span.end:span.end + 6]
    left = text[max(0, span.start - 8):span.start]
    if _OFFICIAL_RIGHT.match(right) or _OFFICIAL_LEFT.search(left):
        return True
    ls, le = _line(text, span.start)
    return bool(_OFFICIAL_LINE.search(text[span.end:le][:60]) or _ROSTER_LINE.match(text[ls:le]))


def person_role(text: str, span: Span) -> str:
    """The role (``ROLES``) of the PERSON at ``span``, from the words around it."""
    s, e = _sentence(text, span.start, span.end)
    sentence = text[s:e]
    if _HISTORICAL.search(sentence) or _OLD_YEAR.search(sentence):
        return "historical"
    if is_official_person(text, span):
        return "official"
    if _PUBLIC.search(sentence):
        return "public"
    return "private"


def record_subject(text: str, span: Span, persons: Sequence[Span]) -> Span | None:
    """The person a personal-record span is about: the nearest name before it in its sentence,
    else the nearest after it there (该同志, 其 refer back; a register row names first)."""
    s, e = _sentence(text, span.start, span.end, reach=120)
    before = [p for p in persons if s <= p.start and p.end <= span.start]
    if before:
        return max(before, key=lambda p: p.end)
    after = [p for p in persons if span.end <= p.start and p.end <= e]
    return min(after, key=lambda p: p.start) if after else None


def record_subject_role(text: str, span: Span, persons: Sequence[Span]) -> str:
    """Whose the record span is: its subject's role; ``private`` when no name is in reach (an
    unnamed person's record counts as private: caution), ``historical`` when its paragraph is
    about the distant past (一九三四年被捕, a martyr's 就义, a life of 1875—1907)."""
    s, e = _line(text, span.start)
    if _HISTORICAL.search(text[s:e]) or _OLD_YEAR.search(text[s:e]):
        return "historical"
    subject = record_subject(text, span, persons)
    return person_role(text, subject) if subject is not None else "private"
