"""The composition root wires training into the app: the ``active`` queue order with its reasons
shown, rescoring after a rescan, and the elusion check the committee sees before opening a batch,
with blind review of the sample in the app."""
from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from review_app.config import Settings
from review_app.queue import ORDERS
from review_app.store import model_registry as registry
from review_app.tables import ActiveScore, AuditEvent, ElusionJudgement
from review_fixtures import TEXT, make_document, scan_and_propose
from app_helpers import ROLES, login


@pytest.fixture
def wired(app_env, tmp_path):
    """(app built by kaifang.cli.serve.build_app, engine, ids): the app as `kaifang serve` runs it."""
    from kaifang.cli.serve import build_app

    _, engine, ids = app_env
    app = build_app(Settings(home=tmp_path / "home2", secret_key="k" * 40), engine)
    yield app, engine, ids
    ORDERS.pop("active", None)  # module state: leave the queue as other tests expect it


def test_build_app_wires_training_in(wired):
    app, _, _ = wired
    assert "active" in ORDERS
    assert callable(app.state.start_training) and callable(app.state.rescore) and callable(app.state.elusion_summary)


def test_active_order_and_its_reasons(wired):
    from training.active import refresh_scores

    app, engine, ids = wired
    with Session(engine) as s:
        (extra,) = make_document(s, n=1, collection="第二全宗", year=1990)
        scan_and_propose(s, extra, decision="OPEN", confidence=0.55)
        assert refresh_scores(s, actor="system", reason="test") == 4
        top = s.exec(select(ActiveScore).order_by(ActiveScore.priority.desc())).first()
    rev, csrf = login(app, "reviewer1")
    api = rev.get("/api/queue", params={"order": "active"}).json()
    assert api["rows"][0]["id"] == top.document_id and "active" in api["orders"]
    assert set(api["rows"][0]["active"]) == {"priority", "uncertainty", "disagreement", "novelty", "risk"}
    page = rev.get("/queue", params={"order": "active"}).text
    assert 'value="active" selected' in page
    first = re.search(r'<tr class="st-[a-z]+" data-id="\d+" title="([^"]+)" data-priority="([0-9.]+)"', page)
    assert first and "不确定" in first.group(1) and "新颖" in first.group(1)
    assert float(first.group(2)) == pytest.approx(top.priority, abs=1e-3)
    doc = rev.get(f"/documents/{top.document_id}").text
    assert 'id="active-priority"' in doc and "分歧" in doc
    # a rescan gives a new proposal; its score follows (rescore hook, audited as the reviewer)
    app.state.model_service = _StubService()
    v = rev.get(f"/api/documents/{ids[0]}").json()["document"]["version"]
    r = rev.post(f"/api/documents/{ids[0]}/rescan", json={"version": v}, headers={"X-CSRF-Token": csrf})
    assert r.status_code == 200, r.text
    with Session(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "active.rescore").order_by(AuditEvent.seq.desc())).first()
        score = s.get(ActiveScore, ids[0])
    assert ev.actor == "reviewer1" and score.risk == pytest.approx(1.0)  # the stub says CLOSED for sure


class _StubService:
    def models(self):
        from models.spans import Span

        class D:
            version = "stub"

            def detect(self, text):
                return [Span(0, 2, "LOC", 0.9, "stub")]

        class P:
            version = "stub"

            def propose(self, text, spans, meta):
                return {"decision": "CLOSED", "reasons": ["STATE_SECRET"], "closure": "CONTROLLED",
                        "confidence": 1.0, "probabilities": {"OPEN": 0.0, "OPEN_REDACTED": 0.0, "CLOSED": 1.0},
                        "model_version": "stub", "rulebook_version": "rb", "fired_rules": [], "evidence": []}

        class M:
            detector, proposer = D(), P()

        return M()

    def loaded_key(self):
        return "stub"


def _open_batch(engine, n=4, collection="开放批次"):
    with Session(engine) as s:
        ids = make_document(s, n=n, collection=collection, year=1980)
        for i in ids:
            scan_and_propose(s, i, decision="OPEN", confidence=0.9)
    return ids


def test_committee_sees_a_warning_without_an_elusion_check(wired):
    app, engine, _ = wired
    _open_batch(engine)
    com, _ = login(app, "committee1")
    page = com.get("/committee", params={"collection": "开放批次"}).text
    assert 'id="elusion-panel"' in page and "本批次尚未做抽样核查" in page
    assert 'action="/elusion/draw"' in page and 'name="collection" value="开放批次"' in page  # drawn from here
    # unfiltered, the panel lists the collections awaiting the committee (none yet)
    assert "没有等待终审的批次" in com.get("/committee").text
    # the reviewer's queue has no elusion panel
    assert 'id="elusion-panel"' not in com.get("/queue").text


