"""Template type and helpers shared by the genre modules (dates of birth, work histories,
incidental personal details, filler sentences)."""
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
