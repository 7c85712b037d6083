"""Shared by the evaluation tests: a detector that returns preset spans, and a SCHEMA record."""
from __future__ import annotations

from models.spans import Span


class FixedDetector:
    """Returns preset spans per document text."""

    version = "fixed.v1"

    def __init__(self, by_text):
        self.by_text = by_text

    def detect(self, text):
        return [Span(s, e, label) for s, e, label in self.by_text.get(text, [])]


def rec(rid, text, spans, decision=None, **extra):
    """A SCHEMA.md annotation record with ``(start, end, label)`` spans."""
    return {"id": rid, "text": text, "spans": [{"start": s, "end": e, "label": l} for s, e, l in spans],
            "decision": decision, "reasons": [], **extra}
