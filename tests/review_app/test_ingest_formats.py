"""Extraction from real generated files: .txt, .docx (with a table), PDF (text layer, scanned,
corrupt, encrypted), scanned images through OCR, and the error paths."""
from __future__ import annotations

import zipfile

import pytest

from ingest_helpers import SIMPLIFIED, TRADITIONAL, cer
from review_app.ingest.errors import ExtractionError, OcrUnavailable
from review_app.ingest.extract import PAGE_SEPARATOR, extract_file
from review_app.ingest.ocr import get_engine, reading_order
from training import sample_collection as render

SCAN_TEXT = "福州市档案局关于开展档案开放审核工作的通知\n各县（市）区档案馆：\n审核范围为一九八七年以前形成的文书档案。"


@pytest.fixture(scope="module")
def rapidocr():
    return get_engine("rapidocr")


def _no_ocr():
    raise AssertionError("OCR must not be needed for this file")


def test_txt_gb18030_and_big5(tmp_path):
    gb = tmp_path / "gb.txt"
    render.write_txt(gb, SIMPLIFIED, "gb18030")
    out = extract_file(gb, _no_ocr)
    assert out.encoding == "gb18030" and out.text == SIMPLIFIED  # CRLF normalised to LF
    assert out.media_type == "text/plain" and out.page_starts == [0] and out.ocr_pages == []
    big5 = tmp_path / "big5.TXT"
    render.write_txt(big5, TRADITIONAL, "big5")
    out = extract_file(big5, _no_ocr)
    assert out.encoding == "big5" and out.text == TRADITIONAL


def test_txt_form_feed_is_a_page_boundary(tmp_path):
    p = tmp_path / "paged.txt"
    p.write_text("第一页内容\f第二页内容", encoding="utf-8")
    out = extract_file(p, _no_ocr)
    assert out.page_starts == [0, 6] and out.text[6:] == "第二页内容"


def test_docx_paragraphs_and_table_in_document_order(tmp_path):
    p = tmp_path / "table.docx"
    table = [["序号", "项目", "数量"], ["1", "文书档案", "126卷"], ["2", "会计档案", "48卷"]]
    render.write_docx(p, "档案移交清单\n局办公室：\n现移交以下档案：\n请查收。", table=table)
    out = extract_file(p, _no_ocr)
    text = out.text
    assert "序号\t项目\t数量" in text and "2\t会计档案\t48卷" in text
    # the table sits between the second paragraph and the last one, as in the document
    assert text.index("现移交以下档案") < text.index("序号") < text.index("请查收")
    assert out.page_count == 1


def test_docx_page_break_starts_a_page(tmp_path):
    p = tmp_path / "two_pages.docx"
    render.write_docx(p, "标题\n第一页正文\n第二页正文", page_break_after=1)
    out = extract_file(p, _no_ocr)
    assert out.page_count == 2
    assert out.text[out.page_starts[1]:].startswith("第二页正文")


def test_pdf_text_layer_keeps_pages(tmp_path):
    p = tmp_path / "two.pdf"
    render.write_text_pdf(p, ["第一页：关于档案开放审核的报告", "第二页：审核意见为部分开放"])
    out = extract_file(p, _no_ocr)
    assert out.page_count == 2 and out.ocr_pages == []
    first, second = out.text[: out.page_starts[1] - len(PAGE_SEPARATOR)], out.text[out.page_starts[1]:]
    assert first == "第一页：关于档案开放审核的报告"
    assert second == "第二页：审核意见为部分开放"


def test_png_scan_is_ocrd(tmp_path, rapidocr):
    p = tmp_path / "scan.png"
    render.write_image(p, render.render_scan(SCAN_TEXT, seed=3), "png")
    out = extract_file(p, lambda: rapidocr)
    assert out.ocr_pages == [1] and out.media_type == "image/png"
    assert "档案开放审核" in out.text
    assert cer(SCAN_TEXT, out.text) < 0.05
    assert out.text.index("福州市档案局") < out.text.index("各县")  # reading order: top to bottom


def test_scanned_only_pdf_goes_to_ocr(tmp_path, rapidocr):
    p = tmp_path / "scanned.pdf"
    render.write_scanned_pdf(p, [render.render_scan(SCAN_TEXT, seed=5, width=700)])
    out = extract_file(p, lambda: rapidocr)
    assert out.ocr_pages == [1] and out.page_count == 1
    assert cer(SCAN_TEXT, out.text) < 0.08


