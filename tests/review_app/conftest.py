"""Fixtures for the review app tests: an app on a fresh SQLite store with one user per role."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from review_fixtures import make_document, scan_and_propose

PASSWORD = "kaifang-test-pw"
ROLES = ("admin", "reviewer", "committee", "annotator", "auditor")


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


def login(app, username: str):
    """A TestClient signed in as ``username``; returns (client, csrf token)."""
    from fastapi.testclient import TestClient

    c = TestClient(app)
    token = c.get("/api/me").json()["csrf"]
    r = c.post("/api/login", json={"username": username, "password": PASSWORD}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    return c, r.json()["csrf"]
