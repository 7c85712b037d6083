"""Ingesting folders end to end: every format, errors that do not stop the batch, idempotent
re-runs, catalogue matching and reporting, crash safety, and the ``kaifang ingest`` command."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlmodel import select

from ingest_helpers import SIMPLIFIED, TRADITIONAL
from review_app import audit
from review_app.db import session_scope
from review_app.ingest.runner import LazyOcr, ingest_directory
from review_app.store import documents as store
from review_app.tables import Collection, Document, IngestError
from training import sample_collection as render

CATALOGUE = ("\ufeff全宗号,档号,题名,责任者,日期,密级,文件名\n"
             "J012,J012-001-0001,关于档案开放审核的通知,福州市档案局,1987年3月15日,,\n"
             "J012,J012-001-0002,香港同胞探亲接待工作的函,福州市侨办,19840612,,\n"
             "J012,J012-001-0003,档案移交清单,福州市档案局,1986,内部,移交清单.docx\n"
             "J012,J012-001-0004,审核报告,福州市档案局,1988-05-20,秘密,\n"
             "J012,J012-001-0099,未扫描的案卷,福州市档案局,1989,,\n")


def _no_ocr():
    raise AssertionError("no file in this folder needs OCR")


def make_folder(root: Path) -> Path:
    """A small archive: good files of every text format plus the usual broken ones."""
    (root / "text").mkdir(parents=True)
    render.write_txt(root / "text" / "J012-001-0001.txt", SIMPLIFIED, "gb18030")
    render.write_txt(root / "text" / "J012-001-0002_函.txt", TRADITIONAL, "big5")
    render.write_txt(root / "text" / "无目录的文件.txt", "一份没有编目的文件。", "utf-8")
    render.write_docx(root / "移交清单.docx", "档案移交清单\n局办公室：\n现移交以下档案：\n请查收。",
                      table=[["序号", "项目"], ["1", "文书档案"]])
    render.write_text_pdf(root / "J012-001-0004.pdf", ["第一页：审核报告", "第二页：审核意见"])
    (root / "broken").mkdir()
    (root / "broken" / "damaged.pdf").write_bytes(b"%PDF-1.4\ngarbage")
    (root / "broken" / "empty.txt").write_bytes(b"")
    render.write_encrypted_pdf(root / "broken" / "locked.pdf", "机密")
    (root / "broken" / "table.xls").write_bytes(b"\xd0\xcf\x11\xe0")
    (root / ".DS_Store").write_bytes(b"\x00\x00")
    (root / "catalogue.csv").write_text(CATALOGUE, encoding="utf-8")
    return root / "catalogue.csv"


def test_ingest_folder_reports_errors_and_is_idempotent(engine, tmp_path):
    catalogue = make_folder(tmp_path / "archive")
    root = tmp_path / "archive"
    report = ingest_directory(engine=engine, root=root, catalogue=catalogue, collection="测试全宗",
                              ocr=LazyOcr(engine=None), actor="tester")
    assert report.ingested == 5 and report.duplicates == 0
    assert sorted(e["path"] for e in report.errors) == ["broken/damaged.pdf", "broken/empty.txt",
                                                        "broken/locked.pdf", "broken/table.xls"]
    reasons = {e["path"]: e["reason"] for e in report.errors}
    assert "encrypted" in reasons["broken/locked.pdf"] and "empty" in reasons["broken/empty.txt"]
    assert "unsupported" in reasons["broken/table.xls"] and "PDF" in reasons["broken/damaged.pdf"]
    assert [r["reference_code"] for r in report.unmatched_catalogue_rows] == ["J012-001-0099"]
    # broken files without a catalogue row are reported too: nothing is silently dropped
    assert "text/无目录的文件.txt" in report.unmatched_files and "catalogue.csv" not in report.unmatched_files
    assert report.files_seen == 9  # hidden .DS_Store and the catalogue itself are skipped

    with session_scope(engine) as s:
        coll = s.exec(select(Collection).where(Collection.name == "测试全宗")).one()
        assert coll.fonds_code == "J012"
        docs = {Path(d.source_path).name: d for d in s.exec(select(Document)).all()}
        gb = docs["J012-001-0001.txt"]
        assert gb.encoding == "gb18030" and gb.text == SIMPLIFIED
        assert (gb.reference_code, gb.title, gb.date_text, gb.year) == (
            "J012-001-0001", "关于档案开放审核的通知", "1987-03-15", 1987)
        assert docs["J012-001-0002_函.txt"].encoding == "big5" and docs["J012-001-0002_函.txt"].text == TRADITIONAL
        assert docs["移交清单.docx"].reference_code == "J012-001-0003" and "1\t文书档案" in docs["移交清单.docx"].text
        pdf = docs["J012-001-0004.pdf"]
        assert pdf.page_count == 2 and pdf.classification == "秘密"
        assert docs["无目录的文件.txt"].reference_code is None and docs["无目录的文件.txt"].title
        assert len(s.exec(select(IngestError)).all()) == 4
        assert audit.verify(session=s) is None

    again = ingest_directory(engine=engine, root=root, catalogue=catalogue, collection="测试全宗",
                             ocr=LazyOcr(engine=None), actor="tester")
    assert again.ingested == 0 and again.duplicates == 5 and len(again.errors) == 4
    with session_scope(engine) as s:
        assert store.count_documents(session=s) == 5
        assert len(s.exec(select(IngestError)).all()) == 4  # errors are not piled up on re-runs


def test_duplicate_files_in_one_batch(sqlite_engine, tmp_path):
    tmp_path = tmp_path / "docs"  # the test database lives in tmp_path itself
    render.write_txt(tmp_path / "a.txt", SIMPLIFIED, "utf-8")
    render.write_txt(tmp_path / "b_copy.txt", SIMPLIFIED, "utf-8")
    report = ingest_directory(engine=sqlite_engine, root=tmp_path, ocr=LazyOcr(engine=None))
    assert (report.ingested, report.duplicates, report.duplicate_paths) == (1, 1, ["b_copy.txt"])
    assert report.collection == tmp_path.name  # default: the folder's name


def test_crash_mid_batch_keeps_what_was_committed(sqlite_engine, tmp_path, monkeypatch):
    tmp_path = tmp_path / "docs"
    for i in range(5):
        render.write_txt(tmp_path / f"doc{i}.txt", f"第{i}号文件：关于档案开放的报告。", "gb18030")
    real = store.add_document
    calls = {"n": 0}

    def dies_on_third(**kw):
        calls["n"] += 1
        if calls["n"] == 3:
            raise RuntimeError("power failure")
        return real(**kw)

    monkeypatch.setattr(store, "add_document", dies_on_third)
    with pytest.raises(RuntimeError, match="power failure"):
        ingest_directory(engine=sqlite_engine, root=tmp_path, ocr=LazyOcr(engine=None))
    with session_scope(sqlite_engine) as s:
        assert sorted(Path(d.source_path).name for d in store.list_documents(session=s)) == ["doc0.txt", "doc1.txt"]
    monkeypatch.setattr(store, "add_document", real)
    report = ingest_directory(engine=sqlite_engine, root=tmp_path, ocr=LazyOcr(engine=None))
    assert (report.ingested, report.duplicates) == (3, 2)
    with session_scope(sqlite_engine) as s:
        assert store.count_documents(session=s) == 5
        assert audit.verify(session=s) is None


def test_unexpected_extractor_failure_becomes_an_error_row(sqlite_engine, tmp_path):
    from review_app.ingest.extract import extract_file

    tmp_path = tmp_path / "docs"
    for name in ("a.txt", "b.txt", "c.txt"):
        render.write_txt(tmp_path / name, f"文件{name}", "utf-8")

    def flaky(path, ocr):
        if path.name == "b.txt":
            raise KeyError("parser bug")
        return extract_file(path, ocr)

    report = ingest_directory(engine=sqlite_engine, root=tmp_path, ocr=LazyOcr(engine=None), extractor=flaky)
    assert report.ingested == 2
    assert report.errors == [{"path": "b.txt", "reason": "unexpected error while reading the file (KeyError: 'parser bug')"}]


def test_missing_folder_is_refused(sqlite_engine, tmp_path):
    with pytest.raises(FileNotFoundError):
        ingest_directory(engine=sqlite_engine, root=tmp_path / "nope")


# --------------------------------------------------------------------------- the CLI


def _run_cli(args, home: Path):
    from typer.testing import CliRunner

    from kaifang.cli import app

    return CliRunner().invoke(app, args, env={"KAIFANG_HOME": str(home), "KAIFANG_DATABASE_URL": ""})


def test_cli_json_with_a_scan(tmp_path):
    root = tmp_path / "archive"
    catalogue = make_folder(root)
    render.write_image(root / "J012-001-0005_扫描.png",
                       render.render_scan("福州市档案局关于档案开放审核工作的报告", seed=1, width=700), "png")
    result = _run_cli(["ingest", str(root), "--catalogue", str(catalogue), "--collection", "CLI全宗", "--json"],
                      tmp_path / "home")
    assert result.exit_code == 0, result.output
    out = json.loads(result.stdout)  # stdout holds exactly one JSON object, OCR logs included
    assert out["ingested"] == 6 and out["duplicates"] == 0 and out["collection"] == "CLI全宗"
    assert len(out["errors"]) == 4 and {"path", "reason"} <= set(out["errors"][0])
    assert out["unmatched_catalogue_rows"][0]["reference_code"] == "J012-001-0099"
    assert "J012-001-0005_扫描.png" in out["unmatched_files"] and out["ocr_pages"] == 1
    assert (tmp_path / "home" / "kaifang.db").exists()

    again = _run_cli(["ingest", str(root), "--catalogue", str(catalogue), "--collection", "CLI全宗", "--json",
                      "--strict"], tmp_path / "home")
    assert again.exit_code == 1  # --strict: some files could not be ingested
    out2 = json.loads(again.stdout)
    assert out2["ingested"] == 0 and out2["duplicates"] == 6


def test_cli_validates_its_input(tmp_path):
    r = _run_cli(["ingest", str(tmp_path / "missing")], tmp_path / "home")
    assert r.exit_code == 2 and "folder not found" in r.output
    r = _run_cli(["ingest", str(tmp_path), "--ocr", "abbyy"], tmp_path / "home")
    assert r.exit_code == 2 and "unknown OCR engine" in r.output
    r = _run_cli(["ingest", str(tmp_path), "--catalogue", str(tmp_path / "none.csv")], tmp_path / "home")
    assert r.exit_code == 2 and "catalogue file not found" in r.output
    bad = tmp_path / "bad.csv"
    bad.write_text("题名\n通知\n", encoding="utf-8")
    r = _run_cli(["ingest", str(tmp_path), "--catalogue", str(bad)], tmp_path / "home")
    assert r.exit_code == 2 and "档号" in r.output


def test_cli_help_explains_itself():
    from typer.testing import CliRunner

    from kaifang.cli import app

    r = CliRunner().invoke(app, ["ingest", "--help"])
    assert r.exit_code == 0
    for term in ("档号", "题名", "责任者", "密级", "全宗", "GB18030", "Big5", "--catalogue", "--json", "--ocr"):
        assert term in r.output
