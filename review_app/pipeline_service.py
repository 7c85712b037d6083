"""From text to proposal, once: plan a batch of documents, compute spans and proposals, store them.

This is the only path from a document to its machine spans and proposal. ``kaifang scan``,
``kaifang propose``, the app's rescan (``POST /api/documents/{id}/rescan``) and the Ray engine
(``review_app.scale``) all go through it, so they agree on which documents need work, on the spans
a proposal is computed from, and on what is written.

Three steps, split so that the expensive one can run anywhere:

1. ``plan`` (reads the store): which documents of a batch need a scan and/or a proposal, and the
   plain data a worker needs for each (``WorkItem``: text, metadata, the spans a person already
   confirmed, the document version it was read at).
2. ``compute`` (no database): the detector and the proposer on a list of work items. It is pure,
   so a Ray actor on another machine runs it with nothing but the models loaded.
3. ``write`` (one transaction per batch): the spans, proposals and their audit events, committed
   together. Each document is written only if its version is still the one it was planned at, so
   a batch computed twice (a Ray worker killed after its result was sent, a retry) is written
   once, and nothing is laid over a document a reviewer changed meanwhile.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from sqlmodel import Session, select

from models.spans import Span
from models.vocabulary import ACTIVE_SPAN_STATUSES, CONFIRMED_SPAN_STATUSES, DocumentStatus
from review_app.model_service import model_metadata
from review_app.store import review
from review_app.tables import Document, Proposal, SpanRecord

#: documents per batch: the neural tagger is faster on batches, and one transaction per batch
#: keeps the audit chain's lock short
DEFAULT_BATCH_SIZE = 32


@dataclass(frozen=True)
class Options:
    """What a run does. ``scan``: detect on documents never scanned (``rescan``: on every
    document not frozen by a final decision; machine spans nobody reviewed are replaced).
    ``propose``: propose for documents without a current proposal (``repropose``: for all)."""

    scan: bool = True
    rescan: bool = False
    propose: bool = True
    repropose: bool = False


@dataclass(frozen=True)
class WorkItem:
    """One document's work, as plain data (picklable: it travels to Ray workers)."""

    document_id: int
    version: int
    text: str
    meta: dict
    scan: bool
    propose: bool
    #: with ``scan``: the spans a person confirmed (a new scan keeps them); else the active spans
    spans: tuple[Span, ...] = ()


@dataclass(frozen=True)
class WorkResult:
    """A worker's answer for one document: the detected spans and/or the proposal."""

    document_id: int
    version: int
    detector_version: str | None = None
    spans: tuple[Span, ...] | None = None  # None: not scanned
    proposal: Any = None  # a ProposalResult, or None: not proposed


@dataclass
class Counts:
    """What a run did, summed over batches (printed by the CLI as JSON)."""

    documents: int = 0
    scanned: int = 0
    proposed: int = 0
    skipped: int = 0
    frozen: int = 0
    changed: int = 0  # planned, but changed by someone before the write: left for the next run
    spans: int = 0
    decisions: dict[str, int] = field(default_factory=dict)
    proposed_ids: list[int] = field(default_factory=list)
    #: the model versions that wrote (as the store records them; the Ray driver loads no model)
    detector: str | None = None
    proposer: str | None = None

    def add(self, other: "Counts") -> None:
        for k in ("documents", "scanned", "proposed", "skipped", "frozen", "changed", "spans"):
            setattr(self, k, getattr(self, k) + getattr(other, k))
        for d, n in other.decisions.items():
            self.decisions[d] = self.decisions.get(d, 0) + n
        self.proposed_ids.extend(other.proposed_ids)
        self.detector = other.detector or self.detector
        self.proposer = other.proposer or self.proposer


def _span_of(r: SpanRecord | Span) -> Span:
    """A stored span (or a detector's) as the proposer reads it: plain floats, the same fields."""
    return Span(r.start, r.end, r.label, float(r.score), r.source, r.explanation)


# --------------------------------------------------------------------------- 1. plan


