"""Helpers for the review app tests (a module, not conftest: two conftest modules clash on import)."""
from __future__ import annotations

PASSWORD = "kaifang-test-pw"
ROLES = ("admin", "reviewer", "committee", "annotator", "auditor")


def login(app, username: str):
    """A TestClient signed in as ``username``; returns (client, csrf token)."""
    from fastapi.testclient import TestClient

    c = TestClient(app)
    token = c.get("/api/me").json()["csrf"]
    r = c.post("/api/login", json={"username": username, "password": PASSWORD}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200, r.text
    return c, r.json()["csrf"]
