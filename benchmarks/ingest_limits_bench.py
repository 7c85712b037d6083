"""Peak memory of ingesting hostile files, and whether the rest of the batch got in.

Builds a batch at the scale of the 2026-12-02 probe: a Word zip bomb (a few MB that declare
``--bomb-gb`` GB: the probe's was 2.7 MB -> 6.6 GB), a PDF page of 14,400 x 14,400 pt (5.56 GB
if rendered at 216 dpi), an A0 page without text (rendered for OCR at the 9-megapixel cap, then
OCR'd: the most an ordinary large page costs), an image header declaring 40,000 x 40,000 pixels, an owner-password
PDF (AES-256) and a link to a file outside the folder, between ``--good`` ordinary records
(text, Word and text-layer PDF). Then runs ``kaifang ingest`` on it in a fresh process and prints
that process's peak resident memory (``VmHWM``; ``ru_maxrss`` would include the
parent's peak, which Linux carries across exec), the report's counts and every error reason.

Usage: python benchmarks/ingest_limits_bench.py [--bomb-gb 6.6] [--good 30] [--no-ocr-page] [--keep DIR]
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from training import hostile_files as hostile  # noqa: E402
from training import sample_collection as render  # noqa: E402

TEXTS = ["福州市档案局关于开展档案开放审核工作的通知。各县（市）区档案馆：审核范围为一九八七年以前形成的文书档案。",
         "关于一九八七年文书档案移交的说明。移交单位：市政府办公厅。接收单位：市档案馆。",
         "市政府办公厅会议纪要（第三期）。会议研究了档案开放鉴定工作，明确了分工。"]


def build(root: Path, bomb_gb: float, good: int, ocr_page: bool) -> dict:
    root.mkdir(parents=True)
    t0 = time.monotonic()
    bomb_bytes = hostile.write_zip_bomb_docx(root / "0500-bomb.docx", "看似普通的文件", expand_mb=int(bomb_gb * 1024),
                                             members=max(1, round(bomb_gb)))
    hostile.write_huge_page_pdf(root / "0501-huge-page.pdf")
    if ocr_page:  # an A0 page without text: rendered at the cap and OCR'd (blank, so an error row)
        hostile.write_huge_page_pdf(root / "0505-a0-scan.pdf", 2384, 3370)
    hostile.write_png_header(root / "0502-huge.png", 40_000, 40_000)
    hostile.write_owner_password_pdf(root / "0503-owner.pdf", "福州市档案局\n关于档案开放的通知")
    outside = root.parent / "outside-secret.txt"
    outside.write_text("服务器上的文件，不应被读取", encoding="utf-8")
    os.symlink(outside, root / "0504-link.txt")
    for i in range(good):  # before and after the hostile files (ingest goes in name order)
        n = i if i < good // 2 else 1000 + i
        text = TEXTS[i % len(TEXTS)] + f"（第{i}号）"
        kind = i % 3
        if kind == 0:
            render.write_txt(root / f"{n:04d}.txt", text, "gb18030")
        elif kind == 1:
            render.write_docx(root / f"{n:04d}.docx", text)
        else:
            render.write_text_pdf(root / f"{n:04d}.pdf", [text])
    return {"bomb_file_mb": round(bomb_bytes / 2**20, 1), "bomb_declared_gb": bomb_gb,
            "build_seconds": round(time.monotonic() - t0, 1)}


CHILD = """
import json, sys, time
from review_app.db import make_engine, upgrade
from review_app.ingest.runner import LazyOcr, ingest_directory
eng = make_engine(sys.argv[2]); upgrade(eng)
t0 = time.monotonic()
r = ingest_directory(engine=eng, root=sys.argv[1], collection="hostile", ocr=LazyOcr())
hwm = int([l for l in open("/proc/self/status") if l.startswith("VmHWM:")][0].split()[1])
print(json.dumps({"files": r.files_seen, "ingested": r.ingested, "errors": r.errors,
                  "seconds": round(time.monotonic() - t0, 2), "peak_rss_mb": round(hwm / 1024, 1)}))
"""


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--bomb-gb", type=float, default=6.6)
    ap.add_argument("--good", type=int, default=30)
    ap.add_argument("--keep", type=Path, help="build the batch here and keep it")
    ap.add_argument("--no-ocr-page", action="store_true", help="leave out the A0 page (no OCR engine is loaded)")
    args = ap.parse_args(argv)
    with tempfile.TemporaryDirectory() as tmp:
        base = args.keep or Path(tmp)
        root = base / "batch"
        built = build(root, args.bomb_gb, args.good, ocr_page=not args.no_ocr_page)
        out = subprocess.run([sys.executable, "-c", CHILD, str(root), f"sqlite:///{base / 'bench.db'}"], cwd=REPO,
                             capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(REPO)})
        if out.returncode != 0:
            print(out.stderr[-3000:], file=sys.stderr)
            return 1
        result = json.loads(out.stdout.strip().splitlines()[-1])
    result.update(built, good_files=args.good, all_good_ingested=result["ingested"] == args.good + 1,
                  errors={e["path"]: e["reason"] for e in result["errors"]})
    print(json.dumps(result, ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
