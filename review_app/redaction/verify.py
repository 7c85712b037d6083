"""The leak check: is any masked value still readable in what is about to be published?

A value counts as readable when it appears after normalisation on both sides: full-width and
half-width forms alike (NFKC), dashes unified, OCR confusions inside digit runs repaired (O/0,
l/1, as ``models.text`` does for detection), case folded, and every space and line break
removed, so ``３５０１０２　１９８７…`` or a number wrapped over two lines is found as well.

What is searched (``check_pdf``): the released PDF's text layer as a reader's viewer extracts it
(pdfium), and the OCR text of every page rendered from the released file at the resolution of
its page image. The text copy is searched with ``find``. Values shorter than ``MIN_CHARS``
after normalisation are not searched (a single character is everywhere).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterator, Sequence

from models.text import normalize_with_map
from review_app.ingest.ocr import OcrEngine

MIN_CHARS = 2
#: render scale bounds for OCR of a released page (pixels per point): 72-300 dpi
MIN_SCALE, MAX_SCALE = 1.0, 300 / 72


def normalise(text: str) -> tuple[str, list[int]]:
    """``text`` normalised for the leak check, with the original offset of each character."""
    norm, where = normalize_with_map(text)
    out: list[str] = []
    idx: list[int] = []
    for ch, i in zip(norm, where):
        for c in ch.casefold():
            if not c.isspace():
                out.append(c)
                idx.append(i)
    return "".join(out), idx


def find(text: str, values: Sequence[tuple[str, str]]) -> list[tuple[str, int]]:
    """(label, offset in ``text``) of every value of ``values`` ((label, value) pairs) still readable."""
    norm, where = normalise(text)
    found: list[tuple[str, int]] = []
    for label, value in values:
        v, _ = normalise(value)
        if len(v) < MIN_CHARS:
            continue
        i = norm.find(v)
        while i >= 0:
            found.append((label, where[i]))
            i = norm.find(v, i + 1)
    return found


def _page_of(starts: Sequence[int], offset: int) -> int:
    return sum(1 for s in starts if s <= offset)


def _joined(pages: Sequence[str]) -> tuple[str, list[int]]:
    starts, pos = [], 0
    for p in pages:
        starts.append(pos)
        pos += len(p) + 1
    return "\n".join(pages), starts


@dataclass
class PdfCheck:
    """What was read back from one released PDF and what was found in it."""

    pages: int = 0
    ocr_engine: str = ""
    ocr_chars: int = 0
    text_layer_chars: int = 0
    text_layer: list[tuple[str, int]] = field(default_factory=list)  # (label, page)
    ocr: list[tuple[str, int]] = field(default_factory=list)
    page_texts: list[str] = field(default_factory=list)  # the text layer, per page
    ocr_texts: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.text_layer and not self.ocr


def _ocr_scale(page, pdfium_c) -> float:
    """Render scale for OCR: the resolution of the page's largest image (72-300 dpi)."""
    width = page.get_width() or 1.0
    px = 0
    for obj in page.get_objects(filter=(pdfium_c.FPDF_PAGEOBJ_IMAGE,), max_depth=1):
        try:
            px = max(px, int(obj.get_px_size()[0]))
        except Exception:  # an image pdfium cannot size: fall back to the default
            continue
    scale = px / width if px else 3.0
    return min(max(scale, MIN_SCALE), MAX_SCALE)


def read_pdf(path: Path, ocr: Callable[[], OcrEngine],
             on_page: Callable[[], None] | None = None) -> Iterator[tuple[str, str]]:
    """(text layer, OCR text) of each page of ``path``, one page in memory at a time."""
    import pypdfium2 as pdfium
    import pypdfium2.raw as pdfium_c

    doc = pdfium.PdfDocument(str(path))
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                tp = page.get_textpage()
                try:
                    layer = tp.get_text_range()
                finally:
                    tp.close()
                image = page.render(scale=_ocr_scale(page, pdfium_c)).to_pil()
            finally:
                page.close()
            text = ocr().recognize(image).text
            del image
            yield layer, text
            if on_page is not None:
                on_page()
    finally:
        doc.close()


def check_pdf(path: Path, values: Sequence[tuple[str, str]], ocr: Callable[[], OcrEngine],
              on_page: Callable[[], None] | None = None) -> PdfCheck:
    """Read ``path`` back (text layer and OCR of every page) and look for ``values`` in both."""
    res = PdfCheck(ocr_engine=getattr(ocr(), "name", type(ocr()).__name__))
    for layer, text in read_pdf(path, ocr, on_page):
        res.pages += 1
        res.page_texts.append(layer)
        res.ocr_texts.append(text)
    for pages, hits in ((res.page_texts, res.text_layer), (res.ocr_texts, res.ocr)):
        joined, starts = _joined(pages)
        hits += [(label, _page_of(starts, off)) for label, off in find(joined, values)]
    res.text_layer_chars = sum(len(t) for t in res.page_texts)
    res.ocr_chars = sum(len(t) for t in res.ocr_texts)
    return res
