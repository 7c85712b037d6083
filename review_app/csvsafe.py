"""CSV cells that a spreadsheet shows as text and never runs as a formula.

Excel, WPS and LibreOffice treat a cell starting with ``=``, ``+``, ``-`` or ``@`` (and, in some
versions, a tab or carriage return) as a formula: ``=HYPERLINK(...)`` in an actor name typed into
the login form, or in a catalogue title, would run on an auditor's machine. Chinese input methods
type the full-width forms (＝＋－＠) and the small forms (﹦﹢﹣﹫), which spreadsheets also read
as operators, so the first character is compared after NFKC normalisation. Such a cell gets a
leading apostrophe, which the spreadsheet shows as text; the JSON Lines export keeps the exact
value (the audit chain is verified on that, never on the CSV).
"""
from __future__ import annotations

import unicodedata
from typing import Any

TRIGGERS = frozenset("=+-@\t\r\n")


def cell(value: Any) -> str:
    """``value`` as a CSV cell, with a leading apostrophe when a spreadsheet would read a formula."""
    s = "" if value is None else str(value)
    head = s.lstrip(" \u3000")[:1]
    if head and (head in TRIGGERS or unicodedata.normalize("NFKC", head)[:1] in TRIGGERS):
        return "'" + s
    return s
