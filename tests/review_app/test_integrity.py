"""The chain vouches for the rows a release trusts; one hash per chain; the head is published.

Each tampering test edits the tables in SQL, as a database admin could, and checks that
``kaifang audit verify`` names the row and that a release refuses (nothing written).
"""
from __future__ import annotations

import json

import pytest
from sqlalchemy import text
from sqlmodel import Session, select
from typer.testing import CliRunner

from kaifang.cli import app as cli
from review_app import audit
from review_app.config import Settings
from review_app.db import engine_for, make_engine
from review_app.store import integrity, model_registry, release
from review_app.tables import AuditEvent, Document, Review, SpanRecord

from release_fixtures import COLLECTION, make_release_collection
from review_fixtures import make_document, scan_and_propose


def _committee_review(s: Session, doc_id: int) -> Review:
    return s.exec(select(Review).where(Review.document_id == doc_id, Review.stage == "committee")).one()


def _release(s, out):
    return release.write_release(session=s, collection=COLLECTION, out_dir=out, actor="archivist1")


def test_store_writes_leave_every_row_covered(engine):
    with Session(engine, expire_on_commit=False) as s:
        make_release_collection(s)
        assert integrity.verify_rows(session=s) == []
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "decision.final")).first()
        rows = json.loads(ev.payload)["rows"]
        assert any(k.startswith("review:") for k in rows) and any(k.startswith("document:") for k in rows)


def test_final_decision_edited_in_sql_is_reported_and_release_refused(engine, tmp_path):
    """The probe's finding: CLOSED -> OPEN in the review table; verify said intact, release leaked."""
    with Session(engine, expire_on_commit=False) as s:
        ids = make_release_collection(s)
        final = _committee_review(s, ids["closed"])
    with engine.begin() as c:
        c.execute(text("UPDATE review SET decision = 'OPEN', reasons = '[]', closure = NULL WHERE id = :i"),
                  {"i": final.id})
    with Session(engine) as s:
        assert audit.verify(session=s) is None  # the log itself is untouched ...
        problems = integrity.verify_rows(session=s)
        assert [(p.key, p.problem) for p in problems] == [(f"review:{final.id}", "changed")]  # ... the row is not
        assert f"review row {final.id} (document {ids['closed']})" in problems[0].describe()
        with pytest.raises(release.ReleaseRefused, match=f"review row {final.id}"):
            _release(s, tmp_path / "rel")
    assert not (tmp_path / "rel").exists()


def test_span_status_inserted_and_deleted_rows_are_reported(engine):
    with Session(engine, expire_on_commit=False) as s:
        ids = make_release_collection(s)
        span = s.exec(select(SpanRecord).where(SpanRecord.document_id == ids["redacted"],
                                               SpanRecord.status == "accepted", SpanRecord.label == "ID_NUMBER")).one()
        other = s.exec(select(SpanRecord).where(SpanRecord.document_id == ids["open"])).first()
        final = _committee_review(s, ids["open"])
    with engine.begin() as c:
        c.execute(text("UPDATE span SET status = 'rejected' WHERE id = :i"), {"i": span.id})  # unmask an ID
        c.execute(text("DELETE FROM span WHERE id = :i"), {"i": other.id})
        c.execute(text("INSERT INTO review (document_id, stage, username, decision, reasons, redact, note, disagrees, "
                       "created_at) VALUES (:d, 'committee', 'mallory', 'OPEN', '[]', '[]', '', false, :t)"),
                  {"d": ids["deferred"], "t": final.created_at})
        c.execute(text("UPDATE document SET text = :t WHERE id = :i"), {"t": "改过的文本", "i": ids["open"]})
    with Session(engine) as s:
        found = {(p.key.split(":")[0], p.document_id, p.problem) for p in integrity.verify_rows(session=s)}
    assert found == {("span", ids["redacted"], "changed"), ("span", ids["open"], "missing"),
                     ("review", ids["deferred"], "unrecorded"), ("document", ids["open"], "changed")}


