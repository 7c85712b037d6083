"""A proposal's evidence in sentences a committee reads: where (第几页第几段), what (labels in
words, the text quoted), the rule's wording and the legal basis with its article; the model's view
without feature names or codes."""
from __future__ import annotations

import re

from models.spans import LABELS, Span
from review_app.explain import Places, bases, explain, feature_name
from review_app.i18n import zh_number

TEXT = ("户口注销登记\n"
        "死者姓名：武燊  死亡日期：1985年2月1日\n"
        "\n"
        "死因：确诊为高血压病\n"
        "户籍地址：内蒙古自治区呼伦贝尔市满洲里市互市贸易区溪头村36号\n")
HEALTH = "确诊为高血压病"
ADDRESS = "内蒙古自治区呼伦贝尔市满洲里市互市贸易区溪头村36号"


def _at(needle: str) -> tuple[int, int]:
    i = TEXT.index(needle)
    return i, i + len(needle)


def test_chinese_numerals_for_articles_and_bases_grouped_by_law():
    assert [zh_number(n) for n in (1, 9, 10, 13, 20, 27, 100, 101, 110, 128)] == \
        ["一", "九", "十", "十三", "二十", "二十七", "一百", "一百零一", "一百一十", "一百二十八"]
    assert bases(["PIPL_28", "PIPL_13", "ARCHIVES_LAW_28", "GUIDELINES_2", "ARCHIVES_LAW_27"], "zh") == (
        "《中华人民共和国个人信息保护法》第二十八条、第十三条；《中华人民共和国档案法》第二十八条第三款、第二十七条；"
        "本馆开放审核指南第二条")
    assert bases(["AUCL_9", "OPENING_MEASURES_2022"], "en") == \
        "Anti-Unfair Competition Law art. 9; National Archives Opening Measures (2022)"
    assert bases(["SOMETHING_NEW"], "zh") == "SOMETHING_NEW"  # a newer rulebook's code: shown, not lost


def test_places_are_paragraphs_counted_per_page():
    one = Places(TEXT, [0])
    assert one.describe([TEXT.index("武燊"), TEXT.index(HEALTH), TEXT.index(ADDRESS)], "zh") == "第 2、3、4 段"
    two = Places(TEXT, [0, TEXT.index("死因")])
    assert two.describe([TEXT.index("武燊"), TEXT.index(ADDRESS)], "zh") == "第 1 页第 2 段；第 2 页第 2 段"
    assert two.describe([TEXT.index(HEALTH)], "en") == "page 2, paragraph 1"


def test_rule_evidence_becomes_a_sentence_with_place_findings_wording_and_basis():
    rule = {"kind": "rule", "id": "PI-01", "rule_kind": "force", "outcome": "OPEN_REDACTED", "reasons": ["PERSONAL_INFO"],
            "basis": ["PIPL_28", "GUIDELINES_2"],
            "wording_zh": "含自然人的住址、健康等个人信息（ADDRESS、HEALTH），至少须屏蔽后开放。",
            "wording_en": "Contains personal information (ADDRESS、HEALTH); mask before opening.",
            "evidence": [{"start": _at(ADDRESS)[0], "end": _at(ADDRESS)[1], "label": "ADDRESS", "text": ADDRESS},
                         {"start": _at(HEALTH)[0], "end": _at(HEALTH)[1], "label": "HEALTH", "text": HEALTH},
                         {"start": TEXT.index("户口"), "end": TEXT.index("户口") + 2, "text": "户口", "cue": "private_matter"}]}
    note = {"kind": "note", "code": "REDACT_EMPTY", "wording_zh": "未检出需屏蔽的内容", "wording_en": "nothing to mask"}
    proposal = {"decision": "OPEN_REDACTED", "evidence": [{"kind": "brand-new", "x": 1}, rule, note,
                                                          {"span": "ID_NUMBER", "weight": 0.7}]}
    zh = explain(proposal, TEXT, [0], "zh")
    assert [s.kind for s in zh] == ["rule", "note"]  # unknown kinds are skipped, not shown as keys
    assert zh[0].text == ("第 1、3、4 段出现住址「内蒙古自治区呼伦贝尔市满洲里市互市贸易区溪头村…」、健康信息「确诊为高血压病」、"
                          "有关“私人敏感事项”的用语「户口」：含自然人的住址、健康等个人信息（住址、健康信息），至少须屏蔽后开放。"
                          "（依据：《中华人民共和国个人信息保护法》第二十八条；本馆开放审核指南第二条）")
    assert zh[0].strength == "force" and zh[0].spans[0] == _at(ADDRESS)
    en = explain(proposal, TEXT, [0], "en")[0].text
    assert "address" in en and "(address、health)" in en and "Personal Information Protection Law art. 28" in en


def test_a_real_proposal_reads_without_codes_or_feature_names():
    """The default decision model's own evidence (rules, model, features, spans), rendered."""
    from models.decision import DecisionProposer

    proposer = DecisionProposer.load("models/default/decision")
    spans = [Span(*_at("武燊"), "PERSON", 0.9, "t"), Span(*_at(HEALTH), "HEALTH", 0.9, "t"),
             Span(*_at(ADDRESS), "ADDRESS", 0.9, "t")]
    result = proposer.propose(TEXT, spans, {"date": "1985-02-01", "genre": "household", "title": "注销户口登记"})
    proposal = {"decision": result.decision, "evidence": result.evidence}
    sentences = explain(proposal, TEXT, [0], "zh")
    assert {s.kind for s in sentences} >= {"rule", "model", "features"}
    joined = "\n".join(s.text for s in sentences)
    assert "《中华人民共和国个人信息保护法》" in joined and "模型估计" in joined and "主要因素" in joined
    leftovers = set(re.findall(r"[A-Za-z_]{3,}", re.sub(r"「[^」]*」", "", joined)))
    assert leftovers == set(), leftovers  # no PIPL_28, no HEALTH, no private_pi_max
    assert not any(code in joined for code in LABELS)


def test_feature_names_in_words():
    assert feature_name("count:ADDRESS", "zh") == "住址的处数"
    assert feature_name("private_pi_max", "zh") == "最可能属于私人的个人信息"
    assert feature_name("cue:public_security", "zh") == "有关“外交、民族宗教或社会稳定”的用语"
    assert feature_name("rule:PI-03", "zh") == "规则“以私人敏感事项为主”成立"
    assert feature_name("ngram:户籍", "zh") == "文中字词「户籍」"
    assert feature_name("something_new", "zh") is None and feature_name("rule:XX-9", "zh") is None
