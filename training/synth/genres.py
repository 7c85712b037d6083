"""Genre templates. Each template is a function ``(ctx) -> None`` that composes a document from
fragments in its own order with random omissions; ``TEMPLATES`` says which split may use it.

Held-out design: every genre has at least one template whose name is in the "test" split only;
those functions (their structure, order and phrasings) never produce a training document.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Callable

from training.synth import values as v
from training.synth.fragments import Ctx


@dataclass(frozen=True)
class Template:
    name: str
    genre: str
    split: str  # "train" | "test"
    build: Callable[[Ctx], None]
    years: tuple[int, int] = (1950, 2005)
    weight: float = 1.0


# ============================================================================ helpers
def _birth(c: Ctx, lo: int = 18, hi: int = 60) -> date:
    return v.random_date(c.rng, c.year - c.rng.randrange(lo, hi))


def _sex_ethnic(c: Ctx) -> None:
    c.t(c.pick(["性别：", "性别", "性别 "]) + c.rng.choice(["男", "女"]))
    c.sep()
    if c.chance(0.7):
        c.t("民族：" + c.rng.choice(["汉族", "汉", "回族", "畲族", "满族", "壮族", "汉族", "汉族"]))
        c.sep()


def _origin(c: Ctx) -> None:
    c.t(c.pick(["籍贯：", "籍贯", "原籍：", "籍贯 ", "出生地："]))
    c.origin()
    c.sep()


def _work_history(c: Ctx, n: int | None = None) -> None:
    n = n or c.rng.randrange(1, 4)
    y = c.year - c.rng.randrange(5, 25)
    for _ in range(n):
        y2 = min(c.year, y + c.rng.randrange(1, 8))
        c.t(c.pick([f"{y}年至{y2}年在", f"{y}.{c.rng.randrange(1, 13)}—{y2}.{c.rng.randrange(1, 13)} ", f"{y}年起在",
                    f"{y}年{c.rng.randrange(1, 13)}月调", f"{y}—{y2}年 "]))
        c.org(c.rng.choice(["gov", "factory", "school", "company", "party", "town"]))
        c.t(c.pick(["工作", "任" + c.rng.choice(["科员", "干事", "副科长", "技术员", "会计", "教师", "车间主任"]), "任职", "担任办事员", "工作"]))
        c.t(c.rng.choice(["；", "。", "\n"]))
        y = y2


def _incidental_private(c: Ctx) -> None:
    """A private person's details in an otherwise public record (GUIDELINES rule 2: mask, open)."""
    k = c.rng.random()
    if k < 0.35:
        c.t(c.pick(["经核实，困难户", "救济对象", "走访了困难群众", "慰问了"]))
        c.person()
        c.t("（" + c.pick(["住", "家住", "现住"]))
        c.home_address(word=False)
        c.t("），")
        c.t(c.pick(["其", "该户"]) + c.rng.choice(["户主", "家属", "本人"]))
        c.health()
        c.t(c.pick(["，已发放救济款。", "，已列入帮扶对象。", "，给予临时救助。"]))
    elif k < 0.6:
        c.t(c.pick(["群众", "来访群众", "举报人"]))
        c.person()
        c.t("（")
        c.phone()
        c.t(c.pick(["）反映的问题已转有关部门办理。", "）提出的意见已采纳。"]))
    elif k < 0.8:
        c.t(c.pick(["原", "前"]) + c.rng.choice(["会计", "出纳", "仓库保管员", "副厂长"]))
        c.person()
        c.t(c.pick(["因挪用公款已被", "因违纪已受", "已被"]))
        c.legal(c.rng.choice(["party", "measure", "sentence"]))
        c.t("，" + c.pick(["账目已移交。", "工作由他人接替。"]))
    else:
        c.t(c.pick(["捐赠人", "联系人", "申请人"]))
        c.person()
        c.t("，")
        if c.year >= 1985:
            c.id_number()
            c.t("，")
        c.bank()
        c.t("。")
    c.t("\n")


# ============================================================================ personnel
def personnel_form(c: Ctx) -> None:
    """干部履历表 (form): essentially about one person -> private subject."""
    c.doc.fact("private_subject")
    c.meta["title"] = c.pick(["干部履历表", "干部履历表", "干部登记表", "职工履历表", "人事档案·干部履历表"])
    c.secret_header(0.15)
    c.t(c.meta["title"] + "\n")
    c.t(c.pick(["姓名：", "姓　名：", "姓名 ", "姓名："]))
    birth = _birth(c)
    c.person()
    c.sep()
    if c.chance(0.3):
        c.t(c.pick(["曾用名：", "曾用名 ", "原名："]))
        c.person()
        c.sep()
    _sex_ethnic(c)
    c.t(c.pick(["出生年月：", "出生日期：", "出生年月 "]))
    c.date_text(birth, c.rng.choice(["ym", "arabic", "dot"]))
    c.sep()
    if c.chance(0.8):
        _origin(c)
    if c.chance(0.7) and c.year >= 1985:
        c.id_number(birth)
        c.sep()
    if c.chance(0.6):
        c.t(c.pick(["政治面貌：中共党员", "政治面貌：共青团员", "党派：中共党员", "政治面貌：群众"]))
        c.sep()
    if c.chance(0.6):
        c.home_address()
        c.sep()
    if c.chance(0.4):
        c.phone()
        c.sep()
    if c.year >= 1996 and c.chance(0.6):
        c.email()
        c.sep()
    c.t("\n" + c.pick(["工作经历：", "简历：", "本人简历\n", "主要经历："]))
    _work_history(c)
    if c.chance(0.35):
        c.t(c.pick(["奖惩情况：", "受过何种处分：", "奖惩："]))
        c.t(f"{c.year - c.rng.randrange(1, 6)}年因{c.rng.choice(['违反财经纪律', '工作失职', '违反计划生育政策', '挪用公款'])}受")
        c.legal("party")
        c.t("。\n")
    if c.chance(0.3):
        c.t(c.pick(["健康状况：", "身体状况：", "健康情况："]))
        c.t(c.rng.choice(["", "本人", "近年"]))
        c.health()
        c.t("。\n")
    if c.chance(0.5):
        c.t(c.pick(["家庭主要成员：", "家庭成员及社会关系：", "家庭成员："]))
        for _ in range(c.rng.randrange(1, 4)):
            c.t(c.rng.choice(["父亲", "母亲", "妻子", "丈夫", "长子", "女儿", "兄"]))
            c.t(c.rng.choice([" ", "："]))
            c.person()
            c.t("，")
            c.org(c.rng.choice(["factory", "school", "gov", "village"]))
            c.t(c.rng.choice(["工人", "教师", "干部", "社员", "职工"]) + "；")
        c.t("\n")
    c.meta["creator"] = c.meta.get("creator") or c.org_str("party")


