"""Side-by-side NER benchmark: stock spaCy NER vs. the Kaifang detector (and a transformers model).

    .venv/bin/python benchmarks/ner_bench.py [--model models/default] [--spacy runs/ner/spacy_cluener]
        [--train-spacy-steps 6000] [--synth-test 300] [--threads 2] [--transformers DIR] [--json OUT]

Test sets, in one run:
  * CLUENER2020 dev, mapped (name->PERSON, organization/government/company->ORG, address->LOC),
    scored on PERSON/ORG/LOC only (the labels it annotates);
  * held-out synthetic archival documents (``training.synth.generate_documents(n, seed, "test")``:
    templates training never saw), scored on every label.

Systems:
  (a) stock spaCy NER, efficiency config (``spacy init config -l zh -p ner -o efficiency``),
      trained on the same CLUENER train for a fixed number of steps (trained here into
      ``--spacy`` when that directory is absent);
  (b) the Kaifang detector (rules + CPU tagger, ``models.pipeline.Detector``), and its neural
      component alone;
  (c) a transformers token-classification model from a local directory, when ``--transformers``.

Per system: per-label exact-span F1, micro F1 (via ``models.evaluation.evaluate_records``),
characters per second (wall clock, inference only, after a warm-up), and peak memory (the RSS
high-water mark of a fresh child process that loads the system and runs it, so one system's
memory never counts for another).
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CLUENER_LABELS = ("PERSON", "ORG", "LOC")


# ------------------------------------------------------------------------ spaCy baseline --
def _to_docbin(nlp, records, path: Path) -> None:
    from spacy.tokens import DocBin

    db = DocBin()
    for r in records:
        doc = nlp.make_doc(r["text"])
        ents = []
        for s in r["spans"]:
            sp = doc.char_span(s["start"], s["end"], label=s["label"], alignment_mode="expand")
            if sp is not None:
                ents.append(sp)
        from spacy.util import filter_spans

        doc.ents = filter_spans(ents)
        db.add(doc)
    db.to_disk(path)


def train_spacy_baseline(out: Path, steps: int, seed: int = 0) -> float:
    """Stock efficiency-config NER on CLUENER train (dev = CLUENER dev for spaCy's own
    checkpoint choice, as a stock user would). Returns training seconds."""
    import spacy

    from training.corpora import load_cluener

    work = out.parent / (out.name + "-work")
    work.mkdir(parents=True, exist_ok=True)
    cfg = work / "config.cfg"
    subprocess.run([sys.executable, "-m", "spacy", "init", "config", "-l", "zh", "-p", "ner",
                    "-o", "efficiency", "--force", str(cfg)], check=True, capture_output=True)
    nlp = spacy.blank("zh")
    _to_docbin(nlp, load_cluener("train"), work / "train.spacy")
    _to_docbin(nlp, load_cluener("dev"), work / "dev.spacy")
    t0 = time.time()
    subprocess.run([sys.executable, "-m", "spacy", "train", str(cfg), "--output", str(work),
                    "--paths.train", str(work / "train.spacy"), "--paths.dev",
                    str(work / "dev.spacy"), "--training.max_steps", str(steps),
                    "--training.seed", str(seed), "--training.patience", str(steps),
                    "--nlp.batch_size", "256"], check=True)
    seconds = time.time() - t0
    import shutil

    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(work / "model-best", out)
    (out / "kaifang_train.json").write_text(json.dumps({"steps": steps, "seed": seed,
                                                        "seconds": round(seconds, 1)}))
    return seconds


class SpacyDetector:
    """Adapter: a spaCy pipeline's doc.ents as ``models.spans.Span`` objects."""

    def __init__(self, path: Path):
        import spacy

        self.nlp = spacy.load(path)
        self.version = f"spacy:{path.name}"

    def detect(self, text):
        return self.detect_many([text])[0]

    def detect_many(self, texts, batch_size: int = 32):
        from models.spans import Span

        out = []
        for doc in self.nlp.pipe(texts, batch_size=batch_size):
            out.append([Span(e.start_char, e.end_char, e.label_, 1.0, "spacy")
                        for e in doc.ents if e.end_char > e.start_char])
        return out


class NeuralOnlyDetector:
    def __init__(self, model_dir: Path, backend: str | None = None):
        from models.recognizers.neural import NeuralRecognizer

        self.rec = NeuralRecognizer(model_dir, backend=backend, version=model_dir.name)
        self.version = f"neural:{model_dir.name}"

    def detect(self, text):
        return self.rec.find(text)

    def detect_many(self, texts, batch_size: int = 32):
        return self.rec.find_many(texts)


