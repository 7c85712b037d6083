"""Audit of models.evaluation: every SCHEMA.md input shape, and each figure of the output computed
by hand (in the comments) on small real-Chinese records."""
import json

import pytest

from models.evaluation import (
    EvaluationInputError,
    decision_scores,
    evaluate_records,
    load_records,
    span_scores,
)
from models.spans import LABELS
from eval_helpers import FixedDetector, rec

# 患0 者1 王2 秀3 英4 确5 诊6 为7 乳8 腺9 癌10 ，11 住12 福13 州14 市15 鼓16 楼17 区18 杨19 桥20 路21 1 22
# 8 23 号24 。25
T1 = "患者王秀英确诊为乳腺癌，住福州市鼓楼区杨桥路18号。"
PERSON1, HEALTH1, ADDRESS1, LOC1 = (2, 5, "PERSON"), (5, 11, "HEALTH"), (13, 25, "ADDRESS"), (13, 19, "LOC")
# 𠮷 (U+20BB7) is one code point but two UTF-16 units: 𠮷0 田1 春2 子3 电4 话5, digits 6..16
T2 = "𠮷田春子电话13905912345"
PERSON2, PHONE2 = (0, 4, "PERSON"), (6, 17, "PHONE")


def test_hand_offsets():
    assert [T1[s:e] for s, e, _ in (PERSON1, HEALTH1, ADDRESS1, LOC1)] == [
        "王秀英", "确诊为乳腺癌", "福州市鼓楼区杨桥路18号", "福州市鼓楼区"]
    assert [T2[s:e] for s, e, _ in (PERSON2, PHONE2)] == ["𠮷田春子", "13905912345"]




# --------------------------------------------------------------------------- overlap matching

def test_one_prediction_over_two_gold_names_is_one_tp():
    text = "王秀英林碧军出席会议"
    gold, pred = [(0, 3, "PERSON"), (3, 6, "PERSON")], [(0, 6, "PERSON")]
    r = evaluate_records([rec("a", text, gold)], FixedDetector({text: pred}))
    # exact: no boundary agrees: tp 0, fp 1, fn 2
    assert {k: r["spans"]["PERSON"][k] for k in ("tp", "fp", "fn", "f1")} == {"tp": 0, "fp": 1, "fn": 2, "f1": 0.0}
    # overlap, one-to-one: tp 1, fp 0, fn 1: P 1, R 1/2, F1 2/3
    o = r["spans_overlap"]["PERSON"]
    assert (o["tp"], o["fp"], o["fn"], o["precision"], o["recall"], o["f1"]) == (1, 0, 1, 1.0, 0.5, 0.666667)
    # sensitive_recall is "caught at all": both names are overlapped by a sensitive prediction
    assert r["sensitive_recall"] == 1.0 and r["sensitive_support"] == 2


def test_overlap_matching_is_maximum_not_greedy():
    # gold (0,5) and (5,7); predictions (3,6) [overlaps both: 2 and 1 characters] and (4,5) [only the
    # first]. Pairing (0,5)-(4,5) and (5,7)-(3,6) matches both: tp 2. (A greedy longest-overlap-first
    # pass pairs (0,5)-(3,6) and strands the rest: tp 1.)
    o = span_scores([[(0, 5, "PERSON"), (5, 7, "PERSON")]], [[(3, 6, "PERSON"), (4, 5, "PERSON")]],
                    overlap=True)["PERSON"]
    assert (o["tp"], o["fp"], o["fn"], o["f1"]) == (2, 0, 0, 1.0)


def test_overlap_needs_a_shared_character_and_the_same_label():
    # touching is not overlapping ([0,3) and [3,6)); a HEALTH prediction cannot match PERSON gold
    o = span_scores([[(0, 3, "PERSON")]], [[(3, 6, "PERSON"), (0, 3, "HEALTH")]], overlap=True)
    assert (o["PERSON"]["tp"], o["PERSON"]["fp"], o["PERSON"]["fn"]) == (0, 1, 1)
    assert (o["HEALTH"]["tp"], o["HEALTH"]["fp"]) == (0, 1)


def test_overlap_matching_scales_to_long_chains():
    # 3000 gold spans [2i, 2i+2) and 3000 predictions [2i+1, 2i+3): a chain; every one matches
    n = 3000
    o = span_scores([[(2 * i, 2 * i + 2, "PERSON") for i in range(n)]],
                    [[(2 * i + 1, 2 * i + 3, "PERSON") for i in range(n)]], overlap=True)["PERSON"]
    assert (o["tp"], o["fp"], o["fn"]) == (n, 0, 0)


