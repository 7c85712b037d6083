"""Fixtures for the review app tests: an app on a fresh SQLite store with one user per role."""
from __future__ import annotations

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
