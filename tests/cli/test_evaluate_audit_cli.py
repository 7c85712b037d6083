"""``kaifang evaluate`` as an outside evaluator runs it: stdin, BOM/CRLF, non-BMP text, mixed
decisions, --labels, bad input and bad --model (exit 2, nothing on stdout). Figures by hand."""
import json

import pytest
from typer.testing import CliRunner

import models.evaluation as evaluation
from kaifang.cli import app
from models.analyzer import build_rule_analyzer
from evaluate_stubs import PolicyStub

runner = CliRunner()

# the shipped rules find the ID number and the phones and the e-mail, never a name
T_A = "林碧军，身份证号350102198703154511，电话：0591-87654321。"
T_B = "𠮷田春子，电话13905912345，邮箱linbj@example.cn"  # 𠮷 is one code point (two UTF-16 units)
T_C = "会议通知：各单位按时参加。"
GOLD = [
    {"id": "A", "text": T_A, "decision": "OPEN_REDACTED", "reasons": ["PERSONAL_INFO"],
     "spans": [{"start": 0, "end": 3, "label": "PERSON"}, {"start": 8, "end": 26, "label": "ID_NUMBER"},
               {"start": 30, "end": 43, "label": "PHONE"}]},
    {"id": "B", "text": T_B, "reasons": [],
     "spans": [{"start": 0, "end": 4, "label": "PERSON", "text": "𠮷田春子"},
               {"start": 7, "end": 18, "label": "PHONE", "text": "13905912345"},
               {"start": 21, "end": 37, "label": "EMAIL", "text": "linbj@example.cn"}]},
    {"id": "C", "text": T_C, "spans": [], "decision": "OPEN", "reasons": [], "genre": "通知", "year": 1992},
]




@pytest.fixture
def stubbed(monkeypatch):
    monkeypatch.setattr(evaluation, "load_detector", lambda model=None, rules_only=False: (
        evaluation.RulesOnlyDetector(build_rule_analyzer()), None))
    monkeypatch.setattr(evaluation, "load_proposer", lambda model=None: (PolicyStub(), None))


def jsonl(records, newline="\n", bom=False) -> bytes:
    body = newline.join(json.dumps(r, ensure_ascii=False) for r in records) + newline
    return (b"\xef\xbb\xbf" if bom else b"") + body.encode("utf-8")


def check_gold_figures(out):
    assert out["documents"] == 3 and out["characters"] == len(T_A) + 37 + 13 and len(T_B) == 37
    # gold PERSON x2, ID, PHONE x2, EMAIL; predicted ID, PHONE x2, EMAIL, all exact.
    # micro tp 4, fp 0, fn 2: P 1, R 2/3, F1 8/10
    m = out["spans"]["micro"]
    assert (m["precision"], m["recall"], m["f1"], m["support"]) == (1.0, 0.666667, 0.8, 6)
    assert out["spans_overlap"]["micro"]["f1"] == 0.8
    assert (out["sensitive_recall"], out["sensitive_support"]) == (0.666667, 6)
    # decisions: A (OPEN_REDACTED, proposed OPEN_REDACTED) and C (OPEN, proposed OPEN); B has none
    d = out["decisions"]
    assert (d["documents"], d["documents_without_decision"], d["accuracy"]) == (2, 1, 1.0)
    assert (d["leak_rate"], d["over_closure_rate"], d["macro_f1"]) == (0.0, 0.0, 1.0)
    assert d["macro_f1_classes"] == ["OPEN", "OPEN_REDACTED"] and d["confusion_axes"] == ["gold", "proposed"]


def test_file_with_bom_and_crlf(tmp_path, stubbed):
    p = tmp_path / "gold.jsonl"
    p.write_bytes(jsonl(GOLD, "\r\n", bom=True))
    r = runner.invoke(app, ["evaluate", str(p), "--json"])
    assert r.exit_code == 0, r.output
    check_gold_figures(json.loads(r.stdout))


def test_stdin(stubbed):
    r = runner.invoke(app, ["evaluate", "-", "--json"], input=jsonl(GOLD))
    assert r.exit_code == 0, r.output
    check_gold_figures(json.loads(r.stdout))


def test_table_names_the_pooled_labels_and_left_out_documents(tmp_path, stubbed):
    p = tmp_path / "gold.jsonl"
    p.write_bytes(jsonl(GOLD))
    r = runner.invoke(app, ["evaluate", str(p)])
    assert r.exit_code == 0, r.output
    assert "micro pools PERSON, ID_NUMBER, PHONE, EMAIL (labels scored from gold)" in r.stdout
    assert "1 without a gold decision left out" in r.stdout