# --------------------------------------------------------------------------- gold shapes

def test_duplicate_and_overlapping_gold_spans():
    # ADDRESS contains LOC (overlapping gold of two labels, both kept); PERSON annotated twice
    gold = [PERSON1, PERSON1, HEALTH1, ADDRESS1, LOC1]
    r = evaluate_records([rec("a", T1, gold)], FixedDetector({T1: [PERSON1, ADDRESS1]}))
    assert r["gold_duplicate_spans"] == 1 and r["gold_spans"] == 4
    s = r["spans"]
    assert (s["PERSON"]["tp"], s["PERSON"]["fn"], s["PERSON"]["support"]) == (1, 0, 1)  # once, not 1 TP + 1 FN
    assert (s["ADDRESS"]["tp"], s["LOC"]["fn"], s["HEALTH"]["fn"]) == (1, 1, 1)
    # micro: tp 2, fp 0, fn 2: P 1, R 1/2, F1 2/3
    assert (s["micro"]["precision"], s["micro"]["recall"], s["micro"]["f1"]) == (1.0, 0.5, 0.666667)
    # sensitive gold: PERSON, HEALTH, ADDRESS (LOC is context): PERSON and ADDRESS caught: 2/3
    assert (r["sensitive_recall"], r["sensitive_support"]) == (0.666667, 3)


def test_sensitive_recall_is_label_agnostic_among_sensitive_labels_only():
    text = "张三因病确诊为乳腺癌，电话13905912345，单位福州市档案局。"
    person, health, phone, org = (0, 2, "PERSON"), (4, 10, "HEALTH"), (13, 24, "PHONE"), (27, 33, "ORG")
    assert [text[s:e] for s, e, _ in (person, health, phone, org)] == ["张三", "确诊为乳腺癌", "13905912345", "福州市档案局"]
    pred = [(5, 9, "LEGAL_RECORD"),  # inside HEALTH, another sensitive label: caught
            (0, 2, "ORG"),           # over PERSON, but ORG is not sensitive: PERSON missed
            (26, 33, "PHONE")]       # over the ORG gold, which is not counted at all
    r = evaluate_records([rec("a", text, [person, health, phone, org])], FixedDetector({text: pred}))
    # sensitive gold: PERSON, HEALTH, PHONE = 3; caught: HEALTH only
    assert (r["sensitive_recall"], r["sensitive_support"]) == (0.333333, 3)
    assert r["spans_overlap"]["HEALTH"]["tp"] == 0  # the span metrics stay label-exact


def test_no_sensitive_gold_gives_none():
    text = "福州市档案局在马尾区召开会议。"
    r = evaluate_records([rec("a", text, [(0, 6, "ORG"), (7, 10, "LOC")])], FixedDetector({}))
    assert (r["sensitive_recall"], r["sensitive_support"]) == (None, 0)


# --------------------------------------------------------------------------- which labels, zero division

CLUENER_TEXT = "王秀英在福州市档案局工作，电话13905912345。"


def cluener_like():
    # a file annotated for PERSON, ORG and LOC only; the detector also finds the phone
    assert CLUENER_TEXT[0:3] == "王秀英" and CLUENER_TEXT[4:10] == "福州市档案局" and CLUENER_TEXT[15:26] == "13905912345"
    records = [rec("a", CLUENER_TEXT, [(0, 3, "PERSON"), (4, 10, "ORG")])]
    detector = FixedDetector({CLUENER_TEXT: [(0, 3, "PERSON"), (4, 7, "LOC"), (15, 26, "PHONE")]})
    return records, detector


def test_labels_default_to_those_in_gold():
    records, detector = cluener_like()
    r = evaluate_records(records, detector)
    assert r["labels_scored"] == ["PERSON", "ORG"] and r["labels_scored_from"] == "gold"
    assert r["labels_unscored"] == ["PHONE", "LOC"]
    # micro over PERSON and ORG: tp 1 (PERSON), fp 0, fn 1 (ORG): P 1, R 1/2, F1 2/3
    m = r["spans"]["micro"]
    assert (m["tp"], m["fp"], m["fn"], m["precision"], m["recall"], m["f1"]) == (1, 0, 1, 1.0, 0.5, 0.666667)
    assert r["spans"]["PHONE"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0,
                                   "tp": 0, "fp": 1, "fn": 0, "scored": False}


