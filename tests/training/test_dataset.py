"""The training set: only what people confirmed, with provenance; a frozen evaluation split."""
from __future__ import annotations

import pytest

from models.spans import Span
from review_app.db import session_scope
from review_app.store import review
from review_app.tables import Document
from training.dataset import DataConfig, build_training_set, confirmed_records, fingerprint, in_eval_bucket

TEXT = "王秀英同志经医院诊断，确诊为肺结核，经组织研究，同意其病休3个月。联系电话13905912345。"


def _doc(s, add_document, add_proposal, text=TEXT):
    d = add_document(s, "病休", text, title="关于病休的审批", year=1986, date_text="1986")
    add_proposal(s, d, "OPEN", {"OPEN": 0.6, "OPEN_REDACTED": 0.3, "CLOSED": 0.1},
                 spans=[Span(0, 3, "PERSON", 0.9, "ner:seed"), Span(5, 8, "LOC", 0.4, "ner:seed"),
                        Span(text.index("139"), text.index("139") + 11, "PHONE", 1.0, "cn_phone.v1")])
    return d


def _v(s, d):
    return s.get(Document, d).version


@pytest.fixture
def eval_file(tmp_path) -> str:
    import json

    p = tmp_path / "eval.jsonl"
    p.write_text(json.dumps({"id": "e1", "text": "关于召开春耕生产会议的通知。", "spans": [], "decision": "OPEN",
                             "reasons": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    return str(p)


def test_only_confirmed_spans_and_committee_decisions_count(sqlite_engine, add_document, add_proposal, eval_file):
    with session_scope(sqlite_engine) as s:
        d = _doc(s, add_document, add_proposal)
        assert confirmed_records(s) == []  # proposed, not decided: nothing is gold yet
        spans = {r.label: r for r in review.active_spans(session=s, document_id=d)}
        review.accept_span(session=s, span_id=spans["PERSON"].id, actor="rev", version=_v(s, d))
        review.reject_span(session=s, span_id=spans["LOC"].id, actor="rev", version=_v(s, d))
        review.accept_span(session=s, span_id=spans["PHONE"].id, actor="rev2", version=_v(s, d))
        a = TEXT.index("确诊为")
        review.add_span(session=s, document_id=d, start=a, end=a + 6, label="HEALTH", actor="rev", version=_v(s, d))
        review.decide(session=s, document_id=d, actor="rev", decision="OPEN_REDACTED", reasons=["PERSONAL_INFO"],
                      note="病情", version=_v(s, d))
        assert confirmed_records(s) == []  # a reviewer's decision alone is not final
        review.finalize(session=s, document_id=d, actor="chair", decision="OPEN_REDACTED", reasons=["PERSONAL_INFO"],
                        note="同意", version=_v(s, d))
        [(rec, prov)] = confirmed_records(s)
    assert rec["decision"] == "OPEN_REDACTED" and rec["spans_reviewed"]
    assert [(TEXT[x["start"]:x["end"]], x["label"]) for x in rec["spans"]] == [
        ("王秀英", "PERSON"), ("确诊为肺结核", "HEALTH"), ("13905912345", "PHONE")]  # LOC was rejected
    assert prov["decided_by"] == "chair" and prov["reviewed_by"] == "rev"
    assert {(x["label"], x["by"]) for x in prov["spans"]} == {("PERSON", "rev"), ("HEALTH", "rev"), ("PHONE", "rev2")}

    ts = build_training_set(_session(sqlite_engine), DataConfig(synth_train=0, eval_synth=0, eval_fraction=0.0,
                                                                confirmed_weight=2, eval_file=eval_file))
    assert ts.counts["confirmed_train"] == 1 and len(ts.ner_train) == 2 and len(ts.decision_train) == 2
    assert ts.provenance[0]["used_for"] == "train" and ts.provenance[0]["ner"]
    assert [r["id"] for r in ts.confirmed_ner] == [rec["id"]]  # once each, whatever the weight
    held = build_training_set(_session(sqlite_engine), DataConfig(synth_train=0, eval_synth=0, eval_fraction=1.0,
                                                                  eval_file=eval_file, base_file=eval_file))
    assert held.confirmed_ner == [] and len(held.eval_confirmed) == 1  # held out: never a source of names


def _session(engine):
    from sqlmodel import Session

    return Session(engine)


def test_unreviewed_machine_spans_keep_a_document_out_of_ner_training(sqlite_engine, add_document, add_proposal,
                                                                     eval_file):
    with session_scope(sqlite_engine) as s:
        d = _doc(s, add_document, add_proposal)
        review.decide(session=s, document_id=d, actor="rev", decision="OPEN_REDACTED", reasons=["PERSONAL_INFO"],
                      note="x", version=_v(s, d))
        review.finalize(session=s, document_id=d, actor="chair", decision="OPEN_REDACTED", reasons=["PERSONAL_INFO"],
                        note="x", version=_v(s, d))
        ts = build_training_set(s, DataConfig(synth_train=0, eval_synth=0, eval_fraction=0.0, confirmed_weight=1,
                                              eval_file=eval_file))
        assert ts.ner_train == [] and len(ts.decision_train) == 1 and ts.confirmed_ner == []
        assert ts.provenance[0]["unreviewed_machine_spans"] == 3 and not ts.provenance[0]["ner"]
        ts2 = build_training_set(s, DataConfig(synth_train=0, eval_synth=0, eval_fraction=0.0, confirmed_weight=1,
                                               require_reviewed_spans=False, eval_file=eval_file))
        assert len(ts2.ner_train) == 1


def test_eval_bucket_is_frozen_by_the_seed_and_fingerprints_are_order_free():
    keys = [f"doc:{i}" for i in range(2000)]
    a = [k for k in keys if in_eval_bucket(k, 20261124, 0.2)]
    assert a == [k for k in keys if in_eval_bucket(k, 20261124, 0.2)]  # stable across calls
    assert 300 < len(a) < 500  # about 20 %
    assert a != [k for k in keys if in_eval_bucket(k, 7, 0.2)]  # another seed, another split
    assert not any(in_eval_bucket(k, 1, 0.0) for k in keys)
    r1, r2 = {"id": "a", "text": "甲"}, {"id": "b", "text": "乙"}
    assert fingerprint([r1, r2]) == fingerprint([r2, r1]) != fingerprint([r1])


def test_data_config_rejects_unknown_settings():
    with pytest.raises(ValueError, match="unknown"):
        DataConfig.from_dict({"synth": 3})
    with pytest.raises(ValueError, match="eval_fraction"):
        DataConfig.from_dict({"eval_fraction": 1.5})


def test_an_empty_evaluation_split_is_refused(sqlite_engine, tmp_path):
    import json

    base = tmp_path / "base.jsonl"
    base.write_text(json.dumps({"id": "a", "text": "关于召开会议的通知。", "spans": [], "decision": "OPEN",
                                "reasons": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    with session_scope(sqlite_engine) as s:
        with pytest.raises(ValueError, match="evaluation split is empty"):
            build_training_set(s, DataConfig(synth_train=0, eval_synth=0, base_file=str(base)))
        ts = build_training_set(s, DataConfig(synth_train=0, eval_synth=0, base_file=str(base), eval_file=str(base)))
        assert ts.counts["eval"] == 1 and ts.decision_train[0]["spans"] == []
