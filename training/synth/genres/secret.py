"""Secret-marked documents, with and without declassification notes."""
from __future__ import annotations

from datetime import date

from training.synth import values as v
from training.synth.fragments import Ctx
from training.synth.genres.common import _incidental_private, filler


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
    c.t(c.pick(["：\n", "：", "：\n"]) + c.pick(["现将", "根据上级指示，", "为做好保密工作，"]))
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
                    f"  {y}年经鉴定已解密", "，已自行解密。", f"（{y}年解密）"]))
    c.t("\n")
    c.date_text()


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
