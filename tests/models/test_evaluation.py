"""models.evaluation on hand-made records whose figures are computed by hand in the comments."""
import json

import pytest

from models.evaluation import (
    EvaluationInputError,
    decision_scores,
    evaluate_records,
    load_records,
    span_scores,
)
from models.spans import Span
from eval_helpers import FixedDetector, rec

T = "零一二三四五六七八九十一二三四五六七八九"  # 20 characters




A, B, C = T, T[::-1], T[1:] + "甲"
RECORDS = [
    rec("A", A, [(0, 3, "PERSON"), (5, 10, "PHONE"), (12, 16, "ORG")]),
    rec("B", B, [(0, 2, "PERSON"), (4, 6, "PERSON")]),
    rec("C", C, [(0, 4, "HEALTH"), (6, 10, "LEGAL_RECORD")]),
]
DETECTOR = FixedDetector({
    A: [(0, 3, "PERSON"), (5, 9, "PHONE"), (12, 16, "LOC")],
    B: [(0, 6, "PERSON"), (10, 12, "EMAIL")],
    C: [(0, 4, "LOC"), (8, 12, "PHONE")],
})


@pytest.fixture(scope="module")
def result():
    return evaluate_records(RECORDS, DETECTOR)


def test_counts_and_throughput(result):
    assert result["documents"] == 3 and result["characters"] == 60
    assert result["chars_per_second"] > 0 and result["detector"] == "fixed.v1"


def test_labels_scored_are_those_in_gold(result):
    assert result["labels_scored"] == ["PERSON", "PHONE", "HEALTH", "LEGAL_RECORD", "ORG"]
    assert result["labels_unscored"] == ["EMAIL", "LOC"]
    assert result["spans"]["LOC"]["scored"] is False and result["spans"]["LOC"]["fp"] == 2


def test_exact_metrics(result):
    s = result["spans"]
    # PERSON: gold 3, predicted 2, only A's (0,3) exact: P 1/2, R 1/3, F1 0.4
    assert (s["PERSON"]["precision"], s["PERSON"]["recall"], s["PERSON"]["f1"]) == (0.5, 0.333333, 0.4)
    assert s["PERSON"]["support"] == 3
    assert (s["PHONE"]["tp"], s["PHONE"]["fp"], s["PHONE"]["fn"]) == (0, 2, 1)
    # micro over scored labels: tp 1, fp 1 (PERSON) + 2 (PHONE) = 3, fn 2+1+1+1+1 = 6
    # P = 1/4, R = 1/7, F1 = 2/11
    assert s["micro"] == {"precision": 0.25, "recall": 0.142857, "f1": 0.181818, "support": 7,
                          "tp": 1, "fp": 3, "fn": 6}


def test_overlap_metrics_one_to_one(result):
    o = result["spans_overlap"]
    # B: the prediction (0,6) overlaps both gold names but matches only one of them
    assert (o["PERSON"]["tp"], o["PERSON"]["fp"], o["PERSON"]["fn"]) == (2, 0, 1)
    assert o["PERSON"]["f1"] == 0.8
    # PHONE: A's (5,9) matches; C's (8,12) has no PHONE gold: P 1/2, R 1, F1 2/3
    assert (o["PHONE"]["precision"], o["PHONE"]["recall"], o["PHONE"]["f1"]) == (0.5, 1.0, 0.666667)
    # micro: tp 3, fp 1, fn 1 + 1 (ORG) + 1 (HEALTH) + 1 (LEGAL_RECORD) = 4: P 3/4, R 3/7, F1 6/11
    assert (o["micro"]["precision"], o["micro"]["recall"], o["micro"]["f1"]) == (0.75, 0.428571, 0.545455)


def test_sensitive_recall(result):
    # sensitive gold: A PERSON, A PHONE, B PERSON x2, C HEALTH, C LEGAL_RECORD = 6 (ORG is not).
    # C's HEALTH is covered only by a LOC prediction (not sensitive): missed. C's LEGAL_RECORD is
    # overlapped by a PHONE prediction: any sensitive label counts. 5 / 6.
    assert result["sensitive_support"] == 6
    assert result["sensitive_recall"] == 0.833333


def test_two_predictions_inside_one_gold_span():
    gold = [[(0, 6, "PERSON")]]
    pred = [[(0, 2, "PERSON"), (3, 6, "PERSON")]]
    o = span_scores(gold, pred, overlap=True)["PERSON"]
    assert (o["tp"], o["fp"], o["fn"]) == (1, 1, 0)
    # one prediction over two gold spans matches one of them (one-to-one)
    gold = [[(0, 2, "PERSON"), (2, 8, "PERSON")]]
    pred = [[(1, 7, "PERSON")]]
    o = span_scores(gold, pred, overlap=True)["PERSON"]
    assert (o["tp"], o["fp"], o["fn"]) == (1, 0, 1)


def test_duplicate_predictions_count_once():
    s = span_scores([[(0, 2, "PHONE")]], [[(0, 2, "PHONE"), (0, 2, "PHONE")]])["PHONE"]
    assert (s["tp"], s["fp"], s["fn"]) == (1, 1, 0)


