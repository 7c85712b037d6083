"""The files of a release besides the copies: the open catalogue (开放目录, CSV and XLSX), file
names, and the SHA-256 and SM3 sums of everything written.

The catalogue has the description fields archives publish for an opened record: 档号, 题名,
责任者, 日期, 页数, 密级 (the former classification where the catalogue records one; empty
otherwise), 开放状态 (开放 / 部分开放), 开放日期 (the date of this release), 依据 (the legal basis
of opening: the Archives Law's 25-year rule, plus the laws the rulebook cites for the reasons an
OPEN_REDACTED decision masks), then 屏蔽处数, 决定日期 and where the copy lies with its sums.
Withheld documents never appear in it.
"""
from __future__ import annotations

import csv
import hashlib
import io
import re
from pathlib import Path
from typing import Any, Sequence

from models.policy import Rulebook
from review_app import csvsafe

CATALOGUE = "open-catalogue.csv"
CATALOGUE_XLSX = "open-catalogue.xlsx"
CATALOGUE_COLUMNS = ("档号", "题名", "责任者", "日期", "页数", "密级", "开放状态", "开放日期", "依据",
                     "屏蔽处数", "决定日期", "文件名", "文本文件", "sha256", "sm3")
STATUS_ZH = {"OPEN": "开放", "OPEN_REDACTED": "部分开放"}
#: the basis every opening rests on (Archives Law art. 27: records open after 25 years)
OPENING_BASIS = "ARCHIVES_LAW_27"
SUMS = ("sha256", "sm3")
_CHUNK = 1 << 20


def digests(path: Path) -> dict[str, str]:
    """SHA-256 and SM3 (GB/T 32905, OpenSSL's) of a file, read once in chunks."""
    hs = {name: hashlib.new(name) for name in SUMS}
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(_CHUNK), b""):
            for h in hs.values():
                h.update(chunk)
    return {name: h.hexdigest() for name, h in hs.items()}


def digests_of(data: bytes) -> dict[str, str]:
    return {name: hashlib.new(name, data).hexdigest() for name in SUMS}


_UNSAFE = re.compile(r"[^\w.\-]+")

#: a file name holds 255 bytes; the stem leaves room for "-<id>-<n>.txt" (a 档号 is 3 bytes a character)
MAX_STEM_BYTES = 180


def file_stem(reference_code: str | None, document_id: int) -> str:
    """A file name from the 档号 (letters, digits, CJK, ``.``, ``-``, ``_``), else ``doc-<id>``;
    cut to ``MAX_STEM_BYTES`` of UTF-8 (never inside a character) so any 档号 makes a valid name."""
    stem = _UNSAFE.sub("_", (reference_code or "").strip()).strip("._")
    stem = stem.encode("utf-8")[:MAX_STEM_BYTES].decode("utf-8", "ignore").rstrip("._")
    return stem or f"doc-{document_id}"


def legal_basis(rulebook: Rulebook, decision: str, reasons: Sequence[str]) -> str:
    """The 依据 cell: short citations (the part before "：") of the laws behind the decision.

    OPEN rests on the Archives Law's opening rule; OPEN_REDACTED adds the laws (not the internal
    guidelines) that the rulebook's rules for each masked reason cite, e.g. the Personal
    Information Protection Law for PERSONAL_INFO.
    """
    ids = [OPENING_BASIS] if OPENING_BASIS in rulebook.bases else []
    if decision == "OPEN_REDACTED":
        for reason in reasons:
            for rule in rulebook.rules:
                if reason in rule.reasons:
                    ids += [b for b in rule.basis if not b.startswith("GUIDELINES")]
    seen: list[str] = []
    for b in ids:
        if b in rulebook.bases and b not in seen:
            seen.append(b)
    return "；".join(rulebook.bases[b].split("：", 1)[0].strip() for b in seen)


def _csv_cell(value: Any) -> str:
    """A catalogue cell that a spreadsheet shows as text, never runs as a formula (``csvsafe``)."""
    return csvsafe.cell(value)


def catalogue_csv(rows: Sequence[Sequence[Any]]) -> bytes:
    """The catalogue as CSV: UTF-8 with BOM (Excel opens it as UTF-8), CRLF line ends."""
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\r\n")
    w.writerow(CATALOGUE_COLUMNS)
    for row in rows:
        w.writerow([_csv_cell(v) for v in row])
    return buf.getvalue().encode("utf-8-sig")


def catalogue_xlsx(rows: Sequence[Sequence[Any]], path: Path, *, title: str = "开放目录", created=None) -> None:
    """The catalogue as an XLSX workbook (openpyxl, streamed): every cell is stored as text or a
    number, never as a formula; text cells read as in the CSV (``csvsafe``: a leading apostrophe
    where a spreadsheet would see a formula, so one that is edited or saved as CSV stays text),
    and characters XML cannot hold are dropped."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
    from openpyxl.styles import Font

    wb = Workbook(write_only=True)
    if created is not None:
        wb.properties.created = wb.properties.modified = created
    ws = wb.create_sheet(title=title[:31])
    ws.freeze_panes = "A2"
    for col, width in zip("ABCDEFGHIJKLMNO", (18, 40, 24, 12, 6, 8, 10, 12, 60, 8, 12, 30, 30, 66, 66)):
        ws.column_dimensions[col].width = width
    bold = Font(bold=True)

    def cell(value: Any, header: bool = False) -> WriteOnlyCell:
        if isinstance(value, int) and not isinstance(value, bool):
            c = WriteOnlyCell(ws, value=value)
        else:
            c = WriteOnlyCell(ws, value=ILLEGAL_CHARACTERS_RE.sub("", csvsafe.cell(value)))
            c.data_type = "s"  # "=..." stays text: openpyxl would otherwise store a formula
        if header:
            c.font = bold
        return c

    ws.append([cell(h, True) for h in CATALOGUE_COLUMNS])
    for row in rows:
        ws.append([cell(v) for v in row])
    wb.save(str(path))
