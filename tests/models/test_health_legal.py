"""HEALTH and LEGAL_RECORD rule recognizers: real-style archival sentences, span boundaries
(GUIDELINES: the minimal phrase with its attached verb) and decoys that must stay unlabelled."""
from __future__ import annotations

import pytest

from models.analyzer import build_rule_analyzer
from models.pipeline import merge_spans
from models.recognizers.health_legal import HealthRecognizer, LegalRecordRecognizer
from models.recognizers.neural import tidy_span
from models.spans import Span

HEALTH = HealthRecognizer()
LEGAL = LegalRecordRecognizer()


def _found(rec, text):
    return [text[s.start:s.end] for s in rec.find(text)]


@pytest.mark.parametrize("text, expected", [
    ("该同志1978年经医院确诊患有肺结核，长期病休。", ["确诊患有肺结核"]),  # 经医院: not the verb
    ("其妻王秀英患有精神分裂症，生活不能自理。", ["患有精神分裂症"]),
    ("林碧军于1996年被诊断为乳腺癌，现已出院。", ["诊断为乳腺癌"]),
    ("申请人罹患尿毒症多年，家庭困难。", ["罹患尿毒症"]),
    ("其父患有高血压和糖尿病。", ["患有高血压和糖尿病"]),
    ("其母1989年确诊为克山病。", ["确诊为克山病"]),  # no list needed: the head morpheme 病
    ("村民张某1989年确诊为克山病。", []),  # 张某: an anonymised person
    ("李建国因肝硬化去世，终年五十八岁。", ["肝硬化"]),  # after 因: the disease alone
    ("该职工因矽肺住院治疗。", ["矽肺"]),
    ("死亡原因：肺癌晚期\n住址：福州市鼓楼区杨桥路18号", ["肺癌晚期"]),
    ("经劳动能力鉴定委员会鉴定为七级伤残。", ["七级伤残"]),
    ("鉴定意见：被鉴定人的损伤程度为轻伤二级。", ["轻伤二级"]),
    ("于1983年5月在县医院施行输卵管结扎手术。", ["施行输卵管结扎手术"]),
    ("女方已放置宫内节育器。", ["放置宫内节育器"]),
    ("1990年行胃大部切除术，恢复良好。", ["行胃大部切除术"]),
    ("作业中左腿胫骨骨折，右手食指离断伤。", ["左腿胫骨骨折", "右手食指离断伤"]),
])
def test_health_hits_and_boundaries(text, expected):
    assert _found(HEALTH, text) == expected


@pytest.mark.parametrize("text", [
    "全县共有肺结核病人312人，均已登记。",
    "全年确诊肺结核患者156人。",
    "发现一例疑似霍乱病例，已隔离治疗。",
    "全年施行人工流产手术320例，引产率下降。",
    "残疾人共45名，均已登记造册。",
    "加强结核病防治工作，降低发病率。",
    "要深入透析问题的实质。",  # 透析: "analyse in depth" in political prose
])
def test_health_decoys_are_not_flagged(text):
    assert _found(HEALTH, text) == []


@pytest.mark.parametrize("text, expected", [
    ("被告人林某某犯盗窃罪，判处有期徒刑三年。", []),  # 林某某: anonymised
    ("被告人林碧军犯盗窃罪，判处有期徒刑三年，缓刑四年。", ["犯盗窃罪", "判处有期徒刑三年", "缓刑四年"]),
    ("以反革命罪判处死刑，缓期二年执行，剥夺政治权利终身。", ["以反革命罪判处死刑，缓期二年执行", "剥夺政治权利终身"]),
    ("1958年因投机倒把被劳动教养二年，1960年解除劳动教养。", ["劳动教养二年", "解除劳动教养"]),
    ("决定对其行政拘留十日。", ["行政拘留十日"]),
    ("经查王勤仁扰乱公共秩序，决定给予罚款二百元。", ["罚款二百元"]),
    ("经党委研究，给予陈明党内严重警告处分。", ["党内严重警告处分"]),
    ("该同志曾因错误受通报批评。", ["通报批评"]),
    ("1979年刑满释放，回乡务农。", ["刑满释放"]),
    ("1971年被判处有期徒刑八年，1977年假释。", ["判处有期徒刑八年", "假释"]),
    ("1969年被隔离审查，次年逮捕。", ["隔离审查", "逮捕"]),
])
def test_legal_hits_and_boundaries(text, expected):
    assert _found(LEGAL, text) == expected


@pytest.mark.parametrize("text", [
    "全年依法刑事拘留250人，劳动教养49人。",
    "共查处违法案件282起，行政拘留41人次。",
    "对违规企业罚款5000元，责令停业整顿3家。",
    "对该厂通报批评，限期整改。",
    "犯罪嫌疑人涉嫌盗窃罪，已移送起诉。",  # 犯罪 is no charge, 涉嫌 is no finding
    "侵犯公民个人信息罪的构成要件。",
    "刑法规定，犯盗窃罪的，处三年以下有期徒刑、拘役或者管制。",  # statute language
    "对犯罪分子依法判处有期徒刑十年以上。",
    "送县劳动教养管理所，凭逮捕证执行。",
])
def test_legal_decoys_are_not_flagged(text):
    assert _found(LEGAL, text) == []


