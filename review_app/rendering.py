"""Turning a document and its spans into display segments, plus template helpers.

The text is cut into segments at span and page boundaries; every text-bearing segment carries
its code-point offset (``o``) so the browser can map a selection back to offsets in the original
text (``static/review.js`` converts the browser's UTF-16 positions to code points). Page
markers carry no text (they are drawn by CSS), so they never disturb a selection.
"""
from __future__ import annotations

from datetime import date, datetime
from typing import Any, Iterable

from markupsafe import Markup, escape

from models.spans import LABELS, SENSITIVE_LABELS

LABEL_NAMES_ZH = {
    "PERSON": "人名", "ID_NUMBER": "证件号", "PHONE": "电话", "EMAIL": "邮箱", "BANK_ACCOUNT": "银行账号",
    "ADDRESS": "住址", "HEALTH": "健康", "LEGAL_RECORD": "违法记录", "SECRET_MARK": "密级标志",
    "ORG": "机构", "LOC": "地名",
}
DECISION_NAMES_ZH = {"OPEN": "开放", "OPEN_REDACTED": "部分开放", "CLOSED": "暂不开放"}
REASON_NAMES_ZH = {"STATE_SECRET": "国家秘密", "PERSONAL_INFO": "个人信息", "COMMERCIAL_SECRET": "商业秘密",
                   "PUBLIC_SECURITY": "公共安全", "OTHER": "其他"}
CLOSURE_NAMES_ZH = {"CONTROLLED": "控制使用", "DEFERRED": "延期开放"}


def segments(text: str, spans: Iterable[Any], page_starts: Iterable[int] = ()) -> list[dict[str, Any]]:
    """Split ``text`` into text, span and page segments, in order.

    ``spans`` need ``id, start, end, label, status`` (SpanRecord rows); overlapping ones after
    the first are skipped (the store never creates overlaps, but old data might have them).
    """
    breaks = sorted({p for p in page_starts if 0 < p < len(text)})
    kept = []
    last_end = 0
    for s in sorted(spans, key=lambda r: (r.start, r.end)):
        if s.start >= last_end and 0 <= s.start < s.end <= len(text):
            kept.append(s)
            last_end = s.end
    out: list[dict[str, Any]] = []
    page = 1

    def plain(a: int, b: int) -> None:
        nonlocal page
        pos = a
        while breaks and breaks[0] <= b and breaks[0] >= pos:
            br = breaks.pop(0)
            if br > pos:
                out.append({"kind": "text", "o": pos, "text": text[pos:br]})
            page += 1
            out.append({"kind": "page", "page": page})
            pos = br
        if b > pos:
            out.append({"kind": "text", "o": pos, "text": text[pos:b]})

    cursor = 0
    for s in kept:
        plain(cursor, s.start)
        while breaks and breaks[0] < s.end and breaks[0] >= s.start:  # a page break inside a span
            breaks.pop(0)
            page += 1
            out.append({"kind": "page", "page": page})
        out.append({"kind": "span", "o": s.start, "text": text[s.start:s.end], "span": s})
        cursor = s.end
    plain(cursor, len(text))
    return out


def fmt_dt(v: Any) -> str:
    if v is None:
        return ""
    if isinstance(v, datetime):
        return v.strftime("%Y-%m-%d %H:%M")
    if isinstance(v, date):
        return v.isoformat()
    return str(v)


def pct(v: Any) -> str:
    return "" if v is None else f"{float(v) * 100:.0f}%"


def template_globals() -> dict[str, Any]:
    return {"LABELS": LABELS, "SENSITIVE_LABELS": SENSITIVE_LABELS, "LABEL_ZH": LABEL_NAMES_ZH,
            "DECISION_ZH": DECISION_NAMES_ZH, "REASON_ZH": REASON_NAMES_ZH, "CLOSURE_ZH": CLOSURE_NAMES_ZH,
            "DECISIONS": tuple(DECISION_NAMES_ZH), "REASONS": tuple(REASON_NAMES_ZH),
            "CLOSURES": tuple(CLOSURE_NAMES_ZH), "active_title": active_title}


def active_title(a: dict[str, Any]) -> str:
    """Why a document comes first in the active order: its priority and the four parts (tooltip)."""
    return (f"主动学习优先级 active priority {a['priority']:.2f} = weighted uncertainty {a['uncertainty']:.2f}, "
            f"disagreement {a['disagreement']:.2f}, novelty {a['novelty']:.2f}, risk {a['risk']:.2f}")


def textnode(s: str) -> Markup:
    """Escape text for the page, keeping carriage returns (the HTML parser would fold CR LF into
    LF and shift every later offset)."""
    return Markup(str(escape(s)).replace("\r", "&#13;"))


def template_filters() -> dict[str, Any]:
    return {"dt": fmt_dt, "pct": pct, "textnode": textnode}
