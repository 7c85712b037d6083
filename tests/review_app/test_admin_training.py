"""Retraining from the admin page, and a promoted model served without a restart.

The app never imports ``training``: the composition root (``kaifang.cli.serve.build_app``) injects
``start_training``. Here a stand-in creates the job through the real registry store (so the audit
event is the real one) without starting a worker process.
"""
from __future__ import annotations

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from review_app.store import model_registry as registry
from review_app.tables import AuditEvent, TrainingJob
from app_helpers import ROLES, login


def _with_training(app, engine):
    started = []

    def start_training(actor: str):
        with Session(engine, expire_on_commit=False) as s:
            job = registry.create_job(session=s, started_by=actor)
        started.append(actor)
        return job

    app.state.start_training = start_training
    return started


def test_admin_starts_retraining_and_sees_progress(app_env):
    app, engine, _ = app_env
    started = _with_training(app, engine)
    admin, csrf = login(app, "admin1")
    page = admin.get("/admin").text
    assert 'id="start-training"' in page and "尚无训练任务" in page
    r = admin.post("/admin/training", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/admin#training"
    assert started == ["admin1"]
    with Session(engine) as s:
        job = s.exec(select(TrainingJob)).one()
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "training.start")).one()
    assert job.status == "queued" and job.started_by == "admin1"
    assert ev.actor == "admin1" and ev.subject == f"training:{job.id}"
    # the job table polls itself while a job is queued or running
    part = admin.get("/admin/training").text
    assert f'data-job="{job.id}"' in part and 'hx-trigger="every 2s"' in part and "queued" in part
    # progress reported by the worker shows up on the next poll
    with Session(engine) as s:
        registry.set_job_running(session=s, job_id=job.id, pid=0)
        registry.update_job_progress(session=s, job_id=job.id, progress=0.4, message="training the NER model")
    part = admin.get("/admin/training").text
    assert "training the NER model" in part and 'value="0.400"' in part
    # one job at a time: a second start is refused with the reason, nothing new is queued
    r = admin.post("/admin/training", data={"csrf_token": csrf})
    assert r.status_code == 409 and "already running" in r.text
    with Session(engine) as s:
        registry.finish_job(session=s, job_id=job.id, status="failed", message="ValueError: no data")
    part = admin.get("/admin/training").text
    assert "ValueError: no data" in part and "every 2s" not in part  # polling stops when nothing runs
    with Session(engine) as s:
        assert len(s.exec(select(TrainingJob)).all()) == 1


def test_start_training_needs_admin_and_csrf(app_env):
    app, engine, _ = app_env
    started = _with_training(app, engine)
    admin, csrf = login(app, "admin1")
    assert admin.post("/admin/training", data={}, follow_redirects=False).status_code == 403
    assert admin.post("/admin/training", data={"csrf_token": "forged"}, follow_redirects=False).status_code == 403
    for role in ROLES:
        if role == "admin":
            continue
        c, tok = login(app, f"{role}1")
        assert c.post("/admin/training", data={"csrf_token": tok}, follow_redirects=False).status_code == 403
        assert c.get("/admin/training").status_code == 403
    anon = TestClient(app)
    tok = anon.get("/api/me").json()["csrf"]
    assert anon.post("/admin/training", data={"csrf_token": tok}, headers={"accept": "application/json"},
                     follow_redirects=False).status_code == 401
    r = anon.get("/admin/training", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")
    assert started == []
    with Session(engine) as s:
        assert s.exec(select(TrainingJob)).all() == []
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "training.start")).all() == []


def test_without_training_the_page_says_so(app_env):
    app, engine, _ = app_env
    assert app.state.start_training is None  # create_app alone: no training package wired in
    admin, csrf = login(app, "admin1")
    page = admin.get("/admin").text
    assert "此部署不支持重新训练" in page and 'id="start-training"' not in page
    r = admin.post("/admin/training", data={"csrf_token": csrf})
    assert r.status_code == 503 and "此部署不支持重新训练" in r.text


class _FakeDetector:
    def __init__(self, version):
        self.version = version

    def detect(self, text):
        from models.spans import Span

        i = text.index("林碧军")
        return [Span(i, i + 3, "PERSON", 0.9, f"fake:{self.version}")]


class _FakeProposer:
    def __init__(self, version):
        self.version = version

    def propose(self, text, spans, meta):
        return {"decision": "OPEN_REDACTED", "reasons": ["PERSONAL_INFO"], "confidence": 0.7,
                "probabilities": {"OPEN": 0.2, "OPEN_REDACTED": 0.7, "CLOSED": 0.1},
                "model_version": self.version, "rulebook_version": "rb", "fired_rules": [], "evidence": []}


