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

HEALTH since v3 (rules.v6) also reads what a record narrates besides a diagnosis: an injury word
before its body part (划伤左前臂, 中指被压断, 头皮裂了一道口子), the doctor's word reported (医生说有
轻微脑震荡: the diagnosis alone), a person or 并 + 有 + disease (我妈有哮喘, 并有风湿性关节炎), a
positive test (沙眼（＋）), obstetric history and delivery (孕1产0, 经阴道分娩), and, as weak
evidence, symptoms (经常乏力、食欲不振), examination findings (巩膜轻度黄染, 移动性浊音阳性, 脾肋下
三横指), 出现 + a condition, loss of function (社会功能明显受损, 常年卧床) and treatments given
(给予保肝、利尿治疗, 经…静脉滴注). Weak phrases are as often said of anyone, so they count only in
a clinical record (two section labels: 入院诊断, 病情摘要, 门诊号 …), in a sentence that holds a
strong HEALTH phrase (a chain of findings about one person), right after a person word, or
before 旧病复发; never after 如有/一旦 (what is only supposed).

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
    "震荡", "危象", "近视", "不孕", "不育", "唇裂", "腭裂", "妄想", "幻听", "幻觉", "蜘蛛痣", "肝掌",
    "瘫", "病", "症", "炎", "癌", "瘤", "疮", "疝",
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
    r"|(?<=[妻她其])(?:已)?怀孕(?:[0-9一二三四五六七八九十]+(?:个月|周))?"  # 其妻怀孕: a woman's, named
    r"|(?<=\()绝经(?=\))|(?<=已)绝经")  # 取出宫内节育器（绝经）: why, in a register
#: How an operation's name ends: 手术, or 术 after a procedure morpheme (切除术, 再植术, 修补术,
#: 吻合术, 成形术, 截指术, 固定术, 探查术, 结扎术, 引流术, 剖宫产术); not 技术, 学术, 艺术.
_OP_END = r"(?:手术|[切除植补整合形口肢指定查扎刺流产]术)"
#: Operations and treatments with their verb: 行子宫全切术, 做了心脏搭桥手术, 接受化学治疗,
#: 输血八百毫升, 缝合八针, 抗痨治疗, 换药治疗.
_TREATMENT = re.compile(
    r"(?=[施实做接住进定化放血腹透服截缝抗输])(?:"  # a first-character test, see _first
    rf"(?:施行|实施|做了|做过|接受了|接受)(?:[{_CJK}、]{{1,12}}?){_OP_END}"
    r"|(?:住院|接受|进行|定期)?(?:化学治疗|放射治疗|化疗|放疗|血液透析|腹膜透析)(?:治疗)?"
    r"|(?:住院|接受|进行|定期)透析(?:治疗)?|透析治疗"  # bare 透析 also means "analyse in depth"
    rf"|服用(?:[{_CJK}]{{1,6}}?)药物?治疗|(?:截除|截去)[左右双]?[上下]?(?:肢|臂|腿|小腿|大腿|手指|足趾)"
    rf"|输血{_AMOUNT}(?:毫升|ml|mL|CC|cc)|缝(?:合|了)?{_NUM}针"
    rf"|抗[{_CJK}、及和]{{1,14}}?治疗)")
#: 行…术 after a time or a cue (急诊行…, 麻醉下行…, 11月14日行…): the operation with its verb.
_OPERATION = re.compile(
    rf"(?<=[，,。；;、\n 下即诊后遂并再又予年月日时院])行(?P<op>[{_CJK}A-Za-z0-9、\-]{{1,16}}?{_OP_END})")
_BODY = (
    "颅脑|颅骨|头部|头皮|面部|眼部|眼眶|眼球|双眼|双目|左眼|右眼|眼|耳部|耳|鼓膜|鼻骨|下颌骨|颈椎|胸椎|腰椎|骶骨|"
    "尾骨|脊柱|脊椎|脊髓|锁骨|肩胛骨|肋骨|胸骨|骨盆|髋部|髋关节|股骨|胫骨|腓骨|胫腓骨|髌骨|踝关节|跟骨|肱骨|"
    "尺桡骨|尺骨|桡骨|腕骨|腕|掌骨|指骨|趾骨|肩部|肩|上臂|前臂|手臂|手腕|手掌|手指|食指|示指|拇指|中指|环指|"
    "无名指|小指|大腿|小腿|膝关节|膝部|足部|脚|足趾|臂|腿|手|足|腰腿|腰背|腰部|胸部|腹部|颈部|臀部|肝脏|脾脏|肾脏|肺部|"
    "听力|视力|神经|上肢|下肢|肢体|软组织|眉弓|胃|十二指肠|肠|肝|脾|肾|肺|心脏|子宫|宫颈|膀胱|胆囊|阑尾|"
    "腰椎间盘|椎间盘|阴道|消化道|鼻腔|牙龈|切口|伤口|创口|残端|腰")
