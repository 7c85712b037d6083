"""Court and penalty records: 刑事判决书, 行政处罚决定书, 民事调解书."""
from __future__ import annotations

from datetime import date

from training.synth.fragments import Ctx
from training.synth.genres.common import _birth


def _defendant_intro(c: Ctx, word: str) -> tuple[str, date]:
    c.t(word)
    name = c.person()
    birth = _birth(c, 18, 50)
    c.t("，" + c.rng.choice(["男", "女"]) + "，")
    c.date_text(birth, c.rng.choice(["arabic", "cn"]))
    c.t("生，" + c.rng.choice(["汉族", "汉族", "回族"]) + "，")
    c.origin()
    c.t("人，" + c.rng.choice(["农民", "无业", "工人", "个体户", "原系本市某厂职工"]) + "，")
    if c.chance(0.6):
        c.t("住")
        c.home_address(word=False)
        c.t("。")
    if c.chance(0.5) and c.year >= 1985:
        c.id_number(birth)
        c.t("。")
    return name, birth


def _priors(c: Ctx) -> None:
    if c.chance(0.6):
        c.t(f"曾于{c.year - c.rng.randrange(3, 10)}年因{c.rng.choice(['盗窃', '流氓', '打架斗殴', '赌博', '投机倒把'])}被")
        c.legal(c.rng.choice(["admin", "sentence"]))
        c.t("，")
        if c.chance(0.5):
            c.t(f"{c.year - c.rng.randrange(1, 3)}年")
            c.legal("release")
        c.t("。")


def court_judgment(c: Ctx) -> None:
    """刑事判决书（摘录）: a criminal case file -> private subject."""
    c.doc.fact("private_subject")
    court = c.org_str("court")
    c.meta["title"] = c.pick(["刑事判决书（摘录）", "刑事判决书", "判决书摘录", "刑事判决书（抄件）"])
    c.meta["creator"] = court
    c.org(name=court)
    c.t("\n" + c.meta["title"] + "\n")
    c.t(f"（{c.year}）{c.rng.choice(['刑初字', '刑字', '刑一初字'])}第{c.rng.randrange(1, 400)}号\n")
    c.t(c.pick(["公诉机关", "公诉机关：", "公诉机关 "]))
    c.org(name=c.place.area + "人民检察院")
    c.t("。\n")
    name, _ = _defendant_intro(c, c.pick(["被告人", "被告人", "罪犯", "被告人："]))
    _priors(c)
    c.t(c.pick([f"因本案于{c.year - 1}年{c.rng.randrange(1, 13)}月{c.rng.randrange(1, 28)}日被", f"{c.year - 1}年{c.rng.randrange(1, 13)}月因涉嫌本案被",
                f"因涉嫌{c.rng.choice(['盗窃', '伤害', '诈骗', '流氓'])}于{c.year - 1}年{c.rng.randrange(1, 13)}月被", "现因本案被", f"因本案于{c.year - 1}年被依法",
                "因本案经检察院批准被"]))
    c.legal("measure")
    c.t("。\n" + c.pick(["经审理查明：", "本院查明：", "经审理查明，", "经审理查明"]))
    c.t(f"{c.year - 1}年{c.rng.randrange(1, 13)}月，被告人")
    c.person(name)
    c.t("在")
    c.loc(depth=c.rng.choice([1, 2, 3]))
    c.t(c.rng.choice(["一带", "附近", ""]) + c.pick(["伙同陈某某", "与同案人", "单独", "伙同他人"]) + c.rng.choice(["窃取财物，价值人民币三千余元", "持刀伤人，致一人重伤", "诈骗钱款二万元", "聚众斗殴"]) + "。\n")
    c.t(c.pick(["本院认为，被告人", "本院认为：被告人", "本院认为，被告人", "本院认为，被告人", "经合议庭评议认为，被告人", "综上，被告人"]))
    c.person(name)
    c.t("的行为已构成")
    c.legal("charge")
    c.t("。" + c.pick(["判决如下：", "依照《", "判决如下：\n"]))
    if c.doc.parts[-1].endswith("《"):
        c.loc("中华人民共和国")
        c.t("刑法》有关规定，判决如下：")
    c.t("被告人")
    c.person(name)
    c.legal("charge")
    c.t("，")
    c.legal("sentence")
    c.t("。\n" + c.pick(["审判长 ", "审判员 ", "审 判 长 "]))
    c.person()
    c.t("\n")
    c.date_text()
    c.t("\n书记员 ")
    c.person()
    c.t("\n")


