"""The catalogue (目录) CSV: 档号, 题名, 责任者, 日期, 密级 per record, matched to files.

Archives keep their catalogue in spreadsheets exported as CSV, in UTF-8 (with or without BOM) or
GB18030. Headers may be Chinese or English. A row matches a file by its file name (文件名 column),
by the file stem being the reference code (档号), or by the reference code appearing in the file
name as a whole token (``J001-1-1`` matches ``J001-1-1_scan.png`` but not ``J001-1-12.txt``).
Rows and files that match nothing are reported, never dropped.
"""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from review_app.ingest.errors import CatalogueError

#: canonical field -> accepted header spellings (compared case-insensitively, spaces removed)
HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "reference_code": ("档号", "檔號", "reference_code", "referencecode", "ref", "code"),
    "title": ("题名", "題名", "标题", "title"),
    "creator": ("责任者", "責任者", "creator", "author"),
    "date": ("日期", "时间", "形成日期", "成文日期", "date"),
    "classification": ("密级", "密級", "classification"),
    "filename": ("文件名", "filename", "file_name", "file"),
    "fonds_code": ("全宗号", "全宗號", "fonds_code", "fonds"),
    "genre": ("类别", "文种", "genre", "type"),
}

_CN_DIGITS = {"〇": 0, "零": 0, "○": 0, "Ｏ": 0, "O": 0, "一": 1, "二": 2, "三": 3, "四": 4,
              "五": 5, "六": 6, "七": 7, "八": 8, "九": 9}


@dataclass
class CatalogueRow:
    row: int  # 1-based data row number (the header is row 0)
    reference_code: str = ""
    title: str = ""
    creator: str = ""
    date_text: str = ""
    year: int | None = None
    classification: str = ""
    filename: str = ""
    fonds_code: str = ""
    genre: str = ""
    raw: dict[str, str] = field(default_factory=dict)

    def summary(self) -> dict:
        return {"row": self.row, "reference_code": self.reference_code, "title": self.title,
                "filename": self.filename}


def _cn_number(s: str) -> int | None:
    """Chinese numerals for months and days: 三 -> 3, 十二 -> 12, 二十五 -> 25, 三十一 -> 31."""
    if not s:
        return None
    if s.isdigit():
        return int(s)
    if "十" in s:
        tens, _, ones = s.partition("十")
        t = _CN_DIGITS.get(tens, None) if tens else 1
        o = _CN_DIGITS.get(ones, None) if ones else 0
        return None if t is None or o is None else t * 10 + o
    if all(ch in _CN_DIGITS for ch in s):
        return int("".join(str(_CN_DIGITS[ch]) for ch in s))
    return None


def _valid(y: int, m: int | None = None, d: int | None = None) -> bool:
    import datetime as dt

    if not 1000 <= y <= 2999:
        return False
    if m is None:
        return True
    if not 1 <= m <= 12:
        return False
    if d is None:
        return True
    try:
        dt.date(y, m, d)
        return True
    except ValueError:
        return False


def _fmt(y: int, m: int | None, d: int | None) -> str:
    return f"{y:04d}" + (f"-{m:02d}" if m else "") + (f"-{d:02d}" if m and d else "")


def parse_date(value: str) -> tuple[str, int | None]:
    """Normalise a catalogue date to ``YYYY``, ``YYYY-MM`` or ``YYYY-MM-DD`` and its year.

    Accepts 1987, 1987-03-15, 1987/3/15, 1987.03, 1987年3月15日, 一九八七年三月十五日 and
    19870315. Anything else is kept as written (trimmed) with the year if a plausible one leads.
    """
    s = (value or "").strip()
    if not s:
        return "", None
    t = s.translate(str.maketrans("０１２３４５６７８９－／．", "0123456789-/."))
    m = re.fullmatch(r"(\d{4})(?:[-/.](\d{1,2})(?:[-/.](\d{1,2}))?)?", t)
    if not m:
        m = re.fullmatch(r"(\d{4})年(?:(\d{1,2})月(?:(\d{1,2})[日号])?)?", t)
    if not m:
        m8 = re.fullmatch(r"(\d{4})(\d{2})(\d{2})", t) or re.fullmatch(r"(\d{4})(\d{2})", t)
        m = m8
    if m:
        y = int(m.group(1))
        mo = int(m.group(2)) if m.lastindex and m.lastindex >= 2 and m.group(2) else None
        d = int(m.group(3)) if m.lastindex and m.lastindex >= 3 and m.group(3) else None
        if _valid(y, mo, d):
            return _fmt(y, mo, d), y
    cn = re.fullmatch(r"([〇零○Ｏ一二三四五六七八九]{4})年(?:([一二三四五六七八九十]{1,3})月(?:([一二三四五六七八九十]{1,3})[日号])?)?", t)
    if cn:
        y = _cn_number(cn.group(1))
        mo = _cn_number(cn.group(2) or "")
        d = _cn_number(cn.group(3) or "")
        if y is not None and _valid(y, mo, d):
            return _fmt(y, mo, d), y
    lead = re.match(r"(\d{4})(?!\d)", t)
    year = int(lead.group(1)) if lead and _valid(int(lead.group(1))) else None
    return s[:50], year


