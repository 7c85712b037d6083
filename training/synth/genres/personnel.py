"""Personnel files: 干部履历表, 自传, 政审/考察材料, 任免通知, 任前公示."""
from __future__ import annotations

from training.synth.fragments import Ctx
from training.synth.genres.common import _birth, _sex_ethnic, _origin, _work_history, filler


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
