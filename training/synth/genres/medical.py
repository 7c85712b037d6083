"""Medical and work-injury records: 病历, 工伤鉴定, 计划生育手术/体检表, 法医鉴定."""
from __future__ import annotations

from training.synth import values as v
from training.synth.fragments import Ctx
from training.synth.genres.common import _birth


def medical_record(c: Ctx) -> None:
    c.doc.fact("private_subject")
    hosp = c.org_str("hospital")
    c.meta["title"] = c.pick(["住院病历", "病历摘要", "出院记录", "门诊病历", "疾病诊断证明书"])
    c.meta["creator"] = hosp
    c.org(name=hosp)
    c.t("\n" + c.meta["title"] + "\n" + c.pick(["姓名：", "患者：", "病人姓名：", "姓名 "]))
    c.person()
    birth = _birth(c, 5, 80)
    c.t(c.pick(["  性别：", "，性别", " "]) + c.rng.choice(["男", "女"]) + c.pick(["  年龄：", "，", " 年龄"]) + f"{c.year - birth.year}岁")
    c.sep()
    c.t(c.pick(["住院号：", "病案号：", "门诊号："]) + str(c.rng.randrange(10**4, 10**7)))
    c.sep()
    if c.chance(0.5):
        c.home_address()
        c.sep()
    if c.chance(0.4) and c.year >= 1985:
        c.id_number(birth)
        c.sep()
    if c.chance(0.3):
        c.phone()
        c.sep()
    c.t("\n" + c.pick(["主诉：", "现病史：", "入院情况："]) + c.rng.choice(["反复咳嗽三月余", "头痛伴呕吐二天", "腹痛一周", "胸闷气促", "发热"]) + "。")
    c.t(c.pick(["入院诊断：", "诊断：", "经检查，", "出院诊断："]))
    c.health()
    c.t("。")
    if c.chance(0.6):
        c.t(c.pick(["既往史：", "既往", "既往史："]))
        c.health()
        c.t("。")
    c.t(c.pick(["处理：", "治疗经过：", "医嘱："]) + c.rng.choice(["予抗感染治疗，好转出院。", "建议休息三个月。", "转上级医院治疗。", "继续门诊随访。"]) + "\n")
    c.t(c.pick(["医师：", "经治医生：", "主治医师 "]))
    c.person()
    c.t("\n")
    c.date_text()


def injury_appraisal(c: Ctx) -> None:
    c.doc.fact("private_subject")
    org = (c.place.city or c.place.area) + c.rng.choice(["劳动鉴定委员会", "劳动能力鉴定委员会", "工伤鉴定委员会"])
    c.meta["title"] = c.pick(["工伤鉴定结论通知书", "劳动能力鉴定结论", "职工工伤认定书", "因工伤残鉴定表"])
    c.meta["creator"] = org
    c.org(name=org)
    c.t("\n" + c.meta["title"] + "\n")
    c.org("factory" if c.year < 1993 else c.rng.choice(["factory", "company"]))
    c.t(c.pick(["职工", "工人", "员工"]))
    name = c.person()
    birth = _birth(c, 18, 55)
    if c.year >= 1985 and c.chance(0.6):
        c.t("（")
        c.id_number(birth)
        c.t("）")
    c.t(f"于{c.year - 1}年{c.rng.randrange(1, 13)}月在{c.rng.choice(['生产中', '车间作业时', '下井作业时', '装卸货物时'])}受伤，" + c.pick(["经诊断为", "造成", "致"]))
    c.doc.e(c.rng.choice(v.INJURIES), "HEALTH")
    c.t("。" + c.pick(["经鉴定，", "本委员会鉴定：", "鉴定结论：", "经本会鉴定，"]))
    c.person(name)
    c.t(c.pick(["同志", "", "的伤情"]) + "为")
    c.doc.e(f"{v.cn_number(c.rng.randrange(1, 11))}级伤残", "HEALTH")
    c.t("。")
    if c.chance(0.5):
        c.t(c.pick(["工伤津贴发放至", "待遇存入"]))
        c.bank()
        c.t("。")
    c.t("\n")
    c.date_text()


def medical_test(c: Ctx) -> None:
    """HELD OUT: 计划生育手术/体检表 (reproductive procedure or health check of one person)."""
    c.doc.fact("private_subject")
    c.meta["title"] = c.pick(["计划生育手术证明", "节育手术登记表", "职工体检表", "征兵体格检查表"])
    c.t(c.meta["title"] + "\n")
    c.loc(depth=c.rng.choice([2, 3]))
    c.t("\n受术人/受检人：")
    c.person()
    c.t("，丈夫/家属：")
    c.person()
    c.t("。\n")
    if c.chance(0.6):
        c.home_address()
        c.t("\n")
    c.t(c.pick([f"于{c.year}年{c.rng.randrange(1, 13)}月在", "经"]))
    c.org("hospital" if c.chance(0.6) else "town")
    c.t(c.rng.choice(["", "检查，"]))
    c.doc.e(c.rng.choice(v.REPRO) if c.chance(0.5) else "确诊为" + v.disease(c.rng), "HEALTH")
    c.t("。" + c.pick(["手术医生：", "检查医师："]))
    c.person()
    c.t("\n")


def forensic_test(c: Ctx) -> None:
    """HELD OUT: 法医学鉴定书 / 伤情鉴定 (injury grade of a named person) -> private subject."""
    c.doc.fact("private_subject")
    org = (c.place.city or c.place.area) + c.rng.choice(["公安局刑事科学技术研究所", "法医鉴定所", "人民医院司法鉴定中心"])
    c.meta["creator"] = org
    c.meta["title"] = c.pick(["法医学人体损伤程度鉴定书", "伤情鉴定书", "法医学鉴定意见"])
    c.t(c.meta["title"] + "\n" + c.pick(["委托单位：", "送检单位："]))
    c.org(name=c.place.area + "公安局")
    c.t("\n" + c.pick(["被鉴定人：", "伤者："]))
    c.person()
    c.t("，" + c.rng.choice(["男", "女"]) + f"，{c.rng.randrange(16, 70)}岁")
    if c.year >= 1990 and c.chance(0.5):
        c.t("，")
        c.id_number()
    c.t("。\n" + c.pick(["检验所见：", "损伤情况："]))
    c.doc.e(c.rng.choice(v.INJURIES), "HEALTH")
    c.t("。" + c.pick(["鉴定意见：", "结论："]) + "被鉴定人的损伤程度为")
    c.doc.e(c.rng.choice(["轻伤二级", "轻伤一级", "重伤二级", "轻微伤", "重伤一级"]), "HEALTH")
    c.t("。\n" + c.pick(["鉴定人：", "法医师："]))
    c.person()
    c.t("\n")
    c.date_text()
