"""``generate_documents``: the synthetic archival corpus every helper trains and tests on.

Each document is drawn from a genre template of its split (``genres.TEMPLATES``), built through
``Doc`` (spans correct by construction), then decided by ``policy.decide`` from what it contains.
Deterministic per (seed, split, index): document i does not depend on how many were asked for,
so ``generate_documents(100, 7)`` is a prefix of ``generate_documents(1000, 7)``.
"""
from __future__ import annotations

import hashlib
import random
from datetime import date

from faker import Faker

from training.synth import values as v
from training.synth.builder import Doc
from training.synth.fragments import Ctx
from training.synth.genres import TEMPLATES, Template
from training.synth.policy import decide

SPLITS = ("train", "test")
#: share of documents filed with a second document (a dossier); its spans and facts join the policy
ATTACHMENT_RATE = 0.08
_CLASSIFICATION_RANK = {"": 0, "内部": 1, "秘密": 2, "机密": 3, "绝密": 4}


def templates_for(split: str) -> tuple[Template, ...]:
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return tuple(t for t in TEMPLATES if t.split == split)


def _doc_seed(seed: int, split: str, i: int) -> int:
    h = hashlib.sha256(f"kaifang-synth|{seed}|{split}|{i}".encode()).digest()
    return int.from_bytes(h[:8], "big")


_FAKERS: dict[int, Faker] = {}


def _faker(seed: int) -> Faker:
    f = _FAKERS.get(0)
    if f is None:
        f = _FAKERS[0] = Faker("zh_CN")
    f.seed_instance(seed)
    return f


def generate_document(seed: int, split: str, i: int) -> dict:
    """Document ``i`` of the (seed, split) stream, as a SCHEMA.md record."""
    rng = random.Random(_doc_seed(seed, split, i))
    pool = templates_for(split)
    tpl = rng.choices(pool, weights=[t.weight for t in pool], k=1)[0]
    for attempt in range(20):
        try:
            return _build(tpl, rng, seed, split, i)
        except _Retry:
            continue
    raise RuntimeError(f"template {tpl.name} failed 20 times for seed={seed} i={i}")


class _Retry(Exception):
    pass


def _build(tpl: Template, rng: random.Random, seed: int, split: str, i: int) -> dict:
    year = rng.randrange(tpl.years[0], tpl.years[1] + 1)
    d = v.random_date(rng, year)
    faker = _faker(rng.randrange(2**31))
    doc = Doc(rng=rng, split=split)
    ctx = Ctx(doc=doc, rng=rng, faker=faker, year=year, date=d, place=v.random_place(rng), names=v.NameMaker(rng, faker),
              hard=0.45 if split == "test" else 0.3)
    ctx.meta["reference_code"] = v.reference_code(rng, year)
    if rng.random() < 0.25:
        ctx.archive_line()
    tpl.build(ctx)
    attached: list[str] = []
    if rng.random() < ATTACHMENT_RATE:  # a dossier: a second document of the same split filed with it
        other = rng.choice([t for t in templates_for(split) if t.name != tpl.name])
        attached.append(other.name)
        keep = dict(ctx.meta)
        doc.t(rng.choice(["\n\n附件：\n", "\n\n附：\n", "\n————————\n", "\n\n（附件）\n", "\n\n"]))
        other.build(ctx)
        levels = [keep.get("classification", ""), ctx.meta.get("classification", "")]
        ctx.meta = keep
        ctx.meta["classification"] = max(levels, key=lambda c: _CLASSIFICATION_RANK.get(c, 0))
    if rng.random() < 0.3:  # a catalogue/registry footer with a number that is no entity
        doc.t(rng.choice(["\n", "\n\n", "\n（", "\n备注："]))
        ctx.decoy_field()
        if doc.parts[-3].endswith("（"):
            doc.t("）")
    if not ctx.meta.get("creator"):  # the fonds' creating body, as the catalogue records it
        ctx.meta["creator"] = ctx.org_str(rng.choice(["gov", "party", "town"]))
    text = doc.text
    if not text.strip():
        raise _Retry()
    decision = decide(doc.spans, doc.ranges, doc.facts, d, ctx.mark_periods)
    rec = {
        "id": f"synth-{split}-{seed}-{i:06d}",
        "text": text,
        "spans": [{"start": s.start, "end": s.end, "label": s.label} for s in doc.spans],
        "decision": decision.decision,
        "reasons": decision.reasons,
        "genre": tpl.genre,
        "template": tpl.name,
        "attached_templates": attached,
        "year": year,
        "title": ctx.meta.get("title", ""),
        "creator": ctx.meta.get("creator", ""),
        "date": _catalogue_date(rng, d),
        "reference_code": ctx.meta["reference_code"],
        "classification": ctx.meta.get("classification", ""),
        # numbers that look sensitive but are no entity (档号, 文号, postal codes ...): never labelled
        "decoys": [{"start": a, "end": b, "kind": k} for a, b, k in doc.decoys],
    }
    if decision.closure:
        rec["closure"] = decision.closure
    if decision.review_after:
        rec["review_after"] = decision.review_after
    if decision.decision == "OPEN_REDACTED":
        rec["redact"] = decision.redact
    return rec


def _catalogue_date(rng: random.Random, d: date) -> str:
    """ISO date, sometimes only year-month or year as catalogued."""
    r = rng.random()
    if r < 0.75:
        return d.isoformat()
    if r < 0.9:
        return f"{d.year:04d}-{d.month:02d}"
    return f"{d.year:04d}"


def generate_documents(n: int, seed: int, split: str = "train") -> list[dict]:
    """``n`` synthetic SCHEMA.md records of ``split`` ("train": training templates; "test": held-out
    templates only), deterministic per ``seed``."""
    if not isinstance(n, int) or n < 0:
        raise ValueError(f"n must be a non-negative int, got {n!r}")
    if split not in SPLITS:
        raise ValueError(f"split must be one of {SPLITS}, got {split!r}")
    return [generate_document(seed, split, i) for i in range(n)]
