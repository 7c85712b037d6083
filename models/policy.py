"""The policy layer: a versioned rulebook that no model can override.

The rulebook (models/rulebook/rulebook-v1.yaml) lists rules, each with an id, the legal basis it
cites, a condition over the document's spans, text and catalogue metadata, an outcome and reason
codes, and its wording for the committee in Chinese and English. Kinds:

* ``force``: a floor. The final decision is at least as restrictive as the rule's outcome
  (OPEN < OPEN_REDACTED < CLOSED) and its reason codes are added, whatever the model says.
* ``suggest``: shown to the committee and fed to the model as a feature; forces nothing, because
  its cues (a word such as 外交 or 配方) are evidence, not proof.
* ``notice``: information such as the eligibility date.

Conditions are a closed vocabulary (``CONDITIONS``) checked when the rulebook loads, so a typo in
the YAML fails loudly instead of silently never firing.
"""
from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Mapping

import yaml

from models.eligibility import (
    EligibilityParams,
    document_date,
    eligible_from,
    is_early_opening_genre,
    marking_expiry,
)
from models.persons import record_subject_role
from models.spans import LABELS, Span
from models.vocabulary import CLOSURES, DECISIONS, REASONS  # noqa: F401  (re-exported: models.policy.DECISIONS)

RULE_KINDS: tuple[str, ...] = ("force", "suggest", "notice")
CONDITIONS: tuple[str, ...] = (
    "secret_mark", "classified_metadata", "secret_mark_or_classified", "declassified",
    "labels_any", "strong_labels_any", "cue_any", "not_yet_eligible", "early_opening_genre",
    "commercial_figures", "private_contact", "head_cue_any",
)
#: ``head_cue_any`` looks only at the document's first lines, where a holder puts its marking
HEAD_LINES = 3
MARKING_LINE_MAX = 30
#: ``strong_labels_any`` counts only spans that are exact evidence (see ``Policy.is_strong``),
#: and no HEALTH/LEGAL_RECORD span about a historical figure (models.persons).
HISTORICAL_EXEMPT_LABELS = frozenset({"HEALTH", "LEGAL_RECORD"})
#: Labels whose spans are masked for PERSONAL_INFO (GUIDELINES rule 2; PERSON is not masked).
PERSONAL_INFO_LABELS: tuple[str, ...] = (
    "ID_NUMBER", "PHONE", "EMAIL", "BANK_ACCOUNT", "ADDRESS", "HEALTH", "LEGAL_RECORD",
)
#: the span labels an OPEN_REDACTED decision masks, by reason code (names are never masked,
#: GUIDELINES rule 2): shared by the reviewer's default mask list and the release
MASKED_LABELS_OF_REASON: dict[str, tuple[str, ...]] = {
    "PERSONAL_INFO": PERSONAL_INFO_LABELS,
    "STATE_SECRET": ("SECRET_MARK",),
}


def masked_labels(reasons: Iterable[str]) -> set[str]:
    """The span labels an OPEN_REDACTED decision with these reason codes masks."""
    return {lab for r in reasons for lab in MASKED_LABELS_OF_REASON.get(r, ())}
DEFAULT_RULEBOOK = Path(__file__).with_name("rulebook") / "rulebook-v2.yaml"

_SEVERITY = {d: i for i, d in enumerate(DECISIONS)}
#: a money or percentage figure (in the half-width text)
_FIGURE = re.compile(r"(?<![0-9.])[0-9][0-9,]*(?:\.[0-9]+)?(?:\s*(?:万元|元|美元|%))?(?![0-9])")


def more_restrictive(a: str, b: str) -> str:
    """The more restrictive of two decisions (OPEN < OPEN_REDACTED < CLOSED)."""
    return a if _SEVERITY[a] >= _SEVERITY[b] else b


def to_halfwidth(text: str) -> str:
    """Full-width ASCII and the ideographic space to half-width, ONE character per character.

    Length-preserving on purpose: an offset found in the result is an offset in the original.
    """
    out = []
    for ch in text:
        o = ord(ch)
        if 0xFF01 <= o <= 0xFF5E:
            out.append(chr(o - 0xFEE0))
        elif o == 0x3000:
            out.append(" ")
        else:
            out.append(ch)
    return "".join(out)


