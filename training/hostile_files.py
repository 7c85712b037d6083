"""Files that attack an ingest: zip bombs, a five-metre PDF page, an image header promising a
billion pixels, owner-password PDFs. For the tests and ``benchmarks/ingest_limits_bench.py``
(the peak memory of ingesting them); nothing here is used when Kaifang runs.
"""
from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

MB = 1024 * 1024


def write_zip_bomb_docx(path: Path, text: str, expand_mb: int, members: int = 1) -> int:
    """A valid Word file plus ``members`` parts of zeros that expand to ``expand_mb`` MB in all
    (deflate packs zeros about 1000:1). Returns the file's size in bytes."""
    from training.sample_collection import write_docx

    write_docx(path, text)
    chunk = bytes(8 * MB)
    per = expand_mb // members
    with zipfile.ZipFile(path, "a", compression=zipfile.ZIP_DEFLATED, compresslevel=9) as z:
        for k in range(members):
            with z.open(f"word/media/image{k + 1}.bin", "w", force_zip64=True) as fh:
                left = per * MB
                while left > 0:
                    n = min(left, len(chunk))
                    fh.write(chunk[:n])
                    left -= n
    return path.stat().st_size


def write_huge_page_pdf(path: Path, side_pt: float = 14400.0, height_pt: float | None = None) -> None:
    """One page of ``side_pt`` x ``height_pt`` (default: square) points (14,400 pt = 5.08 m) with no
    text layer, so ingestion wants to render it for OCR (at 216 dpi: 43,200 x 43,200 pixels, 5.6 GB
    as RGB)."""
    from reportlab.pdfgen import canvas

    height_pt = height_pt or side_pt
    buf = io.BytesIO()
    c = canvas.Canvas(buf, pagesize=(side_pt, height_pt))
    c.setFillGray(0.85)
    c.rect(side_pt * 0.1, height_pt * 0.1, side_pt * 0.8, height_pt * 0.8, fill=1, stroke=0)
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())


def write_owner_password_pdf(path: Path, text: str, strength: int = 256) -> None:
    """A text PDF that opens without a password but whose owner password forbids copying and
    printing (AES-256 with ``strength`` 256: reportlab needs ``pyaes`` for it; 128 is RC4)."""
    from reportlab.lib import pdfencrypt
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    from training.sample_collection import _reportlab_font

    buf = io.BytesIO()
    enc = pdfencrypt.StandardEncryption("", ownerPassword="owner-only-secret", canPrint=0, canModify=0, canCopy=0,
                                        canAnnotate=0, strength=strength)
    c = canvas.Canvas(buf, pagesize=A4, encrypt=enc)
    c.setFont(_reportlab_font(), 12)
    for i, line in enumerate(text.splitlines()):
        c.drawString(60, 780 - 18 * i, line)
    c.showPage()
    c.save()
    path.write_bytes(buf.getvalue())


def write_png_header(path: Path, width: int, height: int) -> None:
    """A PNG whose header declares ``width`` x ``height`` RGB pixels, with a token of image data:
    a decoder that trusts the header allocates width*height*3 bytes."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    idat = zlib.compress(bytes(width // 8 + 1))
    path.write_bytes(b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b""))


def write_stream_bomb_pdf(path: Path, expand_mb: int) -> int:
    """A one-page PDF whose page content is a Flate stream of ``expand_mb`` MB of blanks (a few KB
    on disk per MB): a reader that decompresses it whole holds it all. Returns the file's size."""
    comp = zlib.compressobj(9)
    stream = b"".join(comp.compress(bytes(MB) .replace(b"\x00", b" ")) for _ in range(expand_mb)) + comp.flush()
    objs = [b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R >>",
            b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream"]
    out = bytearray(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objs, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % i + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objs) + 1)
    out += b"".join(b"%010d 00000 n \n" % o for o in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objs) + 1, xref)
    path.write_bytes(bytes(out))
    return len(out)