def court_ruling_test(c: Ctx) -> None:
    """HELD OUT: 劳动教养/治安处罚决定书 (an administrative penalty decision)."""
    c.doc.fact("private_subject")
    org = (c.place.city or c.place.area) + c.rng.choice(["公安局", "公安局", "劳动教养管理委员会"]) if c.chance(0.6) else c.place.area + "公安局"
    c.meta["title"] = c.pick(["治安管理处罚裁决书", "劳动教养决定书", "公安行政处罚决定书", "收容审查决定书"])
    c.meta["creator"] = org
    c.org(name=org)
    c.t("\n" + c.meta["title"] + "\n")
    c.doc_number_line()
    c.t(c.pick(["违法行为人", "被处罚人", "被裁决人"]) + "：")
    name = c.person()
    c.t("，")
    if c.chance(0.4):
        c.t(c.pick(["曾用名", "又名"]))
        c.person()
        c.t("，")
    birth = _birth(c, 16, 45)
    c.t("出生日期")
    c.date_text(birth, "arabic")
    c.t("，")
    if c.year >= 1985:
        c.id_number(birth)
        c.t("，")
    c.t("现住")
    c.home_address(word=False)
    c.t("。\n" + c.pick(["现查明", "经查"]) + f"{c.year}年{c.rng.randrange(1, 13)}月，")
    c.person(name)
    c.t(c.rng.choice(["参与赌博", "殴打他人", "无证经营", "扰乱公共秩序"]) + "。" + c.pick(["决定给予", "根据有关规定，决定对其"]))
    c.legal("admin")
    c.t("。\n")
    _priors(c)
    c.t("\n")
    c.date_text()
    c.t("\n")


def civil_mediation_test(c: Ctx) -> None:
    """HELD OUT: 民事调解书 (a divorce / maintenance case): a family dispute -> private subject."""
    c.doc.fact("private_subject")
    court = c.place.area + "人民法院"
    c.meta["creator"] = court
    c.meta["title"] = c.pick(["民事调解书", "离婚调解书（摘录）", "赡养纠纷调解协议"])
    c.org(name=court)
    c.t("\n" + c.meta["title"] + "\n" + f"（{c.year}）{c.rng.choice(['民初字', '民字'])}第{c.rng.randrange(1, 900)}号\n")
    names = []
    for role in (c.pick(["原告", "申请人"]), c.pick(["被告", "被申请人"])):
        c.t(role + "：")
        names.append(c.person())
        birth = _birth(c, 22, 60)
        c.t("，" + c.rng.choice(["男", "女"]) + "，")
        c.date_text(birth, "arabic")
        c.t("出生，" + c.rng.choice(["工人", "农民", "教师", "个体户"]) + "，住")
        c.home_address(word=False)
        c.t("。")
        if c.year >= 1988 and c.chance(0.5):
            c.id_number(birth)
            c.t("。")
        c.t("\n")
    c.t(c.pick(["案由：", "纠纷事由："]) + c.rng.choice(["离婚纠纷", "赡养纠纷", "抚养费纠纷"]) + "。")
    c.t(c.pick(["原告诉称，", "经查，"]))
    c.person(names[1])
    c.t(c.rng.choice(["婚后", "近年来"]))
    if c.chance(0.6):
        c.health()
        c.t("，")
    c.t(c.rng.choice(["双方感情破裂。", "经常发生争吵。", "不尽赡养义务。"]) + "经本院主持调解，双方自愿达成协议：" + c.rng.choice(["准予离婚，婚生子由原告抚养。", "被告每月给付赡养费三十元。", "房屋归原告所有。"]) + "\n")
    c.t(c.pick(["审判员 ", "代理审判员 "]))
    c.person()
    c.t("\n")
    c.date_text()
