"""Decision metrics on held-out synthetic documents (``generate_documents(n, seed, split="test")``).

Prints JSON with, for each span source the proposer was given:

* ``end_to_end``: ``models.evaluation.evaluate_records`` (helper B's definitions, the ``decisions``
  block of ``kaifang evaluate``): the detector's spans feed the proposer. Skipped, with the reason,
  when no detector can be loaded.
* ``gold_spans``: the proposer on the gold spans (upper bound of what the detector allows), with
  the same decision definitions (``models.decision.decision_metrics``), plus calibration (Brier,
  ECE, log loss of the model and after the policy), reason-code F1, closure accuracy, the
  trade made by the cautious threshold (``argmax_no_caution``: the same model deciding by argmax),
  and the policy's share of decisions (how often a forced rule raised the model's decision).

Usage:
    .venv/bin/python -m benchmarks.decision_bench --model models/default --n 400 --seed 20261124
    .venv/bin/python benchmarks/decision_bench.py --model runs/some-version --detector rules
"""
from __future__ import annotations

import argparse
import json
import sys
import time
from datetime import date
from pathlib import Path

if __package__ in (None, ""):
    sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import numpy as np  # noqa: E402

from models.decision import DecisionProposer, coerce_spans, decision_metrics  # noqa: E402
from models.policy import DECISIONS, more_restrictive  # noqa: E402
from training.train_decision import RuleSpanDetector, clean_records, evaluate_rows, policy_decisions  # noqa: E402


def load_detector(kind: str, model: Path):
    """'model': the version's own detector; 'default': the shipped one; 'rules': rules only."""
    if kind == "none":
        return None, "detector disabled (--detector none)"
    try:
        if kind == "rules":
            return RuleSpanDetector(), None
        from models.pipeline import Detector

        return Detector.load(model if kind == "model" else None), None
    except Exception as exc:  # reported in the output, never hidden
        return None, f"no detector ({kind}): {type(exc).__name__}: {exc}"


def argmax_trade(proposer: DecisionProposer, rows, as_of: date) -> dict:
    """What the cautious threshold costs: the same model and policy, deciding by argmax."""
    X, prs = proposer.matrix([r.text for r in rows], [r.spans for r in rows], [r.meta for r in rows], as_of)
    proba = proposer.state.proba(X)
    pred = [more_restrictive(DECISIONS[int(np.argmax(p))], pr.floor) for p, pr in zip(proba, prs)]
    forced = sum(more_restrictive(proposer.model_decision(p), pr.floor) != proposer.model_decision(p)
                 for p, pr in zip(proba, prs))
    gold = [r.decision for r in rows]
    floors = [pr.floor for pr in prs]
    sweep = []
    for t in sorted({0.4, 0.5, 0.6, 0.7, 0.8, 0.9, round(proposer.state.open_threshold, 2)}):
        m = decision_metrics(gold, policy_decisions(proba, floors, t))
        sweep.append({"open_threshold": t, **{k: round(m[k], 4) for k in ("accuracy", "macro_f1", "leak_rate", "over_closure_rate")}})
    return {"argmax_no_caution": decision_metrics(gold, pred), "threshold_sweep": sweep,
            "policy_raised_decisions": forced, "documents": len(rows)}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--model", type=Path, default=Path("models/default"), help="model-version (or decision/) dir")
    ap.add_argument("--n", type=int, default=400, help="held-out synthetic documents")
    ap.add_argument("--seed", type=int, default=20261124)
    ap.add_argument("--detector", choices=("model", "default", "rules", "none"), default="model")
    ap.add_argument("--as-of", default=None, help="ISO date (default: today)")
    ap.add_argument("--records", type=Path, help="JSON Lines test records instead of synthetic ones")
    ap.add_argument("--out", type=Path, help="also write the JSON here")
    args = ap.parse_args(argv)
    if args.n < 1:
        ap.error("--n must be positive")
    as_of = date.fromisoformat(args.as_of) if args.as_of else date.today()
    proposer = DecisionProposer.load(args.model)
    t0 = time.perf_counter()
    if args.records:
        if not args.records.is_file():
            ap.error(f"no such file: {args.records}")
        records = [json.loads(x) for x in args.records.read_text(encoding="utf-8").splitlines() if x.strip()]
        source = str(args.records)
    else:
        try:
            from training.synth import generate_documents
        except ImportError as exc:
            print(f"training.synth is not available ({exc}); pass --records FILE", file=sys.stderr)
            return 2
        records = generate_documents(args.n, args.seed, split="test")
        source = "training.synth.generate_documents(split='test')"
    gen_s = time.perf_counter() - t0
    rows, skipped = clean_records(records)
    report: dict = {"model": str(args.model), "proposer": proposer.version, "rulebook": proposer.rulebook_version,
                    "open_threshold": proposer.state.open_threshold, "n": len(rows), "skipped": skipped,
                    "seed": args.seed, "records": source, "as_of": as_of.isoformat(),
                    "gold_class_counts": {d: sum(r.decision == d for r in rows) for d in DECISIONS},
                    "generate_seconds": round(gen_s, 2)}

    t0 = time.perf_counter()
    report["gold_spans"] = evaluate_rows(proposer, rows, as_of)
    report["gold_spans"]["seconds_per_document"] = round((time.perf_counter() - t0) / max(len(rows), 1), 5)
    report["gold_spans"]["trade"] = argmax_trade(proposer, rows, as_of)

    detector, why = load_detector(args.detector, args.model)
    if detector is None:
        report["end_to_end"] = {"skipped": why}
    else:
        from models.evaluation import evaluate_records

        t0 = time.perf_counter()
        ev = evaluate_records(records, detector, proposer)
        report["end_to_end"] = {"detector": ev.get("detector"), "decisions": ev.get("decisions"),
                                "sensitive_recall": ev.get("sensitive_recall"),
                                "seconds": round(time.perf_counter() - t0, 2),
                                "definitions": "models.evaluation.evaluate_records (helper B)"}
        det_spans = [coerce_spans(s) for s in detector.detect_many([r.text for r in rows])]
        det_rows = [type(r)(r.id, r.text, s, r.meta, r.decision, r.reasons, r.closure) for r, s in zip(rows, det_spans)]
        extra = evaluate_rows(proposer, det_rows, as_of)
        report["end_to_end"]["calibration_model"] = extra.get("calibration_model")
        report["end_to_end"]["calibration_after_policy"] = extra.get("calibration_after_policy")
        report["end_to_end"]["reasons_micro_f1"] = extra.get("reasons_micro_f1")
        report["end_to_end"]["trade"] = argmax_trade(proposer, det_rows, as_of)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    if args.out:
        args.out.parent.mkdir(parents=True, exist_ok=True)
        args.out.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