def personnel_narrative(c: Ctx) -> None:
    """个人简历/自传 narrative: about one person -> private subject."""
    c.doc.fact("private_subject")
    c.meta["title"] = c.pick(["个人自传", "个人简历", "自传", "本人简历", "个人历史情况交代"])
    c.t(c.meta["title"] + "\n")
    c.t(c.pick(["本人", "我叫", "本人姓名", "我名叫"]))
    me = c.person()
    if c.chance(0.25):
        c.t(c.pick(["，原名", "，曾用名", "（原名", "，又名"]))
        c.person()
        if c.doc.parts[-2] == "（原名":
            c.t("）")
    c.t("，")
    birth = _birth(c)
    c.date_text(birth, c.rng.choice(["arabic", "cn", "ym"]))
    c.t(c.pick(["出生于", "生于", "出生在", "出生于"]))
    c.loc(depth=c.rng.choice([2, 3, 4]))
    c.t("。")
    if c.chance(0.5):
        c.t(c.pick(["父亲", "父"]))
        c.person()
        c.t(c.pick(["务农", "是工人", "在供销社工作", "曾任小学教师", "务农为生"]) + "，母亲")
        c.person()
        c.t(c.pick(["务农。", "系家庭妇女。", "在纺织厂工作。"]))
    _work_history(c)
    if c.chance(0.4):
        c.t(f"{c.year - c.rng.randrange(1, 10)}年因{c.rng.choice(['病', '工伤', '身体原因'])}")
        c.health()
        c.t("，" + c.pick(["休养半年。", "住院治疗。", "调离原岗位。"]))
    if c.chance(0.3):
        c.t(c.pick(["本人曾于", "曾于"]) + f"{c.year - c.rng.randrange(3, 15)}年被")
        c.legal(c.rng.choice(["party", "admin", "measure"]))
        c.t("，" + c.pick(["后经复查予以撤销。", "已如实向组织说明。", "现已解除。"]))
    if c.chance(0.5) and c.year >= 1985:
        c.t("\n")
        c.home_address()
        c.t("。")
    c.t("\n" + c.pick(["本人签名：", "签名：", "交代人："]))
    c.person(me)
    c.t("\n")
    c.date_text()


def personnel_review_test(c: Ctx) -> None:
    """HELD OUT: 政审/考察材料 written by an organisation about a cadre."""
    c.doc.fact("private_subject")
    c.meta["title"] = c.pick(["关于同志的考察材料", "政审材料", "干部考察报告", "关于同志的政治审查结论", "考察意见"])
    c.secret_header(0.2)
    c.t(c.meta["title"] + "\n")
    c.t(c.pick(["经组织考察，", "根据组织安排，我们对", "现将", "兹对"]))
    c.person()
    birth = _birth(c)
    c.t(c.pick(["同志（", "同志，"]) + c.rng.choice(["男", "女"]) + "，")
    c.date_text(birth, "ym")
    c.t("生，")
    c.loc(depth=c.rng.choice([2, 3]))
    c.t("人）" + c.pick(["的情况考察如下：", "的政治历史情况审查如下：", "现实表现如下："]) + "\n")
    if c.chance(0.6):
        c.t("该同志现住")
        c.home_address(word=False)
        c.t("，")
        if c.chance(0.6) and c.year >= 1985:
            c.id_number(birth)
            c.t("。")
    _work_history(c, 2)
    if c.chance(0.5):
        c.t("该同志" + c.pick(["历史上曾受", "于" + str(c.year - 4) + "年受", "曾因错误受"]))
        c.legal("party")
        c.t("，" + c.pick(["已于期满后解除。", "现表现较好。", "后经甄别予以撤销。"]))
    if c.chance(0.3):
        c.t("另查，该同志" + c.pick(["长期", "自幼", "近年"]))
        c.health()
        c.t("。")
    c.signature(c.org_str("party"))


# ============================================================================ household registers
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


# ============================================================================ court extracts
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


# ============================================================================ medical / work injury
def medical_record(c: Ctx) -> None:
    c.doc.fact("private_subject")
    hosp = c.org_str("hospital")
    c.meta["title"] = c.pick(["住院病历", "病历摘要", "出院记录", "门诊病历", "疾病诊断证明书"])
    c.meta["creator"] = hosp
    c.org(name=hosp)
    c.t("\n" + c.meta["title"] + "\n" + c.pick(["姓名：", "患者：", "病人姓名：", "姓名 "]))
    name = c.person()
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


# ============================================================================ petitions
def petition_letter(c: Ctx) -> None:
    """信访: a private person's complaint. Family disputes make it private; else personal info is incidental."""
    c.meta["title"] = c.pick(["来信", "人民来信", "信访件", "申诉信", "来访登记"])
    office = (c.place.city or c.place.area) + c.rng.choice(["信访局", "人民政府信访办公室", "信访办"])
    c.meta["creator"] = office
    c.t(c.pick(["尊敬的", "致", ""]))
    c.org(name=office)
    c.t(c.pick(["领导：\n", "：\n", "负责同志：\n"]))
    c.t(c.pick(["我叫", "来信人", "我是"]))
    name = c.person()
    c.t("，" + c.pick(["家住", "住", "现住"]))
    c.home_address(word=False)
    c.t("。")
    topic = c.rng.random()
    if topic < 0.35:
        c.doc.fact("private_subject")
        c.t(c.pick(["我与丈夫", "我与儿子", "我与前夫", "我家与邻居", "我与公婆"]) + c.rng.choice(["长期不和，", "因赡养问题发生纠纷，", "因分家析产发生争执，", "因宅基地发生纠纷，"]))
        c.t(c.pick(["对方", "其丈夫", "其儿子", "对方家人"]) + c.rng.choice(["多次殴打我，", "拒不支付抚养费，", "强占房屋，"]) + "致我")
        c.health()
        c.t("。")
    elif topic < 0.8:
        c.t(c.pick(["反映", "现反映", "特来信反映"]))
        c.org(c.rng.choice(["village", "town", "company", "factory"]))
        c.t(c.rng.choice(["征用我家责任田未予补偿", "拖欠工资", "违规收取提留款", "强拆房屋"]) + "的问题。")
    else:
        c.t(c.pick(["为我父亲", "为本人", "为我丈夫"]))
        c.t(c.rng.choice(["申诉：", "平反申诉："]) + f"{c.year - c.rng.randrange(10, 30)}年被")
        c.legal(c.rng.choice(["sentence", "admin", "party"]))
        c.t("，" + c.pick(["系错案，请求复查。", "现请求平反。", "要求落实政策。"]))
    filler(c, pool=PETITION_FILLER)
    c.t(c.pick(["联系方式：", "\n", "\n"]))
    c.phone()
    if c.year >= 1996 and c.chance(0.5):
        c.t("，")
        c.email()
    c.t("。\n" + c.pick(["来信人：", "此致\n敬礼\n", "信访人："]))
    c.person(name)
    c.t("\n")
    c.date_text()