def test_a_promoted_model_is_served_without_a_restart(app_env, tmp_path, monkeypatch):
    """The model service asks the registry on each use and reloads when the current version changed."""
    from review_app.model_service import ModelService

    app, engine, ids = app_env
    loads = []

    def fake_load(path):
        name = "default" if path is None else path.rsplit("/", 1)[-1]
        loads.append(name)
        return name

    monkeypatch.setattr(ModelService, "_load_detector", staticmethod(lambda p: _FakeDetector(fake_load(p))))
    monkeypatch.setattr(ModelService, "_load_proposer", staticmethod(lambda p: _FakeProposer(p and p.rsplit("/", 1)[-1] or "default")))
    rev, csrf = login(app, "reviewer1")

    def rescan(doc_id):
        v = rev.get(f"/api/documents/{doc_id}").json()["document"]["version"]
        r = rev.post(f"/api/documents/{doc_id}/rescan", json={"version": v}, headers={"X-CSRF-Token": csrf})
        assert r.status_code == 200, r.text
        return r.json()

    assert rescan(ids[0])["model_version"] == "default"
    for name in ("v-one", "v-two"):
        (tmp_path / name).mkdir()
    with Session(engine) as s:
        registry.register_version(session=s, name="v-one", path=str(tmp_path / "v-one"), actor="admin1")
        registry.promote(session=s, name="v-one", actor="admin1")
    assert rescan(ids[1])["model_version"] == "v-one"
    assert rev.get("/api/models").json()["loaded"] == "v-one"
    assert rescan(ids[2])["model_version"] == "v-one"  # loaded once, reused
    with Session(engine) as s:
        registry.register_version(session=s, name="v-two", path=str(tmp_path / "v-two"), actor="admin1")
        registry.promote(session=s, name="v-two", actor="admin1")
    assert rescan(ids[0])["detector"] == "v-two"
    assert loads == ["default", "v-one", "v-two"]


def _snapshot(engine) -> dict:
    """Every table's rows except the session bookkeeping (a GET may refresh a session's last_seen)."""
    from sqlalchemy import text

    out = {}
    with engine.connect() as c:
        for (name,) in c.execute(text("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")):
            if name not in ("user_session", "alembic_version"):
                out[name] = c.execute(text(f'SELECT * FROM "{name}" ORDER BY 1')).all()
    return out


def test_a_job_on_another_host_is_not_killed_by_a_page_view(app_env):
    """The probe: ``reap_dead_jobs`` judged a job by a local pid, so the first page view killed a job
    running on another host. Now liveness is the heartbeat, and no GET page writes anything."""
    from datetime import datetime, timedelta, timezone

    app, engine, _ = app_env
    _with_training(app, engine)
    with Session(engine, expire_on_commit=False) as s:
        job = registry.create_job(session=s, started_by="admin1")
        registry.set_job_running(session=s, job_id=job.id, pid=2 ** 22 + 12345)  # no such process here
        j = s.get(TrainingJob, job.id)
        j.worker = "gpu-node-7:4242"
        s.add(j)
        s.commit()
    admin, csrf = login(app, "admin1")
    before = _snapshot(engine)
    for path in ("/admin", "/admin/training", "/queue", "/committee", "/audit", "/audit/verify", "/api/models",
                 "/api/audit", "/api/audit/verify", "/api/users", "/api/queue", "/api/me"):
        assert admin.get(path).status_code == 200, path
    assert _snapshot(engine) == before  # nothing written by any GET
    with Session(engine) as s:
        assert s.get(TrainingJob, job.id).status == "running"
    # the worker stops beating: pages show the job as lost, still without writing
    with Session(engine) as s:
        j = s.get(TrainingJob, job.id)
        j.heartbeat_at = datetime.now(timezone.utc) - timedelta(seconds=j.lease_seconds + 5)
        s.add(j)
        s.commit()
    before = _snapshot(engine)
    part = admin.get("/admin/training").text
    assert "lost" in part and "gpu-node-7:4242" in part and "every 2s" not in part
    assert _snapshot(engine) == before
    # starting a new job (a POST) gives the lost one up, on the record, and queues the new one
    r = admin.post("/admin/training", data={"csrf_token": csrf}, follow_redirects=False)
    assert r.status_code == 303
    with Session(engine) as s:
        assert s.get(TrainingJob, job.id).status == "killed"
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "training.killed")).one()
        assert "no heartbeat" in ev.payload and "gpu-node-7:4242" in ev.payload
