"""Turning a document and its spans into display segments, plus template helpers.

The text is cut into segments at span and page boundaries; every text-bearing segment carries
its code-point offset (``o``) so the browser can map a selection back to offsets in the original
text (``static/review.js`` converts the browser's UTF-16 positions to code points). Page
markers carry no text (they are drawn by CSS), so they never disturb a selection.
"""
from __future__ import annotations

from datetime import date, datetime
from pathlib import PurePath
from typing import Any, Iterable

from jinja2 import pass_context
from markupsafe import Markup, escape

from models.spans import LABELS, SENSITIVE_LABELS
from models.vocabulary import CLOSURES, DECISIONS, REASONS, SpanStatus
from review_app.i18n import DEFAULT_LANG, bundle, has, join, name, t, t_html

#: the catalogue columns the document page shows under their own names (the rest follow as they are)
CATALOGUE_SHOWN = frozenset({"全宗号", "档号", "题名", "责任者", "日期", "密级", "类别", "文件名"})
#: keys that pick a label in the keyboard label menu, in the order of ``LABELS``
LABEL_KEYS = ("1", "2", "3", "4", "5", "6", "7", "8", "9", "0", "-")
#: the mark after a span's label on the page, by review status (also told in words to screen readers)
SPAN_MARKS = {SpanStatus.ACCEPTED.value: " ✓", SpanStatus.ADDED.value: " ＋", SpanStatus.CORRECTED.value: " ✎",
              SpanStatus.PROPOSED.value: ""}


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


def _lang_of(ctx: Any) -> str:
    request = ctx.get("request")
    return getattr(getattr(request, "state", None), "lang", DEFAULT_LANG) if request is not None else DEFAULT_LANG


#: parameters that carry a name (a person, a file): shown inside sentences marked as not to be translated
NAME_PARAMS = frozenset({"reviewer", "by", "actor", "user", "file"})


def proper_name(value: Any) -> Markup:
    """A name (a username, a collection) inside translated text: ``<span translate="no">``."""
    return Markup('<span translate="no">{}</span>').format(value)


@pass_context
def _translate(ctx: Any, key: str, **params: Any) -> Markup:
    """``{{ _('queue.title') }}``: the catalogue text in the page's language (escaped; names marked)."""
    params = {k: proper_name(v) if k in NAME_PARAMS and v else v for k, v in params.items()}
    return t_html(key, _lang_of(ctx), **params)


@pass_context
def _name(ctx: Any, family: str, code: Any) -> str:
    """``{{ N('decision', 'OPEN') }}``: a code in words (开放)."""
    return name(family, code, _lang_of(ctx))


@pass_context
def _verdict(ctx: Any, decision: str | None, closure: str | None = None) -> str:
    """A decision with its closure in words: 暂不开放（延期开放）."""
    if not decision:
        return ""
    return name("verdict", f"{decision}/{closure}" if decision == "CLOSED" and closure else decision, _lang_of(ctx))


@pass_context
def _reason_names(ctx: Any, reasons: Iterable[str] | None) -> str:
    lang = _lang_of(ctx)
    return join([name("reason", r, lang) for r in reasons or []], lang) or t("panel.no_reasons", lang)


@pass_context
def _order_name(ctx: Any, order: Any) -> str:
    """A queue ordering in words; one registered by a plug-in without a catalogue entry by its label."""
    key = f"order.{order.name}"
    return t(key, _lang_of(ctx)) if has(key) else order.label


@pass_context
def _active_title(ctx: Any, a: dict[str, Any]) -> str:
    """Why a document comes first in the active order: its priority and the four parts (tooltip)."""
    return t("queue.active_title", _lang_of(ctx), **{k: f"{a[k]:.2f}" for k in
                                                     ("priority", "uncertainty", "disagreement", "novelty", "risk")})


@pass_context
def _js_messages(ctx: Any) -> dict[str, str]:
    """The page script's strings (``js.*``) in the page's language."""
    return bundle("js.", _lang_of(ctx))


def template_globals() -> dict[str, Any]:
    return {"LABELS": LABELS, "SENSITIVE_LABELS": SENSITIVE_LABELS, "DECISIONS": DECISIONS, "REASONS": REASONS,
            "CLOSURES": CLOSURES, "CATALOGUE_SHOWN": CATALOGUE_SHOWN, "_": _translate, "N": _name,
            "has_key": has, "verdict": _verdict, "reason_names": _reason_names, "order_name": _order_name,
            "active_title": _active_title, "js_messages": _js_messages,
            "span_mark": lambda status: SPAN_MARKS.get(status, ""),
            "label_key": lambda i: LABEL_KEYS[i] if 0 <= i < len(LABEL_KEYS) else ""}


def textnode(s: str) -> Markup:
    """Escape text for the page, keeping carriage returns (the HTML parser would fold CR LF into
    LF and shift every later offset)."""
    return Markup(str(escape(s)).replace("\r", "&#13;"))


def basename(path: Any) -> str:
    """The file name of a stored source path (a document without a catalogue row is known by it)."""
    return PurePath(str(path or "")).name


def template_filters() -> dict[str, Any]:
    return {"dt": fmt_dt, "pct": pct, "textnode": textnode, "basename": basename}
