"""Active-learning simulation: does uncertainty-ordered review teach the models faster than random?

From a seed set of labelled documents, simulated reviewers answer with the gold labels (spans and
decision) of the documents put in front of them, a batch per round. After each round the NER
(``training.ner.train_tagger``, a small CPU config) and the decision model
(``training.train_decision.train_proposer``) are retrained on everything labelled so far and
scored on a fixed held-out test set (synthetic documents from the HELD-OUT templates) with
``models.evaluation.evaluate_records``. Two orderings of the same pool are compared:

* ``uncertainty``: the documents the current models are least sure about first (the decision
  probabilities' entropy and margin, plus the NER's doubt about its spans: ``training.active``);
* ``random``: a seeded random order (what a queue without active learning amounts to);
* ``active`` (optional): the app's queue priority (``training.active``: uncertainty, disagreement
  between policy and model, novelty against what is already labelled, and risk).

Reported per round: labels used, span micro F1, sensitive_recall, decision macro F1, leak rate,
and F1 = mean(span micro F1, decision macro F1) (the promotion gate's F1). "Labels needed to reach
the target": the first round at which F1 reaches ``target_fraction`` of the F1 of a model trained
on the seed plus the WHOLE pool. The curves go to a PNG (matplotlib), the numbers to JSON.

CPU-sized on purpose (2 cores shared): a few minutes with the defaults.
    .venv/bin/python benchmarks/active_learning.py            # defaults below
    .venv/bin/python benchmarks/active_learning.py --rounds 3 --pool 120 --test 60   # quick look
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))


@dataclass
class Args:
    pool: int
    test: int
    seed_size: int
    batch: int
    rounds: int
    seed: int
    epochs: int
    threads: int
    target_fraction: float
    ner: str
    strategies: list[str]
    out_png: Path
    out_json: Path


def parse_args(argv=None) -> Args:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pool", type=int, default=240, help="unlabelled pool size (synthetic, training templates)")
    p.add_argument("--test", type=int, default=120, help="held-out test documents (held-out templates)")
    p.add_argument("--seed-size", type=int, default=24, help="labelled documents before the first round")
    p.add_argument("--batch", type=int, default=24, help="documents reviewed per round")
    p.add_argument("--rounds", type=int, default=6)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--epochs", type=int, default=5, help="NER epochs per retraining")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--target-fraction", type=float, default=0.95)
    p.add_argument("--ner", choices=("retrain", "rules"), default="retrain",
                   help="retrain the tagger each round, or keep a fixed rules-only detector and retrain only "
                        "the decision model (cheaper; sensitive_recall then stays flat by construction)")
    p.add_argument("--strategies", default="uncertainty,random",
                   help="comma-separated: uncertainty (entropy/margin + span doubt), random, active (the app's "
                        "queue priority: uncertainty + disagreement + novelty + risk)")
    p.add_argument("--out-png", type=Path, default=ROOT / "benchmarks" / "figures" / "active_learning.png")
    p.add_argument("--out-json", type=Path, default=ROOT / "benchmarks" / "results" / "active_learning.json")
    a = p.parse_args(argv)
    a.strategies = [x.strip() for x in a.strategies.split(",") if x.strip()]
    if not a.strategies or set(a.strategies) - {"uncertainty", "random", "active"}:
        p.error("--strategies takes uncertainty, random and/or active")
    if a.seed_size < 12:
        p.error("--seed-size must be at least 12 (the decision model needs 12 labelled decisions)")
    if a.pool < a.batch * a.rounds:
        p.error("--pool must hold at least --batch x --rounds documents")
    if not 0 < a.target_fraction <= 1:
        p.error("--target-fraction must be in (0, 1]")
    return Args(**vars(a))


def ner_config(epochs: int, threads: int):
    from training.ner import TrainConfig

    return TrainConfig(char_dim=32, bigram_dim=16, hidden=48, epochs=epochs, batch_size=16, lr=1e-2,
                       max_chars=5000, max_bigrams=10000, fp16=False, max_len=128, threads=threads)


def train_models(labelled: list[dict], work: Path, seed: int, args: Args):
    """Tagger + rules pipeline + decision model on ``labelled``; returns (detector, proposer)."""
    from models.decision import DecisionProposer
    from models.pipeline import Detector, save_pipeline
    from training.ner import train_tagger
    from training.train_decision import train_proposer

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    if args.ner == "rules":
        detector = Detector.from_parts(tagger_dir=None, rules_config=ROOT / "models" / "configs" / "rules.toml",
                                       version="al-rules")
        train_proposer(labelled, work / "decision", seed=seed, detector=detector, n_text_features=2 ** 12)
        return detector, DecisionProposer.load(work / "decision")
    rng = random.Random(seed)
    dev = rng.sample(labelled, max(4, len(labelled) // 10))
    train_tagger(labelled, dev, work / "tagger", seed=seed, config=ner_config(args.epochs, args.threads),
                 progress=False)
    save_pipeline(work / "ner", tagger_dir=work / "tagger", rules_config=ROOT / "models" / "configs" / "rules.toml",
                  version=f"al-{work.name}", backend="char_tagger")
    detector = Detector.load(work / "ner")
    train_proposer(labelled, work / "decision", seed=seed, detector=detector, n_text_features=2 ** 12)
    return detector, DecisionProposer.load(work / "decision")


def evaluate(detector, proposer, test: list[dict]) -> dict:
    from models.evaluation import evaluate_records

    m = evaluate_records(test, detector, proposer)
    span_f1, dec_f1 = m["spans"]["micro"]["f1"], m["decisions"]["macro_f1"]
    return {"span_f1": span_f1, "sensitive_recall": m["sensitive_recall"], "decision_macro_f1": dec_f1,
            "leak_rate": m["decisions"]["leak_rate"], "f1": (span_f1 + dec_f1) / 2}


def uncertainty_scores(detector, proposer, docs: list[dict]) -> list[float]:
    from models.decision import record_meta
    from training.active import entropy_margin, span_doubt

    texts = [d["text"] for d in docs]
    spans = detector.detect_many(texts)
    results = proposer.propose_many(texts, spans, [record_meta(d) for d in docs])
    return [0.75 * entropy_margin(r.probabilities) + 0.25 * span_doubt(s.score for s in sp)
            for r, sp in zip(results, spans)]


def active_scores(detector, proposer, docs: list[dict], labelled: list[dict]) -> list[float]:
    """The app's queue priority (training.active): uncertainty, disagreement, novelty, risk."""
    from models.decision import record_meta
    from training.active import ActiveWeights, NoveltyIndex, combine, disagreement, entropy_margin, span_doubt

    texts = [d["text"] for d in docs]
    spans = detector.detect_many(texts)
    results = proposer.propose_many(texts, spans, [record_meta(d) for d in docs])
    novelty = NoveltyIndex([d["text"] for d in labelled]).novelty(texts)
    w = ActiveWeights()
    out = []
    for r, sp, n in zip(results, spans, novelty):
        u = 0.75 * entropy_margin(r.probabilities) + 0.25 * span_doubt(s.score for s in sp)
        d = disagreement(r.decision, r.probabilities, [(s.label, s.source, s.score) for s in sp])
        risk = 1.0 - float(r.probabilities.get("OPEN", 0.0))
        out.append(combine(u, d, float(n), risk, w))
    return out


