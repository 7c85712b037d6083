"""Offline OCR engines for scanned pages: RapidOCR (default) and Tesseract chi_sim.

RapidOCR ships its Chinese detection/recognition models inside the wheel, so it works on an
offline archive network with nothing to download. Tesseract is the alternative where an archive
already runs it (Debian: tesseract-ocr tesseract-ocr-chi-sim). Both return the page text with
lines in reading order (top to bottom, then left to right) joined by newlines.
"""
from __future__ import annotations

import importlib.util
import logging
import os
import re
import shutil
from dataclasses import dataclass
from typing import Protocol, Sequence

from review_app.ingest.errors import OcrUnavailable
from review_app.ingest.layout import Line, reflow

ENGINES = ("rapidocr", "tesseract")
THREADS_ENV = "KAIFANG_OCR_THREADS"


def ocr_threads() -> int:
    """Threads per OCR engine: ``KAIFANG_OCR_THREADS``, default 1.

    One thread is the default because on shared machines onnxruntime's spinning worker threads
    lose more than they gain: on a loaded 2-core machine a page took 5.4 s with 1 thread and
    8.7 s with 2 (Tesseract likewise runs 6x faster with ``OMP_THREAD_LIMIT=1``).
    """
    raw = os.environ.get(THREADS_ENV, "1").strip()
    try:
        n = int(raw)
    except ValueError:
        raise OcrUnavailable(f"{THREADS_ENV} must be a whole number of threads, not {raw!r}") from None
    if n < 1:
        raise OcrUnavailable(f"{THREADS_ENV} must be at least 1")
    return n
DEFAULT_ENGINE = "rapidocr"

_CJK = r"\u3000-\u303f\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\uff00-\uffef"
_SPACE_BETWEEN_CJK = re.compile(rf"(?<=[{_CJK}])[ \t]+(?=[{_CJK}])")


#: One recognised character and its box in the image's pixels: (char, x0, y0, x1, y1).
Glyph = tuple[str, float, float, float, float]


@dataclass(frozen=True)
class OcrResult:
    text: str
    confidence: float  # mean line confidence, 0..1 (Tesseract: word confidences / 100)
    #: with ``recognize(..., glyphs=True)``: every recognised character with its box, in the
    #: order of ``text`` (spaces and line breaks have none). A release burns its masks there.
    glyphs: tuple[Glyph, ...] = ()


class OcrEngine(Protocol):
    name: str

    def recognize(self, image, *, glyphs: bool = False) -> OcrResult:  # image: PIL.Image.Image
        ...


#: Pages narrower than this are upscaled 2x before despeckling (a 900-px-wide page has ~26-px type).
UPSCALE_BELOW_WIDTH = 1600


def prepare(image, *, keep_upscaled: bool = False):
    """Greyscale, upscale small pages 2x, and despeckle (3x3 median) a scanned page.

    Scans carry salt-and-pepper noise (dust, toner specks). On six generated pages with 0.4-1.2 %
    speckles this cut Tesseract's CER from 27-59 % to 1-23 % and rescued RapidOCR's line
    detection on small noisy type (CER 77-100 % -> 0-1.4 %). At the original size the median
    also erased small punctuation (。：); upscaling first keeps it (clean page: CER 1.6 % -> 0 %),
    and Tesseract's chi_sim needs the larger glyphs anyway (``keep_upscaled``). RapidOCR gets the
    page back at its original size: same accuracy, half the time of detecting on the larger page.
    Bilevel (1-bit, fax/Group 4) scans are not filtered: the scanner already thresholded them and
    a median erodes their thin strokes.
    """
    from PIL import Image, ImageFilter

    bilevel = image.mode == "1"
    gray = image.convert("L")
    size = gray.size
    if gray.width < UPSCALE_BELOW_WIDTH:
        gray = gray.resize((gray.width * 2, gray.height * 2), Image.BICUBIC)
    if not bilevel:
        gray = gray.filter(ImageFilter.MedianFilter(3))
    if not keep_upscaled and gray.size != size:
        gray = gray.resize(size, Image.LANCZOS)
    return gray


def _join_fragments(parts: list[str]) -> str:
    """Join the fragments of one line: no space between Chinese characters, one elsewhere."""
    out = ""
    for p in parts:
        p = p.strip()
        if not p:
            continue
        if out and not (re.match(rf"[{_CJK}]", out[-1]) or re.match(rf"[{_CJK}]", p[0])):
            out += " "
        out += p
    return out