@pytest.mark.slow
def test_tesseract_engine_when_installed(tmp_path):
    try:
        engine = get_engine("tesseract")
    except OcrUnavailable as exc:
        pytest.skip(str(exc))
    p = tmp_path / "scan.tif"
    render.write_image(p, render.render_scan(SCAN_TEXT, seed=9, noise=0.0), "tif")
    out = extract_file(p, lambda: engine)
    assert cer(SCAN_TEXT, out.text) < 0.15


def test_reading_order_groups_fragments_into_lines():
    boxes = [(300, 52, 500, 80, "第二段"), (10, 50, 290, 78, "第一行"), (10, 100, 200, 130, "第二行")]
    assert reading_order(boxes) == "第一行第二段\n第二行"


def test_unknown_ocr_engine_is_refused():
    with pytest.raises(OcrUnavailable, match="unknown OCR engine"):
        get_engine("abbyy")


# --------------------------------------------------------------------------- failures


def test_empty_file(tmp_path):
    p = tmp_path / "empty.txt"
    p.write_bytes(b"")
    with pytest.raises(ExtractionError, match="empty file"):
        extract_file(p, _no_ocr)


def test_unsupported_extension(tmp_path):
    p = tmp_path / "notes.xls"
    p.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ExtractionError, match=r"unsupported file type '\.xls'"):
        extract_file(p, _no_ocr)
    doc = tmp_path / "旧公文.doc"
    doc.write_bytes(b"\xd0\xcf\x11\xe0")
    with pytest.raises(ExtractionError, match=r"'\.doc'.*convert-to docx"):
        extract_file(doc, _no_ocr)


def test_corrupt_pdf(tmp_path):
    p = tmp_path / "broken.pdf"
    p.write_bytes(b"%PDF-1.4\n1 0 obj << /Type /Catalog >>\ngarbage without xref\n")
    with pytest.raises(ExtractionError, match="PDF"):
        extract_file(p, _no_ocr)


def test_truncated_pdf(tmp_path):
    good = tmp_path / "good.pdf"
    render.write_text_pdf(good, ["完整的文件"])
    bad = tmp_path / "truncated.pdf"
    bad.write_bytes(good.read_bytes()[:200])
    with pytest.raises(ExtractionError, match="PDF"):
        extract_file(bad, _no_ocr)


def test_encrypted_pdf(tmp_path):
    p = tmp_path / "secret.pdf"
    render.write_encrypted_pdf(p, "机密文件")
    with pytest.raises(ExtractionError, match="encrypted PDF"):
        extract_file(p, _no_ocr)


def test_corrupt_docx_and_image(tmp_path):
    d = tmp_path / "broken.docx"
    d.write_bytes(b"PK\x03\x04 not really a zip")
    with pytest.raises(ExtractionError, match="Word"):
        extract_file(d, _no_ocr)
    z = tmp_path / "notword.docx"
    with zipfile.ZipFile(z, "w") as zf:
        zf.writestr("hello.txt", "hi")
    with pytest.raises(ExtractionError, match="Word"):
        extract_file(z, _no_ocr)
    img = tmp_path / "broken.png"
    img.write_bytes(b"\x89PNG\r\n\x1a\n" + b"\x00" * 40)
    with pytest.raises(ExtractionError, match="image"):
        extract_file(img, _no_ocr)


def test_blank_scan_reports_no_text(tmp_path, rapidocr):
    from PIL import Image

    p = tmp_path / "blank.png"
    Image.new("L", (300, 200), 255).save(p)
    with pytest.raises(ExtractionError, match="no text"):
        extract_file(p, lambda: rapidocr)


def test_reflow_joins_lines_wrapped_at_the_margin():
    from review_app.ingest.layout import Line, reflow

    lines = [Line(50, 200, "通知"),                                   # heading: short
             Line(50, 850, "经查，该同志身份证号码为3501021987"),         # runs to the margin: wrapped
             Line(50, 400, "03154511，现住福州市。"),                  # paragraph end: short
             Line(50, 848, "一、审核范围为一九八七年以前形成的文书档"),
             Line(50, 300, "案。"),
             Line(50, 851, "二、移交前应完成案卷整理和目录编制工作，"),
             Line(50, 500, "三、联系人：王秀英")]                      # a new item is never joined
    assert reflow(lines) == ("通知\n经查，该同志身份证号码为350102198703154511，现住福州市。\n"
                             "一、审核范围为一九八七年以前形成的文书档案。\n"
                             "二、移交前应完成案卷整理和目录编制工作，\n三、联系人：王秀英")
    assert reflow(lines[:2]) == "通知\n经查，该同志身份证号码为3501021987"  # too few lines to find the margin


