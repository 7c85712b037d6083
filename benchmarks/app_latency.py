"""p50/p95 latency of the review app's queue page and document page with 50,000 documents.

    .venv/bin/python benchmarks/app_latency.py [--docs 50000] [--requests 200] [--backends sqlite,postgres]

For each backend: a fresh database (SQLite file in a temp dir; a fresh PostgreSQL schema at
KAIFANG_TEST_PG_URL, dropped afterwards), migrated with Alembic, then bulk-filled directly with
SQL (documents of ~600 characters of Chinese text, one current proposal each, four spans each)
for setup speed. The app runs in uvicorn on a loopback port; an httpx client signed in as a
reviewer times full HTTP round trips: the queue page (random filters, orders and pages 1-20) and
the document page (random documents). Prints one JSON object per backend.
"""
from __future__ import annotations

import argparse
import contextlib
import json
import os
import random
import socket
import statistics
import sys
import tempfile
import threading
import time
import uuid
from datetime import datetime, timezone
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

PG_URL = os.environ.get("KAIFANG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
BODY = ("关于林碧军同志工作调动的请示\n局党委：\n林碧军，男，身份证号350102195003154511，联系电话13905912345，"
        "住福州市鼓楼区杨桥路18号3栋502室。该同志一九八七年调入我局，工作认真负责。"
        "经研究，拟同意其调往马尾区经济技术开发区管委会工作。") * 4
NEEDLES = [("林碧军", "PERSON"), ("350102195003154511", "ID_NUMBER"), ("13905912345", "PHONE"),
           ("福州市鼓楼区杨桥路18号3栋502室", "ADDRESS")]
PASSWORD = "benchmark-pw-1"


def fill(engine, n_docs: int, seed: int = 0) -> None:
    """Bulk-load a collection, ``n_docs`` documents, their current proposals and spans
    (``review_app.store.bulk``: COPY on PostgreSQL, executemany elsewhere, in batches)."""
    from sqlalchemy import insert, text

    from review_app.store.bulk import copy_rows, reset_sequence
    from review_app.tables import Collection, Document, Proposal, SpanRecord

    rng = random.Random(seed)
    now = datetime.now(timezone.utc)
    offsets = [(BODY.index(t), BODY.index(t) + len(t), label, t) for t, label in NEEDLES]
    with engine.begin() as c:
        cols = [{"name": f"全宗{i:02d}", "description": "", "created_at": now} for i in range(5)]
        c.execute(insert(Collection), cols)

    def docs():
        for i in range(n_docs):
            yield {"id": i + 1, "collection_id": i % 5 + 1, "reference_code": f"J{i % 5:03d}-{i:06d}",
                   "title": f"关于第{i}号人员工作调动的请示", "creator": "福州市档案局", "date_text": f"{1950 + i % 50}",
                   "year": 1950 + i % 50, "classification": "", "genre": "请示", "catalogue": {},
                   "source_path": f"/bench/{i}.txt", "sha256": uuid.UUID(int=i).hex.ljust(64, "0"),
                   "media_type": "text/plain", "page_count": 1, "page_starts": [0], "ocr_pages": [],
                   "text": BODY, "ingest_status": "ingested", "status": "proposed", "version": 3,
                   "created_at": now, "updated_at": now}

    def props():
        for i in range(n_docs):
            p_open = rng.random()
            rest = 1 - p_open
            yield {"document_id": i + 1, "decision": rng.choice(["OPEN", "OPEN_REDACTED", "CLOSED"]),
                   "reasons": ["PERSONAL_INFO"], "closure": None, "confidence": round(rng.uniform(0.34, 1), 4),
                   "probabilities": {"OPEN": p_open, "OPEN_REDACTED": rest / 2, "CLOSED": rest / 2},
                   "uncertainty": round(rng.random(), 6), "risk": round(rest, 6), "model_version": "bench",
                   "rulebook_version": "bench", "fired_rules": [], "evidence": [], "is_current": True,
                   "created_at": now}

    def spans():
        for i in range(n_docs):
            for s, e, label, t in offsets:
                yield {"document_id": i + 1, "start": s, "end": e, "label": label, "text": t, "score": 0.9,
                       "source": "bench", "explanation": "", "status": "proposed", "model_version": "bench",
                       "created_at": now, "updated_at": now}

    copy_rows(engine, Document, docs())
    copy_rows(engine, Proposal, props())
    copy_rows(engine, SpanRecord, spans())
    reset_sequence(engine, Document)
    if engine.dialect.name == "postgresql":
        with engine.begin() as c:
            c.execute(text("ANALYZE"))


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_app(engine, home: Path, role: str = "reviewer"):
    """The app in uvicorn on a loopback port, and an httpx client signed in with ``role``."""
    import httpx
    import uvicorn
    from sqlmodel import Session

    from review_app.config import Settings
    from review_app.main import create_app
    from review_app.store import users

    with Session(engine) as s:
        users.create_user(session=s, username="bench", password=PASSWORD, role=role, actor="bench")
    app = create_app(Settings(home=home, secret_key="x" * 40), engine=engine)
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", access_log=False))
    t = threading.Thread(target=server.run, daemon=True)
    t.start()
    while not server.started:
        time.sleep(0.05)
    try:
        with httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=60) as c:
            tok = c.get("/api/me").json()["csrf"]
            r = c.post("/api/login", json={"username": "bench", "password": PASSWORD}, headers={"X-CSRF-Token": tok})
            r.raise_for_status()
            yield c
    finally:
        server.should_exit = True
        t.join(timeout=10)


