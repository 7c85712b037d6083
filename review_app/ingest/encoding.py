"""Detect the encoding of Chinese plain-text files: UTF-8, GB18030/GBK/GB2312 and Big5.

Why not charset-normalizer alone: GB18030 decodes almost any byte string without error, so a
Big5 file "decodes" as GB18030 into plausible-looking garbage, and short files fool statistical
detectors. We therefore decode each candidate strictly and score how much of the result is
*common* Chinese: characters in GB2312 (the 6,763 everyday simplified characters), characters in
Big5 level 1 (the 5,401 frequent traditional characters) and full-width punctuation. The right
decoding scores near 1; a wrong one scores far lower. charset-normalizer breaks ties and is the
last resort when no candidate decodes strictly.
"""
from __future__ import annotations

import codecs
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

from review_app.ingest.errors import ExtractionError

#: (codec used to decode, name reported). Order matters only for ties.
_CANDIDATES: tuple[tuple[str, str], ...] = (
    ("gb18030", "gb18030"),
    ("big5", "big5"),
    ("cp950", "big5"),
    ("big5hkscs", "big5"),
)


@dataclass(frozen=True)
class Decoded:
    text: str
    encoding: str  # utf-8 | utf-8-sig | utf-16 | gb18030 | big5 | <charset-normalizer name>
    confidence: float


@lru_cache(maxsize=65536)
def _is_common(ch: str) -> bool:
    """True for characters an ordinary Chinese document is made of."""
    try:
        ch.encode("gb2312")
        return True
    except UnicodeEncodeError:
        pass
    try:
        b = ch.encode("big5")
    except UnicodeEncodeError:
        return False
    if len(b) != 2:
        return False
    code = (b[0] << 8) | b[1]
    # A140-A3BF symbols and punctuation, A440-C67E level-1 (frequent) characters.
    return 0xA140 <= code <= 0xA3BF or 0xA440 <= code <= 0xC67E


def plausibility(text: str) -> float:
    """Share of non-ASCII characters that are common Chinese characters or punctuation."""
    total = common = 0
    for ch in text:
        if ord(ch) < 128:
            continue
        total += 1
        if _is_common(ch):
            common += 1
        elif unicodedata.category(ch) in ("Co", "Cn", "Cc"):
            common -= 1  # private-use or unassigned code points are a strong sign of a wrong codec
    return 1.0 if total == 0 else max(common, 0) / total


def decode_bytes(data: bytes) -> Decoded:
    """Decode a text file's bytes, or raise ExtractionError when it is not text at all."""
    if not data:
        raise ExtractionError("empty file (0 bytes)")
    if data.startswith(codecs.BOM_UTF8):
        try:
            return Decoded(data[3:].decode("utf-8"), "utf-8-sig", 1.0)
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"file starts with a UTF-8 BOM but is not valid UTF-8 ({exc.reason} at byte {exc.start})")
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return Decoded(data.decode("utf-16"), "utf-16", 1.0)
        except UnicodeDecodeError as exc:
            raise ExtractionError(f"file starts with a UTF-16 BOM but is not valid UTF-16 ({exc.reason})")
    if b"\x00" in data[:4096]:
        raise ExtractionError("binary content (NUL bytes) in a text file")
    try:
        return Decoded(data.decode("utf-8"), "utf-8", 1.0)
    except UnicodeDecodeError:
        pass

    best: Decoded | None = None
    for codec, name in _CANDIDATES:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = plausibility(text)
        if best is None or score > best.confidence + 1e-9:
            best = Decoded(text, name, score)
    if best is not None and best.confidence >= 0.5:
        return best

    from charset_normalizer import from_bytes

    guess = from_bytes(data).best()
    if guess is not None and guess.encoding:
        text = str(guess)
        score = plausibility(text)
        if best is None or score > best.confidence:
            return Decoded(text, guess.encoding, score)
    if best is not None:
        return best
    raise ExtractionError("cannot determine the text encoding (not UTF-8, GB18030/GBK or Big5)")
