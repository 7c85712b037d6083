"""Schemathesis against the app's OpenAPI schema: no generated request may get a server error.

The probe of 0c6a129 got 215 server errors in 25,797 calls (153 on /rescan: integers beyond 64
bits). Here every operation of the schema is called with bounded, derandomised examples (valid
and invalid: out-of-range integers, wrong types, odd strings) as a signed-in admin with a valid
CSRF token, on SQLite and on PostgreSQL, with real documents in the store; a 5xx fails the test
and names the request. Bounded so that the whole run stays near a minute.
"""
from __future__ import annotations

import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from sqlmodel import Session

from app_helpers import PASSWORD, ROLES
from review_app.config import Settings
from review_app.main import create_app
from review_app.store import users
from review_fixtures import make_document, scan_and_propose

EXAMPLES = 25  # per operation and generation mode: about 850 calls a database, 30 s


class _Detector:
    version = "stub-detector"

    def detect(self, text):
        return []


class _Proposer:
    def propose(self, text, spans, meta):
        return {"decision": "OPEN", "reasons": [], "confidence": 0.9, "probabilities": {"OPEN": 0.9},
                "model_version": "stub-model", "rulebook_version": "rb", "fired_rules": [], "evidence": []}


class _Models:
    """A light model service: /rescan is exercised without loading the shipped model."""

    def models(self):
        return type("Loaded", (), {"key": "stub", "detector": _Detector(), "proposer": _Proposer()})()

    def loaded_key(self):
        return "stub"


def _signed_in(app) -> tuple[dict, dict]:
    c = TestClient(app)
    token = c.get("/api/me").json()["csrf"]
    r = c.post("/api/login", json={"username": "admin1", "password": PASSWORD}, headers={"X-CSRF-Token": token})
    assert r.status_code == 200
    return {"X-CSRF-Token": r.json()["csrf"]}, {"kaifang_session": c.cookies.get("kaifang_session")}


def test_no_generated_request_gets_a_server_error(engine, tmp_path):
    with Session(engine, expire_on_commit=False) as s:
        for role in ROLES:
            users.create_user(session=s, username=f"{role}1", password=PASSWORD, role=role, actor="setup")
        for i in make_document(s, n=3):
            scan_and_propose(s, i)
    app = create_app(Settings(home=tmp_path / "home", secret_key="k" * 40, login_max_failures=0), engine=engine,
                     model_service=_Models())
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    failures: list[str] = []
    calls = 0
    operations = [r.ok() for r in schema.get_all_operations()]
    assert len(operations) >= 20  # the whole JSON API is in the schema
    for op in operations:
        headers, cookies = _signed_in(app)  # a fresh session each time: /api/logout may end the last one
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):

            @given(case=op.as_strategy(generation_mode=mode))
            @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case):
                nonlocal calls
                calls += 1
                response = case.call(headers={**(case.headers or {}), **headers}, cookies=cookies)
                if response.status_code >= 500:
                    failures.append(f"{response.status_code} {case.method} {case.formatted_path} "
                                    f"query={case.query} body={str(case.body)[:200]}: {response.text[:200]}")

            try:
                run()
            except Unsatisfiable:  # nothing to make invalid (an operation without parameters or body)
                assert mode is GenerationMode.NEGATIVE
    assert failures == [], f"{len(failures)} server errors in {calls} calls:\n" + "\n".join(failures[:20])
    assert calls >= 10 * len(operations)
