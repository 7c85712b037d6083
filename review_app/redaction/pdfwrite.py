"""A small PDF writer for released pages: one image per page under an invisible text layer.

Why not reportlab or pypdfium2: both keep the whole document in memory until it is saved, and a
release of large scans must hold one page at a time. This writer streams each page (its image
and content stream) to the file as it is added; what it keeps is a few numbers per page and the
characters used. The text layer uses a glyph-less font (the technique of Tesseract's searchable
PDFs): every character code maps to an empty glyph of the same width and a ToUnicode entry, so
text is selectable, searchable and extractable, draws nothing (render mode 3), and every code
point round-trips, including characters outside the BMP (𠮷) that no installed font has.

Output is deterministic (no dates, no random ids): the same pages give the same bytes.
"""
from __future__ import annotations

import io
import zlib
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Sequence

FONT_NAME = "KaifangGlyphLess"
JPEG_QUALITY = 85
#: a content-stream string of at most this many characters per ``Tj`` (viewers cope, lines stay short)
_MAX_TJ = 500


@dataclass(frozen=True)
class TextRun:
    """Text placed over a box of the page, in points from the top-left corner."""

    text: str
    x0: float
    top: float
    x1: float
    bottom: float


@lru_cache(maxsize=1)
def glyphless_font() -> bytes:
    """A TrueType font with one empty glyph 1000 units wide (built with fontTools, MIT)."""
    from fontTools.fontBuilder import FontBuilder
    from fontTools.pens.ttGlyphPen import TTGlyphPen

    fb = FontBuilder(1000, isTTF=True)
    fb.setupGlyphOrder([".notdef", "blank"])
    fb.setupCharacterMap({0x20: "blank"})
    empty = TTGlyphPen(None).glyph()
    fb.setupGlyf({".notdef": empty, "blank": TTGlyphPen(None).glyph()})
    fb.setupHorizontalMetrics({".notdef": (1000, 0), "blank": (1000, 0)})
    fb.setupHorizontalHeader(ascent=1000, descent=0)
    fb.setupNameTable({"familyName": FONT_NAME, "styleName": "Regular"})
    fb.setupOS2(sTypoAscender=1000, sTypoDescender=0, usWinAscent=1000, usWinDescent=0)
    fb.setupPost()
    buf = io.BytesIO()
    fb.save(buf)
    return buf.getvalue()


def _pdf_string(text: str) -> bytes:
    """A PDF text string (UTF-16BE with BOM, as a hex string)."""
    return b"<FEFF" + text.encode("utf-16-be").hex().upper().encode("ascii") + b">"


def _num(x: float) -> bytes:
    return (f"{x:.2f}".rstrip("0").rstrip(".") or "0").encode("ascii")


