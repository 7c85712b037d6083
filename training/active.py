"""Active learning: put first the documents whose review will teach the model most, weighed by risk.

Four signals, each in [0, 1], computed from what the store already holds (the current proposal
and the machine spans), so ordering needs no model call:

* uncertainty: normalised entropy of the decision probabilities, mixed with the margin between
  the two most likely decisions (a 0.49/0.51 split is as informative as it gets), and the share
  of machine spans whose score sits near 0.5 (the NER's own doubt);
* disagreement: the written policy overrode the model (the final decision differs from the
  model's most probable class), or rules and the neural tagger disagree on the spans (a rule
  span the model scored low, or neural spans of a label the rules also detect when no rule fired);
* novelty: 1 - cosine similarity to the nearest already-confirmed / training document in a
  character n-gram TF-IDF space (a new kind of record teaches more than a tenth near-duplicate);
* risk: 1 - P(OPEN), so a document that may hide something is not left at the back.

``priority = w_u*uncertainty + w_d*disagreement + w_n*novelty + w_r*risk`` (weights sum to 1).
The app's queue uses :func:`order_documents` as the ``active`` order strategy; the simulation in
``benchmarks/active_learning.py`` uses :func:`entropy_margin` on model probabilities directly.
"""
from __future__ import annotations

import math
from dataclasses import asdict, dataclass
from typing import Iterable, Mapping, Sequence

import numpy as np


@dataclass(frozen=True)
class ActiveWeights:
    uncertainty: float = 0.4
    disagreement: float = 0.2
    novelty: float = 0.2
    risk: float = 0.2

    def __post_init__(self) -> None:
        vals = (self.uncertainty, self.disagreement, self.novelty, self.risk)
        if any(v < 0 for v in vals) or sum(vals) <= 0:
            raise ValueError("active-learning weights must be >= 0 and not all zero")


@dataclass(frozen=True)
class ActiveScore:
    document_id: int
    priority: float
    uncertainty: float
    disagreement: float
    novelty: float
    risk: float

    def to_dict(self) -> dict:
        return {k: (round(v, 4) if isinstance(v, float) else v) for k, v in asdict(self).items()}


# --------------------------------------------------------------------------- the signals (pure)


def entropy_margin(probabilities: Mapping[str, float] | Sequence[float]) -> float:
    """Mean of normalised entropy and (1 - margin between the top two): 0 sure, 1 torn."""
    p = np.asarray(list(probabilities.values()) if isinstance(probabilities, Mapping) else list(probabilities),
                   dtype=float)
    if p.size < 2 or p.sum() <= 0:
        return 1.0  # no probabilities: nothing says the model is sure
    p = np.clip(p / p.sum(), 1e-12, 1.0)
    entropy = float(-(p * np.log(p)).sum() / math.log(p.size))
    top = np.sort(p)[::-1]
    margin = float(top[0] - top[1])
    return max(0.0, min(1.0, 0.5 * entropy + 0.5 * (1.0 - margin)))


def span_doubt(scores: Iterable[float]) -> float:
    """Share-weighted closeness of span scores to 0.5 (1 at 0.5, 0 at 0 or 1); 0 without spans."""
    s = [float(x) for x in scores]
    if not s:
        return 0.0
    return float(np.mean([1.0 - abs(2.0 * x - 1.0) for x in s]))


def _is_rule(source: str) -> bool:
    return bool(source) and not source.startswith(("ner", "neural", "human"))


def disagreement(decision: str | None, probabilities: Mapping[str, float] | None,
                 spans: Sequence[tuple[str, str, float]]) -> float:
    """Policy vs model on the decision, and rules vs tagger on the spans ((label, source, score))."""
    parts = []
    if decision and probabilities:
        model_choice = max(probabilities, key=lambda k: probabilities[k])
        parts.append(1.0 if model_choice != decision else 0.0)
    rule_labels = {lab for lab, src, _ in spans if _is_rule(src)}
    neural = [(lab, sc) for lab, src, sc in spans if not _is_rule(src) and not src.startswith("human")]
    if neural or rule_labels:
        # a tagger finding a label that rules exist for, where no rule fired, or a weak tagger span
        weak = sum(1 for _, sc in neural if sc < 0.6)
        parts.append(min(1.0, weak / max(1, len(neural))) if neural else 0.0)
    return float(np.mean(parts)) if parts else 0.0


class NoveltyIndex:
    """Nearest-neighbour distance to reference texts in a character 1-3 gram TF-IDF space."""

    def __init__(self, reference_texts: Sequence[str], max_features: int = 20000):
        from sklearn.feature_extraction.text import TfidfVectorizer

        self.size = len(reference_texts)
        self._vec = None
        if reference_texts:
            self._vec = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), max_features=max_features,
                                        sublinear_tf=True)
            self._ref = self._vec.fit_transform(reference_texts)

    def novelty(self, texts: Sequence[str], chunk: int = 512) -> np.ndarray:
        """1 - max cosine similarity (rows are L2-normalised, so a sparse dot product suffices)."""
        if self._vec is None:
            return np.ones(len(texts))
        out = np.empty(len(texts))
        for i in range(0, len(texts), chunk):
            X = self._vec.transform(texts[i:i + chunk])
            sims = (X @ self._ref.T).max(axis=1).toarray().ravel()
            out[i:i + chunk] = 1.0 - np.clip(sims, 0.0, 1.0)
        return out