def petition_register_test(c: Ctx) -> None:
    """HELD OUT: 信访事项办理情况答复 (an office's written reply)."""
    office = (c.place.city or c.place.area) + "信访局"
    c.meta["title"] = c.pick(["信访事项处理意见书", "信访答复意见书", "关于信访事项的复查意见"])
    c.meta["creator"] = office
    c.t(c.meta["title"] + "\n")
    c.person()
    c.t(c.pick(["：\n你于", "同志：\n你于", "：\n你"]))
    c.t(f"{c.year}年{c.rng.randrange(1, 13)}月" + c.pick(["来信反映", "到我局反映", "来访反映"]))
    c.t(c.rng.choice(["宅基地纠纷", "工资拖欠", "退休待遇", "房屋拆迁补偿"]) + "问题。经" + c.pick(["调查核实，", "转交"]))
    c.org(c.rng.choice(["gov", "town"]))
    c.t(c.pick(["处理，现答复如下：", "核实，答复如下："]) + c.rng.choice(["你反映的情况基本属实，已责成有关单位限期解决。", "你的诉求缺乏依据，不予支持。"]))
    if c.chance(0.6):
        c.t("你留下的")
        c.phone()
        c.t("已登记。")
    if c.year >= 1996 and c.chance(0.5):
        c.t(c.pick(["答复已同时发送至你的", "电子答复已发至"]))
        c.email()
        c.t("。")
    if c.chance(0.4):
        c.t("送达地址：")
        c.home_address(word=False)
        c.t("。")
    c.t("\n")
    c.org(name=office)
    c.t("\n")
    c.date_text()


# ============================================================================ meeting minutes
def meeting_minutes(c: Ctx) -> None:
    c.meta["title"] = c.pick(["会议纪要", "常委会议纪要", "办公会议纪要", "专题会议记录", "党组会议纪要"])
    c.secret_header(0.3)
    c.t(c.meta["title"] + "\n")
    c.t(c.pick(["时间：", "会议时间：", "日期："]))
    c.date_text()
    c.t(c.pick(["\n地点：", "\n会议地点：", "  地点："]))
    body = c.org_str(c.rng.choice(["gov", "party"]))
    c.meta["creator"] = body
    c.org(name=body)
    c.t(c.pick(["会议室", "三楼会议室", "小会议室"]) + c.pick(["\n主持人：", "\n主持：", "  主持人："]))
    c.person()
    c.t(c.pick(["\n出席：", "\n参加人员：", "\n出席会议："]))
    sep = c.rng.choice(["、", "、", "，", " "])
    n = c.rng.randrange(2, 7)
    for i in range(n):
        c.person()
        if i < n - 1:
            c.t(sep)
    c.t(c.rng.choice(["等。", "。", "等同志。", ""]) + "\n" + c.pick(["会议议定事项如下：", "会议研究了以下问题：", "纪要如下：", "会议讨论并决定了以下事项：", "会议听取了汇报，议定如下：", "会议议定："]) + "\n")
    for i in range(c.rng.randrange(1, 4)):
        c.t(f"{v.cn_number(i + 1)}、")
        kind = c.rng.random()
        if kind < 0.45:
            c.t(c.pick(["关于", "研究", "讨论"]) + c.rng.choice(["农田水利建设", "粮食征购", "城市规划", "企业改制", "财政预算", "干部培训", "防汛抗旱"]) + "问题。会议同意")
            c.org(c.rng.choice(["gov", "factory", "town", "company"]))
            c.t(c.rng.choice(["提出的方案，", "的报告，"]) + "由")
            c.person()
            c.t(c.pick(["同志负责落实。", "负责牵头。", "同志牵头办理。"]))
        elif kind < 0.65:
            c.t("关于")
            name = c.person()
            c.t(c.pick(["同志违纪问题的处理。会议决定给予", "的处分问题，会议同意给予"]))
            c.legal("party")
            c.t("。")
        elif kind < 0.8:
            c.doc.fact("public_security")
            c.t(c.rng.choice(["关于边境地区", "关于涉外", "关于宗教活动场所", "关于少数民族聚居区"]) + c.rng.choice(["的稳定问题", "的紧急情况", "的群体性事件"]) + "。会议要求")
            c.loc(depth=c.rng.choice([1, 2, 3]))
            c.t(c.rng.choice(["做好", "密切关注"]) + c.rng.choice(["民族关系", "对外交涉", "宗教事务"]) + "方面的工作，防止事态扩大。")
        elif kind < 0.87:
            c.t("关于社会治安情况。")
            c.negative_phrase()
        else:
            c.t("关于困难职工救济。")
            c.person()
            c.t(c.pick(["同志因", "因"]))
            c.health()
            c.t(c.pick(["，家庭困难，会议同意给予补助。", "，同意补助五百元。"]))
        c.t("\n")
    filler(c)
    c.t(c.pick(["记录：", "记录人：", "纪要整理："]))
    c.person()
    c.t("\n")


def meeting_test(c: Ctx) -> None:
    """HELD OUT: 座谈会情况简报 (a briefing after a forum)."""
    c.meta["title"] = c.pick(["情况简报", "座谈会简报", "工作简报"])
    c.secret_header(0.35, 0.5)
    opening = c.pick(["（第", "第"])
    c.t(c.meta["title"] + opening + f"{v.cn_number(c.rng.randrange(1, 40))}期" + ("）" if opening == "（第" else "") + "\n")
    body = c.org_str("gov")
    c.meta["creator"] = body
    c.org(name=body)
    c.t(c.pick(["办公室编", "编印"]) + "  ")
    c.date_text()
    c.t("\n" + c.pick(["近日，", "日前，", "本月上旬，"]))
    c.person()
    c.t(c.pick(["副市长在", "同志在", "主任在"]))
    c.loc(depth=c.rng.choice([2, 3]))
    c.t(c.pick(["主持召开座谈会，", "召开现场会，"]) + "听取")
    c.org(c.rng.choice(["factory", "company", "town", "school"]))
    c.t("负责人")
    c.person()
    c.t(c.pick(["的汇报。", "等人的意见。"]))
    if c.chance(0.3):
        c.negative_phrase()
    if c.chance(0.4):
        c.doc.fact("public_security")
        c.t("会上通报了" + c.rng.choice(["与邻国边界勘定的进展", "外籍人员在我市的活动情况", "部分信教群众聚集的情况", "民族地区的稳定形势"]) + "，要求各单位注意保密。")
    if c.chance(0.3):
        c.t("会上还提到")
        c.person()
        c.t("因" + c.rng.choice(["贪污", "失职", "违纪"]) + "已被")
        c.legal(c.rng.choice(["party", "measure"]))
        c.t("。")
    filler(c)
    c.t(c.pick(["会议指出，", "与会人员认为，"]) + c.rng.choice(["要抓好生产安全。", "要加快基础设施建设。", "要确保完成全年任务。"]) + "\n")


# ============================================================================ contracts
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