#: A side (左, 右侧, 左边) and a body part; 左边身, 右半身 (one side of the body, 左边身偏瘫).
_SIDE = r"(?:[左右双](?:侧|边)?)"
_BODY_UNIT = rf"(?:[左右](?:侧|边)?半?身(?![体上份边子材高])|{_SIDE}?(?:{_BODY}))"


def _first(*words: str) -> str:
    """A lookahead on the first characters the phrase can start with. Why: a pattern that opens
    with an optional alternation (a body part, an adverb) is otherwise tried branch by branch at
    every position of the text; one character-class test rejects almost all of them."""
    chars = sorted({w[0] for group in words for w in group.split("|") if w})
    return "(?=[" + "".join(chars) + "])"


_SIDES = "左|右|双"
#: Injuries named by a body part: 左腿胫骨骨折, 右手食指轧伤, 腰椎压缩性骨折, 左耳鼓膜穿孔, 头部受伤,
#: 严重颅脑损伤, 右手示指、中指完全离断伤.
#: Spaced OCR text (右手 食指 、 中指 被 压断) keeps its spaces inside the span; a passive right
#: before the injury word stays in it (中指被压断).
_INJURY = re.compile(
    rf"{_first(_BODY, _SIDES, '严|轻|重')}(?:严重|轻度|轻微|重度)?(?P<body>{_BODY_UNIT}(?:[ ]?[、及和]?[ ]?{_BODY_UNIT})*)"
    rf"(?:(?![被的了在把将用往从和与及])[{_CJK}、 ]){{0,8}}?(?P<end>(?:被[ ]?)?"
    r"(?:粉碎性骨折|压缩性骨折|开放性骨折|多处骨折|骨折|离断伤|断离伤|毁损伤|外伤|烧伤|烫伤|挫伤|挫裂伤|"
    r"裂伤|损伤|断裂|截肢|脱位|受伤|砸伤|轧伤|扭伤|划伤|割伤|刺伤|咬伤|摔伤|压伤|撕裂伤|穿孔|失明|偏瘫|褥疮|"
    r"离断|压断|缺失|坏死|切除|突出|出血|感染|活动不便|行动不便|功能受限|功能障碍"
    r"|裂(?:了|开)?(?:一道|一个|一条|道|个|条)?口子"
    r"|(?P<pain>疼痛|酸痛|肿痛|麻木)))")  # pain alone is weak evidence (see _weak_in_context)
_VOLUME = re.compile(rf"约?{_AMOUNT}(?:毫升|ml|mL|ML|CC|cc)")
#: The area of a burn belongs to it (二度烫伤，面积约百分之十八).
_BURN_AREA = re.compile(r"[,，]?(?:烧伤|烫伤)?面积(?:约|达|为)?(?:百分之[一二三四五六七八九十百点]+|[0-9.]+%)")
#: How often a treatment is given belongs to it (每周需血液透析两次).
_FREQ_BEFORE = re.compile(r"每(?:周|月|天|日|隔[一二两三]?[天日周])(?:需要|需|要|都|定期)?$")
_TIMES_AFTER = re.compile(rf"{_NUM}次")
#: A condition only supposed (如有呕血、黑便立即就诊; 一旦出现…): nobody's record.
_SUPPOSED = re.compile(r"(?:如有|若有|如果|假如|一旦|如|若|防止|避免|预防|以免)$")
#: The injury word first, then the body part (被铁钩划伤左前臂: 划伤左前臂; 打断了他的右腿).
_INJURY_VERB_FIRST = re.compile(
    r"(?:划伤|砸伤|打伤|刺伤|咬伤|烧伤|烫伤|割伤|击伤|压伤|撞伤|碰伤|扭伤|擦伤|抓伤|戳伤|砍伤|踢伤|摔伤|轧伤|夹伤"
    rf"|打断|砸断|压断|轧断|撞断|打破|划破|割破|砸破)了?(?:其|他|她|我)?的?{_BODY_UNIT}")
