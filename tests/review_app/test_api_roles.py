"""Every route x every role: who may do what, and what nobody signed in can see.

The route table below must list every route the app serves (checked against ``app.routes``), so
a new route without a permission test fails here.
"""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from review_app.tables import SpanRecord
from review_fixtures import TEXT
from app_helpers import PASSWORD, ROLES, login

ALL = set(ROLES)
EDIT = {"admin", "reviewer", "annotator"}
DECIDE = {"admin", "reviewer"}
FINAL = {"admin", "committee"}
AUDIT = {"admin", "auditor"}
ADMIN = {"admin"}
ELUSION = {"admin", "reviewer", "committee"}
PUBLIC = "public"

# (method, path template, json body or form, who may) ; {doc} and {span} are filled in per test
ROUTES = [
    ("GET", "/healthz", None, PUBLIC),
    ("GET", "/", None, PUBLIC),
    ("GET", "/login", None, PUBLIC),
    ("POST", "/login", "form", PUBLIC),
    ("POST", "/logout", "form", PUBLIC),
    ("POST", "/api/login", {"username": "x", "password": "y"}, PUBLIC),
    ("POST", "/api/logout", {}, PUBLIC),
    ("GET", "/api/me", None, PUBLIC),
    ("GET", "/queue", None, ALL),
    ("GET", "/committee", None, ALL),
    ("GET", "/documents/{doc}", None, ALL),
    ("GET", "/documents/{doc}/panel", None, ALL),
    ("GET", "/documents/{doc}/neighbour", None, ALL),
    ("GET", "/lang", None, PUBLIC),
    ("GET", "/favicon.ico", None, PUBLIC),
    ("GET", "/api/queue", None, ALL),
    ("GET", "/api/documents/{doc}", None, ALL),
    ("GET", "/api/models", None, ALL),
    ("POST", "/api/documents/{doc}/spans", {"start": 0, "end": 3, "label": "ORG", "version": 1}, EDIT),
    ("POST", "/api/spans/{span}/accept", {"version": 1}, EDIT),
    ("POST", "/api/spans/{span}/reject", {"version": 1}, EDIT),
    ("POST", "/api/spans/{span}/relabel", {"version": 1, "label": "ORG"}, EDIT),
    ("POST", "/api/spans/{span}/resize", {"version": 1, "start": 0, "end": 2}, EDIT),
    ("POST", "/api/documents/{doc}/undo", {"version": 1}, EDIT),
    ("POST", "/api/documents/{doc}/decision", {"version": 1, "decision": "OPEN"}, DECIDE),
    ("POST", "/api/documents/{doc}/final", {"version": 1, "decision": "OPEN"}, FINAL),
    ("POST", "/api/documents/{doc}/rescan", {"version": 1}, DECIDE),
    ("POST", "/api/documents/{doc}/reopen", {"version": 1, "note": "x"}, FINAL),
    ("POST", "/documents/{doc}/reopen", "form", FINAL),
    ("GET", "/audit", None, AUDIT),
    ("GET", "/audit/verify", None, AUDIT),
    ("GET", "/api/audit", None, AUDIT),
    ("GET", "/api/audit/verify", None, AUDIT),
    ("POST", "/api/audit/export", {"format": "csv"}, AUDIT),
    ("GET", "/admin", None, ADMIN),
    ("POST", "/admin/users", "form", ADMIN),
    ("POST", "/admin/users/{user}", "form", ADMIN),
    ("GET", "/api/users", None, ADMIN),
    ("POST", "/api/users", {"username": "new1", "password": "password9", "role": "auditor"}, ADMIN),
    ("POST", "/api/users/{user}", {"role": "auditor"}, ADMIN),
    ("GET", "/admin/training", None, ADMIN),
    ("POST", "/admin/training", "form", ADMIN),
    ("GET", "/elusion/{sample}", None, ELUSION),
    ("GET", "/elusion/{sample}/documents/{doc}", None, ELUSION),
    ("POST", "/elusion/{sample}/documents/{doc}", "form", ELUSION),
    ("POST", "/elusion/draw", "form", FINAL),
]
IGNORED = {"/openapi.json", "/docs", "/docs/oauth2-redirect", "/static"}