def _tagger_dir(model: Path) -> Path:
    for cand in (model / "ner" / "tagger", model / "tagger", model):
        if (cand / "vocab.json").is_file():
            return cand
    raise FileNotFoundError(f"no tagger under {model}")


def make_system(kind: str, path: str):
    p = Path(path)
    if kind == "spacy":
        return SpacyDetector(p)
    if kind in ("detector", "detector_fp32", "detector_q8"):
        from models.pipeline import Detector

        q = {"detector": None, "detector_fp32": False, "detector_q8": True}[kind]
        return Detector.load(p, quantize=q)
    if kind == "neural":
        return NeuralOnlyDetector(_tagger_dir(p))
    if kind == "transformers":
        return NeuralOnlyDetector(p, backend="transformers")
    raise ValueError(kind)


# --------------------------------------------------------------------------- measuring --
def load_sets(synth_n: int, synth_seed: int) -> dict[str, list[dict]]:
    from training.corpora import load_cluener
    from training.synth import generate_documents

    cluener = load_cluener("dev")
    for r in cluener:
        r.setdefault("labels_annotated", list(CLUENER_LABELS))
    return {"cluener_dev": cluener,
            "synth_test": generate_documents(synth_n, seed=synth_seed, split="test")}


def restrict(result_spans: dict, labels) -> dict:
    return {k: v for k, v in result_spans.items() if k in labels or k == "micro"}


def run_one(kind: str, path: str, sets_file: str, threads: int) -> dict:
    """In a child process: load, warm up, evaluate each set; report speed and peak RSS."""
    import resource

    import torch

    torch.set_num_threads(threads)
    from models.evaluation import evaluate_records

    sets = json.loads(Path(sets_file).read_text(encoding="utf-8"))
    t0 = time.time()
    system = make_system(kind, path)
    system.detect_many([sets["cluener_dev"][0]["text"]])  # lazy loads happen here
    load_s = time.time() - t0
    out = {"system": kind, "path": path, "load_seconds": round(load_s, 2)}
    for name, records in sets.items():
        if name == "cluener_dev":
            # score only the labels CLUENER annotates: drop predictions of the others
            recs = [dict(r, spans=r["spans"]) for r in records]
            res = evaluate_records(recs, _LabelFilter(system, CLUENER_LABELS))
        else:
            res = evaluate_records(records, system)
        out[name] = {"spans": res["spans"], "spans_overlap_micro": res["spans_overlap"]["micro"],
                     "sensitive_recall": res.get("sensitive_recall"),
                     "chars_per_second": res["chars_per_second"],
                     "characters": res["characters"], "documents": res["documents"]}
    # one clean throughput figure: all texts of both sets, after warm-up
    texts = [r["text"] for recs in sets.values() for r in recs]
    n_chars = sum(map(len, texts))
    walls, cpus = [], []
    for _ in range(2):  # best of two: the machine may be shared
        t1, c1 = time.perf_counter(), time.process_time()
        system.detect_many(texts, batch_size=32)
        walls.append(time.perf_counter() - t1)
        cpus.append(time.process_time() - c1)
    out["throughput_chars_per_second"] = round(n_chars / min(walls))
    # CPU-time throughput: characters per CPU-second of this process (all its threads). On a
    # machine shared with other jobs, wall-clock speed measures the neighbours; this does not.
    out["chars_per_cpu_second"] = round(n_chars / min(cpus))
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


class _LabelFilter:
    def __init__(self, system, labels):
        self.system, self.labels = system, set(labels)

    def detect(self, text):
        return [s for s in self.system.detect(text) if s.label in self.labels]

    def detect_many(self, texts, batch_size: int = 32):
        return [[s for s in spans if s.label in self.labels]
                for spans in self.system.detect_many(texts, batch_size=batch_size)]