#: What makes an injury phrase a precaution for anyone (防止烫伤手部, 以免划伤手指).
_PRECAUTION = re.compile(r"(?:防止|避免|以免|谨防|小心|防范|容易|易|可能|会|不会|不要|严防|预防)$")
#: The doctor's word reported (医生说有轻微脑震荡, 医生讲係腦梗塞): the diagnosis alone is the span.
_REPORTED = re.compile(
    r"(?:医生|大夫|医师|医院)(?:都|也|又)?(?:说|讲|讲话|称|认为|判断|诊断|告诉我|告诉我们)(?:是|系|为|有|得了|患了|话)?")
#: A person right before 有 + disease (我妈有哮喘, 本人一直有胃病): 有 is the diagnosis verb.
_PERSON_HAS = re.compile(
    r"(?:妈|爸|母亲|父亲|妻子|丈夫|爱人|老伴|婆婆|公公|岳母|岳父|儿子|女儿|本人|同志|该犯|该员|她|(?<![其吉])他"
    r"|我(?![国们省市县区军方院校厂所部局委]))"
    r"(?:从小|自幼|一直|早年|早就|以前|原来|本来|向来|素来|也|还|都|就)?$")
#: A positive finding of an examination (沙眼(+), 结核菌素试验(阳性)), the mark inside the span.
_EXAM_POSITIVE = re.compile(rf"(?<=[,，;；:：\s。])[{_CJK}]{{2,8}}\((?:\+{{1,3}}|阳性)\)")
#: Obstetric history and delivery in a record (孕1产0、孕40周临产; 经阴道分娩).
_OBSTETRIC = re.compile(
    r"孕[0-9一二三四五六七八九]{1,2}产[0-9一二三四五六七八九零〇]{1,2}(?:[、,，]孕[0-9]{1,2}(?:\+[0-9])?周(?:临产)?)?"
    r"|(?:经阴道|经剖宫产|剖宫产)分娩(?![率数])")
#: Symptoms (a small hand-written list: what a record narrates, no lexicon behind it) in a run
#: with their adverb (经常乏力、食欲不振、腹胀; 咳嗽气喘). Weak evidence: see _WEAK_CONTEXT.
_SYMPTOMS = (
    "乏力", "食欲不振", "纳差", "腹胀", "腹痛", "腹泻", "头痛", "头晕", "头昏", "恶心", "呕吐", "咳嗽", "咳痰",
    "气喘", "气促", "气短", "胸闷", "胸痛", "心悸", "心慌", "发热", "发烧", "高热", "低热", "失眠", "盗汗", "浮肿",
    "水肿", "消瘦", "咯血", "咳血", "便血", "呕血", "抽搐", "昏迷", "晕厥", "黄疸", "尿频", "尿急", "尿痛",
    "腰痛", "瘙痒", "喘息", "哮喘", "耳鸣")
_SYM_RX = "|".join(sorted(_SYMPTOMS, key=len, reverse=True))
_SYMPTOM_RUN = re.compile(
    rf"{_first(_SYM_RX, '经|反|时|常|偶|持|间')}(?:(?:经常|反复|时常|常常|时有|偶有|持续|间断)?(?:{_SYM_RX})(?:[、及和伴]?(?:{_SYM_RX}))*(?![{_CJK}])"
    rf"|(?:{_SYM_RX})(?:[、及和伴]?(?:{_SYM_RX}))*(?=(?:旧症|旧病|老病|老毛病)(?:又|复)(?:发|犯)))")
