"""A source document page by page: the page image and where each of its characters is drawn.

Memory is bounded by one page: a PDF page is rendered when it is asked for, a multi-page TIFF is
read frame by frame, and each page is dropped by the caller before the next one is read.

The characters come the way ingestion read them, so they line up with the stored text:

* a PDF page ingestion read from its text layer: pdfplumber's text lines (``extract_text_lines``,
  as ``review_app.ingest.extract`` does), each character with its box;
* a PDF page ingestion OCR'd (``Document.ocr_pages``) and every scanned image: the OCR engine on
  the same pixels ingestion gave it (PDF pages rendered at ``PDF_RENDER_SCALE``, images upright
  after their EXIF orientation), with character boxes.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterator

from review_app.ingest.extract import MEDIA_TYPES, PDF_RENDER_SCALE
from review_app.ingest.ocr import Glyph, OcrEngine, split_box

PDF = MEDIA_TYPES[".pdf"]
IMAGE_TYPES = frozenset(v for k, v in MEDIA_TYPES.items() if k in (".png", ".jpg", ".jpeg", ".tif", ".tiff"))
#: resolution assumed for a scan that does not record one (page size in the released PDF only)
DEFAULT_DPI = 200.0
TEXT_LAYER = "text layer"
OCR = "OCR"


class SourceError(Exception):
    """The source file cannot be read page by page; the message says why."""


@dataclass
class SourcePage:
    """One page: its image (pixels), its size in points, and its characters with their boxes."""

    number: int  # 1-based
    image: object  # PIL.Image.Image
    width: float
    height: float
    glyphs: tuple[Glyph, ...]
    route: str  # TEXT_LAYER | OCR

    @property
    def scale(self) -> float:
        """Pixels per point."""
        return self.image.width / self.width


def kind_of(media_type: str) -> str:
    """"pdf", "image" or "text" (plain text and Word: released as their text copy)."""
    if media_type == PDF:
        return "pdf"
    if media_type in IMAGE_TYPES:
        return "image"
    return "text"


def _layer_glyphs(page, scale: float) -> tuple[Glyph, ...]:
    """The text-layer characters of a pdfplumber page in the order ingestion read them, in the
    pixels of a rendering of its crop box at ``scale``."""
    try:
        from pdfplumber.utils.text import LIGATURES
    except ImportError:  # pragma: no cover - older pdfplumber
        LIGATURES = {}
    cx, ctop = float(page.cropbox[0]), float(page.cropbox[1])
    lines = page.extract_text_lines()
    chars = [c for ln in lines for c in ln["chars"]] if lines else sorted(page.chars, key=lambda c: (c["top"], c["x0"]))
    out: list[Glyph] = []
    for c in chars:
        text = LIGATURES.get(c["text"], c["text"])
        out += split_box(text, (float(c["x0"]) - cx) * scale, (float(c["top"]) - ctop) * scale,
                         (float(c["x1"]) - cx) * scale, (float(c["bottom"]) - ctop) * scale)
    return tuple(out)


def _ocr_glyphs(ocr: Callable[[], OcrEngine], image) -> tuple[Glyph, ...]:
    try:
        return ocr().recognize(image, glyphs=True).glyphs
    except TypeError as exc:  # an engine without character boxes
        raise SourceError(f"the OCR engine cannot report where characters are ({exc})") from None


def _pdf_pages(path: Path, ocr_pages: frozenset[int], ocr: Callable[[], OcrEngine]) -> Iterator[SourcePage]:
    import pdfplumber
    import pypdfium2 as pdfium

    try:
        doc = pdfium.PdfDocument(str(path))
        plumber = pdfplumber.open(str(path))
    except Exception as exc:  # pdfium and pdfminer raise many types for damaged files
        raise SourceError(f"cannot open the PDF ({type(exc).__name__}: {exc})") from None
    try:
        for i in range(len(doc)):
            page = doc[i]
            try:
                width, height = page.get_size()
                image = page.render(scale=PDF_RENDER_SCALE).to_pil()
            finally:
                page.close()
            if i + 1 in ocr_pages:
                glyphs, route = _ocr_glyphs(ocr, image), OCR
            else:
                ppage = plumber.pages[i]
                try:
                    glyphs, route = _layer_glyphs(ppage, PDF_RENDER_SCALE), TEXT_LAYER
                finally:
                    ppage.close()
            yield SourcePage(i + 1, image, float(width), float(height), glyphs, route)
    finally:
        plumber.close()
        doc.close()


def _image_pages(path: Path, ocr: Callable[[], OcrEngine]) -> Iterator[SourcePage]:
    from PIL import Image, ImageOps, UnidentifiedImageError

    try:
        img = Image.open(path)
    except (UnidentifiedImageError, OSError, ValueError) as exc:
        raise SourceError(f"cannot read the image ({type(exc).__name__}: {exc})") from None
    with img:
        for i in range(getattr(img, "n_frames", 1)):
            try:
                img.seek(i)
                frame = ImageOps.exif_transpose(img.copy())
            except (OSError, ValueError, SyntaxError) as exc:
                raise SourceError(f"cannot read frame {i + 1} of the image ({type(exc).__name__}: {exc})") from None
            dpi = img.info.get("dpi") or (DEFAULT_DPI, DEFAULT_DPI)
            try:
                dx, dy = (float(dpi[0]) or DEFAULT_DPI), (float(dpi[1]) or DEFAULT_DPI)
            except (TypeError, ValueError, IndexError):
                dx = dy = DEFAULT_DPI
            if not (50 <= dx <= 2400 and 50 <= dy <= 2400):
                dx = dy = DEFAULT_DPI
            yield SourcePage(i + 1, frame, frame.width * 72.0 / dx, frame.height * 72.0 / dy,
                             _ocr_glyphs(ocr, frame), OCR)


def page_count(path: Path, media_type: str) -> int:
    """How many pages the source file has (raises ``SourceError`` if it cannot be read)."""
    kind = kind_of(media_type)
    try:
        if kind == "pdf":
            import pypdfium2 as pdfium

            doc = pdfium.PdfDocument(str(path))
            try:
                return len(doc)
            finally:
                doc.close()
        if kind == "image":
            from PIL import Image

            with Image.open(path) as img:
                return int(getattr(img, "n_frames", 1))
    except Exception as exc:  # any reader error means the same thing here
        raise SourceError(f"cannot read the source file ({type(exc).__name__}: {exc})") from None
    raise SourceError(f"{media_type} has no pages to redact")


def iter_pages(path: Path, media_type: str, *, ocr_pages: frozenset[int],
               ocr: Callable[[], OcrEngine]) -> Iterator[SourcePage]:
    """The pages of a PDF or scanned image, one at a time."""
    kind = kind_of(media_type)
    if kind == "pdf":
        return _pdf_pages(path, ocr_pages, ocr)
    if kind == "image":
        return _image_pages(path, ocr)
    raise SourceError(f"{media_type} has no pages to redact")