def test_declared_labels_count_predictions_absent_from_gold():
    records, detector = cluener_like()
    r = evaluate_records(records, detector, labels=["PERSON", "ORG", "LOC"])
    assert r["labels_scored"] == ["PERSON", "ORG", "LOC"] and r["labels_scored_from"] == "declared"
    assert r["labels_unscored"] == ["PHONE"]
    # LOC now scored: its prediction is a FP. tp 1, fp 1, fn 1: P 1/2, R 1/2, F1 1/2
    m = r["spans"]["micro"]
    assert (m["tp"], m["fp"], m["fn"], m["f1"]) == (1, 1, 1, 0.5)
    r = evaluate_records(records, detector, labels=LABELS)
    assert r["labels_unscored"] == [] and r["spans"]["micro"]["fp"] == 2  # LOC and PHONE
    with pytest.raises(EvaluationInputError, match="outside the declared labels"):
        evaluate_records(records, detector, labels=["PERSON"])
    with pytest.raises(EvaluationInputError, match="unknown label"):
        evaluate_records(records, detector, labels=["NAME"])


def test_zero_denominators():
    # no predictions at all: P has no denominator -> 0.0; R = 0/2
    text = "王秀英与林碧军"
    r = evaluate_records([rec("a", text, [(0, 3, "PERSON"), (4, 7, "PERSON")])], FixedDetector({}))
    assert r["spans"]["micro"] == {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 2, "tp": 0, "fp": 0, "fn": 2}
    # empty span lists everywhere: nothing scored, nothing to pool
    r = evaluate_records([rec("a", "会议通知", []), rec("b", "各单位按时参加", [])], FixedDetector({}))
    assert r["labels_scored"] == [] and r["spans"] == {
        "micro": {"precision": 0.0, "recall": 0.0, "f1": 0.0, "support": 0, "tp": 0, "fp": 0, "fn": 0}}
    assert r["sensitive_recall"] is None and r["gold_spans"] == 0


def test_f1_agrees_with_precision_and_recall_to_the_sixth_decimal():
    for tp in range(0, 12):
        for fp in range(0, 12):
            for fn in range(0, 12):
                gold = [[(i, i + 1, "PERSON") for i in range(tp + fn)]]
                pred = [[(i, i + 1, "PERSON") for i in range(tp)] + [(100 + i, 101 + i, "PERSON") for i in range(fp)]]
                e = span_scores(gold, pred, labels_scored=["PERSON"])["micro"]
                assert (e["tp"], e["fp"], e["fn"]) == (tp, fp, fn)
                p, r = e["precision"], e["recall"]
                assert e["f1"] == round(2 * tp / (2 * tp + fp + fn), 6) if tp else e["f1"] == 0.0
                assert abs(e["f1"] - (2 * p * r / (p + r) if p + r else 0.0)) <= 1e-6


# --------------------------------------------------------------------------- decisions

def test_macro_f1_is_from_exact_per_class_f1():
    # gold CLOSED, CLOSED; proposed OPEN_REDACTED, CLOSED. Classes present: OPEN_REDACTED, CLOSED.
    # F1 OPEN_REDACTED 0; CLOSED tp 1, fp 0, fn 1: 2/3. macro (0 + 2/3) / 2 = 1/3 -> 0.333333
    # (averaging the rounded 0.666667 would give 0.333334)
    d = decision_scores(["CLOSED", "CLOSED"], ["OPEN_REDACTED", "CLOSED"])
    assert d["macro_f1_classes"] == ["OPEN_REDACTED", "CLOSED"] and d["macro_f1"] == 0.333333
    # nothing gold was OPEN_REDACTED/CLOSED proposed OPEN: 0/2; no gold OPEN: over-closure undefined
    assert d["leak_rate"] == 0.0 and d["over_closure_rate"] is None
    assert d["confusion_axes"] == ["gold", "proposed"]
    assert d["confusion"]["CLOSED"] == {"OPEN": 0, "OPEN_REDACTED": 1, "CLOSED": 1}