def test_cli_verify_names_the_edited_row_and_release_exits_2(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    env = {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": url}
    eng = engine_for(Settings(home=tmp_path / "home", database_url=url))
    with Session(eng, expire_on_commit=False) as s:
        ids = make_release_collection(s)
        final = _committee_review(s, ids["closed"])
    run = CliRunner().invoke
    assert run(cli, ["audit", "verify"], env=env).exit_code == 0
    with eng.begin() as c:
        c.execute(text("UPDATE review SET decision = 'OPEN' WHERE id = :i"), {"i": final.id})
    r = run(cli, ["audit", "verify"], env=env)
    out = json.loads(r.stdout)
    assert r.exit_code == 1 and out["intact"] is False and "first_broken" not in out
    assert out["rows"][0]["row"] == f"review:{final.id}" and f"review row {final.id}" in r.stderr
    r = run(cli, ["release", "--collection", COLLECTION, "--out", str(tmp_path / "rel")], env=env)
    assert r.exit_code == 2 and f"review row {final.id}" in r.stderr and not (tmp_path / "rel").exists()


def test_seal_covers_legacy_rows_once_and_never_a_later_insert(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id)
    doc_table = Document.__table__
    with engine.begin() as c:
        # a span slipped into a covered document behind the app's back
        c.execute(text("INSERT INTO span (document_id, start, \"end\", label, text, score, source, explanation, status, "
                       "created_at, updated_at) SELECT id, 0, 2, 'PERSON', '福州', 1.0, 'old', '', 'accepted', "
                       "created_at, updated_at FROM document WHERE id = :d"), {"d": doc_id})
        # a document stored before row digests existed (no event recorded any of its rows)
        row = dict(c.execute(doc_table.select().where(doc_table.c.id == doc_id)).mappings().one())
        row.pop("id")
        legacy = c.execute(doc_table.insert().values(**{**row, "sha256": "f" * 64})).inserted_primary_key[0]
    with Session(engine) as s:
        before = {(p.document_id, p.problem) for p in integrity.verify_rows(session=s)}
        assert before == {(doc_id, "unrecorded"), (legacy, "unrecorded")}
        assert integrity.seal_unrecorded(session=s, actor="admin") == {"documents": 1, "rows": 1}
        assert integrity.seal_unrecorded(session=s, actor="admin") == {"documents": 0, "rows": 0}  # idempotent
        after = integrity.verify_rows(session=s)
        assert [(p.document_id, p.problem) for p in after] == [(doc_id, "unrecorded")]  # the slipped-in span stays
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "integrity.seal")).one()
        assert ev.subject == f"document:{legacy}" and ev.actor == "admin" and audit.verify(session=s) is None


# --------------------------------------------------------------------------- one hash per chain


def test_configured_hash_differing_from_the_chain_is_refused(tmp_path, sqlite_engine):
    from review_app.main import create_app

    with Session(sqlite_engine) as s:  # a SHA-256 chain
        audit.append(session=s, actor="setup", action="test")
        s.commit()
    audit.configure(sqlite_engine, algo="sm3")
    with Session(sqlite_engine) as s, pytest.raises(audit.AuditConfigError, match="started with sha256"):
        audit.append(session=s, actor="x", action="test")
    with pytest.raises(audit.AuditConfigError):
        create_app(Settings(home=tmp_path / "h", secret_key="k" * 40, audit_hash="sm3"), engine=sqlite_engine)


def test_a_mixed_chain_is_reported(sqlite_engine):
    with Session(sqlite_engine) as s:
        for i in range(3):
            audit.append(session=s, actor="setup", action="test", payload={"i": i})
            s.commit()
        last = audit.head(session=s)
        body = audit.canonical({})
        ts = audit.timestamp()
        h = audit.event_hash(algo="sm3", prev_hash=last.hash, ts=ts, actor="x", action="test", subject="", payload=body)
        s.add(AuditEvent(ts=ts, actor="x", action="test", subject="", payload=body, algo="sm3", prev_hash=last.hash,
                         hash=h))
        s.commit()
        assert audit.verify(session=s) == 4  # well linked, but not the chain's hash


