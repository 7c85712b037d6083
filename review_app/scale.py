"""Engines that run ``pipeline_service`` over a whole collection: ``local`` (this process) and ``ray``.

The Ray engine keeps the store where it is and moves only the model work out: the driver (the
``kaifang`` process) reads document ids in keyset batches, plans each batch (``plan``: texts,
metadata, confirmed spans), hands it to one of N Ray actors, and writes each answer through
``pipeline_service.write`` (one transaction per batch). The actors load the detector and the
proposer once, hold them for the run, and never touch the database, so they can run on any node
of a cluster that has the code and the model directory.

Failures: an actor that dies (its process killed, its node lost) fails the calls it held; the
driver starts a fresh actor and sends it the same batch again. A batch is written only by the
driver and only where each document still has the version it was planned at, so a document is
scanned exactly once however often its batch was computed.
"""
from __future__ import annotations

import sys
from collections import deque
from dataclasses import dataclass
from typing import Any, Callable

from sqlmodel import Session

from review_app import pipeline_service as ps
from review_app.store import review

ENGINES: tuple[str, ...] = ("local", "ray")


@dataclass(frozen=True)
class ModelSpec:
    """How a worker loads the models: picklable (it travels to Ray actors), and the same choice
    the local engine makes. ``path`` None: the default model (``KAIFANG_DEFAULT_MODEL`` or the one
    shipped in the repo); ``rules_only``: the shipped rules alone (scan only)."""

    path: str | None = None
    rules_only: bool = False
    proposer: bool = True

    def load(self) -> tuple[Any, Any | None]:
        from models.evaluation import load_detector, load_proposer

        detector, _ = load_detector(self.path, rules_only=self.rules_only)
        proposer = load_proposer(self.path)[0] if self.proposer else None
        return detector, proposer


class Worker:
    """The models of one worker, loaded once; ``compute`` is ``pipeline_service.compute``.

    ``loader`` (optional) replaces ``spec.load`` (tests load stand-in models through it)."""

    def __init__(self, spec: ModelSpec, batch_size: int = ps.DEFAULT_BATCH_SIZE,
                 loader: Callable[[ModelSpec], tuple[Any, Any]] | None = None) -> None:
        self.detector, self.proposer = (loader or ModelSpec.load)(spec)
        self.batch_size = batch_size

    def compute(self, items: list[ps.WorkItem]) -> list[ps.WorkResult]:
        return ps.compute(items, detector=self.detector, proposer=self.proposer, batch_size=self.batch_size)

    def pid(self) -> int:
        import os

        return os.getpid()


def progress_bar(total: int, desc: str):
    """A progress bar on standard error (silent when that is not a terminal, e.g. in a pipe)."""
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="doc", file=sys.stderr, disable=None)


def run_collection(engine, *, collection_id: int, spec: ModelSpec, options: ps.Options, actor: str,
                   engine_name: str = "local", address: str | None = None, workers: int = 1,
                   batch_size: int = ps.DEFAULT_BATCH_SIZE, progress: bool = True,
                   loader: Callable[[ModelSpec], tuple[Any, Any]] | None = None,
                   detector: Any = None, proposer: Any = None) -> ps.Counts:
    """Run the pipeline over a collection with the chosen engine. The local engine uses
    ``detector``/``proposer`` when given (models the caller already loaded), else ``spec``."""
    if engine_name not in ENGINES:
        raise ValueError(f"--engine is one of {', '.join(ENGINES)}, not {engine_name!r}")
    if workers < 1:
        raise ValueError(f"--workers must be at least 1, not {workers}")
    if batch_size < 1:
        raise ValueError(f"batch size must be at least 1, not {batch_size}")
    bar = None
    if progress:
        from review_app.store.documents import count_documents

        with Session(engine) as s:  # one indexed count per run, for the bar's total
            bar = progress_bar(count_documents(session=s, collection_id=collection_id), desc=engine_name)
    try:
        if engine_name == "local":
            if detector is None:
                detector, proposer = (loader or ModelSpec.load)(spec)
            return ps.run_local(engine, collection_id=collection_id, detector=detector, proposer=proposer,
                                options=options, actor=actor, batch_size=batch_size, progress=bar)
        return run_ray(engine, collection_id=collection_id, spec=spec, options=options, actor=actor,
                       address=address, workers=workers, batch_size=batch_size, progress=bar, loader=loader)
    finally:
        if bar is not None:
            bar.close()


