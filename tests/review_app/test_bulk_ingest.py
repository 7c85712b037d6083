"""Bulk ingest (``store.documents.add_documents``) and the bulk loader (``store.bulk.copy_rows``)."""
from __future__ import annotations

import hashlib
import json

import pytest
from sqlmodel import Session, select

from review_app.store import documents, integrity
from review_app.tables import AuditEvent, Document


def _new(i: int, text: str | None = None) -> documents.NewDocument:
    text = text or f"第{i}号文件：林碧军，电话13905912345。"
    return documents.NewDocument(source_path=f"/in/{i}.txt", sha256=hashlib.sha256(text.encode()).hexdigest(),
                                 media_type="text/plain", text=text, reference_code=f"J1-{i:04d}", title=f"文件{i}")


def test_add_documents_is_one_transaction_with_one_event_each(engine):
    with Session(engine, expire_on_commit=False) as s:
        col = documents.ensure_collection(session=s, name="批量")
        first = documents.add_document(session=s, collection_id=col.id, doc=_new(0))
        batch = documents.add_documents(session=s, collection_id=col.id,
                                        docs=[_new(i) for i in range(0, 40)] + [_new(5)])
        assert len(batch.documents) == 39 and batch.duplicates == {_new(0).sha256: first.id, _new(5).sha256: None}
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "ingest",
                                                 AuditEvent.subject.like("document:%"))).all()
        assert sorted(e.subject for e in events) == sorted(f"document:{d.id}" for d in [first, *batch.documents])
        rows = json.loads(events[-1].payload)["rows"]
        assert list(rows) == [f"document:{batch.documents[-1].id}"]  # each event records its own row
        assert integrity.check(session=s, row_limit=10).intact
        assert len(s.exec(select(Document)).all()) == 40


def test_add_documents_refuses_the_whole_batch_for_one_bad_document(engine):
    with Session(engine, expire_on_commit=False) as s:
        col = documents.ensure_collection(session=s, name="批量")
        bad = documents.NewDocument(source_path="/in/x.txt", sha256="x" * 64, media_type="text/plain", text="x",
                                    reference_code="档" * 300)
        with pytest.raises(ValueError):
            documents.add_documents(session=s, collection_id=col.id, docs=[_new(1), bad])
        assert s.exec(select(Document)).all() == []


def test_copy_rows_loads_in_batches(engine):
    from datetime import datetime, timezone

    from review_app.store.bulk import copy_rows, reset_sequence

    now = datetime.now(timezone.utc)
    with Session(engine, expire_on_commit=False) as s:
        col_id = documents.ensure_collection(session=s, name="迁移").id
    rows = ({"id": i + 1, "collection_id": col_id, "title": f"旧{i}", "source_path": f"/old/{i}", "sha256": f"{i:064d}",
             "media_type": "text/plain", "text": "旧文本", "catalogue": {"全宗号": "J1"}, "page_starts": [0],
             "ocr_pages": [], "page_count": 1, "creator": "", "date_text": "", "classification": "", "genre": "",
             "version": 1, "status": "new", "ingest_status": "ingested", "created_at": now, "updated_at": now}
            for i in range(25))
    assert copy_rows(engine, Document, rows, batch=10) == 25
    reset_sequence(engine, Document)
    with Session(engine, expire_on_commit=False) as s:
        assert len(s.exec(select(Document)).all()) == 25
        assert s.get(Document, 7).catalogue == {"全宗号": "J1"}
        added = documents.add_document(session=s, collection_id=col_id, doc=_new(99))
        assert added.id == 26  # the serial moved past the copied ids
    with pytest.raises(ValueError, match="no column"):
        copy_rows(engine, Document, [{"nope": 1}])
