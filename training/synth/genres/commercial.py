"""Commercial documents: price sheets, bid floors, formulas; catalogues with published prices."""
from __future__ import annotations

from training.synth.fragments import Ctx


def commercial_core(c: Ctx) -> None:
    """A price list / bid floor / formula: the document IS the trade secret -> CLOSED."""
    c.doc.fact("commercial_core")
    company = c.org_str(c.rng.choice(["company", "factory"]))
    c.meta["creator"] = company
    c.meta["title"] = c.pick(["出厂价格表（内部掌握）", "投标底价计算书", "产品配方及工艺参数", "客户名单及供货价格", "标底编制说明"])
    c.org(name=company)
    c.t("\n" + c.meta["title"] + "\n")
    for _ in range(c.rng.randrange(2, 5)):
        item = c.rng.choice(["一级茶", "电机Y132", "水泥425#", "棉纱32支", "工程主体", "配料A", "色浆"])
        c.t(item + "：")
        c.doc.secret_range(c.rng.choice([f"{c.rng.randrange(100, 99999)}元/吨", f"{c.rng.randrange(1, 99)}.{c.rng.randrange(10)}%", f"底价{c.rng.randrange(10, 999)}万元"]))
        c.t("\n")
    if c.chance(0.5):
        c.t(c.pick(["主要客户：", "供货对象："]))
        c.org("company")
        c.t("、")
        c.org("factory")
        c.t("\n")
    c.t(c.pick(["本表属本厂商业秘密，严禁外传。", "此件仅限经营部门掌握。", "注意保密。"]) + "\n编制：")
    c.person()
    c.t("\n")
    c.date_text()


def commercial_test(c: Ctx) -> None:
    """HELD OUT: 报价/投标内部核算单 — the whole sheet is the trade secret."""
    c.doc.fact("commercial_core")
    company = c.org_str("company")
    c.meta["creator"] = company
    c.meta["title"] = c.pick(["投标报价内部核算单", "成本核算表", "工艺技术参数（企业秘密）"])
    c.t(c.meta["title"] + "\n" + c.pick(["单位：", "编制单位："]))
    c.org(name=company)
    c.t("\n" + c.pick(["项目：", "工程名称："]))
    c.loc(depth=c.rng.choice([1, 2]))
    c.t(c.rng.choice(["大桥", "厂房", "仓库"]) + "工程\n")
    for label in c.rng.sample(["人工费", "材料费", "管理费", "利润率", "投标底线", "最低报价"], c.rng.randrange(2, 5)):
        c.t(label + "  ")
        c.doc.secret_range(c.rng.choice([f"{c.rng.randrange(10, 999)}.{c.rng.randrange(10)}万元", f"{c.rng.randrange(1, 30)}%"]))
        c.t("\n")
    c.t("核算人：")
    c.person()
    c.t("  审核：")
    c.person()
    c.t("\n")


def price_quotation(c: Ctx) -> None:
    """供货报价/成本分析: an unpublished price sheet -> the document is the trade secret."""
    c.doc.fact("commercial_core")
    company = c.org_str(c.rng.choice(["company", "factory"]))
    c.meta["creator"] = company
    c.meta["title"] = c.pick(["产品成本分析表", "内部结算价格通知", "供货报价单（内部）", "技术配方卡"])
    c.t(c.meta["title"] + "\n")
    c.org(name=company)
    c.t(c.pick(["供销科：\n", "：\n", "\n"]))
    if c.meta["title"] == "技术配方卡":
        for part in c.rng.sample(["主料", "辅料", "催化剂", "添加剂", "色浆", "固化剂"], 3):
            c.t(part + "：")
            c.doc.secret_range(f"{c.rng.randrange(1, 80)}.{c.rng.randrange(10)}%")
            c.t("；")
        c.t("反应温度")
        c.doc.secret_range(f"{c.rng.randrange(60, 300)}℃")
        c.t("。\n")
    else:
        for _ in range(c.rng.randrange(2, 5)):
            c.t(c.rng.choice(["甲级", "乙级", "特级", "二级"]) + c.rng.choice(["绿茶", "棉布", "钢管", "电缆", "化肥"]) + "  ")
            c.doc.secret_range(f"{c.rng.randrange(50, 9000)}元/{c.rng.choice(['吨', '米', '担', '件'])}")
            c.t("\n")
        c.t(c.pick(["以上价格仅对", "此价仅限供应", "上述结算价只对", "本价目只适用于", "以上报价专供"]))
        c.org("company")
        c.t("执行，不得对外公开。\n")
    c.t(c.pick(["制表：", "经办人："]))
    c.person()
    c.t("\n")
    c.date_text()


def product_catalogue(c: Ctx) -> None:
    """产品目录/价目表 with published prices -> OPEN; one unpublished item -> OPEN_REDACTED."""
    company = c.org_str(c.rng.choice(["company", "factory"]))
    c.meta["creator"] = company
    c.meta["title"] = c.pick(["产品目录", "企业简介", "产品价目表（对外）", "企业年度报告（摘要）"])
    c.org(name=company)
    c.t("\n" + c.meta["title"] + "\n" + c.pick(["本厂", "我公司", "本企业"]) + c.rng.choice(["始建于", "创办于"]) + f"{c.year - c.rng.randrange(2, 30)}年，")
    c.t("位于")
    c.loc(depth=c.rng.choice([2, 3]))
    c.t("，" + c.rng.choice(["主要生产", "主营"]) + c.rng.choice(["棉纱、针织品", "农机配件", "罐头食品", "电线电缆"]) + "。")
    c.t(c.pick(["产品采用的技术秘密受法律保护。", "产品曾获省优称号。", "密封件等配件另行报价。", "欢迎各地客户来函洽谈。"]))
    c.t("\n")
    for _ in range(c.rng.randrange(1, 4)):
        c.t(c.rng.choice(["一级品", "二级品", "出口型", "标准型"]) + "：")
        if c.chance(0.2):
            c.doc.secret_range(f"{c.rng.randrange(50, 9000)}元")
            c.t(c.pick(["（内部优惠价）", "（协议价，不公开）"]))
        else:
            c.t(f"{c.rng.randrange(50, 9000)}元" + c.pick(["（零售价）", "（公开报价）", ""]))
        c.t("\n")
    c.org_address()
    c.t("\n")
    c.phone(private=False, word=c.pick(["业务电话", "电话", "传真"]))
    if c.year >= 1997 and c.chance(0.5):
        c.t("  ")
        c.email(private=False)
    c.t("\n")
    if c.chance(0.4):
        c.bank(private=False)
        c.t("\n")
