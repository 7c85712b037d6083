"""The bundled sample collection ingests cleanly: every format, the documented catalogue gaps,
the encodings it was written in, and the generator's text for the plain-text files."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from ingest_helpers import cer
from review_app.db import session_scope
from review_app.ingest.ocr import get_engine
from review_app.ingest.runner import LazyOcr, ingest_directory
from review_app.tables import Document

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample_collection"


@pytest.mark.slow
def test_sample_collection_ingests_cleanly(sqlite_engine):
    manifest = json.loads((SAMPLE / "manifest.json").read_text(encoding="utf-8"))
    gold = {json.loads(l)["file"]: json.loads(l) for l in (SAMPLE / "gold.jsonl").read_text(encoding="utf-8").splitlines()}
    report = ingest_directory(engine=sqlite_engine, root=SAMPLE / "documents", catalogue=SAMPLE / "catalogue.csv",
                              ocr=LazyOcr(engine=get_engine("rapidocr")))
    assert (report.ingested, report.duplicates, report.errors) == (len(manifest["files"]), 0, [])
    assert report.collection == "J012"
    assert [r["reference_code"] for r in report.unmatched_catalogue_rows] == ["J012-009-9999"]
    assert report.unmatched_files == [f["file"] for f in manifest["files"] if f["reference_code"] is None]
    kinds = {f["file"]: f for f in manifest["files"]}
    with session_scope(sqlite_engine) as s:
        docs = s.exec(select(Document)).all()
    for doc in docs:
        rel = doc.source_path.split("/documents/", 1)[1]
        entry = kinds[rel]
        assert doc.reference_code == entry["reference_code"]
        if entry["kind"] == "txt":
            assert doc.encoding == entry["encoding"]
            if rel in gold:
                assert doc.text == gold[rel]["text"]
        elif entry["kind"] in ("png", "jpg", "tif", "pdf_scanned"):
            assert doc.ocr_pages and cer(gold[rel]["text"], doc.text) < 0.05
        if entry["kind"] in ("pdf_multi", "pdf_scanned"):
            assert doc.page_count == 2