# ============================================================================ public-facing (OPEN)
def public_notice(c: Ctx) -> None:
    body = c.org_str(c.rng.choice(["gov", "gov", "party"]))
    c.meta["creator"] = body
    c.meta["title"] = c.pick(["关于做好春耕生产工作的通知", "关于开展爱国卫生运动的通知", "关于调整公交线路的通告",
                              "关于征集档案资料的公告", "关于加强防汛工作的通知", "关于召开表彰大会的通知"])
    c.doc.fact("public_facing")
    c.org(name=body)
    c.t("\n")
    c.doc_number_line()
    c.t(c.meta["title"] + "\n")
    c.t(c.pick(["各乡镇人民政府，", "各区县、", "各有关单位：", "各公社、各大队："]) + ("\n" if c.chance(0.5) else ""))
    c.t(c.pick(["为贯彻落实", "根据", "按照"]))
    c.org(name=c.rng.choice(v.NATIONAL_ORGS))
    c.t(c.pick(["有关精神，", "的部署，", "的要求，"]) + "现就有关事项通知如下：\n")
    for i in range(c.rng.randrange(2, 5)):
        c.t(f"{v.cn_number(i + 1)}、")
        k = c.rng.random()
        if k < 0.35:
            c.t("全" + c.rng.choice(["县", "市", "区"]) + f"共有{c.rng.randrange(1000, 900000):,}人参加，" + c.rng.choice(["完成率", "增长"]) + f"{c.rng.randrange(1, 99)}.{c.rng.randrange(10)}%。")
        elif k < 0.65:
            c.t("各单位要在")
            c.loc(depth=c.rng.choice([1, 2, 3]))
            c.t(c.rng.choice(["范围内", "一带"]) + c.rng.choice(["组织检查。", "做好宣传。", "加强巡查。"]))
        else:
            c.t("由")
            c.org(c.rng.choice(["gov", "school", "hospital", "town"]))
            c.t(c.rng.choice(["牵头负责。", "具体承办。", "负责组织实施。"]))
        filler(c, c.rng.choice([0, 0, 1]))
        c.t("\n")
    if c.chance(0.25):
        _incidental_private(c)
    if c.chance(0.25):
        c.negative_phrase()
        c.t("\n")
    if c.chance(0.3):
        c.t(c.pick(["对违规的", "经查，"]))
        c.org(c.rng.choice(["factory", "company"]))
        c.t(c.rng.choice(["已处以罚款五千元。", "被责令停产整顿。", "受到通报批评。"]) + "由" + c.rng.choice(["市政府", "县委", "该局", "本局"]) + "督促整改。\n")
    filler(c)
    c.t(c.pick(["联系人：", "联系人 ", "经办人："]))
    c.person()
    c.t("，")
    c.phone(private=False, word=c.pick(["联系电话", "电话", "办公电话", "传真"]))
    if c.year >= 1998 and c.chance(0.4):
        c.t("，")
        c.email(private=False)
    if c.chance(0.3):
        c.t("\n")
        c.org_address()
    c.t("\n")
    c.org(name=body)
    c.t("\n")
    c.date_text()
    c.t("\n")


def statistics_report(c: Ctx) -> None:
    body = (c.place.city or c.place.area) + "统计局"
    c.meta["creator"] = body
    c.meta["title"] = f"{c.year - 1}年" + c.pick(["国民经济和社会发展统计公报", "工农业生产统计情况", "人口统计年报", "统计资料汇编（摘录）"])
    c.doc.fact("public_facing")
    c.t(c.meta["title"] + "\n")
    c.org(name=body)
    c.t("\n" + c.pick(["一、综合", "一、人口", "一、农业"]) + "\n")
    for _ in range(c.rng.randrange(2, 5)):
        c.t(c.pick(["全年", "年末", "全市", "全县"]))
        metric, unit = c.rng.choice([("粮食总产量", "吨"), ("工业总产值", "万元"), ("总人口", "人"), ("出生人数", "人"),
                                     ("社会消费品零售总额", "万元"), ("门诊就诊人次", "人次"), ("职工人数", "人"), ("财政收入", "万元")])
        c.t(metric)
        c.doc.decoy(f"{c.rng.randrange(1000, 99999999)}", "statistic")
        c.t(unit + "，比上年" + c.rng.choice(["增长", "下降"]) + f"{c.rng.randrange(1, 30)}.{c.rng.randrange(10)}%。")
        if c.chance(0.4):
            c.t("其中")
            c.loc(depth=1)
            c.t(f"{c.rng.randrange(100, 99999)}{unit}。")
        c.t("\n")
    if c.chance(0.5):
        c.negative_phrase()
        c.t("\n")
    c.t("统计数据截止日期：")
    c.doc.decoy(f"{c.year - 1}1231", "date_number")
    c.t("\n")


def work_report(c: Ctx) -> None:
    body = c.org_str(c.rng.choice(["gov", "gov", "town"]))
    c.meta["creator"] = body
    c.meta["title"] = c.pick([f"{c.year}年工作总结", "政府工作报告", f"{c.year}年工作计划", "关于某项目建设情况的报告", "关于兴修水利工程的批复"])
    c.doc.fact("public_facing")
    c.org(name=body)
    c.t("\n" + c.meta["title"] + "\n")
    if c.chance(0.5):
        c.doc_number_line()
    c.t(c.pick(["一年来，在", "过去一年，在", "今年以来，在"]))
    c.org(name=c.rng.choice(["中国共产党", c.org_str("party")]))
    c.t("的领导下，" + c.pick(["我们", "全" + c.rng.choice(["县", "市", "镇"]) + "干部群众"]))
    c.t(c.rng.choice(["完成了", "推进了"]))
    c.loc(depth=c.rng.choice([1, 2]))
    c.t(c.rng.choice(["水库", "大桥", "公路", "自来水厂"]) + "建设，" + f"投资{c.rng.randrange(10, 9000)}万元。")
    c.t(c.pick(["县长", "市长", "镇长", "局长"]))
    c.person()
    c.t(c.pick(["同志", "同志亲自", ""]) + c.rng.choice(["带队检查。", "作了讲话。", "到现场指导。"]) + "\n")
    if c.chance(0.4):
        c.t("项目专户：")
        c.t(c.rng.choice(v.BANKS) + "，")
        c.bank(private=False)
        c.t("。\n")
    if c.chance(0.3):
        _incidental_private(c)
    if c.chance(0.3):
        c.negative_phrase()
        c.t(c.pick(["全县", "全市", "辖区"]) + c.rng.choice(["肺结核发病率", "血吸虫病患者人数", "残疾人总数", "刑事案件发案数", "劳教人员"]) + c.rng.choice(["比上年下降", "比上年上升", "控制在"]) + f"{c.rng.randrange(1, 40)}%" + "。")
    if c.chance(0.2):
        c.t("修缮")
        c.loc(c.names.historical() + c.rng.choice(["故居", "墓", "祠"]))
        c.t("，筹建")
        c.org("memorial")
        c.t("。")
    if c.chance(0.3):
        c.t(c.pick(["纪念", "参观", "纪念先贤"]))
        c.person(c.names.historical())
        if c.chance(0.4):
            c.t(c.rng.choice(["（字", "（号", "（原名"]))
            c.person(c.names.given(None) + (c.faker.first_name()[-1] if c.chance(0.5) else ""))
            c.t("）")
        c.t(c.pick(["诞辰活动。", "故居修缮工作已完成。"]) + "\n")
    filler(c)
    c.signature(body)


