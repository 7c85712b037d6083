"""review_app.store.documents on SQLite and PostgreSQL: collections, documents, ingest errors."""
from __future__ import annotations

import hashlib

import pytest
from sqlmodel import select

from review_app import audit
from review_app.db import session_scope
from review_app.store import documents as store
from review_app.tables import AuditEvent, Document


def _doc(text: str, **kw) -> store.NewDocument:
    return store.NewDocument(source_path=f"/archive/{hashlib.md5(text.encode()).hexdigest()}.txt",
                             sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                             media_type="text/plain", text=text, **kw)


def test_collection_is_created_once_and_audited(engine):
    with session_scope(engine) as s:
        a = store.ensure_collection(session=s, name="福州市档案局全宗", fonds_code="J012", actor="tester")
        b = store.ensure_collection(session=s, name="福州市档案局全宗", actor="tester")
        assert a.id == b.id and b.fonds_code == "J012"
        assert [c.name for c in store.list_collections(session=s)] == ["福州市档案局全宗"]
        events = s.exec(select(AuditEvent)).all()
        assert [(e.action, e.subject) for e in events] == [("ingest", f"collection:{a.id}")]
        with pytest.raises(ValueError, match="name"):
            store.ensure_collection(session=s, name="  ")


def test_add_document_stores_pages_and_metadata(engine):
    text = "第一页：关于档案开放审核的报告\n\n第二页：审核意见"
    with session_scope(engine) as s:
        coll = store.ensure_collection(session=s, name="c1")
        doc = store.add_document(session=s, collection_id=coll.id, actor="tester", doc=_doc(
            text, page_starts=[0, 17], ocr_pages=[2], reference_code="J012-001-0001", title="报告",
            creator="福州市档案局", date_text="1987-03-15", year=1987, classification="秘密",
            catalogue={"档号": "J012-001-0001", "_row": 1}))
    with session_scope(engine) as s:
        got = store.get_document(session=s, document_id=doc.id)
        assert got.text == text and got.page_starts == [0, 17] and got.page_count == 2
        assert got.ocr_pages == [2] and got.ingest_status == "ingested_ocr"
        assert (got.reference_code, got.year, got.classification) == ("J012-001-0001", 1987, "秘密")
        assert got.catalogue == {"档号": "J012-001-0001", "_row": 1}
        assert store.find_by_sha256(session=s, sha256=got.sha256).id == doc.id
        assert store.count_documents(session=s, collection_id=coll.id) == 1
        assert audit.verify(session=s) is None
        ev = s.exec(select(AuditEvent).where(AuditEvent.subject == f"document:{doc.id}")).one()
        assert ev.action == "ingest" and got.sha256 in ev.payload


def test_duplicate_content_is_refused(engine):
    with session_scope(engine) as s:
        coll = store.ensure_collection(session=s, name="c1")
        first = store.add_document(session=s, collection_id=coll.id, doc=_doc("同一份文件"))
        with pytest.raises(store.DuplicateDocument) as info:
            store.add_document(session=s, collection_id=coll.id, doc=_doc("同一份文件"))
        assert info.value.existing_id == first.id
        assert len(s.exec(select(Document)).all()) == 1


def test_duplicate_race_is_caught_by_the_unique_index(engine, monkeypatch):
    """Another ingest commits the same content between our check and our insert."""
    with session_scope(engine) as s:
        coll = store.ensure_collection(session=s, name="c1")
        store.add_document(session=s, collection_id=coll.id, doc=_doc("并发写入"))
    calls = {"n": 0}
    real = store.find_by_sha256

    def blind_first_time(**kw):
        calls["n"] += 1
        return None if calls["n"] == 1 else real(**kw)

    monkeypatch.setattr(store, "find_by_sha256", blind_first_time)
    with session_scope(engine) as s:
        with pytest.raises(store.DuplicateDocument):
            store.add_document(session=s, collection_id=coll.id, doc=_doc("并发写入"))
        assert store.count_documents(session=s) == 1
        assert audit.verify(session=s) is None  # the rolled-back audit event left no trace


@pytest.mark.parametrize("bad,match", [
    (dict(page_starts=[1]), "page_starts"),
    (dict(page_starts=[0, 0]), "page_starts"),
    (dict(page_starts=[0, 999]), "page_starts"),
    (dict(ocr_pages=[2]), "ocr_pages"),
])
def test_invalid_documents_are_refused(sqlite_engine, bad, match):
    with session_scope(sqlite_engine) as s:
        coll = store.ensure_collection(session=s, name="c1")
        with pytest.raises(ValueError, match=match):
            store.add_document(session=s, collection_id=coll.id, doc=_doc("档案正文", **bad))
        with pytest.raises(ValueError, match="collection"):
            store.add_document(session=s, collection_id=9999, doc=_doc("档案正文"))


def test_ingest_errors_are_recorded_once(engine):
    with session_scope(engine) as s:
        coll = store.ensure_collection(session=s, name="c1")
        a = store.record_ingest_error(session=s, collection_id=coll.id, path="/a/broken.pdf", sha256="0" * 64,
                                      reason="corrupt PDF")
        b = store.record_ingest_error(session=s, collection_id=coll.id, path="/a/broken.pdf", sha256="0" * 64,
                                      reason="corrupt PDF")
        c = store.record_ingest_error(session=s, collection_id=None, path="/a/x.txt", reason="cannot read file")
        assert a.id == b.id and c.id != a.id
        assert [e.reason for e in store.list_ingest_errors(session=s, collection_id=coll.id)] == ["corrupt PDF"]
        assert len(store.list_ingest_errors(session=s)) == 2
        assert audit.verify(session=s) is None
