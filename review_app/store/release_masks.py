"""What an OPEN_REDACTED copy masks, and the masking itself (pure text functions).

``mask_plan`` reads a document's spans and decisions and says which ranges to mask:

1. every *live* span (not rejected, superseded or withdrawn) whose label the decision's reasons
   mask: PERSONAL_INFO masks the personal-information labels of ``models.policy``
   (ID_NUMBER, PHONE, EMAIL, BANK_ACCOUNT, ADDRESS, HEALTH, LEGAL_RECORD; PERSON is not masked,
   GUIDELINES rule 2), STATE_SECRET masks SECRET_MARK. Spans a reviewer accepted, added or
   corrected count; so do machine spans nobody rejected (``proposed``): the committee decided with
   them on screen, rejecting is how a reviewer says "not sensitive", and a mask too many is
   reversible where a leak is not. Those are counted as ``unconfirmed`` in the manifest and the
   report warns about them. A rejected span is never masked for itself.
2. every range of the committee's ``redact`` list (labelled or not, e.g. an unpublished price
   under COMMERCIAL_SECRET), except a labelled range that is exactly a span reviewers rejected;
   when the committee listed none, the label-less ranges of the reviewer's ``redact`` list (the
   reviewer's labelled list is the app's default, every visible span, names included, and is
   not the committee's decision).
3. every other occurrence, anywhere in that document, of the text of a range masked by 1 or 2
   (two code points or longer): an ID number written twice but marked once is masked twice.

Mask convention in the text copy: each masked code point becomes ``■`` (U+25A0), one for one,
and line breaks and form feeds inside a masked range are kept, so the copy has exactly the
original's length in code points and every offset (spans, ``page_starts``, the audit log's)
points to the same place in it.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from sqlmodel import Session, select

from models.policy import masked_labels
from review_app.redaction.verify import find
from models.vocabulary import ACTIVE_SPAN_STATUSES, CONFIRMED_SPAN_STATUSES, SpanStatus
from review_app.tables import Document, Review, SpanRecord

MASK = "■"
#: characters kept inside a masked range, so lines and pages stay where they were
KEEP = frozenset("\n\r\f")
#: live spans (what a reader of the document sees) and those a person confirmed
LIVE = ACTIVE_SPAN_STATUSES
CONFIRMED = CONFIRMED_SPAN_STATUSES
MIN_REPEAT = 2  # a masked value this long or longer is masked wherever else it occurs


class ReleaseRefused(ValueError):
    """The release cannot be made; the message says why and what to do. Nothing was written."""


@dataclass
class MaskPlan:
    """The ranges to mask in one document, merged, with where they came from."""

    ranges: list[tuple[int, int]]
    values: list[tuple[str, str, int]]  # (label or "range", text, start) of what rules 1-2 masked
    spans: int = 0
    unconfirmed: int = 0
    explicit: int = 0
    repeats: int = 0
    dropped_rejected: int = 0
    warnings: list[str] = field(default_factory=list)

    def label_at(self, offset: int) -> str:
        """The label of the masked value covering ``offset`` ("repeat" for a repeated occurrence)."""
        for label, value, start in self.values:
            if start <= offset < start + len(value):
                return label
        return "repeat"


# --------------------------------------------------------------------------- masking (pure)


def merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching ranges joined."""
    out: list[list[int]] = []
    for s, e in sorted((int(s), int(e)) for s, e in ranges if e > s):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def redact_text(text: str, ranges: Iterable[tuple[int, int]], mask: str = MASK) -> str:
    """``text`` with each code point of ``ranges`` replaced by ``mask`` (line breaks kept).

    The result has the same length as ``text``; offsets are Python string indices (code points),
    so a character outside the BMP (𠮷) is one position, as everywhere in the project.
    """
    if len(mask) != 1:
        raise ValueError("the mask is one character, so offsets are preserved")
    chars = list(text)
    for s, e in merge(ranges):
        for i in range(max(s, 0), min(e, len(chars))):
            if chars[i] not in KEEP:
                chars[i] = mask
    return "".join(chars)


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    """Every (overlapping) occurrence of ``value`` in ``text``."""
    out, i = [], text.find(value)
    while value and i >= 0:
        out.append((i, i + len(value)))
        i = text.find(value, i + 1)
    return out


