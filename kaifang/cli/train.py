"""``kaifang train``: retrain from confirmed reviews, in the foreground or as a background job."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json, settings


def _job_dict(job) -> dict:
    return {"job": job.id, "status": job.status, "progress": round(job.progress, 3), "message": job.message,
            "candidate": job.candidate, "promoted": job.promoted, "pid": job.pid, "worker": job.worker,
            "heartbeat_at": job.heartbeat_at.isoformat() if job.heartbeat_at else None}


class ProgressBar:
    """A progress bar on stderr for a training job (fractions 0..1 and a message per step)."""

    def __init__(self) -> None:
        from tqdm import tqdm

        self.bar = tqdm(total=1000, unit="‰", desc="train", file=sys.stderr, mininterval=0.5,
                        bar_format="{desc} {percentage:3.0f}%|{bar:30}| {elapsed} {postfix}")

    def __call__(self, fraction: float, message: str) -> None:
        target = int(round(max(0.0, min(1.0, fraction)) * 1000))
        if target > self.bar.n:
            self.bar.update(target - self.bar.n)
        self.bar.set_postfix_str(message[:90], refresh=True)

    def close(self) -> None:
        self.bar.close()


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train(
        background: bool = typer.Option(False, "--background", help="start a worker process and return at once"),
        wait: bool = typer.Option(False, "--wait", help="with --background: follow the job until it ends"),
        config: Optional[Path] = typer.Option(None, "--config", help="TOML overriding training/retrain.toml sections"),
        actor: str = typer.Option("admin", "--actor", help="who starts the training (audit log)"),
        status: bool = typer.Option(False, "--status", help="show recent training jobs and exit"),
    ) -> None:
        """Retrain the NER and decision model from confirmed reviews; promote only if no worse."""
        from review_app.db import session_scope
        from review_app.store import model_registry as registry
        from training import jobs

        if config is not None and not config.is_file():
            fail(f"config file not found: {config}")
        if wait and not background:
            fail("--wait only makes sense with --background (the foreground run already waits)")
        s = settings()
        eng = engine(s)
        if status:
            with session_scope(eng) as sess:
                registry.reap_dead_jobs(session=sess)
                for job in registry.list_jobs(session=sess):
                    print_json(_job_dict(job))
            return
        try:
            if background:
                job = jobs.start_background(engine=eng, database_url=s.db_url, models_root=s.models_root,
                                            actor=actor, config_path=str(config) if config else None,
                                            log_dir=s.home / "logs")
                print_json(_job_dict(job))
                if wait:
                    bar = ProgressBar()
                    try:
                        job = jobs.wait_for(eng, job.id, on_progress=lambda j: bar(j.progress, j.message))
                    finally:
                        bar.close()
                    print_json(_job_dict(job))
                    if job.status != "succeeded":
                        raise typer.Exit(1)
                return
            with session_scope(eng) as sess:
                job = registry.create_job(session=sess, started_by=actor)
            bar = ProgressBar()
            try:
                job = jobs.run_job(engine=eng, job_id=job.id, models_root=s.models_root,
                                   config_path=str(config) if config else None, actor=actor, on_progress=bar)
            finally:
                bar.close()
        except registry.RegistryError as exc:
            fail(str(exc))
        print_json(_job_dict(job))
        if job.status != "succeeded":
            raise typer.Exit(1)
