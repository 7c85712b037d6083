"""Train the decision proposer: ``train_proposer(records, out_dir, seed) -> metrics``.

Steps (all seeded, so the same records and seed give the same artifact):

1. Clean the records (SCHEMA records with ``text``, ``spans``, ``decision``; catalogue fields at
   top level or under ``meta``). Records without a gold decision are skipped and counted.
2. Spans for the features: the gold spans, the detector's spans (what the model will see when
   serving), or both (each document twice). ``span_source="auto"`` uses the detector when one is
   given or can be loaded from the sibling ``ner/`` (retraining) and otherwise the gold spans.
3. Out-of-group predictions: k-fold cross-validation whose folds never split a group (the
   synthetic ``template``, else the document), so every document is scored by a model that never
   saw its kind of document. Temperature scaling is fitted on those logits (calibration), and
   the OPEN threshold is tuned on them AFTER the policy floor, on the hand-written rows when the
   records have them (``source="devset"``): the best-accuracy threshold whose leak rate's 95 %
   Clopper-Pearson upper bound is <= ``leak_target`` (the strictest one if none reaches it). With
   the 94 restricted rows of the development set and a target of 0.04 that allows no observed leak.
4. The model is refitted on all documents and saved to ``out_dir`` (the ``decision/``
   directory of a model version), pickle-free, with those out-of-group metrics in its manifest.

The default recipe (``RECIPE``): the hand-written development set (weight 1), allowed published
text as OPEN examples (weight 0.5) and synthetic documents (weight 0.1), each with the spans of
the detector it will serve with (the NER next to ``--out``), so re-run it whenever that NER is
replaced (documented in models/default/decision/README.md):
    .venv/bin/python -m training.train_decision --out models/default/decision --seed 7 --as-of 2026-12-03
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import sys
import time
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping, Sequence

import numpy as np

from models.decision import (
    PERSONAL_INFO_LABELS,
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
    span_context_matrix,
)
from models.policy import CLOSURES, DECISIONS, REASONS, Policy, addressee_owned, more_restrictive
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
    group: str = ""  # documents of one template/source share a group: CV never splits them
    redact: tuple[tuple[int, int], ...] | None = None  # gold masked entity ranges (OPEN_REDACTED)
    weight: float = 1.0  # sample weight (a synthetic or published supplement counts less)
    source: str = ""  # "devset" rows are the ones thresholds are tuned on (when present)
    annotated: bool = True  # False: no gold spans (published text); the detector's spans only


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
        rid = str(r.get("id", i))
        group = str(r.get("template") or r.get("group") or rid)
        redact = None
        if isinstance(r.get("redact"), list):
            redact = tuple((int(x["start"]), int(x["end"])) for x in r["redact"]
                           if isinstance(x, Mapping) and x.get("label") and "start" in x and "end" in x)
        weight = float(r.get("weight", 1.0))
        if not weight > 0:
            raise ValueError(f"record {rid}: weight must be positive, got {r.get('weight')!r}")
        rows.append(Row(rid, text, spans, record_meta(r), r["decision"], reasons, closure, group, redact,
                        weight, str(r.get("source") or ""), r.get("spans") is not None))
    return rows, skipped


def group_folds(rows: Sequence[Row], n_splits: int, seed: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """Cross-validation folds that never split a group (a synthetic template, a source).

    Out-of-group predictions are what a new kind of document will get, so the threshold and
    the calibration are tuned on them, not on documents from templates the model has seen.
    """
    from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold

    y = np.array([DECISIONS.index(r.decision) for r in rows])
    groups = np.array([r.group or r.id for r in rows])
    n_groups = len(set(groups.tolist()))
    if n_groups >= n_splits:
        # Stratified by ground (decision + first reason) so that every fold's training part still
        # has examples of every ground: a fold that held out all three trade-secret templates at
        # once measured a ground never taught, not a new kind of document, and its leaks alone
        # set the OPEN threshold.
        strata = np.array([f"{r.decision}:{r.reasons[0] if r.reasons else ''}" for r in rows])
        splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
        with warnings.catch_warnings():  # a rare ground with fewer groups than folds is fine
            warnings.simplefilter("ignore", UserWarning)
            return list(splitter.split(np.zeros(len(rows)), strata, groups))
    k = int(max(2, min(n_splits, np.bincount(y, minlength=3).min())))
    return list(StratifiedKFold(n_splits=k, shuffle=True, random_state=seed).split(np.zeros(len(rows)), y))


def fit_temperature(logits: np.ndarray, y: np.ndarray) -> float:
    """Inverse temperature minimising the log loss of softmax(beta * logits) (temperature scaling)."""
    from scipy.optimize import minimize_scalar

    def nll(log_beta: float) -> float:
        logp = np.log(_softmax_np(np.exp(log_beta) * logits) + 1e-300)
        return float(-logp[np.arange(len(y)), y].mean())

    res = minimize_scalar(nll, bounds=(-6.0, 4.0), method="bounded")
    return float(np.exp(res.x))


def _softmax_np(z: np.ndarray) -> np.ndarray:
    z = z - z.max(axis=1, keepdims=True)
    return np.exp(z) / np.exp(z).sum(axis=1, keepdims=True)


def _lr(C: float, seed: int):
    from sklearn.linear_model import LogisticRegression

    return LogisticRegression(C=C, class_weight="balanced", max_iter=5000, random_state=seed)


def _constant_state(n_features: int, prior: float) -> LinearState:
    p = min(max(prior, 1e-3), 1 - 1e-3)
    return LinearState(np.zeros((1, n_features)), np.array([np.log(p / (1 - p))]))


def privacy_labels(rows: Sequence[Row]) -> list[tuple[int, int, int]]:
    """(row, span index, 1 if private) for personal-information spans whose status is known.

    Known: every such span of a gold OPEN document is not private (it did not stop opening), and
    in a gold OPEN_REDACTED document a span is private iff it overlaps a masked range.
    """
    out = []
    for i, r in enumerate(rows):
        if r.decision == "CLOSED" or (r.decision == "OPEN_REDACTED" and r.redact is None):
            continue
        for j, sp in enumerate(r.spans):
            if sp.label not in PERSONAL_INFO_LABELS:
                continue
            y = 0 if r.decision == "OPEN" else int(any(sp.start < e and s < sp.end for s, e in r.redact or ()))
            out.append((i, j, y))
    return out


def fit_privacy(rows: Sequence[Row], folds, *, C: float, seed: int) -> tuple[LinearState | None, list[list[float]] | None]:
    """The span privacy model, and out-of-group P(private) for every span of every row.

    None, None when there are too few labelled spans of either kind (every PI span then counts
    as private: the cautious default).
    """
    labels = privacy_labels(rows)
    ys = np.array([y for _, _, y in labels])
    if len(ys) == 0 or ys.sum() < 5 or (len(ys) - ys.sum()) < 5:
        return None, None
    M = span_context_matrix([(rows[i].text, rows[i].spans[j], rows[i].spans) for i, j, _ in labels])
    row_of = np.array([i for i, _, _ in labels])

    ws = np.array([rows[i].weight for i, _, _ in labels])

    def fit(mask: np.ndarray):
        if len(set(ys[mask].tolist())) < 2:
            return None
        m = _lr(C, seed).fit(M[mask], ys[mask], sample_weight=ws[mask])
        return LinearState(np.asarray(m.coef_, dtype=np.float64), np.asarray(m.intercept_, dtype=np.float64))

    private = [[0.0] * len(r.spans) for r in rows]
    for tr, te in folds:
        model = fit(np.isin(row_of, tr))
        te_items = [(i, j) for i in te for j, sp in enumerate(rows[i].spans) if sp.label in PERSONAL_INFO_LABELS]
        if not te_items:
            continue
        if model is None:
            p = np.ones(len(te_items))
        else:
            p = 1.0 / (1.0 + np.exp(-model.logits(span_context_matrix([(rows[i].text, rows[i].spans[j], rows[i].spans) for i, j in te_items]))[:, 0]))
            # the same floor as serving (FeatureSpace.private_scores): the addressee's own number
            p = np.where([addressee_owned(rows[i].text, rows[i].spans[j]) for i, j in te_items], np.maximum(p, 0.95), p)
        for (i, j), v in zip(te_items, p):
            private[i][j] = float(v)
    return fit(np.ones(len(ys), dtype=bool)), private


@dataclass
class OutOfGroup:
    """Out-of-group calibrated probabilities and policy floors of the training rows."""

    proba: np.ndarray
    floors: list[str]
    n_folds: int


def fit_model(rows: Sequence[Row], policy: Policy, config: FeatureConfig, *, C: float, seed: int,
              as_of: date, open_threshold: float = 0.5, n_splits: int = 5,
              ) -> tuple[FeatureSpace, DecisionModelState, OutOfGroup]:
    """Fit the features, the decision model with temperature scaling on out-of-group logits
    (what ``CalibratedClassifierCV(method="temperature", ensemble=False)`` does, with grouped
    folds), and the reason and closure models."""
    missing = [d for d in DECISIONS if not any(r.decision == d for r in rows)]
    if missing:
        raise ValueError(f"training data has no {missing} documents: every decision needs examples")
    if min(sum(r.decision == d for r in rows) for d in DECISIONS) < 2:
        raise ValueError("every decision needs at least 2 training documents for calibration")
    folds = group_folds(rows, n_splits, seed)
    privacy, private = fit_privacy(rows, folds, C=C, seed=seed)
    fs = FeatureSpace(policy, config, privacy=privacy)
    counts, num, prs, _ = fs.raw([r.text for r in rows], [r.spans for r in rows], [r.meta for r in rows], as_of,
                                 private=private)
    fs.fit(counts, num)
    X = fs.transform(counts, num)
    y = np.array([DECISIONS.index(r.decision) for r in rows])
    w = np.array([r.weight for r in rows])

    oof = np.zeros((len(rows), len(DECISIONS)))
    for tr, te in folds:
        lr = _lr(C, seed).fit(X[tr], y[tr], sample_weight=w[tr])
        logits = np.full((len(te), len(DECISIONS)), -30.0)  # a class absent from the fold: ~0
        d = lr.decision_function(X[te])
        if d.ndim == 1:  # two classes in the fold
            d = np.stack([-d / 2, d / 2], axis=1)
        for j, c in enumerate(lr.classes_):
            logits[:, int(c)] = d[:, j]
        oof[te] = logits
    beta = fit_temperature(oof, y)
    est = _lr(C, seed).fit(X, y, sample_weight=w)
    decision = LinearState(np.asarray(est.coef_, dtype=np.float64), np.asarray(est.intercept_, dtype=np.float64))

    reasons: dict[str, LinearState] = {}
    restricted = [i for i, r in enumerate(rows) if r.decision != "OPEN"]
    Xr = X[restricted]
    for code in REASONS:
        yr = np.array([1 if code in rows[i].reasons else 0 for i in restricted])
        if len(yr) and 2 <= yr.sum() <= len(yr) - 2:
            m = _lr(C, seed).fit(Xr, yr, sample_weight=w[restricted])
            reasons[code] = LinearState(np.asarray(m.coef_, dtype=np.float64), np.asarray(m.intercept_, dtype=np.float64))
        else:
            reasons[code] = _constant_state(X.shape[1], float(yr.mean()) if len(yr) else 0.0)
    closure = None
    closed = [i for i, r in enumerate(rows) if r.decision == "CLOSED" and r.closure]
    yc = np.array([1 if rows[i].closure == "DEFERRED" else 0 for i in closed])
    if len(yc) and 3 <= yc.sum() <= len(yc) - 3:
        m = _lr(C, seed).fit(X[closed], yc, sample_weight=w[closed])
        closure = LinearState(np.asarray(m.coef_, dtype=np.float64), np.asarray(m.intercept_, dtype=np.float64))
    state = DecisionModelState(classes=DECISIONS, decision=decision, beta=beta, reasons=reasons,
                               closure=closure, open_threshold=open_threshold)
    if not np.allclose(state.proba(X), _softmax_np(beta * est.decision_function(X)), atol=1e-9):
        raise RuntimeError("pickle-free probabilities differ from scikit-learn's: refusing to save")
    return fs, state, OutOfGroup(_softmax_np(beta * oof), [p.floor for p in prs], len(folds))


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


def leak_upper_bound(leaks: int, restricted: int, confidence: float = 0.95) -> float:
    """One-sided Clopper-Pearson upper bound of the leak rate from ``leaks`` of ``restricted``.

    Why a bound and not the observed rate: 0 leaks in 90 documents is compatible with a true
    rate of 3 %; a threshold is safe only when the bound, not the count, is below the target.
    """
    from scipy.stats import beta

    if restricted <= 0:
        return 1.0
    if leaks >= restricted:
        return 1.0
    return float(beta.ppf(confidence, leaks + 1, restricted - leaks))


def tune_threshold(proba: np.ndarray, floors: Sequence[str], gold: Sequence[str], leak_target: float
                   ) -> tuple[float, list[dict]]:
    """The best-accuracy threshold whose leak rate's 95 % upper bound is <= ``leak_target``.

    Returns (threshold, the sweep). With none compliant, the strictest threshold.
    """
    sweep = []
    restricted = sum(g != "OPEN" for g in gold)
    for t in np.round(np.arange(0.30, 0.991, 0.01), 2):
        pred = policy_decisions(proba, floors, float(t))
        m = decision_metrics(gold, pred)
        leaks = sum(g != "OPEN" and p == "OPEN" for g, p in zip(gold, pred))
        sweep.append({"threshold": float(t), "accuracy": m["accuracy"], "leak_rate": m["leak_rate"],
                      "leaks": leaks, "leak_upper_bound": round(leak_upper_bound(leaks, restricted), 4),
                      "open_recall": m.get("open_recall"),
                      "over_closure_rate": m["over_closure_rate"], "macro_f1": m["macro_f1"]})
    ok = [s for s in sweep if s["leak_upper_bound"] <= leak_target]
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


def RuleSpanDetector():
    """The rule analyzer alone behind the Detector interface (``models.evaluation.RulesOnlyDetector``).

    Training on its spans as well as on the gold ones (``span_source="both"``) teaches the model
    what documents look like when the detector misses entities, when no trained detector exists.
    """
    from models.analyzer import build_rule_analyzer
    from models.evaluation import RulesOnlyDetector

    return RulesOnlyDetector(build_rule_analyzer())


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
    from dataclasses import replace

    return [replace(r, spans=list(s)) for r, s in zip(rows, spans_list)]


def train_proposer(records: Iterable[Mapping[str, Any]], out_dir: str | Path, seed: int = 0, *,
                   span_source: str = "auto", detector: Any = None, leak_target: float = 0.05,
                   C: float = 0.1, n_text_features: int = 2 ** 14, text_weight: float = 1.0, n_splits: int = 5,
                   as_of: str | date | None = None, rulebook: str | Path | None = None) -> dict:
    """Train, tune the OPEN threshold out of group, and save a DecisionProposer into ``out_dir``.

    Returns the metrics (out-of-group, i.e. on templates/sources the fold's model never saw).
    """
    t0 = time.time()
    if span_source not in SPAN_SOURCES:
        raise ValueError(f"span_source must be one of {SPAN_SOURCES}, got {span_source!r}")
    if not 0.0 <= leak_target < 1.0:
        raise ValueError("leak_target must be in [0, 1)")
    if not 2 <= int(n_splits) <= 20:
        raise ValueError("n_splits must be in [2, 20]")
    if C <= 0:
        raise ValueError("C must be positive")
    out_dir = Path(out_dir)
    as_of_d = date.fromisoformat(as_of) if isinstance(as_of, str) else (as_of or date.today())
    rows, skipped = clean_records(records)
    if len(rows) < 12:
        raise ValueError(f"need at least 12 records with a gold decision, got {len(rows)} ({skipped} skipped)")
    np.random.seed(seed)
    policy = Policy.load(rulebook)
    config = FeatureConfig(n_text_features=int(n_text_features), text_weight=float(text_weight))

    det_rows = None
    if span_source in ("auto", "detector", "both"):
        detector = detector if detector is not None else _load_detector(out_dir)
        if detector is None and span_source != "auto":
            raise RuntimeError(f"span_source={span_source!r} but no detector could be loaded")
        if detector is not None:
            det_rows = with_spans(rows, [list(s) for s in detector.detect_many([r.text for r in rows])])
    if det_rows is None and not all(r.annotated for r in rows):
        raise RuntimeError("records without gold spans (published text) need a detector")
    used = "gold" if det_rows is None else ("both" if span_source == "both" else "detector")
    # "both": every annotated document twice, with its gold spans and with the detector's (what
    # the model sees when serving); a record without gold spans once, with the detector's
    gold_view = [r for r in rows if r.annotated] if used == "both" else []
    view = {"gold": rows, "detector": det_rows, "both": gold_view + (det_rows or [])}[used]
    serving = list(range(len(gold_view), len(view)))
    fs, state, oog = fit_model(view, policy, config, C=C, seed=seed, as_of=as_of_d, n_splits=n_splits)
    # thresholds are chosen on the hand-written development set where the records include it
    # (out-of-fold: each document scored by a model that never saw it), else on every record
    tune = [i for i in serving if view[i].source == "devset"] or serving
    proba = oog.proba[tune]
    floors = [oog.floors[i] for i in tune]
    gold = [view[i].decision for i in tune]
    threshold, sweep = tune_threshold(proba, floors, gold, leak_target)
    state.open_threshold = threshold
    gold_idx = [DECISIONS.index(g) for g in gold]
    out_of_group = {
        "folds": oog.n_folds, "grouped_by": "template" if any(r.group != r.id for r in rows) else "document",
        "spans": "detector" if used != "gold" else "gold",
        "tuned_on": "devset" if view[tune[0]].source == "devset" else "all",
        "tuned": decision_metrics(gold, policy_decisions(proba, floors, threshold)),
        "argmax_no_caution": decision_metrics(gold, _argmax_decisions(proba, floors)),
        "calibration_model": calibration_metrics(proba, gold_idx),
    }
    if used == "both":
        gi = [i for i, r in enumerate(gold_view) if r.source == view[tune[0]].source] or \
            list(range(len(gold_view)))
        out_of_group["tuned_gold_spans"] = decision_metrics(
            [view[i].decision for i in gi],
            policy_decisions(oog.proba[gi], [oog.floors[i] for i in gi], threshold))
    by_source: dict[str, dict] = {}
    for src in sorted({view[i].source for i in serving} - {""}):
        idx = [i for i in serving if view[i].source == src]
        by_source[src] = decision_metrics([view[i].decision for i in idx],
                                          policy_decisions(oog.proba[idx], [oog.floors[i] for i in idx],
                                                           threshold))
    out_of_group["by_source"] = by_source
    tuned_pred = policy_decisions(proba, floors, threshold)
    out_of_group["tuned_errors"] = [
        {"id": view[i].id, "gold": g, "proposed": d, "p": [round(float(x), 3) for x in oog.proba[i]],
         "floor": oog.floors[i]}
        for i, g, d in zip(tune, gold, tuned_pred) if g != d]

    digest = hashlib.sha256(state.decision.coef.tobytes() + state.decision.intercept.tobytes()
                            + np.float64(state.beta).tobytes() + fs.idf.tobytes()).hexdigest()
    proposer = DecisionProposer(policy=policy, features=fs, state=state, version=new_version_name(digest))
    metrics = {
        "version": proposer.version,
        "n_records": len(rows), "skipped_records": skipped,
        "class_counts": {d: sum(r.decision == d for r in rows) for d in DECISIONS},
        "n_train_rows": len(view), "span_source": used, "seed": seed,
        "leak_target": leak_target, "open_threshold": threshold, "C": C,
        "as_of": as_of_d.isoformat(), "calibration": {"method": "temperature", "beta": state.beta},
        "out_of_group": out_of_group, "threshold_sweep": sweep[::5],
        "train_seconds": round(time.time() - t0, 2),
    }
    proposer.save(out_dir, extra_manifest={"created": date.today().isoformat(), "metrics": metrics,
                                           "training": {"seed": seed, "span_source": used, "C": C,
                                                        "leak_target": leak_target, "as_of": as_of_d.isoformat(),
                                                        "n_records": len(rows), "n_splits": n_splits}})
    return metrics


DEVSET = Path(__file__).resolve().parents[1] / "datasets" / "devset" / "dev.jsonl"
#: the default recipe's mix: the hand-written development set first, allowed published text as
#: openable examples, and the synthetic generator as a down-weighted supplement
RECIPE = {"synthetic": 600, "synthetic_weight": 0.1, "published": 300, "published_weight": 0.5,
          "devset_weight": 1.0, "leak_target": 0.04}


def recipe_records(*, devset: Path | None, synthetic: int, published: int, seed: int,
                   synthetic_weight: float = RECIPE["synthetic_weight"],
                   published_weight: float = RECIPE["published_weight"]) -> list[dict]:
    """The training records of the default recipe, each tagged with its ``source`` and weight."""
    records: list[dict] = []
    if devset is not None:
        if not devset.is_file():
            raise FileNotFoundError(f"development set not found: {devset} (python -m training.devset build)")
        records += [dict(json.loads(line), source="devset", weight=RECIPE["devset_weight"])
                    for line in devset.read_text(encoding="utf-8").splitlines() if line.strip()]
    if synthetic:
        from training.synth import generate_documents

        records += [dict(r, source="synthetic", weight=synthetic_weight)
                    for r in generate_documents(synthetic, seed, split="train")]
    if published:
        from training.corpora import published_documents

        records += [dict(r, weight=published_weight) for r in published_documents(published, seed)]
    return records


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.train_decision",
                                 description="Train the decision proposer (the default recipe: the hand-written "
                                             "development set, published text as openable examples, synthetic "
                                             "documents as a supplement).")
    ap.add_argument("--out", required=True, type=Path, help="decision/ directory to write (replaced atomically)")
    ap.add_argument("--n", type=int, default=RECIPE["synthetic"], help="synthetic training documents (split=train)")
    ap.add_argument("--published", type=int, default=RECIPE["published"],
                    help="allowed published documents (news 2023-24, laws) as OPEN examples")
    ap.add_argument("--devset", type=Path, default=DEVSET, help="the hand-written development set")
    ap.add_argument("--no-devset", action="store_true", help="train without the development set")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--records", type=Path, help="JSON Lines records to train on instead of the recipe's")
    ap.add_argument("--span-source", choices=SPAN_SOURCES, default="both")
    ap.add_argument("--detector", choices=("auto", "rules"), default="auto",
                    help="auto: the detector of the version being built (the ner/ next to --out, e.g. "
                         "models/default/ner for --out models/default/decision), else the default one; "
                         "rules: the rule analyzer only")
    ap.add_argument("--leak-target", type=float, default=RECIPE["leak_target"],
                    help="largest 95%% upper confidence bound of the out-of-fold leak rate the OPEN "
                         "threshold may allow (on the development set)")
    ap.add_argument("--C", type=float, default=0.1)
    ap.add_argument("--as-of", default=None, help="ISO date for age features (default today)")
    args = ap.parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s")
    if args.records:
        if not args.records.is_file():
            ap.error(f"no such file: {args.records}")
        records = [json.loads(line) for line in args.records.read_text(encoding="utf-8").splitlines() if line.strip()]
    else:
        if args.n < 0 or args.published < 0:
            ap.error("--n and --published must be >= 0")
        try:
            records = recipe_records(devset=None if args.no_devset else args.devset, synthetic=args.n,
                                     published=args.published, seed=args.seed)
        except (FileNotFoundError, ImportError) as exc:
            print(f"error: {exc}", file=sys.stderr)
            return 2
    detector = RuleSpanDetector() if args.detector == "rules" else None
    metrics = train_proposer(records, args.out, seed=args.seed, span_source=args.span_source, detector=detector,
                             leak_target=args.leak_target, C=args.C, as_of=args.as_of)
    print(json.dumps(metrics, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
