"""HEALTH v3 (rules.v6): what a record narrates besides a diagnosis verb - findings and
treatments in a clinical record, symptoms and loss of function next to a diagnosis of the same
person, an injury word before its body part, the doctor's word reported, 有 + disease - and the
same words in statutes, outbreak news, hospital announcements and guidance left alone.

Every sentence here is written for this test (none is copied from the dev set or a corpus)."""
from __future__ import annotations

import pytest

from models.analyzer import build_rule_analyzer
from models.evaluation import RulesOnlyDetector
from models.recognizers.health_legal import HealthRecognizer, clinical_record
from models.recognizers.record_context import normative_document, normative_sentence, sentence

HEALTH = HealthRecognizer()

CASE_SUMMARY = (
    "住院号：02-3317　　科别：外科\n"
    "入院诊断：1．急性胆囊炎\n"
    "病情摘要：\n"
    "    患者两年前起反复腹痛、恶心，查体：神志清楚，痛苦面容，皮肤轻度黄染，腹部压痛，"
    "墨菲氏征阳性，肝肋下二横指。心肺未见异常。\n"
    "诊疗经过：\n"
    "    入院后经胃管引流、头孢唑林静脉滴注及输血三百毫升，病情稳定。其后给予利胆、补液治疗。\n"
    "出院诊断：1．急性胆囊炎\n"
    "　　　　　2．胆囊切除术后\n"
    "出院时情况：好转，可以下床活动。\n"
    "医嘱：如有腹痛、发热立即来院。\n")


def _found(text):
    spans = HEALTH.find(text)
    for s in spans:
        assert 0 <= s.start < s.end <= len(text)
    return [text[s.start:s.end] for s in spans]


def test_clinical_record_findings_symptoms_and_treatments():
    assert clinical_record(CASE_SUMMARY)
    assert _found(CASE_SUMMARY) == [
        "急性胆囊炎", "反复腹痛、恶心", "痛苦面容", "皮肤轻度黄染", "腹部压痛", "墨菲氏征阳性",
        "肝肋下二横指", "胃管引流", "头孢唑林静脉滴注", "输血三百毫升", "利胆、补液治疗",
        "急性胆囊炎", "胆囊切除术后"]  # not 心肺未见异常, not 如有腹痛、发热 (only supposed)


def test_a_numbered_diagnosis_list_ends_at_the_next_field():
    # 出院时情况： on the next line is a field of its own, not the diagnosis sentence wrapping
    # (its 可以下床 once read as the statute word 以下)
    text = "出院诊断：1．左股骨颈骨折\n　　　　　2．左髋关节置换术后\n出院时情况：可以下床。"
    assert _found(text) == ["左股骨颈骨折", "左髋关节置换术后"]
    lo, hi = sentence(text, text.index("左髋"), text.index("左髋") + 4)
    assert "可以" not in text[lo:hi]