def leaks(redacted: str, values: Sequence[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """(label, offset in the copy) of each masked value still readable in ``redacted``, first
    occurrence per value (normalised as ``review_app.redaction.verify`` does)."""
    found: dict[int, tuple[str, int]] = {}
    for k, (label, value, _start) in enumerate(values):
        hits = find(redacted, [(label, value)])
        if hits:
            found[k] = hits[0]
    return list(found.values())


# --------------------------------------------------------------------------- decisions


def latest_reviews(session: Session, collection_id: int, stage: str) -> dict[int, Review]:
    """Each document's latest review of ``stage`` in the collection."""
    rows = session.exec(select(Review).join(Document, Document.id == Review.document_id)
                        .where(Document.collection_id == collection_id, Review.stage == stage)
                        .order_by(Review.id))
    return {r.document_id: r for r in rows}


def _range_of(entry: Any, n: int) -> tuple[int, int, str | None]:
    try:
        s, e = int(entry["start"]), int(entry["end"])
    except (KeyError, TypeError, ValueError):
        raise ReleaseRefused(f"a redact entry without integer start and end: {entry!r}") from None
    if not 0 <= s < e <= n:
        raise ReleaseRefused(f"redact range [{s}, {e}) lies outside the text ({n} characters)")
    label = entry.get("label") if isinstance(entry, dict) else None
    return s, e, (str(label) if label else None)


def mask_plan(*, session: Session, doc: Document, final: Review, reviewer: Review | None) -> MaskPlan:
    """What an OPEN_REDACTED copy of ``doc`` masks (rules 1-3 of the module docstring)."""
    text = doc.text
    labels = masked_labels(final.reasons or [])
    spans = list(session.exec(select(SpanRecord).where(SpanRecord.document_id == doc.id)
                              .order_by(SpanRecord.start, SpanRecord.end, SpanRecord.id)))
    live = [r for r in spans if r.status in LIVE]
    rejected = {(r.start, r.end, r.label) for r in spans if r.status == SpanStatus.REJECTED}
    live_keys = {(r.start, r.end, r.label) for r in live}
    plan = MaskPlan(ranges=[], values=[])
    base: list[tuple[int, int]] = []
    for r in live:
        if r.label in labels:
            if not 0 <= r.start < r.end <= len(text):
                raise ReleaseRefused(f"document {doc.id}: span {r.id} [{r.start}, {r.end}) lies outside the text")
            base.append((r.start, r.end))
            plan.values.append((r.label, text[r.start:r.end], r.start))
            plan.spans += 1
            plan.unconfirmed += r.status not in CONFIRMED
    entries = list(final.redact or [])
    if not entries and reviewer is not None:
        entries = [e for e in (reviewer.redact or []) if isinstance(e, dict) and not e.get("label")]
    for entry in entries:
        s, e, label = _range_of(entry, len(text))
        if label and (s, e, label) in rejected and (s, e, label) not in live_keys:
            plan.dropped_rejected += 1
            continue
        if (s, e) in base:
            continue
        base.append((s, e))
        plan.values.append((label or "range", text[s:e], s))
        plan.explicit += 1
    repeats: list[tuple[int, int]] = []
    covered = merge(base)
    for _label, value, _start in plan.values:
        if len(value) < MIN_REPEAT:
            continue
        for s, e in occurrences(text, value):
            if not any(cs <= s and e <= ce for cs, ce in covered):
                repeats.append((s, e))
    plan.repeats = len(merge(repeats))
    plan.ranges = merge(base + repeats)
    if plan.unconfirmed:
        plan.warnings.append(f"{plan.unconfirmed} masked span(s) were proposed by the machine and never "
                             "accepted or rejected by a person")
    if any(r.label == "SECRET_MARK" for r in live) and "SECRET_MARK" not in labels:
        plan.warnings.append("a classification marking (SECRET_MARK) stays readable: check its declassification note")
    return plan