#: 出现 + a condition (反复出现被害妄想、言语性幻听; 右示指出现动脉危象), with the body part before it.
_APPEARS = re.compile(rf"{_first(_BODY, _SIDES, '反复|多次|再次|又|突然|逐渐|出现')}(?:{_BODY_UNIT})?(?:反复|多次|再次|又|突然|逐渐)?出现")
#: Loss of function, of a capacity, bedridden (社会功能明显受损, 左手握力明显减弱, 已丧失生育能力).
_FUNCTION = re.compile(
    rf"{_first(_BODY, _SIDES, '屈|活|运|行|语|言|吞|咀|社|认|生|肢|关|握|肌|记|已|完|部|丧|不|常|长|终')}"
    rf"(?:(?:{_BODY_UNIT}|屈伸|活动|运动|行走|语言|言语|吞咽|咀嚼|社会|认知|生育|肢体|关节)功能"
    r"(?:明显|严重|部分|完全|基本)?(?:受限|受损|障碍|丧失|减退|不全|低下)"
    rf"|(?:{_BODY_UNIT})?(?:握力|肌力|记忆力)(?:明显|严重|逐渐)?(?:减弱|减退|下降|丧失)"
    r"|(?:已|完全|部分)?丧失(?:了)?(?:劳动|生育|工作|行走|生活自理)能力"
    rf"|不能完成[{_CJK}]{{1,6}}?动作|(?:常年|长期|终年|长年)卧床(?:不起)?)")
#: A named disease flaring up (哮喘发作, 癫痫复发): a head of two characters at least.
_FLARE = re.compile(rf"(?P<h>{_HEADS_RX})(?:急性)?(?:发作|复发)")
#: What an examination finds (贫血貌, 巩膜轻度黄染, 腹部膨隆, 移动性浊音阳性, 脾肋下三横指, 呕血两次，
#: 共约五百毫升, 解柏油样便).
_FINDING = re.compile(
    rf"{_first(_BODY, _SIDES, '贫|急|慢|痛|巩|皮|口|甲|淋|全|肝|脾|呕|咯|咳|吐|便|尿|解')}(?:贫血貌|[急慢]性病容|痛苦面容"
    rf"|(?:{_BODY_UNIT}|巩膜|皮肤|口唇|甲状腺|淋巴结|全身)(?:轻度|中度|重度|明显|轻微)?"
    r"(?:黄染|膨隆|水肿|压痛|反跳痛|苍白|发绀|肿大|红肿|肿胀|浮肿)"
    rf"|[肝脾](?:脏)?(?:肋下|剑突下){_NUM}(?:横指|指|厘米|cm)"
    rf"|(?:呕血|咯血|咳血|吐血|便血|尿血)(?:{_NUM}次)?(?:[,，]?(?:共|总计|合计)?约?{_AMOUNT}(?:毫升|ml|mL|CC|cc))?"
    r"|解(?:柏油样|黑色|黑|血|脓血|稀|陶土样|果酱样)便)")
#: A sign found positive, as a clause of its own (移动性浊音阳性, 巴氏征阳性).
_SIGN_POSITIVE = re.compile(rf"(?<=[,，;；:：\s])[{_CJK}]{{2,8}}?(?:征|音|试验|反射)阳性")
#: 给予/予 + treatments + 治疗 (给予保肝、利尿及补充白蛋白治疗: the treatments with 治疗; before 处理
#: the treatments alone: 给予按摩子宫、肌注缩宫素处理).
_GIVEN = re.compile(rf"(?:给予|予以|予)(?P<t>[{_CJK}、及和]{{2,24}}?)(?P<k>治疗|处理)")
_GENERIC_TREATMENT = re.compile(
    r"^(?:积极|及时|对症|相应|妥善|必要|紧急|全力|认真|严肃|依法|从严|从重|从轻|免予|不予|一定|免费|优惠|减免|补助"
    r"|救助|救治|医疗|康复|专业|规范|系统|综合|有效|特殊|重点|优先|集中|隔离|住院|门诊)")
#: Treatments listed after 经 in a clinical record (经三腔二囊管压迫止血、垂体后叶素静脉滴注及输血…).
_TREAT_ITEM = re.compile(
    rf"[{_CJK}0-9]{{1,14}}?(?:压迫止血|止血|静脉滴注|静滴|滴注|静脉注射|肌肉注射|注射|肌注|输液|吸氧|灌肠|引流)"
    rf"|输血{_AMOUNT}(?:毫升|ml|mL|CC|cc)")