@pytest.mark.parametrize("tail,where", [
    ('{"id": "D", "text": "王秀英", "spans": [{"start": 0, "end": 3}]}', "gold.jsonl:4: spans[0] has unknown label None"),
    ('{"id": "D", "text": "王秀英", "spans": [{"start": 0, "end": 3, "label": "PERSON", "text": "王秀"}]}',
     "gold.jsonl:4: spans[0]: 'text' '王秀' is not text[0:3] '王秀英'"),
    ('{"id": "D", "text": "王秀英",', "gold.jsonl:4: invalid JSON"),
])
def test_bad_line_exit_2_and_nothing_on_stdout(tmp_path, stubbed, tail, where):
    p = tmp_path / "gold.jsonl"
    p.write_bytes(jsonl(GOLD) + tail.encode("utf-8") + b"\n")
    r = runner.invoke(app, ["evaluate", str(p), "--json"])
    assert r.exit_code == 2 and r.stdout == "" and where in r.output


def test_empty_file(tmp_path, stubbed):
    p = tmp_path / "empty.jsonl"
    p.write_bytes(b"\xef\xbb\xbf\n")
    r = runner.invoke(app, ["evaluate", str(p), "--json"])
    assert r.exit_code == 2 and r.stdout == "" and "empty.jsonl: no records" in r.output


def test_labels_option(tmp_path, stubbed):
    # a file annotated for PERSON, ORG, LOC only; the rules find the phone
    text = "王秀英在福州市档案局工作，电话13905912345。"
    p = tmp_path / "cluener.jsonl"
    p.write_bytes(jsonl([{"id": "1", "text": text, "spans": [{"start": 0, "end": 3, "label": "PERSON"}]}]))
    out = json.loads(runner.invoke(app, ["evaluate", str(p), "--json"]).stdout)
    # default: PHONE unscored; micro = PERSON alone: tp 0, fp 0, fn 1
    assert out["labels_unscored"] == ["PHONE"] and out["spans"]["micro"]["fp"] == 0
    r = runner.invoke(app, ["evaluate", str(p), "--json", "--labels", "PERSON, ORG,LOC"])
    out = json.loads(r.stdout)
    assert out["labels_scored"] == ["PERSON", "ORG", "LOC"] and out["labels_unscored"] == ["PHONE"]
    out = json.loads(runner.invoke(app, ["evaluate", str(p), "--json", "--labels", "all"]).stdout)
    assert out["labels_scored_from"] == "declared" and out["labels_unscored"] == []
    assert (out["spans"]["micro"]["fp"], out["spans"]["micro"]["fn"]) == (1, 1)  # the phone is now a FP
    r = runner.invoke(app, ["evaluate", str(p), "--labels", "NAME,PERSON"])
    assert r.exit_code == 2 and "--labels: unknown label(s) NAME" in r.output and r.stdout == ""
    r = runner.invoke(app, ["evaluate", str(p), "--labels", "ORG"])
    assert r.exit_code == 2 and "outside the declared labels" in r.output


def test_model_that_is_not_a_model(tmp_path):
    """The real loaders: a missing path, an empty directory, an unreadable pipeline: exit 2."""
    p = tmp_path / "gold.jsonl"
    p.write_bytes(jsonl(GOLD))
    r = runner.invoke(app, ["evaluate", str(p), "--model", str(tmp_path / "nowhere")])
    assert r.exit_code == 2 and "not a directory" in r.output
    empty = tmp_path / "empty"
    empty.mkdir()
    r = runner.invoke(app, ["evaluate", str(p), "--model", str(empty), "--json"])
    assert r.exit_code == 2 and r.stdout == "" and "neither a model version" in r.output
    (empty / "pipeline.json").write_text('{"format": "something-else/9"}', encoding="utf-8")
    r = runner.invoke(app, ["evaluate", str(p), "--model", str(empty), "--json"])
    assert r.exit_code == 2 and r.stdout == "" and "cannot load the model from" in r.output
    assert "unsupported format" in r.output


def test_as_of_fixes_the_review_date_of_decisions(tmp_path, monkeypatch):
    """Decisions depend on the review date (document age, eligibility): --as-of pins it, and the
    output says which date the figures are for."""
    seen = []

    class DatedStub(PolicyStub):
        def propose(self, text, spans, meta, as_of=None):
            seen.append(as_of)
            return super().propose(text, spans, meta)

    monkeypatch.setattr(evaluation, "load_proposer", lambda model=None: (DatedStub(), None))
    monkeypatch.setattr(evaluation, "load_detector", lambda model=None, rules_only=False: (
        evaluation.RulesOnlyDetector(build_rule_analyzer()), None))
    f = tmp_path / "g.jsonl"
    f.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in GOLD), encoding="utf-8")
    out = runner.invoke(app, ["evaluate", str(f), "--json", "--as-of", "2024-01-01"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout)["decisions"]["as_of"] == "2024-01-01"
    assert {str(d) for d in seen} == {"2024-01-01"}
    bad = runner.invoke(app, ["evaluate", str(f), "--json", "--as-of", "1.1.2024"])
    assert bad.exit_code == 2 and "YYYY-MM-DD" in bad.output
