"""Sentence-level fragments shared by the genre templates, with their span conventions built in.

Each helper writes one piece of a document through ``Doc`` so that the annotation conventions of
GUIDELINES hold by construction: the label word stays outside PHONE/ID spans, an organisation's
street address is LOC while a person's is ADDRESS, HEALTH and LEGAL_RECORD spans are the minimal
phrase with its verb, anonymised references (陈某某, 其丈夫) are never PERSON.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date

from faker import Faker

from training.synth import values as v
from training.synth.builder import Doc


@dataclass
class Ctx:
    """Everything a template needs for one document: builder, randomness, era and places."""

    doc: Doc
    rng: random.Random
    faker: Faker
    year: int
    date: date
    place: v.Place
    names: v.NameMaker
    meta: dict = field(default_factory=dict)
    mark_periods: list[int] = field(default_factory=list)
    #: share of ID numbers in a hard surface form; the held-out test split is harder on purpose
    hard: float = 0.3

    # -- plumbing ---------------------------------------------------------------------------
    def t(self, s: str) -> "Ctx":
        self.doc.t(s)
        return self

    def pick(self, variants: list):
        return self.doc.pick(variants)

    def chance(self, p: float) -> bool:
        return self.rng.random() < p

    def sep(self) -> "Ctx":
        """A field separator inside a form line."""
        return self.t(self.rng.choice(["，", "；", "  ", "　", "\n", "，"]))

    def colon(self) -> str:
        return self.rng.choice(["：", "：", ":", " "])

    # -- entities -----------------------------------------------------------------------------
    def person(self, name: str | None = None) -> str:
        if name is None:
            name = self.names.full(self.year)
            if len(name) == 2 and self.chance(0.05):
                name = name[0] + "　" + name[1]  # 林　岚: padded in forms, one span
        self.doc.e(name, "PERSON")
        return name

    def loc(self, s: str | None = None, depth: int | None = None) -> str:
        s = s or self.place.chain(self.rng, depth)
        self.doc.e(s, "LOC", private=False)
        return s

    def origin(self) -> str:
        """Native place (籍贯, ……人): an admin chain, sometimes down to the village — one LOC."""
        s = self.place.chain(self.rng, self.rng.choice([2, 3]))
        if self.place.town and self.chance(0.3):
            base = self.place.town if self.chance(0.5) else self.place.area + self.place.town
            s = base + self.rng.choice(v.VILLAGE_BASES) + "村"
        return self.loc(s)

    def org_str(self, kind: str | None = None) -> str:
        """An organisation name of this document's place and era (not written)."""
        return v.org_name(self.rng, self.place, kind, self.year)

    def org(self, kind: str | None = None, name: str | None = None) -> str:
        name = name or self.org_str(kind)
        self.doc.e(name, "ORG", private=False)
        return name

    def id_number(self, birth: date | None = None, private: bool = True, label: bool = True) -> str:
        birth = birth or v.random_date(self.rng, self.rng.randrange(max(1900, self.year - 70), self.year - 16))
        text, kind = v.id_surface(self.rng, birth, self.place.area_code if self.chance(0.6) else None, hard=self.hard)
        if label or kind in ("wrongcheck", "legacy15", "passport", "officer", "permit"):
            word = {"passport": ["护照号码", "护照号", "护照"], "officer": ["军官证", "军官证号"],
                    "permit": ["回乡证号", "港澳居民来往内地通行证", "回乡证号码"]}.get(
                kind, ["身份证号", "身份证号码", "公民身份号码", "身份证", "居民身份证号码", "身份证号码为"])
            self.t(self.pick(word) + self.colon() if kind not in ("officer",) else self.pick(word) + "：")
        self.doc.e(text, "ID_NUMBER", private)
        return text

    def phone(self, private: bool = True, word: str | None = None) -> str:
        num, kind_word = v.phone_for_year(self.rng, self.year, private)
        self.t((word or kind_word) + self.colon())
        self.doc.e(num, "PHONE", private)
        return num

    def email(self, private: bool = True) -> str:
        e = v.email(self.rng, self.faker) if private else v.org_email(self.rng, self.faker)
        self.t(self.pick(["电子邮箱", "E-mail", "邮箱", "电子信箱", "Email"]) + self.colon())
        self.doc.e(e, "EMAIL", private)
        return e

    def bank(self, private: bool = True) -> str:
        if private and self.year >= 1990 and self.chance(0.7):
            num, _ = v.bank_card(self.rng)
            word = self.pick(["银行卡号", "工资卡号", "卡号", "开户账号", "存折账号"])
        else:
            num = v.passbook_account(self.rng) if self.chance(0.6) else v.bank_card(self.rng)[0]
            word = self.pick(["账号", "帐号", "存折号", "开户账号", "银行账号"])
        if self.chance(0.5):
            self.t("开户行" + self.colon() + self.rng.choice(v.BANKS) + self.rng.choice(["", self.place.area + "支行", "营业部"]) + "，")
        self.t(word + self.colon())
        self.doc.e(num, "BANK_ACCOUNT", private)
        return num

    def home_address(self, word: bool = True) -> str:
        a = v.street_address(self.rng, self.place, self.year)
        if self.chance(0.04) and len(a) > 8:  # OCR: a line break inside the span
            cut = self.rng.randrange(3, len(a) - 2)
            a = a[:cut] + "\n" + a[cut:]
        if word:
            self.t(self.pick(["家庭住址", "住址", "现住址", "家住", "户籍地址", "通讯地址", "住", "居住地址"]) + self.colon())
        self.doc.e(a, "ADDRESS", True)
        return a

    def org_address(self) -> str:
        """An organisation's street address: LOC, not ADDRESS (GUIDELINES)."""
        road = self.rng.choice(v.ROAD_BASES) + self.rng.choice(v.ROAD_SUFFIX) + f"{self.rng.randrange(1, 300)}号"
        a = self.place.chain(self.rng, self.rng.choice([2, 3])) + road
        self.t(self.pick(["地址", "单位地址", "通讯地址", "地址", "办公地址", "联系地址"]) + self.colon())
        self.doc.e(a, "LOC", private=False)
        if self.chance(0.5):
            opening = self.pick(["，邮编：", "  邮政编码：", "（邮编", "，邮编"])
            self.t(opening)
            self.doc.decoy(v.postal_code(self.rng), "postal_code")
            if opening.startswith("（"):
                self.t("）")
        return a

    def health(self) -> str:
        h = v.health_phrase(self.rng, self.doc.split)
        self.doc.e(h, "HEALTH", True)
        return h

    def legal(self, kind: str | None = None) -> str:
        s = v.legal_phrase(self.rng, kind)
        self.doc.e(s, "LEGAL_RECORD", True)
        return s

    def date_text(self, d: date | None = None, style: str | None = None) -> str:
        s = v.fmt_date(self.rng, d or self.date, style)
        self.t(s)
        return s

    # -- document furniture ----------------------------------------------------------------
    def secret_header(self, p: float, declass_p: float = 0.4) -> bool:
        """Maybe a classification marking at the top, maybe with a declassification note."""
        if not self.chance(p):
            return False
        mark, level, period = v.secret_mark(self.rng, self.year)
        self.meta["classification"] = level
        if period:
            self.mark_periods.append(period)
        if self.chance(0.3):
            self.t(self.pick(["密级：", "密级", "【密级】", "密 级："]))
        self.doc.e(mark, "SECRET_MARK", private=False)
        if self.chance(declass_p):
            dd = date(max(self.year + 1, min(2024, self.year + self.rng.randrange(5, 40))), self.rng.randrange(1, 13), self.rng.randrange(1, 28))
            self.t(self.rng.choice(["  ", "　", "\n", "（", " "]))
            note = v.declass_note(self.rng, dd)
            self.t(note)
            if self.doc.parts[-2] == "（":
                self.t("）")
            self.doc.fact("declassified")
        self.t("\n")
        return True

    def doc_number_line(self) -> None:
        self.doc.decoy(v.doc_number(self.rng, self.place, self.year), "doc_number")
        self.t("\n")

    def archive_line(self) -> None:
        """档号 / 全宗号 decoy line (never an ID)."""
        code = self.meta.get("reference_code") or v.reference_code(self.rng, self.year)
        self.t(self.pick(["档号：", "档号：", "档案号：", "全宗号-目录号-案卷号：", "档 号：", "归档号："]))
        self.doc.decoy(code, "reference_code")
        self.t("\n")

    def negative_phrase(self) -> None:
        """A sentence that LOOKS like HEALTH/LEGAL_RECORD/PERSON but is none (GUIDELINES): aggregate
        statistics, anonymous cases, counts of arrests, penalties on companies, anonymised names."""
        n = self.rng.randrange(2, 400)
        kind, s = self.rng.choice([
            ("aggregate_legal", f"全年依法刑事拘留{n}人，劳动教养{self.rng.randrange(1, 60)}人。"),
            ("aggregate_legal", f"共查处违法案件{n}起，行政拘留{self.rng.randrange(1, 90)}人次。"),
            ("company_penalty", f"对违规企业罚款{n}00元，责令停业整顿{self.rng.randrange(1, 9)}家。"),
            ("anonymous_health", f"发现一例疑似{self.rng.choice(['霍乱', '鼠疫', '伤寒', '麻疹'])}病例，已隔离治疗。"),
            ("anonymous_health", f"全年确诊{self.rng.choice(['肺结核', '肝炎', '血吸虫病', '麻风病'])}患者{n}人。"),
            ("aggregate_health", f"{self.rng.choice(['残疾人', '伤残军人', '精神病人'])}共{n}名，均已登记造册。"),
            ("anonymous_person", f"据村民陈某某反映，{self.rng.choice(['某厂', '某单位', '个别干部'])}存在违规问题。"),
            ("anonymous_person", f"其丈夫王某已于{self.year - self.rng.randrange(1, 9)}年外出，下落不明。"),
        ])
        self.doc.decoy(s, kind)

    def decoy_field(self, kind: str | None = None) -> None:
        """One number-like field that is no entity (GUIDELINES: not IDs, not phones)."""
        kind = kind or self.rng.choice(["postal", "invoice", "tax", "date8", "survey", "stat", "docno", "serial"])
        if kind == "postal":
            self.t(self.pick(["邮政编码：", "邮编：", "邮编 "]))
            self.doc.decoy(v.postal_code(self.rng), "postal_code")
        elif kind == "invoice":
            self.t(self.pick(["发票号码：", "发票号：", "收据编号：", "凭证号："]))
            self.doc.decoy(v.invoice_number(self.rng), "invoice_number")
        elif kind == "tax":
            self.t(self.pick(["税务登记号：", "税号：", "纳税人识别号：", "税务登记证号："]))
            self.doc.decoy(v.tax_number(self.rng, self.place), "tax_number")
        elif kind == "date8":
            self.t(self.pick(["登记日期：", "填表日期 ", "收文日期：", "批次号："]))
            d = v.random_date(self.rng, self.year)
            self.doc.decoy(f"{d:%Y%m%d}" + (f"{self.rng.randrange(1, 999):03d}" if self.chance(0.3) else ""), "date_number")
        elif kind == "survey":
            self.t(self.pick(["调查表编号：", "普查小区编码：", "问卷编号："]))
            self.doc.decoy(f"{self.place.area_code}{self.rng.randrange(10**5, 10**6)}", "survey_code")
        elif kind == "stat":
            self.t(self.pick(["全县总人口", "本年度共接待", "全市职工人数", "共计"]))
            self.doc.decoy(f"{self.rng.randrange(10**4, 10**7)}", "statistic")
            self.t(self.rng.choice(["人", "人次", "户"]))
        elif kind == "docno":
            self.t(self.pick(["文号：", "依据", "根据"]))
            self.doc.decoy(v.doc_number(self.rng, self.place, self.year), "doc_number")
        else:
            self.t(self.pick(["流水号：", "编号：", "登记号："]))
            self.doc.decoy(f"{self.year}{self.rng.randrange(10**5, 10**7)}", "serial_number")

    def signature(self, org: str | None = None) -> None:
        self.t("\n")
        if org:
            self.doc.e(org, "ORG", private=False)
        else:
            self.org("gov")
        self.t("\n")
        self.date_text()
        self.t("\n")
