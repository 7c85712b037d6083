"""Document builder: text is appended piece by piece, so every span is correct by construction.

A fragment writes plain text with :meth:`Doc.t` and entities with :meth:`Doc.e`; the builder
records offsets as it goes, so no span is ever found again by searching the text (which would
mislabel a repeated string or an overlapping one). Fragments also record FACTS about the content
(a declassification note, a public-security topic, an unpublished price), which the decision
policy (``training.synth.policy``) reads: decisions follow what a document contains, not which
template wrote it.
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field

from models.spans import LABELS

#: Facts a fragment can record; the policy reads only these.
FACTS = frozenset({
    "declassified",        # an explicit declassification statement (已解密, 解密日期, 自行解密)
    "public_security",     # foreign relations, ethnic/religious relations, public order
    "commercial_core",     # the document essentially IS a trade secret (price list, bid floor, formula)
    "private_subject",     # the document is essentially about a private person's sensitive matters
    "public_facing",       # notice, plan, statistics, work report, commendation, graduation list
})


@dataclass(frozen=True, slots=True)
class SynthSpan:
    start: int
    end: int
    label: str
    private: bool  # personal information of a private person (GUIDELINES rule 2), else official/public


@dataclass(frozen=True, slots=True)
class Range:
    """A range to mask that is not an entity span (an unpublished price): redact label null."""

    start: int
    end: int
    reason: str


@dataclass
class Doc:
    """Accumulates text, spans, commercial ranges and facts for one document."""

    rng: random.Random
    split: str
    parts: list[str] = field(default_factory=list)
    spans: list[SynthSpan] = field(default_factory=list)
    ranges: list[Range] = field(default_factory=list)
    facts: set[str] = field(default_factory=set)
    decoys: list[tuple[int, int, str]] = field(default_factory=list)
    pos: int = 0

    def t(self, s: str) -> "Doc":
        """Plain text (no entity)."""
        self.parts.append(s)
        self.pos += len(s)
        return self

    def e(self, s: str, label: str, private: bool = True) -> "Doc":
        """An entity: exactly ``s`` becomes a span of ``label``."""
        if label not in LABELS:
            raise ValueError(f"unknown label {label!r}")
        if not s or s != s.strip():
            raise ValueError(f"span text must be non-empty and unpadded: {s!r}")
        self.spans.append(SynthSpan(self.pos, self.pos + len(s), label, private))
        return self.t(s)

    def secret_range(self, s: str, reason: str = "COMMERCIAL_SECRET") -> "Doc":
        """Text that must be masked although it is no entity (an unpublished price)."""
        self.ranges.append(Range(self.pos, self.pos + len(s), reason))
        return self.t(s)

    def decoy(self, s: str, kind: str) -> "Doc":
        """A number that looks sensitive but must NOT be labelled (档号, 文号, postal code ...).

        Recorded so tests (and the rules' owner) can check that nothing ever labels it."""
        self.decoys.append((self.pos, self.pos + len(s), kind))
        return self.t(s)

    def fact(self, name: str) -> "Doc":
        if name not in FACTS:
            raise ValueError(f"unknown fact {name!r}")
        self.facts.add(name)
        return self

    def nl(self) -> "Doc":
        return self.t("\n")

    def pick(self, variants: list):
        """One phrasing for this split: every third variant (index % 3 == 2) is held out for test.

        Lists shorter than three are shared by both splits; the held-out TEMPLATES are what keeps
        the test set unseen, this adds unseen phrasings inside shared fragments.
        """
        if len(variants) < 3:
            return self.rng.choice(variants)
        pool = [v for i, v in enumerate(variants) if (i % 3 == 2) == (self.split == "test")]
        return self.rng.choice(pool)

    @property
    def text(self) -> str:
        return "".join(self.parts)