def _flat_routes(routes, prefix=""):
    """Routes of the app, looking inside included routers (FastAPI >= 0.16x keeps them nested)."""
    for r in routes:
        inner = getattr(r, "original_router", None)
        if inner is not None:
            yield from _flat_routes(inner.routes, prefix + r.include_context.prefix)
        else:
            yield prefix, r


def test_route_table_covers_every_route(app_env):
    app, _, _ = app_env
    served = set()
    for prefix, r in _flat_routes(app.routes):
        path = prefix + getattr(r, "path", "")
        if path in IGNORED:
            continue
        for m in getattr(r, "methods", None) or ():
            if m != "HEAD":
                served.add((m, path.replace("{document_id}", "{doc}").replace("{span_id}", "{span}")
                            .replace("{username}", "{user}").replace("{sample_id}", "{sample}")))
    listed = {(m, p) for m, p, _, _ in ROUTES}
    assert served == listed, f"untested: {served - listed}; stale: {listed - served}"


def _call(client: TestClient, csrf: str, method: str, path: str, body, ids, span_id):
    url = path.format(doc=ids[0], span=span_id, user="reviewer2", sample=1)
    headers = {"accept": "application/json", "X-CSRF-Token": csrf}
    if method == "GET":
        return client.get(url, headers=headers, follow_redirects=False)
    if body == "form":
        form = {"csrf_token": csrf, "username": "formuser", "password": "password9", "role": "auditor"}
        return client.post(url, data=form, headers={"accept": "application/json"}, follow_redirects=False)
    return client.post(url, json=body, headers=headers, follow_redirects=False)


@pytest.mark.parametrize("role", ROLES)
def test_each_role_gets_exactly_its_permissions(app_env, role):
    app, engine, ids = app_env
    with Session(engine) as s:
        span_id = s.exec(select(SpanRecord.id).where(SpanRecord.document_id == ids[0])).first()
    client, csrf = login(app, f"{role}1")
    for method, path, body, who in ROUTES:
        if path in ("/logout", "/api/logout", "/login", "/api/login"):
            continue  # these end or replace the session; tested below
        r = _call(client, csrf, method, path, body, ids, span_id)
        if who == PUBLIC or role in who:
            assert r.status_code not in (401, 403), f"{role} refused {method} {path}: {r.status_code} {r.text[:200]}"
        else:
            assert r.status_code == 403, f"{role} allowed {method} {path}: {r.status_code}"
            assert TEXT[:10] not in r.text


def test_auditor_reads_but_never_edits(app_env):
    app, engine, ids = app_env
    client, csrf = login(app, "auditor1")
    doc = client.get(f"/api/documents/{ids[0]}").json()
    assert doc["document"]["text"] == TEXT and doc["can"] == {"edit_spans": False, "decide": False, "finalize": False,
                                                                "reopen": False}
    page = client.get(f"/documents/{ids[0]}").text
    assert 'id="decision-form"' not in page
    before = client.get("/api/audit").json()["events"][0]["seq"]
    for path, body in ((f"/api/documents/{ids[0]}/spans", {"start": 0, "end": 3, "label": "ORG", "version": 1}),
                       (f"/api/documents/{ids[0]}/decision", {"version": 1, "decision": "OPEN"})):
        assert client.post(path, json=body, headers={"X-CSRF-Token": csrf}).status_code == 403
    assert client.get("/api/audit").json()["events"][0]["seq"] == before  # nothing happened


