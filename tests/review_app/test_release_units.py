"""The parts of the PDF release on their own: the streaming writer and its text layer, locating
and joining masked boxes, OCR character boxes, the catalogue's cells, and a release that holds a
PDF back when it cannot be verified or its source is not what was reviewed."""
from __future__ import annotations

import hashlib
import json

import pytest
from PIL import Image
from sqlmodel import Session

from review_app.ingest.extract import sha256_file
from review_app.redaction.locate import align, mask_boxes, text_runs
from review_app.redaction.pdfwrite import PdfPageWriter, TextRun
from review_app.redaction.verify import find
from review_app.store import release
from review_app.store.release_files import catalogue_xlsx


def _extract(path) -> list[str]:
    import pdfplumber
    import pypdfium2 as pdfium

    with pdfplumber.open(str(path)) as pdf:
        plumber = [p.extract_text() or "" for p in pdf.pages]
    doc = pdfium.PdfDocument(str(path))
    try:
        pdfium_text = [doc[i].get_textpage().get_text_range() for i in range(len(doc))]
    finally:
        doc.close()
    return plumber, pdfium_text


def test_writer_streams_pages_and_every_character_round_trips(tmp_path):
    path = tmp_path / "o.pdf"
    img = Image.new("L", (600, 400), 255)
    sizes = []
    with PdfPageWriter(path, title="J001-0001") as w:
        w.add_page(img, width=300, height=200, runs=[TextRun("申请人𠮷永福，身份证号■■■■ ok\x00", 10, 10, 200, 22)])
        sizes.append(path.stat().st_size)
        w.add_page(img.convert("1"), width=300, height=200, runs=[TextRun("第二页", 10, 30, 60, 42)])
        sizes.append(path.stat().st_size)
        w.add_page(Image.new("RGB", (60, 40), (200, 30, 30)), width=300, height=200, runs=[])
    assert sizes[0] > 0 and sizes[1] > sizes[0]  # each page is on disk once added: memory holds one page
    plumber, pdfium_text = _extract(path)
    for texts in (plumber, pdfium_text):
        assert texts[0].replace(" ", "").startswith("申请人𠮷永福，身份证号■■■■ok".replace(" ", ""))
        assert texts[1] == "第二页" and texts[2] == ""
    again = tmp_path / "again.pdf"
    with PdfPageWriter(again, title="J001-0001") as w:
        w.add_page(img, width=300, height=200, runs=[TextRun("申请人𠮷永福，身份证号■■■■ ok\x00", 10, 10, 200, 22)])
        w.add_page(img.convert("1"), width=300, height=200, runs=[TextRun("第二页", 10, 30, 60, 42)])
        w.add_page(Image.new("RGB", (60, 40), (200, 30, 30)), width=300, height=200, runs=[])
    assert again.read_bytes() == path.read_bytes()  # deterministic: no dates, no random ids


def test_writer_removes_a_partial_file_on_error(tmp_path):
    path = tmp_path / "o.pdf"
    with pytest.raises(RuntimeError):
        with PdfPageWriter(path) as w:
            w.add_page(Image.new("L", (10, 10), 255), width=10, height=10)
            raise RuntimeError("a page failed")
    assert not path.exists()
    with pytest.raises(ValueError, match="at least one page"):
        PdfPageWriter(tmp_path / "empty.pdf").close()


def test_align_and_boxes_never_cover_unmasked_text_between_masks():
    text = "电话139 和 138。"
    glyphs = [(c, 10.0 * i, 0.0, 10.0 * i + 9, 10.0) for i, c in enumerate(c for c in text if c != " ")]
    boxes = align(text, glyphs)
    assert boxes[text.index("和")] == (50.0, 0.0, 59.0, 10.0) and boxes[text.index(" ")] is None
    masked = [2, 3, 4, 8, 9, 10]  # 139 and 138, not 和 between them
    bars = mask_boxes(boxes, masked)
    assert len(bars) == 2
    he = boxes[text.index("和")]
    assert all(b[2] <= he[0] or b[0] >= he[2] for b in bars)  # no bar reaches over 和
    # a glyph OCR read differently: the rest still aligns, the odd one has no box
    boxes = align("身份证号3501", [(c, i, 0, i + 1, 1) for i, c in enumerate("身份证号35O1")])
    assert boxes[6] is None and boxes[7] is not None and boxes[0] is not None
    runs = text_runs("第一行\n第二行", [(0, 0, 1, 1)] * 3 + [None] + [(0, 5, 1, 6)] * 3)
    assert [r.text for r in runs] == ["第一行", "第二行"]


