"""Read one archival file into text with page boundaries.

Supported: plain text (.txt, encoding detected), Word (.docx: paragraphs and tables in document
order), PDF (text layer per page; pages without one are rendered and OCR'd) and scanned images
(.png .jpg .jpeg .tif .tiff; every TIFF frame is a page). Pages are joined with a blank line and
``page_starts[i]`` records where page i+1 begins, so a span can be pointed to its page.

Every decompression and rendering is bounded (``limits``): a zip bomb, a five-metre PDF page or a
billion-pixel image is refused with a reason before it costs memory. An encrypted PDF that opens
without a password (an owner password only restricts printing or copying) is decrypted and read
by PDFium; one that needs a password to open is refused. A page whose text layer is mostly
``(cid:…)`` codes (fonts without a Unicode map) is treated as a scan and OCR'd.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from review_app.ingest import limits
from review_app.ingest.encoding import decode_bytes
from review_app.ingest.errors import ExtractionError
from review_app.ingest.layout import Line, reflow
from review_app.ingest.ocr import OcrEngine

PAGE_SEPARATOR = "\n\n"
MEDIA_TYPES = {
    ".txt": "text/plain",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".pdf": "application/pdf",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
}
SUPPORTED_SUFFIXES = tuple(MEDIA_TYPES)
_SOFFICE = "soffice --headless --convert-to {fmt} FILE"
#: What to do with formats archives often hold but ingestion does not read.
CONVERT_HINTS = {
    ".doc": "convert legacy Word files to .docx first: " + _SOFFICE.format(fmt="docx"),
    ".wps": "convert WPS documents to .docx first: " + _SOFFICE.format(fmt="docx"),
    ".rtf": "convert to .docx first: " + _SOFFICE.format(fmt="docx"),
    ".odt": "convert to .docx first: " + _SOFFICE.format(fmt="docx"),
    ".ofd": "export OFD files to PDF first (an OFD reader can print to PDF)",
    ".bmp": "convert to .png first",
    ".gif": "convert to .png first",
}
#: A PDF page whose text layer has fewer visible characters than this is treated as a scan.
MIN_TEXT_LAYER_CHARS = 1
#: A page whose text layer is this short but which is mostly covered by images is a scan with a
#: stamped page number or Bates label: OCR it rather than keep only the stamp.
STAMP_ONLY_CHARS = 30
SCAN_IMAGE_COVERAGE = 0.5
#: Rendering scale for OCR of PDF pages (72 dpi * 3 = 216 dpi): enough for 10-pt Chinese.
PDF_RENDER_SCALE = 3.0


@dataclass
class Extracted:
    """The text of one file, with where each page starts and which pages were OCR'd (1-based)."""

    text: str
    media_type: str
    page_starts: list[int] = field(default_factory=lambda: [0])
    ocr_pages: list[int] = field(default_factory=list)
    encoding: str | None = None

    @property
    def page_count(self) -> int:
        return len(self.page_starts)