#: "your (the addressee's) number": in a letter to a private person (信访答复 ...) a contact detail
#: said to be the addressee's own is a private person's, whatever the training templates said.
_ADDRESSEE_OWNS = re.compile(r"(?:你|您)(?:的|本人的?|家的?|留下的|所留的?|提供的|登记的)[^，。；,;！!？?\n]{0,8}$")


def addressee_owned(text: str, span: Span) -> bool:
    """The span is introduced as the letter addressee's own (你留下的电话：…, 您的住址 …)."""
    return bool(_ADDRESSEE_OWNS.search(text[max(0, span.start - 20):span.start]))


class RulebookError(ValueError):
    """The rulebook file is missing, malformed or inconsistent."""


@dataclass(frozen=True)
class Rule:
    id: str
    kind: str
    when: Mapping[str, Any]
    outcome: str | None
    reasons: tuple[str, ...]
    closure: str | None
    basis: tuple[str, ...]
    wording_zh: str
    wording_en: str


@dataclass(frozen=True)
class Rulebook:
    version: str
    effective: str
    bases: Mapping[str, str]
    parameters: Mapping[str, Any]
    cues: Mapping[str, tuple[str, ...]]
    rules: tuple[Rule, ...]
    path: Path
    sha256: str
    source: bytes = b""  # the exact bytes loaded: what a saved model copies, whatever the file is now

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Rulebook":
        """Read and validate a rulebook YAML file (None: the shipped default rulebook)."""
        p = Path(path) if path is not None else DEFAULT_RULEBOOK
        if not p.is_file():
            raise RulebookError(f"rulebook not found: {p}")
        raw_bytes = p.read_bytes()
        try:
            raw = yaml.safe_load(raw_bytes.decode("utf-8"))
        except (yaml.YAMLError, UnicodeDecodeError) as exc:
            raise RulebookError(f"rulebook {p} is not valid UTF-8 YAML: {exc}") from exc
        return cls.from_mapping(raw, path=p, sha256=hashlib.sha256(raw_bytes).hexdigest(), source=raw_bytes)

    @classmethod
    def from_mapping(cls, raw: Any, *, path: Path = DEFAULT_RULEBOOK, sha256: str = "", source: bytes = b"") -> "Rulebook":
        if not isinstance(raw, dict):
            raise RulebookError("rulebook must be a mapping")
        for key in ("version", "rules", "bases"):
            if key not in raw:
                raise RulebookError(f"rulebook lacks '{key}'")
        bases = {**dict(raw.get("bases") or {}), **dict(raw.get("guidelines") or {})}
        cues = {str(k): tuple(str(x) for x in v) for k, v in dict(raw.get("cues") or {}).items()}
        for name, patterns in cues.items():
            for pat in patterns:
                try:
                    re.compile(pat)
                except re.error as exc:
                    raise RulebookError(f"cue '{name}' has a bad pattern {pat!r}: {exc}") from exc
        rules: list[Rule] = []
        seen: set[str] = set()
        for i, r in enumerate(raw["rules"] or []):
            rules.append(_parse_rule(r, i, bases, cues, seen))
        if not rules:
            raise RulebookError("rulebook has no rules")
        return cls(
            version=str(raw["version"]), effective=str(raw.get("effective", "")), bases=bases,
            parameters=dict(raw.get("parameters") or {}), cues=cues, rules=tuple(rules),
            path=path, sha256=sha256, source=source,
        )

    def rule(self, rule_id: str) -> Rule:
        for r in self.rules:
            if r.id == rule_id:
                return r
        raise KeyError(rule_id)


