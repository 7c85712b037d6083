"""Scale-out and store-at-scale figures: chars/s of the local and the Ray engine, page latency at N rows.

    .venv/bin/python benchmarks/scale_bench.py                       # full: 2,000 docs, 1,000,000 rows
    .venv/bin/python benchmarks/scale_bench.py --docs 200 --rows 100000 --requests 100   # small

1. Throughput: the same ``--docs`` synthetic documents (``training.synth``, seed 11) scanned into a
   fresh SQLite store by ``review_app.scale.run_collection`` with ``--engine local``, ``--engine ray
   --workers 1`` and ``--engine ray --workers 2`` (a local Ray started once with 2 CPUs, so its
   start is not timed; each run's model loading is timed, in this process or in the actors; the
   local engine and each actor run the model on one thread: ``OMP_NUM_THREADS=1``). The
   figure is characters of text per second of wall-clock time. With ``--propose`` the runs also
   propose (needs a model version whose decision model loads: ``--model DIR``); by default they
   scan with the default detector.
2. The store at ``--rows`` documents on PostgreSQL (a fresh schema at KAIFANG_TEST_PG_URL,
   dropped afterwards): synthetic rows bulk-loaded with COPY (``review_app.store.bulk``): documents,
   one current proposal and four spans each, and an audit chain of two events per document plus a
   reviewer's ``span.accept`` on every 20th. The app runs in uvicorn; an httpx client signed in as
   an admin times full HTTP round trips of the queue page (orders, filters, and deep pages reached
   by keyset cursor), the document page and the audit page (filters by actor, action family,
   document, and deep pages by ``before``).

Writes ``--out`` (benchmarks/results/scale.json): local_cps, ray1_cps, ray2_cps, docs_in_store,
queue_p95_ms, document_p95_ms, audit_p95_ms, and the details behind them.
"""
from __future__ import annotations

import argparse
import json
import os
import random
import sys
import tempfile
import time
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

# one worker = one core: the local engine runs the model on one thread, as each Ray actor does
# (Ray gives an actor with num_cpus=1 one OpenMP thread); on 2 shared cores, 2 threads in one
# process were slower than one (measured: 17,000 vs 46,000 chars/s of detection)
os.environ.setdefault("OMP_NUM_THREADS", "1")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

from app_latency import PG_URL, fill, running_app, timed  # noqa: E402

ENGINES = (("local", "local", 1), ("ray1", "ray", 1), ("ray2", "ray", 2))


# --------------------------------------------------------------------------- 1. throughput


def _text_store(path: Path, texts: list[str]):
    """A fresh SQLite store holding ``texts`` as new documents of one collection."""
    import hashlib

    from sqlmodel import Session

    from review_app.db import make_engine, upgrade
    from review_app.store import documents
    from review_app.store.bulk import copy_rows
    from review_app.tables import Document

    eng = make_engine(f"sqlite:///{path}")
    upgrade(eng)
    with Session(eng) as s:
        col_id = documents.ensure_collection(session=s, name="bench").id
    now = datetime.now(timezone.utc)
    copy_rows(eng, Document, ({"collection_id": col_id, "title": f"文件{i}", "source_path": f"/bench/{i}.txt",
                               "sha256": hashlib.sha256(f"{i}:{t}".encode()).hexdigest(), "media_type": "text/plain",
                               "text": t, "catalogue": {}, "page_starts": [0], "ocr_pages": [], "page_count": 1,
                               "creator": "", "date_text": "", "classification": "", "genre": "", "version": 1,
                               "status": "new", "ingest_status": "ingested", "created_at": now, "updated_at": now}
                              for i, t in enumerate(texts)))
    return eng, col_id


