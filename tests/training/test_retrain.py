"""The learning loop end to end, on tiny models: confirmed reviews make the next model better.

* ingest -> scan -> propose -> reviewers and the committee confirm -> train -> promoted, and the
  new version's proposals on those documents change (towards the committee's decisions);
* a worse candidate (trained on mislabelled data) is evaluated, rejected, and changes nothing;
* a training process killed midway leaves the current model and the registry intact.
"""
from __future__ import annotations

import hashlib
import json
import os
import random
import signal
import time
from pathlib import Path

import pytest
from sqlmodel import select

from review_app.config import Settings
from review_app.db import session_scope
from review_app.model_service import ModelService
from review_app.store import model_registry as reg
from review_app.store import review
from review_app.tables import AuditEvent, Document, ModelVersion
from training import jobs
from training.retrain import PromotionGate, RetrainConfig, clean_stale_temp_dirs

from learning_corpus import write_jsonl, write_train_config

pytestmark = pytest.mark.slow


def _tree_digest(path: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(path.rglob("*")):
        if p.is_file():
            h.update(str(p.relative_to(path)).encode())
            h.update(p.read_bytes())
    return h.hexdigest()


def _service(engine, tmp_path) -> ModelService:
    return ModelService(settings=Settings(home=tmp_path, database_url=str(engine.url)), engine=engine)


def _scan_and_propose(engine, service, doc_ids) -> dict[int, tuple[str, str, set[str]]]:
    """Scan and propose with whatever the registry says is current.

    Returns {doc: (proposed decision, proposal's model version, labels the detector found)}. The
    spans of a document with a final decision are frozen, so they are detected but not stored.
    """
    out = {}
    detector, proposer = service.detector(), service.proposer()
    with session_scope(engine) as s:
        for doc_id in doc_ids:
            doc = s.get(Document, doc_id)
            spans = detector.detect(doc.text)
            if not review.is_frozen(doc):
                review.record_detection(session=s, document_id=doc_id, spans=spans, model_version=detector.version,
                                        replace=True)
            meta = {"title": doc.title, "creator": doc.creator, "date": doc.date_text, "year": doc.year,
                    "classification": doc.classification, "genre": doc.genre}
            p = review.propose(session=s, document_id=doc_id, result=proposer.propose(doc.text, spans, meta))
            out[doc_id] = (p.decision, p.model_version, {sp.label for sp in spans})
    return out


def _confirm(engine, doc_id: int, gold: dict) -> None:
    """A reviewer fixes the spans and decides; a committee member finalises (through store.review)."""
    want = {(s["start"], s["end"], s["label"]) for s in gold["spans"]}
    with session_scope(engine) as s:
        for row in review.active_spans(session=s, document_id=doc_id):
            version = s.get(Document, doc_id).version
            if (row.start, row.end, row.label) in want:
                review.accept_span(session=s, span_id=row.id, actor="reviewer1", version=version)
                want.discard((row.start, row.end, row.label))
            else:
                review.reject_span(session=s, span_id=row.id, actor="reviewer1", version=version)
        for start, end, label in sorted(want):
            review.add_span(session=s, document_id=doc_id, start=start, end=end, label=label, actor="reviewer1",
                            version=s.get(Document, doc_id).version)
        review.decide(session=s, document_id=doc_id, actor="reviewer1", decision=gold["decision"],
                      reasons=gold["reasons"], note="病情属个人隐私，遮蔽后开放", version=s.get(Document, doc_id).version)
        review.finalize(session=s, document_id=doc_id, actor="committee1", decision=gold["decision"],
                        reasons=gold["reasons"], note="同意初审意见", version=s.get(Document, doc_id).version)


def _ingest(s, add_document, records, collection="病休审批 1985"):
    ids = []
    for r in records:
        ids.append(add_document(s, collection, r["text"], title=r["title"], creator=r["creator"],
                                date_text=r["date"], year=r["year"], classification=r["classification"],
                                genre=r["genre"]))
    return ids


def test_gate_rules(tmp_path):
    from training.gate import decide

    gate = PromotionGate()
    tol = gate.tolerances()
    base = {"span_f1": 0.5, "decision_macro_f1": 0.6, "leak_rate": 0.1, "sensitive_recall": 0.8}
    better = {**base, "span_f1": 0.6, "decision_macro_f1": 0.7}
    # no learned genre: the pooled frozen F1 must improve and nothing get worse
    assert decide({"f": better}, {"f": base}, genre_names=[], tolerances=tol, min_gain=0.0).promote
    res = decide({"f": {**better, "leak_rate": 0.12}}, {"f": base}, genre_names=[], tolerances=tol, min_gain=0.0)
    assert not res.promote and any("leak_rate worse" in r for r in res.reasons)
    blind = {**better, "sensitive_recall": 0.78}
    assert not decide({"f": blind}, {"f": base}, genre_names=[], tolerances=tol, min_gain=0.0).promote
    assert decide({"f": blind}, {"f": base}, genre_names=[], min_gain=0.0,
                  tolerances={**tol, "max_sensitive_recall_drop": 0.03}).promote
    assert not decide({"f": base}, {"f": base}, genre_names=[], tolerances=tol, min_gain=0.0).promote
    # a learned genre: better there, and a frozen set within noise (-0.005) -> promoted
    genre_b, genre_c = {"span_f1": 0.3}, {"span_f1": 0.5}
    ok = decide({"g": genre_c, "f": {**base, "span_f1": 0.495}}, {"g": genre_b, "f": base}, genre_names=["g"],
                tolerances=tol, min_gain=0.0)
    assert ok.promote, ok.reasons
    # ... but 2 points worse on a frozen set -> refused, whatever the genre says
    bad = decide({"g": genre_c, "f": {**base, "span_f1": 0.48}}, {"g": genre_b, "f": base}, genre_names=["g"],
                 tolerances=tol, min_gain=0.0)
    assert not bad.promote and any("f: span_f1 worse beyond noise" in r for r in bad.reasons)
    bad = tmp_path / "bad.toml"
    bad.write_text("[promotion]\nmax_leak = 1\n", encoding="utf-8")
    with pytest.raises(ValueError, match="unknown"):
        RetrainConfig.load(bad)
    shipped = RetrainConfig.load()
    assert shipped.gate.max_leak_rate_increase == 0.0 and shipped.gate.max_f1_drop == 0.01
    assert shipped.warm_start and shipped.data.replay_per_corpus > 0
    # the fine-tuning is held toward the parent (L2-SP) and TrainConfig takes the setting
    from training.retrain import ner_config

    assert ner_config(shipped.ner_params).anchor == shipped.ner_params["anchor"] > 0
    # ... and saved part of the way from the parent's weights (WiSE-FT)
    assert 0 < ner_config(shipped.ner_params).interpolate == shipped.ner_params["interpolate"] < 1


def test_confirmed_reviews_retrain_promote_and_change_proposals(sqlite_engine, models_home, tmp_path, corpus,
                                                                add_document):
    engine = sqlite_engine
    service = _service(engine, tmp_path)
    gold = corpus["medical"]
    with session_scope(engine) as s:
        ids = _ingest(s, add_document, gold)
    before = _scan_and_propose(engine, service, ids)
    assert service.loaded_key() == "seed-v1"
    for doc_id, g in zip(ids, gold):
        _confirm(engine, doc_id, g)

    cfg = write_train_config(tmp_path / "train.toml", base_file=write_jsonl(tmp_path / "base.jsonl", corpus["base"]),
                             eval_file=write_jsonl(tmp_path / "eval.jsonl", corpus["eval"]))
    with session_scope(engine) as s:
        job = reg.create_job(session=s, started_by="admin")
    job = jobs.run_job(engine=engine, job_id=job.id, models_root=models_home, config_path=cfg, actor="admin")
    assert job.status == "succeeded", job.message
    assert job.promoted, job.message

    with session_scope(engine) as s:
        cur = reg.current_version(session=s)
        assert cur.name == job.candidate and cur.parent == "seed-v1"
        assert reg.get_version(session=s, name="seed-v1").status == "retired"
        assert cur.metrics["candidate"]["f1"] > cur.metrics["current"]["f1"]
        assert cur.metrics["counts"]["confirmed_train"] == len(gold)
        assert [e.action for e in s.exec(select(AuditEvent).where(AuditEvent.action.like("model.%")))] == [
            "model.register", "model.register", "model.promote"]
    manifest = json.loads((Path(cur.path) / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parent"] == "seed-v1" and manifest["comparison"]["gate"]["promote"]
    prov = [json.loads(x) for x in (Path(cur.path) / "data" / "provenance.jsonl").read_text(encoding="utf-8").splitlines()]
    assert {p["decided_by"] for p in prov} == {"committee1"} and {p["reviewed_by"] for p in prov} == {"reviewer1"}
    assert all(sp["by"] == "reviewer1" for p in prov for sp in p["spans"])
    assert "text" not in prov[0]  # provenance, never the archive's text

    # the running service switches to the promoted version without a restart
    after = _scan_and_propose(engine, service, ids)
    assert service.loaded_key() == cur.name
    assert all(after[i][1] != before[i][1] for i in ids)
    right_before = sum(before[i][0] == g["decision"] for i, g in zip(ids, gold))
    right_after = sum(after[i][0] == g["decision"] for i, g in zip(ids, gold))
    assert right_after > right_before, (right_before, right_after)
    health_before = sum("HEALTH" in before[i][2] for i in ids)
    health_after = sum("HEALTH" in after[i][2] for i in ids)
    assert health_after > health_before, ("the retrained NER should find the HEALTH spans reviewers added",
                                          health_before, health_after)


def test_worse_candidate_stays_unpromoted(sqlite_engine, models_home, tmp_path, corpus, add_document):
    engine = sqlite_engine
    rng = random.Random(0)
    # a sloppy labelling: every record gets the decision (and reasons) of a random other record
    fields = ("decision", "reasons", "closure", "review_after")
    donors = list(corpus["base"])
    rng.shuffle(donors)
    mislabelled = [{**{k: v for k, v in r.items() if k not in fields}, **{k: d[k] for k in fields if k in d}}
                   for r, d in zip(corpus["base"], donors)]
    cfg = write_train_config(tmp_path / "train.toml", base_file=write_jsonl(tmp_path / "base.jsonl", mislabelled),
                             eval_file=write_jsonl(tmp_path / "eval.jsonl", corpus["eval"]), retrain_ner=False)
    seed_digest = _tree_digest(models_home / "seed-v1")
    with session_scope(engine) as s:
        job = reg.create_job(session=s, started_by="admin")
    job = jobs.run_job(engine=engine, job_id=job.id, models_root=models_home, config_path=cfg, actor="admin")
    assert job.status == "succeeded" and not job.promoted, job.message
    assert "not promoted" in job.message
    with session_scope(engine) as s:
        assert reg.current_version(session=s).name == "seed-v1"
        cand = reg.get_version(session=s, name=job.candidate)
        assert cand.status == "rejected"
        assert cand.metrics["candidate"]["f1"] <= cand.metrics["current"]["f1"] or \
            cand.metrics["candidate"]["leak_rate"] > cand.metrics["current"]["leak_rate"]
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "model.reject")).one().subject == \
            f"model:{job.candidate}"
    assert _tree_digest(models_home / "seed-v1") == seed_digest
    assert _service(engine, tmp_path).loaded_key() is None  # nothing loaded yet ...
    svc = _service(engine, tmp_path)
    svc.models()
    assert svc.loaded_key() == "seed-v1"  # ... and what loads is still the seed


def test_killed_training_leaves_the_current_model_intact(sqlite_engine, sqlite_url, models_home, tmp_path, corpus):
    engine = sqlite_engine
    cfg = write_train_config(tmp_path / "train.toml", base_file=write_jsonl(tmp_path / "base.jsonl", corpus["base"]),
                             eval_file=write_jsonl(tmp_path / "eval.jsonl", corpus["eval"]))
    seed_digest = _tree_digest(models_home / "seed-v1")
    job = jobs.start_background(engine=engine, database_url=sqlite_url, models_root=models_home, actor="admin",
                                config_path=cfg, log_dir=tmp_path / "logs", lease_seconds=6)
    assert job.pid and job.lease_seconds == 6
    deadline = time.monotonic() + 300
    while True:  # wait until the worker is inside NER training, then pull the plug
        with session_scope(engine) as s:
            cur = reg.get_job(session=s, job_id=job.id)
        if cur.message.startswith("training the NER"):
            break
        assert cur.status in ("queued", "running"), (cur.status, cur.message,
                                                      (tmp_path / "logs" / f"train-{job.id}.log").read_text())
        assert time.monotonic() < deadline, "the worker never reached NER training"
        time.sleep(0.1)
    assert list(models_home.glob(".tmp-*")), "training should be writing into a temp dir"
    os.killpg(job.pid, signal.SIGKILL)
    done = jobs.wait_for(engine, job.id, timeout=30, poll=0.2)  # the heartbeat stops; the lease runs out
    assert done.status == "killed" and not done.promoted
    with session_scope(engine) as s:
        assert [m.name for m in s.exec(select(ModelVersion))] == ["seed-v1"]
        assert reg.current_version(session=s).name == "seed-v1"
        assert s.exec(select(AuditEvent).where(AuditEvent.action == "training.killed")).one()
    assert _tree_digest(models_home / "seed-v1") == seed_digest
    assert [p.name for p in models_home.iterdir() if not p.name.startswith(".")] == ["seed-v1"]
    assert clean_stale_temp_dirs(models_home) and not list(models_home.glob(".tmp-*"))
    with session_scope(engine) as s:  # the next job is not blocked by the dead one
        assert reg.create_job(session=s, started_by="admin").status == "queued"
