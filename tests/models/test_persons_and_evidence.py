"""Who a person is (models.persons) and evidence strength in the policy layer (rulebook v2):
a rule forces only on exact evidence, weaker spans are hints, and no model lowers a forced floor."""
import pytest

from models.persons import person_role, record_subject_role
from models.policy import Policy
from models.spans import Span


def _span(text, piece, label, score=1.0, source="cn_legal_record.v2", nth=0):
    s = -1
    for _ in range(nth + 1):
        s = text.index(piece, s + 1)
    return Span(s, s + len(piece), label, score, source)


@pytest.mark.parametrize("text, name, role", [
    ("县长　韩永录\n副县长　马正祥", "韩永录", "official"),
    ("出席：王建国、李秀英、张伟\n列席：陈明", "李秀英", "official"),
    ("任命林碧军同志为县档案局局长。", "林碧军", "official"),
    ("1935年，刘志丹被捕后英勇就义。", "刘志丹", "historical"),
    ("授予赵秀梅同学“三好学生”称号，予以表彰。", "赵秀梅", "public"),
    ("经县人民医院诊断，郑建华患有肺结核。", "郑建华", "private"),
])
def test_person_roles_come_from_the_words_around_a_name(text, name, role):
    assert person_role(text, _span(text, name, "PERSON", source="ner:x")) == role


def test_a_commended_private_person_is_public():
    text = "荣获省劳动模范称号的纺织女工何淑芬"
    assert person_role(text, _span(text, "何淑芬", "PERSON", source="ner:x")) == "public"


def test_whose_record_a_span_is():
    text = "郑建华，男，1951年生。1983年因盗窃被判处有期徒刑三年。"
    persons = [_span(text, "郑建华", "PERSON", source="ner:x")]
    assert record_subject_role(text, _span(text, "判处有期徒刑三年", "LEGAL_RECORD"), persons) == "private"
    text2 = "1935年方志敏被捕，次年在南昌英勇就义。"
    persons2 = [_span(text2, "方志敏", "PERSON", source="ner:x")]
    assert record_subject_role(text2, _span(text2, "被捕", "LEGAL_RECORD"), persons2) == "historical"


@pytest.fixture(scope="module")
def policy():
    return Policy.load()


def test_rule_evidence_forces_a_redaction(policy):
    text = "张三，身份证号350102198703154511，住福州市鼓楼区杨桥路18号。"
    spans = [_span(text, "张三", "PERSON", source="ner:x"),
             _span(text, "350102198703154511", "ID_NUMBER", source="cn_resident_id.v2")]
    pr = policy.evaluate(text, spans)
    assert pr.floor == "OPEN_REDACTED" and "PI-01" in pr.fired_ids
    # the model cannot lower it: whatever it proposes, the floor holds
    assert policy.apply("OPEN", [], pr)[0] == "OPEN_REDACTED"
    assert policy.apply("CLOSED", ["PERSONAL_INFO"], pr)[0] == "CLOSED"


def test_a_weak_model_span_is_a_hint_not_a_forced_decision(policy):
    text = "《福州市国民经济和社会发展第十一个五年规划纲要》"
    weak = [_span(text, "福州市国民经济", "ADDRESS", score=0.62, source="ner:old")]
    pr = policy.evaluate(text, weak)
    assert pr.floor == "OPEN" and "PI-01" not in pr.fired_ids
    assert policy.apply("OPEN", [], pr) == ("OPEN", [])
    strong = [_span(text, "福州市国民经济", "ADDRESS", score=0.97, source="ner:old")]
    assert policy.evaluate(text, strong).floor == "OPEN_REDACTED"   # above the chosen score


def test_a_historical_figures_record_forces_nothing(policy):
    text = "1935年，方志敏在怀玉山被捕，同年8月6日在南昌英勇就义。"
    spans = [_span(text, "方志敏", "PERSON", source="ner:x"), _span(text, "被捕", "LEGAL_RECORD")]
    assert policy.evaluate(text, spans).floor == "OPEN"
    # the same phrase about a private person of 1983 forces a redaction
    text2 = "1983年，郑建华因盗窃被捕。"
    spans2 = [_span(text2, "郑建华", "PERSON", source="ner:x"), _span(text2, "被捕", "LEGAL_RECORD")]
    assert policy.evaluate(text2, spans2).floor == "OPEN_REDACTED"


def test_a_secret_mark_still_closes_whatever_the_model_says(policy):
    text = "机密★10年\n关于边境巡逻的通报"
    pr = policy.evaluate(text, [_span(text, "机密★10年", "SECRET_MARK", source="cn_secret_mark.v2")])
    assert pr.floor == "CLOSED" and policy.apply("OPEN", [], pr)[0] == "CLOSED"
