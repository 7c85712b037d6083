"""Decision figures on real, hand-written and published text, side by side with a keyword baseline.

    .venv/bin/python benchmarks/decision_bench.py [--model models/default] [--cv 5]
        [--published 60] [--as-of 2026-12-03] [--json OUT]

Sets, each with the proposer fed the gold spans and the detector's spans (end to end):
  * ``devset_cv``: the hand-written development set, **cross-validated**: for each of ``--cv``
    folds a proposer is trained by the default recipe (``training.train_decision``: the other
    folds of the dev set, allowed published text, synthetic documents) and scores the held-out
    fold. This is the honest figure, since the shipped proposer was trained on the whole set;
  * ``devset_in_sample``: the shipped proposer on the whole dev set (optimistic: it saw them);
  * ``published``: ``--published`` seeded documents from each reserved published file (CCTV news
    2025, State Council regulations, Wikipedia passages), never used in training: the share
    proposed OPEN (every one is openable);
  * ``sample_collection``: the demo collection's gold file (``datasets/sample_collection``);
  * ``keyword_baseline`` on the dev set: CLOSED on a private-matter or secret word, OPEN
    otherwise (what a word list gets, for scale).
Metrics (``models.evaluation.decision_scores``, as ``kaifang evaluate``): accuracy, macro F1,
leak rate, open recall, over-closure, confusion.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from models.evaluation import decision_scores  # noqa: E402

DEVSET = ROOT / "datasets" / "devset" / "dev.jsonl"
SAMPLE_GOLD = ROOT / "datasets" / "sample_collection" / "gold.jsonl"
KEYWORDS = ("病历", "诊断", "判决", "处分", "拘留", "劳动教养", "户口", "身份证", "离婚", "机密", "秘密", "绝密",
            "内部资料", "住址", "病")


class CachedDetector:
    """A detector whose spans are computed once per text (the CV folds reuse them)."""

    def __init__(self, detector):
        self.detector, self.cache = detector, {}

    def detect_many(self, texts, batch_size: int = 32):
        todo = [t for t in dict.fromkeys(texts) if t not in self.cache]
        for t, spans in zip(todo, self.detector.detect_many(todo, batch_size=batch_size) if todo else []):
            self.cache[t] = list(spans)
        return [self.cache[t] for t in texts]

    def detect(self, text):
        return self.detect_many([text])[0]


def _read(path: Path) -> list[dict]:
    return [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()]


def score(proposer, records: list[dict], spans_list, as_of: date) -> dict:
    from models.decision import record_meta

    res = proposer.propose_many([r["text"] for r in records], spans_list,
                                [record_meta(r) for r in records], as_of=as_of)
    out = decision_scores([r["decision"] for r in records], [x.decision for x in res])
    out.pop("per_class", None)
    return out


def both_views(proposer, records, detector, as_of) -> dict:
    gold = [r.get("spans") or [] for r in records]
    det = detector.detect_many([r["text"] for r in records])
    return {"gold_spans": score(proposer, records, gold, as_of),
            "detected_spans": score(proposer, records, det, as_of)}


def cross_validate(dev: list[dict], detector, folds: int, seed: int, as_of: date,
                   published: int, synthetic: int) -> dict:
    """Train the default recipe on all but one fold of the dev set; score that fold."""
    from models.decision import DecisionProposer, record_meta
    from training.train_decision import RECIPE, recipe_records, train_proposer

    order = list(range(len(dev)))
    random.Random(seed).shuffle(order)
    # stratified by decision: every fold holds each decision in the set's proportions
    order.sort(key=lambda i: dev[i]["decision"])
    fold_of = {i: k % folds for k, i in enumerate(order)}
    extra = recipe_records(devset=None, synthetic=synthetic, published=published, seed=seed)
    pred_gold, pred_det = [None] * len(dev), [None] * len(dev)
    thresholds = []
    for f in range(folds):
        train = [dict(dev[i], source="devset", weight=RECIPE["devset_weight"])
                 for i in range(len(dev)) if fold_of[i] != f]
        test = [i for i in range(len(dev)) if fold_of[i] == f]
        with tempfile.TemporaryDirectory() as tmp:
            train_proposer(train + extra, Path(tmp) / "decision", seed=seed, span_source="both",
                           detector=detector, leak_target=RECIPE["leak_target"], as_of=as_of)
            prop = DecisionProposer.load(Path(tmp) / "decision")
        thresholds.append(prop.state.open_threshold)
        recs = [dev[i] for i in test]
        metas = [record_meta(r) for r in recs]
        g = prop.propose_many([r["text"] for r in recs], [r["spans"] for r in recs], metas, as_of=as_of)
        d = prop.propose_many([r["text"] for r in recs], detector.detect_many([r["text"] for r in recs]),
                              metas, as_of=as_of)
        for i, a, b in zip(test, g, d):
            pred_gold[i], pred_det[i] = a.decision, b.decision
    gold = [r["decision"] for r in dev]
    out = {"folds": folds, "open_thresholds": thresholds,
           "gold_spans": decision_scores(gold, pred_gold),
           "detected_spans": decision_scores(gold, pred_det)}
    for v in ("gold_spans", "detected_spans"):
        out[v].pop("per_class", None)
    out["errors_detected_spans"] = [{"id": r["id"], "gold": r["decision"], "proposed": p}
                                    for r, p in zip(dev, pred_det) if p != r["decision"]]
    return out


def keyword_baseline(records: list[dict]) -> dict:
    pred = ["CLOSED" if any(k in r["text"] for k in KEYWORDS) else "OPEN" for r in records]
    out = decision_scores([r["decision"] for r in records], pred)
    out.pop("per_class", None)
    return out


def published_share(proposer, detector, per_file: int, seed: int, as_of: date) -> dict:
    from benchmarks.ner_bench import published_sample

    out = {}
    sample = published_sample(10**9, seed)  # every document, then take per_file of each
    for name, docs in sample.items():
        docs = docs[:per_file]
        res = proposer.propose_many([d["text"] for d in docs],
                                    detector.detect_many([d["text"] for d in docs]),
                                    [{} for _ in docs], as_of=as_of)
        opened = sum(x.decision == "OPEN" for x in res)
        out[name] = {"documents": len(docs), "proposed_open": opened,
                     "share_open": round(opened / len(docs), 4) if docs else None,
                     "not_open_examples": [{"id": d["id"], "decision": x.decision,
                                            "reasons": x.reasons, "rules": x.fired_rules}
                                           for d, x in zip(docs, res) if x.decision != "OPEN"][:8]}
    total = sum(v["documents"] for v in out.values())
    out["all"] = {"documents": total,
                  "share_open": round(sum(v["proposed_open"] for v in out.values()) / total, 4)}
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=ROOT / "models" / "default",
                    help="model version (its ner/ detects, its decision/ proposes)")
    ap.add_argument("--cv", type=int, default=5, help="dev-set folds (0: skip cross-validation)")
    ap.add_argument("--published", type=int, default=60, help="documents per reserved published file")
    ap.add_argument("--cv-published", type=int, default=None, help="published docs in each CV training run")
    ap.add_argument("--cv-synthetic", type=int, default=None, help="synthetic docs in each CV training run")
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--as-of", default=None, help="review date (default: today)")
    ap.add_argument("--json", type=Path, default=None)
    args = ap.parse_args(argv)
    if args.cv == 1 or args.cv < 0 or args.published < 0:
        ap.error("--cv must be 0 or >= 2 and --published >= 0")
    from models.decision import DecisionProposer
    from models.pipeline import Detector
    from training.train_decision import RECIPE

    as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    t0 = time.perf_counter()
    detector = CachedDetector(Detector.load(args.model))
    proposer = DecisionProposer.load(args.model)
    dev = _read(DEVSET)
    report: dict = {"model": str(args.model), "proposer": proposer.version,
                    "rulebook": proposer.rulebook_version, "as_of": as_of.isoformat(),
                    "open_threshold": proposer.state.open_threshold, "devset_documents": len(dev)}
    if args.cv:
        report["devset_cv"] = cross_validate(
            dev, detector, args.cv, args.seed, as_of,
            RECIPE["published"] if args.cv_published is None else args.cv_published,
            RECIPE["synthetic"] if args.cv_synthetic is None else args.cv_synthetic)
    report["devset_in_sample"] = both_views(proposer, dev, detector, as_of)
    report["keyword_baseline_devset"] = keyword_baseline(dev)
    if args.published:
        report["published"] = published_share(proposer, detector, args.published, args.seed, as_of)
    if SAMPLE_GOLD.is_file():
        report["sample_collection"] = both_views(proposer, _read(SAMPLE_GOLD), detector, as_of)
    report["seconds"] = round(time.perf_counter() - t0, 1)
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(text, encoding="utf-8")
    print(summary(report))
    return 0


def summary(report: dict) -> str:
    def line(name: str, m: dict) -> str:
        return (f"{name:<34} acc {m['accuracy']:.3f}  macroF1 {m['macro_f1']:.3f}  leak "
                f"{m['leak_rate']}  open_recall {m['open_recall']}  over_closure "
                f"{m['over_closure_rate']}  (n={m['documents']})")

    out = [f"proposer {report['proposer']} ({report['rulebook']}), as of {report['as_of']}"]
    if "devset_cv" in report:
        cv = report["devset_cv"]
        out.append(line("dev set, CV, detected spans", cv["detected_spans"]))
        out.append(line("dev set, CV, gold spans", cv["gold_spans"]))
    out.append(line("dev set, in-sample, detected", report["devset_in_sample"]["detected_spans"]))
    out.append(line("dev set, in-sample, gold spans", report["devset_in_sample"]["gold_spans"]))
    out.append(line("dev set, keyword baseline", report["keyword_baseline_devset"]))
    if "sample_collection" in report:
        out.append(line("sample collection, detected", report["sample_collection"]["detected_spans"]))
    if "published" in report:
        p = report["published"]
        out.append("published (reserved files), share proposed OPEN: " + ", ".join(
            f"{k} {v['share_open']} ({v.get('proposed_open', '')}/{v['documents']})"
            for k, v in p.items()))
    out.append(f"({report['seconds']} s)")
    return "\n".join(out)


if __name__ == "__main__":
    raise SystemExit(main())