def commendation(c: Ctx) -> None:
    body = c.org_str(c.rng.choice(["gov", "party", "school"]))
    c.meta["creator"] = body
    c.doc.fact("public_facing")
    kind = c.rng.random()
    if kind < 0.6:
        c.meta["title"] = c.pick(["关于表彰先进工作者的决定", "关于表彰劳动模范的通报", "光荣榜", "关于命名先进集体和先进个人的决定"])
        c.org(name=body)
        c.t("\n" + c.meta["title"] + "\n" + c.pick(["经研究，决定授予以下同志", "下列同志被评为", "现将受表彰人员名单公布如下"]) + c.rng.choice(["“先进工作者”称号：", "先进个人：", "："]) + "\n")
    else:
        c.meta["title"] = c.pick([f"{c.year}届毕业生名单", "毕业生花名册", "结业学员名单"])
        c.org(name=body)
        c.t("\n" + c.meta["title"] + "\n")
    for _ in range(c.rng.randrange(3, 9)):
        if c.chance(0.5):
            c.org(c.rng.choice(["factory", "school", "town", "village", "company"]))
            c.t(c.rng.choice([" ", "："]))
        c.person()
        if c.chance(0.06):
            c.t("（")
            c.home_address(word=False)
            c.t("）")
        if kind >= 0.6 and c.chance(0.4):
            c.t(c.pick([" 学号", " 学号：", "（学号"]))
            c.doc.decoy(v.student_number(c.rng, c.year), "student_number")
            if c.doc.parts[-2] == "（学号":
                c.t("）")
        c.t(c.rng.choice(["\n", "、", "\n"]))
    filler(c)
    c.t(c.pick(["希望受表彰的同志戒骄戒躁，再创佳绩。", "特此通报。", ""]) + "\n")
    c.date_text()


def public_test(c: Ctx) -> None:
    """HELD OUT: 公示/公告 of a public project with officials and a consultation address."""
    body = c.org_str("gov")
    c.meta["creator"] = body
    c.doc.fact("public_facing")
    c.meta["title"] = c.pick(["建设项目批前公示", "征求意见公告", "建设项目环境影响公示", "关于某工程竣工验收的公告"])
    c.t(c.meta["title"] + "\n")
    c.t(c.pick(["项目名称：", "事项："]))
    c.loc(depth=c.rng.choice([1, 2]))
    c.t(c.rng.choice(["污水处理厂", "中学教学楼", "农贸市场", "防洪堤"]) + c.rng.choice(["工程", "项目"]) + "\n建设单位：")
    c.org(c.rng.choice(["gov", "company"]))
    c.t("\n公示期：" + f"{c.year}年{c.rng.randrange(1, 13)}月起十日。公众如有意见，请与")
    c.org(name=body)
    c.t("联系。")
    c.phone(private=False, word=c.pick(["咨询电话", "监督电话", "电话"]))
    c.t("，")
    if c.year >= 1997:
        c.email(private=False)
        c.t("，")
    c.org_address()
    c.t("。\n")
    if c.chance(0.3):
        _incidental_private(c)
    c.t("负责人：")
    c.person()
    c.t("\n")
    c.date_text()


# ============================================================================ secret documents
def secret_directive(c: Ctx) -> None:
    """A classified directive/plan: STATE_SECRET unless declassified."""
    body = c.org_str(c.rng.choice(["gov", "party"]))
    c.meta["creator"] = body
    c.meta["title"] = c.pick(["关于加强战备物资储备的意见", "关于重点工程保卫工作的通知", "关于国防工程选址的请示", "征兵工作计划",
                              "关于粮食储备情况的报告", "关于通信设施建设的请示"])
    if not c.secret_header(1.0, 0.45):
        raise AssertionError("secret header must be written")
    c.org(name=body)
    c.t("\n")
    if c.chance(0.6):
        num = v.doc_number(c.rng, c.place, c.year)
        c.doc.decoy(num.replace("〔", "秘字〔") if c.chance(0.3) and "秘字" not in num else num, "doc_number")
        c.t("\n")
    c.t(c.meta["title"] + "\n")
    c.org(name=c.rng.choice(v.NATIONAL_ORGS))
    c.t(c.pick(["：\n", "、", "：\n"]) + c.pick(["现将", "根据上级指示，", "为做好保密工作，"]))
    c.loc(depth=c.rng.choice([1, 2, 3]))
    c.t(c.rng.choice(["地区", "一带", ""]) + c.rng.choice(["储备点的建设情况", "工程的选址方案", "有关部署"]) + "报告如下。")
    filler(c)
    c.t(c.pick(["由", "请"]))
    c.person()
    c.t(c.pick(["同志负责，", "同志具体负责，"]) + "工作人员须严格" + c.rng.choice(["保密", "遵守保密纪律"]) + "。")
    if c.chance(0.3):
        c.t(c.pick(["联络电话", "保密电话"]) + "：")
        c.doc.e(v.landline(c.rng, c.year)[0], "PHONE", False)
        c.t("。")
    c.t("\n")
    c.date_text()
    c.t("\n" + c.pick(["（此件发至县团级）", "（共印30份）", "（此件不得翻印）", ""]))


def secret_test(c: Ctx) -> None:
    """HELD OUT: 电报/情况通报 with the marking at the end, sometimes declassified."""
    body = c.org_str("gov")
    c.meta["creator"] = body
    c.meta["title"] = c.pick(["明传电报", "情况通报", "内部情况反映"])
    c.t(c.meta["title"] + "\n" + c.pick(["发电单位：", "发文："]))
    c.org(name=body)
    c.t("\n" + c.pick(["据", "经查，"]))
    c.loc(depth=c.rng.choice([2, 3]))
    c.t(c.rng.choice(["报告", "反映"]) + "，" + c.rng.choice(["今年夏粮减产两成", "部分企业停产", "水库出现险情"]) + "。请")
    c.person()
    c.t("同志阅处。\n" + c.pick(["密级：", "【", "标密："]))
    mark, level, period = v.secret_mark(c.rng, c.year)
    c.meta["classification"] = level
    if period:
        c.mark_periods.append(period)
    c.doc.e(mark, "SECRET_MARK", False)
    if c.doc.parts[-2] == "【":
        c.t("】")
    if c.chance(0.5):
        c.doc.fact("declassified")
        y = min(2024, c.year + c.rng.randrange(10, 30))
        c.t(c.pick([f"  本件已按规定解密，解密时间{y}年。", f"；解密日期{y}年{c.rng.randrange(1, 13)}月。", f"（已于{y}年解密）",
                    f"  {y}年经鉴定已解密", f"，已自行解密。", f"（{y}年解密）"]))
    c.t("\n")
    c.date_text()


