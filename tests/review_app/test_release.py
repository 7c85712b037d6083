"""Release on SQLite and PostgreSQL: what is released, what is masked, the catalogue, the record."""
from __future__ import annotations

import csv
import hashlib
import io
import json

import pytest
from sqlalchemy import text
from sqlmodel import Session, select

from review_app import audit
from review_app.store import release
from review_app.tables import AuditEvent

from release_fixtures import (COLLECTION, COMMERCIAL_TEXT, MASKED, OPEN_TEXT, REDACT_TEXT, make_release_collection)


def _release(s, out, **kw):
    return release.write_release(session=s, collection=COLLECTION, out_dir=out, actor="archivist1", **kw)


def _masked_positions(copy: str) -> set[int]:
    return {i for i, ch in enumerate(copy) if ch == release.MASK}


def _positions(text: str, needles) -> set[int]:
    out = set()
    for needle in needles:
        i = text.find(needle)
        while i >= 0:
            out |= set(range(i, i + len(needle)))
            i = text.find(needle, i + 1)
    return out


def test_pure_redaction_keeps_offsets_and_lines():
    t = "𠮷永福，电话139\n05912345。"
    i = t.index("139")
    copy = release.redact_text(t, [(i, i + 12)])
    assert len(copy) == len(t) and copy.startswith("𠮷永福，电话") and copy[i + 3] == "\n"
    assert copy[i:i + 3] == "■■■" and copy.endswith("■■■■■■■■。")
    assert release.merge([(5, 8), (1, 3), (2, 4), (8, 9)]) == [(1, 4), (5, 9)]
    assert release.occurrences("aaa", "aa") == [(0, 2), (1, 3)]
    assert release.file_stem("J001/2023·0001 ", 5) == "J001_2023_0001" and release.file_stem(None, 5) == "doc-5"
    with pytest.raises(ValueError):
        release.redact_text(t, [], mask="【已删除】")


