"""The model registry: exactly one current version, atomic audited promotion, rollback, jobs."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import datetime, timedelta, timezone

import pytest
from sqlmodel import select

from review_app import audit
from review_app.db import session_scope
from review_app.store import model_registry as reg
from review_app.tables import AuditEvent, ModelVersion


def _dir(tmp_path, name):
    d = tmp_path / name
    d.mkdir()
    (d / "manifest.json").write_text(json.dumps({"version": name}), encoding="utf-8")
    return str(d)


def _currents(s):
    return [m.name for m in s.exec(select(ModelVersion).where(ModelVersion.status == "current"))]


def test_register_promote_rollback_keep_one_current(engine, tmp_path):
    with session_scope(engine) as s:
        reg.register_version(session=s, name="base", path=_dir(tmp_path, "base"), actor="admin", status="current")
        reg.register_version(session=s, name="v2", path=_dir(tmp_path, "v2"), actor="trainer", parent="base",
                             metrics={"sensitive_recall": 0.9, "spans": {"micro": {"f1": 0.8}}})
        assert _currents(s) == ["base"]
        reg.promote(session=s, name="v2", actor="admin", reason="better F1")
        assert _currents(s) == ["v2"]
        assert reg.get_version(session=s, name="base").status == "retired"
        # promoting the current version again is a no-op, not a second event
        n_events = len(s.exec(select(AuditEvent)).all())
        reg.promote(session=s, name="v2", actor="admin")
        assert len(s.exec(select(AuditEvent)).all()) == n_events
        back = reg.rollback(session=s, actor="admin", reason="regression seen in review")
        assert back.name == "base" and _currents(s) == ["base"]
        assert reg.get_version(session=s, name="v2").status == "rejected"
        with pytest.raises(reg.RegistryError, match="no earlier promoted version"):
            reg.rollback(session=s, actor="admin")
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.seq))]
        assert actions == ["model.register", "model.register", "model.promote", "model.rollback"]
        promote_ev = s.exec(select(AuditEvent).where(AuditEvent.action == "model.promote")).one()
        payload = json.loads(promote_ev.payload)
        assert payload["previous"] == "base" and payload["metrics"]["sensitive_recall"] == "0.900000"
        assert audit.verify(session=s) is None


def test_registry_refuses_bad_requests(engine, tmp_path):
    with session_scope(engine) as s:
        with pytest.raises(reg.RegistryError, match="does not exist"):
            reg.register_version(session=s, name="ghost", path=str(tmp_path / "nope"), actor="a")
        reg.register_version(session=s, name="a", path=_dir(tmp_path, "a"), actor="a", status="current")
        with pytest.raises(reg.RegistryError, match="already registered"):
            reg.register_version(session=s, name="a", path=_dir(tmp_path, "a2"), actor="a")
        with pytest.raises(reg.RegistryError, match="already a current"):
            reg.register_version(session=s, name="b", path=_dir(tmp_path, "b"), actor="a", status="current")
        with pytest.raises(reg.RegistryError, match="unknown model version"):
            reg.promote(session=s, name="zzz", actor="a")
        reg.register_version(session=s, name="c", path=_dir(tmp_path, "c"), actor="a")
        reg.reject(session=s, name="c", actor="trainer", reason="leak rate up")
        assert reg.get_version(session=s, name="c").status == "rejected"
        assert _currents(s) == ["a"]


def test_promotion_is_atomic_when_the_audit_append_fails(engine, tmp_path, monkeypatch):
    with session_scope(engine) as s:
        reg.register_version(session=s, name="old", path=_dir(tmp_path, "old"), actor="a", status="current")
        reg.register_version(session=s, name="new", path=_dir(tmp_path, "new"), actor="a")

    def boom(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(reg.audit, "append", boom)
    with session_scope(engine) as s:
        with pytest.raises(RuntimeError):
            reg.promote(session=s, name="new", actor="a")
    with session_scope(engine) as s:
        assert _currents(s) == ["old"]
        assert reg.get_version(session=s, name="new").status == "candidate"


def test_jobs_one_at_a_time_and_dead_ones_reaped(engine):
    with session_scope(engine) as s:
        job = reg.create_job(session=s, started_by="admin")
        with pytest.raises(reg.RegistryError, match="already queued"):
            reg.create_job(session=s, started_by="admin")
        proc = subprocess.Popen([sys.executable, "-c", "pass"])
        proc.wait()
        reg.set_job_running(session=s, job_id=job.id, pid=proc.pid)
        reg.update_job_progress(session=s, job_id=job.id, progress=0.4, message="training ner")
        assert reg.get_job(session=s, job_id=job.id).progress == pytest.approx(0.4)
        # a pid that is not alive here says nothing (the worker may run on another host): the
        # heartbeat is fresh, so the job stands ...
        assert reg.reap_dead_jobs(session=s) == []
        # ... until it misses its lease
        j = reg.get_job(session=s, job_id=job.id)
        j.heartbeat_at = datetime.now(timezone.utc) - timedelta(seconds=j.lease_seconds + 1)
        s.add(j)
        s.commit()
        assert reg.reap_dead_jobs(session=s) == [job.id]
        done = reg.get_job(session=s, job_id=job.id)
        assert done.status == "killed" and done.finished_at is not None
        with pytest.raises(reg.RegistryError, match="already ended"):
            reg.update_job_progress(session=s, job_id=job.id, progress=0.5, message="late")
        job2 = reg.create_job(session=s, started_by="admin")
        reg.set_job_running(session=s, job_id=job2.id, pid=os.getpid())
        assert reg.reap_dead_jobs(session=s) == []
        reg.finish_job(session=s, job_id=job2.id, status="succeeded", message="ok", candidate="v9", promoted=True)
        actions = [e.action for e in s.exec(select(AuditEvent).order_by(AuditEvent.seq))]
        assert actions == ["training.start", "training.killed", "training.start", "training.succeeded"]


def test_models_and_train_cli(tmp_path, monkeypatch):
    """`kaifang models list|promote|rollback` and `kaifang train --status` on a fresh home."""
    from typer.testing import CliRunner

    from kaifang.cli import app
    from review_app.db import make_engine, upgrade

    home = tmp_path / "home"
    monkeypatch.setenv("KAIFANG_HOME", str(home))
    monkeypatch.delenv("KAIFANG_DATABASE_URL", raising=False)
    runner = CliRunner()
    out = runner.invoke(app, ["models", "list"])
    assert out.exit_code == 0 and out.stdout == ""  # nothing registered: the hint goes to stderr
    eng = make_engine(f"sqlite:///{(home / 'kaifang.db').resolve()}")
    upgrade(eng)
    with session_scope(eng) as s:
        reg.register_version(session=s, name="base", path=_dir(tmp_path, "base"), actor="a", status="current")
        reg.register_version(session=s, name="v2", path=_dir(tmp_path, "v2"), actor="trainer", parent="base")
    out = runner.invoke(app, ["models", "promote", "v2", "--actor", "chief"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["status"] == "current"
    rows = [json.loads(line) for line in runner.invoke(app, ["models", "list"]).stdout.splitlines()]
    assert {r["name"]: r["status"] for r in rows} == {"v2": "current", "base": "retired"}
    out = runner.invoke(app, ["models", "rollback"])
    assert out.exit_code == 0 and json.loads(out.stdout)["name"] == "base"
    out = runner.invoke(app, ["models", "promote", "nope"])
    assert out.exit_code == 2 and "unknown model version" in out.output
    out = runner.invoke(app, ["train", "--wait"])
    assert out.exit_code == 2 and "--background" in out.output
    out = runner.invoke(app, ["train", "--status"])
    assert out.exit_code == 0 and out.stdout == ""
    with session_scope(eng) as s:
        actors = [e.actor for e in s.exec(select(AuditEvent).where(AuditEvent.action == "model.promote"))]
    assert actors == ["chief"]
    eng.dispose()


def test_the_worker_heartbeat_keeps_a_job_alive(sqlite_engine):
    import time

    from sqlmodel import Session

    from review_app.tables import TrainingJob
    from training.jobs import Heartbeat

    registry = reg
    with Session(sqlite_engine, expire_on_commit=False) as s:
        job = registry.create_job(session=s, started_by="admin", lease_seconds=4)
        registry.set_job_running(session=s, job_id=job.id, pid=1)
        first = s.get(TrainingJob, job.id).heartbeat_at
    with Heartbeat(sqlite_engine, job.id, interval=0.5):
        time.sleep(1.3)
    with Session(sqlite_engine) as s:
        j = s.get(TrainingJob, job.id)
        assert j.heartbeat_at > first and not registry.job_is_lost(j)
        assert registry.reap_dead_jobs(session=s) == []
        registry.finish_job(session=s, job_id=job.id, status="succeeded", message="ok")
        assert registry.heartbeat(session=s, job_id=job.id) is False  # an ended job tells its worker to stop
