"""Hostile files in an ingest batch: each becomes an ingest-error row with a reason, the rest of
the batch is ingested, nothing outside the folder is read, and memory stays bounded.

The probe of 0c6a129: a 2.7 MB zip-bomb .docx took 6.6 GB and aborted the batch (later files
lost); a 14,400-pt PDF page rendered to 5.56 GB; an owner-password PDF came out as (cid:…)
garbage; a symbolic link out of the folder was followed and read.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlmodel import Session, select

from review_app.ingest import limits
from review_app.ingest.errors import ExtractionError
from review_app.ingest.extract import extract_file, garbled
from review_app.ingest.runner import LazyOcr, ingest_directory
from review_app.tables import Document, IngestError
from training import hostile_files as hostile
from training import sample_collection as render

REPO = Path(__file__).resolve().parents[2]
GOOD = ["福州市档案局关于开展档案开放审核工作的通知。", "关于一九八七年文书档案移交的说明。", "市政府办公厅会议纪要（第三期）。"]


def _no_ocr():
    raise AssertionError("no page here may reach OCR")


def hostile_batch(root: Path, bomb_mb: int = 300) -> Path:
    """A folder: three good text files around a zip bomb, a huge page, a billion-pixel image
    header, an owner-password PDF and a link to a file outside the folder."""
    root.mkdir(parents=True)
    for i, text in enumerate(GOOD):
        render.write_txt(root / f"{i}-good.txt", text, "utf-8")
    hostile.write_zip_bomb_docx(root / "1-bomb.docx", "看似普通的文件", expand_mb=bomb_mb)
    hostile.write_huge_page_pdf(root / "1-huge-page.pdf")
    hostile.write_png_header(root / "1-huge.png", 40_000, 40_000)
    hostile.write_owner_password_pdf(root / "2-owner.pdf", "福州市档案局\n关于档案开放的通知")
    secret = root.parent / "secret.txt"
    secret.write_text("服务器上的口令文件 root:x:0:0", encoding="utf-8")
    os.symlink(secret, root / "2-link.txt")
    return root


def test_each_hostile_file_is_refused_with_a_reason(tmp_path):
    root = hostile_batch(tmp_path / "in", bomb_mb=300)
    reasons = {}
    for name in ("1-bomb.docx", "1-huge-page.pdf", "1-huge.png"):
        with pytest.raises(ExtractionError) as exc:
            extract_file(root / name, _no_ocr)
        reasons[name] = exc.value.reason
    assert "zip bomb" in reasons["1-bomb.docx"] and "301 MB" in reasons["1-bomb.docx"]
    assert "14,400 x 14,400 pt" in reasons["1-huge-page.pdf"] and "megapixels" in reasons["1-huge-page.pdf"]
    assert "too large" in reasons["1-huge.png"]
    # an owner password restricts printing and copying, not reading: decrypted, not garbage
    out = extract_file(root / "2-owner.pdf", _no_ocr)
    assert out.text == "福州市档案局\n关于档案开放的通知" and "(cid:" not in out.text


def test_zip_ratio_and_xml_caps(tmp_path):
    p = tmp_path / "ratio.docx"
    hostile.write_zip_bomb_docx(p, "文件", expand_mb=20)  # small in all, but 1000:1
    with pytest.raises(ExtractionError, match="expands .* times"):
        extract_file(p, _no_ocr)
    assert limits.MAX_ZIP_RATIO == 200


def test_render_scale_is_lowered_to_fit_and_refused_below_72_dpi():
    assert limits.render_scale(595, 842, 1, 3.0) == 3.0  # A4 at 216 dpi: 4.5 megapixels
    a0 = limits.render_scale(2384, 3370, 1, 3.0)
    assert 1.0 < a0 < 3.0 and 2384 * 3370 * a0 ** 2 <= limits.MAX_RENDER_PIXELS
    with pytest.raises(ExtractionError, match="72 dpi"):
        limits.render_scale(14400, 14400, 3, 3.0)


def test_a_cid_only_text_layer_counts_as_no_text():
    assert garbled("(cid:12)(cid:345)(cid:9)(cid:77) (cid:1)")
    assert not garbled("福州市档案局 (cid:3) 通知")


def test_the_batch_goes_on_and_nothing_outside_is_read(engine, tmp_path):
    root = hostile_batch(tmp_path / "in", bomb_mb=300)
    report = ingest_directory(engine=engine, root=root, collection="恶意批次", ocr=LazyOcr(engine=None), actor="t")
    errors = {e["path"]: e["reason"] for e in report.errors}
    assert set(errors) == {"1-bomb.docx", "1-huge-page.pdf", "1-huge.png", "2-link.txt"}
    assert "outside the ingest folder" in errors["2-link.txt"]
    assert report.ingested == 4  # the three good files after the bomb, and the owner-password PDF
    with Session(engine) as s:
        texts = [d.text for d in s.exec(select(Document))]
        assert all("root:x" not in t for t in texts)
        assert {t for t in texts if t in GOOD} == set(GOOD)
        assert len(s.exec(select(IngestError)).all()) == 4


def test_a_catalogue_reference_code_too_long_for_the_store_is_an_error_row(engine, tmp_path):
    root = tmp_path / "in"
    root.mkdir()
    long_code = "J" + "档" * 240
    render.write_txt(root / "a.txt", GOOD[0], "utf-8")
    render.write_txt(root / "b.txt", GOOD[1], "utf-8")
    cat = tmp_path / "目录.csv"
    cat.write_text(f"档号,题名,文件名\n{long_code},太长的档号,a.txt\nJ1-0002,正常,b.txt\n", encoding="utf-8")
    report = ingest_directory(engine=engine, root=root, catalogue=cat, collection="长档号", ocr=LazyOcr(engine=None))
    assert report.ingested == 1 and [e["path"] for e in report.errors] == ["a.txt"]
    assert "档号" in report.errors[0]["reason"] and "200" in report.errors[0]["reason"]


def test_peak_memory_of_a_hostile_batch_stays_under_1_gb(tmp_path):
    """In a fresh process (so the figure is this batch's own): bomb, huge page, huge image. The peak is
    the process's VmHWM (ru_maxrss would carry over the forking pytest's peak across exec)."""
    root = hostile_batch(tmp_path / "in", bomb_mb=1024)  # declares 1 GiB: what a bomb looks like to the reader
    script = (
        "import json, sys\n"
        "from review_app.db import make_engine, upgrade\n"
        "from review_app.ingest.runner import LazyOcr, ingest_directory\n"
        "eng = make_engine(sys.argv[2]); upgrade(eng)\n"
        "r = ingest_directory(engine=eng, root=sys.argv[1], collection='mem', ocr=LazyOcr(engine=None))\n"
        "hwm = [l for l in open('/proc/self/status') if l.startswith('VmHWM:')][0].split()[1]\n"
        "print(json.dumps({'ingested': r.ingested, 'errors': len(r.errors), 'peak_mb': int(hwm) / 1024}))\n")
    out = subprocess.run([sys.executable, "-c", script, str(root), f"sqlite:///{tmp_path / 'm.db'}"], cwd=REPO,
                         capture_output=True, text=True, timeout=300, env={**os.environ, "PYTHONPATH": str(REPO)})
    assert out.returncode == 0, out.stderr[-2000:]
    result = json.loads(out.stdout.strip().splitlines()[-1])
    assert result["ingested"] == 4 and result["errors"] == 4
    assert result["peak_mb"] < 1024, result


def test_a_pdf_stream_bomb_is_refused_while_reading_its_text(tmp_path, monkeypatch):
    p = tmp_path / "stream-bomb.pdf"
    size = hostile.write_stream_bomb_pdf(p, expand_mb=40)
    assert size < 200_000  # 40 MB of page content in a few dozen KB
    monkeypatch.setattr(limits, "MAX_PDF_STREAM", 16 * 1024 * 1024)
    with pytest.raises(ExtractionError, match="decompression bomb"):
        extract_file(p, _no_ocr)
    from pdfminer import pdftypes
    import zlib

    assert pdftypes.zlib is zlib  # pdfminer is left as it was found