def sha256_file(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def join_pages(pages: list[str]) -> tuple[str, list[int]]:
    """Join page texts with a blank line; return the text and each page's start offset."""
    starts: list[int] = []
    parts: list[str] = []
    pos = 0
    for i, page in enumerate(pages):
        if i:
            parts.append(PAGE_SEPARATOR)
            pos += len(PAGE_SEPARATOR)
        starts.append(pos)
        parts.append(page)
        pos += len(page)
    return "".join(parts), starts or [0]


def _clean_page(text: str) -> str:
    lines = [ln.rstrip() for ln in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]
    return "\n".join(lines).strip("\n")


# --------------------------------------------------------------------------- plain text


def extract_txt(path: Path) -> Extracted:
    decoded = decode_bytes(path.read_bytes())
    text = decoded.text.replace("\r\n", "\n").replace("\r", "\n")
    # A form feed is the page break of old line-printer and OCR exports: keep it as a boundary.
    starts = [0] + [i + 1 for i, ch in enumerate(text) if ch == "\f" and i + 1 < len(text)]
    if not text.strip():
        raise ExtractionError("file contains only whitespace")
    return Extracted(text=text, media_type=MEDIA_TYPES[".txt"], page_starts=starts, encoding=decoded.encoding)


# --------------------------------------------------------------------------- Word


def _docx_blocks(document) -> list[tuple[str, bool]]:
    """(text, page_break_after) for every paragraph and table row of the body, in document order."""
    return _docx_blocks_of(document.element.body, document)


def _docx_blocks_of(root, document) -> list[tuple[str, bool]]:
    """(text, page_break_after) for every paragraph and table row under ``root``, in order.

    Content controls (``w:sdt``, common in office templates) are descended into, so their
    paragraphs and tables are not lost.
    """
    from docx.oxml.ns import qn
    from docx.table import Table
    from docx.text.paragraph import Paragraph

    blocks: list[tuple[str, bool]] = []

    def walk(container) -> None:
        for child in container.iterchildren():
            if child.tag == qn("w:p"):
                breaks = child.findall(".//" + qn("w:br"))
                page_break = any(b.get(qn("w:type")) == "page" for b in breaks)
                blocks.append((Paragraph(child, document).text, page_break))
            elif child.tag == qn("w:tbl"):
                for row in Table(child, document).rows:
                    cells: list[str] = []
                    seen: list = []  # the cell elements met so far (kept alive, compared by identity)
                    for cell in row.cells:
                        if any(cell._tc is tc for tc in seen):  # a merged cell repeats across its span
                            continue
                        seen.append(cell._tc)
                        cells.append(cell.text.replace("\n", " ").strip())
                    blocks.append(("\t".join(cells), False))
            elif child.tag == qn("w:sdt"):
                content = child.find(qn("w:sdtContent"))
                if content is not None:
                    walk(content)

    walk(root)
    return blocks


def _docx_margins(document) -> tuple[list[str], list[str]]:
    """The distinct texts of the headers and of the footers of every section.

    A classification mark (机密★10年), a 内部资料 notice or a reference number is often printed
    in the page header of an official document: a review that never sees it could open a
    secret. Linked headers (the same as the previous section's) are read once.
    """
    headers: list[str] = []
    footers: list[str] = []
    for section in document.sections:
        for out, parts in ((headers, (section.first_page_header, section.header, section.even_page_header)),
                           (footers, (section.first_page_footer, section.footer, section.even_page_footer))):
            for part in parts:
                if part.is_linked_to_previous:
                    continue
                text = "\n".join(t for t, _ in _docx_blocks_of(part._element, document) if t.strip()).strip()
                if text and text not in out:
                    out.append(text)
    return headers, footers


def extract_docx(path: Path) -> Extracted:
    import zipfile

    try:
        import docx
        from docx.opc.exceptions import PackageNotFoundError
    except ImportError as exc:  # pragma: no cover - python-docx is a dependency
        raise ExtractionError(f"python-docx is not installed ({exc})")
    limits.check_zip(path)
    try:
        document = docx.Document(str(path))
    except (PackageNotFoundError, zipfile.BadZipFile, KeyError, ValueError) as exc:
        raise ExtractionError(f"corrupt or not a Word .docx file ({type(exc).__name__}: {exc})")
    pages: list[list[str]] = [[]]
    for text, page_break in _docx_blocks(document):
        pages[-1].append(text)
        if page_break:
            pages.append([])
    page_texts = [_clean_page("\n".join(p)) for p in pages]
    while len(page_texts) > 1 and not page_texts[-1]:
        page_texts.pop()
    headers, footers = _docx_margins(document)
    if headers:  # printed on every page; read once, before the first page's body
        page_texts[0] = _clean_page("\n".join(headers + [page_texts[0]]))
    if footers:
        page_texts[-1] = _clean_page("\n".join([page_texts[-1]] + footers))
    text, starts = join_pages(page_texts)
    if not text.strip():
        raise ExtractionError("Word document contains no text")
    return Extracted(text=text, media_type=MEDIA_TYPES[".docx"], page_starts=starts)


# --------------------------------------------------------------------------- PDF


def _root_cause(exc: BaseException) -> BaseException:
    """pdfplumber wraps pdfminer's exceptions (PdfminerException(original)); find the original."""
    seen = set()
    while id(exc) not in seen:
        seen.add(id(exc))
        inner = exc.args[0] if exc.args and isinstance(exc.args[0], BaseException) else exc.__cause__
        if inner is None:
            break
        exc = inner
    return exc


def _pdf_page_text(page) -> str:
    """A page's text layer with lines wrapped at the right margin joined (see ``layout``)."""
    lines = page.extract_text_lines()
    if not lines:
        return page.extract_text() or ""
    return reflow([Line(float(ln["x0"]), float(ln["x1"]), ln["text"]) for ln in lines])


def _image_coverage(page) -> float:
    """Share of the page area covered by embedded images (0..1, overlaps not subtracted)."""
    area = float(page.width * page.height) or 1.0
    covered = 0.0
    for im in page.images:
        x0, x1 = max(float(im["x0"]), 0.0), min(float(im["x1"]), float(page.width))
        top, bottom = max(float(im["top"]), 0.0), min(float(im["bottom"]), float(page.height))
        covered += max(x1 - x0, 0.0) * max(bottom - top, 0.0)
    return min(covered / area, 1.0)


_CID = re.compile(r"\(cid:\d+\)")


def garbled(text: str) -> bool:
    """A text layer that is mostly ``(cid:NNN)`` codes: glyphs without a Unicode mapping."""
    codes = _CID.findall(text)
    return len(codes) >= 3 and sum(map(len, codes)) * 2 > len("".join(text.split()))


def _pdf_text_pages(path: Path) -> list[tuple[str, float]]:
    import pdfplumber
    from pdfminer.pdfdocument import PDFEncryptionError, PDFPasswordIncorrect
    from pdfminer.pdfparser import PDFSyntaxError

    try:
        with limits.bounded_pdf_streams(), pdfplumber.open(str(path)) as pdf:
            out = []
            for page in pdf.pages:
                out.append((_pdf_page_text(page), _image_coverage(page)))
                page.close()  # drop the page's parsed objects: one page's layout in memory at a time
            return out
    except Exception as wrapped:  # pdfminer raises many types for damaged files
        exc = _root_cause(wrapped)
        if isinstance(exc, ExtractionError):
            raise exc from None
        name = type(exc).__name__
        if isinstance(exc, PDFPasswordIncorrect):
            raise ExtractionError("encrypted PDF: a password is needed to open it")
        if isinstance(exc, PDFEncryptionError) or "Password" in name or "Encrypt" in name:
            raise ExtractionError(f"encrypted PDF with unsupported encryption ({name}: {exc})")
        if isinstance(exc, PDFSyntaxError):
            raise ExtractionError(f"corrupt PDF ({exc})")
        raise ExtractionError(f"corrupt or unreadable PDF ({name}: {exc})")


def _pdfium_text_pages(pdf) -> list[tuple[str, float]]:
    """Each page's text as PDFium reads it (after decrypting), without image coverage."""
    out = []
    for i in range(len(pdf)):
        page = pdf[i]
        textpage = page.get_textpage()
        try:
            out.append((textpage.get_text_range(), 0.0))
        finally:
            textpage.close()
            page.close()
    return out


def _open_pdfium(path: Path):
    import pypdfium2 as pdfium

    try:
        return pdfium.PdfDocument(str(path))
    except pdfium.PdfiumError as exc:
        if "password" in str(exc).lower():
            raise ExtractionError("encrypted PDF: a password is needed to open it") from None
        raise ExtractionError(f"corrupt or unreadable PDF ({exc})") from None


def extract_pdf(path: Path, ocr: Callable[[], OcrEngine]) -> Extracted:
    import pypdfium2.raw as pdfium_c

    pdf = _open_pdfium(path)
    try:
        limits.check_pdf_pages(len(pdf))
        if len(pdf) == 0:
            raise ExtractionError("PDF has no pages")
        encrypted = pdfium_c.FPDF_GetSecurityHandlerRevision(pdf.raw) != -1
        # pdfminer decrypts some schemes (AES-256) wrongly or not at all; PDFium does them all
        raw_pages = _pdfium_text_pages(pdf) if encrypted else _pdf_text_pages(path)
        pages: list[str] = []
        ocr_pages: list[int] = []
        for i, (raw, coverage) in enumerate(raw_pages):
            text = _clean_page(raw)
            visible = len("".join(text.split()))
            stamped_scan = visible < STAMP_ONLY_CHARS and coverage >= SCAN_IMAGE_COVERAGE
            if visible >= MIN_TEXT_LAYER_CHARS and not stamped_scan and not garbled(text):
                pages.append(text)
                continue
            page = pdf[i]
            try:
                width, height = page.get_size()
                scale = limits.render_scale(width, height, i + 1, PDF_RENDER_SCALE)
                image = page.render(scale=scale).to_pil()
            finally:
                page.close()
            pages.append(_clean_page(ocr().recognize(image).text))
            del image
            ocr_pages.append(i + 1)
    finally:
        pdf.close()
    text, starts = join_pages(pages)
    if not text.strip():
        raise ExtractionError("PDF has no text layer and OCR found no text")
    return Extracted(text=text, media_type=MEDIA_TYPES[".pdf"], page_starts=starts, ocr_pages=ocr_pages)


# --------------------------------------------------------------------------- images


def _image_frames(path: Path):
    """The frames of an image file, upright (EXIF) and no larger than OCR needs, one at a time."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    bad = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError)
    try:
        img = Image.open(path)
    except Image.DecompressionBombError as exc:
        raise ExtractionError(f"image too large to decode ({exc})") from None
    except bad as exc:
        raise ExtractionError(f"corrupt or unreadable image ({type(exc).__name__}: {exc})") from None
    with img:
        frames = getattr(img, "n_frames", 1)
        limits.check_image(img.width, img.height, frames)
        for k in range(frames):
            try:
                img.seek(k)
                limits.check_image(img.width, img.height, frames)  # each TIFF frame has its own size
                img.load()
                # photographed pages carry their rotation in EXIF; OCR needs them upright
                frame = ImageOps.exif_transpose(img.copy())
            except Image.DecompressionBombError as exc:
                raise ExtractionError(f"image too large to decode ({exc})") from None
            except bad as exc:
                raise ExtractionError(f"corrupt or unreadable image ({type(exc).__name__}: {exc})") from None
            yield limits.fit_for_ocr(frame)


def extract_image(path: Path, ocr: Callable[[], OcrEngine]) -> Extracted:
    frames = _image_frames(path)
    first = next(frames)  # a corrupt file is refused before an OCR engine is loaded
    engine = ocr()
    pages = [_clean_page(engine.recognize(first).text)]
    del first
    for frame in frames:
        pages.append(_clean_page(engine.recognize(frame).text))
    text, starts = join_pages(pages)
    if not text.strip():
        raise ExtractionError("OCR found no text in the image")
    suffix = path.suffix.lower()
    return Extracted(text=text, media_type=MEDIA_TYPES[suffix], page_starts=starts,
                     ocr_pages=list(range(1, len(pages) + 1)))


# --------------------------------------------------------------------------- dispatch


def extract_file(path: Path, ocr: Callable[[], OcrEngine]) -> Extracted:
    """Extract one file, or raise ExtractionError with a reason fit for an ingest-error row.

    ``ocr`` is called only when a page needs OCR, so text-only batches never load a model.
    """
    suffix = path.suffix.lower()
    if suffix not in MEDIA_TYPES:
        hint = CONVERT_HINTS.get(suffix, "")
        raise ExtractionError(
            f"unsupported file type '{suffix or path.name}' (supported: {' '.join(SUPPORTED_SUFFIXES)})"
            + (f"; {hint}" if hint else ""))
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise ExtractionError(f"cannot read file ({exc.strerror or exc})")
    if size == 0:
        raise ExtractionError("empty file (0 bytes)")
    limits.check_file_size(path, size, limits.MAX_TEXT_BYTES if suffix == ".txt" else limits.MAX_FILE_BYTES)
    if suffix == ".txt":
        return extract_txt(path)
    if suffix == ".docx":
        return extract_docx(path)
    if suffix == ".pdf":
        return extract_pdf(path, ocr)
    return extract_image(path, ocr)
