"""Retraining as a background job: a separate process, progress in the ``trainingjob`` table.

Training never runs inside a web request or holds the CLI hostage: ``start_background`` records a
queued job, starts ``python -m training.jobs --job-id N`` in its own session (it outlives the
caller), and returns. The worker reports progress through the registry store; reviewers keep
working meanwhile because nothing is locked until the final one-transaction promotion.

Failure modes and what they leave behind:
* an exception: the job ends ``failed`` with the message; the temp dir is removed;
* SIGTERM/SIGINT: the job ends ``killed``; the temp dir is removed;
* SIGKILL, a power cut or a lost host: nothing can run, and the heartbeat stops. The worker
  beats every quarter of the job's lease (a thread, ``Heartbeat``); once a lease passes without
  one, ``reap_dead_jobs`` (called before every new job, by ``kaifang train --status`` and while
  ``--wait`` follows the job) marks the job ``killed``, and the next run deletes the temp dir.
  Nothing depends on the worker's pid, so a worker on another host is judged the same way.
In every case the registry's current version and its directory are untouched.
"""
from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys
import threading
import time
import traceback
from pathlib import Path
from typing import Callable

from sqlalchemy.engine import Engine

from review_app.db import session_scope
from review_app.store import model_registry as registry
from review_app.tables import TrainingJob


def progress_writer(engine: Engine, job_id: int) -> Callable[[float, str], None]:
    def report(fraction: float, message: str) -> None:
        with session_scope(engine) as s:
            registry.update_job_progress(session=s, job_id=job_id, progress=fraction, message=message)

    return report


class Heartbeat:
    """Beats for a job every ``interval`` seconds in a daemon thread until stopped."""

    def __init__(self, engine: Engine, job_id: int, interval: float) -> None:
        self.engine, self.job_id, self.interval = engine, job_id, max(0.5, float(interval))
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name=f"heartbeat-{job_id}", daemon=True)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                with session_scope(self.engine) as s:
                    if not registry.heartbeat(session=s, job_id=self.job_id):
                        return  # the job ended (or was given up as lost): nothing to keep alive
            except Exception:  # noqa: BLE001 - a database hiccup; the next beat may succeed
                traceback.print_exc()

    def __enter__(self) -> "Heartbeat":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=self.interval + 5)


def run_job(*, engine: Engine, job_id: int, models_root: Path, config_path: str | None, actor: str,
            on_progress: Callable[[float, str], None] | None = None) -> TrainingJob:
    """Run one queued job in this process (the worker's body; also the foreground path).

    Progress goes to the job row (the admin page polls it) and, when given, to ``on_progress``
    (the CLI's progress bar in the foreground).
    """
    from training.retrain import RetrainConfig, retrain

    with session_scope(engine) as s:
        job = registry.set_job_running(session=s, job_id=job_id, pid=os.getpid())
    status, message, candidate, promoted = "failed", "", None, False
    write = progress_writer(engine, job_id)

    def report(fraction: float, msg: str) -> None:
        write(fraction, msg)
        if on_progress is not None:
            on_progress(fraction, msg)

    with Heartbeat(engine, job_id, interval=job.lease_seconds / 4):
        try:
            cfg = RetrainConfig.load(config_path)
            result = retrain(engine=engine, models_root=models_root, cfg=cfg, actor=actor, progress=report)
            status, candidate, promoted = "succeeded", result.name, result.promoted
            message = (("promoted " if promoted else "not promoted ") + result.name + f" ({result.seconds:.0f} s): "
                       + "; ".join(result.gate.reasons))
            message += _rescore(engine, actor, report)
        except (KeyboardInterrupt, SystemExit) as exc:
            status, message = "killed", f"stopped by a signal ({type(exc).__name__}); the current model is unchanged"
        except Exception as exc:  # the job must end with a message a person can act on
            status, message = "failed", f"{type(exc).__name__}: {exc}"
            traceback.print_exc()
        finally:
            with session_scope(engine) as s:
                job = registry.finish_job(session=s, job_id=job_id, status=status, message=message,
                                          candidate=candidate, promoted=promoted, actor=actor)
    return job


