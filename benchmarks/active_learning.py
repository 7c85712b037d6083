"""Active-learning simulation: does uncertainty-ordered review teach the models faster than random?

From a seed set of labelled documents, simulated reviewers answer with the gold labels (spans and
decision) of the documents put in front of them, a batch per round. After each round the models
are retrained on everything labelled so far and scored on a fixed held-out test set (synthetic
documents from the HELD-OUT templates, ``split="test"``) with ``models.evaluation.evaluate_records``.

Detector modes (``--ner``):

* ``default`` (decision-only): the shipped default detector (``models/default``) is fixed; its
  spans are computed once per document and cached in memory, and only the decision model
  (``training.train_decision.train_proposer``, spans "both" = gold + detector, like the shipped
  recipe) is retrained each round. ``sensitive_recall`` and span F1 are the default detector's
  and constant by construction; what moves is the decision model (macro F1, leak rate).
* ``rules`` (decision-only): the same with a fixed rules-only detector (weak spans).
* ``retrain`` (full): the NER (``training.ner.train_tagger``, a small CPU config) and the decision
  model are both retrained each round (expensive: minutes per round on CPU).

Orderings of the same pool:

* ``uncertainty``: the documents the current models are least sure about first (the decision
  probabilities' entropy and margin, plus the NER's doubt about its spans: ``training.active``);
* ``random``: a seeded random order (what a queue without active learning amounts to);
* ``active``: the app's queue priority (``training.active``: uncertainty, disagreement between
  policy and model, novelty against what is already labelled, and risk).

Each repeat draws its own seed set and pool (synthetic seed ``--seed + r``) and its own random
order; the test set is the same for all repeats. Round 0 (the seed model) is shared by the
strategies of a repeat. Reported per round and strategy: mean, sample standard deviation, min and
max over repeats of labels used, span micro F1, sensitive_recall, decision macro F1, leak rate,
and F1 = mean(span micro F1, decision macro F1) (the promotion gate's F1). "Labels needed to reach
the target": per repeat, the first round at which F1 (and, separately, decision macro F1) reaches
``target_fraction`` of a model trained on that repeat's seed plus WHOLE pool; averaged over the
repeats that reach it. Curves (mean, band = +-1 sd) go to a PNG (matplotlib), numbers to JSON.

    # decision-only with the shipped detector, 6 repeats (about 15 min on 2 cores; 4-5 min per repeat per core)
    .venv/bin/python benchmarks/active_learning.py --ner default --pool 500 --test 300 --seed-size 20 \
        --batches 10,10,20,20,40,40,60 --repeats 6 --jobs 2 --seed 1 --strategies uncertainty,random,active \
        --out-png benchmarks/figures/active_learning_decision_only.png \
        --out-json benchmarks/results/active_learning_decision_only.json
    # full mode (NER retrained every round; slow)
    .venv/bin/python benchmarks/active_learning.py --pool 160 --test 80 --seed-size 16 --batch 16 --rounds 5 --epochs 4
"""
from __future__ import annotations

import argparse
import json
import random
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

METRICS = ("f1", "span_f1", "sensitive_recall", "decision_macro_f1", "leak_rate")
STYLES = {"uncertainty": ("o-", "tab:blue"), "random": ("s--", "tab:orange"), "active": ("^-.", "tab:green")}


@dataclass
class Args:
    pool: int
    test: int
    seed_size: int
    batch: int
    rounds: int
    batches: list[int]
    repeats: int
    jobs: int
    seed: int
    test_seed: int | None
    epochs: int
    threads: int
    target_fraction: float
    ner: str
    span_source: str
    as_of: str
    strategies: list[str]
    out_png: Path
    out_json: Path