# ============================================================================ commercial secrets
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


# ============================================================================ public security
def foreign_ethnic(c: Ctx) -> None:
    """Foreign relations / ethnic-religious content -> CLOSED + PUBLIC_SECURITY (declassification does not help)."""
    c.doc.fact("public_security")
    body = c.org_str(c.rng.choice(["gov", "party"]))
    c.meta["creator"] = body
    c.meta["title"] = c.pick(["关于接待外宾的情况报告", "关于民族宗教问题的调查报告", "关于边境纠纷的处理意见", "关于处理一起民族纠纷的报告", "关于外籍传教士活动的情况汇报"])
    c.secret_header(0.4, 0.5)
    c.org(name=body)
    c.t("\n" + c.meta["title"] + "\n")
    k = c.rng.random()
    if k < 0.4:
        c.t(c.pick(["据", "近期，"]))
        c.loc(c.rng.choice(["越南", "苏联", "美国", "日本", "缅甸", "印度"]))
        c.t(c.rng.choice(["方面", "驻华人员", "记者"]))
        c.person(c.names.foreign())
        c.t(c.rng.choice(["在", "到"]))
        c.loc(depth=c.rng.choice([2, 3]))
        c.t(c.rng.choice(["活动，涉及我方敏感问题，", "参观，提出了边界问题，"]) + "外事部门已作交涉。")
    elif k < 0.75:
        c.loc(depth=c.rng.choice([3, 4]))
        c.t(c.rng.choice(["回族", "藏族", "维吾尔族", "畲族"]) + "群众与汉族群众因" + c.rng.choice(["土地", "水源", "宗教活动"]) + "问题发生冲突，")
        c.loc(c.rng.choice(["开元寺", "南普陀寺", "清净寺", "涌泉寺", "西禅寺", "圣约瑟堂", "花巷教堂", "天后宫", "东关清真寺", "塔尔寺", "灵隐寺"]))
        c.t(c.rng.choice(["负责人", "阿訇", "主持", "管委会主任"]))
        c.person()
        c.t("参与调解。")
    else:
        c.t(c.pick(["关于", "有关"]))
        c.loc(depth=c.rng.choice([1, 2]))
        c.t(c.rng.choice(["宗教团体", "境外组织", "民族分裂势力"]) + "的活动，")
        c.org(name=c.rng.choice(["公安部", "外交部", "国家宗教事务局"]))
        c.t("已有部署，各地要严格控制知情范围。")
    filler(c)
    c.t("\n" + c.pick(["报告人：", "承办人："]))
    c.person()
    c.t("\n")
    c.date_text()


def security_test(c: Ctx) -> None:
    """HELD OUT: 外事活动简报 / 宗教场所登记 with public-security content."""
    c.doc.fact("public_security")
    body = (c.place.city or c.place.area) + c.rng.choice(["外事办公室", "民族宗教事务局", "侨务办公室"])
    c.meta["creator"] = body
    c.meta["title"] = c.pick(["外事工作简报", "宗教活动场所情况通报", "涉外事件处理情况"])
    c.secret_header(0.3, 0.6)
    c.t(c.meta["title"] + "\n")
    c.org(name=body)
    c.t("：" + c.pick(["本月，", "近日，"]))
    c.person(c.names.foreign())
    c.t(c.pick(["率", "等"]) + c.rng.choice(["日本", "美国", "苏联", "朝鲜"]))
    c.t("代表团访问")
    c.loc(depth=c.rng.choice([2, 3]))
    c.t("，" + c.rng.choice(["期间提出敏感的历史遗留问题", "在宗教场所散发材料", "会见了当地少数民族人士"]) + "。陪同人员：")
    c.person()
    c.t("、")
    c.person()
    c.t("。\n")
    c.date_text()


# ============================================================================ more training templates
def minutes_verbatim(c: Ctx) -> None:
    """党委会议记录 in speaker-turn form (姓名：发言)."""
    titles = ["党委会议记录", "支部委员会会议记录", "厂务会议记录", "党委扩大会议记录"]
    if 1967 <= c.year <= 1978:
        titles[1] = "革委会常委会记录"
    c.meta["title"] = c.pick(titles)
    c.secret_header(0.25, 0.5)
    body = c.org_str(c.rng.choice(["party", "town", "factory", "village"]))
    c.meta["creator"] = body
    c.org(name=body)
    c.t("\n" + c.meta["title"] + "\n")
    c.date_text()
    c.t("  " + c.pick(["于", "在"]) + c.rng.choice(["办公室", "会议室", "礼堂"]) + "\n")
    speakers = [c.names.full(c.year) for _ in range(c.rng.randrange(2, 5))]
    c.t(c.pick(["到会：", "出席：", "参加："]))
    for i, n in enumerate(speakers):
        c.person(n)
        c.t("、" if i < len(speakers) - 1 else "\n")
    for _ in range(c.rng.randrange(2, 6)):
        n = c.rng.choice(speakers)
        c.person(n)
        c.t(c.rng.choice(["：", "发言：", "说："]))
        k = c.rng.random()
        if k < 0.45:
            c.t(c.rng.choice(["今年的生产任务要抓紧，", "春耕备耕要早安排，", "基建项目要按期完成，", "要把群众生活安排好，"]))
            c.t(c.rng.choice(["请", "由"]))
            c.org(c.rng.choice(["factory", "town", "school", "village"]))
            c.t(c.rng.choice(["拿出方案。", "负责落实。"]))
        elif k < 0.65:
            c.t(c.rng.choice(["关于", "对"]))
            c.person()
            c.t(c.rng.choice(["的问题，我同意给予", "的错误，建议给予"]))
            c.legal("party")
            c.t("。")
        elif k < 0.8:
            c.person()
            c.t(c.rng.choice(["同志家里困难，爱人", "同志本人"]))
            c.health()
            c.t("，" + c.rng.choice(["建议补助。", "请工会照顾。"]))
        elif k < 0.9:
            c.negative_phrase()
        else:
            c.t(c.rng.choice(["同意", "没有意见", "我补充一点，要注意安全生产"]) + "。")
        c.t("\n")
    c.t(c.pick(["记录人：", "记录："]))
    c.person()
    c.t("\n")


