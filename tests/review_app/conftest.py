"""Fixtures for the review app tests: an app on a fresh SQLite store with one user per role."""
from __future__ import annotations

from pathlib import Path

import pytest
from sqlmodel import Session

from app_helpers import PASSWORD, ROLES, login  # noqa: F401  (test modules import these from app_helpers)
from review_fixtures import make_document, scan_and_propose


@pytest.fixture(autouse=True)
def fast_password_hashing(monkeypatch):
    """argon2 with its production cost takes ~0.3 s a hash on a loaded CI core; tests need
    correctness, not cost, so they use the cheapest argon2id parameters."""
    from argon2 import PasswordHasher

    from review_app import auth

    monkeypatch.setattr(auth, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1))


@pytest.fixture
def app_env(tmp_path, sqlite_engine):
    """(app, engine, document ids) with users admin1, reviewer1, committee1, annotator1, auditor1."""
    from review_app.config import Settings
    from review_app.main import create_app
    from review_app.store import users

    with Session(sqlite_engine, expire_on_commit=False) as s:
        for role in ROLES:
            users.create_user(session=s, username=f"{role}1", password=PASSWORD, role=role, actor="setup")
        users.create_user(session=s, username="reviewer2", password=PASSWORD, role="reviewer", actor="setup")
        ids = make_document(s, n=3)
        for i in ids:
            scan_and_propose(s, i)
    app = create_app(Settings(home=tmp_path / "home", secret_key="k" * 40), engine=sqlite_engine)
    return app, sqlite_engine, ids


@pytest.fixture(scope="session")
def model_version(tmp_path_factory) -> Path:
    """A small real model version, built the way the training code builds one: a rules-only NER
    pipeline plus a decision model trained on 60 synthetic records (seconds, not minutes)."""
    from models.artifacts import make_manifest, write_manifest
    from models.pipeline import save_pipeline
    from training.synth import generate_documents
    from training.train_decision import train_proposer

    root = Path(__file__).resolve().parents[2]
    d = tmp_path_factory.mktemp("models") / "test-v1"
    train_proposer(generate_documents(60, seed=0), d / "decision", seed=0, span_source="gold",
                   n_text_features=2 ** 10, n_splits=2)
    save_pipeline(d / "ner", tagger_dir=None, rules_config=root / "models" / "configs" / "rules.toml",
                  version="test-v1")
    write_manifest(d, make_manifest(version="test-v1"))
    return d
