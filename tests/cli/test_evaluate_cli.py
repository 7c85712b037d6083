"""``kaifang evaluate`` and ``kaifang scan`` end to end through the Typer app (rule detector)."""
import json

import pytest
from typer.testing import CliRunner

import models.evaluation as evaluation
from kaifang.cli import app
from models.analyzer import build_rule_analyzer
from evaluate_stubs import PolicyStub

runner = CliRunner()
TEXT = "林碧军，身份证号350102198703154511，电话：0591-87654321。\n机密★10年"




@pytest.fixture(autouse=True)
def rules_only(monkeypatch):
    """Pin the detector to the rules and the proposer to a stub (no trained model needed)."""
    monkeypatch.setattr(evaluation, "load_detector", lambda model=None, rules_only=False: (
        evaluation.RulesOnlyDetector(build_rule_analyzer()), None))
    monkeypatch.setattr(evaluation, "load_proposer", lambda model=None: (PolicyStub(), None))


def write(tmp_path, records):
    p = tmp_path / "gold.jsonl"
    p.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    return p


def test_evaluate_json(tmp_path):
    gold = [
        {"id": "1", "text": TEXT, "decision": "CLOSED", "reasons": ["STATE_SECRET"],
         "spans": [{"start": 0, "end": 3, "label": "PERSON"}, {"start": 8, "end": 26, "label": "ID_NUMBER"},
                   {"start": 30, "end": 43, "label": "PHONE"}, {"start": 45, "end": 51, "label": "SECRET_MARK"}]},
        {"id": "2", "text": "会议通知：各单位按时参加。", "spans": [], "decision": "OPEN", "reasons": []},
    ]
    r = runner.invoke(app, ["evaluate", str(write(tmp_path, gold)), "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["documents"] == 2 and out["characters"] == len(TEXT) + 13
    # the rules find ID, PHONE and SECRET_MARK exactly and no PERSON: micro P 1, R 3/4
    assert out["spans"]["micro"]["precision"] == 1.0 and out["spans"]["micro"]["recall"] == 0.75
    assert out["spans"]["PERSON"]["recall"] == 0.0
    assert out["sensitive_recall"] == 0.75
    assert out["decisions"]["accuracy"] == 1.0 and out["decisions"]["leak_rate"] == 0.0


def test_evaluate_table(tmp_path):
    gold = [{"id": "1", "text": TEXT, "spans": [{"start": 30, "end": 43, "label": "PHONE"}]}]
    r = runner.invoke(app, ["evaluate", str(write(tmp_path, gold))])
    assert r.exit_code == 0, r.output
    assert "PHONE" in r.stdout and "micro" in r.stdout and "sensitive_recall" in r.stdout
    assert "unscored" in r.stdout  # ID_NUMBER and SECRET_MARK predicted but never annotated here


def test_evaluate_bad_input_names_the_line(tmp_path):
    p = tmp_path / "bad.jsonl"
    p.write_text('{"id": "1", "text": "甲", "spans": []}\n{oops\n', encoding="utf-8")
    r = runner.invoke(app, ["evaluate", str(p)])
    assert r.exit_code == 2 and "bad.jsonl:2: invalid JSON" in r.output
    r = runner.invoke(app, ["evaluate", str(tmp_path / "missing.jsonl")])
    assert r.exit_code == 2 and "no such file" in r.output
    r = runner.invoke(app, ["evaluate", str(p), "--model", str(tmp_path / "nodir")])
    assert r.exit_code == 2 and "not a directory" in r.output


def test_scan_stdin_prints_json_lines():
    r = runner.invoke(app, ["scan", "-"], input=TEXT.encode("utf-8"))
    assert r.exit_code == 0, r.output
    rows = [json.loads(line) for line in r.stdout.splitlines()]
    assert [(x["label"], x["text"]) for x in rows] == [
        ("ID_NUMBER", "350102198703154511"), ("PHONE", "0591-87654321"), ("SECRET_MARK", "机密★10年")]
    assert all(TEXT[x["start"]:x["end"]] == x["text"] and x["source"] and 0 < x["score"] <= 1 for x in rows)


def test_scan_gb18030_file(tmp_path):
    p = tmp_path / "old.txt"
    p.write_bytes("档案记载：联系电话１３９０５９１２３４５，此件无密级。".encode("gb18030"))
    r = runner.invoke(app, ["scan", str(p)])
    assert r.exit_code == 0, r.output
    assert [json.loads(x)["text"] for x in r.stdout.splitlines()] == ["１３９０５９１２３４５"]


def test_scan_needs_exactly_one_source():
    r = runner.invoke(app, ["scan"])
    assert r.exit_code == 2 and "either FILE" in r.output


def test_scan_collection_into_the_store(tmp_path, monkeypatch):
    import hashlib

    from sqlmodel import select

    from kaifang.cli.common import engine, settings
    from review_app.db import session_scope
    from review_app.store.documents import NewDocument, add_document, ensure_collection
    from review_app.tables import SpanRecord

    env = {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": ""}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    eng = engine(settings())
    with session_scope(eng) as s:
        coll = ensure_collection(session=s, name="测试全宗")
        doc = add_document(session=s, collection_id=coll.id, doc=NewDocument(
            source_path="a.txt", sha256=hashlib.sha256(TEXT.encode()).hexdigest(), media_type="text/plain",
            text=TEXT))
        doc_id = doc.id
    r = runner.invoke(app, ["scan", "--collection", "测试全宗"], env=env)
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout) == {"collection": "测试全宗", "documents": 1, "scanned": 1, "skipped": 0, "frozen": 0,
                                    "spans": 3}
    with session_scope(eng) as s:
        rows = list(s.exec(select(SpanRecord).where(SpanRecord.document_id == doc_id)))
    assert sorted((x.label, x.text, x.model_version) for x in rows) == [
        ("ID_NUMBER", "350102198703154511", "rules-only:rules.v8"),
        ("PHONE", "0591-87654321", "rules-only:rules.v8"),
        ("SECRET_MARK", "机密★10年", "rules-only:rules.v8")]
    again = runner.invoke(app, ["scan", "--collection", "测试全宗"], env=env)
    assert json.loads(again.stdout)["skipped"] == 1  # idempotent: already scanned
    missing = runner.invoke(app, ["scan", "--collection", "无此全宗"], env=env)
    assert missing.exit_code == 2 and "no collection named" in missing.output


def test_rules_only_flag_needs_no_trained_model(tmp_path, monkeypatch):
    monkeypatch.undo()  # the real loaders
    gold = [{"id": "1", "text": TEXT, "decision": "CLOSED",
             "spans": [{"start": 8, "end": 26, "label": "ID_NUMBER"}]}]
    r = runner.invoke(app, ["evaluate", str(write(tmp_path, gold)), "--rules-only", "--json"])
    assert r.exit_code == 0, r.output
    out = json.loads(r.stdout)
    assert out["detector"] == "rules-only:rules.v8" and "decisions" not in out
    assert out["decisions_skipped"] == "--rules-only evaluates spans only"
    assert out["spans"]["ID_NUMBER"]["f1"] == 1.0 and out["labels_unscored"] == ["PHONE", "SECRET_MARK"]
    r = runner.invoke(app, ["scan", "-", "--rules-only"], input=TEXT.encode("utf-8"))
    assert r.exit_code == 0 and len(r.stdout.splitlines()) == 3
    r = runner.invoke(app, ["evaluate", str(write(tmp_path, gold)), "--rules-only", "--model", str(tmp_path)])
    assert r.exit_code == 2 and "takes no --model" in r.output


def test_missing_decision_model_skips_decisions_visibly(tmp_path, monkeypatch):
    def no_model(model=None):
        raise FileNotFoundError(f"no decision model under {model}")

    monkeypatch.setattr(evaluation, "load_proposer", no_model)
    gold = [{"id": "1", "text": TEXT, "decision": "CLOSED", "spans": []}]
    r = runner.invoke(app, ["evaluate", str(write(tmp_path, gold))])
    assert r.exit_code == 0, r.output
    assert "decisions not scored: no decision model under None" in r.stdout
    r = runner.invoke(app, ["evaluate", str(write(tmp_path, gold)), "--json"])
    assert json.loads(r.stdout)["decisions_skipped"] == "no decision model under None"


def test_scan_engine_options_are_checked(tmp_path, monkeypatch):
    """--engine names a known engine; --address and --workers go with --engine ray."""
    env = {"KAIFANG_HOME": str(tmp_path / "home"), "KAIFANG_DATABASE_URL": ""}
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    unknown = runner.invoke(app, ["scan", "--collection", "x", "--engine", "spark"], env=env)
    assert unknown.exit_code == 2 and "--engine is one of local, ray" in unknown.output
    stray = runner.invoke(app, ["scan", "--collection", "x", "--workers", "2"], env=env)
    assert stray.exit_code == 2 and "go with --engine ray" in stray.output
    zero = runner.invoke(app, ["propose", "--collection", "x", "--engine", "ray", "--workers", "0"], env=env)
    assert zero.exit_code == 2
