"""Contracts between companies and with private persons."""
from __future__ import annotations

from training.synth import values as v
from training.synth.fragments import Ctx
from training.synth.genres.common import _birth


def _party_company(c: Ctx, role: str) -> str:
    c.t(role)
    name = c.org("company" if c.year >= 1984 else "factory")
    c.t("\n")
    if c.chance(0.7):
        c.org_address()
        c.t("\n")
    c.t(c.pick(["法定代表人：", "法人代表：", "负责人：", "代表人："]))
    c.person()
    c.t("\n")
    if c.chance(0.6):
        c.phone(private=False)
        c.t("\n")
    if c.year >= 1996 and c.chance(0.5):
        c.email(private=False)
        c.t("\n")
    if c.chance(0.5):
        c.bank(private=False)
        c.t("\n")
    if c.chance(0.3):
        c.decoy_field("tax")
        c.t("\n")
    return name


def contract_companies(c: Ctx) -> None:
    c.meta["title"] = c.pick(["购销合同", "加工承揽合同", "产品购销合同", "技术转让合同", "工矿产品购销合同"])
    c.t(c.meta["title"] + "\n" + c.pick(["合同编号：", "编号："]) + f"{c.year}-{c.rng.randrange(1, 999):03d}\n")
    a = _party_company(c, c.pick(["甲方（供方）：", "供方：", "甲方："]))
    c.meta["creator"] = a
    _party_company(c, c.pick(["乙方（需方）：", "需方：", "乙方："]))
    c.t(c.pick(["经双方协商，订立本合同：", "双方本着平等互利的原则，签订如下条款：", "根据《"]))
    if c.doc.parts[-1].endswith("《"):
        c.loc("中华人民共和国")
        c.t("经济合同法》，签订如下条款：")
    c.t("\n一、产品名称：" + c.rng.choice(["棉纱", "水泥", "茶叶", "电机", "塑料制品", "钢材"]) + "，数量" + str(c.rng.randrange(10, 5000)) + "吨。\n")
    price_kind = c.rng.random()
    c.t("二、" + c.pick(["单价：", "价格：", "结算价格："]))
    price = f"每吨人民币{c.rng.randrange(200, 9000)}元"
    if price_kind < 0.5:
        c.doc.secret_range(price)
        c.t(c.pick(["（内部价格，不得外传）", "（双方约定价格，对外保密）", "（未公开价格）"]))
    else:
        c.t(price + c.pick(["（按国家牌价）", "（执行物价局公布价格）", "（市场公开价）"]))
    c.t("。\n三、" + c.pick(["交货地点：", "交货地："]))
    c.loc(depth=c.rng.choice([2, 3]))
    c.t("。\n四、")
    c.decoy_field("invoice")
    c.t("\n")
    c.t("签订日期：")
    c.date_text()
    c.t("\n")


def contract_individual(c: Ctx) -> None:
    """承包/租赁/劳动合同 with a private person: personal info incidental -> OPEN_REDACTED."""
    c.meta["title"] = c.pick(["土地承包合同", "房屋租赁合同", "劳动合同书", "果园承包合同", "鱼塘承包合同"])
    c.t(c.meta["title"] + "\n" + c.pick(["发包方（甲方）：", "甲方：", "出租方："]))
    a = c.org(c.rng.choice(["village", "town", "factory", "company"]))
    c.meta["creator"] = a
    c.t("\n" + c.pick(["承包方（乙方）：", "乙方：", "承租方："]))
    c.person()
    birth = _birth(c)
    c.t("，")
    if c.year >= 1985:
        c.id_number(birth)
        c.t("，")
    c.home_address()
    c.t("\n")
    if c.chance(0.5):
        c.phone()
        c.t("\n")
    c.t(c.pick(["一、承包期限：", "一、租期：", "一、合同期限："]) + f"自{c.year}年起{v.cn_number(c.rng.randrange(1, 16))}年。\n")
    c.t("二、" + c.pick(["承包费", "租金", "工资"]) + f"每年{c.rng.randrange(100, 20000)}元，")
    if c.chance(0.5):
        c.t("汇入乙方")
        c.bank()
    else:
        c.t("现金结算")
    c.t("。\n三、" + c.rng.choice(["乙方应按时缴纳，不得转包。", "甲方负责提供水电。", "违约方承担违约责任。"]) + "\n")
    c.t("签订日期：")
    c.date_text()
    c.t("\n")


def contract_test(c: Ctx) -> None:
    """HELD OUT: 中外合资意向书/协议 with a foreign party and bank accounts."""
    c.meta["title"] = c.pick(["合作意向书", "补充协议", "委托加工协议"])
    c.t(c.meta["title"] + "\n" + c.pick(["立协议人：", "协议双方："]))
    a = c.org("company")
    c.meta["creator"] = a
    c.t("（以下简称甲方）与")
    c.org("company")
    c.t("（以下简称乙方）。\n甲方委托代理人")
    c.person()
    c.t(c.pick(["，", "，联系"]))
    c.phone(private=False)
    if c.year >= 1996 and c.chance(0.6):
        c.t("，")
        c.email(private=False)
    c.t("。\n")
    c.t(c.pick(["乙方开户银行：", "乙方账户："]) + c.rng.choice(v.BANKS) + "，")
    c.bank(private=False)
    c.t("。\n" + c.pick(["双方约定：", "经协商："]))
    if c.chance(0.5):
        c.t("加工费按")
        c.doc.secret_range(f"每件{c.rng.randrange(1, 90)}.{c.rng.randrange(10)}元")
        c.t("结算（该价格属商业秘密）。")
    else:
        c.t("加工费按市场公开价格结算。")
    c.t("\n")
    c.date_text()
    c.t("\n")