def _parse_rule(r: Any, i: int, bases: Mapping[str, str], cues: Mapping[str, Any], seen: set[str]) -> Rule:
    if not isinstance(r, dict) or not r.get("id"):
        raise RulebookError(f"rule #{i} has no id")
    rid = str(r["id"])
    if rid in seen:
        raise RulebookError(f"duplicate rule id {rid}")
    seen.add(rid)
    kind = r.get("kind")
    if kind not in RULE_KINDS:
        raise RulebookError(f"rule {rid}: kind must be one of {RULE_KINDS}, got {kind!r}")
    when = r.get("when")
    if not isinstance(when, dict) or not when:
        raise RulebookError(f"rule {rid}: 'when' must be a non-empty mapping")
    for cond, arg in when.items():
        if cond not in CONDITIONS:
            raise RulebookError(f"rule {rid}: unknown condition {cond!r}; known: {CONDITIONS}")
        if cond in ("labels_any", "strong_labels_any") and (
                not isinstance(arg, list) or any(a not in LABELS for a in arg)):
            raise RulebookError(f"rule {rid}: {cond} must list SCHEMA labels, got {arg!r}")
        if cond in ("cue_any", "head_cue_any") and arg not in cues:
            raise RulebookError(f"rule {rid}: {cond} names unknown cue group {arg!r}")
    outcome = r.get("outcome")
    if kind == "force" and outcome not in DECISIONS:
        raise RulebookError(f"rule {rid}: a force rule needs an outcome in {DECISIONS}")
    if outcome is not None and outcome not in DECISIONS:
        raise RulebookError(f"rule {rid}: unknown outcome {outcome!r}")
    reasons = tuple(r.get("reasons") or ())
    if any(x not in REASONS for x in reasons):
        raise RulebookError(f"rule {rid}: unknown reason code in {reasons}")
    if kind == "force" and outcome != "OPEN" and not reasons:
        raise RulebookError(f"rule {rid}: a force rule that restricts opening needs reason codes")
    closure = r.get("closure")
    if closure is not None and closure not in CLOSURES:
        raise RulebookError(f"rule {rid}: unknown closure {closure!r}")
    basis = tuple(str(b) for b in (r.get("basis") or ()))
    if not basis:
        raise RulebookError(f"rule {rid}: no legal basis cited")
    for b in basis:
        if b not in bases:
            raise RulebookError(f"rule {rid}: basis {b!r} is not defined under 'bases' or 'guidelines'")
    zh, en = r.get("wording_zh"), r.get("wording_en")
    if not zh or not en:
        raise RulebookError(f"rule {rid}: needs wording_zh and wording_en for the committee")
    return Rule(id=rid, kind=kind, when=dict(when), outcome=outcome, reasons=reasons, closure=closure,
                basis=basis, wording_zh=str(zh), wording_en=str(en))


@dataclass
class FiredRule:
    """A rule whose condition held, with its wording filled in and the evidence that fired it."""

    id: str
    kind: str
    outcome: str | None
    reasons: list[str]
    closure: str | None
    basis: list[str]
    wording_zh: str
    wording_en: str
    evidence: list[dict] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {
            "kind": "rule", "id": self.id, "rule_kind": self.kind, "outcome": self.outcome,
            "reasons": list(self.reasons), "closure": self.closure, "basis": list(self.basis),
            "wording_zh": self.wording_zh, "wording_en": self.wording_en, "evidence": self.evidence,
        }


def _head_end(text: str) -> int:
    """End offset of the first ``HEAD_LINES`` non-blank lines (the document's head)."""
    pos, seen = 0, 0
    while pos < len(text) and seen < HEAD_LINES:
        nl = text.find("\n", pos)
        end = len(text) if nl < 0 else nl + 1
        if text[pos:end].strip():
            seen += 1
        pos = end
    return pos


def _marking_line(text: str, pos: int) -> bool:
    """Whether the line holding ``pos`` reads as a marking (技术资料　厂内保管　不得外传): short and
    without sentence punctuation, unlike a statute or a report that mentions 商业秘密."""
    start = text.rfind("\n", 0, pos) + 1
    end = text.find("\n", pos)
    line = text[start:len(text) if end < 0 else end].strip()
    return len(line) <= MARKING_LINE_MAX and not any(p in line for p in "，。；：,;:“”\"")