def connect(address: str | None = None, *, num_cpus: int | None = None) -> None:
    """Join the Ray cluster at ``address`` (``auto``: the one this node belongs to; None: start
    a local one), unless this process is connected already."""
    try:
        import ray
    except ImportError as exc:  # pragma: no cover - depends on the installation
        raise RuntimeError("--engine ray needs Ray: pip install 'kaifang[scale]'") from exc
    if not ray.is_initialized():
        ray.init(address=address, num_cpus=num_cpus if address is None else None, include_dashboard=False,
                 log_to_driver=False, configure_logging=False)


def run_ray(engine, *, collection_id: int, spec: ModelSpec, options: ps.Options, actor: str,
            address: str | None = None, workers: int = 1, batch_size: int = ps.DEFAULT_BATCH_SIZE,
            progress: Any = None, loader: Callable[[ModelSpec], tuple[Any, Any]] | None = None,
            max_attempts: int = 5, in_flight_per_worker: int = 2) -> ps.Counts:
    """The collection through ``workers`` Ray actors; the driver plans and writes (see the module).

    ``max_attempts``: how often one batch may be sent before the run gives up (a batch that kills
    every worker it meets is a bug to see, not to retry forever).
    """
    import ray
    from ray.exceptions import RayActorError

    connect(address, num_cpus=max(workers, 1))
    remote_worker = ray.remote(Worker).options(num_cpus=1, max_restarts=0, max_task_retries=0)

    def start() -> Any:
        return remote_worker.remote(spec, batch_size, loader)

    pool = [start() for _ in range(workers)]
    total = ps.Counts()
    after = 0
    exhausted = False
    # ref -> (worker index, the actor handle it went to, batch ids, attempt)
    pending: dict[Any, tuple[int, Any, list[int], int]] = {}
    retry: deque[tuple[list[int], int]] = deque()
    load = [0] * workers

    def next_batch() -> tuple[list[int], int] | None:
        nonlocal after, exhausted
        if retry:
            return retry.popleft()
        if exhausted:
            return None
        with Session(engine, expire_on_commit=False) as s:
            ids = ps.next_ids(s, collection_id=collection_id, after=after, limit=batch_size)
        if not ids:
            exhausted = True
            return None
        after = ids[-1]
        return ids, 0

    def submit(i: int) -> bool:
        while True:
            nb = next_batch()
            if nb is None:
                return False
            ids, attempt = nb
            with Session(engine, expire_on_commit=False) as s:
                items, counts = ps.plan(s, ids, options)
            if attempt == 0:  # a batch sent again was counted (documents, skipped, frozen) the first time
                total.add(counts)
            if not items:  # nothing to do in this batch: the next one
                if progress is not None and attempt == 0:
                    progress.update(len(ids))
                continue
            ref = pool[i].compute.remote(items)
            pending[ref] = (i, pool[i], ids, attempt)
            load[i] += 1
            return True

    try:
        for i in range(workers):
            for _ in range(in_flight_per_worker):
                if not submit(i):
                    break
        while pending:
            ready, _ = ray.wait(list(pending), num_returns=1)
            ref = ready[0]
            i, handle, ids, attempt = pending.pop(ref)
            load[i] -= 1
            try:
                results = ray.get(ref)
            except RayActorError:
                # the worker died with this batch (and any other it held): a fresh worker, the batch again
                if attempt + 1 >= max_attempts:
                    raise RuntimeError(f"batch of documents {ids[0]}..{ids[-1]} failed {max_attempts} times: "
                                       "every worker that took it died") from None
                if pool[i] is handle:  # (the first of its failed calls replaces it; max_restarts=0: it is gone)
                    pool[i] = start()
                retry.append((ids, attempt + 1))
                submit(i)
                continue
            written = _write(engine, results, actor=actor, replace=options.rescan)
            if written is None:  # a reviewer saved between plan and write: plan the batch again
                retry.append((ids, attempt + 1))
            else:
                total.add(written)
                if progress is not None:
                    progress.update(len(ids))
            while load[i] < in_flight_per_worker and submit(i):
                pass
    finally:
        for w in pool:
            ray.kill(w, no_restart=True)
    return total


def _write(engine, results: list[ps.WorkResult], *, actor: str, replace: bool) -> ps.Counts | None:
    try:
        with Session(engine, expire_on_commit=False) as s:
            return ps.write(s, results, actor=actor, replace=replace)
    except review.ConflictError:
        return None
