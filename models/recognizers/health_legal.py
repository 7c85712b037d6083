"""HEALTH and LEGAL_RECORD recognizers: trigger phrases + the shape of what follows them.

Why rules here at all: real files use a handful of legal formulas (判处有期徒刑三年, 行政拘留十日,
给予党内警告处分, 收容审查, 刑满释放) and of diagnosis verbs (确诊为, 患有, 诊断为) in front of an
open vocabulary of diseases and injuries. So the rules match *formulas and verbs* and recognise a
disease by its head morpheme (…病, …症, …炎, …癌, …结核, …骨折, …出血), an injury by a body
part and an injury word (右腕骨折, 左耳鼓膜穿孔), an operation by 行…术: a disease no list has
seen (患有克山病) is still found, and nothing is copied from a lexicon.

Span conventions (GUIDELINES, Annotation conventions): the minimal phrase, keeping the verb when
it is attached — 确诊为肺结核, 患有尿毒症, 诊断为慢性肝炎, 七级伤残, 放置宫内节育器, 行胃大部切除术;
the disease alone after 因 or 突然 (因胃溃疡出血在…住院: 胃溃疡出血), after the person it is about
(…同志肺结核已钙化: 肺结核) and in a diagnosis field (诊断：精神分裂症（偏执型）); 犯抢劫罪, 构成盗窃罪, 判处有期徒刑八年, 以反革命罪判处有期徒刑十年, 剥夺政治权利二年
(its own span), 行政拘留十日, 党内严重警告处分 (without the 给予 before it), 划为右派分子.

Whose record (``models.recognizers.record_context``): a phrase is dropped where the sentence
speaks of anyone (statutes: 的，处…, 或者, 以下, a modal before the phrase: 可以假释), of counted or unnamed people (全年依法刑事
拘留250人, 警方逮捕了至少6人, 嫌疑人已被逮捕, 一名患儿确诊为…), of an anonymised person (陈某某),
of a company (对违规企业罚款5000元, 被告单位…犯…罪), of a total (全乡应征计划外生育费…元), or
where it names an institution, a form, a title or a class (劳动教养管理所, 收容审查呈批表, 《劳动教养
试行办法》, 被判处死刑缓期执行的被告人). A bare measure without a term (逮捕, 假释, 开除党籍, 通报批评) needs the record's own evidence as well: a date in
its sentence, a passive, a decision or an opinion right before it (被逮捕, 给予开除党籍处分, 我意见
开除党籍), or a sanction found next to it in the same list (撤职、留党察看二年). In a law, a rule or
a judicial interpretation (a text that refers to itself: 本法, 本规定, 本解释) every phrase needs a
date in its sentence.
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.recognizers.record_context import (
    NUM,
    anonymised_before,
    clause_before,
    count_follows,
    has_date,
    in_book_title,
    normative_document,
    normative_sentence,
    sentence,
    unnamed_person,
)
from models.spans import Span
from models.text import NormalizedText

_CJK = r"\u3400-\u9fff\U00020000-\U0002ffff"
_NUM = NUM
_AMOUNT = r"(?:[0-9][0-9,.]*|[一二三四五六七八九十百千万两零〇]+)"

# ----------------------------------------------------------------------------------- HEALTH --
#: Head morphemes a diagnosis ends with (longest first in the regex).
DISEASE_HEADS = (
    "综合征", "综合症", "后遗症", "结核", "梗死", "梗塞", "出血", "溢血", "硬化", "衰竭", "畸形", "中毒",
    "麻痹", "瘫痪", "溃疡", "结石", "贫血", "痴呆", "障碍", "狭窄", "脱位", "增生", "囊肿", "肿瘤",
    "骨折", "损伤", "外伤", "烧伤", "烫伤", "挫伤", "挫裂伤", "裂伤", "离断伤", "毁损伤", "积液", "积水",
    "坏死", "栓塞", "血栓", "萎缩", "扩张", "肥大", "肥厚", "缺损", "不全", "失常", "脱垂", "内障", "哮喘",
    "癫痫", "高血压", "糖尿病", "尘肺", "矽肺", "麻风", "鼠疫", "霍乱", "伤寒", "疟疾", "天花", "梅毒",
    "艾滋病", "阳性", "感染", "残疾", "失明", "失聪", "聋哑", "不遂", "偏瘫", "中风", "休克", "穿孔",
    "震荡", "危象", "近视", "不孕", "不育", "唇裂", "腭裂", "瘫", "病", "症", "炎", "癌", "瘤", "疮", "疝",
    "痔", "疾", "肿", "痨",
)
#: Stages or qualifiers that stay inside a diagnosis span (肺癌晚期, 肝硬化（失代偿期）).
_STAGE = r"(?:晚期|早期|中期|末期|中晚期|急性发作|复发|发作)?"
_QUALIFIER = re.compile(r"[ ]?\((?![^()]*[附见详证])[^()\n，。；]{1,6}\)")  # not (附诊断证明)
#: Diagnosis verbs (the verb is part of the span); adverbs and agents before them are not
#: (经医院确诊为… -> 确诊为…, 曾患… -> 患…).
DIAGNOSIS_VERBS = (
    "确诊为", "确诊患有", "诊断为", "诊断患有", "查出患有", "检查出", "查出", "患有", "罹患", "身患",
    "患上了", "患上", "患了", "得过", "染上了", "染上", "得了", "突发", "患",
)
#: Words that name no condition by themselves (突发疾病, 患重病): what the sick person has is unsaid.
_GENERIC_DISEASE = frozenset({"疾病", "重病", "大病", "急病", "重症", "急症", "病症", "传染病", "慢性病",
                              "职业病", "罕见病", "疑难杂症", "严重疾病", "重大疾病", "各种疾病", "多种疾病"})
_HEADS_RX = "|".join(sorted(map(re.escape, DISEASE_HEADS), key=len, reverse=True))
#: A diagnosis is written with CJK, Latin letters and digits (2型糖尿病, HIV, Ⅱ度, 腰4-5): ``_dx_char``.
#: Words that end a diagnosis run even inside CJK text (function words, not disease morphemes).
_DX_STOP = set("的了后并且而已经在于被但和与及或等致因使将把从由对向给这那其他她它们是为有")
_DX_STOP_OK_INSIDE = set("和与及、")  # 高血压和糖尿病: joined diagnoses stay one span
#: After a one-character head, what makes a longer word that is no diagnosis (病休, 病房, 症状).
_HEAD_COMPOUND = {"病": set("休假故逝危重情人员床房例号历区愈退因种害虫菌毒"), "症": set("状"),
                  "炎": set("热"), "疾": set("苦病"), "肿": set("大胀瘤"), "瘤": set(""),
                  "癌": set("症细"), "疮": set("疤")}

_VERB_RX = re.compile("|".join(map(re.escape, sorted(DIAGNOSIS_VERBS, key=len, reverse=True))))
_DEGREE = re.compile(r"严重的|较严重的|严重|轻度|中度|重度|轻微|慢性|急性")
#: A person named as the subject right before a bare disease (孙立本同志肺结核已钙化, 该同志近年尘肺,
#: 其本人前列腺炎晚期): the disease alone is the span.
_SUBJECT_BEFORE = re.compile(
    r"(?:同志|其本人|本人|该员|该犯|其妻|其夫|其父|其母|之妻|之夫|妻子|丈夫|父亲|母亲)"
    r"(?:近年来|近年|婚后|自幼|从小|早年|早已|一直|长期)?")
#: What follows such a disease: a stage, its course, or the end of the clause.
_SUBJECT_DISEASE_NEXT = re.compile(r"[，,。；;\n]|已|经|多年|复发|加重|好转|痊愈|钙化|未愈|$")
#: Words before a disease that are not part of its span: 因 (因胃溃疡出血住院), 突然 (突然中风).
_BECAUSE = re.compile(r"因|突然")
#: After 因 + diagnosis: what says it happened to the person (因胃溃疡出血在…医院, 因尿毒症去世).
_BECAUSE_NEXT = re.compile(
    r"住院|入院|临时住院|病故|病逝|去世|逝世|死亡|身亡|病休|休养|截肢|致残|退职|丧失|在|到|于|经|医治|抢救|手术|不幸")
#: Disability grades: 七级伤残, 伤残等级为七级, 伤残七级, 二等乙级残废, 一级残疾, 二级肢体残疾.
_DISABILITY = re.compile(
    rf"(?:{_NUM}级伤残|伤残(?:等级)?(?:为|评定为|鉴定为)?{_NUM}级|{_NUM}级(?:肢体|视力|听力|言语|智力|精神|多重)?残疾"
    rf"|残疾(?:等级)?(?:为)?{_NUM}级|[一二三四特]等[甲乙丙]?级?(?:伤残|残废|残疾))")
#: Forensic injury grades, after the word that introduces them (the grade alone is the span).
_INJURY_GRADE = re.compile(
    r"(?:损伤程度|伤情|伤势|损伤等级)(?:鉴定|评定)?(?:为|系|属|构成|达)?[ :]?"
    r"(?P<g>轻微伤|轻伤[一二]级|重伤[一二]级|轻伤|重伤)")
#: Reproductive procedures (GUIDELINES: 放置宫内节育器).
_REPRO = re.compile(
    r"(?:放置|安放|取出)(?:宫内)?节育(?:器|环)|(?:施行|实施|做了|做|行)?(?:双侧)?(?:输卵管|输精管)结扎(?:手术|术)?"
    r"|(?:施行|实施|做了|做|行)?(?:人工流产|引产|刮宫|绝育)(?:手术|术)?|上环手术|取环手术"
    r"|(?<=[妻她其])(?:已)?怀孕(?:[0-9一二三四五六七八九十]+(?:个月|周))?")  # 其妻怀孕: a woman's, named
#: How an operation's name ends: 手术, or 术 after a procedure morpheme (切除术, 再植术, 修补术,
#: 吻合术, 成形术, 截指术, 固定术, 探查术, 结扎术, 引流术, 剖宫产术); not 技术, 学术, 艺术.
_OP_END = r"(?:手术|[切除植补整合形口肢指定查扎刺流产]术)"
#: Operations and treatments with their verb: 行子宫全切术, 做了心脏搭桥手术, 接受化学治疗,
#: 输血八百毫升, 缝合八针, 抗痨治疗, 换药治疗.
_TREATMENT = re.compile(
    rf"(?:施行|实施|做了|做过|接受了|接受)(?:[{_CJK}、]{{1,12}}?){_OP_END}"
    r"|(?:住院|接受|进行|定期)?(?:化学治疗|放射治疗|化疗|放疗|血液透析|腹膜透析)(?:治疗)?"
    r"|(?:住院|接受|进行|定期)透析(?:治疗)?|透析治疗"  # bare 透析 also means "analyse in depth"
    rf"|服用(?:[{_CJK}]{{1,6}}?)药物?治疗|(?:截除|截去)[左右双]?[上下]?(?:肢|臂|腿|小腿|大腿|手指|足趾)"
    rf"|输血{_AMOUNT}(?:毫升|ml|mL|CC|cc)|缝(?:合|了)?{_NUM}针"
    rf"|抗[{_CJK}、及和]{{1,14}}?治疗")
#: 行…术 after a time or a cue (急诊行…, 麻醉下行…, 11月14日行…): the operation with its verb.
_OPERATION = re.compile(
    rf"(?<=[，,。；;、\n 下即诊后遂并再又予年月日时院])行(?P<op>[{_CJK}A-Za-z0-9、\-]{{1,16}}?{_OP_END})")
_BODY = (
    "颅脑|颅骨|头部|头皮|面部|眼部|眼眶|眼球|双眼|双目|左眼|右眼|眼|耳部|耳|鼓膜|鼻骨|下颌骨|颈椎|胸椎|腰椎|骶骨|"
    "尾骨|脊柱|脊椎|脊髓|锁骨|肩胛骨|肋骨|胸骨|骨盆|髋部|髋关节|股骨|胫骨|腓骨|胫腓骨|髌骨|踝关节|跟骨|肱骨|"
    "尺桡骨|尺骨|桡骨|腕骨|腕|掌骨|指骨|趾骨|肩部|肩|上臂|前臂|手臂|手腕|手掌|手指|食指|示指|拇指|中指|环指|"
    "无名指|小指|大腿|小腿|膝关节|膝部|足部|脚|足趾|臂|腿|手|足|腰部|胸部|腹部|臀部|肝脏|脾脏|肾脏|肺部|"
    "听力|视力|神经|上肢|下肢|肢体|软组织|眉弓|胃|十二指肠|肠|肝|脾|肾|肺|心脏|子宫|宫颈|膀胱|胆囊|阑尾|"
    "腰椎间盘|椎间盘|阴道|消化道|鼻腔|牙龈|切口|伤口|创口|残端")
#: Injuries named by a body part: 左腿胫骨骨折, 右手食指轧伤, 腰椎压缩性骨折, 左耳鼓膜穿孔, 头部受伤,
#: 严重颅脑损伤, 右手示指、中指完全离断伤.
_INJURY = re.compile(
    rf"(?:严重|轻度|轻微|重度)?(?:[左右双][侧]?)?(?:{_BODY})(?:[、及和]?(?:[左右双][侧]?)?(?:{_BODY}))*"
    rf"(?:(?![被的了在把将用往从和与及])[{_CJK}、]){{0,8}}?"
    r"(?:粉碎性骨折|压缩性骨折|开放性骨折|多处骨折|骨折|离断伤|断离伤|毁损伤|外伤|烧伤|烫伤|挫伤|挫裂伤|"
    r"裂伤|损伤|断裂|截肢|脱位|受伤|砸伤|轧伤|扭伤|划伤|割伤|刺伤|咬伤|摔伤|压伤|撕裂伤|穿孔|失明|偏瘫|褥疮|"
    r"离断|压断|缺失|坏死|切除|突出|出血|感染|活动不便|行动不便|功能受限|功能障碍)")
_VOLUME = re.compile(rf"约?{_AMOUNT}(?:毫升|ml|mL|ML|CC|cc)")
#: Field labels whose value is a diagnosis (死因：肝硬化晚期; 出院诊断：1．…).
_DX_FIELD = re.compile(
    r"(?:死因|死亡原因|病因|诊断|检验所见|检查所见|初步诊断|临床诊断|入院诊断|出院诊断|术后诊断|术前诊断|诊断结果|诊断意见|病名|"
    r"疾病名称|既往病史|病史|伤病情况|病情|身体状况|健康状况)[ ]?[:：|][ ]*")
_LEADING_DATE = re.compile(
    r"[0-9]{2,4}[年.\-/]|[一二三四五六七八九〇零○]{2,4}年|[0-9一二三四五六七八九十]{1,2}月|入院时|出院时|出生时|当时|平时")
_ITEM_NUMBER = re.compile(r"[ ]*(?:[0-9]{1,2}|[一二三四五六七八九十])[.．、)][ ]*")

#: A diagnosis that names a group, a count or an unknown person: 肺结核患者156人, 一名患儿.
_ANONYMOUS_BEFORE = re.compile(
    r"某|一例|一名|一位|患儿|病例|患者中|群众中|全[县市区省乡镇村厂组]|共有|累计|疑似|无一人|人次|[0-9]+人"
    r"|部分|一些|不少|许多|大批|大量|多数|少数|个别")


_HEAD_ANY = re.compile(_HEADS_RX)
_DX_EXTRA = set("Ⅰ-Ⅻ、ⅠⅡⅢⅣⅤⅥⅦⅧⅨⅩⅪⅫ")


def _dx_char(ch: str) -> bool:
    """A character a diagnosis is written with (a comparison per character, no regex call)."""
    return ("\u3400" <= ch <= "\u9fff" or (ch.isascii() and ch.isalnum()) or ch in _DX_EXTRA
            or "\U00020000" <= ch <= "\U0002ffff")


def _diagnosis_end(text: str, pos: int, max_len: int = 16) -> int | None:
    """End of the longest diagnosis starting at ``pos`` (a run ending in a disease head)."""
    j = pos
    limit = min(len(text), pos + max_len)
    tail_end = None  # 后遗症 read through although 后 is a stop word
    while j < limit:
        ch = text[j]
        if not _dx_char(ch):
            break
        if ch in _DX_STOP and not (ch in _DX_STOP_OK_INSIDE and j > pos) and not (
                ch == "后" and j > pos and text[j - 1] in "产术"):  # 产后出血, 术后感染
            if not text.startswith("后遗症", j):
                break
            j += 3
            tail_end = j
            continue
        j += 1
    best = tail_end
    for m in _HEAD_ANY.finditer(text, pos, j):
        e = m.end()
        nxt = text[e:e + 1]
        if nxt and nxt in _HEAD_COMPOUND.get(text[e - 1], ()):
            continue  # 病休, 症状: the head starts a longer word
        if best is None or e > best:
            best = e
    if best is None:
        return None
    m = re.match(_STAGE, text[best:best + 4])
    end = best + (m.end() if m else 0)
    q = _QUALIFIER.match(text, end)
    return q.end() if q else end


class HealthRecognizer(RecognizerBase):
    """HEALTH: diagnosis verb + disease, 因 + disease, diagnosis fields, disability and injury
    grades, reproductive procedures, operations and treatments, injuries of a named body part."""

    name = "cn_health.v2"
    labels = frozenset({"HEALTH"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        found: list[tuple[int, int, float, str]] = []
        normative = normative_document(text)

        def add(s: int, e: int, score: float, why: str) -> None:
            if e - s >= 2 and self._personal(text, s, e, normative):
                found.append((s, e, score, why))

        for m in _VERB_RX.finditer(text):
            pos = m.end()
            d = _DEGREE.match(text, pos)
            end = _diagnosis_end(text, d.end() if d else pos)
            if end is None or end - pos < 2:
                continue
            if m.group(0) == "患" and text[pos] in "者病儿":
                continue
            if text[d.end() if d else pos:end] in _GENERIC_DISEASE:
                continue
            add(m.start(), end, 0.9, f"diagnosis verb {m.group(0)} + disease")
        for m in _BECAUSE.finditer(text):
            end = _diagnosis_end(text, m.end())
            if end is None or end - m.end() < 2 or text[m.end():end] in _GENERIC_DISEASE:
                continue
            if m.group(0) != "因" or _BECAUSE_NEXT.match(text, end):
                add(m.end(), end, 0.85, f"{m.group(0)} + disease")
        for m in _SUBJECT_BEFORE.finditer(text):
            end = _diagnosis_end(text, m.end())
            if (end is None or end - m.end() < 2 or text[m.end():end] in _GENERIC_DISEASE
                    or _VERB_RX.search(text, m.end(), end) or not _SUBJECT_DISEASE_NEXT.match(text, end)):
                continue
            add(m.end(), end, 0.8, "disease right after the person it is about")
        for m in _DX_FIELD.finditer(text):
            for s, e in _field_items(text, m.end()):
                add(s, e, 0.85, f"diagnosis in field {m.group(0).strip(' :：')}")
        for m in _DISABILITY.finditer(text):
            add(m.start(), m.end(), 0.9, "disability grade")
        for m in _INJURY_GRADE.finditer(text):
            add(m.start("g"), m.end("g"), 0.9, "forensic injury grade")
        for m in _REPRO.finditer(text):
            if text[m.end():m.end() + 1] in ("率", "数") or text[m.start():m.end()] in ("人工流产", "引产") \
                    and re.match(rf"[ ]?{_NUM}", text[m.end():]):
                continue
            add(m.start(), m.end(), 0.85, "reproductive procedure")
        for m in _TREATMENT.finditer(text):
            add(m.start(), m.end(), 0.8, "operation or treatment")
        for m in _OPERATION.finditer(text):
            add(m.start(), m.end(), 0.8, "operation 行…术")
        for m in _INJURY.finditer(text):
            e = m.end()
            if text.endswith("出血", 0, e):
                v = _VOLUME.match(text, e)
                e = v.end() if v else e  # 阴道出血约1500毫升
            add(m.start(), e, 0.8, "injury of a body part")
        return [self.span(nt, s, e, "HEALTH", sc, why) for s, e, sc, why in _longest_first(found)]

    @staticmethod
    def _personal(text: str, start: int, end: int, normative: bool) -> bool:
        """The condition is one identifiable person's (see the module docstring)."""
        if count_follows(text, end) or in_book_title(text, start):
            return False
        if _ANONYMOUS_BEFORE.search(clause_before(text, start, 20)) or anonymised_before(text, start):
            return False
        lo, hi = sentence(text, start, end)
        if normative_sentence(text, lo, hi, start):
            return False
        return not normative or has_date(text, lo, hi)