def throughput(n_docs: int, model: str | None, propose: bool, batch_size: int, work: Path) -> dict:
    from review_app import pipeline_service as ps
    from review_app.scale import ModelSpec, connect, run_collection
    from training.synth import generate_documents

    texts = [r["text"] for r in generate_documents(n_docs, seed=11)]
    chars = sum(len(t) for t in texts)
    spec = ModelSpec(path=model, proposer=propose)
    spec.load()  # untimed: the imports (torch, spaCy) and the page cache are warm for every run alike
    options = ps.Options(scan=True, propose=propose)
    # Ray's workers import this checkout; its start (seconds on a loaded machine) is not a run's cost
    os.environ["PYTHONPATH"] = os.pathsep.join([str(ROOT), *filter(None, [os.environ.get("PYTHONPATH")])])
    connect(None, num_cpus=2)
    out: dict = {"documents": n_docs, "characters": chars, "propose": propose, "batch_size": batch_size,
                 "model": model or "default"}
    for key, engine_name, workers in ENGINES:
        eng, col_id = _text_store(work / f"{key}.db", texts)
        t0 = time.perf_counter()
        counts = run_collection(eng, collection_id=col_id, spec=spec, options=options, actor="bench",
                                engine_name=engine_name, workers=workers, batch_size=batch_size, progress=False)
        seconds = time.perf_counter() - t0
        eng.dispose()
        if counts.scanned != n_docs:
            raise RuntimeError(f"{key}: scanned {counts.scanned} of {n_docs} documents")
        out[key] = {"seconds": round(seconds, 2), "cps": round(chars / seconds, 1), "scanned": counts.scanned,
                    "proposed": counts.proposed, "spans": counts.spans}
        if engine_name == "ray":  # how much of that was starting the actors (a fixed cost per run)
            startup = _actor_startup(spec, workers, batch_size)
            out[key].update(startup_s=round(startup, 2),
                            cps_after_startup=round(chars / max(seconds - startup, 1e-3), 1))
        print(json.dumps({key: out[key]}), file=sys.stderr, flush=True)
    return out


def _actor_startup(spec, workers: int, batch_size: int) -> float:
    """Seconds until ``workers`` fresh actors have loaded the model (measured apart, afterwards)."""
    import ray

    from review_app.scale import Worker

    t0 = time.perf_counter()
    pool = [ray.remote(Worker).options(num_cpus=1).remote(spec, batch_size) for _ in range(workers)]
    ray.get([w.pid.remote() for w in pool])
    seconds = time.perf_counter() - t0
    for w in pool:
        ray.kill(w, no_restart=True)
    return seconds


# --------------------------------------------------------------------------- 2. the store


def fill_audit(engine, n_docs: int, reviewers: int = 5) -> int:
    """A valid audit chain over the synthetic documents: detect and propose for each, and a
    reviewer's span.accept on every 20th (so the actor filter has something to find)."""
    from review_app import audit
    from review_app.store.bulk import copy_rows
    from review_app.tables import AuditEvent

    start = datetime(2026, 1, 1, tzinfo=timezone.utc)

    def events():
        prev, seq = audit.GENESIS, 0
        for i in range(1, n_docs + 1):
            acts = [("system", "detect", {"model_version": "bench", "spans": 4}),
                    ("system", "propose", {"decision": "OPEN_REDACTED", "model_version": "bench"})]
            if i % 20 == 0:
                acts.append((f"rev{i % reviewers}", "span.accept", {"span": 4 * i, "from": "proposed",
                                                                    "to": "accepted"}))
            for actor, action, payload in acts:
                seq += 1
                ts = audit.timestamp(start + timedelta(milliseconds=seq))
                body = audit.canonical(payload)
                h = audit.event_hash(algo="sha256", prev_hash=prev, ts=ts, actor=actor, action=action,
                                     subject=f"document:{i}", payload=body)
                yield {"seq": seq, "ts": ts, "actor": actor, "action": action, "subject": f"document:{i}",
                       "payload": body, "algo": "sha256", "prev_hash": prev, "hash": h}
                prev = h

    n = copy_rows(engine, AuditEvent, events())
    from review_app.store.bulk import reset_sequence

    reset_sequence(engine, AuditEvent, "seq")
    return n


