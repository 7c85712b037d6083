"""Release throughput with verification, and its memory per page.

Generates archival records (``training.synth`` texts, each page with an ID number and a phone
number to mask) as born-digital A4 PDFs (text layer) and as scanned A4 pages (PNG at 150 dpi,
and one multi-page TIFF at 300 dpi), ingests them with the real runner (OCR included, not
timed), marks every ID and phone as an accepted span, decides OPEN_REDACTED, then times
``write_release``: per page locate the masked characters (text layer, or OCR for scans), burn
the boxes, rebuild the page, then read the written PDF back (text layer + OCR of the rendered
page) for the leak check. Prints pages per second and the peak resident memory of the release
alone (``VmHWM`` after resetting it through ``/proc/self/clear_refs``), per kind of source; the
two TIFF sizes show whether memory grows with the page count.

Usage: python benchmarks/release_bench.py [--born 4] [--scans 4] [--tiff 2,6] [--json]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from training import sample_collection as render  # noqa: E402

ID_RE = re.compile(r"(?<!\d)\d{17}[\dX](?!\d)")
PHONE_RE = re.compile(r"(?<!\d)1[3-9]\d{9}(?!\d)")


def _pages(n: int, seed: int) -> list[str]:
    """``n`` page texts of about 300 characters, each with an ID number and a mobile number."""
    try:
        from training.synth import generate_documents

        texts = [r["text"] for r in generate_documents(max(n, 1), seed, split="test")]
    except Exception:  # no training.synth, or its gazetteers (../shared/datasets) are not here
        texts = [r["text"] for r in render.FALLBACK_RECORDS]
    out = []
    for i in range(n):
        body = texts[i % len(texts)].replace("\n\n", "\n")[:260]
        ident = f"3501{(i * 7919) % 100:02d}19{60 + i % 30:02d}0{1 + i % 9}1{i % 10}{(i * 37) % 1000:03d}X"
        out.append(f"{body}\n经办人联系电话139{(i * 104729) % 10 ** 8:08d}，身份证号{ident}。")
    return out


def _vm_hwm_reset() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as fh:
            fh.write("5")
        return True
    except OSError:
        return False


def _vm_mb(field: str = "VmHWM") -> float | None:
    """``VmHWM`` (peak resident memory) or ``VmRSS`` (now) of this process, in MB."""
    try:
        for line in open("/proc/self/status", encoding="ascii"):
            if line.startswith(field + ":"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return None


def _mark_and_decide(engine, collection: str) -> int:
    from sqlmodel import Session, select

    from models.spans import Span
    from review_app.store import review
    from review_app.store.documents import get_collection
    from review_app.tables import Document

    n = 0
    with Session(engine, expire_on_commit=False) as s:
        col = get_collection(session=s, name=collection)
        for doc in s.exec(select(Document).where(Document.collection_id == col.id)).all():
            spans = [Span(m.start(), m.end(), label, 0.99, "bench")
                     for rx, label in ((ID_RE, "ID_NUMBER"), (PHONE_RE, "PHONE")) for m in rx.finditer(doc.text)]
            rows = review.record_detection(session=s, document_id=doc.id, model_version="bench", spans=spans)
            v = lambda: review.document_version(session=s, document_id=doc.id)  # noqa: E731
            review.propose(session=s, document_id=doc.id, result={
                "decision": "OPEN_REDACTED", "reasons": ["PERSONAL_INFO"], "closure": None, "confidence": 0.9,
                "probabilities": {"OPEN": 0.05, "OPEN_REDACTED": 0.9, "CLOSED": 0.05}, "model_version": "bench"})
            for r in rows:
                review.accept_span(session=s, span_id=r.id, actor="bench", version=v())
            review.decide(session=s, document_id=doc.id, actor="rev", decision="OPEN_REDACTED",
                          reasons=["PERSONAL_INFO"], version=v())
            review.finalize(session=s, document_id=doc.id, actor="com", decision="OPEN_REDACTED",
                            reasons=["PERSONAL_INFO"], version=v())
            n += len(spans)
        s.commit()
    return n


def _release(engine, root: Path, collection: str, ocr) -> dict:
    from sqlmodel import Session

    from review_app.store.release import write_release

    before = _vm_mb("VmRSS")
    reset = _vm_hwm_reset()
    t0 = time.perf_counter()
    with Session(engine, expire_on_commit=False) as s:
        rep = write_release(session=s, collection=collection, out_dir=root / f"release-{collection}", actor="bench",
                            ocr=ocr)
    dt = time.perf_counter() - t0
    pages = rep["verification"]["pdf_pages"]
    return {"documents": rep["counts"]["released"], "held_back": len(rep["withheld"]["held_back"]),
            "pages": pages, "seconds": round(dt, 2), "pages_per_second": round(pages / dt, 3) if dt else None,
            "seconds_per_page": round(dt / pages, 2) if pages else None,
            "rss_before_mb": before, "peak_rss_mb": _vm_mb() if reset else None,
            "checked": rep["verification"]["checked"]}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--born", type=int, default=4, help="born-digital PDFs (2 pages each)")
    ap.add_argument("--scans", type=int, default=4, help="scanned pages (one PNG each, A4 at 150 dpi)")
    ap.add_argument("--tiff", default="2,6", help="page counts of multi-page 300-dpi TIFFs (memory per page)")
    ap.add_argument("--seed", type=int, default=16)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args()

    from review_app.db import make_engine, upgrade
    from review_app.ingest.runner import LazyOcr, ingest_directory

    ocr = LazyOcr("rapidocr")
    results: dict = {"threads": os.environ.get("KAIFANG_OCR_THREADS", "1"), "cpus": os.cpu_count()}
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        eng = make_engine(f"sqlite:///{root / 'bench.db'}")
        upgrade(eng)
        texts = _pages(2 * args.born + args.scans + sum(int(x) for x in args.tiff.split(",") if x), args.seed)
        sets: dict[str, Path] = {}
        if args.born:
            d = sets["born_digital_pdf"] = root / "born"
            d.mkdir()
            for i in range(args.born):
                render.write_text_pdf(d / f"b{i}.pdf", texts[2 * i:2 * i + 2])
        k = 2 * args.born
        if args.scans:
            d = sets["scan_png_150dpi"] = root / "scans"
            d.mkdir()
            for i in range(args.scans):
                render.write_image(d / f"s{i}.png", render.render_scan(texts[k + i], seed=i, width=1240, font_size=34),
                                   "png")
        k += args.scans
        for n in (int(x) for x in args.tiff.split(",") if x):
            d = sets[f"tiff_300dpi_{n}_pages"] = root / f"tiff{n}"
            d.mkdir()
            frames = [render.render_scan(texts[k + j], seed=100 + j, width=2480, font_size=60, noise=0.002)
                      for j in range(n)]
            k += n
            frames[0].save(d / "t.tif", save_all=True, append_images=frames[1:], compression="tiff_lzw",
                           dpi=(300, 300))
        for name, d in sets.items():
            # a catalogue dating the records 1998: open since 2023, so the release's guard on
            # closed periods (an undated record is held back) lets them through
            cat = root / f"{name}-catalogue.csv"
            cat.write_text("文件名,档号,题名,日期\n" + "".join(f"{f.name},{name}-{i:04d},记录{i},1998-03-15\n"
                                                           for i, f in enumerate(sorted(d.iterdir()))),
                           encoding="utf-8")
            t0 = time.perf_counter()
            ingest_directory(engine=eng, root=d, collection=name, catalogue=cat, ocr=ocr)
            ingest_s = time.perf_counter() - t0
            spans = _mark_and_decide(eng, name)
            res = _release(eng, root, name, ocr)
            res.update({"masked_spans": spans, "ingest_seconds_not_in_rate": round(ingest_s, 1)})
            results[name] = res
            if not args.json:
                print(f"{name}: {res['pages']} pages in {res['seconds']} s = {res['pages_per_second']} pages/s "
                      f"({res['seconds_per_page']} s/page), RSS {res['rss_before_mb']} MB before, peak {res['peak_rss_mb']} MB, "
                      f"held back {res['held_back']}", file=sys.stderr)
        eng.dispose()
    print(json.dumps(results, ensure_ascii=False, indent=None if args.json else 2))


if __name__ == "__main__":
    main()