def test_release_masks_confirmed_spans_only_and_writes_catalogue(engine, tmp_path):
    with Session(engine, expire_on_commit=False) as s:
        ids = make_release_collection(s)
        head_before = audit.head(session=s)
        rep = _release(s, tmp_path / "rel")
        out = tmp_path / "rel"
        c = rep["counts"]
        assert (c["released"], c["open"], c["open_redacted"], c["documents"]) == (3, 1, 2, 7)
        assert c["withheld"] == {"not_final": 2, "closed": 1, "deferred": 1, "nothing_to_mask": 0, "held_back": 0}
        assert {d["id"] for d in rep["withheld"]["not_final"]} == {ids["undecided"], ids["reviewed"]}
        assert rep["withheld"]["closed"][0]["id"] == ids["closed"]
        assert rep["withheld"]["deferred"][0]["id"] == ids["deferred"]

        manifest_bytes = (out / "manifest.json").read_bytes()
        m = json.loads(manifest_bytes)
        assert m["format"] == release.FORMAT and m["collection"]["name"] == COLLECTION
        assert m["audit_head"] == head_before.to_dict() and m["counts"] == c
        assert m["elusion"] is None and any("no elusion sample" in w for w in m["warnings"])
        for f in m["files"]:  # every file's sha256
            assert hashlib.sha256((out / f["path"]).read_bytes()).hexdigest() == f["sha256"]
        assert sorted(p.name for p in (out / "texts").iterdir()) == ["J001-2023-0001.txt", "J001-2023-0002.txt",
                                                                      "J001-2023-0007.txt"]
        assert rep["manifest_sha256"] == hashlib.sha256(manifest_bytes).hexdigest()
        docs = {d["id"]: d for d in m["documents"]}
        assert set(docs) == {ids["open"], ids["redacted"], ids["commercial"]}

        # OPEN: unchanged
        assert (out / "texts/J001-2023-0001.txt").read_text(encoding="utf-8") == OPEN_TEXT
        # OPEN_REDACTED: exactly the confirmed spans (+ the repeated ID), same length, same pages
        copy = (out / "texts/J001-2023-0002.txt").read_bytes().decode("utf-8")
        assert len(copy) == len(REDACT_TEXT) and copy.count("\n") == REDACT_TEXT.count("\n")
        assert copy.index("\f") == REDACT_TEXT.index("\f")
        assert docs[ids["redacted"]]["page_starts"] == [0, REDACT_TEXT.index("\f") + 1]
        assert _masked_positions(copy) == _positions(REDACT_TEXT, MASKED)
        for value in MASKED:
            assert value not in copy
        assert copy.count("𠮷永福") == 2  # a name is not masked; the non-BMP 𠮷 shifts nothing
        assert "0591-2001" in copy  # the span reviewers rejected stays
        for i, ch in enumerate(REDACT_TEXT):
            assert copy[i] == (release.MASK if i in _positions(REDACT_TEXT, MASKED) else ch)
        d = docs[ids["redacted"]]
        assert (d["masked_ranges"], d["masked_spans"], d["repeats"], d["unconfirmed"]) == (5, 4, 1, 0)
        # COMMERCIAL_SECRET: the committee's range only; the company phone and name stay
        copy7 = (out / "texts/J001-2023-0007.txt").read_text(encoding="utf-8")
        assert "每吨3200元" not in copy7 and "■■■■■■■" in copy7 and "13800001111" in copy7
        assert len(copy7) == len(COMMERCIAL_TEXT)

        # the open catalogue: BOM, Chinese headers, no 密级, no text
        raw = (out / "open-catalogue.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
        assert rows[0] == list(release.CATALOGUE_COLUMNS)
        body = {r[0]: dict(zip(rows[0], r)) for r in rows[1:]}
        assert set(body) == {"J001-2023-0001", "J001-2023-0002", "J001-2023-0007"}
        r2 = body["J001-2023-0002"]
        assert r2["开放状态"] == "部分开放" and r2["屏蔽处数"] == "5" and r2["题名"].startswith("关于𠮷永福")
        assert r2["sha256"] == hashlib.sha256(copy.encode("utf-8")).hexdigest()
        assert r2["文件名"] == "texts/J001-2023-0002.txt" and r2["决定日期"] == d["decided"]
        assert body["J001-2023-0001"]["开放状态"] == "开放" and body["J001-2023-0001"]["屏蔽处数"] == "0"
        cat = raw.decode("utf-8-sig")
        assert "机密" not in cat and "秘密" not in cat and "林碧军" not in cat and "J001-2023-0003" not in cat
        assert "J001-2023-0003" not in manifest_bytes.decode("utf-8")  # a closed item is only counted

        # on the record
        ev = s.exec(select(AuditEvent).where(AuditEvent.action == "release")).one()
        p = json.loads(ev.payload)
        assert ev.actor == "archivist1" and ev.subject.startswith("collection:")
        assert p["manifest_sha256"] == rep["manifest_sha256"] and p["counts"] == c
        assert p["audit_head"] == head_before.to_dict()
        assert "350102" not in ev.payload and audit.verify(session=s) is None
        assert not list(tmp_path.glob(".rel.*"))  # no temporary directory left


def test_rerun_refused_then_force_replaces(engine, tmp_path):
    with Session(engine, expire_on_commit=False) as s:
        make_release_collection(s)
        out = tmp_path / "rel"
        first = _release(s, out)
        with pytest.raises(release.ReleaseRefused, match="already exists"):
            _release(s, out)
        second = _release(s, out, force=True)
        assert second["counts"] == first["counts"]
        m = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
        assert m["audit_head"]["seq"] == first["audit_event"]  # the first release is on the record
        assert len(s.exec(select(AuditEvent).where(AuditEvent.action == "release")).all()) == 2
        other = tmp_path / "notes"
        other.mkdir()
        (other / "keep.txt").write_text("x")
        with pytest.raises(release.ReleaseRefused, match="not a Kaifang release"):
            _release(s, other, force=True)
        assert (other / "keep.txt").read_text() == "x"
        assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary or old copy


def test_chain_broken_refuses(engine, tmp_path):
    with Session(engine, expire_on_commit=False) as s:
        make_release_collection(s)
    with engine.begin() as c:
        c.execute(text("UPDATE audit_event SET actor = 'mallory' WHERE seq = 3"))
    with Session(engine, expire_on_commit=False) as s:
        with pytest.raises(release.ReleaseRefused, match="audit chain is broken at event #3"):
            _release(s, tmp_path / "rel")
        assert not (tmp_path / "rel").exists()
        assert not s.exec(select(AuditEvent).where(AuditEvent.action == "release")).all()
        with pytest.raises(release.ReleaseRefused, match="unknown collection"):
            release.write_release(session=s, collection="无此全宗", out_dir=tmp_path / "x", actor="a")


def test_verify_finds_a_log_cut_back_to_before_the_release(engine, tmp_path):
    """A chain cut to a prefix still verifies on its own; the head the manifest recorded does not."""
    from review_app.store.release_verify import verify_release

    with Session(engine, expire_on_commit=False) as s:
        make_release_collection(s)
        rep = _release(s, tmp_path / "rel")
        assert verify_release(session=s, out_dir=tmp_path / "rel")["ok"]
    at_release = rep["audit_head"]["seq"]
    with engine.begin() as c:
        c.execute(text("DELETE FROM audit_event WHERE seq >= :n"), {"n": at_release - 1})
    with Session(engine, expire_on_commit=False) as s:
        assert audit.verify(session=s) is None  # the prefix is intact
        bad = verify_release(session=s, out_dir=tmp_path / "rel")
    problems = "\n".join(bad["problems"])
    assert not bad["ok"] and f"before the head the manifest recorded (#{at_release})" in problems
    assert "no release event of this store's audit log recorded this manifest" in problems


def test_self_check_holds_back_a_value_left_in_another_form(engine, tmp_path):
    from release_fixtures import _decide, _doc, _propose, _span
    from review_app.store import review
    from review_app.tables import Collection

    t = ("申请人𠮷永福，身份证号350102198703154511。\n"
         "另附身份证复印件：３５０１０２　１９８７０３１５４５１１。\n")
    with Session(engine, expire_on_commit=False) as s:
        col = Collection(name=COLLECTION)
        s.add(col)
        s.flush()
        d = _doc(s, col, 1, t, "J001-2023-0101", "申请书")
        review.record_detection(session=s, document_id=d, model_version="m",
                                spans=[_span(t, "350102198703154511", "ID_NUMBER")])
        _propose(s, d, "OPEN_REDACTED", ["PERSONAL_INFO"])
        _decide(s, d, "OPEN_REDACTED", ["PERSONAL_INFO"])
        rep = _release(s, tmp_path / "held")
        held = rep["withheld"]["held_back"]
        assert [h["id"] for h in held] == [d] and rep["counts"]["released"] == 0
        msg = held[0]["reason"]
        assert f"document {d}" in msg and "ID_NUMBER" in msg and "offset" in msg and "350102" not in msg
        assert not list((tmp_path / "held" / "texts").iterdir())  # no copy of it was left behind
        m = (tmp_path / "held" / "manifest.json").read_text(encoding="utf-8")
        assert json.loads(m)["held_back"] == [d] and "J001-2023-0101" not in m and "350102" not in m
        # the committee reopens the document, a person marks the other occurrence, the committee
        # decides again; the copy then masks both
        review.reopen(session=s, document_id=d, actor="com1", note="身份证号另有一处未标注",
                      version=review.document_version(session=s, document_id=d))
        i = t.index("３５０")
        review.add_span(session=s, document_id=d, start=i, end=t.index("。", i), label="ID_NUMBER", actor="rev1",
                        version=review.document_version(session=s, document_id=d))
        review.finalize(session=s, document_id=d, actor="com1", decision="OPEN_REDACTED", reasons=["PERSONAL_INFO"],
                        version=review.document_version(session=s, document_id=d))
        rep = _release(s, tmp_path / "rel")
        assert rep["counts"]["released"] == 1 and not rep["withheld"]["held_back"]
        copy = (tmp_path / "rel/texts/J001-2023-0101.txt").read_text(encoding="utf-8")
        assert "１９８７" not in copy and "350102" not in copy and copy.count("𠮷永福") == 1
        assert rep["counts"]["masked_ranges"] == 2


def test_unreviewed_machine_span_is_masked_and_flagged_and_nothing_to_mask_is_withheld(engine, tmp_path):
    from release_fixtures import _decide, _doc, _propose, _span
    from review_app.store import review
    from review_app.tables import Collection

    t1 = "王秀英，联系电话13905912345，因病住院。\n"
    t2 = "关于召开社区居民代表会议的通知\n联系电话13800002222。\n"
    with Session(engine, expire_on_commit=False) as s:
        col = Collection(name=COLLECTION)
        s.add(col)
        s.flush()
        d1 = _doc(s, col, 1, t1, "A-1", "情况说明")
        review.record_detection(session=s, document_id=d1, model_version="m",
                                spans=[_span(t1, "王秀英", "PERSON"), _span(t1, "13905912345", "PHONE")])
        _propose(s, d1, "OPEN_REDACTED", ["PERSONAL_INFO"])
        _decide(s, d1, "OPEN_REDACTED", ["PERSONAL_INFO"])
        d2 = _doc(s, col, 2, t2, "A-2", "通知")
        (phone,) = review.record_detection(session=s, document_id=d2, model_version="m",
                                           spans=[_span(t2, "13800002222", "PHONE")])
        _propose(s, d2, "OPEN_REDACTED", ["PERSONAL_INFO"])
        # a reviewer rejects the only span (a final decision freezes the spans, so before it); the
        # committee's one range is exactly that rejected span, which a release never masks for
        # itself: nothing is left to mask
        review.reject_span(session=s, span_id=phone.id, actor="rev1",
                           version=review.document_version(session=s, document_id=d2))
        _decide(s, d2, "OPEN_REDACTED", ["PERSONAL_INFO"],
                redact=[{"start": phone.start, "end": phone.end, "label": "PHONE", "reason": "PERSONAL_INFO"}])
        rep = _release(s, tmp_path / "rel")
        assert rep["counts"]["released"] == 1 and rep["withheld"]["nothing_to_mask"] == [{"id": d2, "reference_code": "A-2"}]
        copy = (tmp_path / "rel/texts/A-1.txt").read_text(encoding="utf-8")
        assert copy == "王秀英，联系电话■■■■■■■■■■■，因病住院。\n"
        assert any("never accepted or rejected" in w for w in rep["warnings"])
