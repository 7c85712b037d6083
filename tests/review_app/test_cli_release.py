"""``kaifang release`` against a real SQLite store: report, elusion estimate, refusals with exit 2."""
from __future__ import annotations

import json

from sqlalchemy import text
from sqlmodel import Session
from typer.testing import CliRunner

from kaifang.cli import app
from review_app.config import Settings
from review_app.db import engine_for
from review_app.store import model_registry
from review_app.store.documents import get_collection

from release_fixtures import COLLECTION, MASKED, make_release_collection


def _env(tmp_path):
    url = f"sqlite:///{tmp_path / 'cli.db'}"
    eng = engine_for(Settings(home=tmp_path / "home", database_url=url))  # as the app and the CLI build it
    with Session(eng, expire_on_commit=False) as s:
        ids = make_release_collection(s)
    return {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": url}, eng, ids


def test_release_cli_report_elusion_and_refusals(tmp_path):
    env, eng, ids = _env(tmp_path)
    run = CliRunner().invoke
    out = tmp_path / "release"
    with Session(eng, expire_on_commit=False) as s:  # a blind check of the batch's OPEN proposals
        col = get_collection(session=s, name=COLLECTION)
        sample = model_registry.draw_elusion_sample(session=s, actor="com1", size=5, seed=7, collection_id=col.id)
        for d in sample.document_ids:
            model_registry.record_elusion_judgement(session=s, sample_id=sample.id, document_id=d,
                                                    username="rev2", sensitive=False)
    r = run(app, ["release", "--collection", COLLECTION, "--out", str(out), "--actor", "archivist1", "--json"], env=env)
    assert r.exit_code == 0, r.stderr
    rep = json.loads(r.stdout)
    assert rep["counts"]["released"] == 3 and rep["counts"]["withheld"]["deferred"] == 1
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert m["elusion"]["sample"] == sample.id and m["elusion"]["complete"] is True
    assert m["elusion"]["estimate"]["sensitive"] == 0 and 0 < m["elusion"]["estimate"]["high"] < 1
    assert not any("elusion" in w for w in m["warnings"])
    copy = (out / "texts" / "J001-2023-0002.txt").read_text(encoding="utf-8")
    assert not any(v in copy for v in MASKED)

    # plain report; a re-run is refused without --force, replaced with it
    r = run(app, ["release", "--collection", COLLECTION, "--out", str(out)], env=env)
    assert r.exit_code == 2 and "already exists" in r.stderr and "--force" in r.stderr
    r = run(app, ["release", "--collection", COLLECTION, "--out", str(out), "--force"], env=env)
    assert r.exit_code == 0, r.stderr
    assert "released 3 of 7 documents" in r.stdout and "withheld (not_final): 2" in r.stdout
    assert "J001-2023-0003" in r.stdout  # the operator's report names what was withheld
    assert "manifest sha256" in r.stdout

    r = run(app, ["release", "--collection", "无此全宗", "--out", str(tmp_path / "x")], env=env)
    assert r.exit_code == 2 and "unknown collection" in r.stderr

    with eng.begin() as c:
        c.execute(text("UPDATE audit_event SET payload = '{}' WHERE seq = 2"))
    r = run(app, ["release", "--collection", COLLECTION, "--out", str(tmp_path / "again")], env=env)
    assert r.exit_code == 2 and "audit chain is broken at event #2" in r.stderr
    assert not (tmp_path / "again").exists()


def test_release_cli_input_errors_are_one_line(tmp_path):
    env, _eng, _ids = _env(tmp_path)
    run = CliRunner().invoke
    r = run(app, ["release"], env=env)
    assert r.exit_code == 2 and "needs --collection and --out" in r.stderr and "Traceback" not in r.output
    r = run(app, ["release", "--collection", COLLECTION, "--out", str(tmp_path / "o"), "--ocr", "nope"], env=env)
    assert r.exit_code == 2 and "unknown OCR engine 'nope'" in r.stderr and not (tmp_path / "o").exists()
    r = run(app, ["release", "--collection", COLLECTION, "verify", str(tmp_path)], env=env)
    assert r.exit_code == 2 and "not both" in r.stderr
    r = run(app, ["release", "verify", str(tmp_path / "missing")], env=env)
    assert r.exit_code == 2 and "is not a directory" in r.stderr
    # a text-only release verifies (no OCR needed: nothing was rebuilt)
    r = run(app, ["release", "--collection", COLLECTION, "--out", str(tmp_path / "rel"), "--quiet"], env=env)
    assert r.exit_code == 0 and "verified leak-free: 2 masked text copies" in r.stdout, r.stderr
    r = run(app, ["release", "verify", str(tmp_path / "rel"), "--json"], env=env)
    rep = json.loads(r.stdout)
    assert r.exit_code == 0 and rep["ok"] and rep["checked"]["text_copies"] == 2 and rep["checked"]["pdfs"] == 0
    (tmp_path / "rel" / "texts" / "J001-2023-0002.txt").write_text("申请人350102198703154511", encoding="utf-8")
    r = run(app, ["release", "verify", str(tmp_path / "rel")], env=env)
    assert r.exit_code == 2 and "sha256 differs" in r.stderr and "shows the ID_NUMBER value" in r.stderr
    assert "350102198703154511" not in r.output