def store_latency(n_rows: int, n_requests: int, work: Path, seed: int = 2) -> dict:
    import psycopg
    from sqlalchemy import text
    from sqlmodel import Session, select

    from review_app.db import make_engine, upgrade
    from review_app.queue import encode_cursor
    from review_app.tables import Proposal

    schema = f"scale_{uuid.uuid4().hex[:10]}"
    raw = PG_URL.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(raw, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    engine = make_engine(f"{PG_URL}{'&' if '?' in PG_URL else '?'}options=-csearch_path%3D{schema}")
    try:
        upgrade(engine)
        t0 = time.perf_counter()
        fill(engine, n_rows)
        events = fill_audit(engine, n_rows)
        with engine.begin() as c:
            c.execute(text("ANALYZE"))
        setup_s = time.perf_counter() - t0
        rng = random.Random(seed)
        with Session(engine) as s:  # keyset positions deep in the queue: random documents' sort keys
            sample = s.exec(select(Proposal.document_id, Proposal.risk, Proposal.uncertainty)
                            .where(Proposal.document_id.in_(rng.sample(range(1, n_rows + 1), min(500, n_rows))))).all()
        max_seq = events

        def queue_url() -> str:
            order = rng.choice(["risk", "uncertainty"])
            params: dict = {"order": order, "stage": "all"}
            roll = rng.random()
            if roll < 0.5:  # a deep page, reached by the cursor of the page before
                doc, risk, unc = rng.choice(sample)
                params["after"] = encode_cursor("p", [risk, unc, doc] if order == "risk" else [unc, risk, doc])
            elif roll < 0.7:
                params["year"] = rng.randint(1950, 1999)
            elif roll < 0.85:
                params["decision"] = rng.choice(["OPEN", "OPEN_REDACTED", "CLOSED"])
            else:
                params["collection"] = f"全宗{rng.randrange(5):02d}"
            return "/queue?" + "&".join(f"{k}={v}" for k, v in params.items())

        def doc_url() -> str:
            return f"/documents/{rng.randint(1, n_rows)}"

        def audit_url() -> str:
            roll = rng.random()
            if roll < 0.25:
                return "/audit"
            if roll < 0.45:
                return f"/audit?actor=rev{rng.randrange(5)}"
            if roll < 0.6:
                return f"/audit?action={rng.choice(['span', 'propose', 'detect'])}"
            if roll < 0.8:
                return f"/audit?document={rng.randint(1, n_rows)}"
            return f"/audit?before={rng.randint(2, max_seq)}"

        with running_app(engine, work / "home", role="admin") as c:
            res = {"queue_page": timed(c, queue_url, n_requests), "document_page": timed(c, doc_url, n_requests),
                   "audit_page": timed(c, audit_url, n_requests)}
        return {"documents": n_rows, "audit_events": events, "setup_s": round(setup_s, 1), **res}
    finally:
        engine.dispose()
        with psycopg.connect(raw, autocommit=True) as conn:
            conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--docs", type=int, default=2000, help="documents for the throughput runs")
    ap.add_argument("--rows", type=int, default=1_000_000, help="documents in the PostgreSQL store")
    ap.add_argument("--requests", type=int, default=200, help="timed requests per page kind")
    ap.add_argument("--batch-size", type=int, default=32)
    ap.add_argument("--model", default=None, help="model-version directory (default: the default model)")
    ap.add_argument("--propose", action="store_true", help="propose too (the model's decision model must load)")
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "scale.json")
    args = ap.parse_args()
    if min(args.docs, args.rows, args.requests, args.batch_size) < 1:
        ap.error("--docs, --rows, --requests and --batch-size must be positive")
    work = Path(tempfile.mkdtemp(prefix="kaifang-scale-"))
    tp = throughput(args.docs, args.model, args.propose, args.batch_size, work)
    st = store_latency(args.rows, args.requests, work)
    result = {
        "local_cps": tp["local"]["cps"], "ray1_cps": tp["ray1"]["cps"], "ray2_cps": tp["ray2"]["cps"],
        "docs_in_store": st["documents"], "queue_p95_ms": st["queue_page"]["p95_ms"],
        "document_p95_ms": st["document_page"]["p95_ms"], "audit_p95_ms": st["audit_page"]["p95_ms"],
        "throughput": tp, "store": st,
        "machine": {"cpus": os.cpu_count(), "load_average": [round(x, 1) for x in os.getloadavg()]},
        "settings": {"docs": args.docs, "rows": args.rows, "requests": args.requests},
    }
    args.out.parent.mkdir(parents=True, exist_ok=True)
    tmp = args.out.with_name(args.out.name + ".tmp")
    tmp.write_text(json.dumps(result, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    os.replace(tmp, args.out)
    print(json.dumps({k: v for k, v in result.items() if not isinstance(v, dict)}, ensure_ascii=False))


if __name__ == "__main__":
    main()