def _field_items(text: str, pos: int) -> list[tuple[int, int]]:
    """The diagnoses a field holds: ``A；B``, ``A、B、C`` (one span), ``1．A`` then indented
    ``2．B`` lines. An item that is more than a diagnosis is left to the tagger."""
    out = []
    while True:
        n = _ITEM_NUMBER.match(text, pos)
        start = n.end() if n else pos
        if _VERB_RX.match(text, start) or text.startswith("因", start) or _LEADING_DATE.match(text, start):
            return out  # a sentence, not a list of diagnoses: the verb rules take it
        end = _diagnosis_end(text, start, max_len=24)
        if end is None or end - start < 2:
            return out
        nxt = text[end:end + 1]
        if nxt and nxt not in "\n,，。;；、 ":
            return out
        out.append((start, end))
        if nxt in (";", "；"):
            pos = end + 1
            continue
        if nxt == "\n":  # an indented numbered item on the next line continues the list
            n2 = re.compile(r"\n[ ]+(?=(?:[0-9]{1,2}|[一二三四五六七八九十])[.．、])").match(text, end)
            if n2:
                pos = n2.end()
                continue
        return out


# ----------------------------------------------------------------------------- LEGAL_RECORD --
_TERM = rf"{_NUM}(?:年|个月)(?:零?{_NUM}个月)?"
_CHARGE_NAME = r"[\"“「]?[^，。；\n\"”」]{1,14}?罪[\"”」]?"
#: Phrases that carry their own evidence (a term, an amount, a sentence verb): the record needs
#: no date to be one.
_STRONG = re.compile(
    # sentences, optionally after the charge they were passed for (以虐待罪判处有期徒刑二年)
    rf"(?:以{_CHARGE_NAME})?(?:改判|判处|判决|被判|判|处以|处)(?:有期徒刑{_TERM}|拘役{_TERM}|管制{_TERM}|无期徒刑"
    rf"|死刑(?:[,，]?缓期(?:[二两]年)?执行)?)"
    rf"|(?:有期徒刑{_TERM}|拘役{_TERM}|管制{_TERM})(?:[,，]?缓期[二两]年执行)?"
    rf"|剥夺政治权利(?:{_TERM}|终身)|缓刑{_TERM}"
    rf"|(?:减去|减为|减刑)(?:有期徒刑)?{_TERM}|减为(?:有期徒刑{_TERM}|无期徒刑)|判了(?:有期徒刑)?{_TERM}|被捕"
    # administrative penalties and coercive measures with their term or amount
    rf"|(?:行政|治安|司法)拘留{_NUM}(?:日|天|个月)|拘留{_NUM}(?:日|天)"
    rf"|劳动教养{_TERM}|劳教{_TERM}|强制(?:隔离)?戒毒{_TERM}|收容(?:审查|教育|教养|遣送){_TERM}|监督劳动{_TERM}"
    rf"|治安罚款(?:人民币)?{_AMOUNT}元|罚款(?:人民币)?{_AMOUNT}(?:元|块)|(?:并处)?罚金(?:人民币)?{_AMOUNT}元"
    rf"|(?:征收|收取|处以)?(?:超计划生育费|计划外生育费|计划外生育罚款|超生费|超生罚款|社会抚养费)(?:人民币)?{_AMOUNT}元"
    # disciplinary sanctions named as 处分, and those with a term
    rf"|(?:党内|行政|政务|团内)?(?:严重警告|警告|记大过|记过|降级|降职|撤职|开除留用察看|留用察看(?:{_TERM})?"
    rf"|留党察看(?:{_TERM})?|留厂察看(?:{_TERM})?|留校察看(?:{_TERM})?|开除党籍|开除公职|开除厂籍|开除学籍|开除团籍|开除军籍"
    rf"|撤销党内(?:外)?(?:一切)?职务)处分"
    rf"|留党察看{_TERM}|留厂察看{_TERM}|留校察看{_TERM}|警告(?=一次)"
    # political labels of the campaigns, and their removal
    rf"|划(?:为|成)[^，。；、\n]{{1,10}}?分子|(?:摘掉|摘去|摘除|戴上)[^，。；、\n]{{0,6}}?(?:分子|右派|地主|富农|反革命)[^，。；、\n]{{0,2}}?帽子"
    rf"|工资由{_NUM}级降(?:为|至){_NUM}级")
