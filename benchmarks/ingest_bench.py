"""Ingestion and OCR throughput.

1. Ingestion: N generated Chinese text files (UTF-8, GB18030, Big5 mixed) ingested by the real
   runner into a fresh SQLite database (one commit and one audit event per document).
2. OCR: generated scanned pages (rendered with the CJK font, mild skew and speckle noise, plus a
   harder set: smaller type, more noise and skew; about 600 characters a page), recognised by RapidOCR and, if installed,
   Tesseract chi_sim; prints characters/s, seconds/page and the character error rate (CER:
   Levenshtein distance / reference length, ignoring whitespace and full/half width).

Usage: python benchmarks/ingest_bench.py [--docs 1000] [--pages 6] [--engines rapidocr,tesseract] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import unicodedata
from pathlib import Path

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training import sample_collection as render  # noqa: E402


def _texts(n: int, seed: int) -> list[str]:
    """Realistic record texts: training.synth when present, else the renderer's fallback records."""
    try:
        from training.synth import generate_documents

        return [r["text"] for r in generate_documents(n, seed, split="test")]
    except ImportError:
        rng = random.Random(seed)
        base = render.FALLBACK_RECORDS
        return [base[i % len(base)]["text"] + f"\n（卷内顺序号：{i + 1}，页数：{rng.randint(1, 40)}）" for i in range(n)]


def _norm(s: str) -> str:
    return "".join(unicodedata.normalize("NFKC", s).split())


def cer(reference: str, hypothesis: str) -> float:
    ref, hyp = _norm(reference), _norm(hypothesis)
    prev = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        cur = [i] + [0] * len(hyp)
        for j, h in enumerate(hyp, 1):
            cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (r != h))
        prev = cur
    return prev[-1] / max(len(ref), 1)


def bench_ingest(n: int, seed: int) -> dict:
    from review_app.db import make_engine, upgrade
    from review_app.ingest.runner import LazyOcr, ingest_directory

    texts = _texts(n, seed)
    with tempfile.TemporaryDirectory(prefix="kaifang-bench-") as tmp:
        root = Path(tmp) / "files"
        encodings = ("utf-8", "gb18030", "utf-8", "gb18030")
        for i, text in enumerate(texts):
            render.write_txt(root / f"{i // 100:02d}" / f"BENCH-{i:05d}.txt", text, encodings[i % len(encodings)])
        for i, rec in enumerate(render.BIG5_RECORDS):
            render.write_txt(root / "big5" / f"BIG5-{i}.txt", rec["text"], "big5")
        total_files = n + len(render.BIG5_RECORDS)
        engine = make_engine(f"sqlite:///{Path(tmp) / 'bench.db'}")
        upgrade(engine)
        t0 = time.perf_counter()
        report = ingest_directory(engine=engine, root=root, collection="bench", ocr=LazyOcr(engine=None))
        elapsed = time.perf_counter() - t0
        t1 = time.perf_counter()
        again = ingest_directory(engine=engine, root=root, collection="bench", ocr=LazyOcr(engine=None))
        rerun = time.perf_counter() - t1
        engine.dispose()
    chars = sum(len(t) for t in texts)
    return {"files": total_files, "ingested": report.ingested, "errors": len(report.errors),
            "seconds": round(elapsed, 2), "docs_per_s": round(report.ingested / elapsed, 1),
            "chars_per_s": round(chars / elapsed), "rerun_duplicates": again.duplicates,
            "rerun_seconds": round(rerun, 2)}


def _pages(n: int, seed: int, hard: bool, chars_per_page: int = 600) -> list[tuple[str, object]]:
    """``n`` scanned pages of about ``chars_per_page`` characters (records joined as a file would be)."""
    texts = _texts(n * 8, seed + (7 if hard else 0))
    pages = []
    for i in range(n):
        page = ""
        while len(page) < chars_per_page and texts:
            page += ("\n" if page else "") + texts.pop(0)
        page = page[:chars_per_page]
        if hard:
            img = render.render_scan(page, seed=seed + i, width=900, font_size=20, noise=0.012, max_angle=1.5)
        else:
            img = render.render_scan(page, seed=seed + i)
        pages.append((page, img))
    return pages


def bench_ocr(engines: list[str], n: int, seed: int) -> list[dict]:
    from review_app.ingest.errors import OcrUnavailable
    from review_app.ingest.ocr import get_engine

    results = []
    sets = {"normal": _pages(n, seed, hard=False), "hard": _pages(n, seed, hard=True)}
    for name in engines:
        try:
            engine = get_engine(name)
        except OcrUnavailable as exc:
            results.append({"engine": name, "skipped": str(exc)})
            continue
        t = time.perf_counter()
        engine.recognize(sets["normal"][0][1])  # load models outside the timing
        load = time.perf_counter() - t
        for set_name, pages in sets.items():
            chars = 0
            errors = []
            t0 = time.perf_counter()
            outs = [engine.recognize(img).text for _, img in pages]
            elapsed = time.perf_counter() - t0
            for (ref, _), out in zip(pages, outs):
                chars += len(_norm(out))
                errors.append(cer(ref, out))
            results.append({"engine": name, "set": set_name, "pages": len(pages), "seconds": round(elapsed, 2),
                            "s_per_page": round(elapsed / len(pages), 2), "chars_per_s": round(chars / elapsed),
                            "cer_mean": round(sum(errors) / len(errors), 4), "cer_max": round(max(errors), 4),
                            "model_load_s": round(load, 2)})
    return results


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description="Kaifang ingestion and OCR throughput")
    ap.add_argument("--docs", type=int, default=1000, help="text files to ingest (default 1000)")
    ap.add_argument("--pages", type=int, default=6, help="scanned pages per OCR set (default 6)")
    ap.add_argument("--engines", default="rapidocr,tesseract")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--skip-ocr", action="store_true")
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    if args.docs < 1 or args.pages < 1:
        ap.error("--docs and --pages must be positive")
    import logging

    logging.getLogger("RapidOCR").setLevel(logging.WARNING)
    ing = bench_ingest(args.docs, args.seed)
    ocr = [] if args.skip_ocr else bench_ocr([e.strip() for e in args.engines.split(",") if e.strip()],
                                             args.pages, args.seed)
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    machine = {"cpus": os.cpu_count(), "load_avg_1min": round(load, 2)}
    if args.json:
        print(json.dumps({"machine": machine, "ingest": ing, "ocr": ocr}, ensure_ascii=False, indent=1))
        return
    print(f"machine: {machine['cpus']} CPUs, 1-min load average {machine['load_avg_1min']} at the end of the run")
    print(f"ingestion: {ing['ingested']} of {ing['files']} text files into a fresh SQLite DB in {ing['seconds']} s "
          f"= {ing['docs_per_s']} documents/s ({ing['chars_per_s']} chars/s), errors {ing['errors']}; "
          f"re-run: {ing['rerun_duplicates']} duplicates in {ing['rerun_seconds']} s")
    for r in ocr:
        if "skipped" in r:
            print(f"ocr {r['engine']}: skipped ({r['skipped']})")
            continue
        print(f"ocr {r['engine']:9s} {r['set']:6s}: {r['pages']} pages, {r['s_per_page']} s/page, "
              f"{r['chars_per_s']} chars/s, CER mean {r['cer_mean']:.2%} max {r['cer_max']:.2%} "
              f"(model load {r['model_load_s']} s)")


if __name__ == "__main__":
    main()
