"""Cached loaders for the gazetteers in ../shared/datasets (read-only, never copied into the repo).

The synthetic generator (training.synth) and feature code draw names, places, organisations and
medical/legal vocabulary from these lists, so that synthetic documents use real surnames, real and
geographically consistent administrative divisions, and real charge names instead of a handful of
hand-written examples a model could memorise.

Where the data lives: ``$KAIFANG_SHARED_DATASETS`` if set, else ``<repo>/../shared/datasets``.
Every loader is ``functools.cache``d: the lists are read once per process.
"""
from __future__ import annotations

import csv
import os
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

_REPO_ROOT = Path(__file__).resolve().parents[1]


class GazetteerMissing(FileNotFoundError):
    """A shared dataset file is not where the project expects it."""


def shared_datasets_dir() -> Path:
    """The folder holding the shared datasets (see module docstring)."""
    env = os.environ.get("KAIFANG_SHARED_DATASETS")
    return Path(env) if env else _REPO_ROOT.parent / "shared" / "datasets"


def dataset_path(*parts: str) -> Path:
    """Path of one shared dataset file; fails with a clear message when it is absent."""
    path = shared_datasets_dir().joinpath(*parts)
    if not path.exists():
        raise GazetteerMissing(
            f"shared dataset file not found: {path} (set KAIFANG_SHARED_DATASETS to the folder "
            f"that holds cluener2020/, cn_admin_divisions/, ...)"
        )
    return path


# --------------------------------------------------------------------------- person names
@cache
def surnames() -> tuple[tuple[str, ...], tuple[float, ...]]:
    """(surnames, weights) from surnames_1k.tsv; weights are the corpus tf scores (> 0)."""
    names: list[str] = []
    weights: list[float] = []
    with dataset_path("cn_person_names", "surnames_1k.tsv").open(encoding="utf-8") as fh:
        for row in csv.DictReader(fh, delimiter="\t"):
            s = row["surname"].strip()
            if not s or not _is_cjk(s):
                continue
            names.append(s)
            try:
                weights.append(max(float(row["tf"]), 0.5))
            except (TypeError, ValueError):
                weights.append(0.5)
    return tuple(names), tuple(weights)


@cache
def compound_surnames() -> tuple[str, ...]:
    """The two-character surnames (欧阳, 端木, ...)."""
    return tuple(s for s in surnames()[0] if len(s) == 2)


@cache
def historical_names() -> tuple[str, ...]:
    """Historical figures' names (Simplified-only entries of ancient_names_25w.txt, 2-4 chars).

    Two thirds of the source list contain Traditional characters; those are skipped rather than
    converted (no converter is a dependency): a name is kept when it encodes in GB 2312, the
    Simplified character set, which no Traditional-only character is part of.
    """
    out = []
    with dataset_path("cn_person_names", "ancient_names_25w.txt").open(encoding="utf-8") as fh:
        for line in fh:
            n = line.strip()
            if 2 <= len(n) <= 4 and _is_cjk(n) and _is_simplified(n) and not n.endswith(
                ("和尚", "禪師", "禅师", "居士", "法師", "法师", "上人", "道人")
            ):
                out.append(n)
    return tuple(out)


# --------------------------------------------------------------------------- divisions
@dataclass(frozen=True, slots=True)
class Division:
    """One administrative unit with its code and its parents' names (geographically consistent)."""

    code: str
    name: str
    province: str
    city: str  # "" for units directly under a municipality's 市辖区 placeholder
    area: str  # county-level name ("" above county level)


_PLACEHOLDERS = {"市辖区", "县", "省直辖县级行政区划", "自治区直辖县级行政区划"}


@cache
def provinces() -> dict[str, str]:
    """code (2 digits) -> province name."""
    with dataset_path("cn_admin_divisions", "provinces.csv").open(encoding="utf-8") as fh:
        return {r["code"]: r["name"] for r in csv.DictReader(fh)}


