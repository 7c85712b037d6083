"""The rulebook loads and validates, and its floor overrides any model decision."""
import copy
from datetime import date

import pytest
import yaml

from models.policy import (
    CONDITIONS,
    DECISIONS,
    REASONS,
    Policy,
    Rulebook,
    RulebookError,
    DEFAULT_RULEBOOK,
    more_restrictive,
    to_halfwidth,
)
from models.spans import Span

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def policy() -> Policy:
    return Policy.load()


@pytest.fixture()
def raw() -> dict:
    return yaml.safe_load(DEFAULT_RULEBOOK.read_text(encoding="utf-8"))


def test_rulebook_loads_and_every_rule_is_complete():
    rb = Rulebook.load()
    assert rb.version == "kaifang-rulebook-v2"
    assert len(rb.sha256) == 64
    ids = [r.id for r in rb.rules]
    assert len(ids) == len(set(ids))
    for r in rb.rules:
        assert r.basis and all(b in rb.bases for b in r.basis), r.id
        assert r.wording_zh and r.wording_en, r.id
        assert set(r.when) <= set(CONDITIONS)
        if r.kind == "force":
            assert r.outcome in DECISIONS and r.reasons and set(r.reasons) <= set(REASONS)
    # the 25-year rule and the secrets rule cite the laws they rest on
    assert "第二十七条" in rb.bases["ARCHIVES_LAW_27"] and "二十五年" in rb.bases["ARCHIVES_LAW_27"]
    assert "第九条" in rb.bases["AUCL_9"]
    assert "个人信息保护法" in rb.bases["PIPL_28"]
    assert "自行解密" in rb.bases["STATE_SECRETS_LAW_24"]


@pytest.mark.parametrize("mutate, message", [
    (lambda d: d["rules"].append(copy.deepcopy(d["rules"][0])), "duplicate rule id"),
    (lambda d: d["rules"][0].update(basis=[]), "no legal basis"),
    (lambda d: d["rules"][0].update(basis=["NO_SUCH_LAW"]), "not defined"),
    (lambda d: d["rules"][0].pop("wording_zh"), "wording"),
    (lambda d: d["rules"][0].update(outcome=None), "needs an outcome"),
    (lambda d: d["rules"][0].update(when={"secret_markk": True}), "unknown condition"),
    (lambda d: d["rules"][0].update(reasons=["SECRET"]), "unknown reason"),
    (lambda d: d["rules"][3].update(when={"labels_any": ["IDCARD"]}), "SCHEMA labels"),
    (lambda d: d["cues"].update(declassification=["(unclosed"]), "bad pattern"),
    (lambda d: d.pop("version"), "lacks 'version'"),
])
def test_rulebook_validation_rejects_bad_rules(raw, mutate, message):
    mutate(raw)
    with pytest.raises(RulebookError, match=message):
        Rulebook.from_mapping(raw)


def test_missing_rulebook_file_fails_clearly(tmp_path):
    with pytest.raises(RulebookError, match="not found"):
        Rulebook.load(tmp_path / "nope.yaml")


MARKED = "机密★10年\n关于马尾区港口建设的请示\n    现将港口扩建方案报上，请审批。"
DECLASSIFIED = "机密★10年（已解密，解密日期：2003年5月1日）\n关于马尾区港口建设的请示\n    现将港口扩建方案报上，请审批。"


def _mark_span(text: str) -> list[Span]:
    return [Span(0, 6, "SECRET_MARK", source="test")]


def test_unexpired_mark_forces_closed_state_secret_whatever_the_model_says(policy):
    pr = policy.evaluate(MARKED, _mark_span(MARKED), {"date": "2020-01-01"}, AS_OF)
    assert "SS-01" in pr.fired_ids and pr.floor == "CLOSED"
    assert policy.apply("OPEN", [], pr) == ("CLOSED", ["STATE_SECRET"])
    assert policy.apply("OPEN_REDACTED", ["PERSONAL_INFO"], pr) == ("CLOSED", ["STATE_SECRET", "PERSONAL_INFO"])
    fired = pr.fired[0]
    assert "机密★10年" in fired.wording_zh and fired.evidence[0]["start"] == 0


def test_apparently_expired_mark_still_closes(policy):
    # 1980 + 10 years ran out long ago, but GUIDELINES rule 4 needs an explicit statement
    pr = policy.evaluate(MARKED, _mark_span(MARKED), {"date": "1980-01-01"}, AS_OF)
    assert pr.floor == "CLOSED" and pr.mark_expiries == [date(1990, 1, 1)]


def test_declassified_mark_is_decided_on_other_content(policy):
    pr = policy.evaluate(DECLASSIFIED, _mark_span(DECLASSIFIED), {}, AS_OF)
    assert pr.declassified and "SS-01" not in pr.fired_ids and "SS-03" in pr.fired_ids
    assert pr.floor == "OPEN"
    assert policy.apply("OPEN", [], pr) == ("OPEN", [])


