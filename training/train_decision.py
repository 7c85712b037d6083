"""Train the decision proposer: ``train_proposer(records, out_dir, seed) -> metrics``.

Steps (all seeded, so the same records and seed give the same artifact):

1. Clean the records (SCHEMA records with ``text``, ``spans``, ``decision``; catalogue fields at
   top level or under ``meta``). Records without a gold decision are skipped and counted.
2. Spans for the features: the gold spans, the detector's spans (what the model will see when
   serving), or both (each document twice). ``span_source="auto"`` uses the detector when one is
   given or can be loaded from the sibling ``ner/`` (retraining) and otherwise the gold spans.
3. A stratified validation split (``val_fraction``): the model is fitted on the rest, and the
   OPEN threshold is tuned on the validation documents AFTER the policy floor: the lowest
   P(OPEN) threshold whose leak rate is <= ``leak_target``, best accuracy among those.
4. The model is refitted on all documents with that threshold and saved to ``out_dir`` (the
   ``decision/`` directory of a model version), pickle-free.

Run the default build (documented in models/default/decision/README.md):
    .venv/bin/python -m training.train_decision --out models/default/decision --n 1200 --seed 7
"""
from __future__ import annotations

import argparse
import json
import logging
import random
import sys
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from models.decision import (
    DecisionModelState,
    DecisionProposer,
    FeatureConfig,
    FeatureSpace,
    LinearState,
    calibration_metrics,
    coerce_spans,
    decision_metrics,
    new_version_name,
    record_meta,
)
from models.policy import CLOSURES, DECISIONS, REASONS, Policy, more_restrictive
from models.spans import Span

log = logging.getLogger("kaifang.train_decision")
SPAN_SOURCES = ("auto", "gold", "detector", "both")


@dataclass
class Row:
    """One training document as the model sees it."""

    id: str
    text: str
    spans: list[Span]
    meta: dict
    decision: str
    reasons: list[str]
    closure: str | None


def clean_records(records: Iterable[Mapping[str, Any]]) -> tuple[list[Row], int]:
    """Rows for every record with a valid decision; returns (rows, skipped count)."""
    rows: list[Row] = []
    skipped = 0
    for i, r in enumerate(records):
        if not isinstance(r, Mapping):
            raise TypeError(f"record #{i} is not a mapping")
        text = r.get("text")
        if not isinstance(text, str) or r.get("decision") not in DECISIONS:
            skipped += 1
            continue
        spans = [s for s in coerce_spans(r.get("spans") or []) if s.end <= len(text)]
        reasons = [x for x in (r.get("reasons") or []) if x in REASONS]
        closure = r.get("closure") if r.get("closure") in CLOSURES else None
        rows.append(Row(str(r.get("id", i)), text, spans, record_meta(r), r["decision"], reasons, closure))
    return rows, skipped


def stratified_split(rows: Sequence[Row], fraction: float, seed: int) -> tuple[list[Row], list[Row]]:
    rng = random.Random(seed)
    train, val = [], []
    for d in DECISIONS:
        group = [r for r in rows if r.decision == d]
        rng.shuffle(group)
        k = int(round(len(group) * fraction))
        val += group[:k]
        train += group[k:]
    return train, val


def _constant_state(n_features: int, prior: float) -> LinearState:
    p = min(max(prior, 1e-3), 1 - 1e-3)
    return LinearState(np.zeros((1, n_features)), np.array([np.log(p / (1 - p))]))