def test_pdf_wrapped_paragraph_is_rejoined(tmp_path):
    paragraph = ("经调查，林碧军同志身份证号码为350102198703154511，住福州市鼓楼区杨桥路18号3栋502室，"
                 "联系电话13905912345，该同志于一九八二年因工作失误受到党内警告处分，现已期满。")
    p = tmp_path / "wrapped.pdf"
    render.write_text_pdf(p, ["调查报告\n" + paragraph + "\n调查组\n一九八三年九月二日"])
    out = extract_file(p, _no_ocr)
    assert out.text == "调查报告\n" + paragraph + "\n调查组\n一九八三年九月二日"


def test_missing_tesseract_fails_with_what_to_install(monkeypatch):
    import review_app.ingest.ocr as ocr

    monkeypatch.setattr(ocr.shutil, "which", lambda name: None)
    with pytest.raises(OcrUnavailable, match="apt-get install -y tesseract-ocr tesseract-ocr-chi-sim"):
        get_engine("tesseract")


def test_docx_merged_cells_are_read_once(tmp_path):
    import docx

    d = docx.Document()
    d.add_paragraph("会议签到表")
    t = d.add_table(rows=2, cols=3)
    t.cell(0, 0).merge(t.cell(0, 2)).text = "福州市档案局"
    for c, v in enumerate(["王秀英", "林碧军", "张建国"]):
        t.cell(1, c).text = v
    p = tmp_path / "merged.docx"
    d.save(p)
    assert extract_file(p, _no_ocr).text == "会议签到表\n福州市档案局\n王秀英\t林碧军\t张建国"


def test_docx_header_and_footer_are_read(tmp_path):
    """A classification mark printed in the page header must reach the detector; headers of
    several sections, linked to the first, are read once; the body's pages stay where they were."""
    import docx
    from docx.enum.text import WD_BREAK

    d = docx.Document()
    d.sections[0].header.paragraphs[0].text = "机密★10年"
    d.sections[0].footer.paragraphs[0].text = "福州市档案局印发"
    d.add_paragraph("关于边界勘定工作的通报")
    d.add_paragraph("第一页正文").runs[0].add_break(WD_BREAK.PAGE)
    d.add_paragraph("第二页正文")
    d.add_section()  # its header is linked to the first section's
    d.add_paragraph("附件")
    p = tmp_path / "marked.docx"
    d.save(p)
    out = extract_file(p, _no_ocr)
    assert out.text.startswith("机密★10年\n关于边界勘定工作的通报")
    assert out.text.count("机密★10年") == 1 and out.text.endswith("福州市档案局印发")
    assert out.page_count == 2 and out.text[out.page_starts[1]:].startswith("第二页正文")
    from models.analyzer import build_rule_analyzer

    marks = [x for x in build_rule_analyzer().find(out.text) if x.label == "SECRET_MARK"]
    assert [out.text[x.start:x.end] for x in marks] == ["机密★10年"]


def test_scan_with_a_stamped_page_number_is_ocrd(tmp_path, rapidocr):
    """A scanned page whose only text layer is a stamped page number still goes to OCR."""
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    font = render._reportlab_font()
    p = tmp_path / "stamped.pdf"
    c = canvas.Canvas(str(p), pagesize=A4)
    w, h = A4
    c.drawImage(ImageReader(render.render_scan(SCAN_TEXT, seed=11, width=700)), 0, h * 0.2, width=w, height=h * 0.8)
    c.setFont(font, 9)
    c.drawString(w - 80, 20, "第1页")
    c.showPage()
    c.save()
    out = extract_file(p, lambda: rapidocr)
    assert out.ocr_pages == [1]
    assert cer(SCAN_TEXT, out.text.replace("第1页", "")) < 0.08


def test_exif_rotated_photo_is_turned_upright(tmp_path):
    from review_app.ingest.ocr import OcrResult

    upright = render.render_scan(SCAN_TEXT, seed=4, width=700, noise=0.0)  # portrait page
    sideways = upright.rotate(90, expand=True)
    exif = sideways.getexif()
    exif[0x0112] = 6  # "rotate 90 CW to view": the camera was held sideways
    p = tmp_path / "photo.jpg"
    sideways.convert("RGB").save(p, "JPEG", quality=85, exif=exif)

    class Recorder:
        name = "recorder"
        sizes: list = []

        def recognize(self, image):
            self.sizes.append(image.size)
            return OcrResult("福州市档案局", 1.0)

    engine = Recorder()
    extract_file(p, lambda: engine)
    assert engine.sizes == [upright.size]
