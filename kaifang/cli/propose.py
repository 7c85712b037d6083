"""``kaifang propose --collection NAME``: scan (where not yet scanned) and propose decisions."""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.collection_run import address_option, batch_option, engine_option, workers_option
from kaifang.cli.common import engine, fail, print_json, settings


def model_spec(eng, s, model: Optional[Path]):
    """Which models to run, as a ``ModelSpec`` a Ray actor can load too: ``--model`` if given, else
    the registry's current version, else the default shipped in the repo (the app's choice)."""
    from review_app.model_service import ModelService
    from review_app.scale import ModelSpec

    if model is not None:
        if not model.is_dir():
            fail(f"--model {model}: not a model-version directory")
        return ModelSpec(path=str(model))
    _, path = ModelService(settings=s, engine=eng).current_version()
    return ModelSpec(path=path)


def load_models(eng, s, model: Optional[Path]):
    """(detector, proposer) of ``model_spec``, loaded here; a model that cannot load is a clean error."""
    try:
        return model_spec(eng, s, model).load()
    except (FileNotFoundError, ValueError) as exc:
        fail(f"cannot load the models: {exc}")


def run_propose(*, eng, collection: str, detector=None, proposer=None, actor: str = "system",
                repropose: bool = False, batch_size: int = 32, spec=None, engine_name: str = "local",
                address: Optional[str] = None, workers: int = 1) -> dict:
    """Scan the collection's unscanned documents, then propose for those without a current proposal
    (all of them with ``repropose``), through ``review_app.pipeline_service``; then the active-
    learning scores. Idempotent: a second run does nothing new. The local engine runs ``detector``
    and ``proposer``; the Ray engine loads ``spec`` in each actor."""
    from kaifang.cli.collection_run import run_over_collection
    from review_app.db import session_scope
    from review_app.pipeline_service import Options

    c, coll_id = run_over_collection(collection, spec=spec, options=Options(scan=True, propose=True,
                                                                             repropose=repropose),
                                     actor=actor, engine_name=engine_name, address=address, workers=workers,
                                     batch_size=batch_size, eng=eng, detector=detector, proposer=proposer)
    counts = {"collection": collection, "documents": c.documents, "scanned": c.scanned, "proposed": c.proposed,
              "skipped": c.skipped, "decisions": c.decisions,
              "detector": str(detector.version) if detector is not None else c.detector,
              "proposer": str(proposer.version) if proposer is not None else c.proposer}
    with session_scope(eng) as session:
        counts["scored"] = rescore_collection(session, collection_id=coll_id, actor=actor, proposed=c.proposed_ids)
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
        engine_name: str = engine_option(),
        address: Optional[str] = address_option(),
        workers: int = workers_option(),
        batch_size: int = batch_option(),
    ) -> None:
        """Detect sensitive spans (documents not scanned yet) and propose OPEN / OPEN_REDACTED / CLOSED
        with reasons, confidence and evidence; each proposal is an audit event with its model version.
        Prints one JSON object with the counts."""
        s = settings()
        eng = engine(s)
        spec = model_spec(eng, s, model)
        # the local engine loads here (a model that cannot load is a clean error); Ray actors load their own
        detector, proposer = load_models(eng, s, model) if engine_name == "local" else (None, None)
        try:
            counts = run_propose(eng=eng, collection=collection, detector=detector, proposer=proposer, actor=actor,
                                 repropose=repropose, spec=spec, engine_name=engine_name, address=address,
                                 workers=workers, batch_size=batch_size)
        except LookupError as exc:
            fail(str(exc))
        print_json(counts)