class PdfPageWriter:
    """Write pages to ``path`` one at a time; ``close()`` finishes the file.

    Use as a context manager: on an exception the partial file is removed.
    """

    def __init__(self, path: Path | str, *, title: str = "") -> None:
        self.path = Path(path)
        self.title = title
        self._fh: BinaryIO = open(self.path, "wb")
        self._offsets: dict[int, int] = {}
        self._next = 1
        self._catalog, self._pages, self._font, self._cidfont, self._info = (self._reserve() for _ in range(5))
        self._kids: list[int] = []
        self._cids: dict[str, int] = {}
        self._closed = False
        self._fh.write(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")

    # ------------------------------------------------------------------ objects

    def _reserve(self) -> int:
        n = self._next
        self._next += 1
        return n

    def _object(self, num: int, body: bytes) -> None:
        self._offsets[num] = self._fh.tell()
        self._fh.write(b"%d 0 obj\n" % num + body + b"\nendobj\n")

    def _stream(self, num: int, data: bytes, entries: bytes = b"") -> None:
        self._offsets[num] = self._fh.tell()
        self._fh.write(b"%d 0 obj\n<< /Length %d %s>>\nstream\n" % (num, len(data), entries))
        self._fh.write(data)
        self._fh.write(b"\nendstream\nendobj\n")

    # ------------------------------------------------------------------ pages

    def _codes(self, text: str) -> str:
        """The hex character codes of ``text`` (one CID per distinct character; controls dropped)."""
        out = []
        for ch in text:
            if ch < " " or ch == "\x7f":
                continue
            cid = self._cids.get(ch)
            if cid is None:
                cid = len(self._cids) + 1
                if cid > 0xFFFF:
                    raise ValueError("more than 65535 distinct characters in one document's text layer")
                self._cids[ch] = cid
            out.append(f"{cid:04X}")
        return "".join(out)

    def _image(self, image) -> tuple[bytes, bytes]:
        """(stream data, dictionary entries) of a page image: 1-bit as Flate, else JPEG."""
        if image.mode == "1":
            data = zlib.compress(image.tobytes(), 6)
            return data, (b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace /DeviceGray "
                          b"/BitsPerComponent 1 /Filter /FlateDecode " % image.size)
        if image.mode not in ("L", "RGB"):
            image = image.convert("RGB")
        buf = io.BytesIO()
        image.save(buf, "JPEG", quality=JPEG_QUALITY, optimize=True)
        space = b"/DeviceGray" if image.mode == "L" else b"/DeviceRGB"
        return buf.getvalue(), (b"/Type /XObject /Subtype /Image /Width %d /Height %d /ColorSpace %s "
                                b"/BitsPerComponent 8 /Filter /DCTDecode " % (image.size[0], image.size[1], space))

    def _text_ops(self, runs: Sequence[TextRun], height: float) -> bytes:
        ops = [b"BT 3 Tr"]
        for run in runs:
            codes = self._codes(run.text)
            n = len(codes) // 4
            if not n or run.bottom <= run.top:
                continue
            size = run.bottom - run.top
            scale = max(100.0 * max(run.x1 - run.x0, 0.01) / (n * size), 0.01)
            baseline = height - run.bottom + 0.15 * size
            ops.append(b"/F1 %s Tf %s Tz 1 0 0 1 %s %s Tm" % (_num(size), _num(scale), _num(run.x0), _num(baseline)))
            for i in range(0, len(codes), 4 * _MAX_TJ):
                ops.append(b"<" + codes[i:i + 4 * _MAX_TJ].encode("ascii") + b"> Tj")
        ops.append(b"ET")
        return b"\n".join(ops) if len(ops) > 2 else b""

    def add_page(self, image, *, width: float, height: float, runs: Sequence[TextRun] = ()) -> None:
        """Add a page ``width`` x ``height`` points showing ``image`` with ``runs`` as invisible text."""
        if self._closed:
            raise ValueError("the writer is closed")
        data, entries = self._image(image)
        img, content, page = self._reserve(), self._reserve(), self._reserve()
        self._stream(img, data, entries)
        ops = b"q %s 0 0 %s 0 0 cm /Im1 Do Q\n" % (_num(width), _num(height)) + self._text_ops(runs, height)
        self._stream(content, zlib.compress(ops, 6), b"/Filter /FlateDecode ")
        self._object(page, b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 %s %s] /Contents %d 0 R "
                     b"/Resources << /XObject << /Im1 %d 0 R >> /Font << /F1 %d 0 R >> >> >>"
                     % (self._pages, _num(width), _num(height), content, img, self._font))
        self._kids.append(page)
        self._fh.flush()  # the page is the file's now, not this process's memory

    # ------------------------------------------------------------------ finish

    def _to_unicode(self) -> bytes:
        lines = [b"/CIDInit /ProcSet findresource begin", b"12 dict begin", b"begincmap",
                 b"/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def",
                 b"/CMapName /Adobe-Identity-UCS def", b"/CMapType 2 def",
                 b"1 begincodespacerange", b"<0000> <FFFF>", b"endcodespacerange"]
        items = sorted(self._cids.items(), key=lambda kv: kv[1])
        for i in range(0, len(items), 100):
            chunk = items[i:i + 100]
            lines.append(b"%d beginbfchar" % len(chunk))
            lines += [b"<%04X> <%s>" % (cid, ch.encode("utf-16-be").hex().upper().encode("ascii")) for ch, cid in chunk]
            lines.append(b"endbfchar")
        lines += [b"endcmap", b"CMapName currentdict /CMap defineresource pop", b"end", b"end"]
        return b"\n".join(lines)

    def _write_font(self) -> None:
        descriptor, fontfile, cidmap, tounicode = (self._reserve() for _ in range(4))
        self._object(self._font, b"<< /Type /Font /Subtype /Type0 /BaseFont /%s /Encoding /Identity-H "
                     b"/DescendantFonts [%d 0 R] /ToUnicode %d 0 R >>" % (FONT_NAME.encode(), self._cidfont, tounicode))
        self._object(self._cidfont, b"<< /Type /Font /Subtype /CIDFontType2 /BaseFont /%s "
                     b"/CIDSystemInfo << /Registry (Adobe) /Ordering (Identity) /Supplement 0 >> "
                     b"/FontDescriptor %d 0 R /DW 1000 /CIDToGIDMap %d 0 R >>" % (FONT_NAME.encode(), descriptor, cidmap))
        self._object(descriptor, b"<< /Type /FontDescriptor /FontName /%s /Flags 5 /FontBBox [0 0 1000 1000] "
                     b"/ItalicAngle 0 /Ascent 1000 /Descent 0 /CapHeight 1000 /StemV 80 /FontFile2 %d 0 R >>"
                     % (FONT_NAME.encode(), fontfile))
        font = glyphless_font()
        self._stream(fontfile, zlib.compress(font, 9), b"/Length1 %d /Filter /FlateDecode " % len(font))
        # every character code (CID) draws glyph 1, the empty one; CID 0 stays .notdef
        gids = b"\x00\x00" + b"\x00\x01" * len(self._cids)
        self._stream(cidmap, zlib.compress(gids, 9), b"/Filter /FlateDecode ")
        self._stream(tounicode, zlib.compress(self._to_unicode(), 9), b"/Filter /FlateDecode ")

    def close(self) -> None:
        """Write the font, page tree, catalogue and cross-reference table, and close the file."""
        if self._closed:
            return
        if not self._kids:
            raise ValueError("a PDF needs at least one page")
        self._write_font()
        kids = b" ".join(b"%d 0 R" % k for k in self._kids)
        self._object(self._pages, b"<< /Type /Pages /Kids [%s] /Count %d >>" % (kids, len(self._kids)))
        self._object(self._catalog, b"<< /Type /Catalog /Pages %d 0 R >>" % self._pages)
        self._object(self._info, b"<< /Producer %s /Title %s >>" % (_pdf_string("Kaifang release"),
                                                                    _pdf_string(self.title)))
        xref = self._fh.tell()
        count = self._next
        missing = [n for n in range(1, count) if n not in self._offsets]
        if missing:  # pragma: no cover - every reserved object is written above
            raise AssertionError(f"objects never written: {missing}")
        rows = [b"xref", b"0 %d" % count, b"0000000000 65535 f "]
        rows += [b"%010d 00000 n " % self._offsets[n] for n in range(1, count)]
        self._fh.write(b"\n".join(rows) + b"\n")
        self._fh.write(b"trailer\n<< /Size %d /Root %d 0 R /Info %d 0 R >>\nstartxref\n%d\n%%%%EOF\n"
                       % (count, self._catalog, self._info, xref))
        self._fh.flush()
        self._fh.close()
        self._closed = True

    def abort(self) -> None:
        """Close and remove the partial file."""
        if not self._fh.closed:
            self._fh.close()
        self._closed = True
        self.path.unlink(missing_ok=True)

    def __enter__(self) -> "PdfPageWriter":
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        else:
            self.abort()
