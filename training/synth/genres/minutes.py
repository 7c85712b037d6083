"""Meeting minutes, verbatim records and briefings."""
from __future__ import annotations

from training.synth import values as v
from training.synth.fragments import Ctx
from training.synth.genres.common import filler


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
            c.person()
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
