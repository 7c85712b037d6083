"""Test data for the review store and app: a collection, documents with real Chinese text,
machine spans and proposals, inserted the way the pipeline does (through store.review)."""
from __future__ import annotations

import hashlib
from datetime import date

from sqlmodel import Session

from models.spans import Span
from review_app.store import documents, review

#: A 𠮷 (outside the BMP: two UTF-16 units) precedes the names, so UTF-16 offsets differ from ours.
TEXT = ("福州市鼓楼区人民政府文件\n"
        "关于𠮷祥里居民林碧军同志的处理意见\n"
        "林碧军，身份证号350102198703154511，联系电话13905912345，"
        "住福州市鼓楼区杨桥路18号3栋502室。经查，该同志确诊为乳腺癌。\n"
        "机密★10年\n")


def span_of(text: str, needle: str, label: str, source: str = "test.v1") -> Span:
    i = text.index(needle)
    return Span(i, i + len(needle), label, 0.9, source)


def make_document(session: Session, *, n: int = 1, collection: str = "测试全宗", text: str = TEXT,
                  year: int = 1987) -> list[int]:
    """Ingest (through the store, as ``kaifang ingest`` does) a collection if new and ``n`` documents;
    returns their ids."""
    col = documents.ensure_collection(session=session, name=collection)
    ids = []
    for i in range(n):
        new = documents.NewDocument(
            reference_code=f"J001-{year}-{i:04d}", title=f"关于林碧军同志的处理意见{i}", creator="福州市鼓楼区人民政府",
            date_text=f"{year}-03-15", year=year, classification="机密", source_path=f"/tmp/doc{i}.txt",
            sha256=hashlib.sha256(f"{collection}-{year}-{i}".encode()).hexdigest(), media_type="text/plain",
            text=text, page_starts=[0, text.index("林碧军，")] if "林碧军，" in text else [0])
        ids.append(documents.add_document(session=session, collection_id=col.id, doc=new, actor="ingest").id)
    return ids


def scan_and_propose(session: Session, doc_id: int, decision: str = "OPEN_REDACTED", confidence: float = 0.8):
    spans = [span_of(TEXT, "林碧军", "PERSON"), span_of(TEXT, "350102198703154511", "ID_NUMBER"),
             span_of(TEXT, "13905912345", "PHONE"), span_of(TEXT, "机密★10年", "SECRET_MARK")]
    rows = review.record_detection(session=session, document_id=doc_id, spans=spans, model_version="test-model-1")
    other = (1 - confidence) / 2
    result = {"decision": decision, "reasons": [] if decision == "OPEN" else ["PERSONAL_INFO"],
              "closure": "CONTROLLED" if decision == "CLOSED" else None, "confidence": confidence,
              "probabilities": {"OPEN": other, "OPEN_REDACTED": confidence, "CLOSED": other}
              if decision != "OPEN" else {"OPEN": confidence, "OPEN_REDACTED": other, "CLOSED": other},
              "model_version": "test-model-1", "rulebook_version": "rb-2026.1",
              "fired_rules": ["PIPL-personal-info"], "evidence": [{"span": "ID_NUMBER", "weight": 0.7},
                           {"kind": "rule", "id": "PI-01", "rule_kind": "force", "outcome": "OPEN_REDACTED",
                            "reasons": ["PERSONAL_INFO"], "basis": ["PIPL_28"], "wording_zh": "含身份证件号码，须屏蔽",
                            "evidence": [{"start": 39, "end": 57, "label": "ID_NUMBER", "text": "350102198703154511"}]}],
              "eligible_from": date(2012, 3, 15)}
    prop = review.propose(session=session, document_id=doc_id, result=result)
    return rows, prop
