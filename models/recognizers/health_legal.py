"""HEALTH and LEGAL_RECORD recognizers: trigger phrases + the shape of what follows them.

Why rules here at all: the neural tagger learns these labels from synthetic documents, whose
vocabulary is small; real files use the same handful of legal formulas (判处有期徒刑三年, 行政拘留
十日, 给予党内警告处分, 收容审查, 刑满释放) and the same diagnosis verbs (确诊为, 患有, 罹患) in front
of an open vocabulary of diseases. So the rules match *formulas and verbs* and recognise the
disease by its head morpheme (…病, …症, …炎, …癌, …结核, …骨折), not by a list of diseases: a
disease no list has ever seen (患有克山病) is still found, and nothing is copied from a lexicon.

Span conventions (GUIDELINES, Annotation conventions): the minimal phrase, keeping the verb when
it is attached — 确诊为肺结核, 患有尿毒症, 因尿毒症去世, 七级伤残, 放置宫内节育器; 犯抢劫罪,
判处有期徒刑八年 (with ``，缓刑二年`` / ``，剥夺政治权利三年`` when they follow), 行政拘留十日,
党内严重警告处分 (without the 给予 before it). A forensic injury grade is the grade alone
(损伤程度为【轻伤二级】).

Not labelled (GUIDELINES): aggregate statistics and anonymous cases (全县共有肺结核病人312人,
全年确诊肺结核患者156人, 全年依法刑事拘留250人, 发现一例疑似霍乱病例, 陈某某患有…), offence
descriptions (因盗窃), penalties on companies (对违规企业罚款5000元), and the words themselves in
names of institutions (劳动教养管理所, 收容审查站).
"""
from __future__ import annotations

import re

from models.recognizers.base import RecognizerBase
from models.spans import Span
from models.text import NormalizedText

_CJK = r"\u3400-\u9fff\U00020000-\U0002ffff"
_NUM = r"(?:[0-9]{1,3}|[一二三四五六七八九十百两零〇]{1,4})"

# ----------------------------------------------------------------------------------- HEALTH --
#: Head morphemes a diagnosis ends with (longest first in the regex).
DISEASE_HEADS = (
    "综合征", "综合症", "结核", "梗死", "梗塞", "出血", "硬化", "衰竭", "畸形", "中毒", "麻痹",
    "瘫痪", "溃疡", "结石", "贫血", "痴呆", "障碍", "狭窄", "脱位", "增生", "囊肿", "肿瘤", "骨折",
    "损伤", "外伤", "烧伤", "烫伤", "挫伤", "离断伤", "积液", "积水", "坏死", "栓塞", "血栓", "萎缩",
    "扩张", "肥大", "肥厚", "缺损", "不全", "失常", "脱垂", "内障", "哮喘", "癫痫", "高血压",
    "糖尿病", "尘肺", "矽肺", "麻风", "鼠疫", "霍乱", "伤寒", "疟疾", "天花", "梅毒", "艾滋病",
    "阳性", "感染", "残疾", "失明", "失聪", "聋哑", "瘫", "病", "症", "炎", "癌", "瘤", "疮", "疝",
    "痔", "疾", "肿",
)
#: Stages or qualifiers that stay inside a diagnosis span (肺癌晚期).
_STAGE = r"(?:晚期|早期|中期|末期|中晚期|急性发作|复发)?"
#: Diagnosis verbs, longest first (the verb is part of the span).
DIAGNOSIS_VERBS = (
    "经医院确诊患有", "经医院诊断为", "经医院确诊为", "经检查确诊为", "经检查诊断为", "经鉴定为",
    "经诊断为", "被诊断为", "被确诊为", "被确诊患有", "确诊为", "确诊患有", "诊断为", "查出患有",
    "检查出", "查出", "长期患有", "患有", "罹患", "身患", "曾患", "患上了", "患上", "患了", "染上了",
    "染上", "得了", "患",
)
_HEADS_RX = "|".join(sorted(map(re.escape, DISEASE_HEADS), key=len, reverse=True))
#: Characters a diagnosis is written with (CJK, Latin/digits for 2型糖尿病, HIV, Ⅱ度).
_DX_CHAR = rf"[{_CJK}A-Za-z0-9Ⅰ-Ⅻ、\-]"
#: Words that end a diagnosis run even inside CJK text (function words, not disease morphemes).
_DX_STOP = set("的了后并且而已经在于被但和与及或等致因使将把从由对向给这那其他她它们是为有")
_DX_STOP_OK_INSIDE = set("和与及、")  # 高血压和糖尿病: joined diagnoses stay one span