def _line_groups(boxes: Sequence[Sequence]) -> list[list[int]]:
    """Indices of ``boxes`` (x0, y0, x1, y1, ...) grouped into lines, top to bottom, each line
    left to right.

    A box joins a line when its vertical centre lies within half the line's median height of
    the line's centre; this keeps fragments of one slightly rotated line together.
    """
    order = sorted(range(len(boxes)), key=lambda i: ((boxes[i][1] + boxes[i][3]) / 2, boxes[i][0]))
    lines: list[list[int]] = []
    for i in order:
        box = boxes[i]
        cy = (box[1] + box[3]) / 2
        h = max(box[3] - box[1], 1.0)
        if lines:
            line = lines[-1]
            lcy = sum((boxes[j][1] + boxes[j][3]) / 2 for j in line) / len(line)
            lh = sorted(boxes[j][3] - boxes[j][1] for j in line)[len(line) // 2]
            if abs(cy - lcy) <= 0.5 * max(lh, h):
                line.append(i)
                continue
        lines.append([i])
    return [sorted(line, key=lambda j: boxes[j][0]) for line in lines]


def reading_order(boxes: list[tuple[float, float, float, float, str]]) -> str:
    """Order text boxes (x0, y0, x1, y1, text) into lines, top to bottom and left to right.

    Lines are grouped by ``_line_groups``; lines wrapped at the right margin are joined
    (``layout.reflow``).
    """
    if not boxes:
        return ""
    return reflow([Line(min(boxes[j][0] for j in line), max(boxes[j][2] for j in line),
                        _join_fragments([boxes[j][4] for j in line])) for line in _line_groups(boxes)])


def glyphs_in_reading_order(boxes: Sequence[Sequence], glyphs: Sequence[Sequence[Glyph]]) -> tuple[Glyph, ...]:
    """The characters of each box (``glyphs[i]`` for ``boxes[i]``) in the order ``reading_order``
    puts the boxes' text, so they line up with the recognised text."""
    return tuple(g for line in _line_groups(boxes) for j in line for g in glyphs[j])


def split_box(text: str, x0: float, y0: float, x1: float, y1: float) -> list[Glyph]:
    """A word's box shared out among its characters, in proportion to their display width (a
    full-width character counts two half-width ones); spaces get no glyph."""
    import unicodedata

    weights = [2.0 if unicodedata.east_asian_width(c) in "WF" else 1.0 for c in text]
    total = sum(weights) or 1.0
    out: list[Glyph] = []
    x = x0
    for c, w in zip(text, weights):
        nx = x + (x1 - x0) * w / total
        if not c.isspace():
            out.append((c, x, y0, nx, y1))
        x = nx
    return out
class RapidOcrEngine:
    """RapidOCR (PP-OCR models on onnxruntime), loaded on first use."""

    name = "rapidocr"

    def __init__(self) -> None:
        if importlib.util.find_spec("rapidocr") is None or importlib.util.find_spec("onnxruntime") is None:
            raise OcrUnavailable("OCR engine 'rapidocr' is not installed: pip install rapidocr onnxruntime")
        self._engine = None

    def _load(self):
        if self._engine is None:
            os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
            from rapidocr import RapidOCR

            # RapidOCR logs every model file it loads at INFO; a batch run only needs warnings.
            self._engine = RapidOCR(params={
                "Global.log_level": "warning",
                "EngineConfig.onnxruntime.intra_op_num_threads": ocr_threads(),
                "EngineConfig.onnxruntime.inter_op_num_threads": 1,
            })
            logging.getLogger("RapidOCR").setLevel(logging.WARNING)
        return self._engine

    def recognize(self, image, *, glyphs: bool = False) -> OcrResult:
        import numpy as np

        engine = self._load()
        arr = np.asarray(prepare(image).convert("RGB"))[:, :, ::-1].copy()  # BGR, as cv2 reads images
        # character boxes come from the recogniser's own alignment; the text is the same either way
        out = engine(arr, return_word_box=True, return_single_char_box=True) if glyphs else engine(arr)
        if out is None or out.boxes is None or out.txts is None or len(out.txts) == 0:
            return OcrResult("", 0.0)
        boxes = [_bounds(quad) + (str(txt),) for quad, txt in zip(out.boxes, out.txts)]
        scores = [float(s) for s in (out.scores or [])]
        found: tuple[Glyph, ...] = ()
        if glyphs:
            found = glyphs_in_reading_order(boxes, _char_boxes(boxes, list(out.word_results or ())))
        return OcrResult(reading_order(boxes), sum(scores) / len(scores) if scores else 0.0, found)


def _char_boxes(boxes: list[tuple], words: list) -> list[list[Glyph]]:
    """Each line box's characters with their boxes, from RapidOCR's word results.

    RapidOCR drops the word results of a line it could not split, so they are paired with the
    line boxes by position (a line's words lie inside its box, in the same order); a line left
    without words has its box shared out among its characters (``split_box``).
    """
    out: list[list[Glyph]] = []
    k = 0
    for x0, y0, x1, y1, txt in boxes:
        if k < len(words) and words[k]:
            wx0, wy0, wx1, wy1 = _bounds([p for w in words[k] for p in w[2]])
            cx, cy = (wx0 + wx1) / 2, (wy0 + wy1) / 2
            if x0 - 1 <= cx <= x1 + 1 and y0 - 1 <= cy <= y1 + 1:
                out.append([g for w in words[k] for g in split_box(str(w[0]), *_bounds(w[2]))])
                k += 1
                continue
        out.append(split_box(txt, x0, y0, x1, y1))
    return out


def _bounds(quad) -> tuple[float, float, float, float]:
    """The axis-aligned bounds of a quadrilateral [[x, y] * 4]."""
    xs = [float(p[0]) for p in quad]
    ys = [float(p[1]) for p in quad]
    return min(xs), min(ys), max(xs), max(ys)


class TesseractEngine:
    """Tesseract 4/5 with the chi_sim language data, through pytesseract."""

    name = "tesseract"

    def __init__(self, lang: str = "chi_sim") -> None:
        if importlib.util.find_spec("pytesseract") is None:
            raise OcrUnavailable("OCR engine 'tesseract' needs the Python package pytesseract: pip install pytesseract")
        if shutil.which("tesseract") is None:
            raise OcrUnavailable(
                "OCR engine 'tesseract' is not installed: apt-get install -y tesseract-ocr tesseract-ocr-chi-sim "
                "(or use --ocr rapidocr, which needs no system package)")
        import pytesseract

        langs = set(pytesseract.get_languages(config=""))
        if lang not in langs:
            raise OcrUnavailable(
                f"Tesseract has no '{lang}' language data (has: {', '.join(sorted(langs)) or 'none'}): "
                "apt-get install -y tesseract-ocr-chi-sim")
        os.environ.setdefault("OMP_THREAD_LIMIT", str(ocr_threads()))  # 1: 6x faster per page on small machines
        self.lang = lang

    def recognize(self, image, *, glyphs: bool = False) -> OcrResult:
        import pytesseract

        gray = prepare(image, keep_upscaled=True)  # chi_sim misreads small glyphs badly: prepare() upscales small pages
        data = pytesseract.image_to_data(gray, lang=self.lang, config="--psm 3",
                                         output_type=pytesseract.Output.DICT)
        back = image.width / gray.width  # word boxes in the caller's pixels
        lines: dict[tuple[int, int, int], list[int]] = {}
        confs: list[float] = []
        for i, word in enumerate(data["text"]):
            if not word or not word.strip():
                continue
            key = (data["block_num"][i], data["par_num"][i], data["line_num"][i])
            lines.setdefault(key, []).append(i)
            c = float(data["conf"][i])
            if c >= 0:
                confs.append(c / 100.0)
        ordered = sorted(lines.items())
        text = reflow([
            Line(min(data["left"][i] for i in idx), max(data["left"][i] + data["width"][i] for i in idx),
                 _SPACE_BETWEEN_CJK.sub("", " ".join(data["text"][i] for i in idx)))
            for _, idx in ordered])
        found: tuple[Glyph, ...] = ()
        if glyphs:
            found = tuple(g for _, idx in ordered for i in idx
                          for g in split_box(data["text"][i].strip(), data["left"][i] * back, data["top"][i] * back,
                                             (data["left"][i] + data["width"][i]) * back,
                                             (data["top"][i] + data["height"][i]) * back))
        return OcrResult(text, sum(confs) / len(confs) if confs else 0.0, found)


def available_engines() -> list[str]:
    """Names of the engines that can run here."""
    names = []
    for name in ENGINES:
        try:
            get_engine(name)
            names.append(name)
        except OcrUnavailable:
            pass
    return names


def get_engine(name: str = DEFAULT_ENGINE) -> OcrEngine:
    """Build an OCR engine by name, or raise OcrUnavailable with what to install."""
    if name == "rapidocr":
        return RapidOcrEngine()
    if name == "tesseract":
        return TesseractEngine()
    raise OcrUnavailable(f"unknown OCR engine {name!r}; choose one of {', '.join(ENGINES)}")
