"""Foreign-relations and ethnic/religious content (PUBLIC_SECURITY)."""
from __future__ import annotations

from training.synth.fragments import Ctx
from training.synth.genres.common import filler


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