_VERB_RX = re.compile("|".join(map(re.escape, sorted(DIAGNOSIS_VERBS, key=len, reverse=True))))
_HEAD_END = re.compile(rf"(?:{_HEADS_RX}){_STAGE}$")
#: After 因 + diagnosis: what the span keeps (因尿毒症去世, 因精神分裂症住院治疗).
_BECAUSE_TAIL = re.compile(
    r"住院治疗|住院|入院治疗|入院|病故|病逝|去世|逝世|死亡|身亡|病休|休养|截肢|致残|退职|丧失劳动能力")
#: Disability grades: 七级伤残, 伤残等级为七级, 伤残七级, 二等乙级残废, 一级残疾.
_DISABILITY = re.compile(
    rf"(?:{_NUM}级伤残|伤残(?:等级)?(?:为|评定为|鉴定为)?{_NUM}级|{_NUM}级残疾|残疾(?:等级)?(?:为)?{_NUM}级"
    r"|[一二三四特]等[甲乙丙]?级?(?:伤残|残废|残疾))")
#: Forensic injury grades, after the word that introduces them (the grade alone is the span).
_INJURY_GRADE = re.compile(
    r"(?:损伤程度|伤情|伤势|损伤等级)(?:鉴定|评定)?(?:为|系|属|构成|达)?[ :]?"
    r"(?P<g>轻微伤|轻伤[一二]级|重伤[一二]级|轻伤|重伤)")
#: Reproductive procedures (GUIDELINES: 放置宫内节育器).
_REPRO = re.compile(
    r"(?:放置|安放|取出)(?:宫内)?节育(?:器|环)|(?:施行|实施|做了|做|行)?(?:双侧)?(?:输卵管|输精管)结扎(?:手术|术)?"
    r"|(?:施行|实施|做了|做|行)?(?:人工流产|引产|刮宫|绝育)(?:手术|术)?|上环手术|取环手术")
#: Operations and treatments with their verb: 行阑尾切除术, 做了心脏搭桥手术, 接受化学治疗.
_TREATMENT = re.compile(
    rf"(?:施行|实施|做了|做过|行|接受了|接受)(?:[{_CJK}]{{1,8}}?)(?:切除术|摘除术|移植术|置换术|修补术|成形术|吻合术"
    r"|造口术|截肢术|搭桥手术|切除手术|摘除手术|移植手术|开颅手术|截肢手术)"
    r"|(?:住院|接受|进行|定期)?(?:化学治疗|放射治疗|化疗|放疗|血液透析|腹膜透析)(?:治疗)?"
    r"|(?:住院|接受|进行|定期)透析(?:治疗)?|透析治疗"  # bare 透析 also means "analyse in depth"
    rf"|服用(?:[{_CJK}]{{1,6}}?)药物?治疗|(?:截除|截去)[左右双]?[上下]?(?:肢|臂|腿|小腿|大腿|手指|足趾)")