#: Bare measures: a record only with a date or a passive / decision right before them.
_WEAK = re.compile(
    r"死刑|无期徒刑|(?:行政|治安|司法)拘留|劳动教养|强制(?:隔离)?戒毒|收容(?:审查|教育|教养|遣送)|监督劳动"
    r"|治安警告|开除党籍|开除公职|开除厂籍|开除军籍|开除留用察看|撤销党内(?:外)?(?:一切)?职务"
    r"|撤销(?:其)?[^，。；、\n“”]{0,14}?职务|留党察看|留厂察看|留用察看|通报批评|记大过|行政记过|记过|撤职查办|撤职"
    r"|党内严重警告|党内警告|刑事拘留|逮捕|取保候审|监视居住|隔离审查|监外执行|保外就医"
    r"|刑满释放|假释|解除劳动教养|解除劳教|解除管制|解除监督劳动|特赦释放")
#: 犯抢劫罪, 犯有贪污罪, 构成盗窃罪: a charge of 2-14 characters + 罪.
_CHARGE = re.compile(
    rf"(?:(?<![侵触冒违进再嫌罪人主从要惯案战])犯(?:有)?|构成)(?P<c>[{_CJK}、]{{1,14}}?)罪(?![犯行名证责])")
#: What a record's bare measure stands right after: a passive, a decision, a proposal or an
#: opinion on it (minutes: 我意见开除党籍, 建议行政记过, 拟同意收容审查), a time, the person.
_RECORD_BEFORE = re.compile(
    r"(?:被|遭|遭到|受到|受|给予|予以|予|决定|对其|将其|已|曾|即|后|并|又|再|同时|依法|执行|经[^，。；]{0,16}批准|其"
    r"|意见是|意见|建议|我看|同意|拟|主张|该犯|该员|该人|本人|同志|他|她|我)(?:依法)?$")