def fit_model(rows: Sequence[Row], policy: Policy, config: FeatureConfig, *, C: float, seed: int,
              as_of: date, open_threshold: float = 0.5) -> tuple[FeatureSpace, DecisionModelState]:
    """Fit features, the temperature-calibrated decision model, reason and closure models."""
    from sklearn.calibration import CalibratedClassifierCV
    from sklearn.linear_model import LogisticRegression

    missing = [d for d in DECISIONS if not any(r.decision == d for r in rows)]
    if missing:
        raise ValueError(f"training data has no {missing} documents: every decision needs examples")
    fs = FeatureSpace(policy, config)
    counts, num, _ = fs.raw([r.text for r in rows], [r.spans for r in rows], [r.meta for r in rows], as_of)
    fs.fit(counts, num)
    X = fs.transform(counts, num)
    y = np.array([DECISIONS.index(r.decision) for r in rows])
    cv = int(min(5, np.bincount(y, minlength=3).min()))
    if cv < 2:
        raise ValueError("every decision needs at least 2 training documents for calibration")
    base = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed)
    cal = CalibratedClassifierCV(base, method="temperature", cv=cv, ensemble=False).fit(X, y)
    cc = cal.calibrated_classifiers_[0]
    est = cc.estimator
    if list(est.classes_) != [0, 1, 2]:
        raise RuntimeError(f"unexpected class order {est.classes_}")
    decision = LinearState(np.asarray(est.coef_, dtype=np.float64), np.asarray(est.intercept_, dtype=np.float64))
    beta = float(np.asarray(cc.calibrators[0].beta_))

    reasons: dict[str, LinearState] = {}
    restricted = [i for i, r in enumerate(rows) if r.decision != "OPEN"]
    Xr = X[restricted]
    for code in REASONS:
        yr = np.array([1 if code in rows[i].reasons else 0 for i in restricted])
        if len(yr) and 2 <= yr.sum() <= len(yr) - 2:
            lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed).fit(Xr, yr)
            reasons[code] = LinearState(np.asarray(lr.coef_, dtype=np.float64), np.asarray(lr.intercept_, dtype=np.float64))
        else:
            reasons[code] = _constant_state(X.shape[1], float(yr.mean()) if len(yr) else 0.0)
    closure = None
    closed = [i for i, r in enumerate(rows) if r.decision == "CLOSED" and r.closure]
    yc = np.array([1 if rows[i].closure == "DEFERRED" else 0 for i in closed])
    if len(yc) and 3 <= yc.sum() <= len(yc) - 3:
        lr = LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed).fit(X[closed], yc)
        closure = LinearState(np.asarray(lr.coef_, dtype=np.float64), np.asarray(lr.intercept_, dtype=np.float64))
    state = DecisionModelState(classes=DECISIONS, decision=decision, beta=beta, reasons=reasons,
                               closure=closure, open_threshold=open_threshold)
    ours, theirs = state.proba(X), cal.predict_proba(X)
    if not np.allclose(ours, theirs, atol=1e-8):
        raise RuntimeError("pickle-free probabilities differ from scikit-learn's: refusing to save")
    return fs, state


def policy_decisions(proba: np.ndarray, floors: Sequence[str], threshold: float) -> list[str]:
    """Model decision at ``threshold`` raised to each document's policy floor."""
    out = []
    for p, floor in zip(proba, floors):
        if p[0] >= threshold:
            d = "OPEN"
        else:
            d = "OPEN_REDACTED" if p[1] >= p[2] else "CLOSED"
        out.append(more_restrictive(d, floor))
    return out


def tune_threshold(proba: np.ndarray, floors: Sequence[str], gold: Sequence[str], leak_target: float) -> tuple[float, list[dict]]:
    """Lowest-leak-compliant threshold with the best accuracy; returns (threshold, the sweep)."""
    sweep = []
    for t in np.round(np.arange(0.30, 0.991, 0.01), 2):
        m = decision_metrics(gold, policy_decisions(proba, floors, float(t)))
        sweep.append({"threshold": float(t), "accuracy": m["accuracy"], "leak_rate": m["leak_rate"],
                      "over_closure_rate": m["over_closure_rate"], "macro_f1": m["macro_f1"]})
    ok = [s for s in sweep if s["leak_rate"] <= leak_target]
    best = max(ok, key=lambda s: (s["accuracy"], -s["threshold"])) if ok else sweep[-1]
    return best["threshold"], sweep


def _argmax_decisions(proba: np.ndarray, floors: Sequence[str]) -> list[str]:
    return [more_restrictive(DECISIONS[int(np.argmax(p))], f) for p, f in zip(proba, floors)]


