"""Public-facing documents: notices, statistics, work reports, commendations, consultations."""
from __future__ import annotations

from training.synth import values as v
from training.synth.fragments import Ctx
from training.synth.genres.common import _incidental_private, filler


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
