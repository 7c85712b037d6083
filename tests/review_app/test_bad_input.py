"""Bad input gets a 4xx or a one-line CLI error, never a 500 or a traceback; CSV exports never
carry a formula; /docs loads nothing from a CDN.

The probe of 0c6a129: integers beyond 64 bits in ids, versions, pages and cursors gave 500 (215
server errors, 153 on /rescan); a NUL byte gave 500 on PostgreSQL; a 90-character 档号 ended in
an OSError traceback; an unwritable ``--out`` printed a traceback; an actor name starting with
``=`` went into the audit CSV as a formula, and a full-width ＝ into the catalogue CSV.
"""
from __future__ import annotations

import csv
import io
import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from typer.testing import CliRunner

from app_helpers import PASSWORD, ROLES, login
from review_app.config import Settings
from review_app.db import engine_for
from review_app.main import create_app
from review_app.store import documents, release, users

from release_fixtures import COLLECTION, _decide, _propose, make_release_collection
from review_fixtures import make_document, scan_and_propose

HUGE = 2**70


@pytest.fixture
def any_app(engine, tmp_path):
    """The app on SQLite and on PostgreSQL, one user per role, three proposed documents."""
    with Session(engine, expire_on_commit=False) as s:
        for role in ROLES:
            users.create_user(session=s, username=f"{role}1", password=PASSWORD, role=role, actor="setup")
        ids = make_document(s, n=3)
        for i in ids:
            scan_and_propose(s, i)
    return create_app(Settings(home=tmp_path / "home", secret_key="k" * 40), engine=engine), ids


def test_huge_integers_are_4xx_everywhere(any_app):
    app, ids = any_app
    c, csrf = login(app, "admin1")
    h = {"X-CSRF-Token": csrf}
    v = c.get(f"/api/documents/{ids[0]}").json()["document"]["version"]
    calls = [
        c.get(f"/api/documents/{HUGE}"),
        c.get(f"/api/documents/{-HUGE}"),
        c.get(f"/documents/{HUGE}", headers={"accept": "text/html"}),
        c.post(f"/api/spans/{HUGE}/accept", json={"version": v}, headers=h),
        c.post(f"/api/documents/{ids[0]}/rescan", json={"version": HUGE}, headers=h),
        c.post(f"/api/documents/{HUGE}/rescan", json={"version": v}, headers=h),
        c.post(f"/api/documents/{ids[0]}/decision", json={"version": HUGE, "decision": "OPEN"}, headers=h),
        c.post(f"/api/documents/{ids[0]}/spans", json={"version": v, "start": HUGE, "end": HUGE + 1, "label": "ORG"},
               headers=h),
        c.get("/api/queue", params={"page": str(HUGE)}),
        c.get("/api/queue", params={"year": str(HUGE)}),
        c.get("/queue", params={"page": str(HUGE)}, headers={"accept": "text/html"}),
        c.get("/api/audit", params={"before": str(HUGE)}),
        c.get("/audit", params={"before": str(HUGE)}, headers={"accept": "text/html"}),
        c.post("/api/audit/export", json={"format": "csv", "document": HUGE}, headers=h),
        c.get(f"/elusion/{HUGE}", headers={"accept": "text/html"}),
        c.post(f"/documents/{ids[0]}/reopen", data={"csrf_token": csrf, "version": str(HUGE), "note": "x"}),
    ]
    assert [r.status_code for r in calls if not 400 <= r.status_code < 500] == []


def test_a_nul_byte_is_a_400_not_a_500(any_app):
    app, ids = any_app
    c, csrf = login(app, "reviewer1")
    h = {"X-CSRF-Token": csrf}
    v = c.get(f"/api/documents/{ids[0]}").json()["document"]["version"]
    r = c.post(f"/api/documents/{ids[0]}/decision", json={"version": v, "decision": "OPEN", "note": "a\x00b"},
               headers=h)
    assert r.status_code == 400 and "NUL" in r.json()["detail"]
    assert c.get("/api/queue", params={"collection": "全宗\x00"}).status_code == 400
    assert c.post("/api/users/ab%00c", json={"role": "auditor"}, headers=h).status_code == 400
    anon = TestClient(app)
    tok = anon.get("/api/me").json()["csrf"]
    assert anon.post("/api/login", json={"username": "x\x00", "password": "y"},
                     headers={"X-CSRF-Token": tok}).status_code == 400
    assert anon.post("/login", data={"csrf_token": tok, "username": "a\x00", "password": "b"}).status_code == 400
    # a JSON string that merely contains the text backslash-u0000 is not a NUL
    r = c.post(f"/api/documents/{ids[0]}/decision",
               content=json.dumps({"version": v, "decision": "OPEN", "note": "\\u0000 as text"}),
               headers={**h, "content-type": "application/json"})
    assert r.status_code == 200