def petition_visit_form(c: Ctx) -> None:
    """来访登记表: a petition office's intake form."""
    office = (c.place.city or c.place.area) + c.rng.choice(["信访办公室", "人民来访接待站", "信访局"])
    c.meta["title"] = c.pick(["来访登记表", "群众来访登记", "信访登记簿（摘录）"])
    c.meta["creator"] = office
    c.org(name=office)
    c.t("\n" + c.meta["title"] + "\n" + c.pick(["来访人：", "姓名：", "来访人姓名："]))
    c.person()
    c.sep()
    c.t("性别：" + c.rng.choice(["男", "女"]))
    c.sep()
    if c.year >= 1985 and c.chance(0.6):
        c.id_number()
        c.sep()
    c.home_address()
    c.sep()
    if c.chance(0.6):
        c.phone()
        c.sep()
    if c.year >= 1996 and c.chance(0.4):
        c.email()
        c.sep()
    c.t("\n" + c.pick(["反映问题：", "来访事由：", "主要诉求："]))
    k = c.rng.random()
    if k < 0.3:
        c.doc.fact("private_subject")
        c.t(c.rng.choice(["离婚后子女抚养问题", "家庭暴力问题", "与兄弟赡养纠纷"]) + "，自述")
        c.health()
        c.t("。")
    elif k < 0.5:
        c.t("要求对本人" + f"{c.year - c.rng.randrange(5, 25)}年被")
        c.legal(c.rng.choice(["sentence", "admin", "party"]))
        c.t(c.rng.choice(["一事复查。", "一案平反。"]))
    else:
        c.t("反映")
        c.org(c.rng.choice(["village", "town", "factory", "company"]))
        c.t(c.rng.choice(["克扣救济粮", "征地补偿不到位", "拖欠工资", "乱收费"]) + "。")
    c.t("\n" + c.pick(["接待人：", "接谈人：", "经办人："]))
    c.person()
    c.t("  ")
    c.date_text()
    c.t("\n")


def internal_compilation(c: Ctx) -> None:
    """内部资料 情况汇编: marked 内部, sometimes declassified by the opening review."""
    c.meta["title"] = c.pick(["情况汇编", "参考资料", "工作通讯", "情况交流"])
    mark = c.pick(["内部资料　注意保存", "内部资料 注意保存", "内部刊物", "内部资料　注意保存"])
    c.doc.e(mark, "SECRET_MARK", False)
    c.meta["classification"] = "内部"
    if c.chance(0.4):
        c.t(c.rng.choice(["　", "\n"]))
        c.t(v.declass_note(c.rng, date(min(2024, c.year + c.rng.randrange(10, 40)), 6, 1)))
        c.doc.fact("declassified")
    c.t("\n" + c.meta["title"] + f"（第{c.rng.randrange(1, 60)}期）\n")
    body = c.org_str(c.rng.choice(["gov", "party"]))
    c.meta["creator"] = body
    c.org(name=body)
    c.t(c.pick(["编", "办公室编印"]) + "\n")
    if c.chance(0.35):
        c.negative_phrase()
        c.t("\n")
    for _ in range(c.rng.randrange(1, 4)):
        c.loc(depth=c.rng.choice([1, 2, 3]))
        c.t(c.pick(["抓好夏收夏种。", "乡镇企业发展较快。", "开展爱国卫生运动，效果明显。", "农民负担问题有所缓解。", "兴修水利取得成效。",
                    "扫盲运动进展顺利。", "粮食生产获得丰收。", "个体工商户增加较多。", "植树造林面积扩大。", "集市贸易活跃。",
                    "社队企业产值上升。", "计划生育工作有所加强。"]))
        if c.chance(0.4):
            c.person()
            c.t(c.pick(["同志介绍了经验。", "书记作了部署。", "同志汇报了情况。", "主任提出了意见。", "同志在会上发言。", "同志带队检查。"]))
        c.t("\n")
    filler(c)
    if c.chance(0.25):
        _incidental_private(c)


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


def border_incident(c: Ctx) -> None:
    """边境/涉外事件报告: foreign relations -> PUBLIC_SECURITY."""
    c.doc.fact("public_security")
    body = c.org_str(c.rng.choice(["gov", "party"]))
    c.meta["creator"] = body
    c.meta["title"] = c.pick(["关于边境事件的报告", "关于外轮事件的处理情况", "关于一起涉外纠纷的报告"])
    c.secret_header(0.5, 0.4)
    c.t(c.meta["title"] + "\n")
    c.org(name=c.rng.choice(["外交部", "国务院", "公安部", body]))
    c.t("：\n")
    c.date_text()
    c.t("，" + c.rng.choice(["", "一艘"]) )
    c.loc(c.rng.choice(["越南", "苏联", "蒙古", "朝鲜", "印度", "日本", "菲律宾"]))
    c.t(c.rng.choice(["渔船在", "边防人员在", "籍船员在"]))
    c.loc(depth=c.rng.choice([2, 3]))
    c.t(c.rng.choice(["附近海域", "边境一带", "港口"]) + c.rng.choice(["与我方发生冲突。", "越界活动。", "被我方扣留。"]))
    c.t("我方" + c.pick(["渔民", "民兵", "边防战士"]))
    c.person()
    c.t(c.rng.choice(["受伤。", "参与处置。", "目击了经过。", "被对方扣押。"]) + c.pick(["此事涉及两国关系，", "该事件涉及对外关系，", "事关外交大局，", "此事政策性强，", "事涉邻国，", "此案涉外，"]))
    c.t(c.pick(["请示如何交涉。", "对外口径须统一。", "请速示处理意见。", "不得对外扩散。", "请外事部门研究。", "应慎重处理。"]) + "\n")
    c.org(name=body)
    c.t("\n")


# ============================================================================ openable variants of closed-looking genres
FILLER = [
    "各单位要认真贯彻执行，确保各项工作落到实处。", "请结合本地实际，认真研究，抓好落实。", "以上意见妥否，请批示。",
    "特此报告。", "望各单位互相转告。", "会议强调，要加强领导，明确责任。", "现将有关情况汇报如下。", "此件请存档备查。",
    "附件：有关材料一份。", "对工作中出现的新问题，要及时请示报告。", "当前农业生产形势较好，但仍需防范自然灾害。",
    "要注意勤俭节约，反对铺张浪费。", "请于本月底前将执行情况书面报告。", "以上情况，供领导参阅。", "抄送：有关部门。",
    "经研究，同意你们的意见。", "要切实做好群众的思想工作。", "此复。", "本通知自发布之日起执行。", "请各地及时总结经验。",
]


ERA_FILLER = {
    1950: ["要认真贯彻总路线，搞好增产节约。", "各地要做好土地改革后的生产恢复工作。", "要积极完成统购统销任务。", "互助合作运动要稳步推进。"],
    1958: ["要鼓足干劲，力争上游。", "公共食堂要办好，保证社员吃饱吃好。", "要贯彻调整、巩固、充实、提高的方针。", "各公社要搞好秋收秋种。"],
    1966: ["要抓革命，促生产。", "各单位要搞好斗批改。", "要坚持农业学大寨。", "要认真组织学习有关文件。"],
    1978: ["要解放思想，实事求是。", "要认真落实家庭联产承包责任制。", "要把工作重点转移到经济建设上来。", "要做好落实政策工作。"],
    1985: ["要深化经济体制改革。", "要进一步搞活企业。", "要加强社会治安综合治理。", "要认真开展普法教育。"],
    1992: ["要抓住机遇，加快发展。", "要建立社会主义市场经济体制。", "要减轻农民负担。", "要做好国有企业改革工作。"],
    2000: ["要实施西部大开发战略。", "要加强依法行政。", "要推进政务公开。", "要做好安全生产工作。"],
}
PETITION_FILLER = ["恳请领导为民做主。", "此事已反映多次，至今未得到解决。", "望早日答复为盼。", "以上情况属实，如有不实，愿负责任。",
                   "我家生活十分困难。", "请求上级派人调查处理。"]


