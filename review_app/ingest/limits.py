"""Bounds on what one file may cost to read: every decompression and rendering is capped.

An archive batch comes from outside. A 2.7 MB Word file can declare gigabytes of XML (a zip
bomb), a PDF page can measure five metres (rendered for OCR at 216 dpi: 5.6 GB of pixels), an
image header can promise a billion pixels. Each check here runs *before* the expensive step and
raises ``ExtractionError`` with a reason, so the file becomes an ingest-error row and the batch
goes on. With these bounds one file needs well under 1 GB of memory (measured by
``benchmarks/ingest_limits_bench.py``).

The numbers are generous for real records: an A3 page renders at 216 dpi and an A0 drawing at
about 105 dpi, a 600-dpi A3 scan is accepted (and scaled down for OCR), a Word file may hold
256 MB of pictures.
"""
from __future__ import annotations

import math
import zipfile
import zlib
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from review_app.ingest.errors import ExtractionError

MB = 1024 * 1024
#: any file: bigger than this is refused before it is read
MAX_FILE_BYTES = 1024 * MB
#: a .txt file is read into memory and decoded whole
MAX_TEXT_BYTES = 32 * MB
#: .docx (a zip): members, their total uncompressed size, the XML among it, and the ratio a
#: member larger than 1 MB may expand by (real Word XML compresses 5-20x, pictures about 1x)
MAX_ZIP_MEMBERS = 10_000
MAX_ZIP_TOTAL = 256 * MB
MAX_ZIP_XML = 64 * MB
MAX_ZIP_RATIO = 200
#: PDF pages in one file, and what one of its compressed streams may expand to when its text is read
MAX_PDF_PAGES = 3000
MAX_PDF_STREAM = 256 * MB
#: pixels of one page rendered for OCR; the render scale is lowered to fit (A3 still gets 216 dpi,
#: A0 about 105 dpi). RapidOCR itself needs about 0.85 GB for any A4-size page (its detector works
#: on up to 2000 px); this cap keeps the largest page under 1 GB in all (benchmarks/ingest_limits_bench.py) ...
MAX_RENDER_PIXELS = 9_000_000
#: ... but not below 72 dpi, where 10-pt type is no longer readable: such a page is refused
MIN_RENDER_SCALE = 1.0
#: pixels of one image frame as stored (decoding it needs them all) and frames per image file
MAX_IMAGE_PIXELS = 120_000_000
MAX_IMAGE_FRAMES = 1000
#: an image frame larger than this is scaled down before OCR (a 600-dpi A4 scan to about 350 dpi)
MAX_OCR_PIXELS = 9_000_000


def _mb(n: float) -> str:
    return f"{n / MB:,.0f} MB" if n >= MB else f"{n / 1024:,.0f} KB"


def check_file_size(path: Path, size: int, limit: int = MAX_FILE_BYTES) -> None:
    if size > limit:
        raise ExtractionError(f"file too large to ingest ({_mb(size)}; the limit for this kind of file is "
                              f"{_mb(limit)})")


def check_zip(path: Path) -> None:
    """Refuse a .docx whose members would expand beyond the caps (read from the zip's directory,
    before anything is decompressed; Python's zipfile never yields more than a member declares)."""
    try:
        with zipfile.ZipFile(path) as z:
            infos = z.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        raise ExtractionError(f"corrupt or not a Word .docx file ({type(exc).__name__}: {exc})") from None
    if len(infos) > MAX_ZIP_MEMBERS:
        raise ExtractionError(f"Word file with {len(infos):,} parts (limit {MAX_ZIP_MEMBERS:,}): refused as a zip bomb")
    total = sum(i.file_size for i in infos)
    if total > MAX_ZIP_TOTAL:
        raise ExtractionError(f"Word file would expand to {_mb(total)} (limit {_mb(MAX_ZIP_TOTAL)}): refused as a "
                              "zip bomb")
    xml = sum(i.file_size for i in infos if i.filename.lower().endswith((".xml", ".rels")))
    if xml > MAX_ZIP_XML:
        raise ExtractionError(f"Word file with {_mb(xml)} of XML (limit {_mb(MAX_ZIP_XML)}): refused as a zip bomb")
    for i in infos:
        if i.file_size > MB and i.file_size > MAX_ZIP_RATIO * max(i.compress_size, 1):
            raise ExtractionError(f"Word file part {i.filename!r} expands {i.file_size / max(i.compress_size, 1):,.0f}"
                                  f" times ({_mb(i.compress_size)} to {_mb(i.file_size)}; limit {MAX_ZIP_RATIO}x): "
                                  "refused as a zip bomb")