def test_file_without_gold_for_a_label_does_not_penalise_it():
    """A plain NER corpus (PERSON only) scored with a detector that also finds phones."""
    text = "王秀英电话13905912345"
    recs = [rec("x", text, [(0, 3, "PERSON")])]
    det = FixedDetector({text: [(0, 3, "PERSON"), (5, 16, "PHONE")]})
    r = evaluate_records(recs, det)
    assert r["spans"]["micro"]["f1"] == 1.0
    assert r["spans"]["PHONE"]["scored"] is False and r["labels_scored"] == ["PERSON"]


GOLD_D = ["OPEN", "OPEN", "OPEN_REDACTED", "CLOSED", "CLOSED"]
PRED_D = ["OPEN", "CLOSED", "OPEN", "CLOSED", "OPEN_REDACTED"]


def test_decision_metrics_by_hand():
    d = decision_scores(GOLD_D, PRED_D)
    assert d["accuracy"] == 0.4  # 2 of 5
    # F1 per class: OPEN 1/2, OPEN_REDACTED 0, CLOSED 1/2 -> macro 1/3
    assert d["per_class"]["OPEN"]["f1"] == 0.5 and d["per_class"]["OPEN_REDACTED"]["f1"] == 0.0
    assert d["macro_f1"] == 0.333333
    assert d["leak_rate"] == 0.333333  # of 3 restricted documents, 1 proposed OPEN
    assert d["over_closure_rate"] == 0.5  # of 2 OPEN documents, 1 proposed CLOSED
    assert d["confusion"]["OPEN"] == {"OPEN": 1, "OPEN_REDACTED": 0, "CLOSED": 1}
    assert d["confusion"]["CLOSED"] == {"OPEN": 0, "OPEN_REDACTED": 1, "CLOSED": 1}
    assert d["support"] == {"OPEN": 2, "OPEN_REDACTED": 1, "CLOSED": 2}


def test_decisions_through_evaluate_records_with_predicted_spans_and_meta():
    texts = [f"文书{i}" for i in range(5)]
    recs = [rec(str(i), t, [], GOLD_D[i], title=f"题名{i}", year=1990 + i) for i, t in enumerate(texts)]
    recs.append(rec("nodecision", "无决定", []))  # not scored for decisions
    seen = []

    class Proposer:
        version = "p.v1"

        def propose(self, text, spans, meta):
            seen.append((text, spans, meta))
            return type("R", (), {"decision": PRED_D[texts.index(text)]})()

    det = FixedDetector({texts[0]: [(0, 2, "PERSON")]})
    r = evaluate_records(recs, det, Proposer())
    assert r["decisions"]["documents"] == 5 and r["decisions"]["leak_rate"] == 0.333333
    assert r["decisions"]["proposer"] == "p.v1"
    assert seen[0][1] == [Span(0, 2, "PERSON")]  # the detector's spans, not the gold ones
    assert seen[0][2] == {"title": "题名0", "year": 1990}


def test_no_decisions_key_without_gold_decisions(result):
    assert "decisions" not in result


def write(tmp_path, lines):
    p = tmp_path / "f.jsonl"
    p.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return p


def test_load_records_validates_with_line_numbers(tmp_path):
    good = json.dumps(rec("a", "王秀英", [(0, 3, "PERSON")]), ensure_ascii=False)
    assert load_records(write(tmp_path, [good, ""]))[0]["spans"] == [(0, 3, "PERSON")]
    cases = [
        ([good, "{not json"], r"f\.jsonl:2: invalid JSON"),
        ([json.dumps(rec("a", "王秀英", [(0, 4, "PERSON")]))], r":1: spans\[0\] offsets \[0, 4\) out of range"),
        ([json.dumps(rec("a", "王秀英", [(0, 3, "NAME")]))], r":1: spans\[0\] has unknown label 'NAME'"),
        ([json.dumps(rec("a", "王秀英", [], "MAYBE"))], r":1: unknown decision 'MAYBE'"),
        ([json.dumps({"id": "a", "spans": []})], r":1: 'text' must be a string"),
        ([json.dumps([1, 2])], r":1: expected a JSON object"),
        ([""], "no records"),
    ]
    for lines, message in cases:
        with pytest.raises(EvaluationInputError, match=message):
            load_records(write(tmp_path, lines))
    with pytest.raises(EvaluationInputError, match="no such file"):
        load_records(tmp_path / "missing.jsonl")
    gbk = tmp_path / "gbk.jsonl"
    gbk.write_bytes((good + "\n").encode("utf-8") + '{"id": "b", "text": "王秀英"}\n'.encode("gbk"))
    with pytest.raises(EvaluationInputError, match=r"gbk\.jsonl:2: not UTF-8"):
        load_records(gbk)


def test_line_separator_inside_a_json_string_is_not_a_line_break(tmp_path):
    text = "第一段\u2028第二段"
    p = tmp_path / "ls.jsonl"
    p.write_text(json.dumps({"id": "a", "text": text, "spans": []}, ensure_ascii=False) + "\n", encoding="utf-8")
    assert load_records(p)[0]["text"] == text


def test_evaluate_records_rejects_bad_detector_output():
    class Bad:
        def detect(self, text):
            return [Span(0, 99, "PERSON")]

    with pytest.raises(ValueError, match="invalid span"):
        evaluate_records([rec("a", "王秀英", [])], Bad())