def test_leak_search_normalises_width_spaces_case_and_ocr_digits():
    values = [("ID_NUMBER", "350102198703154511"), ("EMAIL", "Wang@QQ.com")]
    text = "复印件：３５０１０２　１９８７０３\n１５４５１１；邮箱 wang@qq.com；又 35O1O2198703154511"
    hits = find(text, values)
    assert [h[0] for h in hits] == ["ID_NUMBER", "ID_NUMBER", "EMAIL"]
    assert text[hits[0][1]] == "３"


@pytest.mark.parametrize("name", ["rapidocr", "tesseract"])
def test_ocr_character_boxes_line_up_with_its_text(name):
    from review_app.ingest.errors import OcrUnavailable
    from review_app.ingest.ocr import get_engine
    from training.sample_collection import render_scan

    try:
        engine = get_engine(name)
    except OcrUnavailable as exc:
        pytest.skip(str(exc))
    img = render_scan("申请人王秀英，身份证号350102198703154511，\n联系电话13905912345。", seed=3)
    plain, boxed = engine.recognize(img), engine.recognize(img, glyphs=True)
    assert boxed.text == plain.text and not plain.glyphs
    assert "".join(g[0] for g in boxed.glyphs) == "".join(boxed.text.split())
    i = boxed.text.index("3501")
    g = boxed.glyphs[len("".join(boxed.text[:i].split()))]
    assert g[0] == "3" and 0 <= g[1] < g[3] <= img.width and 0 <= g[2] < g[4] <= img.height


def test_xlsx_cells_are_text_never_formulas(tmp_path):
    from openpyxl import load_workbook

    catalogue_xlsx([["=HYPERLINK(\"http://x\")", "题名\x01", 2, "＝SUM(1,2)"]], tmp_path / "c.xlsx")
    ws = load_workbook(tmp_path / "c.xlsx").worksheets[0]
    a2, b2, c2, d2 = ws["A2"], ws["B2"], ws["C2"], ws["D2"]
    # text, never a formula, and quoted as in the CSV (csvsafe), full-width ＝ included
    assert a2.data_type == "s" and a2.value == "'=HYPERLINK(\"http://x\")" and d2.value == "'＝SUM(1,2)"
    assert b2.value == "题名" and c2.value == 2 and ws["A1"].value == "档号" and ws.freeze_panes == "A2"


def _pdf_doc(s, tmp_path, ids_text=("申请人王永福，身份证号350102198703154511，", "联系电话13905912345。")):
    """One born-digital PDF, ingested through extraction, decided OPEN_REDACTED."""
    from release_fixtures import COLLECTION, _decide, _propose, _span
    from release_pdf_fixtures import text_pdf
    from review_app.ingest.extract import extract_file
    from review_app.store import review
    from review_app.tables import Collection, Document

    src = tmp_path / "a.pdf"
    text_pdf(src, [list(ids_text)])
    ex = extract_file(src, lambda: pytest.fail("no OCR at ingest"))
    col = Collection(name=COLLECTION)
    s.add(col)
    s.flush()
    d = Document(collection_id=col.id, reference_code="J009-1", title="申请", source_path=str(src),
                 sha256=sha256_file(src), media_type=ex.media_type, text=ex.text, page_starts=ex.page_starts,
                 page_count=len(ex.page_starts), ocr_pages=ex.ocr_pages,
                 date_text="1998-03-15", year=1998)  # open since 2023: the release may open it
    s.add(d)
    s.flush()
    review.record_detection(session=s, document_id=d.id, model_version="m",
                            spans=[_span(ex.text, "350102198703154511", "ID_NUMBER")])
    _propose(s, d.id, "OPEN_REDACTED", ["PERSONAL_INFO"])
    _decide(s, d.id, "OPEN_REDACTED", ["PERSONAL_INFO"])
    s.commit()
    return d.id, src