def test_anonymous_sees_no_document_text(app_env):
    app, engine, ids = app_env
    client = TestClient(app)
    csrf = client.get("/api/me").json()["csrf"]
    with Session(engine) as s:
        span_id = s.exec(select(SpanRecord.id)).first()
    for method, path, body, who in ROUTES:
        if path in ("/logout", "/api/logout"):
            continue  # a new session would need a new token; logout is tested below
        r = _call(client, csrf, method, path, body, ids, span_id)
        for fragment in ("林碧军", "350102198703154511", "福州市鼓楼区人民政府文件"):
            assert fragment not in r.text, f"anonymous {method} {path} leaked document text"
        if who != PUBLIC:
            if path.startswith("/api"):
                assert r.status_code == 401, (method, path, r.status_code)
            else:
                assert r.status_code in (401, 303), (method, path, r.status_code)
    # an HTML page sends the browser to the login form, remembering where it wanted to go
    r = client.get(f"/documents/{ids[0]}", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/login?next=%2Fdocuments%2F{ids[0]}"


def test_csrf_is_required_for_every_state_change(app_env):
    app, _, ids = app_env
    client, csrf = login(app, "admin1")
    body = {"version": 1, "decision": "OPEN"}
    assert client.post(f"/api/documents/{ids[0]}/decision", json=body).status_code == 403
    assert client.post(f"/api/documents/{ids[0]}/decision", json=body,
                       headers={"X-CSRF-Token": "forged"}).status_code == 403
    assert client.post("/admin/users", data={"username": "u9", "password": "password9", "role": "auditor"},
                       follow_redirects=False).status_code == 403
    anon = TestClient(app)
    anon.get("/login")
    assert anon.post("/login", data={"username": "admin1", "password": "x"}).status_code == 403
    # the token of another session does not work either
    other, other_csrf = login(app, "reviewer1")
    assert client.post(f"/api/documents/{ids[0]}/decision", json=body,
                       headers={"X-CSRF-Token": other_csrf}).status_code == 403


def test_login_form_logout_and_tampered_cookie(app_env):
    app, _, _ = app_env
    c = TestClient(app)
    page = c.get("/login").text
    token = page.split('name="csrf_token" value="')[1].split('"')[0]
    bad = c.post("/login", data={"csrf_token": token, "username": "reviewer1", "password": "nope"})
    assert bad.status_code == 401 and "用户名或密码错误" in bad.text
    ok = c.post("/login", data={"csrf_token": token, "username": "reviewer1", "password": "kaifang-test-pw",
                                "next": "//evil.example/x"}, follow_redirects=False)
    assert ok.status_code == 303 and ok.headers["location"] == "/queue"  # no open redirect
    assert c.get("/api/me").json()["username"] == "reviewer1"
    new_token = c.get("/api/me").json()["csrf"]
    assert new_token != token  # a fresh token at login
    cookie = c.cookies.get("kaifang_session")
    forged = TestClient(app)
    forged.cookies.set("kaifang_session", cookie[:-3] + ("AAA" if not cookie.endswith("AAA") else "BBB"))
    assert forged.get("/api/me").json()["username"] is None
    same = TestClient(app)
    same.cookies.set("kaifang_session", cookie)
    assert same.get("/api/me").json()["username"] == "reviewer1"
    c2, csrf2 = login(app, "reviewer1")
    assert c2.post("/logout", data={"csrf_token": csrf2}, follow_redirects=False).status_code == 303
    assert c2.get("/api/me").json()["username"] is None


def test_security_headers(app_env):
    app, _, _ = app_env
    r = TestClient(app).get("/login")
    assert r.headers["x-frame-options"] == "DENY" and r.headers["x-content-type-options"] == "nosniff"
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert "httponly" in r.headers["set-cookie"].lower() and "samesite=lax" in r.headers["set-cookie"].lower()


def test_guessing_passwords_gets_a_429_with_retry_after(tmp_path, sqlite_engine):
    from review_app.config import Settings
    from review_app.main import create_app
    from review_app.store import users

    with Session(sqlite_engine, expire_on_commit=False) as s:
        users.create_user(session=s, username="reviewer9", password=PASSWORD, role="reviewer", actor="setup")
    app = create_app(Settings(home=tmp_path / "home", secret_key="k" * 40, login_max_failures=2), engine=sqlite_engine)
    c = TestClient(app)
    token = c.get("/api/me").json()["csrf"]
    for _ in range(2):
        r = c.post("/api/login", json={"username": "reviewer9", "password": "guess"}, headers={"X-CSRF-Token": token})
        assert r.status_code == 401
    r = c.post("/api/login", json={"username": "reviewer9", "password": PASSWORD}, headers={"X-CSRF-Token": token})
    assert r.status_code == 429 and int(r.headers["Retry-After"]) > 0
    page = c.get("/login").text
    form_token = page.split('name="csrf_token" value="')[1].split('"')[0]
    r = c.post("/login", data={"csrf_token": form_token, "username": "reviewer9", "password": PASSWORD})
    assert r.status_code == 429 and "登录失败次数过多" in r.text