@pytest.mark.parametrize("text, expected", [
    # weak phrases chained to a diagnosis of the same person in the sentence
    ("申请人之母一九八八年患肺心病，常年卧床，左手握力明显减弱。", ["患肺心病", "常年卧床", "左手握力明显减弱"]),
    ("其妻1990年行剖宫产术，术后出现切口感染。", ["行剖宫产术", "出现切口感染"]),
    ("其父患癫痫多年，上月癫痫发作摔伤头部。", ["患癫痫", "癫痫发作", "摔伤头部"]),
    ("本人患精神分裂症，长期服用奋乃静维持治疗。", ["患精神分裂症", "长期服用奋乃静维持治疗"]),
    ("该工人右腕骨折，至今屈伸功能受限，不能完成拧螺丝的动作。", ["右腕骨折", "屈伸功能受限", "不能完成拧螺丝的动作"]),
    # right after a person, or before 旧病复发
    ("家父入秋以后咳嗽气喘旧病复发，夜不能寐。", ["咳嗽气喘"]),
    ("她近来经常头晕、心悸。", ["经常头晕、心悸"]),
])
def test_weak_phrases_with_their_person(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("我父亲有胃溃疡，一到冬天就犯。", ["有胃溃疡"]),
    ("经县医院诊断为肺气肿，并有冠心病。", ["诊断为肺气肿", "有冠心病"]),
    ("医生说是急性阑尾炎，要马上开刀。", ["急性阑尾炎"]),  # the doctor's word: the diagnosis alone
    ("拍了片子，医生讲有轻度脑萎缩。", ["轻度脑萎缩"]),
    ("体检：心肺正常，乙肝表面抗原（＋）。", ["乙肝表面抗原（＋）"]),
    ("孕2产1，孕38周，于3月5日经阴道分娩一男婴。", ["孕2产1，孕38周", "经阴道分娩"]),
    ("二组　｜取出节育环（绝经）｜", ["取出节育环", "绝经"]),
    ("健康状况：出生时先天性心脏病，已手术。", ["先天性心脏病"]),  # a time before the value
    ("其子每周需血液透析三次。", ["每周需血液透析三次"]),  # how often belongs to the treatment
])
def test_formulas_and_reported_diagnoses(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize("text, expected", [
    ("争吵中他被玻璃割伤右手掌，缝了三针。", ["割伤右手掌", "缝了三针"]),  # injury word, then body part
    ("他的头皮裂开一道口子，流了不少血。", ["头皮裂开一道口子"]),
    ("炉前工吴长顺，双手及面部二度烧伤，面积约百分之十二。", ["双手及面部二度烧伤，面积约百分之十二"]),
    ("车工 李 四 左手 拇指 被 压断 ，送 医院 。", ["左手 拇指 被 压断"]),  # spaced OCR text
    ("母亲中风后右边身偏瘫。", ["右边身偏瘫"]),
    ("下井多年，腰腿经常疼痛，后确诊为腰椎管狭窄。", ["腰腿经常疼痛", "确诊为腰椎管狭窄"]),
])
def test_injuries_by_body_part(text, expected):
    assert _found(text) == expected


def test_offsets_into_the_original_string():
    # full-width marks and spaces are normalised for matching; spans index the original text
    text = "体检：视力正常，　沙眼（＋＋）。"
    (s,) = HEALTH.find(text)
    assert text[s.start:s.end] == "沙眼（＋＋）"


def test_traditional_script_through_the_detector():
    detector = RulesOnlyDetector(build_rule_analyzer())
    text = "今朝去醫院問過，醫生講係肺炎，要留院一個禮拜。"
    spans = [text[s.start:s.end] for s in detector.detect(text) if s.label == "HEALTH"]
    assert spans == ["肺炎"]


@pytest.mark.parametrize("text", [
    # statutes and rules
    "医疗机构发现甲类传染病患者出现发热、咳嗽等症状的，应当及时报告。",
    "职工因工负伤，丧失劳动能力的，按照国家规定享受待遇。",
    "用人单位应当为从事接触粉尘作业的劳动者定期体检，发现肺功能损伤的，应当调离原岗位。",
    # outbreak and health news
    "今年入夏以来，该省出现登革热疫情，累计报告病例三百余例，病人多有发热、头痛症状。",
    "市卫健委通报，全市新增流感病例1200例，部分患者出现高热、咳嗽、乏力等症状。",
    "急诊科收治一名患者，出现失血性休克，经抢救脱险。",
    "我国有高血压患者约2.45亿人。",
    "他说，村里有不少老人患有高血压、糖尿病等慢性病，常年卧床的也有十几位。",
    "湿地生态功能明显受损，他说需要尽快修复。",
    # a hospital's public announcement, guidance
    "本院呼吸科开设哮喘专病门诊，为慢性咳嗽、气喘患者提供规范治疗，对贫困患者给予免费治疗。",
    "如有呕血、黑便，请立即就医。",
    "医生说，冬季要注意预防心脑血管疾病。",
    "为防止划伤手指，操作时应佩戴手套。",
    "专家介绍，长期服用此类药物治疗可能引起肝功能损伤。",
    "短暂接触该气体可能导致肺部损伤、呕吐和腹泻。",
    "当前全球总需求不足问题更加突出。",  # 足 is no foot here
])
def test_public_text_stays_quiet(text):
    assert _found(text) == []


def test_a_decision_on_one_person_is_no_statute():
    # 如不服本决定 / 接到本决定书: a decision addressed to one person, not a law citing itself
    text = ("决定对王某甲劳动教养一年。被劳动教养人体检时自述患有慢性胃炎。\n"
            "被劳动教养人如不服本决定，可在接到本决定书之日起十五日内申请复议。")
    assert not normative_document(text)
    assert normative_document("本法所称职工…。本法自公布之日起施行。")


def test_a_sentence_opening_with_yishang_refers_back():
    text = "以上过失与患者子宫切除的后果有直接因果关系"
    assert not normative_sentence(text, 0, len(text))
    assert normative_sentence("处三年以上七年以下有期徒刑", 0, 13)