def plan(session: Session, document_ids: Sequence[int], options: Options) -> tuple[list[WorkItem], Counts]:
    """The work items for these documents (those that need something), and the counts of the
    documents that need nothing (``skipped``) or are frozen by a final decision (``frozen``)."""
    counts = Counts(documents=len(document_ids))
    if not document_ids:
        return [], counts
    docs = list(session.exec(select(Document).where(Document.id.in_(list(document_ids))).order_by(Document.id)))
    with_proposal = set(session.exec(select(Proposal.document_id).where(
        Proposal.document_id.in_(list(document_ids)), Proposal.is_current == True))) \
        if options.propose and not options.repropose else set()  # noqa: E712
    items: list[WorkItem] = []
    needs: list[tuple[Document, bool, bool]] = []
    for d in docs:
        frozen = review.is_frozen(d)
        scan = options.scan and (d.status == DocumentStatus.NEW or (options.rescan and not frozen))
        propose = options.propose and (options.repropose or d.id not in with_proposal)
        if options.rescan and frozen:
            counts.frozen += 1
        if scan or propose:
            needs.append((d, scan, propose))
        else:
            counts.skipped += 1
    spans_of = _spans_by_document(session, [d.id for d, *_ in needs])
    for d, scan, propose in needs:
        rows = spans_of.get(d.id, [])
        keep = CONFIRMED_SPAN_STATUSES if scan else ACTIVE_SPAN_STATUSES
        items.append(WorkItem(document_id=d.id, version=d.version, text=d.text, meta=model_metadata(d),
                              scan=scan, propose=propose,
                              spans=tuple(_span_of(r) for r in rows if r.status in keep)))
    return items, counts


def _spans_by_document(session: Session, document_ids: list[int]) -> dict[int, list[SpanRecord]]:
    """The active spans of many documents in one query, each document's in reading order."""
    out: dict[int, list[SpanRecord]] = {}
    if not document_ids:
        return out
    for r in session.exec(select(SpanRecord).where(SpanRecord.document_id.in_(document_ids),
                                                   SpanRecord.status.in_(ACTIVE_SPAN_STATUSES))
                          .order_by(SpanRecord.document_id, SpanRecord.start, SpanRecord.end)):
        out.setdefault(r.document_id, []).append(r)
    return out


# --------------------------------------------------------------------------- 2. compute


def compute(items: Sequence[WorkItem], *, detector: Any, proposer: Any | None,
            batch_size: int = DEFAULT_BATCH_SIZE) -> list[WorkResult]:
    """Detector and proposer on the work items; touches no database (runs in a Ray actor too).

    The proposal of a document scanned here is computed from the spans the store will hold after
    the write: the confirmed ones plus the new machine spans that overlap none of them
    (``review.machine_spans_kept``, the rule ``stage_detection`` applies).
    """
    to_scan = [it for it in items if it.scan]
    detected: dict[int, list[Span]] = {}
    if to_scan:
        for it, spans in zip(to_scan, _detect_all(detector, [it.text for it in to_scan], batch_size)):
            detected[it.document_id] = [_span_of(s) for s in spans]
    active: dict[int, list[Span]] = {}
    for it in items:
        if it.scan:
            new = review.machine_spans_kept(detected[it.document_id], it.spans, text_length=len(it.text),
                                            document_id=it.document_id)
            active[it.document_id] = sorted([*it.spans, *new], key=lambda s: (s.start, s.end))
        else:
            active[it.document_id] = list(it.spans)
    to_propose = [it for it in items if it.propose]
    proposals: dict[int, Any] = {}
    if to_propose:
        if proposer is None:
            raise ValueError("proposing needs a proposer (a decision model)")
        results = _propose_all(proposer, [it.text for it in to_propose],
                               [active[it.document_id] for it in to_propose], [it.meta for it in to_propose])
        proposals = {it.document_id: r for it, r in zip(to_propose, results)}
    version = str(detector.version) if to_scan else None
    return [WorkResult(document_id=it.document_id, version=it.version, detector_version=version,
                       spans=tuple(detected[it.document_id]) if it.scan else None,
                       proposal=proposals.get(it.document_id)) for it in items]


def _detect_all(detector: Any, texts: list[str], batch_size: int) -> list[list[Span]]:
    """``detect_many`` (batched: the neural tagger's speed), or ``detect`` one by one for a
    detector that has only that (a rules-only or a stand-in detector)."""
    if hasattr(detector, "detect_many"):
        return detector.detect_many(texts, batch_size=batch_size)
    return [detector.detect(t) for t in texts]


def _propose_all(proposer: Any, texts: list[str], spans: list[list[Span]], metas: list[dict]) -> list[Any]:
    """``propose_many`` (vectorised features), or ``propose`` one by one where that is all there is."""
    if hasattr(proposer, "propose_many"):
        return proposer.propose_many(texts, spans, metas)
    return [proposer.propose(t, sp, m) for t, sp, m in zip(texts, spans, metas)]


