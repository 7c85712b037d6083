"""Which column a number stands in: the header cell of a table pasted into text.

Why: a register or a form pasted as text names what a number is once, in the header row
(``姓名｜性别｜身份证号｜电话``), and then lists rows of bare values, often many lines below it.
Inline cue words (``models.recognizers.base.ContextWords``) see only the same clause, so a wrong
check digit in the 身份证号 column or a 7-digit number in the 电话 column went unread.
``column_header(text, pos)`` returns the header cell above ``pos``: one pass over a text's lines
(cached per text) assigns each data row the nearest header row above it (a row with a cue word in
some cell) in the same table, which ends at a line of another layout (prose, another table); ``label_above(text, pos)`` gives the line above a value that opens its line,
for the form layout where the label ends the line above its value (``身份证号：`` / ``350102…``,
or prose wrapped right after the cue: ``…，护照号码`` / ``TR4082715，…``).

Layouts understood (on the normalised text, where ``｜`` is already ``|``): cells separated by
``|`` or ``│``, by tabs, or by spaces (form columns aligned with spaces; one space is enough for a
row whose cells hold no spaces). A row and its header are matched cell by cell when both have the
same number of cells, else by display position (a CJK character is two columns wide), which is
how space-aligned columns with empty cells line up.
"""
from __future__ import annotations

import bisect
import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Callable

_PIPES = "|│┃"
_RULE_LINE = re.compile(r"^[\s|│┃+\-=_:─━┼┿╋┬┴├┤┌┐└┘.·]*$")
_CELLS = {
    "tab": re.compile(r"[^\t]+"),
    "space": re.compile(r"[^ \t]+(?: [^ \t]+)*"),  # single spaces inside a cell, two or more between cells
    "single": re.compile(r"[^ \t]+"),
}
_PIPE_SPLIT = re.compile(r"[|│┃]")


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _style(line: str) -> str | None:
    if any(p in line for p in _PIPES):
        return "pipe"
    if "\t" in line:
        return "tab"
    stripped = line.strip()
    if "  " in stripped:
        return "space"
    if " " in stripped:
        return "single"
    return None


def _cells(line: str, style: str) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` of each cell within ``line``, stripped of the spaces around it."""
    if style == "pipe":
        return _pipe_cells(line)
    out = []
    for m in _CELLS[style].finditer(line):
        raw = m.group(0)
        s = m.start() + (len(raw) - len(raw.lstrip()))
        e = m.end() - (len(raw) - len(raw.rstrip()))
        if e > s:
            out.append((s, e))
    return tuple(out)


def _pipe_cells(line: str) -> tuple[tuple[int, int], ...]:
    """Cells between pipes, empty ones kept (a row that leaves its first cell blank under a
    merged 部门 cell still lines up with its header); the empty piece before a leading pipe and
    after a trailing one (``| a | b |``) is no cell."""
    out = []
    pos = 0
    pieces = _PIPE_SPLIT.split(line)
    for k, raw in enumerate(pieces):
        if not ((k == 0 or k == len(pieces) - 1) and not raw.strip()):
            s = pos + (len(raw) - len(raw.lstrip()))
            out.append((s, max(s, pos + len(raw.rstrip()))))
        pos += len(raw) + 1
    return tuple(out)


def row_cells(line: str) -> tuple[tuple[int, int], ...]:
    """``(start, end)`` of the cells of one line as the table reader splits it (nothing when the
    line is no table row)."""
    style = _style(line)
    return () if style is None else _cells(line, style)


def _compatible(a: str | None, b: str | None) -> bool:
    """Rows of one table: the same separator (space-aligned and single-spaced rows mix)."""
    if a is None or b is None:
        return False
    return a == b or {a, b} == {"space", "single"}


@dataclass(frozen=True, slots=True)
class _Tables:
    starts: tuple[int, ...]  # start offset of every line
    lines: tuple[str, ...]
    header_of: dict[int, int]  # data row line -> the line of its header row


@lru_cache(maxsize=16)
def _tables(text: str, is_header_cell: Callable[[str], bool]) -> _Tables:
    """One pass over the lines: which header row each data row stands under. A header row is a
    row of two or more short, digit-free cells, one of which ``is_header_cell``; it holds for the
    rows below it until a line of another layout (prose, another table) ends the table."""
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    header_of: dict[int, int] = {}
    header: tuple[int, str] | None = None  # (line, style)
    for i, line in enumerate(lines):
        if not line.strip() or _RULE_LINE.match(line):
            continue
        style = _style(line)
        if style is None:
            header = None
            continue
        cells = _cells(line, style)
        if (len(cells) >= 2 and any(is_header_cell(line[a:b]) for a, b in cells)
                and all(_label_like(line[a:b]) for a, b in cells)):
            header = (i, style)
        elif header is not None and _compatible(style, header[1]):
            header_of[i] = header[0]
        else:
            header = None
    return _Tables(tuple(starts), tuple(lines), header_of)


_DIGIT = re.compile(r"[0-9]")


def _label_like(cell: str) -> bool:
    """Every cell of a header row is a label: short and without digits. A form's
    ``原住址｜江西省赣州市…7号`` row is a label and its value, no header."""
    return len(cell) <= 12 and not _DIGIT.search(cell)


def column_header(text: str, pos: int, is_header_cell: Callable[[str], bool]) -> tuple[str, int] | None:
    """``(header cell text, header cell start)`` of the column holding ``pos``, or None.

    ``is_header_cell(cell_text)`` says whether a cell names a column the caller cares about (a
    cue word); the nearest such row above, in the same table, is the header row.
    """
    t = _tables(text, is_header_cell)
    i = bisect.bisect_right(t.starts, pos) - 1
    h = t.header_of.get(i)
    if h is None:
        return None
    line, head_line = t.lines[i], t.lines[h]
    row = _cells(line, _style(line))
    head = _cells(head_line, _style(head_line))
    k = next((k for k, (a, b) in enumerate(row) if a <= pos - t.starts[i] < b), None)
    if k is None or len(row) < 2:
        return None
    a, b = _match(line, row, k, head_line, head)
    return head_line[a:b], t.starts[h] + a


def _match(line: str, row, k: int, head_line: str, head) -> tuple[int, int]:
    """The header cell above row cell ``k``: by index when the counts agree, else by display
    position (a CJK character two columns wide), as space-aligned columns with empty cells are."""
    if len(row) == len(head):
        return head[k]
    lo, hi = _width(line[:row[k][0]]), _width(line[:row[k][1]])
    best, best_overlap = head[0], 0
    for a, b in head:
        overlap = min(hi, _width(head_line[:b])) - max(lo, _width(head_line[:a]))
        if overlap > best_overlap:
            best, best_overlap = (a, b), overlap
    return best


@lru_cache(maxsize=16)
def _line_starts(text: str) -> tuple[int, ...]:
    starts, pos = [], 0
    for line in text.split("\n"):
        starts.append(pos)
        pos += len(line) + 1
    return tuple(starts)


_LABEL_END = re.compile(r"[ ]*[:：]?[ ]*$")


def label_above(text: str, pos: int) -> tuple[str, int] | None:
    """``(line above, its start)`` when ``pos`` opens its line (after spaces) and a non-blank line
    stands right above it, its trailing colon removed: the caller asks whether it ends with a cue."""
    starts = _line_starts(text)
    i = bisect.bisect_right(starts, pos) - 1
    if i == 0 or text[starts[i]:pos].strip():
        return None
    above = text[starts[i - 1]:starts[i] - 1]
    if not above.strip():
        return None
    return _LABEL_END.sub("", above), starts[i - 1]
