"""One document in a fresh store with machine spans: what both Label Studio tests start from.

The person's name 王𠮷祥 has a character outside the BMP, so every span after it sits one UTF-16
unit further right in Label Studio than in Kaifang.
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Sequence

from review_app.db import session_scope
from review_app.tables import Collection, Document, SpanRecord

TEXT = "关于王𠮷祥同志的情况说明：身份证号350102198703154511，住福州市鼓楼区杨桥路18号3栋502室，联系电话13905912345。"
NAME, ID, ADDR, PHONE = "王𠮷祥", "350102198703154511", "福州市鼓楼区杨桥路18号3栋502室", "13905912345"


def cp(sub: str) -> tuple[int, int]:
    """Code-point offsets of ``sub`` in TEXT."""
    i = TEXT.index(sub)
    return i, i + len(sub)


def seed_document(engine, collection: str, machine: Sequence[tuple[str, str]]) -> int:
    """A proposed document holding TEXT with ``machine`` (substring, label) spans; its id."""
    now = datetime.now(timezone.utc)  # this SQLModel refuses naive datetimes
    with session_scope(engine) as s:
        col = Collection(name=collection, created_at=now)
        s.add(col)
        s.flush()
        doc = Document(collection_id=col.id, title="情况说明", source_path="x.txt", sha256="a" * 64,
                       media_type="text/plain", text=TEXT, status="proposed", year=1990, created_at=now,
                       updated_at=now)
        s.add(doc)
        s.flush()
        for sub, label in machine:
            a, b = cp(sub)
            s.add(SpanRecord(document_id=doc.id, start=a, end=b, label=label, text=sub, score=0.8,
                             source="test", model_version="default", created_at=now, updated_at=now))
        s.commit()
        return doc.id