class _BoundedZlib:
    """``zlib`` for pdfminer, whose stream decoding has no size cap of its own: a stream that
    would expand beyond ``MAX_PDF_STREAM`` raises ``ExtractionError`` instead."""

    error = zlib.error
    MAX_WBITS = zlib.MAX_WBITS

    @staticmethod
    def _refuse() -> ExtractionError:
        return ExtractionError(f"PDF with a compressed stream that expands beyond {_mb(MAX_PDF_STREAM)}: "
                               "refused as a decompression bomb")

    @classmethod
    def decompress(cls, data: bytes, *args, **kwargs) -> bytes:
        d = zlib.decompressobj(*args, **kwargs)
        out = d.decompress(data, MAX_PDF_STREAM + 1)
        if len(out) > MAX_PDF_STREAM or d.unconsumed_tail:
            raise cls._refuse()
        if not d.eof:
            raise zlib.error("incomplete or truncated stream")  # as zlib.decompress says it
        return out

    @classmethod
    def decompressobj(cls, *args, **kwargs):
        inner = zlib.decompressobj(*args, **kwargs)

        class Bounded:
            produced = 0

            def decompress(self, data: bytes, max_length: int = 0) -> bytes:
                out = inner.decompress(data, max_length) if max_length else inner.decompress(data)
                self.produced += len(out)
                if self.produced > MAX_PDF_STREAM:
                    raise cls._refuse()
                return out

            def flush(self, *a) -> bytes:
                return inner.flush(*a)

            def __getattr__(self, name):
                return getattr(inner, name)

        return Bounded()


@contextmanager
def bounded_pdf_streams() -> Iterator[None]:
    """While pdfminer reads a file, its Flate streams are decompressed within ``MAX_PDF_STREAM``."""
    from pdfminer import pdftypes

    saved = pdftypes.zlib
    pdftypes.zlib = _BoundedZlib
    try:
        yield
    finally:
        pdftypes.zlib = saved


def check_pdf_pages(count: int) -> None:
    if count > MAX_PDF_PAGES:
        raise ExtractionError(f"PDF with {count:,} pages (limit {MAX_PDF_PAGES:,}): split it into volumes first")


def render_scale(width_pt: float, height_pt: float, page: int, wanted: float) -> float:
    """The scale to render a page at for OCR: ``wanted``, lowered to stay within the pixel cap;
    a page that would need less than 72 dpi is refused (``ExtractionError``)."""
    area = max(float(width_pt), 1.0) * max(float(height_pt), 1.0)
    scale = min(wanted, math.sqrt(MAX_RENDER_PIXELS / area))
    if scale < MIN_RENDER_SCALE:
        raise ExtractionError(
            f"PDF page {page} measures {width_pt:,.0f} x {height_pt:,.0f} pt ({width_pt / 72 * 2.54:,.0f} x "
            f"{height_pt / 72 * 2.54:,.0f} cm): rendering it for OCR would exceed {MAX_RENDER_PIXELS / 1e6:.0f} "
            "megapixels even at 72 dpi")
    return scale


def check_image(width: int, height: int, frames: int) -> None:
    if width * height > MAX_IMAGE_PIXELS:
        raise ExtractionError(f"image of {width:,} x {height:,} pixels ({width * height / 1e6:,.0f} megapixels; "
                              f"limit {MAX_IMAGE_PIXELS / 1e6:.0f}): refused")
    if frames > MAX_IMAGE_FRAMES:
        raise ExtractionError(f"image file with {frames:,} pages (limit {MAX_IMAGE_FRAMES:,})")


def fit_for_ocr(image):
    """``image``, scaled down (aspect kept) when it has more pixels than OCR needs."""
    pixels = image.width * image.height
    if pixels <= MAX_OCR_PIXELS:
        return image
    f = math.sqrt(MAX_OCR_PIXELS / pixels)
    return image.resize((max(1, int(image.width * f)), max(1, int(image.height * f))))