def _rescore(engine: Engine, actor: str, progress: Callable[[float, str], None]) -> str:
    """Refresh the queue's active-learning scores after a run: documents settled since the last
    refresh are now reference texts (novelty), and a database proposed before scores existed gets
    them. A failure here does not undo a finished training run; it is reported in the message."""
    from training.active import refresh_scores

    try:
        progress(1.0, "rescoring the review queue (active learning)")
        with session_scope(engine) as s:
            n = refresh_scores(s, actor=actor, reason="retraining")
        return f"; rescored {n} documents"
    except Exception as exc:  # noqa: BLE001 - reported, not raised
        traceback.print_exc()
        return f"; rescoring the queue failed ({type(exc).__name__}: {exc}); run `kaifang propose` again"


def start_background(*, engine: Engine, database_url: str, models_root: Path, actor: str,
                     config_path: str | None = None, log_dir: Path | None = None,
                     env: dict[str, str] | None = None,
                     lease_seconds: int = registry.DEFAULT_LEASE_SECONDS) -> TrainingJob:
    """Queue a job and start its worker process; returns at once with the job row.

    The worker gets the launcher's audit settings (the chain's hash, the published head file),
    so its events are hashed and published like the app's.
    """
    from review_app import audit

    with session_scope(engine) as s:
        job = registry.create_job(session=s, started_by=actor, lease_seconds=lease_seconds)
    log_dir = Path(log_dir or models_root.parent / "logs")
    log_dir.mkdir(parents=True, exist_ok=True)
    log = open(log_dir / f"train-{job.id}.log", "ab")
    cmd = [sys.executable, "-m", "training.jobs", "--job-id", str(job.id), "--database-url", database_url,
           "--models-root", str(models_root), "--actor", actor]
    if config_path:
        cmd += ["--config", str(Path(config_path).resolve())]
    cfg = audit.engine_config(engine)
    if cfg.algo:
        cmd += ["--audit-hash", cfg.algo]
    if cfg.head_file:
        cmd += ["--audit-head-file", str(cfg.head_file)]
    worker_env = {**os.environ, **(env or {})}
    worker_env.setdefault("OMP_NUM_THREADS", "2")
    try:
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True, env=worker_env, cwd=str(Path(__file__).resolve().parents[1]))
    except OSError as exc:
        with session_scope(engine) as s:
            registry.finish_job(session=s, job_id=job.id, status="failed", message=f"could not start: {exc}")
        raise
    finally:
        log.close()
    with session_scope(engine) as s:
        return registry.set_job_pid(session=s, job_id=job.id, pid=proc.pid)


def wait_for(engine: Engine, job_id: int, *, timeout: float | None = None, poll: float = 0.5,
             on_progress: Callable[[TrainingJob], None] | None = None) -> TrainingJob:
    """Poll until the job ends (reaping it if its process died), or raise TimeoutError."""
    deadline = None if timeout is None else time.monotonic() + timeout
    last = None
    while True:
        with session_scope(engine) as s:
            registry.reap_dead_jobs(session=s)
            job = registry.get_job(session=s, job_id=job_id)
        if job is None:
            raise ValueError(f"unknown training job {job_id}")
        if on_progress and (job.progress, job.message) != last:
            on_progress(job)
            last = (job.progress, job.message)
        if job.status in registry.JOB_FINAL:
            return job
        if deadline is not None and time.monotonic() > deadline:
            raise TimeoutError(f"training job {job_id} still {job.status} after {timeout} s")
        time.sleep(poll)


def _terminate(signum, frame):  # pragma: no cover - exercised through the subprocess tests
    raise SystemExit(128 + signum)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Kaifang retraining worker (started by `kaifang train --background`)")
    parser.add_argument("--job-id", type=int, required=True)
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--models-root", required=True)
    parser.add_argument("--actor", required=True)
    parser.add_argument("--config")
    parser.add_argument("--audit-hash", choices=("sha256", "sm3"))
    parser.add_argument("--audit-head-file")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    from review_app import audit
    from review_app.db import make_engine

    engine = audit.configure(make_engine(args.database_url), algo=args.audit_hash, head_file=args.audit_head_file)
    job = run_job(engine=engine, job_id=args.job_id, models_root=Path(args.models_root),
                  config_path=args.config, actor=args.actor)
    print(f"training job {job.id}: {job.status}: {job.message}", flush=True)
    return 0 if job.status == "succeeded" else 1


if __name__ == "__main__":
    sys.exit(main())