def combine(u: float, d: float, n: float, r: float, w: ActiveWeights) -> float:
    total = w.uncertainty + w.disagreement + w.novelty + w.risk
    return (w.uncertainty * u + w.disagreement * d + w.novelty * n + w.risk * r) / total


# --------------------------------------------------------------------------- store side


def reference_texts(session, limit: int = 5000) -> list[str]:
    """Texts the model has learnt from or people have settled: committee-final documents."""
    from sqlmodel import select

    from review_app.tables import Document

    return [t for t in session.exec(select(Document.text).where(Document.status == "final")
                                    .order_by(Document.id.desc()).limit(limit)).all() if t]


def score_documents(session, document_ids: Sequence[int], *, weights: ActiveWeights | None = None,
                    novelty_index: NoveltyIndex | None = None) -> list[ActiveScore]:
    """Active-learning scores for the given documents (one query for proposals, one for spans)."""
    from sqlmodel import select

    from review_app.tables import Document, Proposal, SpanRecord

    weights = weights or ActiveWeights()
    ids = list(dict.fromkeys(int(i) for i in document_ids))
    if not ids:
        return []
    props = {p.document_id: p for p in session.exec(
        select(Proposal).where(Proposal.document_id.in_(ids), Proposal.is_current == True))}  # noqa: E712
    spans: dict[int, list[tuple[str, str, float]]] = {i: [] for i in ids}
    for doc_id, label, source, score in session.exec(
            select(SpanRecord.document_id, SpanRecord.label, SpanRecord.source, SpanRecord.score)
            .where(SpanRecord.document_id.in_(ids), SpanRecord.status == "proposed")):
        spans[doc_id].append((label, source or "", float(score)))
    texts = dict(session.exec(select(Document.id, Document.text).where(Document.id.in_(ids))).all())
    if novelty_index is None:
        novelty_index = NoveltyIndex(reference_texts(session))
    nov = novelty_index.novelty([texts.get(i, "") or "" for i in ids]) if weights.novelty > 0 else np.zeros(len(ids))
    out = []
    for i, doc_id in enumerate(ids):
        p = props.get(doc_id)
        probs = dict(p.probabilities) if p and p.probabilities else {}
        sp = spans[doc_id]
        u_dec = entropy_margin(probs) if probs else (1.0 - p.confidence if p else 1.0)
        u = 0.75 * u_dec + 0.25 * span_doubt(s for _, _, s in sp)
        d = disagreement(p.decision if p else None, probs, sp)
        r = (1.0 - float(probs.get("OPEN", 0.0))) if probs else (0.0 if p and p.decision == "OPEN" else 1.0)
        n = float(nov[i])
        out.append(ActiveScore(document_id=doc_id, priority=combine(u, d, n, r, weights), uncertainty=u,
                               disagreement=d, novelty=n, risk=r))
    return out


def order_documents(session, document_ids: Sequence[int], *, weights: ActiveWeights | None = None) -> list[int]:
    """The ``active`` queue order: highest priority first, ties by document id (stable pages)."""
    scores = score_documents(session, document_ids, weights=weights)
    return [s.document_id for s in sorted(scores, key=lambda s: (-s.priority, s.document_id))]


def refresh_scores(session, *, document_ids: Sequence[int] | None = None, weights: ActiveWeights | None = None,
                   actor: str = "system", reason: str = "", batch: int = 2000) -> int:
    """Recompute and store the scores of documents still under review (all of them by default)."""
    from sqlmodel import select

    from review_app.store.model_registry import save_active_scores
    from review_app.tables import Document, Proposal

    if document_ids is None:
        document_ids = sorted(set(session.exec(
            select(Proposal.document_id).join(Document, Document.id == Proposal.document_id)
            .where(Proposal.is_current == True, Document.status != "final")).all()))  # noqa: E712
    index = NoveltyIndex(reference_texts(session))
    total = 0
    ids = list(document_ids)
    for i in range(0, len(ids), batch):
        scores = score_documents(session, ids[i:i + batch], weights=weights, novelty_index=index)
        total += save_active_scores(session=session, scores=[s.to_dict() | {"priority": s.priority} for s in scores],
                                    actor=actor, reason=reason)
    return total


def active_order(query):
    """The queue ordering: stored priority first, unscored documents after (by uncertainty)."""
    from review_app.tables import ActiveScore, Document, Proposal

    return (query.outerjoin(ActiveScore, ActiveScore.document_id == Document.id)
            .order_by(ActiveScore.priority.desc().nulls_last(), Proposal.uncertainty.desc().nulls_last(),
                      Document.id))


def register_queue_order() -> None:
    """Wire ``active`` into the app's queue (called by the composition root: models <- app <- training)."""
    from review_app.queue import register_order

    register_order("active", active_order, "what review teaches the model most (active learning)")