#: A first-person opinion in minutes: whatever the sentence says of rules, this is about one case.
_OPINION_BEFORE = re.compile(r"(?:我的意见是|我的意见|我意见|我看|我同意|我主张|我建议)[是:：，,]?$")
#: Only separators between a bare measure and a record found right before it: one list
#: (给予郝振江留党察看一年处分，撤销其…职务; 撤职、留党察看二年).
_LIST_GAP = re.compile(r"[，,、；;\s]{0,3}$")

_INSTITUTION_AFTER = re.compile(
    r"(?:所|站|场|队|院|处|科|股|室|委员会|管理|工作|机关|证|令|决定书|通知书|审批|期限|人员|对象|率|法|条例|规定"
    r"|办法|呈批表|审批表|登记表|表|条件|制度|措施|案件|人数|问题|补充|罪|人(?!民))")
#: A class of people described by a measure (被判处死刑缓期执行的被告人, 营救被捕的革命者), or a
#: statute's condition (（四）正在被劳动教养的；).
_ATTRIBUTIVE = re.compile(
    r"的(?:[，,；;。]|人员|人|罪犯|犯罪分子|犯罪嫌疑人|被告人|当事人|公民|者|期间|案件|[\u4e00-\u9fff]{1,4}者)")
_ORG_TARGET = re.compile(
    rf"对[{_CJK}]{{1,16}}?(?:局|委|厂|公司|单位|部|所|站|队|院|社|办|室|会|校|店|场|企业|集团|组织|机关|门市部)"
    r"(?:予以|给予|处以|处|进行)?$")
