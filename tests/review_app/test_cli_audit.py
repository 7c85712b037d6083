"""``kaifang audit verify|head|export`` and ``kaifang users`` against a real store."""
from __future__ import annotations

import csv
import json

from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from kaifang.cli import app
from review_app.config import Settings
from review_app.db import engine_for, make_engine
from review_fixtures import make_document, scan_and_propose


def _env(tmp_path):
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    eng = engine_for(Settings(home=home, database_url=url))  # as the app and the CLI build it
    with Session(eng, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id)
    return {"KAIFANG_HOME": str(home), "KAIFANG_DATABASE_URL": url}, eng, doc_id


def test_verify_head_and_tamper(tmp_path):
    env, eng, doc_id = _env(tmp_path)
    run = CliRunner().invoke
    published = tmp_path / "home" / "audit-head.json"  # written by the store after every commit
    assert json.loads(published.read_text())["seq"] == 4  # collection, ingest, detect, propose
    r = run(app, ["audit", "verify"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["intact"] is True
    assert json.loads(r.stdout)["checked_against"] == str(published.resolve())
    head_file = tmp_path / "published" / "head.json"
    r = run(app, ["audit", "head", "--out", str(head_file)], env=env)
    assert r.exit_code == 0 and json.loads(head_file.read_text())["seq"] == 4
    assert run(app, ["audit", "verify", "--head", str(head_file)], env=env).exit_code == 0
    # edit event 1 in SQL: verify names it
    with eng.begin() as c:
        c.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 1"))
    r = run(app, ["audit", "verify"], env=env)
    assert r.exit_code == 1 and json.loads(r.stdout)["first_broken"] == 1 and "event #1" in r.stderr
    # a wholesale rewrite (table emptied and re-chained) is caught by the head published automatically
    with eng.begin() as c:
        c.execute(text("DELETE FROM audit_event"))
    raw = make_engine(env["KAIFANG_DATABASE_URL"])  # a writer that does not publish (a database admin's script)
    with Session(raw) as s:
        from review_app import audit

        for i in range(3):
            audit.append(session=s, actor="mallory", action="rewrite", payload={"i": i})
        s.commit()
    r = run(app, ["audit", "verify", "--no-rows"], env=env)
    assert r.exit_code == 1 and json.loads(r.stdout)["first_broken"] == 4  # the new chain lacks the head
    r = run(app, ["audit", "verify", "--no-rows", "--head", str(head_file)], env=env)
    assert r.exit_code == 1  # ...as it lacks a head published elsewhere
    r = run(app, ["audit", "verify", "--head", str(tmp_path / "nope.json")], env=env)
    assert r.exit_code == 2 and "not a head file" in r.stderr
    # deleting the published head does not hide the rewrite: a missing head is a finding too
    published.unlink()
    r = run(app, ["audit", "verify", "--no-rows"], env=env)
    assert r.exit_code == 1 and "no published head" in json.loads(r.stdout)["problem"]


def test_unwritable_out_is_a_one_line_error(tmp_path):
    env, _, _ = _env(tmp_path)
    run = CliRunner().invoke
    blocked = tmp_path / "a-file"  # tests run as root here, so a read-only folder would not stop them
    blocked.write_text("x")
    for args in (["audit", "head", "--out", str(blocked / "head.json")],
                 ["audit", "export", "--out", str(blocked / "a.jsonl")],
                 ["audit", "export", "--out", str(tmp_path / ("档" * 90 + ".jsonl"))]):  # 270 bytes: too long
        r = run(app, args, env=env)
        assert r.exit_code == 2 and r.stderr.startswith("kaifang: cannot write"), (args, r.stderr)
        assert "Traceback" not in r.stderr and len(r.stderr.strip().splitlines()) == 1
    r = run(app, ["audit", "export", "--format", "jsonl", "--user", "cli"], env=env)
    assert r.stdout == ""  # the failed exports were not recorded as exports


def test_export_filters_and_is_audited(tmp_path):
    env, eng, doc_id = _env(tmp_path)
    run = CliRunner().invoke
    out = tmp_path / "audit.csv"
    r = run(app, ["audit", "export", "--format", "csv", "--document", str(doc_id), "--out", str(out)], env=env)
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["action"] for x in rows] == ["ingest", "detect", "propose"]
    r = run(app, ["audit", "export", "--format", "jsonl", "--user", "cli"], env=env)
    assert [json.loads(x)["action"] for x in r.stdout.splitlines()] == ["export"]  # the first export's event
    assert run(app, ["audit", "export", "--format", "xml"], env=env).exit_code == 2
    assert run(app, ["audit", "export", "--since", "last week"], env=env).exit_code == 2
    r = run(app, ["audit", "export", "--until", "2000-01-01"], env=env)
    assert r.exit_code == 0 and r.stdout == ""


def test_users_cli(tmp_path):
    env, eng, _ = _env(tmp_path)
    run = CliRunner().invoke
    r = run(app, ["users", "create", "王审核", "--role", "reviewer", "--password", "long enough pw"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout) == {"username": "王审核", "role": "reviewer"}
    assert run(app, ["users", "create", "x9", "--role", "boss", "--password", "long enough pw"], env=env).exit_code == 2
    assert run(app, ["users", "set-role", "王审核", "committee"], env=env).exit_code == 0
    r = run(app, ["users", "list", "--json"], env=env)
    assert json.loads(r.stdout) == [{"username": "王审核", "role": "committee", "active": True}]
    assert run(app, ["users", "deactivate", "王审核"], env=env).exit_code == 0
    assert run(app, ["users", "deactivate", "nobody"], env=env).exit_code == 2