def parse_args(argv=None) -> Args:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--pool", type=int, default=240, help="unlabelled pool size (synthetic, training templates)")
    p.add_argument("--test", type=int, default=120, help="held-out test documents (held-out templates)")
    p.add_argument("--seed-size", type=int, default=24,
                   help="labelled documents before the first round (at least 3 of each decision, rest random)")
    p.add_argument("--batch", type=int, default=24, help="documents reviewed per round (without --batches)")
    p.add_argument("--rounds", type=int, default=6, help="rounds (without --batches)")
    p.add_argument("--batches", default="",
                   help="comma-separated batch size per round, e.g. 10,10,20,20,40 (smaller batches early); "
                        "overrides --batch/--rounds")
    p.add_argument("--repeats", type=int, default=1, help="independent repeats (seed set, pool, random order)")
    p.add_argument("--jobs", type=int, default=1, help="repeats run in parallel processes")
    p.add_argument("--seed", type=int, default=0, help="repeat r uses synthetic/order seed --seed + r")
    p.add_argument("--test-seed", type=int, default=None, help="synthetic seed of the test set (default --seed + 1000)")
    p.add_argument("--epochs", type=int, default=5, help="NER epochs per retraining (--ner retrain)")
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--target-fraction", type=float, default=0.95)
    p.add_argument("--ner", choices=("retrain", "default", "rules"), default="retrain",
                   help="retrain the tagger each round; or keep a fixed detector (default: the shipped "
                        "models/default detector; rules: rules only), cache its spans and retrain only the "
                        "decision model (sensitive_recall then stays flat by construction)")
    p.add_argument("--span-source", choices=("auto", "both", "detector"), default="both",
                   help="spans the decision model trains on (train_proposer's span_source); the shipped "
                        "recipe uses both")
    p.add_argument("--as-of", default="2026-11-24", help="review date for training and evaluation (reproducible)")
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
    try:
        a.batches = [int(x) for x in a.batches.split(",") if x.strip()] or [a.batch] * a.rounds
    except ValueError:
        p.error("--batches takes comma-separated integers")
    if any(b < 1 for b in a.batches):
        p.error("batch sizes must be positive")
    a.rounds = len(a.batches)
    if a.pool < sum(a.batches):
        p.error("--pool must hold at least the sum of the batches")
    if not 0 < a.target_fraction <= 1:
        p.error("--target-fraction must be in (0, 1]")
    if a.repeats < 1 or a.jobs < 1:
        p.error("--repeats and --jobs must be at least 1")
    date.fromisoformat(a.as_of)
    return Args(**vars(a))


def ner_config(epochs: int, threads: int):
    from training.ner import TrainConfig

    return TrainConfig(char_dim=32, bigram_dim=16, hidden=48, epochs=epochs, batch_size=16, lr=1e-2,
                       max_chars=5000, max_bigrams=10000, fp16=False, max_len=128, threads=threads)


class CachedDetector:
    """A fixed detector whose spans are computed once per text and kept in memory."""

    def __init__(self, detector):
        self.detector = detector
        self.version = str(getattr(detector, "version", type(detector).__name__))
        self.cache: dict[str, list] = {}

    def detect_many(self, texts, batch_size: int = 32):
        texts = list(texts)
        missing = list(dict.fromkeys(t for t in texts if t not in self.cache))
        if missing:
            for t, s in zip(missing, self.detector.detect_many(missing, batch_size=batch_size)):
                self.cache[t] = list(s)
        return [list(self.cache[t]) for t in texts]

    def detect(self, text: str):
        return self.detect_many([text])[0]


def fixed_detector(args: Args):
    from models.pipeline import Detector

    if args.ner == "default":
        return CachedDetector(Detector.load(None))
    return CachedDetector(Detector.from_parts(tagger_dir=None, rules_config=ROOT / "models" / "configs" / "rules.toml",
                                              version="al-rules"))