@dataclass
class PolicyResult:
    """What the rulebook says about one document, before the model is consulted."""

    fired: list[FiredRule]
    floor: str
    forced_reasons: list[str]
    forced_closure: str | None
    declassified: bool
    secret_marks: list[dict]
    cue_hits: dict[str, list[dict]]
    commercial_ranges: list[dict]
    eligible_from: date | None
    mark_expiries: list[date]
    conditions: dict[str, bool]

    @property
    def fired_ids(self) -> list[str]:
        return [f.id for f in self.fired]


class _SafeDict(dict):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


class Policy:
    """Evaluates a rulebook against (text, spans, meta). Constructing one does no I/O."""

    def __init__(self, rulebook: Rulebook):
        self.rulebook = rulebook
        self.params = EligibilityParams.from_rulebook(rulebook.parameters)
        self._cues = {name: [re.compile(p) for p in pats] for name, pats in rulebook.cues.items()}
        unclassified = rulebook.parameters.get("unclassified_values", ["", "无", "公开", "none"])
        self._unclassified = {str(v).strip().lower() for v in unclassified}
        #: a model's span forces a rule only from this score up (chosen on the development set);
        #: a rule recognizer's span (checksum, pattern, context formula) always counts
        self.model_span_force_score = float(rulebook.parameters.get("model_span_force_score", 1.01))

    def is_strong(self, span: Span) -> bool:
        """Exact evidence: a rule recognizer's span (a checksum-valid ID, a matched marking or
        formula) or a reviewer's / gold span (no model source), or a model span whose score
        reaches ``model_span_force_score``. Anything weaker is a hint for the reviewer."""
        if not (span.source or "").startswith("ner:"):
            return True
        return span.score >= self.model_span_force_score

    @property
    def version(self) -> str:
        return self.rulebook.version

    @classmethod
    def load(cls, path: str | Path | None = None) -> "Policy":
        return cls(Rulebook.load(path))

    # ------------------------------------------------------------------ evidence gathering
    def cue_matches(self, text: str, group: str) -> list[dict]:
        """Non-overlapping matches of a cue group in the half-width form of ``text``."""
        norm = to_halfwidth(text)
        hits: list[dict] = []
        for pat in self._cues.get(group, ()):
            for m in pat.finditer(norm):
                if m.end() > m.start() and not any(m.start() < h["end"] and h["start"] < m.end() for h in hits):
                    hits.append({"start": m.start(), "end": m.end(), "text": text[m.start():m.end()]})
        return sorted(hits, key=lambda h: h["start"])

    def declassification(self, text: str) -> list[dict]:
        """Explicit declassification statements, minus negated ones (未解密, 不予解密 ...)."""
        negs = self.cue_matches(text, "declassification_negation")
        return [h for h in self.cue_matches(text, "declassification")
                if not any(h["start"] < n["end"] and n["start"] < h["end"] for n in negs)]

    def is_classified_value(self, classification: Any) -> bool:
        return classification is not None and str(classification).strip().lower() not in self._unclassified

    def commercial_ranges(self, text: str) -> list[dict]:
        """Ranges to mask for COMMERCIAL_SECRET (label None): the figure after a price or cost cue
        (标底价为3438600元), and a figure in a table cell under a price column (单价（元）|418.00)."""
        norm = to_halfwidth(text)
        out: list[dict] = self._price_cells(norm)
        for pat in self._cues.get("commercial_secret_ranges", ()):
            for m in pat.finditer(norm):
                g = "v" if "v" in pat.groupindex else (1 if pat.groups else 0)
                s, e = m.start(g), m.end(g)
                while e > s and norm[e - 1] in " ,，.":
                    e -= 1
                if e > s and not any(s < o["end"] and o["start"] < e for o in out):
                    out.append({"start": s, "end": e, "label": None, "reason": "COMMERCIAL_SECRET"})
        return sorted(out, key=lambda r: r["start"])

    def _price_cells(self, norm: str) -> list[dict]:
        """Figures in table cells whose column header is a price cue (``commercial_price_columns``)."""
        pats = self._cues.get("commercial_price_columns", ())
        if not pats or "|" not in norm and "\t" not in norm:
            return []
        from models.recognizers.tables import column_header

        def is_price(cell: str) -> bool:
            return any(p.search(cell) for p in pats)

        out = []
        for m in _FIGURE.finditer(norm):
            head = column_header(norm, m.start(), is_price)
            if head is not None and is_price(head[0]):
                out.append({"start": m.start(), "end": m.end(), "label": None,
                            "reason": "COMMERCIAL_SECRET"})
        return out

    def private_contacts(self, text: str, spans: Iterable[Span]) -> list[Span]:
        """PHONE/EMAIL/BANK_ACCOUNT spans the text itself calls a private person's own
        (手机13807792461（本人）, 家庭电话：…, 宅电), or a letter its addressee's (你留下的电话：…):
        exact evidence, unlike the statistical privacy model of the decision features, which
        weighs the unlabelled cases."""
        pats = self._cues.get("private_contact", ())
        out = []
        for s in spans:
            if s.label not in ("PHONE", "EMAIL", "BANK_ACCOUNT"):
                continue
            line_start = text.rfind("\n", 0, s.start) + 1
            left = to_halfwidth(text[max(line_start, s.start - 10):s.start]).split("|")[-1]
            right = to_halfwidth(text[s.end:s.end + 6])
            if any(p.search(left) for p in pats) or addressee_owned(text, s) \
                    or re.match(r"\s*[(（]\s*(?:本人|私人|家庭|宅)", right):
                out.append(s)
        return out

    # ------------------------------------------------------------------ evaluation
    def evaluate(self, text: str, spans: Iterable[Span], meta: Mapping[str, Any] | None = None,
                 as_of: date | None = None) -> PolicyResult:
        """Which rules fire, the floor they set, and the evidence, for one document."""
        if not isinstance(text, str):
            raise TypeError("text must be a str")
        meta = dict(meta or {})
        as_of = as_of or date.today()
        spans = list(spans)
        by_label: dict[str, list[Span]] = {}
        for s in spans:
            by_label.setdefault(s.label, []).append(s)

        marks = [{"start": s.start, "end": s.end, "label": "SECRET_MARK", "text": text[s.start:s.end],
                  "source": s.source or "detector"} for s in by_label.get("SECRET_MARK", [])]
        for h in self.cue_matches(text, "secret_mark_backstop"):
            if not any(h["start"] < m["end"] and m["start"] < h["end"] for m in marks):
                marks.append({**h, "label": "SECRET_MARK", "source": "policy_backstop"})
        declass = self.declassification(text)
        classified_meta = self.is_classified_value(meta.get("classification"))
        eligible = eligible_from(meta, self.params)
        doc_d = document_date(meta)
        expiries = [d for d in (marking_expiry(m["text"], doc_d, self.params) for m in marks) if d]
        if classified_meta:
            e = marking_expiry(str(meta.get("classification")), doc_d, self.params)
            if e:
                expiries.append(e)
        cue_hits = {g: self.cue_matches(text, g) for g in ("commercial_secret", "public_security", "private_matter", "public_document")}

        conditions = {
            "secret_mark": bool(marks),
            "classified_metadata": classified_meta,
            "secret_mark_or_classified": bool(marks) or classified_meta,
            "declassified": bool(declass),
            "not_yet_eligible": eligible is not None and eligible > as_of,
            "early_opening_genre": is_early_opening_genre(meta.get("genre"), self.params),
        }
        commercial = self.commercial_ranges(text)
        private_contacts = self.private_contacts(text, spans)
        conditions["commercial_figures"] = bool(commercial)
        conditions["private_contact"] = bool(private_contacts)
        fired: list[FiredRule] = []
        for rule in self.rulebook.rules:
            ok, evidence, fill = self._check(rule, conditions, by_label, text, cue_hits, marks, declass,
                                             commercial, private_contacts)
            if not ok:
                continue
            fill.update(marks="、".join(m["text"] for m in marks) or "-",
                        classification=str(meta.get("classification") or ""),
                        declass="、".join(d["text"] for d in declass) or "-",
                        eligible_from=eligible.isoformat() if eligible else "-",
                        early_years=str(self.params.early_opening_years))
            fired.append(FiredRule(
                id=rule.id, kind=rule.kind, outcome=rule.outcome, reasons=list(rule.reasons),
                closure=rule.closure, basis=list(rule.basis),
                wording_zh=rule.wording_zh.format_map(_SafeDict(fill)),
                wording_en=rule.wording_en.format_map(_SafeDict(fill)), evidence=evidence,
            ))
        floor, forced_reasons, forced_closure = "OPEN", [], None
        for f in fired:
            if f.kind != "force":
                continue
            floor = more_restrictive(floor, f.outcome or "OPEN")
            forced_reasons += [r for r in f.reasons if r not in forced_reasons]
            if f.outcome == "CLOSED" and f.closure and forced_closure != "DEFERRED":
                forced_closure = f.closure
        return PolicyResult(
            fired=fired, floor=floor, forced_reasons=forced_reasons, forced_closure=forced_closure,
            declassified=bool(declass), secret_marks=marks, cue_hits=cue_hits,
            commercial_ranges=commercial, eligible_from=eligible,
            mark_expiries=expiries, conditions=conditions,
        )

    def _check(self, rule: Rule, conditions: Mapping[str, bool], by_label: Mapping[str, list[Span]],
               text: str, cue_hits: Mapping[str, list[dict]], marks: list[dict], declass: list[dict],
               commercial: list[dict] = (), private_contacts: list[Span] = ()):
        evidence: list[dict] = []
        fill: dict[str, str] = {}
        for cond, arg in rule.when.items():
            if cond in ("labels_any", "strong_labels_any"):
                hit = [s for lab in arg for s in by_label.get(lab, [])]
                if cond == "strong_labels_any":
                    hit = [s for s in hit if self.is_strong(s) and not (
                        s.label in HISTORICAL_EXEMPT_LABELS
                        and record_subject_role(text, s, by_label.get("PERSON", [])) == "historical")]
                if not hit:
                    return False, [], {}
                evidence += [{"start": s.start, "end": s.end, "label": s.label, "text": text[s.start:s.end]} for s in hit]
                fill["labels"] = "、".join(sorted({s.label for s in hit}))
            elif cond in ("cue_any", "head_cue_any"):
                if cond == "head_cue_any":  # only the head is read: a prefix, so offsets hold
                    hits = [h for h in self.cue_matches(text[:_head_end(text)], arg)
                            if _marking_line(text, h["start"])]
                else:
                    hits = cue_hits.get(arg)
                    if hits is None:
                        hits = self.cue_matches(text, arg)
                if not hits:
                    return False, [], {}
                evidence += [{**h, "cue": arg} for h in hits]
                fill["cues"] = "、".join(dict.fromkeys(h["text"] for h in hits))
            else:
                if bool(conditions[cond]) != bool(arg):
                    return False, [], {}
                if cond in ("secret_mark", "secret_mark_or_classified") and arg:
                    evidence += marks
                if cond == "declassified" and arg:
                    evidence += [{**d, "cue": "declassification"} for d in declass]
                if cond == "commercial_figures" and arg:
                    evidence += [{**c, "text": text[c["start"]:c["end"]]} for c in commercial]
                if cond == "private_contact" and arg:
                    evidence += [{"start": s.start, "end": s.end, "label": s.label,
                                  "text": text[s.start:s.end]} for s in private_contacts]
                    fill["labels"] = "、".join(sorted({s.label for s in private_contacts}))
        return True, evidence, fill

    def apply(self, model_decision: str, model_reasons: Iterable[str], result: PolicyResult) -> tuple[str, list[str]]:
        """Final decision and reasons: the model's, raised to the rulebook's floor.

        Forced reasons are always added to a non-OPEN decision; an OPEN decision has no reasons.
        """
        if model_decision not in DECISIONS:
            raise ValueError(f"unknown decision {model_decision!r}")
        decision = more_restrictive(model_decision, result.floor)
        if decision == "OPEN":
            return decision, []
        reasons = [r for r in REASONS if r in set(model_reasons) | set(result.forced_reasons)]
        return decision, reasons
