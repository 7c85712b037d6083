"""PDFs and scans for the release tests, ingested through the real ingestion, reviewed through the
review store: born-digital, two-page, scanned PNG, mixed (a text page and a scanned page), text
drawn as curves (OCR finds it), curves whose invisible text layer lies where nothing is drawn,
curves whose text layer lies over other text, and OPEN originals.

Pages are small (420 x 300 pt) so the OCR in these tests stays quick.
"""
from __future__ import annotations

import csv
from pathlib import Path

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from models.spans import Span
from review_app.ingest.runner import LazyOcr, ingest_directory
from review_app.store import review
from review_app.tables import Document
from training import sample_collection as render

PAGE = (420.0, 300.0)
SIZE = 13
COLLECTION = "鼓楼区民政局扫描件"

ID1, ID2, ID3, ID4, ID5, ID6 = ("350102198703154511", "350103196512013317", "350104197711115524",
                                "350105198001010013", "350111199203036620", "350121195507076549")
PHONE1, PHONE2, PHONE3 = "13905912345", "13800591188", "15959106677"
HEALTH = "乳腺癌"

BORN = ["福州市鼓楼区民政局困难救助调查", f"申请人王永福，身份证号{ID1}，", f"联系电话{PHONE1}，确诊为{HEALTH}。"]
TWO = (["关于陈建国同志困难补助的报告", f"陈建国，身份证号{ID2}，", "家庭生活困难，申请临时救助。"],
       ["经民政科审核，同意补助。", f"附：申请人身份证{ID2}复印件，", f"联系电话{PHONE2}。"])
SCAN = f"鼓楼区东街街道救助登记\n申请人林秀珍，身份证号{ID3}，\n联系电话{PHONE3}，住院治疗。"
MIXED = (["鼓楼区民政局来信处理单", f"来信人周海，身份证号{ID4}，", "反映住房困难问题。"],
         f"处理意见：请东街街道核实。\n来信人身份证号{ID4}，\n核实后报局。")
CURVES = ["申请人郑丽华，身份证号" + ID5 + "，", "家住福州市，申请低保。"]
ELSEWHERE = ["申请人黄志明，身份证号" + ID6 + "，", "家住福州市，申请低保。"]
OVER = ["申请人吴国强，身份证号350102196806061234，", "本件为救助申请复印件。"]
OPEN_PDF = ["福州市鼓楼区民政局关于开展走访慰问活动的通知", "各街道办事处：请于1月10日前报送名单。"]
OPEN_SCAN = "鼓楼区民政局工作简报\n本月走访困难群众一百二十户。"

#: file name -> (档号, 题名, decision, the masked values, text that must stay readable)
FILES = {
    "born.pdf": ("J002-2023-0001", "王永福困难救助调查", "OPEN_REDACTED", [ID1, PHONE1, HEALTH], ["申请人王永福", "福州市鼓楼区民政局"]),
    "two.pdf": ("J002-2023-0002", "陈建国困难补助报告", "OPEN_REDACTED", [ID2, PHONE2], ["陈建国", "同意补助"]),
    "scan.png": ("J002-2023-0003", "林秀珍救助登记", "OPEN_REDACTED", [ID3, PHONE3], ["申请人林秀珍", "住院治疗"]),
    "mixed.pdf": ("J002-2023-0004", "周海来信处理单", "OPEN_REDACTED", [ID4], ["来信人周海", "请东街街道核实"]),
    "curves.pdf": ("J002-2023-0005", "郑丽华低保申请", "OPEN_REDACTED", [ID5], ["申请人郑丽华", "申请低保"]),
    "elsewhere.pdf": ("J002-2023-0006", "黄志明低保申请", "OPEN_REDACTED", [ID6], []),
    "over.pdf": ("J002-2023-0007", "吴国强救助申请", "OPEN_REDACTED", ["350102196806061234"], []),
    "open.pdf": ("J002-2023-0008", "走访慰问通知", "OPEN", [], []),
    "open.png": ("J002-2023-0009", "工作简报", "OPEN", [], []),
}
HELD_BACK = ("elsewhere.pdf", "over.pdf")


def _font() -> str:
    return render._reportlab_font()


def _lines(c, lines: list[str], top: float = 260.0) -> None:
    for i, line in enumerate(lines):
        c.setFont(_font(), SIZE)
        c.drawString(20, top - 24 * i, line)


def text_pdf(path: Path, pages: list[list[str]]) -> None:
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=PAGE, invariant=1)
    for lines in pages:
        _lines(c, lines)
        c.showPage()
    c.save()


def _curves(c, lines: list[str], top: float = 260.0) -> None:
    """Draw ``lines`` as filled glyph outlines (no text objects): text converted to curves."""
    from fontTools.pens.basePen import BasePen
    from fontTools.ttLib import TTFont
    from reportlab.pdfgen.canvas import FILL_NON_ZERO

    class Pen(BasePen):
        def __init__(self, gs, path, x, y, k):
            super().__init__(gs)
            self.p, self.x, self.y, self.k = path, x, y, k

        def _t(self, pt):
            return self.x + pt[0] * self.k, self.y + pt[1] * self.k

        def _moveTo(self, pt):
            self.p.moveTo(*self._t(pt))

        def _lineTo(self, pt):
            self.p.lineTo(*self._t(pt))

        def _curveToOne(self, a, b, e):
            self.p.curveTo(*self._t(a), *self._t(b), *self._t(e))

        def _closePath(self):
            self.p.close()

    font = TTFont(str(render.cjk_font_path()), fontNumber=0)
    gs, cmap, k = font.getGlyphSet(), font.getBestCmap(), SIZE / font["head"].unitsPerEm
    path = c.beginPath()
    for i, line in enumerate(lines):
        x, y = 20.0, top - 24 * i
        for ch in line:
            g = gs[cmap[ord(ch)]]
            g.draw(Pen(gs, path, x, y, k))
            x += g.width * k
    c.drawPath(path, stroke=0, fill=1, fillMode=FILL_NON_ZERO)