_BODY = (
    "颅脑|头部|头皮|面部|眼部|眼球|双眼|左眼|右眼|耳部|鼻骨|下颌骨|颈椎|胸椎|腰椎|骶骨|尾骨|脊柱|脊椎|脊髓|"
    "锁骨|肩胛骨|肋骨|胸骨|骨盆|髋部|髋关节|股骨|胫骨|腓骨|髌骨|踝关节|跟骨|肱骨|尺骨|桡骨|腕骨|掌骨|指骨|"
    "趾骨|肩部|上臂|前臂|手臂|手腕|手掌|手指|食指|拇指|中指|无名指|小指|大腿|小腿|膝关节|膝部|足部|足趾|"
    "臂|腿|手|足|腰部|胸部|腹部|肝脏|脾脏|肾脏|肺部|听力|视力|神经")
#: Injuries named by a body part: 左腿胫骨骨折, 右手食指离断伤, 腰椎压缩性骨折, 双眼化学性烧伤.
_INJURY = re.compile(
    rf"(?:[左右双][侧]?)?(?:{_BODY})(?:[{_CJK}]{{0,6}}?)"
    r"(?:粉碎性骨折|压缩性骨折|多处骨折|骨折|离断伤|断离伤|外伤|烧伤|烫伤|挫伤|挫裂伤|裂伤|损伤|断裂|截肢|脱位)")
#: Field labels whose value is a diagnosis (死因：肝硬化晚期).
_DX_FIELD = re.compile(
    r"(?:死因|死亡原因|病因|诊断|初步诊断|临床诊断|入院诊断|出院诊断|诊断结果|诊断意见|病名|疾病名称|既往病史|病史|"
    r"伤病情况|病情)[ ]?[:：][ ]*")

#: A diagnosis that names a group or a count, not a person: 肺结核患者156人, 病人共312名.
_AGGREGATE_AFTER = re.compile(
    rf"^(?:患者|病人|病例|病员|者)|^(?:共|计|达|约)?[ ]?{_NUM}(?:多|余)?(?:人|名|例|户|起|人次|宗)")
_ANONYMOUS_BEFORE = re.compile(r"某|一例|一名患者|病例|患者中|群众中|全[县市区省乡镇村厂]|共有|累计|疑似")


def _back_to(text: str, start: int, window: int, marks: str) -> str:
    """The text before ``start``, at most ``window`` characters, back to the last of ``marks``."""
    lo = max(0, start - window)
    for ch in marks:
        k = text.rfind(ch, lo, start)
        if k >= 0:
            lo = max(lo, k + 1)
    return text[lo:start]


def _clause_before(text: str, start: int, window: int = 20) -> str:
    """The text of the clause before ``start`` (back to the last sentence or clause mark)."""
    return _back_to(text, start, window, "\n。；;，,：:")


def _anonymised_before(text: str, start: int, window: int = 40) -> bool:
    """An anonymised person (林某某, 张某) earlier in the same sentence: the record is nobody's."""
    return "某" in _back_to(text, start, window, "\n。；;!?！？")


def _diagnosis_end(text: str, pos: int, max_len: int = 14) -> int | None:
    """End of the longest diagnosis starting at ``pos`` (a run ending in a disease head)."""
    j, best = pos, None
    limit = min(len(text), pos + max_len)
    while j < limit:
        ch = text[j]
        if not re.match(_DX_CHAR, ch):
            break
        if ch in _DX_STOP and not (ch in _DX_STOP_OK_INSIDE and j > pos):
            break
        j += 1
        seg = text[pos:j]
        if _HEAD_END.search(seg) and seg[-1] not in _DX_STOP_OK_INSIDE:
            best = j
    if best is None:
        return None
    m = re.match(_STAGE, text[best:])
    return best + (m.end() if m else 0)


