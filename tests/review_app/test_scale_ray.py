"""The Ray engine (``review_app.scale``) on a local Ray started by the test (2 CPUs).

It must give the same spans and proposals as the local engine, and a worker killed mid-run must
cost nothing: the run completes and every document is scanned exactly once in the store.
"""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path

import pytest
from sqlmodel import Session, select

from review_app import pipeline_service as ps
from review_app.tables import AuditEvent, Document, Proposal, SpanRecord

ray = pytest.importorskip("ray")
HERE = Path(__file__).resolve().parent
pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def local_ray():
    """A local Ray whose workers import this checkout and the test helpers (PYTHONPATH)."""
    old = os.environ.get("PYTHONPATH")
    os.environ["PYTHONPATH"] = os.pathsep.join([str(HERE.parents[1]), str(HERE), *([old] if old else [])])
    try:
        ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    except Exception as exc:  # Ray gives its node 30 s to start; a machine loaded far beyond its cores misses that
        pytest.skip(f"a local Ray could not start on this machine: {exc}")
    yield
    ray.shutdown()
    if old is None:
        os.environ.pop("PYTHONPATH", None)
    else:
        os.environ["PYTHONPATH"] = old


def _store(url: str, n: int):
    """A fresh store with ``n`` synthetic documents (varied genres: varied spans and decisions)."""
    from review_app.db import make_engine, upgrade
    from review_app.store import documents
    from training.synth import generate_documents

    eng = make_engine(url)
    upgrade(eng)
    with Session(eng, expire_on_commit=False) as s:
        col = documents.ensure_collection(session=s, name="批量")
        for i, rec in enumerate(generate_documents(n, seed=3)):
            text = rec["text"]
            documents.add_document(session=s, collection_id=col.id, actor="ingest", doc=documents.NewDocument(
                reference_code=f"J9-{i:04d}", title=f"文件{i}", source_path=f"/tmp/{i}.txt", media_type="text/plain",
                sha256=hashlib.sha256(f"{i}:{text}".encode()).hexdigest(), text=text))
        return eng, col.id


def _snapshot(eng) -> tuple[list, list]:
    with Session(eng) as s:
        ref = {d.id: d.reference_code for d in s.exec(select(Document))}
        spans = sorted((ref[r.document_id], r.start, r.end, r.label, round(r.score, 6), r.status, r.model_version)
                       for r in s.exec(select(SpanRecord)))
        props = sorted((ref[p.document_id], p.decision, tuple(p.reasons), p.closure, round(p.confidence, 6),
                        json.dumps(p.probabilities, sort_keys=True), p.model_version, tuple(p.fired_rules),
                        p.is_current) for p in s.exec(select(Proposal)))
    return spans, props


def _detects_per_document(eng) -> Counter:
    with Session(eng) as s:
        return Counter(e.subject for e in s.exec(select(AuditEvent).where(AuditEvent.action == "detect")))


def test_ray_gives_the_same_spans_and_proposals_as_local(tmp_path, model_version, local_ray):
    from review_app.scale import ModelSpec, run_collection

    spec = ModelSpec(path=str(model_version))
    a, col_a = _store(f"sqlite:///{tmp_path / 'local.db'}", 10)
    b, col_b = _store(f"sqlite:///{tmp_path / 'ray.db'}", 10)
    local = run_collection(a, collection_id=col_a, spec=spec, options=ps.Options(), actor="t", progress=False,
                           batch_size=3)
    remote = run_collection(b, collection_id=col_b, spec=spec, options=ps.Options(), actor="t", progress=False,
                            engine_name="ray", workers=2, batch_size=3)
    assert (local.scanned, local.proposed) == (remote.scanned, remote.proposed) == (10, 10)
    assert local.decisions == remote.decisions
    spans_a, props_a = _snapshot(a)
    assert spans_a and len(props_a) == 10
    assert _snapshot(b) == (spans_a, props_a)
    again = run_collection(b, collection_id=col_b, spec=spec, options=ps.Options(), actor="t", progress=False,
                           engine_name="ray", workers=2, batch_size=3)
    assert (again.scanned, again.proposed, again.skipped) == (0, 0, 10)  # idempotent


def test_a_killed_worker_loses_and_repeats_nothing(tmp_path, model_version, local_ray):
    from ray_helpers import kill_once_loader
    from review_app.scale import ModelSpec, run_collection

    marker = tmp_path / "killed.pid"
    eng, col = _store(f"sqlite:///{tmp_path / 'kill.db'}", 12)
    counts = run_collection(eng, collection_id=col, spec=ModelSpec(path=str(model_version)), options=ps.Options(),
                            actor="t", progress=False, engine_name="ray", workers=2, batch_size=2,
                            loader=kill_once_loader(str(marker)))
    assert marker.exists(), "no worker was killed: the test did not test anything"
    assert (counts.documents, counts.scanned, counts.proposed) == (12, 12, 12)
    detects = _detects_per_document(eng)
    assert len(detects) == 12 and set(detects.values()) == {1}  # every document scanned exactly once
    with Session(eng) as s:
        per_doc = Counter(p.document_id for p in s.exec(select(Proposal)))
        assert len(per_doc) == 12 and set(per_doc.values()) == {1}
        assert {d.status for d in s.exec(select(Document))} == {"proposed"}