def run_strategy(name: str, seed_set: list[dict], pool: list[dict], test: list[dict], args: Args,
                 work: Path, log) -> list[dict]:
    labelled, remaining = list(seed_set), list(pool)
    rng = random.Random(args.seed + 1)
    curve = []
    for rnd in range(args.rounds + 1):
        t0 = time.time()
        detector, proposer = train_models(labelled, work / f"{name}-{rnd}", args.seed, args)
        metrics = evaluate(detector, proposer, test)
        point = {"round": rnd, "labels": len(labelled), **{k: round(v, 4) for k, v in metrics.items()},
                 "seconds": round(time.time() - t0, 1)}
        curve.append(point)
        log(f"{name:11s} round {rnd}: {json.dumps(point, ensure_ascii=False)}")
        if rnd == args.rounds:
            break
        if name in ("uncertainty", "active"):
            scores = (uncertainty_scores(detector, proposer, remaining) if name == "uncertainty"
                      else active_scores(detector, proposer, remaining, labelled))
            order = sorted(range(len(remaining)), key=lambda i: -scores[i])
        else:
            order = list(range(len(remaining)))
            rng.shuffle(order)
        chosen = set(order[: args.batch])
        labelled += [remaining[i] for i in sorted(chosen)]  # the simulated reviewer answers with gold
        remaining = [d for i, d in enumerate(remaining) if i not in chosen]
    return curve


