"""Release holds back what the committee opened before its closed period ended, and names it.

The defect: a release opened records formed in 2002 and 2003 (eligible only in 2027 and 2028)
without a word. Now they are withheld as ``not_yet_eligible`` with their 档号 and date.
"""
from __future__ import annotations

import json
from datetime import date

from sqlmodel import Session
from typer.testing import CliRunner

from review_app.store import release, review
from review_app.store.release_guard import eligible_from, hold_not_yet_eligible
from review_app.tables import Document
from review_fixtures import make_document, scan_and_propose

COLLECTION = "发布批次"


def _v(s, doc_id):
    return review.document_version(session=s, document_id=doc_id)


def _opened(s, year: int, n: int = 1, genre: str = "", date_text: str | None = None) -> list[int]:
    ids = make_document(s, n=n, collection=COLLECTION, year=year)
    for doc_id in ids:
        doc = s.get(Document, doc_id)
        doc.genre = genre
        if date_text is not None:
            doc.date_text, doc.year = date_text, None
        s.add(doc)
        s.commit()
        review.propose(session=s, document_id=doc_id, result={"decision": "OPEN", "confidence": 0.95,
                                                              "model_version": "m"})
        review.decide(session=s, document_id=doc_id, actor="rev1", decision="OPEN", version=_v(s, doc_id))
        review.finalize(session=s, document_id=doc_id, actor="com1", decision="OPEN", version=_v(s, doc_id))
    return ids


def test_records_not_yet_eligible_or_undated_are_held_and_named(engine, tmp_path):
    with Session(engine, expire_on_commit=False) as s:
        (old,) = _opened(s, 1990)
        young = _opened(s, 2002, n=2)  # eligible 2027
        (economic,) = _opened(s, 2010, genre="经济")  # 10 years for economic records: eligible 2020
        (undated,) = _opened(s, 1991, date_text="")
        rep = release.write_release(session=s, collection=COLLECTION, out_dir=tmp_path / "rel", actor="t")
    assert [d["id"] for d in json.loads((tmp_path / "rel" / "manifest.json").read_text())["documents"]] == [old, economic]
    held = rep["withheld"]["not_yet_eligible"]
    assert [(d["id"], d["eligible_from"]) for d in held] == [(young[0], "2027-03-15"), (young[1], "2027-03-15")]
    assert held[0]["reference_code"] == "J001-2002-0000"
    assert rep["withheld"]["undated"] == [{"id": undated, "reference_code": "J001-1991-0000", "eligible_from": None}]
    assert rep["counts"]["withheld"]["not_yet_eligible"] == 2 and rep["counts"]["released"] == 2


def test_the_proposals_date_wins_and_the_catalogue_date_is_the_fallback(engine):
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s, year=1990)
        doc = s.get(Document, doc_id)
        assert eligible_from(doc, None) == date(2015, 3, 15)
        _, prop = scan_and_propose(s, doc_id)  # the proposer stored 2012-03-15
        assert eligible_from(doc, prop) == date(2012, 3, 15)
        kept = hold_not_yet_eligible(session=s, to_release=[(doc_id, "x")], withheld={}, today=date(2012, 3, 14))
        assert kept == []
        held: dict = {}
        assert hold_not_yet_eligible(session=s, to_release=[(doc_id, "x")], withheld=held,
                                     today=date(2012, 3, 15)) == [(doc_id, "x")]
        assert held == {}  # nothing held: no new keys in the report


def test_the_cli_report_names_the_held_records(engine, tmp_path, monkeypatch):
    if engine.dialect.name != "sqlite":
        return  # the CLI reads KAIFANG_DATABASE_URL; one backend is enough for its wording
    from kaifang.cli import app as cli
    from review_app.config import Settings
    from review_app.db import engine_for

    # built as the CLI builds it, so the audit head is published where the CLI looks for it
    eng = engine_for(Settings(home=tmp_path / "home", database_url=str(engine.url)))
    with Session(eng, expire_on_commit=False) as s:
        _opened(s, 1990)
        _opened(s, 2003)
    eng.dispose()
    monkeypatch.setenv("KAIFANG_DATABASE_URL", str(engine.url))
    monkeypatch.setenv("KAIFANG_HOME", str(tmp_path / "home"))
    r = CliRunner().invoke(cli, ["release", "--collection", COLLECTION, "--out", str(tmp_path / "rel")])
    assert r.exit_code == 0, r.output
    assert "withheld (not_yet_eligible): 1: J001-2003-0000 (eligible 2028-03-15)" in r.output
