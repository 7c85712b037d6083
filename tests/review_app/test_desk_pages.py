"""Pages and answers around the review desk: the language switch, errors in the reader's language
(pages with a way back; the API with English ``detail`` plus ``message`` and ``code``), the
favicon, the way to the next document, and elusion sampling from the committee page with advice
that works after a release."""
from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app_helpers import login
from review_app.store import review
from review_app.tables import Collection, ElusionSample
from review_fixtures import make_document, scan_and_propose

HTML = {"accept": "text/html"}


def test_language_switch_is_a_cookie_and_chinese_is_the_default(app_env):
    app, _, _ = app_env
    c, _ = login(app, "reviewer1")
    assert "<h1>审核队列</h1>" in c.get("/queue").text and 'lang="zh-CN"' in c.get("/queue").text
    r = c.get("/lang", params={"to": "en", "next": "/queue?stage=all"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/queue?stage=all"
    page = c.get("/queue").text
    assert "<h1>Review queue</h1>" in page and 'lang="en"' in page and "审核队列" not in page.split("</header>")[1]
    assert c.get("/lang", params={"to": "en", "next": "https://evil.example/"}, follow_redirects=False) \
        .headers["location"] == "/queue"  # no open redirect
    assert c.get("/lang", params={"to": "fr"}).status_code == 400
    c.get("/lang", params={"to": "zh"})
    assert "<h1>审核队列</h1>" in c.get("/queue").text


def test_errors_in_the_readers_language_with_a_way_back(app_env):
    app, _, ids = app_env
    c, csrf = login(app, "reviewer1")
    page = c.get("/no/such/page", headers={**HTML, "referer": "http://testserver/queue"})
    assert page.status_code == 404 and "找不到页面" in page.text and "没有这个页面：/no/such/page" in page.text
    assert 'id="error-back" href="/queue"' in page.text.replace("\n", " ") or 'href="/queue" id="error-back"' in page.text
    assert 'id="error-queue"' in page.text and 'href="/committee"' in page.text  # the navigation is there
    assert c.get("/documents/abc", headers=HTML).status_code == 400
    assert "文件 999999 不存在" in c.get("/documents/999999", headers=HTML).text
    # the API: English detail for scripts, the reader's language in message, the key in code
    v = c.get(f"/api/documents/{ids[0]}").json()["document"]["version"]
    body = {"version": v - 1, "decision": "OPEN"}
    r = c.post(f"/api/documents/{ids[0]}/decision", json=body, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 409 and r.json()["code"] in ("err.stale", "err.stale_by")
    assert "since you opened it" in r.json()["detail"] and "在你打开之后" in r.json()["message"]
    c.get("/lang", params={"to": "en"})
    r = c.post(f"/api/documents/{ids[0]}/decision", json=body, headers={"X-CSRF-Token": csrf})
    assert r.json()["message"] == r.json()["detail"]
    anon = TestClient(app)
    assert anon.get("/api/queue").json()["code"] == "err.sign_in"
    favicon = anon.get("/favicon.ico")
    assert favicon.status_code == 200 and favicon.headers["content-type"] == "image/x-icon"
    assert anon.get("/static/favicon.svg").status_code == 200


def test_the_way_to_the_next_document(app_env):
    app, engine, ids = app_env
    c, _ = login(app, "reviewer1")
    a, b, cc = ids
    r = c.get(f"/documents/{a}/neighbour", params={"step": 1, "order": "id"}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/documents/{b}"
    assert c.get(f"/documents/{a}/neighbour", params={"step": 0}).status_code in (400, 422)
    with Session(engine) as s:
        for doc_id in (b, cc):
            review.decide(session=s, document_id=doc_id, actor="reviewer2", decision="OPEN_REDACTED",
                          reasons=["PERSONAL_INFO"], version=review.document_version(session=s, document_id=doc_id))
    r = c.get(f"/documents/{a}/neighbour", params={"step": 1, "order": "id"}, follow_redirects=False)
    assert r.headers["location"].startswith("/queue?") and "done=1" in r.headers["location"]  # nothing else
    assert "这个队列里没有其他等待处理的文件了" in c.get(r.headers["location"]).text
    r = c.get(f"/documents/{cc}/neighbour", params={"step": 1, "order": "id", "stage": "committee"},
              follow_redirects=False)
    assert r.headers["location"] == f"/documents/{b}"
    r = c.get(f"/documents/{b}/neighbour", params={"step": 1, "order": "id", "stage": "committee"},
              follow_redirects=False)
    assert r.headers["location"] == f"/documents/{cc}"
    com, _ = login(app, "committee1")  # a committee member's default queue is the committee's
    r = com.get(f"/documents/{cc}/neighbour", follow_redirects=False)
    assert r.headers["location"] == f"/documents/{b}"
    r = c.get(f"/documents/{b}/neighbour", params={"step": -1, "order": "id"}, follow_redirects=False)
    assert r.headers["location"] == f"/documents/{a}"
    r = c.get(f"/documents/{a}/neighbour", params={"step": -1, "order": "id"}, follow_redirects=False)
    assert "done=first" in r.headers["location"] and "这已是队列中的第一份文件" in c.get(r.headers["location"]).text


@pytest.fixture
def wired(app_env, tmp_path):
    from kaifang.cli.serve import build_app
    from review_app.config import Settings
    from review_app.queue import ORDERS

    _, engine, ids = app_env
    yield build_app(Settings(home=tmp_path / "home2", secret_key="k" * 40), engine), engine
    ORDERS.pop("active", None)


def _batch(engine, n=3):
    with Session(engine) as s:
        ids = make_document(s, n=n, collection="开放批次", year=1975)
        for doc_id in ids:
            scan_and_propose(s, doc_id, decision="OPEN", confidence=0.95)
        col = s.exec(select(Collection).where(Collection.name == "开放批次")).one()
    return ids, col.id


def _finalise_all(engine, ids):
    with Session(engine) as s:
        for doc_id in ids:
            for fn, who in ((review.decide, "reviewer1"), (review.finalize, "committee1")):
                fn(session=s, document_id=doc_id, actor=who, decision="OPEN",
                   version=review.document_version(session=s, document_id=doc_id))


def test_committee_draws_an_elusion_sample_also_after_a_release(wired):
    app, engine = wired
    ids, _ = _batch(engine)
    com, csrf = login(app, "committee1")
    page = com.get("/committee", params={"collection": "开放批次", "stage": "all"}).text
    assert "本批次尚未做抽样核查" in page and 'action="/elusion/draw"' in page
    r = com.post("/elusion/draw", data={"csrf_token": csrf, "collection": "开放批次", "max_rate": "0.05"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/elusion/")
    # every OPEN proposal is decided (the batch was released): the advice says so, and drawing works
    _finalise_all(engine, ids)
    page = com.get("/committee", params={"collection": "开放批次", "stage": "all"}).text
    assert "待终审 0 份，共 3 份" in page and "从已终审的建议开放文件中抽取" in page
    r = com.post("/elusion/draw", data={"csrf_token": csrf, "collection": "开放批次"}, follow_redirects=False)
    assert r.status_code == 303
    with Session(engine) as s:
        latest = s.exec(select(ElusionSample).order_by(ElusionSample.id.desc())).first()
    assert sorted(latest.document_ids) == sorted(ids) and latest.population_size == 3
    # refusals a person can read
    for data, status in (({"collection": "没有的全宗"}, 404), ({"collection": "开放批次", "max_rate": "x"}, 400),
                         ({"collection": "开放批次", "max_rate": "0.9"}, 400)):
        r = com.post("/elusion/draw", data={"csrf_token": csrf, **data}, headers=HTML)
        assert r.status_code == status and 'id="error-queue"' in r.text
    rev, rcsrf = login(app, "reviewer1")
    assert rev.post("/elusion/draw", data={"csrf_token": rcsrf, "collection": "开放批次"}).status_code == 403


def test_draw_without_the_plugin_says_so(app_env):
    app, engine, _ = app_env
    _batch(engine)
    com, csrf = login(app, "committee1")
    assert 'action="/elusion/draw"' not in com.get("/committee", params={"collection": "开放批次"}).text
    r = com.post("/elusion/draw", data={"csrf_token": csrf, "collection": "开放批次"}, headers=HTML)
    assert r.status_code == 503 and "kaifang elusion draw" in r.text


def test_cli_draw_after_a_release_samples_the_decided_ones(app_env, tmp_path, monkeypatch):
    import json

    from kaifang.cli import app as cli

    _, engine, _ = app_env
    ids, _ = _batch(engine)
    _finalise_all(engine, ids)
    monkeypatch.setenv("KAIFANG_DATABASE_URL", str(engine.url))
    monkeypatch.setenv("KAIFANG_HOME", str(tmp_path / "home"))
    r = CliRunner().invoke(cli, ["elusion", "draw", "--collection", "开放批次", "--pending-only"])
    assert r.exit_code == 2 and "--include-final" in r.output
    r = CliRunner().invoke(cli, ["elusion", "draw", "--collection", "开放批次", "--seed", "3"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["population"] == 3 and sorted(out["documents"]) == sorted(ids)