_NOT_TREATMENT = re.compile(r"医院|卫生院|院|所|站|科|部|委员会|鉴定|批准|检查|研究|调查")
#: Drugs taken as treatment (长期服用氯氮平维持治疗).
_MEDICATION = re.compile(rf"{_first('长|定|坚|继|按|服')}(?:长期|定期|坚持|继续|按时)?服用[{_CJK}]{{1,8}}?治疗")
_SOME_DRUG = re.compile(r"此类|这类|该类|这些|相关|各类|某些|上述|有关")
#: 可见 + a finding in an examination (颈部可见蜘蛛痣三枚: 蜘蛛痣).
_VISIBLE = re.compile(r"可见|见有|查见")
#: A clinical record (a case summary, a discharge summary, a diagnosis certificate, a malpractice
#: appraisal): two of its section labels or fields. There the patient (患者) is one person.
_CLINICAL_MARKS = re.compile(
    r"入院诊断|出院诊断|术后诊断|术前诊断|初步诊断|病情摘要|病历摘要|入院情况|出院情况|诊疗经过|治疗经过|现病史"
    r"|既往史|主诉|查体|体格检查|出院医嘱|住院号|门诊号|病历号|病案号|床号|就诊日期|入院日期|出院日期|医疗事故|诊断证明")
#: Someone the clause is about (weak phrases need a person, a record or a diagnosis next to them).
_PERSON_IN_CLAUSE = re.compile(
    r"妈|爸|母亲|父亲|妻子|丈夫|爱人|老伴|婆婆|公公|岳母|岳父|儿子|女儿|本人|同志|该犯|该员|该生|大人|申请人"
    r"|她(?!们)|(?<![其吉])他(?![们人国乡])|我(?![国们省市县区军方院校厂所部局委])")
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


#: What may happen, said of anyone (可能导致肺损伤, 容易引起感染).
_HYPOTHETICAL = re.compile(r"可能|可导致|可引起|可造成|会导致|会造成|会引起|易导致|易引起|容易")
#: An unnamed person introduced earlier in the sentence (一名冲压工…，…被压断).
_ONE_OF_MANY = re.compile(r"一名|一位|一例")

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
        if text.startswith("被害", j):  # 被害妄想: a symptom's name, not a passive
            j += 2
            continue
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


def clinical_record(text: str) -> bool:
    """A clinical record: two different section labels or fields of one (入院诊断, 病情摘要, 门诊号,
    就诊日期, 医疗事故 …). Its findings, symptoms and treatments are the patient's."""
    return len(set(_CLINICAL_MARKS.findall(text))) >= 2


def _dx_run_ends(text: str, end: int) -> bool:
    """The diagnosis is the whole word run (有感染风险 is no diagnosis of 感染)."""
    return end >= len(text) or not _dx_char(text[end]) or text[end] in _DX_STOP