def evaluate_rows(proposer: DecisionProposer, rows: Sequence[Row], as_of: date) -> dict:
    """Decision, calibration and reason metrics of a proposer on rows (spans as given)."""
    if not rows:
        return {}
    results = proposer.propose_many([r.text for r in rows], [r.spans for r in rows], [r.meta for r in rows], as_of=as_of)
    gold = [r.decision for r in rows]
    out = decision_metrics(gold, [x.decision for x in results])
    raw = np.array([[x_ev["probabilities"][d] for d in DECISIONS] for x in results
                    for x_ev in x.evidence if x_ev.get("kind") == "model"])
    out["calibration_model"] = calibration_metrics(raw, [DECISIONS.index(g) for g in gold])
    post = np.array([[x.probabilities[d] for d in DECISIONS] for x in results])
    out["calibration_after_policy"] = calibration_metrics(post, [DECISIONS.index(g) for g in gold])
    both = [(r, x) for r, x in zip(rows, results) if r.decision != "OPEN" and x.decision != "OPEN"]
    if both:
        tp = sum(len(set(r.reasons) & set(x.reasons)) for r, x in both)
        fp = sum(len(set(x.reasons) - set(r.reasons)) for r, x in both)
        fn = sum(len(set(r.reasons) - set(x.reasons)) for r, x in both)
        out["reasons_micro_f1"] = 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else 1.0
        out["reasons_exact_match"] = sum(set(r.reasons) == set(x.reasons) for r, x in both) / len(both)
    closed = [(r, x) for r, x in zip(rows, results) if r.decision == "CLOSED" and x.decision == "CLOSED" and r.closure]
    if closed:
        out["closure_accuracy"] = sum(r.closure == x.closure for r, x in closed) / len(closed)
    return out


def _load_detector(out_dir: Path):
    """The detector to train against: the sibling ner/ of a version being built, else the default."""
    try:
        from models.pipeline import Detector
    except ImportError:
        return None
    for candidate in (out_dir.parent, None):
        try:
            if candidate is not None and not (candidate / "ner").is_dir():
                continue
            return Detector.load(candidate)
        except Exception as exc:  # a missing or broken detector falls back to gold spans, logged
            log.warning("detector %s not usable for decision training: %s", candidate or "default", exc)
    return None


def with_spans(rows: Sequence[Row], spans_list: Sequence[Sequence[Span]]) -> list[Row]:
    return [Row(r.id, r.text, list(s), r.meta, r.decision, r.reasons, r.closure) for r, s in zip(rows, spans_list)]


