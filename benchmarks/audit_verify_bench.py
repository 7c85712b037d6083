"""What the row digests cost: store writes with them, and ``kaifang audit verify`` on a store.

Stores N documents through the store as ingestion, detection and proposal do (one audit event
each, every event carrying its row digests), then times the chain verification and the row
verification (``integrity.verify_rows``) on that SQLite store. Prints JSON.

Usage: python benchmarks/audit_verify_bench.py [--docs 1000]
"""
from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sqlmodel import Session  # noqa: E402

from models.spans import Span  # noqa: E402
from review_app import audit  # noqa: E402
from review_app.db import make_engine, upgrade  # noqa: E402
from review_app.store import documents, integrity, review  # noqa: E402

TEXT = ("福州市鼓楼区人民政府文件\n关于林碧军同志的处理意见\n林碧军，身份证号350102198703154511，联系电话13905912345，"
        "住福州市鼓楼区杨桥路18号3栋502室。经查，该同志确诊为乳腺癌。\n") * 5
PROPOSAL = {"decision": "OPEN_REDACTED", "reasons": ["PERSONAL_INFO"], "confidence": 0.8,
            "probabilities": {"OPEN": 0.1, "OPEN_REDACTED": 0.8, "CLOSED": 0.1}, "model_version": "bench"}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=1000)
    args = ap.parse_args(argv)
    spans = [Span(i, i + 18, "ID_NUMBER", 0.9, "bench") for i in range(len(TEXT)) if TEXT.startswith("350102", i)]
    with tempfile.TemporaryDirectory() as tmp:
        eng = make_engine(f"sqlite:///{tmp}/bench.db")
        upgrade(eng)
        t0 = time.monotonic()
        with Session(eng, expire_on_commit=False) as s:
            col = documents.ensure_collection(session=s, name="bench")
            for n in range(args.docs):
                doc = documents.add_document(session=s, collection_id=col.id, doc=documents.NewDocument(
                    source_path=f"/bench/{n}.txt", sha256=hashlib.sha256(str(n).encode()).hexdigest(),
                    media_type="text/plain", text=TEXT))
                review.record_detection(session=s, document_id=doc.id, spans=spans, model_version="bench")
                review.propose(session=s, document_id=doc.id, result=PROPOSAL)
        write = time.monotonic() - t0
        with Session(eng) as s:
            t0 = time.monotonic()
            broken = audit.verify(session=s)
            chain = time.monotonic() - t0
            t0 = time.monotonic()
            problems = integrity.verify_rows(session=s)
            rows = time.monotonic() - t0
            events = audit.head(session=s).seq
    print(json.dumps({"documents": args.docs, "events": events, "spans_per_document": len(spans),
                      "write_documents_per_s": round(args.docs / write, 1), "verify_chain_s": round(chain, 2),
                      "verify_rows_s": round(rows, 2), "intact": broken is None and not problems}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