def _decode(data: bytes, path: Path) -> str:
    for enc in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(enc)
        except UnicodeDecodeError:
            continue
    raise CatalogueError(f"catalogue {path} is neither UTF-8 nor GB18030 text")


def _canonical_header(name: str) -> str | None:
    key = re.sub(r"\s+", "", name.strip().lstrip("\ufeff")).lower()
    for canon, aliases in HEADER_ALIASES.items():
        if key in (a.lower() for a in aliases):
            return canon
    return None


def read_catalogue(path: Path) -> list[CatalogueRow]:
    """Read a catalogue CSV; raise CatalogueError when it cannot be used at all."""
    path = Path(path)
    if not path.is_file():
        raise CatalogueError(f"catalogue file not found: {path}")
    text = _decode(path.read_bytes(), path)
    if not text.strip():
        raise CatalogueError(f"catalogue {path} is empty")
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",\t;")
    except csv.Error:
        dialect = csv.excel
    reader = csv.reader(io.StringIO(text), dialect)
    try:
        header = next(reader)
    except StopIteration:
        raise CatalogueError(f"catalogue {path} has no header row")
    columns = [_canonical_header(h) for h in header]
    if "reference_code" not in columns and "filename" not in columns:
        raise CatalogueError(
            f"catalogue {path} needs a 档号 (reference_code) or 文件名 (filename) column; "
            f"found: {', '.join(h.strip() for h in header)}")
    rows: list[CatalogueRow] = []
    for n, values in enumerate(reader, start=1):
        if not any(v.strip() for v in values):
            continue
        raw = {header[i].strip().lstrip("\ufeff"): v.strip() for i, v in enumerate(values) if i < len(header)}
        row = CatalogueRow(row=n, raw=raw)
        for i, v in enumerate(values):
            canon = columns[i] if i < len(columns) else None
            if canon == "date":
                row.date_text, row.year = parse_date(v)
            elif canon:
                setattr(row, canon, v.strip())
        rows.append(row)
    return rows


def _code_in_name(code: str, name: str) -> bool:
    """The reference code appears in the name as a whole token (not as a prefix of a longer code)."""
    pattern = rf"(?<![0-9A-Za-z\-]){re.escape(code)}(?![0-9A-Za-z])(?!-\d)"
    return re.search(pattern, name, flags=re.IGNORECASE) is not None


@dataclass
class MatchResult:
    by_file: dict[str, CatalogueRow]  # relative posix path -> row
    unmatched_rows: list[CatalogueRow]
    unmatched_files: list[str]


def match_files(rows: list[CatalogueRow], files: list[str]) -> MatchResult:
    """Match catalogue rows to files (relative posix paths); each file takes its best row.

    Priority: the 文件名 column names the file (its path or its base name), then the file stem
    equals the 档号, then the 档号 appears in the file name (the longest such code wins).
    """
    by_name: dict[str, CatalogueRow] = {}
    by_code: dict[str, CatalogueRow] = {}
    for row in rows:
        if row.filename:
            by_name.setdefault(row.filename.replace("\\", "/").lower(), row)
        if row.reference_code:
            by_code.setdefault(row.reference_code.lower(), row)
    codes = sorted(by_code, key=len, reverse=True)
    by_file: dict[str, CatalogueRow] = {}
    for rel in files:
        p = PurePosixPath(rel)
        row = by_name.get(rel.lower()) or by_name.get(p.name.lower()) or by_code.get(p.stem.lower())
        if row is None:
            row = next((by_code[c] for c in codes if _code_in_name(c, p.name)), None)
        if row is not None:
            by_file[rel] = row
    used = {id(r) for r in by_file.values()}
    return MatchResult(
        by_file=by_file,
        unmatched_rows=[r for r in rows if id(r) not in used],
        unmatched_files=[f for f in files if f not in by_file],
    )