def test_negated_declassification_does_not_count(policy):
    text = "绝密\n本件未解密，不予解密。关于边防部署的报告。"
    pr = policy.evaluate(text, [Span(0, 2, "SECRET_MARK")], {}, AS_OF)
    assert not pr.declassified and pr.floor == "CLOSED"


def test_backstop_catches_a_mark_the_detector_missed_in_full_width(policy):
    text = "秘密＊５年\n关于调整粮食收购价格的意见"
    pr = policy.evaluate(text, [], {}, AS_OF)
    assert pr.floor == "CLOSED" and pr.secret_marks[0]["source"] == "policy_backstop"
    assert pr.secret_marks[0]["text"] == "秘密＊５年"
    pr2 = policy.evaluate("内部资料　注意保存\n会议纪要", [], {}, AS_OF)
    assert pr2.floor == "CLOSED"


def test_catalogue_classification_without_declassification_closes(policy):
    text = "关于马尾区港口建设的请示"
    assert policy.evaluate(text, [], {"classification": "机密"}, AS_OF).floor == "CLOSED"
    assert policy.evaluate(text, [], {"classification": "公开"}, AS_OF).floor == "OPEN"
    assert policy.evaluate(text, [], {"classification": ""}, AS_OF).floor == "OPEN"
    assert policy.evaluate(text + "（已解密）", [], {"classification": "秘密"}, AS_OF).floor == "OPEN"


def test_personal_information_sets_a_redaction_floor(policy):
    text = "村民林碧军（身份证号350102198703154511）申请调换住房。"
    pr = policy.evaluate(text, [Span(2, 5, "PERSON"), Span(10, 28, "ID_NUMBER")], {}, AS_OF)
    assert "PI-01" in pr.fired_ids and pr.floor == "OPEN_REDACTED"
    assert policy.apply("OPEN", [], pr) == ("OPEN_REDACTED", ["PERSONAL_INFO"])
    # a name alone is no floor (GUIDELINES rule 1/2: names of persons are not masked)
    assert policy.evaluate(text, [Span(2, 5, "PERSON")], {}, AS_OF).floor == "OPEN"


def test_suggest_rules_fire_but_force_nothing(policy):
    text = "关于处置群体性事件和外事接待工作的报告，附投标报价单。"
    pr = policy.evaluate(text, [], {}, AS_OF)
    assert {"PS-01", "CS-01"} <= set(pr.fired_ids)
    assert pr.floor == "OPEN"


def test_a_concrete_price_figure_forces_a_redaction(policy):
    """Cue words alone suggest; the figure itself (标底为345.5万元, a cell under 单价) is exact
    evidence of an unpublished price (rulebook v2, CS-02)."""
    text = "关于处置群体性事件和外事接待工作的报告，附投标报价单，标底为345.5万元。"
    pr = policy.evaluate(text, [], {}, AS_OF)
    assert "CS-02" in pr.fired_ids and pr.floor == "OPEN_REDACTED"
    assert "COMMERCIAL_SECRET" in pr.forced_reasons
    ranges = pr.commercial_ranges
    assert [text[r["start"]:r["end"]] for r in ranges] == ["345.5万元"]
    assert ranges[0]["label"] is None and ranges[0]["reason"] == "COMMERCIAL_SECRET"
    table = "产品名称｜数量｜单价（元）｜交货时间\n碳酸氢铵｜3000｜418.00｜3月\n尿素｜800｜1120.00｜4月"
    pr = policy.evaluate(table, [], {}, AS_OF)
    assert [table[r["start"]:r["end"]] for r in pr.commercial_ranges] == ["418.00", "1120.00"]


def test_a_holders_confidentiality_marking_at_the_head_closes_as_a_trade_secret(policy):
    """GUIDELINES 5: a record its holder marked as not to leave the firm is the secret itself;
    the same words further down (a rule quoted in a report) are only a cue (CS-01)."""
    text = "工艺文件　公司内部保管　严禁外传\n\n福州第二化工厂\n硫酸铜结晶工序操作要点\n一、母液浓度控制在……"
    pr = policy.evaluate(text, [], {}, AS_OF)
    assert "CS-03" in pr.fired_ids and pr.floor == "CLOSED"
    assert pr.forced_reasons == ["COMMERCIAL_SECRET"] and pr.forced_closure == "DEFERRED"
    assert [e["text"] for f in pr.fired if f.id == "CS-03" for e in f.evidence] == ["公司内部保管", "严禁外传"]
    report = ("关于技术保密工作的检查报告\n市经委：\n    今年我们检查了十二家企业。\n"
              "    各厂都建立了制度，工艺资料一律“严禁外传”，未发现泄密。")
    pr = policy.evaluate(report, [], {}, AS_OF)
    assert "CS-03" not in pr.fired_ids and "CS-01" in pr.fired_ids and pr.floor == "OPEN"
    statute = "第九条　经营者不得实施下列侵犯商业秘密的行为：\n（一）以盗窃手段获取权利人的商业秘密；"
    assert "CS-03" not in policy.evaluate(statute, [], {}, AS_OF).fired_ids   # a mention, not a marking