class HealthRecognizer(RecognizerBase):
    """HEALTH: diagnosis verb + disease, 因 + disease, diagnosis fields, disability and injury
    grades, reproductive procedures, operations and treatments, injuries of a named body part;
    since v3 also findings, symptoms, loss of function and treatments narrated in a record.

    Why two kinds of evidence: a diagnosis verb, a formula or an injury of a body part says by
    itself that something happened to someone (strong). A symptom (咳嗽), a finding (腹部膨隆), a
    function lost (功能受损), 出现 + a condition or a treatment given (给予…治疗) is as often said of
    anyone in news and guidance (weak): it counts only in a clinical record, in a sentence that
    already holds a strong HEALTH phrase (chained: 患脑梗塞，左侧肢体偏瘫，…), or right after a
    person (我母亲…咳嗽气喘). Both kinds pass the whose-record checks of ``_personal``.
    """

    name = "cn_health.v3"
    labels = frozenset({"HEALTH"})

    def find_normalized(self, nt: NormalizedText) -> list[Span]:
        text = nt.text
        found: list[tuple[int, int, float, str]] = []
        weak: list[tuple[int, int, float, str]] = []
        normative = normative_document(text)
        clinical = clinical_record(text)

        def add(s: int, e: int, score: float, why: str) -> None:
            if e - s >= 2 and self._personal(text, s, e, normative):
                found.append((s, e, score, why))

        def add_weak(s: int, e: int, score: float, why: str) -> None:
            if e - s >= 2 and self._personal(text, s, e, normative) \
                    and not _SUPPOSED.search(text, max(0, s - 4), s):
                weak.append((s, e, score, why))

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
        for m in _REPORTED.finditer(text):
            d = _DEGREE.match(text, m.end())
            end = _diagnosis_end(text, d.end() if d else m.end())
            if end is not None and end - m.end() >= 2 and _dx_run_ends(text, end) \
                    and text[m.end():end] not in _GENERIC_DISEASE:
                add(m.end(), end, 0.85, "the doctor's diagnosis reported")
        for m in re.finditer("有", text):
            pos = m.end()
            d = _DEGREE.match(text, pos)
            end = _diagnosis_end(text, d.end() if d else pos)
            if (end is None or end - pos < 2 or not _dx_run_ends(text, end)
                    or text[d.end() if d else pos:end] in _GENERIC_DISEASE):
                continue
            if _PERSON_HAS.search(text, max(0, m.start() - 8), m.start()):
                add(m.start(), end, 0.8, "a person 有 + disease")
            elif m.start() > 0 and text[m.start() - 1] in "并另还也又":
                add_weak(m.start(), end, 0.75, "并有 + disease")
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
        for m in _OBSTETRIC.finditer(text):
            add(m.start(), m.end(), 0.85, "obstetric history or delivery")
        for m in _EXAM_POSITIVE.finditer(text):
            add(m.start(), m.end(), 0.8, "positive examination finding")
        for m in _TREATMENT.finditer(text):
            if _SOME_DRUG.search(m.group(0)):
                continue  # 服用此类药物治疗: a kind of drug in guidance, nobody's treatment
            f = _FREQ_BEFORE.search(text, max(0, m.start() - 8), m.start())
            t = _TIMES_AFTER.match(text, m.end()) if f else None
            add(f.start() if f else m.start(), t.end() if t else m.end(), 0.8, "operation or treatment")
        for m in _OPERATION.finditer(text):
            add(m.start(), m.end(), 0.8, "operation 行…术")
        for m in _INJURY.finditer(text):
            if len(m.group("body")) == 1 and m.start("end") - m.end("body") > 2:
                continue  # 着眼大局、围绕中心、突出; 不足问题更加突出: a lone 眼 or 足 is a word's part
            e = m.end()
            if text.endswith("出血", 0, e):
                v = _VOLUME.match(text, e)
                e = v.end() if v else e  # 阴道出血约1500毫升
            if text.endswith(("烧伤", "烫伤"), 0, e):
                a = _BURN_AREA.match(text, e)
                e = a.end() if a else e  # 二度烫伤，面积约百分之十八
            if m.group("pain"):
                add_weak(m.start(), e, 0.7, "pain of a body part")
            else:
                add(m.start(), e, 0.8, "injury of a body part")
        for m in _INJURY_VERB_FIRST.finditer(text):
            if not _PRECAUTION.search(clause_before(text, m.start(), 8)):
                add(m.start(), m.end(), 0.8, "injury word + body part")
        # weak evidence
        for m in _SYMPTOM_RUN.finditer(text):
            if not text.startswith("等", m.end()):
                add_weak(m.start(), m.end(), 0.7, "symptoms")
        for m in _APPEARS.finditer(text):
            d = _DEGREE.match(text, m.end())
            end = _diagnosis_end(text, d.end() if d else m.end())
            if end is not None and end - m.end() >= 2 and _dx_run_ends(text, end) \
                    and text[d.end() if d else m.end():end] not in _GENERIC_DISEASE:
                add_weak(m.start(), end, 0.75, "出现 + condition")
        for m in _FUNCTION.finditer(text):
            add_weak(m.start(), m.end(), 0.7, "function or capacity lost")
        for m in _FLARE.finditer(text):
            if len(m.group("h")) >= 2:
                add_weak(m.start(), m.end(), 0.7, "disease flaring up")
        for rx in (_FINDING, _SIGN_POSITIVE):
            for m in rx.finditer(text):
                add_weak(m.start(), m.end(), 0.7, "clinical finding")
        for m in _VISIBLE.finditer(text):
            end = _diagnosis_end(text, m.end())
            if end is not None and end - m.end() >= 2:
                add_weak(m.end(), end, 0.7, "finding seen on examination")
        for m in _GIVEN.finditer(text):
            t = m.group("t")
            if _GENERIC_TREATMENT.match(t) or _NOT_TREATMENT.search(t):
                continue
            add_weak(m.start("t"), m.end() if m.group("k") == "治疗" else m.end("t"), 0.7, "treatment given")
        for m in _MEDICATION.finditer(text):
            if not _SOME_DRUG.search(m.group(0)):
                add_weak(m.start(), m.end(), 0.7, "medication")
        if clinical:
            for m in re.finditer(r"(?<=[,，。;；\s后])经", text):
                pos = m.end()
                while True:
                    it = _TREAT_ITEM.match(text, pos)
                    if it is None or _NOT_TREATMENT.search(text, it.start(), it.end()):
                        break
                    add_weak(it.start(), it.end(), 0.7, "treatment in a clinical record")
                    if text[it.end():it.end() + 1] in ("、", "及", "和"):
                        pos = it.end() + 1
                        continue
                    break
        found.extend(_weak_in_context(text, found, weak, clinical))
        return [self.span(nt, s, e, "HEALTH", sc, why) for s, e, sc, why in _longest_first(found)]

    @staticmethod
    def _personal(text: str, start: int, end: int, normative: bool) -> bool:
        """The condition is one identifiable person's (see the module docstring)."""
        if count_follows(text, end) or in_book_title(text, start):
            return False
        if _ANONYMOUS_BEFORE.search(clause_before(text, start, 20)) or anonymised_before(text, start):
            return False
        if _HYPOTHETICAL.search(clause_before(text, start, 20)):
            return False  # 短暂接触可能导致肺损伤: what may happen to anyone
        lo, hi = sentence(text, start, end)
        if _ONE_OF_MANY.search(text, lo, start):
            return False  # 一名冲压工在操作冲床时，右手四指被压断: an unnamed person in a report
        if normative_sentence(text, lo, hi, start):
            return False
        return not normative or has_date(text, lo, hi)