def train_models(labelled: list[dict], work: Path, seed: int, args: Args, fixed=None):
    """Decision model (and, with --ner retrain, a tagger + rules pipeline) on ``labelled``;
    returns (detector, proposer)."""
    from models.decision import DecisionProposer
    from models.pipeline import Detector, save_pipeline
    from training.ner import train_tagger
    from training.train_decision import train_proposer

    if work.exists():
        shutil.rmtree(work)
    work.mkdir(parents=True)
    if fixed is not None:
        detector = fixed
    else:
        rng = random.Random(seed)
        dev = rng.sample(labelled, max(4, len(labelled) // 10))
        train_tagger(labelled, dev, work / "tagger", seed=seed, config=ner_config(args.epochs, args.threads),
                     progress=False)
        save_pipeline(work / "ner", tagger_dir=work / "tagger",
                      rules_config=ROOT / "models" / "configs" / "rules.toml", version=f"al-{work.name}",
                      backend="char_tagger")
        detector = Detector.load(work / "ner")
    train_proposer(labelled, work / "decision", seed=seed, detector=detector, span_source=args.span_source,
                   n_text_features=2 ** 12, as_of=args.as_of)
    return detector, DecisionProposer.load(work / "decision")


def evaluate(detector, proposer, test: list[dict], as_of: str) -> dict:
    from models.evaluation import evaluate_records

    m = evaluate_records(test, detector, proposer, as_of=date.fromisoformat(as_of))
    span_f1, dec_f1 = m["spans"]["micro"]["f1"], m["decisions"]["macro_f1"]
    return {"span_f1": span_f1, "sensitive_recall": m["sensitive_recall"], "decision_macro_f1": dec_f1,
            "leak_rate": m["decisions"]["leak_rate"], "f1": (span_f1 + dec_f1) / 2}


def _proposals(detector, proposer, docs: list[dict], as_of: str):
    from models.decision import record_meta

    texts = [d["text"] for d in docs]
    spans = detector.detect_many(texts)
    results = proposer.propose_many(texts, spans, [record_meta(d) for d in docs], as_of=date.fromisoformat(as_of))
    return texts, spans, results


def uncertainty_scores(detector, proposer, docs: list[dict], as_of: str) -> list[float]:
    from training.active import entropy_margin, span_doubt

    _, spans, results = _proposals(detector, proposer, docs, as_of)
    return [0.75 * entropy_margin(r.probabilities) + 0.25 * span_doubt(s.score for s in sp)
            for r, sp in zip(results, spans)]


def active_scores(detector, proposer, docs: list[dict], labelled: list[dict], as_of: str) -> list[float]:
    """The app's queue priority (training.active): uncertainty, disagreement, novelty, risk."""
    from training.active import ActiveWeights, NoveltyIndex, combine, disagreement, entropy_margin, span_doubt

    texts, spans, results = _proposals(detector, proposer, docs, as_of)
    novelty = NoveltyIndex([d["text"] for d in labelled]).novelty(texts)
    w = ActiveWeights()
    out = []
    for r, sp, n in zip(results, spans, novelty):
        u = 0.75 * entropy_margin(r.probabilities) + 0.25 * span_doubt(s.score for s in sp)
        d = disagreement(r.decision, r.probabilities, [(s.label, s.source, s.score) for s in sp])
        risk = 1.0 - float(r.probabilities.get("OPEN", 0.0))
        out.append(combine(u, d, float(n), risk, w))
    return out


def _point(rnd: int, labelled: list, metrics: dict, t0: float) -> dict:
    return {"round": rnd, "labels": len(labelled), **{k: round(v, 4) for k, v in metrics.items()},
            "seconds": round(time.time() - t0, 1)}


def run_strategy(name: str, seed_set: list[dict], pool: list[dict], test: list[dict], args: Args, seed: int,
                 work: Path, log, round0: tuple, fixed=None) -> list[dict]:
    """One strategy over one repeat; ``round0`` = (detector, proposer, point) of the shared seed model."""
    labelled, remaining = list(seed_set), list(pool)
    rng = random.Random(seed + 1)
    detector, proposer, point = round0
    curve = [point]
    for rnd, batch in enumerate(args.batches, start=1):
        t0 = time.time()
        if name in ("uncertainty", "active"):
            scores = (uncertainty_scores(detector, proposer, remaining, args.as_of) if name == "uncertainty"
                      else active_scores(detector, proposer, remaining, labelled, args.as_of))
            order = sorted(range(len(remaining)), key=lambda i: -scores[i])
        else:
            order = list(range(len(remaining)))
            rng.shuffle(order)
        chosen = set(order[:batch])
        labelled += [remaining[i] for i in sorted(chosen)]  # the simulated reviewer answers with gold
        remaining = [d for i, d in enumerate(remaining) if i not in chosen]
        detector, proposer = train_models(labelled, work / f"{name}-{rnd}", seed, args, fixed)
        point = _point(rnd, labelled, evaluate(detector, proposer, test, args.as_of), t0)
        curve.append(point)
        log(f"[seed {seed}] {name:11s} round {rnd}: {json.dumps(point, ensure_ascii=False)}")
    return curve


def draw_seed_set(docs: list[dict], size: int, rng: random.Random) -> tuple[list[dict], list[dict]]:
    """A random seed set holding at least 3 documents of each decision (the decision model's CV and
    calibration need every class), and the rest as the pool; both in random order."""
    docs = list(docs)
    rng.shuffle(docs)
    chosen: list[int] = []
    for d in ("OPEN", "OPEN_REDACTED", "CLOSED"):
        chosen += [i for i, r in enumerate(docs) if r.get("decision") == d][:3]
    chosen += [i for i in range(len(docs)) if i not in set(chosen)][: max(0, size - len(chosen))]
    chosen_set = set(chosen)
    return [docs[i] for i in sorted(chosen_set)], [d for i, d in enumerate(docs) if i not in chosen_set]


def run_repeat(args: Args, r: int) -> dict:
    """One repeat: its own seed set, pool and random order; every strategy, and the whole-pool model."""
    import torch

    torch.set_num_threads(args.threads)
    from training.synth import generate_documents

    seed = args.seed + r
    log = lambda msg: print(msg, flush=True)  # noqa: E731
    t_start = time.time()
    docs = generate_documents(args.pool + args.seed_size, seed=seed, split="train")
    test = generate_documents(args.test, seed=args.seed + 1000 if args.test_seed is None else args.test_seed,
                              split="test")
    seed_set, pool = draw_seed_set(docs, args.seed_size, random.Random(seed))
    fixed = None
    if args.ner != "retrain":
        fixed = fixed_detector(args)
        t0 = time.time()
        fixed.detect_many([d["text"] for d in seed_set + pool + test])  # once per document, then cached
        log(f"[seed {seed}] detector {fixed.version}: spans of {len(fixed.cache)} documents in "
            f"{time.time() - t0:.1f} s (cached)")
    work = Path(tempfile.mkdtemp(prefix=f"kaifang-al-{seed}-"))
    try:
        t0 = time.time()
        det0, prop0 = train_models(seed_set, work / "seed", seed, args, fixed)
        p0 = _point(0, seed_set, evaluate(det0, prop0, test, args.as_of), t0)
        log(f"[seed {seed}] seed model   round 0: {json.dumps(p0)}")
        curves = {name: run_strategy(name, seed_set, pool, test, args, seed, work, log, (det0, prop0, p0), fixed)
                  for name in args.strategies}
        det, prop = train_models(seed_set + pool, work / "full", seed, args, fixed)
        full = {k: round(v, 4) for k, v in evaluate(det, prop, test, args.as_of).items()}
        full["labels"] = len(seed_set) + len(pool)
        log(f"[seed {seed}] seed + whole pool: {json.dumps(full)}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    targets = {m: round(args.target_fraction * full[m], 4) for m in ("f1", "decision_macro_f1")}
    needed = {m: {name: labels_to_target(c, targets[m], m) for name, c in curves.items()} for m in targets}
    return {"seed": seed, "curves": curves, "full_pool": full, "targets": targets, "labels_to_target": needed,
            "seconds": round(time.time() - t_start, 1)}


def labels_to_target(curve: list[dict], target: float, key: str = "f1") -> int | None:
    for p in curve:
        if p[key] >= target:
            return p["labels"]
    return None


def _stats(values: list[float]) -> dict:
    return {"mean": round(statistics.fmean(values), 4),
            "sd": round(statistics.stdev(values), 4) if len(values) > 1 else 0.0,
            "min": round(min(values), 4), "max": round(max(values), 4)}


def aggregate(repeats: list[dict], strategies: list[str], target_fraction: float) -> dict:
    """Per strategy and round: mean/sd/min/max over repeats; labels-to-target means."""
    curves = {}
    for name in strategies:
        rows = []
        for rnd in range(len(repeats[0]["curves"][name])):
            pts = [rep["curves"][name][rnd] for rep in repeats]
            rows.append({"round": rnd, "labels": pts[0]["labels"],
                         **{m: _stats([p[m] for p in pts]) for m in METRICS}})
        curves[name] = rows
    full = {m: _stats([rep["full_pool"][m] for rep in repeats]) for m in METRICS}
    full["labels"] = repeats[0]["full_pool"]["labels"]
    needed = {}
    for m in ("f1", "decision_macro_f1"):
        needed[m] = {}
        for name in strategies:
            got = [rep["labels_to_target"][m][name] for rep in repeats]
            reached = [g for g in got if g is not None]
            needed[m][name] = {"mean": round(statistics.fmean(reached), 1) if reached else None,
                               "reached": len(reached), "repeats": len(got), "per_repeat": got}
    return {"curves": curves, "full_pool": full, "labels_to_target": needed,
            "target": f"{target_fraction:.0%} of each repeat's seed + whole-pool model (F1, and decision macro F1)"}


def plot(agg: dict, n_repeats: int, title: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    panels = [("f1", "F1 = mean(span micro F1, decision macro F1)"), ("decision_macro_f1", "decision macro F1"),
              ("leak_rate", "leak rate (lower is better)"), ("sensitive_recall", "sensitive_recall"),
              ("span_f1", "span micro F1")]
    fig, grid = plt.subplots(2, 3, figsize=(14, 8))
    axes = list(grid.ravel())
    for ax, (key, ttl) in zip(axes, panels):
        for name, c in agg["curves"].items():
            style, color = STYLES.get(name, ("x-", None))
            x = [p["labels"] for p in c]
            mean = [p[key]["mean"] for p in c]
            sd = [p[key]["sd"] for p in c]
            ax.plot(x, mean, style, color=color, label=f"{name} (mean)", ms=4)
            if n_repeats > 1:
                ax.fill_between(x, [m - s for m, s in zip(mean, sd)], [m + s for m, s in zip(mean, sd)],
                                color=color, alpha=0.15)
        ax.axhline(agg["full_pool"][key]["mean"], color="grey", lw=0.8, ls=":", label="seed + whole pool")
        ax.set_title(ttl, fontsize=9)
        ax.set_xlabel("labelled documents")
        ax.grid(alpha=0.3)
    axes[0].legend(fontsize=8)
    ax = axes[-1]
    names = list(agg["curves"])
    for k, (m, lab) in enumerate((("f1", "F1"), ("decision_macro_f1", "dec. macro F1"))):
        vals = [agg["labels_to_target"][m][n]["mean"] or 0 for n in names]
        bars = ax.bar([i + 0.38 * k for i in range(len(names))], vals, width=0.36, label=f"target on {lab}",
                      alpha=0.8 if k == 0 else 0.5)
        for b, n in zip(bars, names):
            t = agg["labels_to_target"][m][n]
            ax.annotate(f"{t['reached']}/{t['repeats']}", (b.get_x() + b.get_width() / 2, b.get_height()),
                        ha="center", va="bottom", fontsize=7)
    ax.set_xticks([i + 0.19 for i in range(len(names))], names)
    ax.set_title("labels to reach the target\n(mean over the repeats that reach it; label: reached/repeats)", fontsize=9)
    ax.legend(fontsize=8)
    band = f"; band = ±1 sd over {n_repeats} repeats" if n_repeats > 1 else ""
    fig.suptitle(title + band, fontsize=10)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def replot(json_path: Path, png_path: Path) -> None:
    """Redraw the PNG of a stored aggregated result (no retraining)."""
    res = json.loads(Path(json_path).read_text(encoding="utf-8"))
    st = res["settings"]
    plot({k: res[k] for k in ("curves", "full_pool", "labels_to_target")}, st["repeats"],
         f"Active learning vs random review order ({res['mode']}; test: {st['test']} held-out-template documents)",
         Path(png_path))


def main(argv=None) -> int:
    args = parse_args(argv)
    t_start = time.time()
    if args.jobs > 1 and args.repeats > 1:
        import multiprocessing as mp

        with mp.get_context("fork").Pool(min(args.jobs, args.repeats)) as workers:
            repeats = workers.starmap(run_repeat, [(args, r) for r in range(args.repeats)])
    else:
        repeats = [run_repeat(args, r) for r in range(args.repeats)]
    agg = aggregate(repeats, args.strategies, args.target_fraction)
    mode = {"default": "decision-only, shipped default detector, spans cached",
            "rules": "decision-only, rules-only detector", "retrain": "NER + decision retrained"}[args.ner]
    result = {
        "settings": {k: (str(v) if isinstance(v, Path) else v) for k, v in vars(args).items()},
        "mode": mode, **agg, "repeats": repeats, "seconds": round(time.time() - t_start, 1),
    }
    args.out_json.parent.mkdir(parents=True, exist_ok=True)
    args.out_json.write_text(json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8")
    replot(args.out_json, args.out_png)
    for name, c in agg["curves"].items():
        print(f"== {name}: labels " + " ".join(
            f"{p['labels']}:F1 {p['f1']['mean']:.3f}±{p['f1']['sd']:.3f}/dec {p['decision_macro_f1']['mean']:.3f}"
            f"/leak {p['leak_rate']['mean']:.3f}" for p in c))
    print(f"labels to target: {json.dumps(agg['labels_to_target'])}")
    print(f"wrote {args.out_png} and {args.out_json} in {result['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