def _no_ocr():
    from review_app.ingest.errors import OcrUnavailable

    raise OcrUnavailable("OCR engine 'rapidocr' is not installed: pip install rapidocr onnxruntime")


def test_an_unverifiable_or_changed_pdf_is_held_back_and_nothing_of_it_written(sqlite_engine, tmp_path):
    from release_fixtures import COLLECTION

    with Session(sqlite_engine, expire_on_commit=False) as s:
        doc_id, src = _pdf_doc(s, tmp_path)
        rep = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "r1", actor="a", ocr=_no_ocr)
        (held,) = rep["withheld"]["held_back"]
        assert held["id"] == doc_id and "OCR is needed to redact or verify" in held["reason"]
        assert not list((tmp_path / "r1" / "files").iterdir()) and not list((tmp_path / "r1" / "texts").iterdir())

        src.write_bytes(src.read_bytes() + b"\n% changed\n")
        rep = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "r2", actor="a", ocr=_no_ocr)
        assert "has changed since it was ingested" in rep["withheld"]["held_back"][0]["reason"]
        src.unlink()
        rep = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "r3", actor="a", ocr=_no_ocr)
        assert "is missing" in rep["withheld"]["held_back"][0]["reason"]
        m = json.loads((tmp_path / "r3" / "manifest.json").read_text(encoding="utf-8"))
        assert m["held_back"] == [doc_id] and m["counts"]["withheld"]["held_back"] == 1
        assert hashlib.sha256((tmp_path / "r3" / "manifest.json").read_bytes()).hexdigest() == rep["manifest_sha256"]


def test_word_documents_open_copied_redacted_as_text_only(sqlite_engine, tmp_path):
    from release_fixtures import COLLECTION, _decide, _propose, _span
    from review_app.ingest.extract import extract_file
    from review_app.store import review
    from review_app.tables import Collection, Document
    from training.sample_collection import write_docx

    with Session(sqlite_engine, expire_on_commit=False) as s:
        col = Collection(name=COLLECTION)
        s.add(col)
        s.flush()
        for n, (decision, text) in enumerate((("OPEN", "关于召开居民代表会议的通知"),
                                              ("OPEN_REDACTED", "申请人王永福，电话13905912345。"))):
            src = tmp_path / f"w{n}.docx"
            write_docx(src, text)
            ex = extract_file(src, lambda: pytest.fail("no OCR"))
            d = Document(collection_id=col.id, reference_code=f"W-{n}", title="文", source_path=str(src),
                         sha256=sha256_file(src), media_type=ex.media_type, text=ex.text, page_starts=ex.page_starts,
                         date_text="1998-03-15", year=1998)
            s.add(d)
            s.flush()
            if decision == "OPEN_REDACTED":
                review.record_detection(session=s, document_id=d.id, model_version="m",
                                        spans=[_span(ex.text, "13905912345", "PHONE")])
            _propose(s, d.id, decision, ["PERSONAL_INFO"] if decision != "OPEN" else [])
            _decide(s, d.id, decision, ["PERSONAL_INFO"] if decision != "OPEN" else [])
        s.commit()
        rep = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "rel", actor="a", ocr=_no_ocr)
    out = tmp_path / "rel"
    assert rep["counts"]["released"] == 2 and rep["counts"]["files"] == 1
    assert (out / "files" / "W-0.docx").read_bytes() == (tmp_path / "w0.docx").read_bytes()
    assert not (out / "files" / "W-1.docx").exists()
    assert "■■■■■■■■■■■" in (out / "texts" / "W-1.txt").read_text(encoding="utf-8")
    assert any("W-1" in w and "masked text copy only" in w for w in rep["warnings"])
