"""Helpers for the learning-loop tests: documents and proposals written through the real stores."""
from __future__ import annotations

import hashlib

import pytest


@pytest.fixture
def add_document():
    """add_document(session, collection_name, text, **catalogue) -> document id (store.documents)."""
    from review_app.store import documents

    def add(session, collection: str, text: str, **meta) -> int:
        col = documents.ensure_collection(session=session, name=collection)
        doc = documents.NewDocument(source_path=f"{collection}/{hashlib.sha1(text.encode()).hexdigest()[:8]}.txt",
                                    sha256=hashlib.sha256(text.encode("utf-8")).hexdigest(),
                                    media_type="text/plain", text=text, **meta)
        return documents.add_document(session=session, collection_id=col.id, doc=doc).id

    return add


@pytest.fixture
def add_proposal():
    """add_proposal(session, doc_id, decision, probabilities, spans=[Span...]) via store.review."""
    from review_app.store import review

    def add(session, document_id: int, decision: str, probabilities: dict, spans=(), model_version="test-v1"):
        if spans:
            review.record_detection(session=session, document_id=document_id, spans=list(spans),
                                    model_version=model_version)
        result = {"decision": decision, "reasons": [] if decision == "OPEN" else ["PERSONAL_INFO"],
                  "confidence": max(probabilities.values()), "probabilities": probabilities,
                  "model_version": model_version, "rulebook_version": "test", "fired_rules": []}
        return review.propose(session=session, document_id=document_id, result=result)

    return add
