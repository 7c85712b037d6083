"""Build the retraining set from what people confirmed, plus the base corpora.

Confirmed data is the workbench's most valuable output, and also the easiest to misuse, so the
rules are explicit:

* A document counts once a committee member has made the final decision (a ``committee`` stage
  review). Its decision, reasons, closure and redactions come from the latest such review.
* Its spans are those people confirmed: ``accepted``, ``added`` and ``corrected`` rows. A document
  that still has machine spans nobody looked at (``proposed``) trains the decision model but
  not the NER, because unreviewed machine output is not gold (``require_reviewed_spans``).
* Finished Label Studio annotations (``external_annotation`` rows) count as confirmed too.
* Every confirmed record carries provenance: who decided, who confirmed each span, when. The
  provenance (ids, users, times; never the text) is written next to the model it trained.

The evaluation split is frozen by a seed stored in ``training/promotion.toml``: held-out
synthetic documents (the synthetic test templates) plus the confirmed documents whose seeded hash
falls in the held-out bucket. Candidate and current model are always scored on the same split,
and its fingerprint goes into the candidate's manifest.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Collection, Sequence

from sqlmodel import Session, select

from models.spans import LABELS
from models.vocabulary import CONFIRMED_SPAN_STATUSES, DECISIONS, SPAN_LABELLING_ACTIONS  # noqa: F401
from review_app.tables import AuditEvent, Document, ExternalAnnotation, Review, SpanRecord

#: the span changes whose audit events teach the tagger (the labelling subset of the span actions)
SPAN_ACTIONS = SPAN_LABELLING_ACTIONS


@dataclass(frozen=True)
class DataConfig:
    """What goes into a retraining set. Defaults are the production ones; tests shrink them."""

    synth_train: int = 400  # synthetic training documents (training templates)
    synth_seed: int = 17
    eval_synth: int = 150  # synthetic held-out documents (held-out templates) in the frozen split
    eval_seed: int = 20261124  # fixes the frozen evaluation split; change it only on purpose
    eval_fraction: float = 0.2  # share of confirmed documents held out for evaluation
    confirmed_weight: int = 3  # confirmed records are repeated: a week of review must count
    corpora: tuple[str, ...] = ()  # base NER corpora from training.corpora: cluener, resume, weibo, peoples_daily
    corpus_limit: int = 500  # per corpus
    require_reviewed_spans: bool = True
    base_file: str | None = None  # extra base training records (SCHEMA.md JSON Lines)
    eval_file: str | None = None  # a curated held-out set added to the frozen evaluation split
    #: replay: this many records of each corpus the parent was trained on (0: no replay)
    replay_per_corpus: int = 0
    #: the corpora to replay; empty: those named in the parent's manifest (training.retrain)
    replay_corpora: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "DataConfig":
        known = {f for f in cls.__dataclass_fields__}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown [data] settings: {sorted(unknown)}; known: {sorted(known)}")
        d = dict(d)
        for key in ("corpora", "replay_corpora"):
            if key in d:
                d[key] = tuple(d[key])
        cfg = cls(**d)
        if not 0.0 <= cfg.eval_fraction < 1.0:
            raise ValueError("eval_fraction must be in [0, 1)")
        if cfg.confirmed_weight < 1:
            raise ValueError("confirmed_weight must be at least 1")
        if cfg.replay_per_corpus < 0:
            raise ValueError("replay_per_corpus must be >= 0")
        bad = [c for c in cfg.corpora + cfg.replay_corpora if c not in CORPORA]
        if bad:
            raise ValueError(f"unknown corpus name(s) {bad}; known: {', '.join(CORPORA)}")
        return cfg


@dataclass
class TrainingSet:
    """Records in the SCHEMA.md format, split, fingerprinted, with provenance."""

    ner_train: list[dict]
    decision_train: list[dict]
    eval: list[dict]
    provenance: list[dict]
    fingerprint: str
    eval_fingerprint: str
    counts: dict[str, int] = field(default_factory=dict)
    #: the held-out confirmations (also in ``eval``): the per-genre check of the gate
    eval_confirmed: list[dict] = field(default_factory=list)
    #: the synthetic held-out documents and ``eval_file`` records (also in ``eval``)
    eval_base: list[dict] = field(default_factory=list)
    #: texts of every confirmed document: never in a gate set, never replayed twice
    learned_texts: list[str] = field(default_factory=list)
    #: genres of the confirmed documents the NER trains on
    learned_genres: list[str] = field(default_factory=list)
    #: the confirmed documents the NER trains on, once each (not the held-out ones)
    confirmed_ner: list[dict] = field(default_factory=list)


def fingerprint(records: list[dict]) -> str:
    """SHA-256 over the canonical JSON of the records (order-independent)."""
    lines = sorted(json.dumps(r, ensure_ascii=False, sort_keys=True, default=str) for r in records)
    h = hashlib.sha256()
    for line in lines:
        h.update(line.encode("utf-8"))
        h.update(b"\n")
    return h.hexdigest()


def in_eval_bucket(key: str, seed: int, fraction: float) -> bool:
    """Seeded hash bucket: stable across runs and machines (unlike ``hash()``)."""
    if fraction <= 0:
        return False
    digest = hashlib.sha256(f"{seed}:{key}".encode("utf-8")).digest()
    return int.from_bytes(digest[:8], "big") / 2**64 < fraction


def _iso(v: Any) -> str | None:
    if v is None:
        return None
    return v.isoformat() if isinstance(v, (date, datetime)) else str(v)


def _meta(doc: Document) -> dict[str, Any]:
    """The catalogue metadata under the proposer's keys: the app's one definition."""
    from review_app.model_service import model_metadata

    return model_metadata(doc)


def confirmed_records(session: Session) -> list[tuple[dict, dict]]:
    """(record, provenance) for every committee-final document and every imported annotation."""
    out: list[tuple[dict, dict]] = []
    reviews = session.exec(select(Review).where(Review.stage == "committee")
                           .order_by(Review.document_id, Review.created_at, Review.id)).all()
    final: dict[int, Review] = {}
    for r in reviews:
        final[r.document_id] = r  # the latest committee review wins
    for doc_id, review in sorted(final.items()):
        doc = session.get(Document, doc_id)
        if doc is None or review.decision not in DECISIONS:
            continue
        rows = session.exec(select(SpanRecord).where(SpanRecord.document_id == doc_id)
                            .order_by(SpanRecord.start, SpanRecord.id)).all()
        confirmed = [r for r in rows if r.status in CONFIRMED_SPAN_STATUSES and r.label in LABELS
                     and 0 <= r.start < r.end <= len(doc.text)]
        unreviewed = sum(1 for r in rows if r.status == "proposed")
        who = _span_confirmers(session, doc_id)
        reviewer = session.exec(select(Review).where(Review.document_id == doc_id, Review.stage == "reviewer")
                                .order_by(Review.created_at.desc(), Review.id.desc())).first()
        record = {
            "id": f"doc:{doc_id}", "text": doc.text,
            "spans": [{"start": r.start, "end": r.end, "label": r.label} for r in _non_overlapping(confirmed)],
            "decision": review.decision, "reasons": list(review.reasons or []),
            "closure": review.closure, "review_after": _iso(review.review_after),
            "redact": list(review.redact or []), "genre": doc.genre, "year": doc.year,
            **{k: v for k, v in _meta(doc).items() if k not in ("genre", "year")},
            "spans_reviewed": unreviewed == 0,
        }
        prov = {
            "id": record["id"], "source": "review", "document_id": doc_id, "review_id": review.id,
            "decided_by": review.username, "decided_at": _iso(review.created_at), "decision": review.decision,
            "reviewed_by": reviewer.username if reviewer else None,
            "unreviewed_machine_spans": unreviewed,
            "spans": [{"span_id": r.id, "label": r.label, "status": r.status,
                       "by": who.get(r.id, (r.created_by, None))[0],
                       "at": who.get(r.id, (None, _iso(r.updated_at)))[1]} for r in confirmed],
        }
        out.append((record, prov))
    for ann in session.exec(select(ExternalAnnotation).order_by(ExternalAnnotation.id)).all():
        record = {"id": f"{ann.source}:{ann.external_id}", "text": ann.text,
                  "spans": [dict(s) for s in ann.spans], "decision": ann.decision, "reasons": list(ann.reasons or []),
                  "spans_reviewed": True}
        if ann.document_id is not None:
            doc = session.get(Document, ann.document_id)
            if doc is not None:
                record.update({k: v for k, v in _meta(doc).items()})
        prov = {"id": record["id"], "source": ann.source, "document_id": ann.document_id,
                "external_id": ann.external_id, "decided_by": ann.annotator,
                "decided_at": _iso(ann.annotated_at or ann.created_at), "decision": ann.decision,
                "spans": [{"label": s["label"], "by": ann.annotator} for s in ann.spans]}
        out.append((record, prov))
    return out


def _span_confirmers(session: Session, document_id: int) -> dict[int, tuple[str, str]]:
    """span id -> (who, when) of the latest human action on it, read from the audit log."""
    events = session.exec(select(AuditEvent).where(AuditEvent.subject == f"document:{document_id}",
                                                   AuditEvent.action.in_(SPAN_ACTIONS))
                          .order_by(AuditEvent.seq)).all()
    out: dict[int, tuple[str, str]] = {}
    for ev in events:
        try:
            span_id = int(json.loads(ev.payload).get("span"))
        except (TypeError, ValueError):
            continue
        out[span_id] = (ev.actor, ev.ts)
    return out


def _non_overlapping(rows: list[SpanRecord]) -> list[SpanRecord]:
    """Confirmed spans should never overlap; if two do, keep the later human edit."""
    kept: list[SpanRecord] = []
    for r in sorted(rows, key=lambda r: (r.updated_at or r.created_at, r.id), reverse=True):
        if all(r.end <= k.start or k.end <= r.start for k in kept):
            kept.append(r)
    return sorted(kept, key=lambda r: r.start)


def _strip(record: dict) -> dict:
    return {k: v for k, v in record.items() if k != "spans_reviewed"}


def load_jsonl(path: str) -> list[dict]:
    """SCHEMA.md records from a JSON Lines file, validated by models.evaluation's checker.

    The checker returns spans as (start, end, label) tuples; they are turned back into SCHEMA
    dicts, the form every trainer takes.
    """
    from models.evaluation import load_records

    out = []
    for r in load_records(path):
        if "spans" in r:
            r["spans"] = [{"start": a, "end": b, "label": lab} for a, b, lab in r["spans"]]
        out.append(r)
    return out


def base_records(cfg: DataConfig) -> tuple[list[dict], list[dict]]:
    """(train, eval) base data: synthetic archival documents and the configured NER corpora."""
    if cfg.synth_train or cfg.eval_synth:
        from training.synth import generate_documents

    train = generate_documents(cfg.synth_train, seed=cfg.synth_seed, split="train") if cfg.synth_train else []
    held_out = generate_documents(cfg.eval_synth, seed=cfg.eval_seed, split="test") if cfg.eval_synth else []
    if cfg.base_file:
        train.extend(load_jsonl(cfg.base_file))
    if cfg.eval_file:
        held_out.extend(load_jsonl(cfg.eval_file))
    for name in cfg.corpora:
        train.extend(corpus_train_records(name)[: cfg.corpus_limit])
    return train, held_out


#: the public corpora a tagger trains on (training.corpora), in the default recipe's order
CORPORA = ("cluener", "peoples_daily", "resume", "weibo")


def corpus_train_records(name: str) -> list[dict]:
    """A corpus' training records with the default recipe's label mapping (train_default).

    CLUENER's ``scene`` is LOC, People's Daily is its dev+test files (the copy here has no train
    split), Resume's surname-only names are unlabelled. Replay and base corpora must see the data
    exactly as the model that is fine-tuned saw it, or fine-tuning unteaches the mapping.
    """
    from training import corpora

    if name == "cluener":
        return corpora.load_cluener("train", scene_as_loc=True)
    if name == "peoples_daily":
        return corpora.load_peoples_daily("dev") + corpora.load_peoples_daily("test")
    if name == "resume":
        from training.ner.train_default import _drop_surname_only

        return _drop_surname_only(corpora.load_resume("train"))
    if name == "weibo":
        return corpora.load_weibo("train")
    raise ValueError(f"unknown corpus {name!r}; known: {', '.join(CORPORA)}")


def replay_sample(names: Sequence[str], per_corpus: int, seed: int,
                  exclude_texts: Collection[str] = ()) -> list[dict]:
    """``per_corpus`` seeded records of each named corpus' training split, for replay.

    Why replay: fine-tuning on a few hundred documents of one genre alone makes the tagger forget
    the others; mixing in a sample of what it was trained on keeps them. ``exclude_texts``: texts
    never to replay (the documents being learned from are added separately, with their reviews).
    """
    import random

    out: list[dict] = []
    excluded = set(exclude_texts)
    for name in names:
        recs = [r for r in corpus_train_records(name) if r["text"] not in excluded]
        random.Random(f"replay-{seed}-{name}").shuffle(recs)
        out.extend(recs[:per_corpus])
    return out


def build_training_set(session: Session, cfg: DataConfig) -> TrainingSet:
    """The training and frozen evaluation records, their fingerprints and the provenance."""
    confirmed = confirmed_records(session)
    base_train, eval_records = base_records(cfg)
    eval_records = list(eval_records)
    eval_base = list(eval_records)
    eval_confirmed: list[dict] = []
    learned_genres: set[str] = set()
    ner_train = list(base_train)
    decision_train = [r for r in base_train if r.get("decision") in DECISIONS]
    provenance: list[dict] = []
    n_conf_train = n_conf_eval = n_ner_conf = 0
    confirmed_ner: list[dict] = []
    for record, prov in confirmed:
        if in_eval_bucket(record["id"], cfg.eval_seed, cfg.eval_fraction):
            eval_records.append(_strip(record))
            eval_confirmed.append(_strip(record))
            prov = {**prov, "used_for": "eval"}
            n_conf_eval += 1
        else:
            n_conf_train += 1
            use_ner = record["spans_reviewed"] or not cfg.require_reviewed_spans
            for _ in range(cfg.confirmed_weight):
                if use_ner:
                    ner_train.append(_strip(record))
                if record.get("decision") in DECISIONS:
                    decision_train.append(_strip(record))
            n_ner_conf += int(use_ner)
            if use_ner:
                learned_genres.add(record.get("genre") or "unknown")
                confirmed_ner.append(_strip(record))
            prov = {**prov, "used_for": "train", "ner": use_ner, "decision": record.get("decision") in DECISIONS}
        provenance.append(prov)
    if not ner_train and not decision_train:
        raise ValueError("no training data: no confirmed reviews and no base corpora configured")
    if not eval_records:
        raise ValueError("the frozen evaluation split is empty: set [data] eval_synth or eval_file (candidate and "
                         "current model must be compared on the same held-out records)")
    counts = {"confirmed": len(confirmed), "confirmed_train": n_conf_train, "confirmed_eval": n_conf_eval,
              "confirmed_ner": n_ner_conf, "ner_train": len(ner_train), "decision_train": len(decision_train),
              "eval": len(eval_records)}
    return TrainingSet(ner_train=ner_train, decision_train=decision_train, eval=eval_records,
                       provenance=provenance, fingerprint=fingerprint(ner_train + decision_train),
                       eval_fingerprint=fingerprint(eval_records), counts=counts,
                       eval_confirmed=eval_confirmed, eval_base=eval_base,
                       learned_texts=[r["text"] for r, _ in confirmed], learned_genres=sorted(learned_genres),
                       confirmed_ner=confirmed_ner)