def _child(kind: str, path: str, sets_file: str, threads: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1")
    proc = subprocess.run([sys.executable, __file__, "--_child", kind, path, sets_file,
                           str(threads)], capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {path} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def fmt_table(results: list[dict]) -> str:
    lines = []
    header = (f"{'system':<26}{'set':<13}{'PERSON':>8}{'ORG':>8}{'LOC':>8}{'ADDR':>8}"
              f"{'HEALTH':>8}{'LEGAL':>8}{'micro':>8}{'chars/s':>10}")
    lines.append(header)
    for r in results:
        for name in ("cluener_dev", "synth_test"):
            sp = r[name]["spans"]

            def f(lab):
                return f"{sp[lab]['f1']:.3f}" if lab in sp else "-"
            lines.append(f"{r['label']:<26}{name:<13}{f('PERSON'):>8}{f('ORG'):>8}{f('LOC'):>8}"
                         f"{f('ADDRESS'):>8}{f('HEALTH'):>8}{f('LEGAL_RECORD'):>8}"
                         f"{f('micro'):>8}{r[name]['chars_per_second']:>10}")
        lines.append(f"{'':<26}throughput {r['throughput_chars_per_second']} chars/s wall, "
                     f"{r['chars_per_cpu_second']} chars per CPU-second, "
                     f"peak RSS {r['peak_rss_mb']} MB, load {r['load_seconds']} s")
    return "\n".join(lines)


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--_child":
        kind, path, sets_file, threads = sys.argv[2:6]
        print(json.dumps(run_one(kind, path, sets_file, int(threads)), ensure_ascii=False))
        return 0
    ap = argparse.ArgumentParser(description="side-by-side NER benchmark")
    ap.add_argument("--model", default=str(ROOT / "models" / "default"))
    ap.add_argument("--spacy", default=str(ROOT / "runs" / "ner" / "spacy_cluener"))
    ap.add_argument("--train-spacy-steps", type=int, default=6000)
    ap.add_argument("--synth-test", type=int, default=300)
    ap.add_argument("--synth-seed", type=int, default=20261124)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--transformers", default=None)
    ap.add_argument("--extra-model", action="append", default=[],
                    help="LABEL=DIR: another model version (e.g. without pre-training)")
    ap.add_argument("--speed-metric", choices=("wall", "cpu"), default="wall",
                    help="wall: characters per second on --threads cores (use on a quiet "
                         "machine); cpu: per CPU-second (use on a shared, busy machine)")
    ap.add_argument("--variants", action="store_true",
                    help="also fp32 / int8 detector and the neural component alone")
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args(argv)

    load_start = f"{os.getloadavg()[0]:.2f}"
    spacy_dir = Path(args.spacy)
    if not (spacy_dir / "config.cfg").is_file():
        print(f"training the spaCy baseline ({args.train_spacy_steps} steps) into {spacy_dir}",
              file=sys.stderr)
        train_spacy_baseline(spacy_dir, args.train_spacy_steps)
    sets = load_sets(args.synth_test, args.synth_seed)
    sets_file = ROOT / "runs" / "ner" / "bench_sets.json"
    sets_file.parent.mkdir(parents=True, exist_ok=True)
    sets_file.write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
    systems = [("spacy efficiency (stock)", "spacy", str(spacy_dir)),
               ("kaifang detector (shipped)", "detector", args.model)]
    if args.variants:
        systems += [("kaifang detector fp32", "detector_fp32", args.model),
                    ("kaifang detector int8", "detector_q8", args.model),
                    ("kaifang neural only fp32", "neural", args.model)]
    for spec in args.extra_model:
        label, _, path = spec.partition("=")
        systems.append((label, "detector", path))
    if args.transformers:
        systems.append(("transformers", "transformers", args.transformers))
    results = []
    for label, kind, path in systems:
        print(f"running {label} ...", file=sys.stderr)
        r = _child(kind, path, str(sets_file), args.threads)
        r["label"] = label
        results.append(r)
    print(fmt_table(results))
    spacy_r, det_r = results[0], results[1]
    verdict = {
        "cluener_micro_f1": (det_r["cluener_dev"]["spans"]["micro"]["f1"],
                             spacy_r["cluener_dev"]["spans"]["micro"]["f1"]),
        "chars_per_cpu_second": (det_r["chars_per_cpu_second"],
                                 spacy_r["chars_per_cpu_second"]),
        "throughput_wall": (det_r["throughput_chars_per_second"],
                            spacy_r["throughput_chars_per_second"]),
    }
    speed_key = "throughput_wall" if args.speed_metric == "wall" else "chars_per_cpu_second"
    beats = all(verdict[k][0] > verdict[k][1] for k in ("cluener_micro_f1", speed_key))
    print(f"threads {args.threads}; speed compared by {speed_key}; load average at start "
          f"{load_start}, at end {os.getloadavg()[0]:.2f}")
    print(f"detector vs stock spaCy: {json.dumps(verdict)} -> "
          f"{'BEATS on both' if beats else 'does NOT beat on both'}")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "verdict": verdict,
                                               "beats_spacy": beats, "threads": args.threads,
                                               "speed_metric": speed_key,
                                               "load_start": load_start},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