def test_decisions_mixed_with_undecided_records():
    texts = ["会议通知：各单位按时参加。", "王秀英确诊为乳腺癌。", "关于表彰先进集体的决定。", "机密★10年 关于边境的报告"]
    golds = ["OPEN", None, "OPEN", "CLOSED"]
    proposals = {texts[0]: "OPEN", texts[1]: "OPEN", texts[2]: "CLOSED", texts[3]: "OPEN"}
    records = [rec(str(i), t, [], g) for i, (t, g) in enumerate(zip(texts, golds))]
    del records[1]["decision"]  # absent and null alike
    records[2]["decision"] = None
    records.append(rec("4", "档案移交清单", [], "OPEN_REDACTED", closure=None, note="备注"))
    proposals["档案移交清单"] = "OPEN_REDACTED"
    seen = []

    class Proposer:
        def propose(self, text, spans, meta):
            seen.append(text)
            return type("P", (), {"decision": proposals[text]})()

    d = evaluate_records(records, FixedDetector({}), Proposer())["decisions"]
    # scored: rec 0 OPEN->OPEN, rec 3 CLOSED->OPEN, rec 4 OPEN_REDACTED->OPEN_REDACTED; 1 and 2 left out
    assert d["documents"] == 3 and d["documents_without_decision"] == 2 and len(seen) == 3
    assert d["accuracy"] == 0.666667
    assert d["leak_rate"] == 0.5            # of CLOSED and OPEN_REDACTED, the CLOSED one proposed OPEN
    assert d["over_closure_rate"] == 0.0    # the one gold OPEN stays OPEN
    # F1: OPEN tp 1 fp 1 fn 0 = 2/3; OPEN_REDACTED 1; CLOSED 0 -> macro 5/9
    assert d["macro_f1"] == 0.555556
    assert d["support"] == {"OPEN": 1, "OPEN_REDACTED": 1, "CLOSED": 1}


# --------------------------------------------------------------------------- reading files

def write_bytes(tmp_path, data: bytes, name="f.jsonl"):
    p = tmp_path / name
    p.write_bytes(data)
    return p


FULL = {"id": "fz-1990-001", "text": T1, "spans": [
    {"start": 2, "end": 5, "label": "PERSON", "text": "王秀英"},
    {"start": 5, "end": 11, "label": "HEALTH"}],
    "decision": "CLOSED", "reasons": ["PERSONAL_INFO"], "closure": "DEFERRED", "review_after": "2030-01-01",
    "genre": "病历", "year": 1990, "note": "手工标注", "metadata": {"fonds": "福州市档案馆"},
    "redact": [{"start": 2, "end": 5, "label": "PERSON", "reason": "PERSONAL_INFO"},
               {"start": 13, "end": 25, "label": None, "reason": "PERSONAL_INFO"}]}


def test_every_schema_field_bom_crlf_and_non_bmp(tmp_path):
    lines = [json.dumps(FULL, ensure_ascii=False),
             json.dumps({"id": "2", "text": T2, "spans": [
                 {"start": 0, "end": 4, "label": "PERSON", "text": "𠮷田春子"},
                 {"start": 6, "end": 17, "label": "PHONE", "text": "13905912345"}], "decision": None, "reasons": []},
                 ensure_ascii=True),  # \ud842\udfb7 escapes: still one code point
             "   ",
             json.dumps({"id": "3", "text": "会议通知", "spans": []}, ensure_ascii=False)]
    p = write_bytes(tmp_path, b"\xef\xbb\xbf" + "\r\n".join(lines).encode("utf-8") + b"\r\n")
    recs = load_records(p)
    assert [r["id"] for r in recs] == ["fz-1990-001", "2", "3"]
    assert recs[1]["spans"] == [PERSON2, PHONE2] and len(recs[1]["text"]) == 17
    r = evaluate_records(recs, FixedDetector({T1: [PERSON1], T2: [PERSON2, PHONE2]}))
    assert r["characters"] == 26 + 17 + 4 and r["documents"] == 3
    # gold PERSON x2, HEALTH, PHONE; all found but HEALTH: micro P 1, R 3/4, F1 6/7
    assert (r["spans"]["micro"]["recall"], r["spans"]["micro"]["f1"]) == (0.75, 0.857143)
    # CR-only line ends read the same
    p = write_bytes(tmp_path, "\r".join(lines).encode("utf-8"), "cr.jsonl")
    assert [x["id"] for x in load_records(p)] == ["fz-1990-001", "2", "3"]


