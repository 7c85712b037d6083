"""``kaifang audit verify|head|export`` and ``kaifang users`` against a real store."""
from __future__ import annotations

import csv
import json

from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from kaifang.cli import app
from review_app.db import make_engine, upgrade
from review_fixtures import make_document, scan_and_propose


def _env(tmp_path):
    home = tmp_path / "home"
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    eng = make_engine(url)
    upgrade(eng)
    with Session(eng, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        scan_and_propose(s, doc_id)
    return {"KAIFANG_HOME": str(home), "KAIFANG_DATABASE_URL": url}, eng, doc_id


def test_verify_head_and_tamper(tmp_path):
    env, eng, doc_id = _env(tmp_path)
    run = CliRunner().invoke
    r = run(app, ["audit", "verify"], env=env)
    assert r.exit_code == 0 and json.loads(r.stdout)["intact"] is True
    head_file = tmp_path / "published" / "head.json"
    r = run(app, ["audit", "head", "--out", str(head_file)], env=env)
    assert r.exit_code == 0 and json.loads(head_file.read_text())["seq"] == 2
    assert run(app, ["audit", "verify", "--head", str(head_file)], env=env).exit_code == 0
    # edit event 1 in SQL: verify names it
    with eng.begin() as c:
        c.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 1"))
    r = run(app, ["audit", "verify"], env=env)
    assert r.exit_code == 1 and json.loads(r.stdout)["first_broken"] == 1 and "event #1" in r.stderr
    # a wholesale rewrite (table emptied and re-chained) is caught by the published head
    with eng.begin() as c:
        c.execute(text("DELETE FROM audit_event"))
    with Session(eng) as s:
        from review_app import audit

        for i in range(3):
            audit.append(session=s, actor="mallory", action="rewrite", payload={"i": i})
        s.commit()
    assert run(app, ["audit", "verify"], env=env).exit_code == 0  # a self-consistent new chain...
    r = run(app, ["audit", "verify", "--head", str(head_file)], env=env)
    assert r.exit_code == 1  # ...that does not contain the published head
    r = run(app, ["audit", "verify", "--head", str(tmp_path / "nope.json")], env=env)
    assert r.exit_code == 2 and "not a head file" in r.stderr


def test_export_filters_and_is_audited(tmp_path):
    env, eng, doc_id = _env(tmp_path)
    run = CliRunner().invoke
    out = tmp_path / "audit.csv"
    r = run(app, ["audit", "export", "--format", "csv", "--document", str(doc_id), "--out", str(out)], env=env)
    assert r.exit_code == 0, r.stderr
    rows = list(csv.DictReader(out.open(encoding="utf-8")))
    assert [x["action"] for x in rows] == ["detect", "propose"]
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