_ORG_BEFORE = re.compile(r"企业|公司|工厂|厂|单位|商店|门市部|经营部|合作社|饭店|宾馆|酒店|集团|个别|多家|\d+家")
#: A company convicted or fined: the sentence's subject is 被告单位 or a firm (…经营部犯…罪).
_COMPANY_SUBJECT = re.compile(r"被告单位|(?:公司|厂|经营部|商店|门市部|合作社|企业)(?:犯|构成|判处|处以)?$")
#: Totals and quotas, not one person's penalty: 全乡应征计划外生育费三万一千五百元.
_AGGREGATE_BEFORE = re.compile(r"全[县市区省乡镇村厂]|共计|合计|总计|累计|截至|截止|应征|共征")
_ORG_PENALTIES = ("罚款", "罚金", "通报批评", "警告")
_GENERIC_CHARGES = ("犯", "罪", "了", "下", "过", "法", "错", "新", "同", "此", "该", "前", "本", "上述", "其")


class LegalRecordRecognizer(RecognizerBase):
    """LEGAL_RECORD: sentences, charges (犯…罪), administrative penalties, disciplinary
    sanctions, coercive measures, release, and the campaigns' political labels."""

    name = "cn_legal_record.v2"
    labels = frozenset({"LEGAL_RECORD"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        normative = normative_document(text)
        found: list[tuple[int, int, float, str]] = []
        for m in _STRONG.finditer(text):
            if text[m.end():m.end() + 2] in ("以上", "以下", "以内"):
                continue  # 判处有期徒刑十年以上: a range in a statute
            if self._record(text, m.start(), m.end(), m.group(0), normative, weak=False):
                found.append((m.start(), m.end(), 0.9, "legal formula with its term"))
        unanchored = []
        for m in _WEAK.finditer(text):
            if self._record(text, m.start(), m.end(), m.group(0), normative, weak=True):
                found.append((m.start(), m.end(), 0.8, "measure or sanction on a person"))
            elif self._record(text, m.start(), m.end(), m.group(0), normative, weak=False):
                unanchored.append((m.start(), m.end()))
        # a bare measure in one list with a sanction found before or after it is one of them
        for s, e in unanchored:
            ends = {f[1] for f in found if f[1] <= s and s - f[1] <= 3}
            starts = {f[0] for f in found if f[0] >= e and f[0] - e <= 3}
            if any(_LIST_GAP.fullmatch(text, k, s) for k in ends) or any(
                    _LIST_GAP.fullmatch(text, e, k) for k in starts):
                found.append((s, e, 0.8, "measure in a list of sanctions"))
        for m in _CHARGE.finditer(text):
            charge = m.group("c")
            if len(charge) < 2 or charge.startswith(_GENERIC_CHARGES) or charge.endswith("犯"):
                continue
            if self._record(text, m.start(), m.end(), m.group(0), normative, weak=False):
                found.append((m.start(), m.end(), 0.9, "charge 犯…罪"))
        return [self.span(nt, s, e, "LEGAL_RECORD", sc, why) for s, e, sc, why in _longest_first(found)]

    @staticmethod
    def _record(text: str, start: int, end: int, phrase: str, normative: bool, *, weak: bool) -> bool:
        """A record of one identifiable person (see the module docstring)."""
        if text.startswith("的", end) and (phrase.startswith(("犯", "构成")) or normative
                                            or _ATTRIBUTIVE.match(text, end)):
            return False  # 犯盗窃罪的，处…; 被判处死刑缓期执行的被告人: anyone so described
        if count_follows(text, end) or unnamed_person(text, start, end):
            return False  # 全年依法刑事拘留250人; 警方逮捕了至少6人
        if _INSTITUTION_AFTER.match(text, end) or in_book_title(text, start):
            return False  # 劳动教养管理所, 《劳动教养试行办法》
        if anonymised_before(text, start):
            return False  # 陈某某: an anonymised person
        before = clause_before(text, start, 30)
        if before.endswith(("关于", "关于对")):
            return False  # 关于死刑缓期执行限制减刑的规定: the topic of a rule
        lo, hi = sentence(text, start, end)
        if _ORG_TARGET.search(before) or (
                any(p in phrase for p in _ORG_PENALTIES) and _ORG_BEFORE.search(text, lo, start)):
            return False  # 对县交通局予以通报批评; 对违规企业罚款5000元: a penalty on a company
        if (phrase.startswith(("犯", "构成")) or "罚" in phrase) and (
                _COMPANY_SUBJECT.search(text, lo, start) or _COMPANY_SUBJECT.search(before)):
            return False  # 被告单位…经营部犯销售伪劣种子罪，判处罚金: a company's conviction
        if "元" in phrase and _AGGREGATE_BEFORE.search(text, lo, start):
            return False  # 全乡应征计划外生育费…元: a total
        if _OPINION_BEFORE.search(before):
            return True  # 我意见开除党籍: a member's view on this person's case, in minutes
        if normative_sentence(text, lo, hi, start):
            return False
        if normative and not has_date(text, lo, hi):
            return False
        if weak:
            return has_date(text, lo, end) or _RECORD_BEFORE.search(before) is not None
        return True


# ----------------------------------------------------------------------------------- helpers --
def _longest_first(found: list[tuple[int, int, float, str]]) -> list[tuple[int, int, float, str]]:
    """Drop candidates inside or overlapping a longer one (one reading per characters)."""
    kept: list[tuple[int, int, float, str]] = []
    for f in sorted(found, key=lambda f: (-(f[1] - f[0]), -f[2], f[0])):
        if not any(f[0] < k[1] and k[0] < f[1] for k in kept):
            kept.append(f)
    return sorted(kept)
