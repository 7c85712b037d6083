"""Exact-span precision/recall/F1, aware of partial annotation.

Why our own: a CLUENER record annotates only PERSON/ORG/LOC, so a predicted HEALTH span there is
neither right nor wrong; predictions of labels a record does not annotate are not scored. (The
project-wide evaluation is ``models.evaluation.evaluate_records``; this one only watches
training.)
"""
from __future__ import annotations

from collections import Counter
from typing import Iterable, Sequence


def span_prf(gold: Sequence[Iterable[tuple[int, int, str]]],
             pred: Sequence[Iterable[tuple[int, int, str]]],
             annotated: Sequence[Iterable[str]] | None = None) -> dict:
    """Per-label and micro P/R/F1/support over documents; exact boundaries and label."""
    tp: Counter[str] = Counter()
    n_gold: Counter[str] = Counter()
    n_pred: Counter[str] = Counter()
    for i, (g, p) in enumerate(zip(gold, pred)):
        keep = set(annotated[i]) if annotated is not None else None
        gs = {x for x in g if keep is None or x[2] in keep}
        ps = {x for x in p if keep is None or x[2] in keep}
        for x in gs:
            n_gold[x[2]] += 1
        for x in ps:
            n_pred[x[2]] += 1
        for x in gs & ps:
            tp[x[2]] += 1
    out = {}
    for lab in sorted(set(n_gold) | set(n_pred)):
        out[lab] = _prf(tp[lab], n_pred[lab], n_gold[lab])
    out["micro"] = _prf(sum(tp.values()), sum(n_pred.values()), sum(n_gold.values()))
    return out


def _prf(tp: int, n_pred: int, n_gold: int) -> dict:
    p = tp / n_pred if n_pred else 0.0
    r = tp / n_gold if n_gold else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return {"precision": round(p, 4), "recall": round(r, 4), "f1": round(f, 4), "support": n_gold,
            "tp": tp, "n_pred": n_pred}
