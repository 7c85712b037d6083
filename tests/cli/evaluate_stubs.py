"""Shared by the ``kaifang evaluate`` CLI tests."""
from __future__ import annotations


class PolicyStub:
    """Stands in for the trained DecisionProposer: a marking closes, other sensitive spans redact."""

    version = "stub.v1"

    def propose(self, text, spans, meta):
        labels = {s.label for s in spans}
        decision = "CLOSED" if "SECRET_MARK" in labels else "OPEN_REDACTED" if labels else "OPEN"
        return type("Proposal", (), {"decision": decision})()
