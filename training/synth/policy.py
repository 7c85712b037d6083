"""The decision labeller: GUIDELINES' decision policy as one function of what a document contains.

Inputs are the document's spans (with a private/official flag), its commercial ranges and the
content facts its fragments recorded; never the template's name. Rules (GUIDELINES, Decision
policy):

1. public-facing content with officials only -> OPEN (official phones/e-mails/accounts do not
   stop opening: they are spans with ``private=False``);
2. incidental personal information of private persons -> OPEN_REDACTED + PERSONAL_INFO, the
   spans to mask are those labels (PERSON is never masked);
3. a document essentially about a private person's sensitive matters (``private_subject``), or a
   register listing the IDs of many people (3+ private ID numbers) -> CLOSED + PERSONAL_INFO;
4. a SECRET_MARK without an explicit declassification note -> CLOSED + STATE_SECRET;
5. trade secrets: the document essentially the secret -> CLOSED, a part of it -> OPEN_REDACTED,
   both with COMMERCIAL_SECRET (masked ranges need not be entity spans);
6. public-security content -> CLOSED + PUBLIC_SECURITY (declassification does not change it).

``reasons`` lists every ground that applies. A CLOSED document is DEFERRED (with
``review_after``) when a ground expires (state secret, trade secret, public security) and
CONTROLLED (控制使用) when personal information is the only ground, as rulebook v1 does.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from models.vocabulary import REASONS
from training.synth.builder import Range, SynthSpan

#: GUIDELINES rule 2: the labels masked as personal information (PERSON is not masked).
PERSONAL_LABELS = frozenset({"ID_NUMBER", "PHONE", "EMAIL", "BANK_ACCOUNT", "ADDRESS", "HEALTH", "LEGAL_RECORD"})
REASON_ORDER = REASONS
EXPIRING_GROUNDS = frozenset({"STATE_SECRET", "COMMERCIAL_SECRET", "PUBLIC_SECURITY"})
#: The date the synthetic review is taken to happen (fixed, so outputs are deterministic).
REVIEW_AS_OF = date(2026, 1, 1)
DEFERRED_REVIEW_YEARS = 5
OPENING_YEARS = 25  # Archives Law 2020 art. 27
MANY_IDS = 3


@dataclass(frozen=True)
class Decision:
    decision: str
    reasons: list[str]
    closure: str | None
    review_after: str | None
    redact: list[dict]


def _add_years(d: date, n: int) -> date:
    try:
        return d.replace(year=d.year + n)
    except ValueError:  # 29 February
        return d.replace(year=d.year + n, day=28)


def decide(
    spans: list[SynthSpan],
    ranges: list[Range],
    facts: set[str],
    doc_date: date,
    mark_periods: list[int] | None = None,
) -> Decision:
    """Apply the policy; see the module docstring for the rules."""
    labels = {s.label for s in spans}
    personal = [s for s in spans if s.label in PERSONAL_LABELS and s.private]
    private_ids = sum(1 for s in personal if s.label == "ID_NUMBER")

    grounds: set[str] = set()
    closed = False
    if "SECRET_MARK" in labels and "declassified" not in facts:
        grounds.add("STATE_SECRET")
        closed = True
    if "public_security" in facts:
        grounds.add("PUBLIC_SECURITY")
        closed = True
    if "commercial_core" in facts or ranges:
        grounds.add("COMMERCIAL_SECRET")
        closed = closed or "commercial_core" in facts
    if personal or "private_subject" in facts:
        grounds.add("PERSONAL_INFO")
        if "private_subject" in facts or private_ids >= MANY_IDS:
            closed = True

    reasons = [r for r in REASON_ORDER if r in grounds]
    if closed:
        closure = "DEFERRED" if grounds & EXPIRING_GROUNDS else "CONTROLLED"
        review_after = None
        if closure == "DEFERRED":
            candidates = [_add_years(REVIEW_AS_OF, DEFERRED_REVIEW_YEARS), _add_years(doc_date, OPENING_YEARS)]
            candidates += [_add_years(doc_date, p) for p in (mark_periods or [])]
            review_after = max(candidates).isoformat()
        return Decision("CLOSED", reasons, closure, review_after, [])
    if reasons:
        redact = [{"start": s.start, "end": s.end, "label": s.label, "reason": "PERSONAL_INFO"} for s in personal]
        redact += [{"start": r.start, "end": r.end, "label": None, "reason": r.reason} for r in ranges]
        redact.sort(key=lambda r: (r["start"], r["end"]))
        return Decision("OPEN_REDACTED", reasons, None, None, redact)
    return Decision("OPEN", [], None, None, [])
