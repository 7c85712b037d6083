"""Evaluation of a detector (and a decision proposer) on a SCHEMA.md JSON Lines file.

Every benchmark and external evaluation goes through ``evaluate_records``, so the definitions
here are the project's definitions:

Input
    UTF-8 JSON Lines (a BOM, CRLF or CR line ends are fine; blank lines are skipped; ``-`` reads
    standard input). Offsets count code points (SCHEMA.md): a non-BMP character such as 𠮷 is
    one. A span's optional ``text`` must equal ``text[start:end]`` (an error otherwise: the
    offsets are wrong, often UTF-16 units). Fields that are not scored (``reasons``,
    ``closure``, ``redact``, ``note``, ...) are passed over. ``spans`` absent or null in every
    record: spans are not scored; absent in some records only: an error. A gold span repeated in
    one record (same start, end and label) counts once (``gold_duplicate_spans``).
Throughput (``chars_per_second``)
    ``characters`` (code points of all texts) divided by the wall-clock seconds spent inside
    the detector (``detect_many`` in batches of 32 where the detector has it), in this process,
    after one untimed warm-up call on the first 256 characters of the first non-blank text (a
    model loads its weights lazily on its first call): not model loading, file reading or
    scoring. ``detect_seconds`` is that time.
Spans, exact (``spans``)
    A prediction is a true positive when a gold span has the same label, start and end
    (multiset matching: a prediction returned twice counts once as TP, once as FP).
Spans, overlap (``spans_overlap``)
    A prediction of the same label that shares at least one character with a gold span can
    match it, one-to-one: per document and label, tp is the size of a maximum matching between
    gold and predicted spans (each gold and each prediction used at most once); fp =
    predictions - tp, fn = gold - tp. So one long prediction covering two gold spans is one TP
    and one FN, and two predictions inside one gold span are one TP and one FP.
P, R, F1
    precision = tp / (tp + fp), recall = tp / (tp + fn), f1 = 2tp / (2tp + fp + fn); each 0.0
    when its denominator is 0 (no predictions: precision 0.0). Each is rounded to 6 decimals on
    its own from the exact counts (given as ``tp``, ``fp``, ``fn``; ``support`` = tp + fn), so
    2PR/(P+R) from the rounded P and R may differ from ``f1`` in the 6th decimal.
Which labels are scored (``labels_scored``)
    Per-label figures are given for every label present in the gold spans or the predictions.
    ``micro`` pools the counts of the ``labels_scored`` only: by default
    (``labels_scored_from: "gold"``) the labels that occur in the file's gold spans, since a file
    never annotated for a label (CLUENER has no PHONE) cannot judge predictions of it;
    ``labels=`` (``--labels``) declares the labels a file was annotated for
    (``"declared"``), so that predictions of a declared label absent from gold are false
    positives. Predicted labels outside them are listed in ``labels_unscored``; per-label
    entries carry ``scored``.
``sensitive_recall``
    Share of gold spans of the sensitive labels (all but ORG and LOC) that any predicted span of
    any sensitive label overlaps (label-agnostic among sensitive labels, not one-to-one: the
    question is "was it caught at all"). None when the file has no sensitive gold span;
    ``sensitive_support`` gives the count. Not restricted by ``labels_scored``.
Decisions (``decisions``, only where records carry a gold ``decision``)
    Records whose ``decision`` is absent or null are left out (``documents_without_decision``);
    ``documents`` counts the scored ones. accuracy; macro_f1: mean F1 over the decision classes
    present in gold or proposals (``macro_f1_classes``; as scikit-learn); ``leak_rate``: share of
    gold OPEN_REDACTED or CLOSED documents proposed OPEN; ``open_recall``: share of gold OPEN
    documents proposed OPEN; ``over_closure_rate``: share of gold
    OPEN documents proposed CLOSED; ``confusion[gold][proposed]`` counts (``confusion_axes``);
    ``support`` per gold class. Rates with an empty denominator are None. The proposer sees the
    detector's predicted spans (end to end), not the gold spans.
"""
from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any, Iterable, Sequence

from models.spans import LABELS, SENSITIVE_LABELS, Span
from models.vocabulary import DECISIONS

META_KEYS: tuple[str, ...] = ("title", "creator", "date", "year", "classification", "genre", "reference_code")