def test_span_text_must_match_the_offsets(tmp_path):
    bad = dict(FULL, spans=[{"start": 2, "end": 5, "label": "PERSON", "text": "王秀"}])
    p = write_bytes(tmp_path, (json.dumps({"id": "x", "text": "会议", "spans": []}, ensure_ascii=False) + "\n"
                               + json.dumps(bad, ensure_ascii=False) + "\n").encode("utf-8"))
    with pytest.raises(EvaluationInputError, match=r"f\.jsonl:2: spans\[0\]: 'text' '王秀' is not text\[2:5\] '王秀英'"):
        load_records(p)
    # Label Studio's UTF-16 offsets for the phone after 𠮷 are (7, 18): named as such
    utf16 = {"id": "2", "text": T2, "spans": [{"start": 7, "end": 18, "label": "PHONE", "text": "13905912345"}]}
    p = write_bytes(tmp_path, json.dumps(utf16, ensure_ascii=False).encode("utf-8"))
    with pytest.raises(EvaluationInputError, match=r":1: spans\[0\] offsets \[7, 18\) out of range .*look like UTF-16"):
        load_records(p)
    # ... and where they stay in range but point elsewhere: the name after 𠮷 is (1, 4) in code points
    utf16["text"] = "𠮷田春子电话13905912345" + "。" * 5
    utf16["spans"] = [{"start": 7, "end": 18, "label": "PHONE", "text": "13905912345"}]
    p = write_bytes(tmp_path, json.dumps(utf16, ensure_ascii=False).encode("utf-8"))
    with pytest.raises(EvaluationInputError, match=r":1: spans\[0\]: 'text' '13905912345' is not text\[7:18\] "
                       r"'3905912345。' \(the offsets look like UTF-16 code units"):
        load_records(p)


def test_spans_null_or_absent_means_not_annotated(tmp_path):
    lines = [json.dumps({"id": "1", "text": "会议通知", "spans": None, "decision": "OPEN"}, ensure_ascii=False),
             json.dumps({"id": "2", "text": "王秀英", "decision": "CLOSED"}, ensure_ascii=False)]
    recs = load_records(write_bytes(tmp_path, "\n".join(lines).encode("utf-8")))
    r = evaluate_records(recs, FixedDetector({}))
    assert "spans" not in r and "sensitive_recall" not in r and r["documents"] == 2
    with pytest.raises(EvaluationInputError, match="record 2: 'spans' missing while other records have it"):
        evaluate_records([rec("1", "会议通知", []), {"id": "2", "text": "王秀英"}], FixedDetector({}))


@pytest.mark.parametrize("data,message", [
    (b"", "no records"),
    (b"\xef\xbb\xbf\r\n\r\n", "no records"),
    ('{"id": "1", "text": "甲", "spans": []}\n\ufeff{"id": "2", "text": "乙"}\n'.encode("utf-8"),
     r"f\.jsonl:2: invalid JSON"),
    ('{"id": "1", "text": "甲", "spans": []}\r\n{"id": "2", "text": "乙", "spans": [{"start": 0.0, "end": 1, '
     '"label": "PERSON"}]}\r\n'.encode("utf-8"), r"f\.jsonl:2: spans\[0\] needs integer 'start' and 'end'"),
    ('{"id": "1", "text": "甲乙", "spans": [{"start": 1, "end": 1, "label": "PERSON"}]}'.encode("utf-8"),
     r":1: spans\[0\] offsets \[1, 1\) out of range"),
    ('{"id": "1", "text": "甲乙", "spans": [{"start": 0, "end": 1, "label": "person"}]}'.encode("utf-8"),
     r":1: spans\[0\] has unknown label 'person'"),
])
def test_malformed_files_name_the_line(tmp_path, data, message):
    with pytest.raises(EvaluationInputError, match=message):
        load_records(write_bytes(tmp_path, data))


def test_throughput_leaves_out_a_lazy_first_call():
    """chars_per_second times detection only: a model that loads its weights on its first call
    (as the neural recognizer does) gets one untimed warm-up call."""
    import time

    class Lazy(FixedDetector):
        loaded = False

        def detect(self, text):
            if not self.loaded:
                time.sleep(0.6)  # "loading weights"
                self.loaded = True
            return super().detect(text)

    r = evaluate_records([rec("a", T1, [PERSON1]), rec("b", "", [])], Lazy({T1: [PERSON1]}))
    assert r["detect_seconds"] < 0.3 and r["characters"] == 26
    assert r["chars_per_second"] > 26 / 0.3
    assert r["spans"]["micro"]["f1"] == 1.0