def test_a_contact_said_to_be_private_forces_a_redaction(policy):
    text = "9.7｜卓文彬｜董事长｜手机13807792461（本人）｜接待：韦玲副局长\n办公电话：0779-2023456"
    phones = [Span(text.index("13807792461"), text.index("13807792461") + 11, "PHONE", 0.95,
                   "cn_phone.v2"),
              Span(text.index("0779-2023456"), text.index("0779-2023456") + 12, "PHONE", 0.95,
                   "cn_phone.v2")]
    pr = policy.evaluate(text, phones, {}, AS_OF)
    assert "PI-04" in pr.fired_ids and pr.floor == "OPEN_REDACTED"
    assert [e["text"] for f in pr.fired if f.id == "PI-04" for e in f.evidence] == ["13807792461"]
    office = policy.evaluate(text.split("\n")[1], [phones[1].with_(start=5, end=17)], {}, AS_OF)
    assert office.floor == "OPEN"

    # a letter that calls the number its addressee's own: exact evidence as well
    reply = ("关于信访事项的答复意见\n郑丽娟：\n    你留下的电话：13905912345已登记。"
             "如有疑问请与我局联系，电话：0591-7551234。")
    spans = [Span(reply.index(n), reply.index(n) + len(n), "PHONE", 0.95, "cn_phone.v2")
             for n in ("13905912345", "0591-7551234")]
    pr = policy.evaluate(reply, spans, {}, AS_OF)
    assert "PI-04" in pr.fired_ids and pr.floor == "OPEN_REDACTED"
    assert [e["text"] for f in pr.fired if f.id == "PI-04" for e in f.evidence] == ["13905912345"]


def test_eligibility_notice(policy):
    pr = policy.evaluate("科技成果鉴定书", [], {"date": "2020-06-01", "genre": "科技"}, AS_OF)
    assert {"EL-01", "EL-02"} <= set(pr.fired_ids)
    assert pr.eligible_from == date(2030, 6, 1)
    assert "2030-06-01" in next(f for f in pr.fired if f.id == "EL-01").wording_zh


def test_helpers():
    assert more_restrictive("OPEN", "CLOSED") == "CLOSED"
    assert more_restrictive("OPEN_REDACTED", "OPEN") == "OPEN_REDACTED"
    s = "机密＊１０年　注意"
    assert len(to_halfwidth(s)) == len(s) and to_halfwidth(s) == "机密*10年 注意"
    with pytest.raises(ValueError):
        Policy.load().apply("MAYBE", [], Policy.load().evaluate("x", [], {}, AS_OF))


@pytest.mark.parametrize("note", [
    "已解密（1999-03-01）", "解密日期：一九九九年三月一日", "此件已自行解密", "经1999年开放鉴定，本件已解密",
    "1999年3月解密", "本件已按规定解密，解密时间2001年。", "（已于2001年）解密", "解密标识：已解密 1999",
])
def test_declassification_phrasings(policy, note):
    text = f"机密\n{note}\n关于战备物资储备的意见"
    pr = policy.evaluate(text, [Span(0, 2, "SECRET_MARK")], {"classification": "机密"}, AS_OF)
    assert pr.declassified and pr.floor == "OPEN", note


def test_a_clash_between_groups_closes_as_public_security(policy):
    """GUIDELINES 6: a record narrating a clash between ethnic or religious groups, clans or
    border villagers stays closed (PS-02, deferred); a report that merely mentions ethnic work or
    a clash far from any group is only a cue or nothing."""
    text = ("关于两乡水源纠纷的情况通报\n　　八月五日，甲乡一个彝族村与乙乡一个汉族村的群众因争用山泉水发生械斗，"
            "双方二百余人参与，九人受伤。县里已派工作组调处。")
    pr = policy.evaluate(text, [], {}, AS_OF)
    assert "PS-02" in pr.fired_ids and pr.floor == "CLOSED"
    assert pr.forced_reasons == ["PUBLIC_SECURITY"] and pr.forced_closure == "DEFERRED"
    trad = "兩村宗族因祖墳山界糾紛，於清明前後三次械鬥。"
    assert "PS-02" in policy.evaluate(trad, [], {}, AS_OF).fired_ids
    praise = "全县各民族团结和睦，宗教活动正常有序。\n另讯：某国边境地区发生骚乱。"
    pr = policy.evaluate(praise, [], {}, AS_OF)
    assert "PS-02" not in pr.fired_ids and pr.floor == "OPEN"
