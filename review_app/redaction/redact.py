"""One document: its pages rebuilt as images with the masked characters burned out, under an
invisible text layer made from the masked text.

A document is refused (``Unlocatable``) rather than released with a box over nothing when a
masked character cannot be placed on its page: the page does not show it (no text-layer
character and no OCR character matches it), or the text layer puts it where nothing is drawn
(hidden text, or the visible text is drawn as curves somewhere else). Whatever else might still
show a masked value (an image, curves, a stamp) is the verifier's job (``verify``).
"""
from __future__ import annotations

from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from review_app.ingest.extract import PAGE_SEPARATOR
from review_app.ingest.ocr import OcrEngine
from review_app.redaction.locate import Box, Run, align, mask_boxes, text_runs
from review_app.redaction.pages import TEXT_LAYER, iter_pages, page_count
from review_app.redaction.pdfwrite import PdfPageWriter, TextRun

#: a character box whose darkest and lightest pixels differ less than this shows nothing
INK_CONTRAST = 48
#: colour channels closer than this everywhere: the page is stored as greyscale
GREY_TOLERANCE = 6


class Unlocatable(Exception):
    """Masked characters that cannot be placed on their page; ``offsets`` are in the stored text."""

    def __init__(self, page: int, offsets: list[int], why: str):
        super().__init__(f"page {page}: {len(offsets)} masked character(s) {why}")
        self.page, self.offsets, self.why = page, offsets, why


@dataclass
class PageDone:
    """What was done to one page."""

    number: int
    route: str
    boxes: int
    masked_chars: int


@dataclass
class Redacted:
    pages: list[PageDone] = field(default_factory=list)

    @property
    def boxes(self) -> int:
        return sum(p.boxes for p in self.pages)


def page_spans(text: str, page_starts: Sequence[int]) -> list[tuple[int, int]]:
    """(start, end) of each page's own text in the stored text, without the separator that
    ``ingest.extract.join_pages`` put between pages."""
    starts = list(page_starts) or [0]
    spans = []
    for i, s in enumerate(starts):
        e = starts[i + 1] if i + 1 < len(starts) else len(text)
        if i + 1 < len(starts) and text[e - len(PAGE_SEPARATOR):e] == PAGE_SEPARATOR:
            e -= len(PAGE_SEPARATOR)
        spans.append((s, e))
    return spans


def _ink(gray, box: Box) -> bool | None:
    """Whether anything is drawn inside ``box`` (None: the box lies outside the page image)."""
    h, w = gray.shape
    x0, y0 = max(int(box[0]), 0), max(int(box[1]), 0)
    x1, y1 = min(int(box[2] + 0.999), w), min(int(box[3] + 0.999), h)
    if x1 <= x0 or y1 <= y0:
        return None
    region = gray[y0:y1, x0:x1]
    return int(region.max()) - int(region.min()) >= INK_CONTRAST


def _normal_mode(image):
    """The image in a mode the writer stores (1, L or RGB); an RGB page without colour as L."""
    import numpy as np

    if image.mode in ("1", "L"):
        return image
    if image.mode in ("LA", "I", "I;16", "F"):
        return image.convert("L")
    rgb = image if image.mode == "RGB" else image.convert("RGB")
    # colour is looked for on a quarter-size copy: a seal or a coloured heading is far larger
    arr = np.asarray(rgb.reduce(4) if min(rgb.size) >= 64 else rgb, dtype=np.int16)
    if int(np.abs(arr[..., 0] - arr[..., 1]).max()) <= GREY_TOLERANCE and \
            int(np.abs(arr[..., 1] - arr[..., 2]).max()) <= GREY_TOLERANCE:
        return rgb.convert("L")
    return rgb


def burn(image, boxes: Sequence[Box]):
    """``image`` with each box filled opaque black (in its pixels: nothing under it survives)."""
    from PIL import ImageDraw

    image = _normal_mode(image)
    if boxes:
        draw = ImageDraw.Draw(image)
        fill = 0 if image.mode in ("1", "L") else (0, 0, 0)
        for x0, y0, x1, y1 in boxes:
            draw.rectangle([int(x0), int(y0), int(x1 + 0.999), int(y1 + 0.999)], fill=fill)
    return image


def _layout(runs: list[Run], scale: float, width: float, height: float) -> list[TextRun]:
    """Text-layer runs in points; runs the page did not place go below the last placed one."""
    placed = [r.box for r in runs if r.box is not None]
    line = sorted(b[3] - b[1] for b in placed)[len(placed) // 2] / scale if placed else height / 60
    out: list[TextRun] = []
    y = 0.05 * height
    for r in runs:
        if r.box is not None:
            x0, y0, x1, y1 = (v / scale for v in r.box)
            out.append(TextRun(r.text, x0, y0, x1, y1))
            y = y1
        else:
            top = min(y + 0.2 * line, height - line)
            out.append(TextRun(r.text, 0.05 * width, top, min(0.95 * width, 0.05 * width + len(r.text) * line),
                               top + line))
            y = top + line
    return out


def redact_document(*, source: Path, media_type: str, text: str, masked_text: str, page_starts: Sequence[int],
                    ranges: Sequence[tuple[int, int]], ocr_pages: Sequence[int], ocr: Callable[[], OcrEngine],
                    out: Path, title: str = "", on_page: Callable[[], None] | None = None) -> Redacted:
    """Write the redacted PDF of a PDF or scanned image to ``out``.

    ``text`` is the stored text, ``masked_text`` the same with ``ranges`` masked (one code point
    for one). Raises ``Unlocatable`` (and removes ``out``) when a masked character cannot be
    placed; ``pages.SourceError`` when the source cannot be read or its pages do not match the
    stored text.
    """
    from review_app.redaction.pages import SourceError

    spans = page_spans(text, page_starts)
    n = page_count(source, media_type)
    if n != len(spans):
        raise SourceError(f"the source file has {n} page(s), the reviewed text {len(spans)}")
    masked = sorted({i for s, e in ranges for i in range(max(s, 0), min(e, len(text)))})
    done = Redacted()
    pages = iter_pages(source, media_type, ocr_pages=frozenset(ocr_pages), ocr=ocr)
    with PdfPageWriter(out, title=title) as writer, closing(pages):
        for page in pages:
            start, end = spans[page.number - 1]
            page_text = text[start:end]
            here = [i - start for i in masked if start <= i < end]
            boxes = align(page_text, page.glyphs)
            shown = [o for o in here if not page_text[o].isspace()]
            missing = [o for o in shown if boxes[o] is None]
            if missing:
                raise Unlocatable(page.number, [start + o for o in missing],
                                  f"cannot be found on the page ({page.route} of the source page)")
            if page.route == TEXT_LAYER and shown:
                import numpy as np

                gray = np.asarray(page.image.convert("L"))
                blank = [o for o in shown if _ink(gray, boxes[o]) is False]
                if blank:
                    raise Unlocatable(page.number, [start + o for o in blank],
                                      "are not drawn where the text layer places them (hidden text, or the "
                                      "visible text is drawn as curves or an image elsewhere)")
            rects = mask_boxes(boxes, here)
            image = burn(page.image, rects)
            runs = _layout(text_runs(masked_text[start:end], boxes), page.scale, page.width, page.height)
            writer.add_page(image, width=page.width, height=page.height, runs=runs)
            done.pages.append(PageDone(page.number, page.route, len(rects), len(shown)))
            del page, image
            if on_page is not None:
                on_page()
    return done
