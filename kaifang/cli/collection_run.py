"""The options ``kaifang scan --collection`` and ``kaifang propose`` share, and the run they start:
both are ``review_app.pipeline_service`` over a collection, with the local or the Ray engine."""
from __future__ import annotations

from typing import Any, Optional

import typer

from kaifang.cli.common import engine, fail

ENGINE_HELP = "local: this process (default); ray: Ray actors that load the model once each"
ADDRESS_HELP = ("with --engine ray: the cluster to join (ray://HEAD:10001, or auto for the cluster this node "
                "belongs to); default: a local Ray on this machine")
WORKERS_HELP = "with --engine ray: how many actors (each takes one CPU and holds one copy of the model)"
BATCH_HELP = "documents per batch (one transaction per batch)"


def engine_option() -> Any:
    return typer.Option("local", "--engine", help=ENGINE_HELP)


def address_option() -> Any:
    return typer.Option(None, "--address", help=ADDRESS_HELP)


def workers_option() -> Any:
    return typer.Option(1, "--workers", min=1, help=WORKERS_HELP)


def batch_option() -> Any:
    return typer.Option(32, "--batch-size", min=1, max=10_000, help=BATCH_HELP)


def run_over_collection(name: str, *, spec, options, actor: str, engine_name: str, address: Optional[str],
                        workers: int, batch_size: int, eng=None, detector: Any = None, proposer: Any = None):
    """(counts, collection id): the pipeline over the named collection; a clear error for an unknown
    collection, engine or worker count, and for Ray missing or unreachable."""
    from review_app.db import session_scope
    from review_app.scale import ENGINES, run_collection
    from review_app.store.documents import get_collection

    if engine_name not in ENGINES:
        fail(f"--engine is one of {', '.join(ENGINES)}, not {engine_name!r}")
    if engine_name == "local" and (address is not None or workers != 1):
        fail("--address and --workers go with --engine ray")
    eng = eng if eng is not None else engine()
    with session_scope(eng) as session:
        coll = get_collection(session=session, name=name)
        if coll is None:
            raise LookupError(f"no collection named {name!r} (ingest it first: kaifang ingest)")
        coll_id = coll.id
    try:
        counts = run_collection(eng, collection_id=coll_id, spec=spec, options=options, actor=actor,
                                engine_name=engine_name, address=address, workers=workers, batch_size=batch_size,
                                detector=detector, proposer=proposer)
    except (RuntimeError, ConnectionError) as exc:
        fail(str(exc))
    return counts, coll_id