def test_blind_review_in_the_app_and_the_estimate_for_the_committee(wired):
    app, engine, _ = wired
    ids = _open_batch(engine)
    with Session(engine) as s:
        from review_app.store.documents import get_collection

        col = get_collection(session=s, name="开放批次")
        sample = registry.draw_elusion_sample(session=s, actor="committee1", size=3, seed=7, collection_id=col.id)
    assert set(sample.document_ids) <= set(ids)
    rev, csrf = login(app, "reviewer1")
    listing = rev.get(f"/elusion/{sample.id}").text
    first = sample.document_ids[0]
    assert f"/elusion/{sample.id}/documents/{first}" in listing
    blind = rev.get(f"/elusion/{sample.id}/documents/{first}").text
    assert "350102198703154511" in blind  # the text is there to judge...
    for leak in ("test-model-1", "PI-01", "dec-OPEN", "建议 Proposal", "<mark", "PIPL"):
        assert leak not in blind, f"the blind page shows the machine's view: {leak}"  # ...the machine's view is not
    # CSRF is required; the judgement is audited and the next unjudged document follows
    assert rev.post(f"/elusion/{sample.id}/documents/{first}", data={"sensitive": "1"}).status_code == 403
    r = rev.post(f"/elusion/{sample.id}/documents/{first}", data={"csrf_token": csrf, "sensitive": "1", "note": "身份证号"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/elusion/{sample.id}/documents/{sample.document_ids[1]}"
    with Session(engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "elusion.judge")).one()
    assert ev.actor == "reviewer1" and ev.subject == f"document:{first}"
    again = rev.post(f"/elusion/{sample.id}/documents/{first}", data={"csrf_token": csrf, "sensitive": "0"})
    assert again.status_code == 409
    assert 'id="already-judged"' in rev.get(f"/elusion/{sample.id}/documents/{first}").text
    # a document outside the sample, a bad verdict, an unknown sample
    outside = next(i for i in ids if i not in sample.document_ids)
    assert rev.get(f"/elusion/{sample.id}/documents/{outside}").status_code == 404
    assert rev.post(f"/elusion/{sample.id}/documents/{sample.document_ids[1]}",
                    data={"csrf_token": csrf, "sensitive": "maybe"}).status_code == 400
    assert rev.get("/elusion/999").status_code == 404

    com, ccsrf = login(app, "committee1")
    page = com.get("/committee", params={"collection": "开放批次"}).text
    assert "只判定了 1 / 3 份样本" in page and "估计敏感比例：100%" in page
    for doc in sample.document_ids[1:]:
        r = com.post(f"/elusion/{sample.id}/documents/{doc}", data={"csrf_token": ccsrf, "sensitive": "0"},
                     follow_redirects=False)
        assert r.status_code == 303
    assert r.headers["location"] == f"/elusion/{sample.id}"  # all judged: back to the sample
    page = com.get("/committee", params={"collection": "开放批次"}).text
    panel = page[page.index('id="elusion-panel"'):page.index('id="queue-rows"')]
    assert "已判定 3 / 抽取 3 份" in panel and "判为敏感 1 份" in panel
    assert "估计敏感比例：33%（95% 置信区间" in panel
    assert "只判定了" not in panel
    # the htmx filter swap brings the panel along (out of band)
    part = com.get("/committee", params={"collection": "开放批次"},
                   headers={"HX-Request": "true", "HX-Target": "queue-rows"}).text
    assert 'hx-swap-oob="true"' in part and "估计敏感比例" in part
    with Session(engine) as s:
        assert len(s.exec(select(ElusionJudgement)).all()) == 3


def test_elusion_pages_refuse_other_roles(wired):
    app, engine, _ = wired
    _open_batch(engine)
    with Session(engine) as s:
        sample = registry.draw_elusion_sample(session=s, actor="committee1", size=2, seed=1)
    doc = sample.document_ids[0]
    for role in ROLES:
        c, tok = login(app, f"{role}1")
        get = c.get(f"/elusion/{sample.id}/documents/{doc}").status_code
        post = c.post(f"/elusion/{sample.id}/documents/{doc}", data={"csrf_token": tok, "sensitive": "0"},
                      follow_redirects=False).status_code
        if role in ("annotator", "auditor"):
            assert (get, post) == (403, 403), role
        else:
            assert get == 200 and post in (303, 409), role
    anon = TestClient(app)
    r = anon.get(f"/elusion/{sample.id}/documents/{doc}", headers={"accept": "text/html"}, follow_redirects=False)
    assert r.status_code == 303 and "/login" in r.headers["location"]
    assert TEXT[:8] not in anon.get(f"/elusion/{sample.id}", headers={"accept": "application/json"}).text
