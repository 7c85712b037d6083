"""``kaifang propose`` and the app's ModelService with a small real model version.

The version is built the way the training code builds one (a rules-only NER pipeline plus a
decision model trained on 60 synthetic records), so the real Detector and DecisionProposer run.
"""
from __future__ import annotations

import json
import shutil

import pytest
from sqlmodel import Session, select

from review_app.tables import AuditEvent, Document, Proposal

from review_fixtures import make_document


def test_propose_scans_and_proposes_once(sqlite_engine, model_version):
    from kaifang.cli.propose import run_propose
    from models.decision import DecisionProposer
    from models.pipeline import Detector

    with Session(sqlite_engine, expire_on_commit=False) as s:
        make_document(s, n=3)
    det, prop = Detector.load(model_version), DecisionProposer.load(model_version)
    counts = run_propose(eng=sqlite_engine, collection="测试全宗", detector=det, proposer=prop)
    assert counts["scanned"] == 3 and counts["proposed"] == 3 and sum(counts["decisions"].values()) == 3
    again = run_propose(eng=sqlite_engine, collection="测试全宗", detector=det, proposer=prop)
    assert again["scanned"] == 0 and again["proposed"] == 0 and again["skipped"] == 3
    with Session(sqlite_engine) as s:
        props = s.exec(select(Proposal)).all()
        assert len(props) == 3 and all(p.model_version == prop.version and p.rulebook_version for p in props)
        assert {d.status for d in s.exec(select(Document))} == {"proposed"}
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "propose")).first()
        assert json.loads(ev.payload)["model_version"] == prop.version
        detect = s.exec(select(AuditEvent).where(AuditEvent.action == "detect")).first()
        assert json.loads(detect.payload)["model_version"] == "test-v1"
    with pytest.raises(LookupError, match="no collection"):
        run_propose(eng=sqlite_engine, collection="nope", detector=det, proposer=prop)


def test_model_service_follows_promotion_without_restart(tmp_path, sqlite_engine, model_version):
    from models.artifacts import make_manifest, write_manifest
    from review_app.config import Settings
    from review_app.model_service import ModelService
    from review_app.store import model_registry

    v2 = tmp_path / "test-v2"
    shutil.copytree(model_version, v2)
    write_manifest(v2, make_manifest(version="test-v2", parent="test-v1"))
    with Session(sqlite_engine, expire_on_commit=False) as s:
        model_registry.register_version(session=s, name="test-v1", path=str(model_version), actor="t",
                                        status="current")
        model_registry.register_version(session=s, name="test-v2", path=str(v2), actor="t", parent="test-v1")
    svc = ModelService(settings=Settings(home=tmp_path / "home"), engine=sqlite_engine)
    assert svc.loaded_key() is None  # nothing loaded at construction
    first = svc.detector()
    assert first.version == "test-v1" and svc.detector() is first  # cached
    with Session(sqlite_engine, expire_on_commit=False) as s:
        model_registry.promote(session=s, name="test-v2", actor="admin1")
    assert svc.detector().version == "test-v2" and svc.loaded_key() == "test-v2"