def test_a_90_character_reference_code_is_released_under_a_short_file_name(engine, tmp_path):
    long_code = "J001-" + "鼓楼区民政局全宗" * 11 + "卷"  # 94 characters, 266 bytes
    with Session(engine, expire_on_commit=False) as s:
        col = documents.ensure_collection(session=s, name=COLLECTION)
        text = "福州市鼓楼区民政局关于年度工作的通知。\n"
        d = documents.add_document(session=s, collection_id=col.id, doc=documents.NewDocument(
            source_path="/in/long.txt", sha256="a" * 64, media_type="text/plain", text=text,
            reference_code=long_code, title="通知", date_text="1998-05-04", year=1998)).id  # open since 2023
        _propose(s, d, "OPEN")
        _decide(s, d, "OPEN")
        rep = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "rel", actor="a")
    (doc,) = [x for x in rep["counts"] and json.loads((tmp_path / "rel/manifest.json").read_text())["documents"]]
    name = doc["text"].split("/", 1)[1]  # the text copy (a .txt source has no other file)
    assert len(name.encode("utf-8")) <= 255 and name.startswith("J001-鼓楼区") and name.endswith(".txt")
    assert (tmp_path / "rel" / doc["text"]).read_text(encoding="utf-8") == text
    assert doc["reference_code"] == long_code  # the manifest and catalogue keep it whole


def test_release_into_an_unwritable_place_is_a_one_line_error(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    env = {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": url}
    eng = engine_for(Settings(home=tmp_path / "home", database_url=url))
    with Session(eng, expire_on_commit=False) as s:
        make_release_collection(s)
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    r = CliRunner().invoke(__import__("kaifang.cli", fromlist=["app"]).app,
                           ["release", "--collection", COLLECTION, "--out", str(blocked / "rel")], env=env)
    assert r.exit_code == 2 and "cannot write the release" in r.stderr and "Traceback" not in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


def test_formulas_never_reach_a_spreadsheet(app_env, tmp_path):
    """An actor name typed into the login form, a catalogue title with a full-width ＝."""
    app, engine, ids = app_env
    anon = TestClient(app)
    tok = anon.get("/api/me").json()["csrf"]
    for name in ("=HYPERLINK(\"http://evil\",\"x\")", "＝1+1", "@SUM(A1)", "-2+3", "\t=1"):
        anon.post("/api/login", json={"username": name, "password": "x"}, headers={"X-CSRF-Token": tok})
    aud, csrf = login(app, "auditor1")
    out = aud.post("/api/audit/export", json={"format": "csv"}, headers={"X-CSRF-Token": csrf}).text
    actors = [row[2] for row in list(csv.reader(io.StringIO(out)))[1:]]
    risky = [a for a in actors if a[:1] in "=+-@\t＝＠"]
    assert risky == [] and "'=HYPERLINK(\"http://evil\",\"x\")" in actors and "'＝1+1" in actors
    # the JSON Lines export keeps the exact names
    lines = aud.post("/api/audit/export", json={"format": "jsonl"}, headers={"X-CSRF-Token": csrf}).text
    assert "=HYPERLINK" in lines and "'=HYPERLINK" not in lines
    # the open catalogue of a release
    from release_fixtures import _doc

    with Session(engine, expire_on_commit=False) as s:
        col = documents.ensure_collection(session=s, name="公式全宗")
        for n, title in enumerate(("＝SUM(1,2)", "﹢cmd", "正常题名"), start=11):
            d = _doc(s, col, n, f"通知{n}\n", f"J9-{n}", title)
            _propose(s, d, "OPEN")
            _decide(s, d, "OPEN")
        release.write_release(session=s, collection="公式全宗", out_dir=tmp_path / "rel", actor="a")
    rows = list(csv.reader(io.StringIO((tmp_path / "rel/open-catalogue.csv").read_text(encoding="utf-8-sig"))))
    assert sorted(r[1] for r in rows[1:]) == sorted(["'＝SUM(1,2)", "'﹢cmd", "正常题名"])


def test_docs_are_off_and_every_response_has_the_csp(app_env):
    app, _, _ = app_env
    c = TestClient(app)
    assert c.get("/docs").status_code == 404 and c.get("/redoc").status_code == 404
    schema = c.get("/openapi.json")
    assert schema.status_code == 200 and "script-src 'self'" in schema.headers["content-security-policy"]
    c, _ = login(app, "admin1")
    for path in ("/login", "/queue", "/admin", "/audit"):
        html = c.get(path).text
        assert "cdn" not in html.lower() and "https://" not in html and "http://" not in html, path