def labels_to_target(curve: list[dict], target: float) -> int | None:
    for p in curve:
        if p["f1"] >= target:
            return p["labels"]
    return None


def plot(curves: dict[str, list[dict]], full: dict, target: float, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("f1", "F1 (mean of span micro F1 and decision macro F1)"), ("span_f1", "span micro F1"),
              ("sensitive_recall", "sensitive_recall"), ("decision_macro_f1", "decision macro F1"),
              ("leak_rate", "leak rate (lower is better)")]
    fig, grid = plt.subplots(2, 3, figsize=(13, 7.5))
    axes = list(grid.ravel())
    axes[-1].axis("off")
    for ax, (key, title) in zip(axes, panels):
        for name, style in (("uncertainty", "o-"), ("random", "s--"), ("active", "^-.")):
            if name not in curves:
                continue
            c = curves[name]
            ax.plot([p["labels"] for p in c], [p[key] for p in c], style, label=name)
        ax.axhline(full[key], color="grey", lw=0.8, ls=":", label="seed + whole pool")
        if key == "f1":
            ax.axhline(target, color="red", lw=0.8, ls="-.", label="target")
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("labelled documents")
        ax.grid(alpha=0.3)
    handles, labels = axes[0].get_legend_handles_labels()
    axes[-1].legend(handles, labels, loc="center", fontsize=10)
    fig.suptitle("Active learning vs random review order (synthetic archive, CPU-sized models)", fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)


def main(argv=None) -> int:
    args = parse_args(argv)
    import torch

    torch.set_num_threads(args.threads)
    from training.synth import generate_documents

    t_start = time.time()
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    docs = generate_documents(args.pool + args.seed_size, seed=args.seed, split="train")
    test = generate_documents(args.test, seed=args.seed + 1000, split="test")
    rng = random.Random(args.seed)
    rng.shuffle(docs)
    seed_set, pool = docs[: args.seed_size], docs[args.seed_size:]
    work = Path(tempfile.mkdtemp(prefix="kaifang-al-"))
    try:
        curves = {name: run_strategy(name, seed_set, pool, test, args, work, log) for name in args.strategies}
        det, prop = train_models(seed_set + pool, work / "full", args.seed, args)
        full = {k: round(v, 4) for k, v in evaluate(det, prop, test).items()}
        full["labels"] = len(seed_set) + len(pool)
        log(f"seed + whole pool: {json.dumps(full)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    target = round(args.target_fraction * full["f1"], 4)
    needed = {name: labels_to_target(c, target) for name, c in curves.items()}
    result = {
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "curves": curves, "full_pool": full, "target_f1": target, "labels_to_target": needed,
        "seconds": round(time.time() - t_start, 1),
    }
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    args.out_json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    plot(curves, full, target, args.out_png)
    log(f"target F1 {target} ({args.target_fraction:.0%} of the whole-pool model's {full['f1']}): "
        f"labels needed: {needed}")
    log(f"wrote {args.out_png} and {args.out_json} in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