__all__ = [
    "DECISIONS",
    "EvaluationInputError",
    "load_records",
    "validate_record",
    "evaluate_records",
    "span_scores",
    "decision_scores",
    "load_detector",
    "RulesOnlyDetector",
    "load_proposer",
    "format_report",
]


class EvaluationInputError(ValueError):
    """An evaluation file or record that does not follow SCHEMA.md (message names where)."""


# --------------------------------------------------------------------------- input

def validate_record(record: Any, where: str) -> dict:
    """Check one SCHEMA.md record; return it with ``spans`` as a list of (start, end, label)."""
    if not isinstance(record, dict):
        raise EvaluationInputError(f"{where}: expected a JSON object, got {type(record).__name__}")
    text = record.get("text")
    if not isinstance(text, str):
        raise EvaluationInputError(f"{where}: 'text' must be a string")
    rid = record.get("id", where)
    if not isinstance(rid, (str, int)) or isinstance(rid, bool):
        raise EvaluationInputError(f"{where}: 'id' must be a string")
    out = dict(record)
    out["id"] = str(rid)
    if record.get("spans") is None:  # absent or null: this record's spans are not annotated
        out.pop("spans", None)
    else:
        spans = record["spans"]
        if not isinstance(spans, list):
            raise EvaluationInputError(f"{where}: 'spans' must be a list")
        checked = []
        for k, s in enumerate(spans):
            if isinstance(s, (tuple, list)) and len(s) == 3:  # already validated (start, end, label)
                start, end, label = s
            elif isinstance(s, dict):
                start, end, label = s.get("start"), s.get("end"), s.get("label")
            else:
                raise EvaluationInputError(f"{where}: spans[{k}] must be an object")
            if not all(isinstance(v, int) and not isinstance(v, bool) for v in (start, end)):
                raise EvaluationInputError(f"{where}: spans[{k}] needs integer 'start' and 'end'")
            if not 0 <= start < end <= len(text):
                hint = _utf16_hint(text, start, end, s.get("text") if isinstance(s, dict) else None)
                raise EvaluationInputError(
                    f"{where}: spans[{k}] offsets [{start}, {end}) out of range for text of length {len(text)}"
                    f"{hint}")
            if label not in LABELS:
                raise EvaluationInputError(
                    f"{where}: spans[{k}] has unknown label {label!r}; expected one of {', '.join(LABELS)}")
            if isinstance(s, dict) and s.get("text") is not None:
                _check_span_text(text, start, end, s["text"], f"{where}: spans[{k}]")
            checked.append((start, end, label))
        out["spans"] = checked
    decision = record.get("decision")
    if decision is not None and decision not in DECISIONS:
        raise EvaluationInputError(
            f"{where}: unknown decision {decision!r}; expected one of {', '.join(DECISIONS)} or null")
    return out


def _check_span_text(text: str, start: int, end: int, span_text: Any, where: str) -> None:
    """A span's optional ``text`` must be ``text[start:end]``: otherwise its offsets are wrong (most
    often UTF-16 units, as Label Studio counts, instead of code points) and scoring would be too."""
    if not isinstance(span_text, str):
        raise EvaluationInputError(f"{where}: 'text' must be a string")
    found = text[start:end]
    if found != span_text:
        raise EvaluationInputError(f"{where}: 'text' {span_text!r} is not text[{start}:{end}] {found!r}"
                                   f"{_utf16_hint(text, start, end, span_text)}")


def _utf16_hint(text: str, start: int, end: int, span_text: Any) -> str:
    """A note for the error message when [start, end) in UTF-16 units gives ``span_text``."""
    from models.text import utf16_to_cp

    if not isinstance(span_text, str) or start < 0:
        return ""
    try:
        if text[utf16_to_cp(text, start):utf16_to_cp(text, end)] == span_text:
            return " (the offsets look like UTF-16 code units; SCHEMA.md offsets count code points)"
    except ValueError:
        pass
    return ""