@cache
def cities() -> dict[str, tuple[str, str]]:
    """code (4 digits) -> (city name or "" for placeholders, province code)."""
    out = {}
    with dataset_path("cn_admin_divisions", "cities.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            name = "" if r["name"] in _PLACEHOLDERS else r["name"]
            out[r["code"]] = (name, r["provinceCode"])
    return out


@cache
def areas() -> tuple[Division, ...]:
    """County-level units (区/县/县级市/旗) with their province and city names."""
    prov, cit = provinces(), cities()
    out = []
    with dataset_path("cn_admin_divisions", "areas.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            if r["name"] in _PLACEHOLDERS:
                continue
            city = cit.get(r["cityCode"], ("", ""))[0]
            out.append(Division(r["code"], r["name"], prov[r["provinceCode"]], city, r["name"]))
    return tuple(out)


@cache
def streets_by_area() -> dict[str, tuple[str, ...]]:
    """County code (6 digits) -> township-level names under it (街道/镇/乡...).

    308 source rows repeat their county's name (端州区城东街道 under 端州区); the prefix is dropped so
    that a chain reads 端州区城东街道, not 端州区端州区城东街道.
    """
    county = {a.code: a.name for a in areas()}
    out: dict[str, list[str]] = {}
    with dataset_path("cn_admin_divisions", "streets.csv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh):
            name = r["name"]
            if name in _PLACEHOLDERS or not _is_cjk(name):
                continue
            prefix = county.get(r["areaCode"], "")
            if prefix and name.startswith(prefix) and len(name) - len(prefix) >= 2:
                name = name[len(prefix):]
            out.setdefault(r["areaCode"], []).append(name)
    return {k: tuple(v) for k, v in out.items()}


@cache
def area_codes() -> frozenset[str]:
    """All 6-digit county codes (for resident-ID address codes)."""
    return frozenset(a.code for a in areas())


# --------------------------------------------------------------------------- organisations
@cache
def company_short_names() -> tuple[str, ...]:
    """Company short forms/trade names (2-4 chars, CJK only) from Company-Names-Corpus."""
    out = []
    with dataset_path("cn_company_short_names", "company_short_forms_28w.txt").open(encoding="utf-8") as fh:
        for line in fh:
            w = line.strip()
            if 2 <= len(w) <= 4 and _is_cjk(w):
                out.append(w)
    return tuple(out)


# --------------------------------------------------------------------------- lexicons
_DISEASE_END = re.compile(
    r"(病|症|炎|癌|瘤|综合征|骨折|损伤|结核|梗死|梗塞|出血|硬化|衰竭|畸形|中毒|麻痹|瘫痪|溃疡|结石|贫血|白血病|痴呆|障碍|狭窄|脱位|增生|囊肿)$"
)
_DISEASE_STOP = {"疾病", "病症", "炎症", "症状", "发病", "病情", "重症", "癌症", "肿瘤", "急症", "病毒", "毛病", "职业病", "传染病", "慢性病", "常见病", "多发病", "并发症", "后遗症", "适应症", "禁忌症", "皮肤病", "妇科病", "精神病", "心脏病"}


@cache
def medical_terms() -> tuple[str, ...]:
    """All THUOCL medical words (broad vocabulary: diseases, drugs, anatomy, general words)."""
    return tuple(_read_thuocl("THUOCL_medical.txt"))


@cache
def disease_terms() -> tuple[str, ...]:
    """Diagnosis-like THUOCL medical words (ending in 病/症/炎/癌/骨折...), 3-8 chars, DF >= 50."""
    out = []
    for word, df in _read_thuocl_df("THUOCL_medical.txt"):
        if 3 <= len(word) <= 8 and df >= 50 and _is_cjk(word) and _DISEASE_END.search(word) and word not in _DISEASE_STOP:
            out.append(word)
    return tuple(out)


@cache
def law_terms() -> tuple[str, ...]:
    """THUOCL law vocabulary (legal/economic terms)."""
    return tuple(_read_thuocl("THUOCL_law.txt"))


@cache
def place_terms() -> tuple[str, ...]:
    """THUOCL place names (diming); mixes proper names and generic place nouns."""
    return tuple(_read_thuocl("THUOCL_diming.txt"))


@cache
def famous_people() -> tuple[str, ...]:
    """THUOCL historical and contemporary famous people (lishimingren), CJK only, 2-4 chars."""
    return tuple(w for w in _read_thuocl("THUOCL_lishimingren.txt") if 2 <= len(w) <= 4 and _is_cjk(w))


@cache
def criminal_charges(current_only: bool = False) -> tuple[str, ...]:
    """Criminal charge names (盗窃罪, 故意伤害罪, ...) from criminal_charge_names.tsv."""
    out = []
    with dataset_path("lawrefbook_cn_laws", "criminal_charge_names.tsv").open(encoding="utf-8") as fh:
        for r in csv.DictReader(fh, delimiter="\t"):
            c = (r.get("charge") or "").strip()
            if not c or not c.endswith("罪") or not _is_cjk(c) or len(c) > 16:
                continue
            if current_only and r.get("status") != "current":
                continue
            out.append(c)
    return tuple(dict.fromkeys(out))


# --------------------------------------------------------------------------- helpers
_CJK = re.compile(r"^[\u3400-\u9fff\U00020000-\U0002ffff]+$")


def _is_cjk(s: str) -> bool:
    return bool(_CJK.match(s))


def _is_simplified(s: str) -> bool:
    try:
        s.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True


def _read_thuocl_df(name: str) -> list[tuple[str, int]]:
    out = []
    with dataset_path("thuocl_lexicons", name).open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            if not parts[0]:
                continue
            try:
                df = int(parts[1]) if len(parts) > 1 and parts[1] else 0
            except ValueError:
                df = 0
            out.append((parts[0].strip(), df))
    return out


def _read_thuocl(name: str) -> list[str]:
    return [w for w, _ in _read_thuocl_df(name)]
