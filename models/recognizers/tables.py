"""Which column a number stands in: the header cell of a table pasted into text.

Why: a register or a form pasted as text names what a number is once, in the header row
(``姓名｜性别｜身份证号｜电话``), and then lists rows of bare values, often many lines below it.
Inline cue words (``models.recognizers.base.ContextWords``) see only the same clause, so a wrong
check digit in the 身份证号 column or a 7-digit number in the 电话 column went unread.
``column_header(text, pos)`` finds the table row holding ``pos``, walks up over rows of the same
layout to the nearest header row (a row with a cue word in some cell) and returns the header
cell above ``pos``; ``label_above(text, pos)`` reads the form layout where a label stands alone at
the end of the line above its value (``身份证号：`` / ``350102…``).

Layouts understood (on the normalised text, where ``｜`` is already ``|``): cells separated by
``|`` or ``│``, by tabs, or by spaces (form columns aligned with spaces; one space is enough for a
row whose cells hold no spaces). A row and its header are matched cell by cell when both have the
same number of cells, else by display position (a CJK character is two columns wide), which is
how space-aligned columns with empty cells line up.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

_PIPES = "|│┃"
_RULE_LINE = re.compile(r"^[\s|│┃+\-=_:─━┼┿╋┬┴├┤┌┐└┘.·]*$")
_CELLS = {
    "pipe": re.compile(r"[^|│┃]+"),
    "tab": re.compile(r"[^\t]+"),
    "space": re.compile(r"[^ \t]+(?: [^ \t]+)*"),  # single spaces inside a cell, two or more between cells
    "single": re.compile(r"[^ \t]+"),
}
#: How far up a header may stand (rows of the same layout in between).
MAX_ROWS_UP = 300


@dataclass(frozen=True, slots=True)
class Cell:
    start: int  # offsets in the text (stripped of surrounding spaces)
    end: int
    col_start: int  # display columns within its line
    col_end: int


def _width(s: str) -> int:
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in s)


def _style(line: str) -> str | None:
    if any(p in line for p in _PIPES):
        return "pipe"
    if "\t" in line:
        return "tab"
    if "  " in line.strip():
        return "space"
    if " " in line.strip():
        return "single"
    return None


def _cells(line: str, line_start: int, style: str) -> tuple[Cell, ...]:
    out = []
    for m in _CELLS[style].finditer(line):
        raw = m.group(0)
        s = m.start() + (len(raw) - len(raw.lstrip()))
        e = m.end() - (len(raw) - len(raw.rstrip()))
        if e <= s:
            continue
        out.append(Cell(line_start + s, line_start + e, _width(line[:s]), _width(line[:e])))
    return tuple(out)


@dataclass(frozen=True, slots=True)
class _Layout:
    starts: tuple[int, ...]  # start offset of every line
    lines: tuple[str, ...]


@lru_cache(maxsize=16)
def _layout(text: str) -> _Layout:
    lines = text.split("\n")
    starts, pos = [], 0
    for line in lines:
        starts.append(pos)
        pos += len(line) + 1
    return _Layout(tuple(starts), tuple(lines))


def _line_of(layout: _Layout, pos: int) -> int:
    import bisect

    return bisect.bisect_right(layout.starts, pos) - 1


def _compatible(a: str | None, b: str | None) -> bool:
    """Rows of one table: the same separator (space-aligned and single-spaced rows mix)."""
    if a is None or b is None:
        return False
    return a == b or {a, b} == {"space", "single"}


def column_header(text: str, pos: int, is_header_cell) -> tuple[str, int] | None:
    """``(header cell text, header cell start)`` of the column holding ``pos``, or None.

    ``is_header_cell(cell_text)`` says whether a cell names a column the caller cares about (a
    cue word); the nearest row above with such a cell is the header row.
    """
    layout = _layout(text)
    i = _line_of(layout, pos)
    line = layout.lines[i]
    style = _style(line)
    if style is None:
        return None
    row = _cells(line, layout.starts[i], style)
    here = next((k for k, c in enumerate(row) if c.start <= pos < c.end), None)
    if here is None or len(row) < 2:
        return None
    for j in range(i - 1, max(-1, i - 1 - MAX_ROWS_UP), -1):
        above = layout.lines[j]
        if not above.strip() or _RULE_LINE.match(above):
            continue
        a_style = _style(above)
        if not _compatible(style, a_style):
            return None  # prose or another table: the column has no header here
        head = _cells(above, layout.starts[j], a_style)
        if len(head) < 2 or not any(is_header_cell(text[c.start:c.end]) for c in head):
            continue  # a data row: keep walking up
        cell = _match(row, here, head)
        if cell is None:
            return None
        return text[cell.start:cell.end], cell.start
    return None


def _match(row: tuple[Cell, ...], k: int, head: tuple[Cell, ...]) -> Cell | None:
    """The header cell above row cell ``k``: by index when the counts agree, else by position."""
    if len(row) == len(head):
        return head[k]
    c = row[k]
    best, best_overlap = None, 0
    for h in head:
        overlap = min(c.col_end, h.col_end) - max(c.col_start, h.col_start)
        if overlap > best_overlap:
            best, best_overlap = h, overlap
    return best


_LABEL_END = re.compile(r"[ ]*[:：]?[ ]*$")


def label_above(text: str, pos: int) -> tuple[str, int] | None:
    """``(line above, its start)`` when ``pos`` opens its line (after spaces) and a non-blank line
    stands right above it: a form that prints the label on one line and the value on the next."""
    layout = _layout(text)
    i = _line_of(layout, pos)
    if i == 0 or text[layout.starts[i]:pos].strip():
        return None
    above = layout.lines[i - 1]
    if not above.strip():
        return None
    return _LABEL_END.sub("", above), layout.starts[i - 1]
