"""The one span type shared by every recognizer, the store, exports and evaluation.

Offsets are half-open Python string indices (Unicode code points) into the original document
text, which is never rewritten. Conversions (normalisation, UTF-16 for Label Studio) happen at
the edges through offset maps (see ``models.text``).
"""
from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Iterable

#: Entity labels of ../shared/SCHEMA.md, exactly.
LABELS: tuple[str, ...] = (
    "PERSON",
    "ID_NUMBER",
    "PHONE",
    "EMAIL",
    "BANK_ACCOUNT",
    "ADDRESS",
    "HEALTH",
    "LEGAL_RECORD",
    "SECRET_MARK",
    "ORG",
    "LOC",
)
#: Labels that are context, not sensitive by themselves.
CONTEXT_LABELS: frozenset[str] = frozenset({"ORG", "LOC"})
#: Every label but ORG and LOC: what ``sensitive_recall`` counts.
SENSITIVE_LABELS: frozenset[str] = frozenset(LABELS) - CONTEXT_LABELS


@dataclass(frozen=True, slots=True)
class Span:
    """A labelled range of the original text, with where it came from and why."""

    start: int
    end: int
    label: str
    score: float = 1.0
    source: str = ""
    explanation: str = ""

    def __post_init__(self) -> None:
        if self.start < 0 or self.end <= self.start:
            raise ValueError(f"bad span offsets [{self.start}, {self.end})")
        if self.label not in LABELS:
            raise ValueError(f"unknown label {self.label!r}; expected one of {LABELS}")

    @property
    def length(self) -> int:
        return self.end - self.start

    def overlaps(self, other: "Span") -> bool:
        return self.start < other.end and other.start < self.end

    def text_in(self, text: str) -> str:
        return text[self.start : self.end]

    def with_(self, **changes) -> "Span":
        return replace(self, **changes)

    def to_dict(self, text: str | None = None) -> dict:
        d = {
            "start": self.start,
            "end": self.end,
            "label": self.label,
            "score": round(float(self.score), 4),
            "source": self.source,
        }
        if self.explanation:
            d["explanation"] = self.explanation
        if text is not None:
            d["text"] = text[self.start : self.end]
        return d


def resolve_overlaps(spans: Iterable[Span], priority: dict[str, int] | None = None) -> list[Span]:
    """Return non-overlapping spans, sorted by start.

    The policy (GUIDELINES: "spans never overlap; a longer entity wins") is applied greedily:
    candidates are ranked by (priority of their source family, length, score), and each is kept
    unless it overlaps one already kept. ``priority`` maps a label to a rank bonus so that, for
    example, a checksum-validated ID beats a neural guess of the same length.
    """
    priority = priority or {}
    ranked = sorted(
        spans,
        key=lambda s: (-priority.get(s.label, 0), -s.length, -s.score, s.start),
    )
    kept: list[Span] = []
    for s in ranked:
        if not any(s.overlaps(k) for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: (s.start, s.end))