def test_offsets_point_into_the_original_text():
    text = "被告人林碧军（男，１９５０年生）犯抢劫罪，判处有期徒刑１５年。"  # full-width digits
    spans = LEGAL.find(text)
    assert [text[s.start:s.end] for s in spans] == ["犯抢劫罪", "判处有期徒刑１５年"]
    assert all(s.source == "cn_legal_record.v2" and s.label == "LEGAL_RECORD" for s in spans)


def test_default_rules_config_runs_them():
    a = build_rule_analyzer()
    text = "林碧军患有尿毒症，1985年因盗窃被判处有期徒刑三年。电话13905912345"
    got = {(text[s.start:s.end], s.label) for s in a.find(text)}
    assert ("患有尿毒症", "HEALTH") in got and ("判处有期徒刑三年", "LEGAL_RECORD") in got
    assert any(label == "PHONE" for _, label in got)


def test_merge_drops_a_neural_phrase_that_a_rule_read_whole():
    text = "被鉴定人的损伤程度为轻伤二级。"
    rule = Span(10, 14, "HEALTH", 0.9, "cn_health.v1")
    neural = Span(5, 14, "HEALTH", 0.7, "ner:x")  # 损伤程度为轻伤二级: clipping would leave 损伤程度为
    assert [(s.start, s.end, s.label) for s in merge_spans(text, [rule], [neural])] == [(10, 14, "HEALTH")]
    # other labels are still clipped around rule spans (a PERSON is not a reading of a phrase)
    person = Span(0, 12, "PERSON", 0.5, "ner:x")
    assert (0, 10, "PERSON") in [(s.start, s.end, s.label) for s in merge_spans(text, [rule], [person])]


def test_tidy_span_cuts_the_verb_off_an_address_and_drops_document_numbers():
    text = "出生日期1940年4月6日，现住解放街道后屿村6组49号。"
    s = text.index("住")
    e = text.index("。")
    assert text[slice(*tidy_span(text, s, e, "ADDRESS"))] == "解放街道后屿村6组49号"
    doc = "（1987）民字第193号"
    assert tidy_span(doc, 6, len(doc), "ADDRESS") is None
    assert tidy_span(text, s, e, "LOC") == (s, e)  # other labels untouched


def test_tidy_span_drops_a_model_phrase_followed_by_a_count():
    text = "全年依法刑事拘留250人，劳动教养49人。"
    s = text.index("刑事")
    assert tidy_span(text, s, s + 4, "LEGAL_RECORD") is None
    t2 = "全年确诊肺结核患者156人。"
    assert tidy_span(t2, 2, 7, "HEALTH") is None
    t3 = "1979年刑满释放，回乡务农。"
    assert tidy_span(t3, 5, 9, "LEGAL_RECORD") == (5, 9)


# ------------------------------------------------------------------------------- ADDRESS rule --
from models.recognizers.address import AddressRecognizer  # noqa: E402

ADDRESS = AddressRecognizer()


@pytest.mark.parametrize("text, expected", [
    ("出生日期1940年4月6日，现住解放街道后屿村6组49号。", ["解放街道后屿村6组49号"]),
    ("林碧军，男，教师，住福州市鼓楼区杨桥路18号3栋502室。", ["福州市鼓楼区杨桥路18号3栋502室"]),
    ("户籍地址：杨桥南路137号前院\n申报人：王福", ["杨桥南路137号前院"]),
    ("现住琼海市阳江镇高岭大队第十生产队。", ["琼海市阳江镇高岭大队第十生产队"]),
    ("1 林岚 户主 350102198703154511 学院里178号\n2 陈明 配偶 350102198801014528 学院里178号",
     ["学院里178号", "学院里178号"]),
])
def test_address_hits_and_boundaries(text, expected):
    assert _found(ADDRESS, text) == expected


@pytest.mark.parametrize("text", [
    "工厂地址：福州市鼓楼区杨桥路18号",          # an organisation's address is LOC
    "通讯地址：福州市鼓楼区杨桥路18号",          # used by organisations too: left to the tagger
    "（1987）民字第193号",                     # a document number
    "1 林岚 户主 学院里178号",                  # a list without IDs is not taken as a register
    "该同志因病住院治疗，记住杨桥路18号。",      # 住院, 记住: not "lives at"
])
def test_address_decoys_are_not_flagged(text):
    assert _found(ADDRESS, text) == []


def test_merge_drops_a_neural_span_of_the_same_label_a_rule_read_whole():
    text = "教师，住福州市鼓楼区杨桥路18号。"
    rule = Span(4, 16, "ADDRESS", 0.85, "cn_address.v1")
    neural = Span(3, 16, "ADDRESS", 0.8, "ner:x")  # took 住 in
    assert [(s.start, s.end) for s in merge_spans(text, [rule], [neural])] == [(4, 16)]