def test_model_registry_and_scan_use_the_configured_hash(tmp_path):
    """The probe: with KAIFANG_AUDIT_HASH=sm3 the registry and ``kaifang scan`` wrote SHA-256 links."""
    url = f"sqlite:///{tmp_path / 'k.db'}"
    env = {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": url, "KAIFANG_AUDIT_HASH": "sm3"}
    eng = engine_for(Settings(home=tmp_path / "home", database_url=url, audit_hash="sm3"))
    with Session(eng) as s:
        make_document(s, n=2, collection="扫描全宗")
        (tmp_path / "mv").mkdir()
        model_registry.register_version(session=s, name="m1", path=str(tmp_path / "mv"), actor="admin")
    r = CliRunner().invoke(cli, ["scan", "--collection", "扫描全宗", "--rules-only"], env=env)
    assert r.exit_code == 0, r.stderr
    with Session(make_engine(url)) as s:
        events = list(s.exec(select(AuditEvent)))
        assert {e.action for e in events} >= {"ingest", "model.register", "detect"}
        assert {e.algo for e in events} == {"sm3"} and audit.verify(session=s) is None


# --------------------------------------------------------------------------- the published head


def test_head_is_published_after_commit_only_and_never_backwards(tmp_path, sqlite_engine):
    head_file = tmp_path / "pub" / "head.json"
    audit.configure(sqlite_engine, algo=None, head_file=head_file)
    with Session(sqlite_engine) as s:
        audit.append(session=s, actor="a", action="test")
        s.rollback()
        assert not head_file.exists()  # a rolled-back event is never published
        audit.append(session=s, actor="a", action="test")
        audit.append(session=s, actor="a", action="test")
        assert not head_file.exists()
        s.commit()
        assert audit.read_head(head_file) == audit.head(session=s) and audit.head(session=s).seq == 2
    assert audit.write_head_file(head_file, audit.Head(seq=1, hash="0" * 64)) is False  # an earlier head
    assert audit.read_head(head_file).seq == 2
    with Session(sqlite_engine) as s:  # truncation is caught against the automatic head, without --head
        assert audit.verify_published(session=s).intact
    with sqlite_engine.begin() as c:
        c.execute(text("DELETE FROM audit_event WHERE seq = 2"))
    with Session(sqlite_engine) as s:
        check = audit.verify_published(session=s)
        assert not check.intact and check.first_broken == 2


def test_every_release_manifest_carries_a_head_that_verify_accepts(tmp_path):
    url = f"sqlite:///{tmp_path / 'k.db'}"
    env = {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": url}
    eng = engine_for(Settings(home=tmp_path / "home", database_url=url))
    with Session(eng, expire_on_commit=False) as s:
        make_release_collection(s)
        _release(s, tmp_path / "rel")
    manifest = tmp_path / "rel" / "manifest.json"
    assert json.loads(manifest.read_text())["audit_head"]["seq"] > 0
    run = CliRunner().invoke
    assert run(cli, ["audit", "verify", "--head", str(manifest)], env=env).exit_code == 0
    with eng.begin() as c:  # the log is cut back to before the release's head
        c.execute(text("DELETE FROM audit_event WHERE seq >= (SELECT max(seq) - 3 FROM audit_event)"))
    r = run(cli, ["audit", "verify", "--no-rows", "--head", str(manifest)], env=env)
    assert r.exit_code == 1 and "first_broken" in json.loads(r.stdout)


def test_an_unusable_data_directory_is_a_one_line_error(tmp_path):
    blocked = tmp_path / "a-file"
    blocked.write_text("x")
    r = CliRunner().invoke(cli, ["audit", "verify"], env={"KAIFANG_HOME": str(blocked / "home"),
                                                          "KAIFANG_DATABASE_URL": ""})
    assert r.exit_code == 2 and r.stderr.startswith("kaifang: cannot create the data directory")
