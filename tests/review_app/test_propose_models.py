"""``kaifang propose`` and the app's ModelService with a small real model version.

The version is built the way the training code builds one (a rules-only NER pipeline plus a
decision model trained on 60 synthetic records), so the real Detector and DecisionProposer run.
"""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from sqlmodel import Session, select

from review_app.tables import AuditEvent, Document, Proposal

from review_fixtures import make_document

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def model_version(tmp_path_factory) -> Path:
    from models.artifacts import make_manifest, write_manifest
    from models.pipeline import save_pipeline
    from training.synth import generate_documents
    from training.train_decision import train_proposer

    d = tmp_path_factory.mktemp("models") / "test-v1"
    train_proposer(generate_documents(60, seed=0), d / "decision", seed=0, span_source="gold",
                   n_text_features=2 ** 10, n_splits=2)
    save_pipeline(d / "ner", tagger_dir=None, rules_config=ROOT / "models" / "configs" / "rules.toml",
                  version="test-v1")
    write_manifest(d, make_manifest(version="test-v1"))
    return d


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