def train_proposer(records: Iterable[Mapping[str, Any]], out_dir: str | Path, seed: int = 0, *,
                   span_source: str = "auto", detector: Any = None, leak_target: float = 0.02,
                   C: float = 4.0, n_text_features: int = 2 ** 14, val_fraction: float = 0.2,
                   as_of: str | date | None = None, rulebook: str | Path | None = None) -> dict:
    """Train, tune, refit and save a DecisionProposer into ``out_dir``; return its metrics."""
    t0 = time.time()
    if span_source not in SPAN_SOURCES:
        raise ValueError(f"span_source must be one of {SPAN_SOURCES}, got {span_source!r}")
    if not 0.0 <= leak_target < 1.0:
        raise ValueError("leak_target must be in [0, 1)")
    if not 0.05 <= val_fraction <= 0.5:
        raise ValueError("val_fraction must be in [0.05, 0.5]")
    out_dir = Path(out_dir)
    as_of_d = date.fromisoformat(as_of) if isinstance(as_of, str) else (as_of or date.today())
    rows, skipped = clean_records(records)
    if len(rows) < 12:
        raise ValueError(f"need at least 12 records with a gold decision, got {len(rows)} ({skipped} skipped)")
    np.random.seed(seed)
    policy = Policy.load(rulebook)
    config = FeatureConfig(n_text_features=int(n_text_features))

    det_spans = None
    if span_source in ("auto", "detector", "both"):
        detector = detector if detector is not None else _load_detector(out_dir)
        if detector is None and span_source != "auto":
            raise RuntimeError(f"span_source={span_source!r} but no detector could be loaded")
        if detector is not None:
            det_spans = [list(s) for s in detector.detect_many([r.text for r in rows])]
    used = "gold" if det_spans is None else ("both" if span_source == "both" else "detector")
    det_rows = with_spans(rows, det_spans) if det_spans is not None else None

    def training_view(subset_ids: set[str]) -> list[Row]:
        gold_part = [r for r in rows if r.id in subset_ids]
        if used == "gold":
            return gold_part
        det_part = [r for r in det_rows if r.id in subset_ids]
        return det_part if used == "detector" else gold_part + det_part

    train, val = stratified_split(rows, val_fraction, seed)
    train_ids, val_ids = {r.id for r in train}, {r.id for r in val}
    val_serving = [r for r in (det_rows or rows) if r.id in val_ids]
    fs, state = fit_model(training_view(train_ids), policy, config, C=C, seed=seed, as_of=as_of_d)
    probe = DecisionProposer(policy=policy, features=fs, state=state, version="validation")
    X_val, prs = probe.matrix([r.text for r in val_serving], [r.spans for r in val_serving],
                              [r.meta for r in val_serving], as_of_d)
    proba = state.proba(X_val)
    floors = [p.floor for p in prs]
    gold = [r.decision for r in val_serving]
    threshold, sweep = tune_threshold(proba, floors, gold, leak_target)
    state.open_threshold = threshold
    val_metrics = {"serving_spans": "detector" if det_rows else "gold",
                   "tuned": evaluate_rows(probe, val_serving, as_of_d),
                   "argmax_no_caution": decision_metrics(gold, _argmax_decisions(proba, floors))}
    if det_rows:
        val_metrics["tuned_gold_spans"] = evaluate_rows(probe, [r for r in rows if r.id in val_ids], as_of_d)

    all_ids = {r.id for r in rows}
    fs, state = fit_model(training_view(all_ids), policy, config, C=C, seed=seed, as_of=as_of_d,
                          open_threshold=threshold)
    import hashlib

    digest = hashlib.sha256(state.decision.coef.tobytes() + state.decision.intercept.tobytes()
                            + np.float64(state.beta).tobytes() + fs.idf.tobytes()).hexdigest()
    proposer = DecisionProposer(policy=policy, features=fs, state=state, version=new_version_name(digest))
    class_counts = {d: sum(r.decision == d for r in rows) for d in DECISIONS}
    metrics = {
        "version": proposer.version,
        "n_records": len(rows), "skipped_records": skipped, "class_counts": class_counts,
        "n_train_rows": len(training_view(all_ids)), "span_source": used, "seed": seed,
        "leak_target": leak_target, "open_threshold": threshold, "C": C, "val_fraction": val_fraction,
        "as_of": as_of_d.isoformat(), "calibration_beta": state.beta,
        "validation": val_metrics, "threshold_sweep": sweep[::5],
        "train_seconds": round(time.time() - t0, 2),
    }
    proposer.save(out_dir, extra_manifest={"created": date.today().isoformat(), "metrics": metrics,
                                           "training": {"seed": seed, "span_source": used, "C": C,
                                                        "leak_target": leak_target, "as_of": as_of_d.isoformat(),
                                                        "n_records": len(rows)}})
    return metrics


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.train_decision",
                                 description="Train the decision proposer on synthetic archival documents.")
    ap.add_argument("--out", required=True, type=Path, help="decision/ directory to write (replaced atomically)")
    ap.add_argument("--n", type=int, default=1200, help="synthetic training documents (split=train)")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--records", type=Path, help="JSON Lines records to train on instead of synthetic ones")
    ap.add_argument("--span-source", choices=SPAN_SOURCES, default="auto")
    ap.add_argument("--leak-target", type=float, default=0.02)
    ap.add_argument("--C", type=float, default=4.0)
    ap.add_argument("--as-of", default=None, help="ISO date for age features (default today)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.records:
        if not args.records.is_file():
            ap.error(f"no such file: {args.records}")
        records = [json.loads(line) for line in args.records.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        if args.n < 12:
            ap.error("--n must be at least 12")
        try:
            from training.synth import generate_documents
        except ImportError as exc:
            print(f"training.synth is not available ({exc}); pass --records FILE", file=sys.stderr)
            return 2
        records = generate_documents(args.n, args.seed, split="train")
    metrics = train_proposer(records, args.out, seed=args.seed, span_source=args.span_source,
                             leak_target=args.leak_target, C=args.C, as_of=args.as_of)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