# --------------------------------------------------------------------------- 3. write


def write(session: Session, results: Sequence[WorkResult], *, actor: str, replace: bool,
          strict: bool = False) -> Counts:
    """Store a batch's spans, proposals and audit events in ONE transaction, and commit.

    A document whose version is no longer the planned one is skipped (``changed``: a duplicate
    of a batch already written, or a reviewer's change meanwhile), or with ``strict`` refused
    (``ConflictError``, nothing of the batch written: the app's rescan answers 409). A race
    that slips past the check is caught by the conditional version bump (``ConflictError``,
    the transaction rolled back); ``run_batches`` plans such a batch again.
    """
    counts = Counts()
    try:
        current = dict(session.exec(select(Document.id, Document.version)
                                    .where(Document.id.in_([r.document_id for r in results]))).all())
        for r in results:
            if current.get(r.document_id) != r.version:
                if strict:
                    raise review.ConflictError("err.stale", document=r.document_id, seen=r.version,
                                               now=current.get(r.document_id))
                counts.changed += 1
                continue
            version: int | None = r.version  # the first change of a document checks the planned version
            if r.spans is not None:
                rows = review.stage_detection(session=session, document_id=r.document_id, spans=r.spans,
                                              model_version=str(r.detector_version), actor=actor,
                                              replace=replace, version=version)
                version = None
                counts.detector = str(r.detector_version)
                counts.scanned += 1
                counts.spans += len(rows)
            if r.proposal is not None:
                if version is not None:  # proposal alone: the same check as the detection's
                    _check_version(session, r.document_id, version)
                review.stage_proposal(session=session, document_id=r.document_id, result=r.proposal, actor=actor)
                counts.proposed += 1
                counts.proposed_ids.append(r.document_id)
                d = str(_field_of(r.proposal, "decision"))
                counts.proposer = str(_field_of(r.proposal, "model_version"))
                counts.decisions[d] = counts.decisions.get(d, 0) + 1
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return counts


def _field_of(result: Any, name: str) -> Any:
    """A field of a ProposalResult, or of a dict with its fields (what ``review.propose`` takes)."""
    return result.get(name) if isinstance(result, dict) else getattr(result, name, None)


def _check_version(session: Session, document_id: int, version: int) -> None:
    now = session.exec(select(Document.version).where(Document.id == document_id)).one()
    if now != version:
        raise review.ConflictError("err.stale", document=document_id, seen=version, now=now)


# --------------------------------------------------------------------------- runs


def process(session: Session, document_ids: Sequence[int], *, detector: Any, proposer: Any | None,
            options: Options, actor: str, strict: bool = False,
            batch_size: int = DEFAULT_BATCH_SIZE) -> Counts:
    """Plan, compute and write one batch in this process (the local engine and the app's rescan)."""
    items, counts = plan(session, document_ids, options)
    if items:
        results = compute(items, detector=detector, proposer=proposer, batch_size=batch_size)
        counts.add(write(session, results, actor=actor, replace=options.rescan, strict=strict))
    return counts


def next_ids(session: Session, *, collection_id: int, after: int, limit: int) -> list[int]:
    """The collection's next document ids after ``after``, by keyset (``id > after``): no OFFSET
    and no list of every document in memory, so a collection of millions is read in constant
    memory and each batch is one index range scan."""
    return list(session.exec(select(Document.id).where(Document.collection_id == collection_id, Document.id > after)
                             .order_by(Document.id).limit(limit)))


def run_local(engine, *, collection_id: int, detector: Any, proposer: Any | None, options: Options, actor: str,
              batch_size: int = DEFAULT_BATCH_SIZE, progress: Any = None, max_attempts: int = 3) -> Counts:
    """Every document of a collection, batch by batch, in this process: one short session per
    batch (reading the ids, planning, writing), so no read transaction stays open for a run."""
    total, after = Counts(), 0
    while True:
        with Session(engine, expire_on_commit=False) as s:
            ids = next_ids(s, collection_id=collection_id, after=after, limit=batch_size)
        if not ids:
            return total
        for attempt in range(max_attempts):
            try:
                with Session(engine, expire_on_commit=False) as s:
                    total.add(process(s, ids, detector=detector, proposer=proposer, options=options,
                                      actor=actor, batch_size=batch_size))
                break
            except review.ConflictError:  # a reviewer saved between our check and our write: plan again
                if attempt == max_attempts - 1:
                    raise
        if progress is not None:
            progress.update(len(ids))
        after = ids[-1]
