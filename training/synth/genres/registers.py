"""Household and civil-status registers: 户籍登记, 户口迁移证明, 普查底册, 出生/死亡登记."""
from __future__ import annotations

from training.synth import values as v
from training.synth.fragments import Ctx
from training.synth.genres.common import _birth


def household_register(c: Ctx) -> None:
    """户籍登记 register of one household (several members with IDs): a civil-status record."""
    c.doc.fact("private_subject")
    c.meta["title"] = c.pick(["常住人口登记表", "户口登记簿", "户籍登记表", "户口簿（摘录）", "常住人口登记卡"])
    c.t(c.meta["title"] + "\n")
    c.t(c.pick(["户别：", "户别 "]) + c.rng.choice(["非农业家庭户", "农业家庭户", "居民户", "集体户"]))
    c.sep()
    c.t(c.pick(["户主姓名：", "户主：", "户主 "]))
    c.person()
    c.sep()
    c.home_address()
    c.t("\n")
    n = c.rng.randrange(2, 6)
    for i in range(n):
        c.t(c.pick([f"{i + 1}. ", f"（{v.cn_number(i + 1)}）", "", "成员："]))
        c.t(c.rng.choice(["户主", "妻", "长子", "次子", "长女", "母", "孙子"]) + " ")
        c.person()
        c.t(" ")
        birth = _birth(c, 1, 80)
        if c.year >= 1985 or c.chance(0.3):
            c.id_number(birth, label=c.chance(0.5))
            c.t(" ")
        c.date_text(birth, c.rng.choice(["dot", "arabic", "arabic_pad"]))
        c.t(c.pick([" 出生", "生", "", " "]))
        if c.chance(0.3):
            c.t("，" + c.pick(["由", "从"]))
            c.loc(depth=3)
            c.t(c.pick(["迁入", "迁来"]))
        c.t("\n")
    c.t(c.pick(["登记单位：", "承办人单位：", "登记机关："]))
    c.org("town" if c.chance(0.5) else "gov")
    c.t("\n")
    c.meta["creator"] = c.org_str("gov")


def household_migration(c: Ctx) -> None:
    """户口迁移证明: a civil-status record of one person -> private subject."""
    c.doc.fact("private_subject")
    c.meta["title"] = c.pick(["户口迁移证", "准予迁入证明", "户口迁移证明", "户籍证明"])
    c.t(c.meta["title"] + "\n" + c.pick(["兹有", "兹证明", "经审核，"]))
    c.person()
    birth = _birth(c, 1, 70)
    c.t("，" + c.rng.choice(["男", "女"]) + "，")
    c.date_text(birth, "arabic")
    c.t("出生，")
    c.id_number(birth)
    c.t("，" + c.pick(["原住", "原籍住址", "现住"]))
    c.home_address(word=False)
    c.t("，" + c.pick(["因", "由于"]) + c.rng.choice(["投亲", "工作调动", "婚迁", "升学", "退伍安置"]) + "，" + c.pick(["准予迁往", "迁至", "迁入"]))
    c.loc(depth=c.rng.choice([2, 3, 4]))
    c.t("。\n")
    c.signature(c.org_str("town"))


def household_test(c: Ctx) -> None:
    """HELD OUT: 人口普查底册 / 户籍底册 table listing several households."""
    c.doc.fact("private_subject")
    c.meta["title"] = c.pick(["户籍底册（抄件）", "人口登记底册", "第三次人口普查登记底册", "户籍核查清单"])
    c.t(c.meta["title"] + "\n")
    c.loc(depth=c.rng.choice([3, 4]))
    c.t(c.pick(["辖区", "所属", "片区"]) + "\n序号 姓名 与户主关系 公民身份号码 住址\n")
    for i in range(c.rng.randrange(3, 7)):
        c.t(f"{i + 1} ")
        c.person()
        c.t(" " + c.rng.choice(["户主", "配偶", "子", "女", "父", "母"]) + " ")
        c.id_number(_birth(c, 1, 80), label=False)
        c.t(" ")
        c.home_address(word=False)
        c.t("\n")
    c.t(c.pick(["核查人：", "制表人：", "登记员："]))
    c.person()
    c.t("\n")


def birth_death_test(c: Ctx) -> None:
    """HELD OUT: 出生/死亡登记 (a civil-status record) -> private subject."""
    c.doc.fact("private_subject")
    c.meta["title"] = c.pick(["出生登记表", "死亡人口登记", "注销户口登记"])
    death = c.meta["title"] != "出生登记表"
    c.t(c.meta["title"] + "\n" + c.pick(["登记机关：", "派出所："]))
    c.org(name=(c.place.town or c.place.area) + "派出所")
    c.t("\n" + ("死者" if death else "婴儿") + "姓名：")
    c.person()
    c.t("  " + ("死亡日期：" if death else "出生日期："))
    c.date_text(style="arabic")
    c.t("\n")
    if death:
        c.t(c.pick(["死亡原因：", "死因："]))
        c.doc.e(c.rng.choice(["因" + v.disease(c.rng) + "去世", v.disease(c.rng) + "晚期", "确诊为" + v.disease(c.rng)]), "HEALTH")
        c.t("\n")
    else:
        c.t("父亲：")
        c.person()
        c.t("  母亲：")
        c.person()
        c.t("\n")
    c.t(c.pick(["户籍地址：", "住址："]))
    c.home_address(word=False)
    c.t("\n申报人：")
    c.person()
    if c.chance(0.5):
        c.t("  ")
        c.phone()
    c.t("\n")