class HealthRecognizer(RecognizerBase):
    """HEALTH: diagnosis verb + disease, 因 + disease + outcome, disability and injury grades,
    reproductive procedures, operations and treatments, injuries of a named body part."""

    name = "cn_health.v2"
    labels = frozenset({"HEALTH"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        found: list[tuple[int, int, float, str]] = []

        def add(s: int, e: int, score: float, why: str) -> None:
            if e - s >= 2 and not self._aggregate(text, s, e):
                found.append((s, e, score, why))

        for m in _VERB_RX.finditer(text):
            end = _diagnosis_end(text, m.end())
            if end is None or end - m.end() < 2:
                continue
            if m.group(0) == "患" and text[m.end()] in "者病":
                continue
            add(m.start(), end, 0.9, f"diagnosis verb {m.group(0)} + disease")
        for m in re.finditer("因", text):
            end = _diagnosis_end(text, m.end())
            if end is None or end - m.end() < 2:
                continue
            t = _BECAUSE_TAIL.match(text, end)
            if t:
                add(m.start(), t.end(), 0.85, "因 + disease + outcome")
        for m in _DX_FIELD.finditer(text):
            pos = m.end()
            if _VERB_RX.match(text, pos) or text.startswith("因", pos):
                continue  # the verb rules above take it, verb included
            end = _diagnosis_end(text, pos)
            if end is None or end - pos < 2:
                continue
            nxt = text[end:end + 1]
            if nxt and nxt not in "\n,，。;；、 ":
                continue  # the field holds more than a diagnosis: leave it to the tagger
            add(pos, end, 0.85, f"diagnosis in field {m.group(0).strip()}")
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
        for m in _INJURY.finditer(text):
            add(m.start(), m.end(), 0.8, "injury of a body part")
        return [self.span(nt, s, e, "HEALTH", sc, why) for s, e, sc, why in _longest_first(found)]

    @staticmethod
    def _aggregate(text: str, start: int, end: int) -> bool:
        if _AGGREGATE_AFTER.match(text[end:end + 8]):
            return True
        return bool(_ANONYMOUS_BEFORE.search(_clause_before(text, start))) or _anonymised_before(text, start)


# ----------------------------------------------------------------------------- LEGAL_RECORD --
_TERM = rf"{_NUM}(?:年|个月)(?:零?{_NUM}个月)?"
_SENTENCE = re.compile(
    rf"(?:改判|判处|判决|被判|判|处)?(?:有期徒刑{_TERM}|拘役{_TERM}|管制{_TERM}|无期徒刑|死刑)"
    rf"(?:[,，]?缓刑{_TERM}|[,，]?缓期[二两]年执行)?"
    rf"(?:[,，]?(?:并处)?剥夺政治权利(?:{_TERM}|终身))?"
    rf"|剥夺政治权利(?:{_TERM}|终身)")
#: 犯抢劫罪, 犯有贪污罪, 犯反革命罪: 犯 + a charge of 2-14 characters + 罪.
_CHARGE = re.compile(rf"(?<![侵触冒违进再嫌罪人主从要惯案战])犯(?:有)?(?P<c>[{_CJK}、]{{1,14}}?)罪(?![犯行名证责])")
_ADMIN = re.compile(
    rf"(?:行政|治安|司法)拘留(?:{_NUM}(?:日|天|个月))?|拘留{_NUM}(?:日|天)"
    rf"|劳动教养(?:{_TERM})?|劳教{_TERM}|强制(?:隔离)?戒毒(?:{_TERM})?|收容(?:审查|教育|教养|遣送)(?:{_TERM})?"
    rf"|治安警告|治安罚款(?:{_NUM}元)?|罚款(?:人民币)?{_NUM}(?:元|块)|罚金(?:人民币)?{_NUM}元|并处罚金")
_DISCIPLINE = re.compile(
    rf"(?:党内严重警告|党内警告|严重警告|撤销党内(?:一切)?职务|留党察看(?:{_TERM})?|开除党籍|团内警告|团内严重警告|开除团籍"
    rf"|行政警告|行政记大过|行政记过|记大过|记过|降级|降职|撤职|开除公职|开除留用察看|留用察看(?:{_TERM})?|开除厂籍"
    rf"|开除学籍|留校察看|警告)处分"
    rf"|开除党籍|开除公职|开除留用察看|开除厂籍|撤销党内(?:一切)?职务|留党察看{_TERM}|通报批评|记大过(?:一次)?|行政记过"
    rf"|撤职查办")
_MEASURE = re.compile(r"刑事拘留|逮捕|取保候审|监视居住|隔离审查|监外执行|保外就医")
_RELEASE = re.compile(rf"刑满释放|假释|减刑{_TERM}|解除劳动教养|解除劳教|特赦释放")

_COUNT_AFTER = re.compile(rf"^[ ]?(?:共|计|达|约)?{_NUM}(?:多|余)?(?:人|名|人次|起|宗|件|户|家)")
_INSTITUTION_AFTER = re.compile(
    r"^(?:所|站|场|队|院|处|科|股|室|委员会|管理|工作|机关|证|令|决定书|通知书|审批|期限|期间|人员|对象|率|法|条例|规定|办法)")
_ORG_BEFORE = re.compile(r"企业|公司|工厂|厂|单位|商店|门市部|合作社|饭店|宾馆|酒店|集团|个别|多家|\d+家")
_ORG_PENALTIES = ("罚款", "罚金", "通报批评", "警告")


class LegalRecordRecognizer(RecognizerBase):
    """LEGAL_RECORD: sentences, charges (犯…罪), administrative penalties, disciplinary
    sanctions, coercive measures and release."""

    name = "cn_legal_record.v2"
    labels = frozenset({"LEGAL_RECORD"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        found: list[tuple[int, int, float, str]] = []
        for rx, score, why in ((_SENTENCE, 0.92, "sentence"), (_ADMIN, 0.85, "administrative penalty"),
                               (_DISCIPLINE, 0.88, "disciplinary sanction"),
                               (_MEASURE, 0.8, "coercive measure"), (_RELEASE, 0.85, "release")):
            for m in rx.finditer(text):
                s, e = m.start(), m.end()
                if text[s:e] in ("判", "处"):
                    continue
                if self._rejected(text, s, e, m.group(0)):
                    continue
                found.append((s, e, score, why))
        for m in _CHARGE.finditer(text):
            charge = m.group("c")
            if len(charge) < 2 or charge.startswith(("罪", "了", "下", "过", "法", "错")):
                continue
            if text.startswith("的", m.end()):
                continue  # 犯盗窃罪的，处…: statute language about anyone, not a finding
            if self._rejected(text, m.start(), m.end(), m.group(0)):
                continue
            found.append((m.start(), m.end(), 0.9, "charge 犯…罪"))
        return [self.span(nt, s, e, "LEGAL_RECORD", sc, why) for s, e, sc, why in _longest_first(found)]

    @staticmethod
    def _rejected(text: str, start: int, end: int, phrase: str) -> bool:
        after = text[end:end + 8]
        if _COUNT_AFTER.match(after):
            return True  # 全年依法刑事拘留250人: a count, not a record
        if after.startswith(("以上", "以下", "以内")):
            return True  # 判处有期徒刑十年以上: statute language, not a sentence passed
        if _INSTITUTION_AFTER.match(after):
            return True  # 劳动教养管理所, 逮捕证, 收容审查站
        before = _clause_before(text, start)
        if _anonymised_before(text, start):
            return True  # 陈某某: an anonymised person
        if any(phrase.startswith(p) or p in phrase for p in _ORG_PENALTIES) and _ORG_BEFORE.search(before):
            return True  # 对违规企业罚款5000元: a penalty on a company
        return False


# ----------------------------------------------------------------------------------- helpers --
def _longest_first(found: list[tuple[int, int, float, str]]) -> list[tuple[int, int, float, str]]:
    """Drop candidates inside or overlapping a longer one (one reading per characters)."""
    kept: list[tuple[int, int, float, str]] = []
    for f in sorted(found, key=lambda f: (-(f[1] - f[0]), -f[2], f[0])):
        if not any(f[0] < k[1] and k[0] < f[1] for k in kept):
            kept.append(f)
    return sorted(kept)
