"""After the committee's final decision, spans and decisions are frozen until an audited reopening.

The probe of 0c6a129 rejected a span after the final decision and a re-release changed. Now every
change is refused (409 in the API), a re-release is identical, and changing anything takes a
committee member's reopening with a reason, on the record, after which the document is withheld
until it is finalised again.
"""
from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app_helpers import PASSWORD, login
from review_app import audit
from review_app.config import Settings
from review_app.main import create_app
from review_app.store import integrity, release, review, users
from review_app.tables import AuditEvent, SpanRecord

from release_fixtures import COLLECTION, make_release_collection


def _v(s, doc_id):
    return review.document_version(session=s, document_id=doc_id)


def _live_span(s, doc_id, label):
    return s.exec(select(SpanRecord).where(SpanRecord.document_id == doc_id, SpanRecord.label == label,
                                           SpanRecord.status.in_(review.ACTIVE_SPAN_STATUSES))).first()


def test_every_change_to_a_final_document_is_refused(engine):
    with Session(engine, expire_on_commit=False) as s:
        ids = make_release_collection(s)
        d = ids["redacted"]
        span = _live_span(s, d, "ID_NUMBER")
        attempts = {
            "reject": lambda: review.reject_span(session=s, span_id=span.id, actor="rev1", version=_v(s, d)),
            "accept": lambda: review.accept_span(session=s, span_id=span.id, actor="rev1", version=_v(s, d)),
            "relabel": lambda: review.relabel_span(session=s, span_id=span.id, label="PHONE", actor="rev1",
                                                   version=_v(s, d)),
            "resize": lambda: review.resize_span(session=s, span_id=span.id, start=span.start + 1, end=span.end,
                                                 actor="rev1", version=_v(s, d)),
            "add": lambda: review.add_span(session=s, document_id=d, start=0, end=2, label="ORG", actor="rev1",
                                           version=_v(s, d)),
            "undo": lambda: review.undo(session=s, document_id=d, actor="rev1", version=_v(s, d)),
            "decide": lambda: review.decide(session=s, document_id=d, actor="rev1", decision="OPEN", version=_v(s, d)),
            "finalize": lambda: review.finalize(session=s, document_id=d, actor="com2", decision="OPEN",
                                                note="x", version=_v(s, d)),
            "rescan": lambda: review.record_detection(session=s, document_id=d, spans=[], model_version="m2",
                                                      replace=True),
        }
        for name, attempt in attempts.items():
            with pytest.raises(review.FrozenError, match="final decision"):
                attempt()
        assert integrity.verify_rows(session=s) == [] and audit.verify(session=s) is None


def test_reject_after_final_cannot_change_a_re_release(engine, tmp_path):
    with Session(engine, expire_on_commit=False) as s:
        ids = make_release_collection(s)
        first = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "r1", actor="a")
        span = _live_span(s, ids["redacted"], "ID_NUMBER")
        with pytest.raises(review.FrozenError):
            review.reject_span(session=s, span_id=span.id, actor="rev1", version=_v(s, ids["redacted"]))
        second = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "r2", actor="a")
    def files(rep):
        return {d["file"]: d["sha256"] for d in json.loads((tmp_path / rep / "manifest.json").read_text())["documents"]}

    assert files("r1") == files("r2") and first["counts"] == second["counts"]


def test_reopening_is_a_committee_act_with_a_reason_on_the_record(tmp_path, sqlite_engine):
    with Session(sqlite_engine, expire_on_commit=False) as s:
        ids = make_release_collection(s)
        for name, role in (("rev1", "reviewer"), ("com1", "committee"), ("com2", "committee")):
            users.create_user(session=s, username=name, password=PASSWORD, role=role, actor="setup")
    app = create_app(Settings(home=tmp_path / "home", secret_key="k" * 40), engine=sqlite_engine)
    d = ids["redacted"]
    rev, rcsrf = login(app, "rev1")
    doc = rev.get(f"/api/documents/{d}").json()
    assert doc["frozen"] is True and doc["can"]["edit_spans"] is False and doc["can"]["reopen"] is False
    span = next(x for x in doc["spans"] if x["label"] == "ID_NUMBER")
    v = doc["document"]["version"]
    r = rev.post(f"/api/spans/{span['id']}/reject", json={"version": v}, headers={"X-CSRF-Token": rcsrf})
    assert r.status_code == 409 and "frozen" in r.json()["detail"]
    assert rev.post(f"/api/documents/{d}/rescan", json={"version": v},
                    headers={"X-CSRF-Token": rcsrf}).status_code == 409
    assert rev.post(f"/api/documents/{d}/reopen", json={"version": v, "note": "x"},
                    headers={"X-CSRF-Token": rcsrf}).status_code == 403  # reviewers cannot reopen
    com, ccsrf = login(app, "com2")
    assert com.get(f"/api/documents/{d}").json()["can"]["reopen"] is True
    page = com.get(f"/documents/{d}").text
    assert 'id="reopen-form"' in page and 'id="frozen-note"' in page
    r = com.post(f"/api/documents/{d}/reopen", json={"version": v, "note": "  "}, headers={"X-CSRF-Token": ccsrf})
    assert r.status_code == 400 and "needs a note" in r.json()["detail"]
    form = page.split('id="reopen-form"')[1]
    token = form.split('name="csrf_token" value="')[1].split('"')[0]
    r = com.post(f"/documents/{d}/reopen", data={"csrf_token": token, "version": v, "note": "发现漏标的身份证号"},
                 follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == f"/documents/{d}"
    doc = rev.get(f"/api/documents/{d}").json()
    assert doc["frozen"] is False and doc["document"]["status"] == "reviewed"
    r = rev.post(f"/api/spans/{span['id']}/accept", json={"version": doc["document"]["version"]},
                 headers={"X-CSRF-Token": rcsrf})
    assert r.status_code == 200  # open again for review
    with Session(sqlite_engine) as s:
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "decision.reopen")).one()
        p = json.loads(ev.payload)
        assert ev.actor == "com2" and p["note"] == "发现漏标的身份证号" and p["final_decision"] == "OPEN_REDACTED"
        rep = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "rel", actor="a")
        assert d in {x["id"] for x in rep["withheld"]["not_final"]}  # withheld until finalised again
        assert integrity.verify_rows(session=s) == [] and audit.verify(session=s) is None
    v = rev.get(f"/api/documents/{d}").json()["document"]["version"]
    r = com.post(f"/api/documents/{d}/reopen", json={"version": v, "note": "again"}, headers={"X-CSRF-Token": ccsrf})
    assert r.status_code == 400 and "nothing to reopen" in r.json()["detail"]
    assert TestClient(app).get(f"/api/documents/{d}").status_code == 401


def test_a_collection_rescan_leaves_frozen_documents_alone(tmp_path):
    from typer.testing import CliRunner

    from kaifang.cli import app as cli
    from review_app.db import engine_for

    url = f"sqlite:///{tmp_path / 'k.db'}"
    eng = engine_for(Settings(home=tmp_path / "home", database_url=url))
    with Session(eng, expire_on_commit=False) as s:
        make_release_collection(s)
    env = {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": url}
    r = CliRunner().invoke(cli, ["scan", "--collection", COLLECTION, "--rescan", "--rules-only"], env=env)
    assert r.exit_code == 0, r.stderr
    out = json.loads(r.stdout)
    assert out["frozen"] == 5 and out["scanned"] == 2  # five have a final decision; undecided and reviewed do not
    with Session(eng) as s:
        assert integrity.verify_rows(session=s) == [] and audit.verify(session=s) is None
