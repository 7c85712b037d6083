"""Helpers for the learning-loop tests: documents and proposals written through the real stores."""
from __future__ import annotations

import hashlib
import re

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


from learning_corpus import TINY_DECISION, TINY_NER  # noqa: E402


@pytest.fixture(scope="session")
def corpus():
    import learning_corpus as lc

    return {
        "base": lc.records({"notice": 20, "household": 20, "secret": 10}, seed=1),  # no medical records
        "medical": lc.records({"medical": 12}, seed=2),
        "eval": lc.records({"notice": 8, "household": 8, "secret": 4, "medical": 10}, seed=3),
    }


@pytest.fixture(scope="session")
def seed_version(tmp_path_factory, corpus):
    """A tiny seed model version (never saw a medical record), built once per session."""
    from training.retrain import RetrainConfig, build_version, write_version_manifest

    out = tmp_path_factory.mktemp("seed") / "seed-v1"
    out.mkdir()
    cfg = RetrainConfig(ner_params=dict(TINY_NER), decision_params=dict(TINY_DECISION), seed=5, threads=1)
    comps = build_version(out=out, name="seed-v1", ner_train=corpus["base"], decision_train=corpus["base"],
                          parent_dir=None, cfg=cfg, progress=lambda f, m: None)
    # The seed keeps only the exact rules (IDs, phones, accounts, marks): with the HEALTH /
    # LEGAL_RECORD / ADDRESS rules it would already find what the medical records hold, and the
    # retraining tests measure what the *tagger* learns from confirmed reviews. Candidates inherit
    # their parent's rules, so seed and candidate still run the same rules.
    rules = out / "ner" / "rules.toml"
    text = rules.read_text(encoding="utf-8")
    for name in ("cn_health", "cn_legal_record", "cn_address"):  # whatever version the config runs
        text, n = re.subn(rf'\[\[recognizers\]\]\nname = "{name}\.v[0-9]+"\n', "", text)
        assert n == 1, f"{name} not found in the rules config"
    rules.write_text(text, encoding="utf-8")
    write_version_manifest(out, name="seed-v1", parent=None, data_fingerprint="seed", metrics={}, components=comps)
    return out


@pytest.fixture
def models_home(tmp_path, seed_version, sqlite_engine):
    """A models root holding a copy of the seed, registered as the current version."""
    import shutil

    from review_app.db import session_scope
    from review_app.store import model_registry as reg

    root = tmp_path / "models"
    root.mkdir()
    shutil.copytree(seed_version, root / "seed-v1")
    with session_scope(sqlite_engine) as s:
        reg.register_version(session=s, name="seed-v1", path=str(root / "seed-v1"), actor="admin", status="current")
    return root