def test_demo_no_serve_ingests_scans_proposes_and_prints_a_login(tmp_path, model_version):
    """The main command end to end (without serving) on a small collection with a catalogue."""
    import re

    from fastapi.testclient import TestClient
    from typer.testing import CliRunner

    from kaifang.cli import app as cli
    from review_app.config import Settings
    from review_app.db import make_engine, upgrade
    from review_app.main import create_app
    from review_app.store import model_registry

    sample = tmp_path / "sample"
    (sample / "documents").mkdir(parents=True)
    (sample / "documents" / "J099-001-0001.txt").write_text(
        "关于林碧军同志的处理意见\n林碧军，身份证号350102198703154511，联系电话13905912345。\n", encoding="utf-8")
    (sample / "documents" / "J099-001-0002.txt").write_bytes(
        "马尾区一九八七年农业生产情况统计\n全区粮食总产一万四千吨。\n".encode("gb18030"))
    (sample / "catalogue.csv").write_text(
        "全宗号,档号,题名,责任者,日期,密级\nJ099,J099-001-0001,关于林碧军同志的处理意见,福州市人事局,1987-03-15,\n"
        "J099,J099-001-0002,农业生产情况统计,马尾区统计局,1987,\n", encoding="utf-8")
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    eng = make_engine(url)
    upgrade(eng)
    with Session(eng) as s:  # the registry's current version is what the app and demo use
        model_registry.register_version(session=s, name="test-v1", path=str(model_version), actor="t",
                                        status="current")
    env = {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": url}
    r = CliRunner().invoke(cli, ["demo", "--no-serve", "--sample", str(sample)], env=env)
    assert r.exit_code == 0, r.output
    summary = json.loads(r.stdout.splitlines()[0])
    assert summary["ingested"] == 2 and summary["proposed"] == 2 and summary["collection"] == "J099"
    m = re.search(r"Sign in as: (\S+)\s+password: (\S+)", r.stdout)
    assert m and m.group(1) == "admin"
    again = CliRunner().invoke(cli, ["demo", "--no-serve", "--sample", str(sample)], env=env)
    assert again.exit_code == 0 and json.loads(again.stdout.splitlines()[0])["proposed"] == 0
    assert "Accounts exist already" in again.stdout
    c = TestClient(create_app(Settings(home=tmp_path / "home"), engine=eng))
    tok = c.get("/api/me").json()["csrf"]
    assert c.post("/api/login", json={"username": "admin", "password": m.group(2)},
                  headers={"X-CSRF-Token": tok}).status_code == 200
    assert len(c.get("/api/queue").json()["rows"]) == 2


def test_rescan_in_the_app_uses_the_current_model_and_keeps_human_spans(tmp_path, sqlite_engine, model_version):
    from fastapi.testclient import TestClient

    from review_app.config import Settings
    from review_app.main import create_app
    from review_app.store import model_registry, review, users
    from review_fixtures import TEXT, scan_and_propose

    with Session(sqlite_engine, expire_on_commit=False) as s:
        users.create_user(session=s, username="rev1", password="kaifang-test-pw", role="reviewer", actor="t")
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id)
        i = TEXT.index("乳腺癌")
        review.add_span(session=s, document_id=doc_id, start=i - 3, end=i + 3, label="HEALTH", actor="rev1",
                        version=s.get(Document, doc_id).version)
        model_registry.register_version(session=s, name="test-v1", path=str(model_version), actor="t",
                                        status="current")
    app = create_app(Settings(home=tmp_path / "home", secret_key="r" * 40), engine=sqlite_engine)
    c = TestClient(app)
    tok = c.post("/api/login", json={"username": "rev1", "password": "kaifang-test-pw"},
                 headers={"X-CSRF-Token": c.get("/api/me").json()["csrf"]}).json()["csrf"]
    v = c.get(f"/api/documents/{doc_id}").json()["document"]["version"]
    assert c.post(f"/api/documents/{doc_id}/rescan", json={"version": v - 1},
                  headers={"X-CSRF-Token": tok}).status_code == 409
    r = c.post(f"/api/documents/{doc_id}/rescan", json={"version": v}, headers={"X-CSRF-Token": tok})
    assert r.status_code == 200, r.text
    assert r.json()["detector"] == "test-v1" and r.json()["model_version"] != "test-model-1"
    d = c.get(f"/api/documents/{doc_id}").json()
    assert any(s["status"] == "added" and s["label"] == "HEALTH" for s in d["spans"])  # the person's span stays
    assert {s["model_version"] for s in d["spans"] if s["status"] == "proposed"} == {"test-v1"}
    assert d["proposal"]["model_version"] == r.json()["model_version"]
    assert c.get("/api/models").json()["loaded"] == "test-v1"
