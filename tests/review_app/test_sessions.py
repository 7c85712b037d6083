"""Server-side sessions (revocable, idle timeout), the atomic sign-in throttle, least privilege.

The probe of 0c6a129: a copied cookie worked for 12 hours after logout or a password reset;
24-32 parallel password checks got through where 10 is the limit; the new-user form defaulted
to admin. Each case is tested here against the real app and store.
"""
from __future__ import annotations

import threading
from datetime import datetime, timedelta, timezone

from fastapi.testclient import TestClient
from sqlalchemy import text, update
from sqlmodel import Session, select
from typer.testing import CliRunner

from app_helpers import PASSWORD, login
from review_app import audit
from review_app.store import users
from review_app.tables import AuditEvent, UserSession


def _copy(app, client: TestClient) -> TestClient:
    """Another browser holding a copy of ``client``'s session cookie."""
    thief = TestClient(app)
    thief.cookies.set("kaifang_session", client.cookies.get("kaifang_session"))
    return thief


def _me(c: TestClient):
    return c.get("/api/me").json()["username"]


def test_a_copied_cookie_dies_with_logout(app_env):
    app, engine, ids = app_env
    c, csrf = login(app, "reviewer1")
    thief = _copy(app, c)
    assert _me(thief) == "reviewer1" and thief.get(f"/api/documents/{ids[0]}").status_code == 200
    assert c.post("/logout", data={"csrf_token": csrf}, follow_redirects=False).status_code == 303
    assert _me(c) is None and _me(thief) is None
    assert thief.get(f"/api/documents/{ids[0]}").status_code == 401
    # the JSON API's logout too
    c2, csrf2 = login(app, "reviewer1")
    thief2 = _copy(app, c2)
    assert c2.post("/api/logout", headers={"X-CSRF-Token": csrf2}).status_code == 200
    assert _me(thief2) is None
    with Session(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "logout")).all()
        assert [e.actor for e in ev] == ["reviewer1", "reviewer1"]
        # only a hash of the token is stored: the table does not sign anyone in
        token_part = c2.cookies.get("kaifang_session").split(".")[0]
        assert all(token_part not in r.token_hash for r in s.exec(select(UserSession)))


def test_password_reset_role_change_and_deactivation_revoke_sessions(app_env):
    app, engine, _ = app_env
    admin, acsrf = login(app, "admin1")
    for change in ({"password": "a-new-password-1"}, {"role": "annotator"}, {"active": False}, {"sign_out": True}):
        if change.get("active") is False or "sign_out" in change:
            admin.post("/api/users/reviewer2", json={"active": True}, headers={"X-CSRF-Token": acsrf})
        password = "a-new-password-1" if change != {"password": "a-new-password-1"} else PASSWORD
        victim = TestClient(app)
        tok = victim.get("/api/me").json()["csrf"]
        r = victim.post("/api/login", json={"username": "reviewer2", "password": password},
                        headers={"X-CSRF-Token": tok})
        assert r.status_code == 200, (change, r.text)
        thief = _copy(app, victim)
        assert _me(thief) == "reviewer2"
        assert admin.post("/api/users/reviewer2", json=change, headers={"X-CSRF-Token": acsrf}).status_code == 200
        assert _me(thief) is None and _me(victim) is None, change
    with Session(engine) as s:
        payloads = [e.payload for e in s.exec(select(AuditEvent).where(AuditEvent.subject == "user:reviewer2"))]
        assert any('"sessions_revoked":1' in p for p in payloads)


def test_cli_password_reset_and_sign_out_revoke_sessions(app_env, tmp_path):
    from kaifang.cli import app as cli

    app, engine, _ = app_env
    env = {"KAIFANG_HOME": str(app.state.settings.home), "KAIFANG_DATABASE_URL": str(engine.url)}
    c, _ = login(app, "committee1")
    r = CliRunner().invoke(cli, ["users", "set-password", "committee1", "--password", "another-pw-123"], env=env)
    assert r.exit_code == 0, r.stderr
    assert _me(c) is None
    c = TestClient(app)
    tok = c.get("/api/me").json()["csrf"]
    c.post("/api/login", json={"username": "committee1", "password": "another-pw-123"}, headers={"X-CSRF-Token": tok})
    assert _me(c) == "committee1"
    r = CliRunner().invoke(cli, ["users", "sign-out", "committee1"], env=env)
    assert r.exit_code == 0 and "1 session(s) ended" in r.stdout
    assert _me(c) is None


def test_idle_timeout_and_absolute_lifetime(app_env):
    app, engine, _ = app_env
    c, _ = login(app, "auditor1")
    idle = app.state.settings.session_idle_minutes
    with Session(engine) as s:
        row = s.exec(select(UserSession).order_by(UserSession.id.desc())).first()
    past = datetime.now(timezone.utc) - timedelta(minutes=idle - 1)
    with engine.begin() as conn:
        conn.execute(update(UserSession).where(UserSession.id == row.id).values(last_seen=past))
    assert _me(c) == "auditor1"  # used within the idle time: still valid, and touched again
    with Session(engine) as s:
        assert s.get(UserSession, row.id).last_seen > past
    with engine.begin() as conn:
        conn.execute(update(UserSession).where(UserSession.id == row.id)
                     .values(last_seen=datetime.now(timezone.utc) - timedelta(minutes=idle + 1)))
    assert _me(c) is None and c.get("/api/audit").status_code == 401  # idle too long: signed out
    page = c.get("/audit", headers={"Accept": "text/html"}, follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login")
    c2, _ = login(app, "auditor1")
    with engine.begin() as conn:
        conn.execute(text("UPDATE user_session SET expires_at = :t WHERE id = (SELECT max(id) FROM user_session)"),
                     {"t": datetime.now(timezone.utc) - timedelta(seconds=1)})
    assert _me(c2) is None


def test_new_user_form_and_api_default_to_the_least_privilege(app_env):
    app, _, _ = app_env
    assert users.least_privileged_role() == "auditor"
    admin, csrf = login(app, "admin1")
    page = admin.get("/admin").text
    form = page[page.index('action="/admin/users"'):]
    assert '<option value="auditor" selected>' in form and '<option value="admin" selected>' not in form
    r = admin.post("/api/users", json={"username": "new1", "password": "long enough pw"},
                   headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200 and r.json()["role"] == "auditor"


def test_parallel_guesses_check_no_more_passwords_than_the_limit(engine):
    """30 attempts at once against a limit of 10 (SQLite and PostgreSQL): exactly 10 checked."""
    with Session(engine) as s:
        users.create_user(session=s, username="target", password="correct horse", role="reviewer", actor="admin")
    n, limit = 30, 10
    barrier = threading.Barrier(n)
    outcomes: list[str] = []
    lock = threading.Lock()

    def attempt() -> None:
        with Session(engine) as s:
            barrier.wait()
            try:
                result = users.authenticate(session=s, username="target", password="guess", max_failures=limit)
                outcome = "checked" if result is None else "in"
            except users.LoginThrottled:
                outcome = "throttled"
            except Exception as exc:  # pragma: no cover - reported below
                outcome = f"error {type(exc).__name__}: {exc}"
        with lock:
            outcomes.append(outcome)

    threads = [threading.Thread(target=attempt) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(set(outcomes)) == ["checked", "throttled"], outcomes
    assert outcomes.count("checked") == limit and outcomes.count("throttled") == n - limit
    with Session(engine) as s:
        actions = [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.subject == "user:target"))]
        assert actions.count("login.failed") == limit and actions.count("login.throttled") == n - limit
        assert audit.verify(session=s) is None
