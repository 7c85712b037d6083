"""Release of PDFs and scans: truly redacted (read back here with pdfplumber and a fresh OCR of the
rendered output, independently of the release's own check), held back when the text cannot be
located, the open catalogue as CSV and XLSX, SHA-256 and SM3 sums, and ``release verify``.

One collection is ingested (real extraction, real RapidOCR) and released once per module.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import shutil

import pytest
from sqlmodel import Session, select
from typer.testing import CliRunner

from release_pdf_fixtures import COLLECTION, FILES, HELD_BACK, ingest_and_decide
from review_app import audit
from review_app.ingest.runner import LazyOcr
from review_app.redaction.verify import normalise
from review_app.store import release
from review_app.store.release_verify import verify_release
from review_app.tables import AuditEvent

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def ocr():
    return LazyOcr("rapidocr")


@pytest.fixture(scope="module")
def released(tmp_path_factory, ocr):
    """(engine, ids, report, out, db url, progress calls) after one release of the whole collection."""
    from review_app.config import Settings
    from review_app.db import engine_for

    root = tmp_path_factory.mktemp("release_pdf")
    url = f"sqlite:///{root / 'kaifang.db'}"
    eng = engine_for(Settings(home=root / "home", database_url=url))  # as the app and the CLI build it
    ids = ingest_and_decide(eng, root / "archive", ocr)
    calls: list[tuple[int, int]] = []
    with Session(eng, expire_on_commit=False) as s:
        rep = release.write_release(session=s, collection=COLLECTION, out_dir=root / "rel", actor="archivist1",
                                    ocr=ocr, progress=lambda done, total: calls.append((done, total)))
    yield eng, ids, rep, root / "rel", url, calls
    eng.dispose()


def _entries(out):
    m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    return m, {d["id"]: d for d in m["documents"]}


def _pdf_text(path) -> list[str]:
    import pdfplumber

    with pdfplumber.open(str(path)) as pdf:
        return [p.extract_text() or "" for p in pdf.pages]


def _ocr_pages(path, ocr) -> list[str]:
    import pypdfium2 as pdfium

    doc = pdfium.PdfDocument(str(path))
    try:
        return [ocr().recognize(doc[i].render(scale=3.0).to_pil()).text for i in range(len(doc))]
    finally:
        doc.close()


def _readable(haystack: str, needle: str) -> bool:
    return normalise(needle)[0] in normalise(haystack)[0]


REDACTED = [n for n, v in FILES.items() if v[2] == "OPEN_REDACTED" and n not in HELD_BACK]


@pytest.mark.parametrize("name", REDACTED)
def test_masked_values_gone_from_text_layer_and_ocr_unmasked_text_kept(released, ocr, name):
    """Born-digital, two-page, scan, mixed, and text drawn as curves (found by OCR)."""
    _eng, ids, rep, out, _url, _ = released
    _m, docs = _entries(out)
    d = docs[ids[name]]
    ref, _title, _decision, masked, keep = FILES[name]
    assert d["file"] == f"files/{ref}.pdf" and d["text"] == f"texts/{ref}.txt"  # one stem for both
    pdf = out / d["file"]
    layer = "\n".join(_pdf_text(pdf))
    seen = "\n".join(_ocr_pages(pdf, ocr))
    text_copy = (out / d["text"]).read_text(encoding="utf-8")
    for value in masked:
        assert not _readable(layer, value), (name, "text layer")
        assert not _readable(seen, value), (name, "OCR")
        assert not _readable(text_copy, value), (name, "text copy")
    for phrase in keep:
        assert _readable(layer, phrase), (name, phrase, layer)
        assert _readable(seen, phrase), (name, phrase, seen)
        assert phrase in text_copy
    assert "■" in layer  # the text layer is made from the masked text
    assert d["verified"]["found"] == 0 and d["verified"]["ocr_pages"] == d["pages"] == len(_pdf_text(pdf))
    routes = d["redaction"]["routes"]
    expected = {"born.pdf": {"text layer": 1}, "two.pdf": {"text layer": 2}, "scan.png": {"OCR": 1},
                "mixed.pdf": {"text layer": 1, "OCR": 1}, "curves.pdf": {"OCR": 1}}[name]
    assert routes == expected and d["redaction"]["boxes"] >= len(masked)


def test_the_rebuilt_pdf_carries_nothing_of_the_original(released):
    _eng, ids, _rep, out, _url, _ = released
    _m, docs = _entries(out)
    import pypdfium2 as pdfium

    for name in REDACTED:
        data = (out / docs[ids[name]]["file"]).read_bytes()
        doc = pdfium.PdfDocument(data)
        try:
            meta = doc.get_metadata_dict()
            assert meta["Producer"] == "Kaifang release" and not meta["Author"] and not meta["Creator"]
            for page in doc:
                kinds = {obj.type for obj in page.get_objects()}
                assert kinds <= {pdfium.raw.FPDF_PAGEOBJ_IMAGE, pdfium.raw.FPDF_PAGEOBJ_TEXT}
                assert len([o for o in page.get_objects() if o.type == pdfium.raw.FPDF_PAGEOBJ_IMAGE]) == 1
        finally:
            doc.close()
        assert b"ReportLab" not in data and b"WenQuanYi" not in data


def test_text_that_cannot_be_located_is_held_back_with_a_reason(released):
    _eng, ids, rep, out, _url, _ = released
    held = {d["id"]: d["reason"] for d in rep["withheld"]["held_back"]}
    assert set(held) == {ids[n] for n in HELD_BACK}
    # text drawn as curves, its invisible text layer where nothing is drawn: no box over nothing
    why = held[ids["elsewhere.pdf"]]
    assert "page 1" in why and "ID_NUMBER" in why and "not drawn where the text layer places them" in why
    # the text layer lies over other text: the box lands there and the read-back OCR still sees the value
    why = held[ids["over.pdf"]]
    assert "OCR (rapidocr) of page 1" in why and "ID_NUMBER" in why and "3501" not in why
    m, docs = _entries(out)
    assert not {ids[n] for n in HELD_BACK} & set(docs) and m["held_back"] == sorted(held)
    names = {p.name for p in (out / "files").iterdir()} | {p.name for p in (out / "texts").iterdir()}
    assert not any(FILES[n][0] in x for n in HELD_BACK for x in names)  # nothing of theirs left
    cat = (out / "open-catalogue.csv").read_bytes().decode("utf-8-sig")
    assert all(FILES[n][0] not in cat for n in HELD_BACK)
    assert rep["counts"]["released"] == len(FILES) - len(HELD_BACK)


def test_open_originals_copied_as_they_are(released):
    _eng, ids, _rep, out, _url, _ = released
    _m, docs = _entries(out)
    archive = out.parent / "archive"
    for name in ("open.pdf", "open.png"):
        d = docs[ids[name]]
        assert d["file"] == f"files/{FILES[name][0]}{name[-4:]}" and d["redaction"] is None
        assert (out / d["file"]).read_bytes() == (archive / name).read_bytes()


def test_catalogue_csv_and_xlsx_and_sums(released):
    from openpyxl import load_workbook

    eng, ids, rep, out, _url, calls = released
    m, docs = _entries(out)
    rows = list(csv.reader(io.StringIO((out / "open-catalogue.csv").read_bytes().decode("utf-8-sig"))))
    assert rows[0] == ["档号", "题名", "责任者", "日期", "页数", "密级", "开放状态", "开放日期", "依据",
                       "屏蔽处数", "决定日期", "文件名", "文本文件", "sha256", "sm3"]
    body = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
    two = body["J002-2023-0002"]
    assert two["页数"] == "2" and two["密级"] == "秘密" and two["开放状态"] == "部分开放"
    assert two["开放日期"] == m["created_at"][:10] and two["日期"] == "1995-03-15"
    assert "档案法" in two["依据"] and "个人信息保护法" in two["依据"] and "：" not in two["依据"]
    assert "个人信息保护法" not in body["J002-2023-0008"]["依据"] and body["J002-2023-0008"]["开放状态"] == "开放"
    assert two["文件名"] == "files/J002-2023-0002.pdf" and two["文本文件"] == "texts/J002-2023-0002.txt"
    data = (out / two["文件名"]).read_bytes()
    assert two["sha256"] == hashlib.sha256(data).hexdigest() and two["sm3"] == hashlib.new("sm3", data).hexdigest()
    ws = load_workbook(out / "open-catalogue.xlsx", read_only=True).worksheets[0]
    xrows = [[("" if v is None else str(v)) for v in r] for r in ws.iter_rows(values_only=True)]
    assert xrows == rows  # the same catalogue
    for f in m["files"]:  # every file, both sums
        raw = (out / f["path"]).read_bytes()
        assert f["sha256"] == hashlib.sha256(raw).hexdigest() and f["sm3"] == hashlib.new("sm3", raw).hexdigest()
    assert {f["path"] for f in m["files"]} == {p.relative_to(out).as_posix() for p in out.rglob("*")
                                                if p.is_file() and p.name != "manifest.json"}
    with Session(eng) as s:  # both recorded in the audit chain
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "release")).one()
        p = json.loads(ev.payload)
        mraw = (out / "manifest.json").read_bytes()
        assert p["manifest_sha256"] == hashlib.sha256(mraw).hexdigest() == rep["manifest_sha256"]
        assert p["manifest_sm3"] == hashlib.new("sm3", mraw).hexdigest()
        cat = {f["path"]: f for f in m["files"]}
        for name in ("open-catalogue.csv", "open-catalogue.xlsx"):
            assert p["catalogue"][name] == {"sha256": cat[name]["sha256"], "sm3": cat[name]["sm3"]}
        assert sorted(p["held_back"]) == sorted(ids[n] for n in HELD_BACK)
        assert audit.verify(session=s) is None
    v = rep["verification"]  # the report names what was checked
    assert v["pdfs"] == len(REDACTED) + 1 and v["ocr_engine"] == "rapidocr"  # + over.pdf, refused after its check
    assert any("text layer" in c for c in v["checked"]) and any("OCR" in c for c in v["checked"])
    total = sum(docs[i]["pages"] for i in docs) + 1 + 1  # + the two held-back one-page PDFs
    assert calls and calls[-1] == (total, total) and all(a <= b for (a, _), (b, _) in zip(calls, calls[1:]))


def test_verify_directory_then_tampering_is_found(released, ocr, tmp_path):
    from kaifang.cli import app

    eng, ids, _rep, out, url, _ = released
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    with Session(eng) as s:
        ok = verify_release(session=s, out_dir=copy, ocr=ocr)
    assert ok["ok"], ok["problems"]
    assert ok["checked"]["pdfs"] == len(REDACTED) and ok["checked"]["ocr_pages"] == 7 and ok["audit_event"]
    env = {"KAIFANG_HOME": str(out.parent / "home"), "KAIFANG_DATABASE_URL": url}  # its published audit head
    r = CliRunner().invoke(app, ["release", "verify", str(copy), "--quiet"], env=env)
    assert r.exit_code == 0 and "ok" in r.stdout, r.stderr

    # a released scan replaced by its unredacted original, an extra file, a changed catalogue cell
    _m, docs = _entries(copy)
    scan = copy / docs[ids["scan.png"]]["file"]
    shutil.copyfile(out.parent / "archive" / "scan.png", scan)
    (copy / "files" / "note.txt").write_text("x")
    with Session(eng) as s:
        bad = verify_release(session=s, out_dir=copy, ocr=ocr)
    problems = "\n".join(bad["problems"])
    assert not bad["ok"]
    assert f"{docs[ids['scan.png']]['file']}: sha256 differs" in problems and "sm3 differs" in problems
    assert "files/note.txt: not listed in the manifest" in problems
    r = CliRunner().invoke(app, ["release", "verify", str(copy), "--quiet"], env=env)
    assert r.exit_code == 2 and "does not verify" in r.stderr and "sha256 differs" in r.stderr
    r = CliRunner().invoke(app, ["release", "verify", str(tmp_path)], env=env)
    assert r.exit_code == 2 and "not a Kaifang release" in r.stderr
