"""Encoding detection on real Chinese bytes: UTF-8, GB18030/GBK, Big5, BOMs and non-text."""
from __future__ import annotations

import pytest

from ingest_helpers import SIMPLIFIED, TRADITIONAL
from review_app.ingest.encoding import decode_bytes, plausibility
from review_app.ingest.errors import ExtractionError


@pytest.mark.parametrize("text,encoding,expected", [
    (SIMPLIFIED, "utf-8", "utf-8"),
    (SIMPLIFIED, "gb18030", "gb18030"),
    (SIMPLIFIED, "gbk", "gb18030"),
    (SIMPLIFIED, "gb2312", "gb18030"),
    (TRADITIONAL, "big5", "big5"),
    (TRADITIONAL, "gb18030", "gb18030"),  # traditional characters written in GB18030 stay GB18030
    (TRADITIONAL, "utf-8", "utf-8"),
])
def test_detects_encoding_and_round_trips(text, encoding, expected):
    decoded = decode_bytes(text.encode(encoding))
    assert decoded.encoding == expected
    assert decoded.text == text


@pytest.mark.parametrize("text", ["档案", "馆藏", "開放", "審核"])
def test_short_texts_are_decoded_correctly(text):
    for enc in ("gb18030", "big5"):
        try:
            data = text.encode(enc)
        except UnicodeEncodeError:
            continue
        assert decode_bytes(data).text == text


def test_gb18030_four_byte_characters():
    text = "档案中的罕用字㐀与䶵及€符号"  # CJK Ext-A and the euro sign need GB18030 four-byte codes
    data = text.encode("gb18030")
    with pytest.raises(UnicodeEncodeError):
        text.encode("gbk")
    assert decode_bytes(data).text == text


def test_boms():
    assert decode_bytes(b"\xef\xbb\xbf" + SIMPLIFIED.encode("utf-8")).encoding == "utf-8-sig"
    utf16 = decode_bytes(SIMPLIFIED.encode("utf-16"))
    assert utf16.encoding == "utf-16" and utf16.text == SIMPLIFIED


def test_big5_is_not_mistaken_for_gb18030():
    data = TRADITIONAL.encode("big5")
    # GB18030 decodes these bytes without error, into nonsense: the score must tell them apart.
    garbage = data.decode("gb18030")
    assert garbage != TRADITIONAL
    assert plausibility(garbage) < plausibility(TRADITIONAL)


def test_rejects_empty_and_binary():
    with pytest.raises(ExtractionError, match="empty"):
        decode_bytes(b"")
    with pytest.raises(ExtractionError, match="binary"):
        decode_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR")
