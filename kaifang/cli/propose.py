"""``kaifang propose --collection NAME``: scan (where not yet scanned) and propose decisions."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json, settings


def load_models(eng, s, model: Optional[Path]):
    """(detector, proposer): from ``--model`` if given, else the registry's current version or the
    default shipped in the repo (the same choice the app makes, via ModelService)."""
    from review_app.model_service import ModelService

    try:
        if model is not None:
            if not model.is_dir():
                fail(f"--model {model}: not a model-version directory")
            from models.decision import DecisionProposer
            from models.pipeline import Detector

            return Detector.load(model), DecisionProposer.load(model)
        svc = ModelService(settings=s, engine=eng)
        return svc.detector(), svc.proposer()
    except (FileNotFoundError, ValueError) as exc:
        fail(f"cannot load the models: {exc}")


def meta_of(doc) -> dict:
    """The catalogue metadata the proposer reads (contract keys)."""
    from review_app.model_service import model_metadata

    return model_metadata(doc)


def run_propose(*, eng, collection: str, detector, proposer, actor: str = "system",
                repropose: bool = False, batch_size: int = 32) -> dict:
    """Scan the collection's unscanned documents, then propose for those without a current proposal
    (all of them with ``repropose``). Idempotent: a second run does nothing new."""
    from models.spans import Span
    from review_app.db import session_scope
    from review_app.store import review
    from review_app.store.documents import get_collection, list_documents

    counts = {"collection": collection, "documents": 0, "scanned": 0, "proposed": 0, "skipped": 0,
              "decisions": {}, "detector": str(detector.version), "proposer": str(proposer.version)}
    with session_scope(eng) as session:
        coll = get_collection(session=session, name=collection)
        if coll is None:
            raise LookupError(f"no collection named {collection!r} (ingest it first: kaifang ingest)")
        docs = list_documents(session=session, collection_id=coll.id)
        counts["documents"] = len(docs)
        todo_scan = [d for d in docs if d.status == "new"]
        for i in range(0, len(todo_scan), batch_size):
            chunk = todo_scan[i:i + batch_size]
            for d, spans in zip(chunk, detector.detect_many([d.text for d in chunk], batch_size=batch_size)):
                review.record_detection(session=session, document_id=d.id, spans=spans,
                                        model_version=str(detector.version), actor=actor)
                counts["scanned"] += 1
        todo = [d for d in docs if repropose or review.current_proposal(session=session, document_id=d.id) is None]
        counts["skipped"] = len(docs) - len(todo)
        for i in range(0, len(todo), batch_size):
            chunk = todo[i:i + batch_size]
            spans_list = [[Span(r.start, r.end, r.label, r.score, r.source, r.explanation)
                           for r in review.active_spans(session=session, document_id=d.id)] for d in chunk]
            results = proposer.propose_many([d.text for d in chunk], spans_list, [meta_of(d) for d in chunk])
            for d, res in zip(chunk, results):
                review.propose(session=session, document_id=d.id, result=res, actor=actor)
                counts["proposed"] += 1
                counts["decisions"][res.decision] = counts["decisions"].get(res.decision, 0) + 1
        counts["scored"] = rescore_collection(session, collection_id=coll.id, actor=actor,
                                              proposed=[d.id for d in todo])
    return counts


def rescore_collection(session, *, collection_id: int, actor: str, proposed: list[int]) -> int:
    """Active-learning scores (the queue's ``active`` order) for the documents just proposed, and for
    any document of the collection still under review that has a proposal but no score yet."""
    from sqlmodel import select

    from review_app.tables import ActiveScore, Document, Proposal
    from training.active import refresh_scores

    unscored = session.exec(
        select(Document.id).join(Proposal, Proposal.document_id == Document.id)
        .outerjoin(ActiveScore, ActiveScore.document_id == Document.id)
        .where(Document.collection_id == collection_id, Document.status != "final",
               Proposal.is_current == True, ActiveScore.document_id.is_(None))).all()  # noqa: E712
    ids = sorted(set(proposed) | set(unscored))
    if not ids:
        return 0
    return refresh_scores(session, document_ids=ids, actor=actor, reason="propose")


def register(app: typer.Typer) -> None:
    @app.command("propose")
    def propose(
        collection: str = typer.Option(..., "--collection", help="the ingested collection (全宗) to propose for"),
        model: Optional[Path] = typer.Option(None, "--model", help="model-version directory (default: the "
                                             "registry's current version, else the model shipped in the repo)"),
        repropose: bool = typer.Option(False, "--repropose", help="propose again for documents that have a proposal"),
        actor: str = typer.Option("system", "--actor", help="who the audit log names"),
    ) -> None:
        """Detect sensitive spans (documents not scanned yet) and propose OPEN / OPEN_REDACTED / CLOSED
        with reasons, confidence and evidence; each proposal is an audit event with its model version.
        Prints one JSON object with the counts."""
        s = settings()
        eng = engine(s)
        detector, proposer = load_models(eng, s, model)
        try:
            counts = run_propose(eng=eng, collection=collection, detector=detector, proposer=proposer, actor=actor,
                                 repropose=repropose)
        except LookupError as exc:
            fail(str(exc))
        print_json(counts)