def timed(c, make_url, n_requests: int, warmup: int = 10) -> dict:
    """p50/p95/max in ms of ``n_requests`` GETs of ``make_url()`` (after ``warmup`` untimed ones)."""
    for _ in range(warmup):
        c.get(make_url()).raise_for_status()
    times = []
    for _ in range(n_requests):
        url = make_url()
        t0 = time.perf_counter()
        resp = c.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        resp.raise_for_status()
    times.sort()
    return {"p50_ms": round(statistics.median(times), 1), "p95_ms": round(times[int(0.95 * (len(times) - 1))], 1),
            "max_ms": round(times[-1], 1), "requests": n_requests}


def measure(engine, home: Path, n_docs: int, n_requests: int, seed: int = 1) -> dict:
    rng = random.Random(seed)

    def queue_url() -> str:
        params = {"order": rng.choice(["risk", "uncertainty"]), "page": rng.randint(1, 20)}
        if rng.random() < 0.3:
            params["year"] = rng.randint(1950, 1999)
        if rng.random() < 0.3:
            params["decision"] = rng.choice(["OPEN", "OPEN_REDACTED", "CLOSED"])
        return "/queue?" + "&".join(f"{k}={v}" for k, v in params.items())

    def doc_url() -> str:
        return f"/documents/{rng.randint(1, n_docs)}"

    with running_app(engine, home) as c:
        return {"queue_page": timed(c, queue_url, n_requests), "document_page": timed(c, doc_url, n_requests)}


def run_backend(name: str, n_docs: int, n_requests: int) -> dict:
    from review_app.db import make_engine, upgrade

    tmp = Path(tempfile.mkdtemp(prefix="kaifang-bench-"))
    schema = None
    if name == "sqlite":
        url = f"sqlite:///{tmp / 'bench.db'}"
    else:
        import psycopg

        schema = f"bench_{uuid.uuid4().hex[:10]}"
        raw = PG_URL.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(raw, autocommit=True) as conn:
            conn.execute(f'CREATE SCHEMA "{schema}"')
        url = f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}"
    engine = make_engine(url)
    try:
        upgrade(engine)
        t0 = time.perf_counter()
        fill(engine, n_docs)
        setup_s = time.perf_counter() - t0
        res = measure(engine, tmp / "home", n_docs, n_requests)
        return {"backend": name, "documents": n_docs, "setup_s": round(setup_s, 1), **res}
    finally:
        engine.dispose()
        if schema:
            import psycopg

            with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), autocommit=True) as conn:
                conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=50_000)
    ap.add_argument("--requests", type=int, default=200)
    ap.add_argument("--backends", default="sqlite,postgres")
    args = ap.parse_args()
    if args.docs < 1 or args.requests < 1:
        ap.error("--docs and --requests must be positive")
    for b in args.backends.split(","):
        if b not in ("sqlite", "postgres"):
            ap.error(f"unknown backend {b!r}")
        print(json.dumps(run_backend(b, args.docs, args.requests), ensure_ascii=False), flush=True)


if __name__ == "__main__":
    main()