def _weak_in_context(text: str, strong: list[tuple[int, int, float, str]],
                     weak: list[tuple[int, int, float, str]], clinical: bool) -> list[tuple[int, int, float, str]]:
    """The weak candidates a record stands behind: all of them in a clinical record; elsewhere
    those in a sentence that holds a strong HEALTH phrase or an accepted weak one (a chain of
    findings about one person), those right after a person, and symptoms an old illness's return
    is said of (咳嗽气喘旧症又发)."""
    if clinical:
        return list(weak)
    anchors = [sentence(text, s, e) for s, e, _, _ in strong]
    accepted: list[tuple[int, int, float, str]] = []
    pending = list(weak)
    changed = True
    while pending and changed:
        changed = False
        for w in list(pending):
            s, e = w[0], w[1]
            lo, hi = sentence(text, s, e)
            ok = any(a_lo < hi and lo < a_hi for a_lo, a_hi in anchors)
            ok = ok or _PERSON_IN_CLAUSE.search(clause_before(text, s, 16)) is not None
            ok = ok or re.match(r"(?:旧症|旧病|老病|老毛病)(?:又|复)(?:发|犯)", text[e:e + 4]) is not None
            if ok:
                accepted.append(w)
                anchors.append((lo, hi))
                pending.remove(w)
                changed = True
    return accepted


def _field_items(text: str, pos: int) -> list[tuple[int, int]]:
    """The diagnoses a field holds: ``A；B``, ``A、B、C`` (one span), ``1．A`` then indented
    ``2．B`` lines. An item that is more than a diagnosis is left to the tagger."""
    out = []
    while True:
        n = _ITEM_NUMBER.match(text, pos)
        start = n.end() if n else pos
        if _VERB_RX.match(text, start) or text.startswith("因", start):
            return out  # a sentence, not a list of diagnoses: the verb rules take it
        lead = _LEADING_DATE.match(text, start)
        if lead:  # 入院时先天性唇腭裂，…: a diagnosis right after the time is still the value
            start = lead.end()
            if _VERB_RX.match(text, start):
                return out
        end = _diagnosis_end(text, start, max_len=24)
        if (end is None or end - start < 2) and n and out:
            # a later numbered item of a diagnosis list (3．右示指再植失败) is a diagnosis too
            eol = text.find("\n", start)
            eol = len(text) if eol < 0 else eol
            if 2 <= eol - start <= 16 and all(_dx_char(c) or c in "、" for c in text[start:eol]):
                end = eol
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