def curves_pdf(path: Path, lines: list[str], layer: list[str] | None = None, layer_top: float | None = None,
               also: list[str] | None = None) -> None:
    """Text drawn as curves; optionally an invisible text layer ``layer`` at ``layer_top`` and more
    curves (``also``) below."""
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=PAGE, invariant=1)
    _curves(c, lines)
    if also:
        _curves(c, also, top=150.0)
    if layer is not None:
        t = c.beginText()
        t.setTextRenderMode(3)  # invisible, as an OCR layer is
        t.setFont(_font(), SIZE)
        t.setLeading(24)
        t.setTextOrigin(20, layer_top)
        for line in layer:
            t.textLine(line)
        c.drawText(t)
    c.showPage()
    c.save()


def scan_image(text: str, seed: int):
    return render.render_scan(text, seed=seed, width=900, font_size=26)


def mixed_pdf(path: Path, lines: list[str], scan_text: str) -> None:
    from reportlab.lib.utils import ImageReader
    from reportlab.pdfgen import canvas

    c = canvas.Canvas(str(path), pagesize=PAGE, invariant=1)
    _lines(c, lines)
    c.showPage()
    img = scan_image(scan_text, seed=11)
    h = PAGE[1]
    w = h * img.width / img.height
    c.drawImage(ImageReader(img), (PAGE[0] - w) / 2, 0, w, h)  # a scanned sheet, whole on the page
    c.showPage()
    c.save()


def write_files(root: Path) -> None:
    root.mkdir(parents=True, exist_ok=True)
    text_pdf(root / "born.pdf", [BORN])
    text_pdf(root / "two.pdf", list(TWO))
    render.write_image(root / "scan.png", scan_image(SCAN, seed=7), "png")
    mixed_pdf(root / "mixed.pdf", *MIXED)
    curves_pdf(root / "curves.pdf", CURVES)
    curves_pdf(root / "elsewhere.pdf", ELSEWHERE, layer=ELSEWHERE, layer_top=120)  # drawn at 260, said at 120
    curves_pdf(root / "over.pdf", OVER, layer=OVER, layer_top=150, also=["本页下方另有一段说明文字用于核对与申请内容无关请勿混淆谢谢", "与申请内容无关。"])
    text_pdf(root / "open.pdf", [OPEN_PDF])
    render.write_image(root / "open.png", scan_image(OPEN_SCAN, seed=9), "png")
    with open(root / "目录.csv", "w", encoding="utf-8-sig", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(["全宗号", "档号", "题名", "责任者", "日期", "密级", "文件名"])
        for name, (ref, title, *_rest) in FILES.items():
            w.writerow(["J002", ref, title, "福州市鼓楼区民政局", "1995-03-15", "秘密" if name == "two.pdf" else "", name])


def ingest_and_decide(engine: Engine, root: Path, ocr: LazyOcr) -> dict[str, int]:
    """Ingest ``root`` (real extraction and OCR), mark the masked values as accepted spans and
    record the committee's final decisions. Returns file name -> document id."""
    write_files(root)
    rep = ingest_directory(engine=engine, root=root, collection=COLLECTION, catalogue=root / "目录.csv", ocr=ocr)
    assert not rep.errors, rep.errors
    ids: dict[str, int] = {}
    with Session(engine, expire_on_commit=False) as s:
        for name, (_ref, _title, decision, masked, _keep) in FILES.items():
            doc = s.exec(select(Document).where(Document.source_path == str((root / name).resolve()))).one()
            ids[name] = doc.id
            spans = []
            for value in masked:
                i = doc.text.find(value)
                assert i >= 0, (name, value, doc.text)
                label = "HEALTH" if value == HEALTH else "PHONE" if len(value) == 11 else "ID_NUMBER"
                spans.append(Span(i, i + len(value), label, 0.95, "test.v1"))
            rows = review.record_detection(session=s, document_id=doc.id, model_version="m", spans=spans)
            reasons = ["PERSONAL_INFO"] if decision == "OPEN_REDACTED" else []
            review.propose(session=s, document_id=doc.id, result={
                "decision": decision, "reasons": reasons, "closure": None, "confidence": 0.9,
                "probabilities": {"OPEN": 0.05, "OPEN_REDACTED": 0.05, "CLOSED": 0.05, decision: 0.85},
                "model_version": "m"})
            for r in rows:
                review.accept_span(session=s, span_id=r.id, actor="rev1",
                                   version=review.document_version(session=s, document_id=doc.id))
            for stage in (review.decide, review.finalize):
                stage(session=s, document_id=doc.id, actor="com1" if stage is review.finalize else "rev1",
                      decision=decision, reasons=reasons, closure=None, review_after=None,
                      version=review.document_version(session=s, document_id=doc.id), note="")
        s.commit()
    return ids