def load_records(path: str | Path) -> list[dict]:
    """Read and validate a JSON Lines file ("-": standard input); errors name the line number.

    UTF-8 with or without a BOM; lines end in LF, CRLF or CR; blank lines are skipped."""
    if str(path) == "-":
        p, data = "<stdin>", sys.stdin.buffer.read()
    else:
        p = Path(path)
        if not p.is_file():
            raise EvaluationInputError(f"{p}: no such file")
        data = p.read_bytes()
    records = []
    try:
        raw = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = len(re.findall(rb"\r\n|\r|\n", data[: exc.start])) + 1
        raise EvaluationInputError(f"{p}:{line}: not UTF-8 (JSON Lines files are UTF-8): {exc.reason}") from None
    # split on CR/LF only: U+2028 and friends may stand inside JSON strings (CR and LF may not)
    for lineno, line in enumerate(re.split(r"\r\n|\r|\n", raw), 1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise EvaluationInputError(f"{p}:{lineno}: invalid JSON: {exc.msg} (column {exc.colno})") from None
        records.append(validate_record(obj, f"{p}:{lineno}"))
    if not records:
        raise EvaluationInputError(f"{p}: no records")
    return records


# --------------------------------------------------------------------------- span metrics

def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * tp / (2 * tp + fp + fn) if tp else 0.0  # = 2PR/(P+R), from the exact counts
    return {"precision": round(p, 6), "recall": round(r, 6), "f1": round(f, 6), "support": tp + fn,
            "tp": tp, "fp": fp, "fn": fn}


def _exact_counts(gold: list[tuple], pred: list[tuple]) -> Counter:
    """Per-label tp/fp/fn for one document (multiset matching)."""
    counts: Counter = Counter()
    g, p = Counter(gold), Counter(pred)
    matched = g & p
    for (_, _, label), n in matched.items():
        counts[(label, "tp")] += n
    for (_, _, label), n in (p - matched).items():
        counts[(label, "fp")] += n
    for (_, _, label), n in (g - matched).items():
        counts[(label, "fn")] += n
    return counts


def _max_matching(adj: list[list[int]], n_right: int) -> int:
    """Size of a maximum matching of a bipartite graph (left i -- right j for j in adj[i])
    (scipy's Hopcroft-Karp: iterative, so long documents cannot exhaust the stack)."""
    if not adj or not n_right:
        return 0
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import maximum_bipartite_matching

    rows = [i for i, js in enumerate(adj) for _ in js]
    cols = [j for js in adj for j in js]
    if not rows:
        return 0
    graph = csr_matrix(([1] * len(rows), (rows, cols)), shape=(len(adj), n_right))
    return int((maximum_bipartite_matching(graph, perm_type="column") >= 0).sum())


def _overlap_counts(gold: list[tuple], pred: list[tuple]) -> Counter:
    """Per-label tp/fp/fn with one-to-one overlap matching (module docstring): tp is the size of
    a maximum matching between gold and predicted spans of one label that share a character."""
    counts: Counter = Counter()
    for label in {s[2] for s in gold} | {s[2] for s in pred}:
        gs = sorted(s for s in gold if s[2] == label)
        ps = sorted(s for s in pred if s[2] == label)
        adj = [[j for j, (ps_, pe, _) in enumerate(ps) if ps_ < ge and gs_ < pe] for gs_, ge, _ in gs]
        tp = _max_matching(adj, len(ps))
        counts[(label, "tp")] += tp
        counts[(label, "fp")] += len(ps) - tp
        counts[(label, "fn")] += len(gs) - tp
    return counts


def span_scores(gold_docs: Sequence[list[tuple]], pred_docs: Sequence[list[tuple]], *,
                overlap: bool = False, labels_scored: Iterable[str] | None = None) -> dict:
    """Per-label and micro P/R/F1 over documents of (start, end, label) tuples."""
    if len(gold_docs) != len(pred_docs):
        raise ValueError("gold and predictions differ in number of documents")
    counts: Counter = Counter()
    for gold, pred in zip(gold_docs, pred_docs):
        counts += (_overlap_counts if overlap else _exact_counts)(list(gold), list(pred))
    scored = set(labels_scored) if labels_scored is not None else {s[2] for d in gold_docs for s in d}
    present = {label for (label, _kind) in counts}
    out: dict[str, dict] = {}
    for label in [l for l in LABELS if l in present]:
        entry = _prf(counts[(label, "tp")], counts[(label, "fp")], counts[(label, "fn")])
        entry["scored"] = label in scored
        out[label] = entry
    micro = [sum(counts[(l, k)] for l in scored) for k in ("tp", "fp", "fn")]
    out["micro"] = _prf(*micro)
    return out


def sensitive_hits(gold: Sequence[tuple], pred: Sequence[tuple]) -> tuple[int, int]:
    """One document's (sensitive gold spans overlapped by any sensitive prediction, their number)."""
    ps = [p for p in pred if p[2] in SENSITIVE_LABELS]
    sens = [(gs, ge) for gs, ge, label in gold if label in SENSITIVE_LABELS]
    return sum(any(ps_ < ge and gs < pe for ps_, pe, _ in ps) for gs, ge in sens), len(sens)


def sensitive_recall(gold_docs: Sequence[list[tuple]], pred_docs: Sequence[list[tuple]]) -> tuple[float | None, int]:
    """(share of sensitive gold spans overlapped by any sensitive prediction, their number)."""
    counts = [sensitive_hits(gold, pred) for gold, pred in zip(gold_docs, pred_docs)]
    hit, total = sum(h for h, _ in counts), sum(t for _, t in counts)
    return (round(hit / total, 6) if total else None), total


# --------------------------------------------------------------------------- decision metrics

def decision_scores(gold: Sequence[str], pred: Sequence[str]) -> dict:
    """accuracy, macro_f1, leak_rate, over_closure_rate, open_recall, confusion, support (module
    docstring). The project's one definition: training and benchmarks call it too."""
    if len(gold) != len(pred):
        raise ValueError("gold and predicted decisions differ in length")
    for d in list(gold) + list(pred):
        if d not in DECISIONS:
            raise ValueError(f"unknown decision {d!r}")
    n = len(gold)
    confusion = {g: {p: 0 for p in DECISIONS} for g in DECISIONS}
    for g, p in zip(gold, pred):
        confusion[g][p] += 1
    per_class, exact_f1 = {}, {}
    present = [c for c in DECISIONS if c in gold or c in pred]
    for c in DECISIONS:
        tp = confusion[c][c]
        fp = sum(confusion[g][c] for g in DECISIONS if g != c)
        fn = sum(confusion[c][p] for p in DECISIONS if p != c)
        e = _prf(tp, fp, fn)
        per_class[c] = {k: e[k] for k in ("precision", "recall", "f1", "support")}
        exact_f1[c] = 2 * tp / (2 * tp + fp + fn) if tp else 0.0
    restricted = [i for i, g in enumerate(gold) if g != "OPEN"]
    opened = [i for i, g in enumerate(gold) if g == "OPEN"]
    return {
        "documents": n,
        "accuracy": round(sum(g == p for g, p in zip(gold, pred)) / n, 6) if n else None,
        "macro_f1": round(sum(exact_f1[c] for c in present) / len(present), 6) if present else None,
        "macro_f1_classes": present,
        "leak_rate": round(sum(pred[i] == "OPEN" for i in restricted) / len(restricted), 6) if restricted else None,
        "over_closure_rate": round(sum(pred[i] == "CLOSED" for i in opened) / len(opened), 6) if opened else None,
        "open_recall": round(sum(pred[i] == "OPEN" for i in opened) / len(opened), 6) if opened else None,
        "confusion": confusion,
        "confusion_axes": ["gold", "proposed"],
        "support": {c: sum(g == c for g in gold) for c in DECISIONS},
        "per_class": per_class,
    }


# --------------------------------------------------------------------------- running a detector

def _detect_all(detector: Any, texts: list[str]) -> list[list[Span]]:
    # the detector batches by its own default (models.pipeline.DETECT_BATCH): one place to tune it
    if hasattr(detector, "detect_many"):
        return [list(spans) for spans in detector.detect_many(texts)]
    if hasattr(detector, "detect"):
        return [detector.detect(t) for t in texts]
    raise TypeError(f"{type(detector).__name__} has neither detect_many nor detect")


def _as_tuples(spans: Iterable[Any], text_len: int, where: str) -> list[tuple]:
    out = []
    for s in spans:
        start, end, label = (s.start, s.end, s.label) if hasattr(s, "start") else (s["start"], s["end"], s["label"])
        if not 0 <= start < end <= text_len or label not in LABELS:
            raise ValueError(f"{where}: detector returned an invalid span ({start}, {end}, {label!r})")
        out.append((start, end, label))
    return out


def evaluate_records(records: Sequence[dict], detector: Any, proposer: Any = None, *,
                     labels: Iterable[str] | None = None, as_of: date | None = None) -> dict:
    """Run ``detector`` (and ``proposer`` where records carry decisions) and score them.

    ``records`` are SCHEMA.md dicts (validated here again, so callers may pass raw dicts).
    ``labels``: the labels the file was annotated for (``micro`` pools these; None: the labels
    that occur in its gold spans). ``as_of``: the review date the proposer decides on (document
    age and the 25-year eligibility depend on it; default today), reported as ``decisions.as_of``
    so that a figure can be reproduced later. Returns the dict described in the module docstring.
    """
    recs = [validate_record(r, f"record {i + 1}") for i, r in enumerate(records)]
    if not recs:
        raise EvaluationInputError("no records to evaluate")
    if labels is not None:
        labels = list(labels)
        unknown = [l for l in labels if l not in LABELS]
        if unknown:
            raise EvaluationInputError(f"unknown label(s) {', '.join(map(repr, unknown))}; "
                                       f"expected some of {', '.join(LABELS)}")
    has_spans = ["spans" in r for r in recs]
    if any(has_spans) and not all(has_spans):
        missing = has_spans.index(False) + 1
        raise EvaluationInputError(f"record {missing}: 'spans' missing while other records have it")
    if labels is not None and all(has_spans):
        outside = sorted({s[2] for r in recs for s in r["spans"]} - set(labels), key=LABELS.index)
        if outside:
            raise EvaluationInputError(f"gold spans use label(s) {', '.join(outside)} outside the "
                                       f"declared labels {', '.join(labels)}")
    texts = [r["text"] for r in recs]
    # one untimed warm-up call: detectors load their weights lazily on the first call (seconds),
    # which chars_per_second must not count
    warm = next((t for t in texts if t.strip()), None)
    if warm is not None:
        _detect_all(detector, [warm[:256]])
    t0 = time.perf_counter()
    predicted = _detect_all(detector, texts)
    seconds = time.perf_counter() - t0
    if len(predicted) != len(texts):
        raise ValueError(f"detector returned {len(predicted)} results for {len(texts)} texts")
    pred_docs = [_as_tuples(p, len(t), f"record {i + 1}") for i, (p, t) in enumerate(zip(predicted, texts))]
    characters = sum(len(t) for t in texts)
    result: dict[str, Any] = {
        "documents": len(recs),
        "characters": characters,
        "chars_per_second": round(characters / seconds, 1) if seconds > 0 else None,
        "detect_seconds": round(seconds, 4),
        "detector": str(getattr(detector, "version", type(detector).__name__)),
    }
    if all(has_spans):
        # a span is its (start, end, label): an annotation repeated in one record is one entity
        gold_docs = [sorted(set(r["spans"])) for r in recs]
        duplicates = sum(len(r["spans"]) for r in recs) - sum(len(d) for d in gold_docs)
        in_gold = {s[2] for d in gold_docs for s in d}
        scored = sorted(in_gold if labels is None else set(labels), key=LABELS.index)
        predicted_labels = {s[2] for d in pred_docs for s in d}
        result["labels_scored"] = scored
        result["labels_scored_from"] = "gold" if labels is None else "declared"
        result["labels_unscored"] = sorted(predicted_labels - set(scored), key=LABELS.index)
        result["gold_spans"] = sum(len(d) for d in gold_docs)
        result["gold_duplicate_spans"] = duplicates
        result["spans"] = span_scores(gold_docs, pred_docs, labels_scored=scored)
        result["spans_overlap"] = span_scores(gold_docs, pred_docs, overlap=True, labels_scored=scored)
        result["sensitive_recall"], result["sensitive_support"] = sensitive_recall(gold_docs, pred_docs)
    with_decision = [i for i, r in enumerate(recs) if r.get("decision") is not None]
    if with_decision and proposer is not None:
        gold_d, pred_d = [], []
        for i in with_decision:
            r = recs[i]
            meta = {k: r[k] for k in META_KEYS if r.get(k) is not None}
            proposal = (proposer.propose(r["text"], list(predicted[i]), meta) if as_of is None else
                        proposer.propose(r["text"], list(predicted[i]), meta, as_of=as_of))
            decision = getattr(proposal, "decision", None)
            if decision not in DECISIONS:
                raise ValueError(f"record {i + 1}: proposer returned decision {decision!r}")
            gold_d.append(r["decision"])
            pred_d.append(decision)
        result["decisions"] = decision_scores(gold_d, pred_d)
        result["decisions"]["documents_without_decision"] = len(recs) - len(with_decision)
        result["decisions"]["proposer"] = str(getattr(proposer, "version", type(proposer).__name__))
        result["decisions"]["as_of"] = (as_of or date.today()).isoformat()
    return result


# --------------------------------------------------------------------------- loading components

class RulesOnlyDetector:
    """The RuleAnalyzer behind the Detector interface: evaluates the exact rules alone
    (``kaifang evaluate --rules-only``, benchmarks/rules_bench.py)."""

    def __init__(self, analyzer: Any):
        self.analyzer = analyzer
        self.version = f"rules-only:{analyzer.version}"

    def detect(self, text: str) -> list[Span]:
        # the same simplified view as the full detector (traditional script, same offsets)
        from models.script import simplified_view

        return self.analyzer.find(simplified_view(text))

    def detect_many(self, texts: Sequence[str], batch_size: int = 32) -> list[list[Span]]:
        return [self.detect(t) for t in texts]


def load_detector(model_dir: str | Path | None = None, *, rules_only: bool = False) -> tuple[Any, str | None]:
    """(detector, warning): ``models.pipeline.Detector.load(model_dir)`` (None: the default model),
    or with ``rules_only`` the shipped rule analyzer alone."""
    if rules_only:
        if model_dir is not None:
            raise EvaluationInputError("--rules-only evaluates the shipped rules; it takes no --model")
        from models.analyzer import build_rule_analyzer

        return RulesOnlyDetector(build_rule_analyzer()), None
    from models.pipeline import Detector  # owner D

    return Detector.load(model_dir), None


def load_proposer(model_dir: str | Path | None = None) -> tuple[Any, str | None]:
    """(proposer, warning): ``models.decision.DecisionProposer.load(model_dir)``."""
    from models.decision import DecisionProposer  # owner E

    return DecisionProposer.load(model_dir), None


# --------------------------------------------------------------------------- report

def format_report(result: dict) -> str:
    """A readable table of an ``evaluate_records`` result."""
    lines = [
        f"documents {result['documents']}   characters {result['characters']}   "
        f"chars/s {result['chars_per_second']}   detector {result['detector']}",
    ]
    if "spans" in result:
        lines.append("")
        lines.append(f"{'label':<14}{'P':>8}{'R':>8}{'F1':>8}{'support':>9}   "
                     f"{'P~':>7}{'R~':>7}{'F1~':>7}   (~ = overlap)")
        for label, e in result["spans"].items():
            o = result["spans_overlap"].get(label, {})
            mark = "" if e.get("scored", True) else "   (not in gold: unscored)"
            lines.append(
                f"{label:<14}{e['precision']:>8.4f}{e['recall']:>8.4f}{e['f1']:>8.4f}{e['support']:>9}   "
                f"{o.get('precision', 0):>7.4f}{o.get('recall', 0):>7.4f}{o.get('f1', 0):>7.4f}{mark}")
        lines.append(f"micro pools {', '.join(result['labels_scored']) or 'no label'} "
                     f"(labels scored from {result['labels_scored_from']})")
        sr = result.get("sensitive_recall")
        lines.append(f"sensitive_recall {sr if sr is None else f'{sr:.4f}'} "
                     f"(of {result.get('sensitive_support', 0)} sensitive gold spans)")
    if result.get("decisions_skipped"):
        lines.append(f"\ndecisions not scored: {result['decisions_skipped']}")
    d = result.get("decisions")
    if d:
        lines.append("")
        lines.append(f"decisions ({d['documents']} documents, {d.get('documents_without_decision', 0)} without "
                     f"a gold decision left out; proposer {d.get('proposer')}): "
                     f"accuracy {d['accuracy']}  macro_f1 {d['macro_f1']}  "
                     f"leak_rate {d['leak_rate']}  over_closure_rate {d['over_closure_rate']}  "
                     f"open_recall {d.get('open_recall')}")
        corner = "gold \\ proposed"
        lines.append(f"{corner:<18}" + "".join(f"{c:>15}" for c in DECISIONS))
        for g in DECISIONS:
            lines.append(f"{g:<18}" + "".join(f"{d['confusion'][g][p]:>15}" for p in DECISIONS))
    return "\n".join(lines)


def warn(message: str) -> None:
    print(f"kaifang: warning: {message}", file=sys.stderr)