def filler(c: Ctx, k: int | None = None, pool: list[str] | None = None) -> None:
    """Entity-free boiler-plate sentences (general, era-typical or genre-typical), so documents are
    not all entities and template boundaries blur."""
    era = max(y for y in ERA_FILLER if y <= max(c.year, 1950))
    for _ in range(c.rng.randrange(0, 3) if k is None else k):
        r = c.rng.random()
        c.t(c.pick(pool) if pool and r < 0.6 else c.rng.choice(ERA_FILLER[era]) if r < 0.35 else c.pick(FILLER))


def appointment_notice(c: Ctx) -> None:
    """任免通知: officials in their official capacity -> OPEN (GUIDELINES rule 1)."""
    c.doc.fact("public_facing")
    body = c.org_str(c.rng.choice(["party", "gov"]))
    c.meta["creator"] = body
    c.meta["title"] = c.pick(["关于同志任职的通知", "干部任免通知", "关于任免干部的决定", "任职通知"])
    c.org(name=body)
    c.t("\n")
    c.doc_number_line()
    c.t(c.meta["title"] + "\n")
    c.org(c.rng.choice(["gov", "town", "factory", "school"]))
    c.t("：\n" + c.pick(["经研究决定：", "经党委研究，决定：", "根据工作需要，经研究决定："]) + "\n")
    for _ in range(c.rng.randrange(1, 5)):
        c.person()
        c.t(c.rng.choice(["同志任", "任", "同志兼任"]))
        c.org(c.rng.choice(["gov", "town", "factory", "school", "hospital"]))
        c.t(c.rng.choice(["局长", "副局长", "主任", "厂长", "副厂长", "校长", "院长", "书记"]) + c.rng.choice(["；", "，免去其原职务；", "（试用期一年）；"]) + "\n")
    filler(c, 1)
    c.t("\n")
    c.org(name=body)
    c.t("\n")
    c.date_text()


def cadre_publicity_test(c: Ctx) -> None:
    """HELD OUT: 干部任前公示 with a public complaints line."""
    c.doc.fact("public_facing")
    body = "中共" + (c.place.city or c.place.area) + "委员会组织部"
    c.meta["creator"] = body
    c.meta["title"] = c.pick(["干部任前公示", "拟任干部公示", "领导干部任前公示通告"])
    c.t(c.meta["title"] + "\n" + c.pick(["根据干部任用有关规定，现将拟任人选公示如下：", "经考察，拟提拔以下同志，现予公示："]) + "\n")
    for _ in range(c.rng.randrange(1, 4)):
        c.person()
        c.t("，" + c.rng.choice(["男", "女"]) + "，")
        c.date_text(_birth(c, 30, 55), "ym")
        c.t("生，")
        c.origin()
        c.t("人，现任")
        c.org(c.rng.choice(["gov", "town", "school"]))
        c.t(c.rng.choice(["副局长", "科长", "副主任"]) + "，拟任" + c.rng.choice(["局长", "主任", "镇长"]) + "。\n")
    c.t("公示期间，" + c.pick(["如有意见，请向", "群众可来电来信向"]))
    c.org(name=body)
    c.t("反映。")
    c.phone(private=False, word=c.pick(["举报电话", "电话", "受理电话"]))
    c.t("。\n")
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


# ============================================================================ more held-out templates
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


# ============================================================================ registry
TEMPLATES: tuple[Template, ...] = (
    Template("personnel_form", "personnel", "train", personnel_form, weight=1.2),
    Template("personnel_narrative", "personnel", "train", personnel_narrative),
    Template("personnel_review", "personnel", "test", personnel_review_test),
    Template("household_register", "household", "train", household_register, (1955, 2005)),
    Template("household_migration", "household", "train", household_migration, (1958, 2005)),
    Template("household_census", "household", "test", household_test, (1982, 2005)),
    Template("court_judgment", "court", "train", court_judgment, (1979, 2005)),
    Template("court_admin_penalty", "court", "test", court_ruling_test, (1958, 2005)),
    Template("medical_record", "medical", "train", medical_record),
    Template("injury_appraisal", "medical", "train", injury_appraisal, (1960, 2005)),
    Template("medical_procedure", "medical", "test", medical_test, (1972, 2005)),
    Template("petition_letter", "petition", "train", petition_letter, (1978, 2005)),
    Template("petition_reply", "petition", "test", petition_register_test, (1980, 2005)),
    Template("meeting_minutes", "minutes", "train", meeting_minutes, weight=1.3),
    Template("meeting_briefing", "minutes", "test", meeting_test),
    Template("contract_companies", "contract", "train", contract_companies, (1980, 2005)),
    Template("contract_individual", "contract", "train", contract_individual, (1982, 2005)),
    Template("contract_agreement", "contract", "test", contract_test, (1985, 2005)),
    Template("public_notice", "public", "train", public_notice, weight=1.2),
    Template("statistics_report", "public", "train", statistics_report),
    Template("work_report", "public", "train", work_report),
    Template("commendation", "public", "train", commendation),
    Template("public_consultation", "public", "test", public_test, (1985, 2005)),
    Template("secret_directive", "secret", "train", secret_directive, weight=1.3),
    Template("secret_telegram", "secret", "test", secret_test),
    Template("commercial_core", "commercial", "train", commercial_core, (1980, 2005)),
    Template("commercial_costing", "commercial", "test", commercial_test, (1985, 2005)),
    Template("foreign_ethnic", "security", "train", foreign_ethnic),
    Template("foreign_affairs_brief", "security", "test", security_test),
    Template("minutes_verbatim", "minutes", "train", minutes_verbatim),
    Template("petition_visit_form", "petition", "train", petition_visit_form, (1978, 2005)),
    Template("internal_compilation", "secret", "train", internal_compilation, (1956, 2005)),
    Template("price_quotation", "commercial", "train", price_quotation, (1980, 2005)),
    Template("border_incident", "security", "train", border_incident),
    Template("appointment_notice", "personnel", "train", appointment_notice, weight=0.8),
    Template("cadre_publicity", "personnel", "test", cadre_publicity_test, (1985, 2005), weight=0.7),
    Template("product_catalogue", "commercial", "train", product_catalogue, (1980, 2005), weight=0.8),
    Template("civil_mediation", "court", "test", civil_mediation_test, (1980, 2005), weight=0.7),
    Template("forensic_appraisal", "medical", "test", forensic_test, (1985, 2005), weight=0.7),
    Template("birth_death_register", "household", "test", birth_death_test, (1955, 2005), weight=0.7),
)
