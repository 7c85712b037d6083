"""Synthetic corpus: spans mean what their labels say, decisions follow GUIDELINES' policy."""
from __future__ import annotations

import random
import re
from datetime import date

import pytest

from models.spans import LABELS
from training.synth import generate_documents, templates_for
from training.synth.builder import Doc, Range, SynthSpan
from training.synth.genres import TEMPLATES
from training.synth.policy import decide

from training.gazetteers import shared_datasets_dir

pytestmark = pytest.mark.skipif(not (shared_datasets_dir() / "cn_admin_divisions").exists(),
                                reason="shared gazetteers (../shared/datasets) not present")

DECISIONS = {"OPEN", "OPEN_REDACTED", "CLOSED"}
REASONS = {"STATE_SECRET", "PERSONAL_INFO", "COMMERCIAL_SECRET", "PUBLIC_SECURITY", "OTHER"}


@pytest.fixture(scope="module")
def train_docs():
    return generate_documents(400, seed=11, split="train")


@pytest.fixture(scope="module")
def test_docs():
    return generate_documents(250, seed=11, split="test")


def _check_record(d):
    t = d["text"]
    assert d["decision"] in DECISIONS
    assert set(d["reasons"]) <= REASONS
    assert (d["decision"] == "OPEN") == (not d["reasons"])
    last = 0
    for s in d["spans"]:
        assert s["label"] in LABELS
        x = t[s["start"]:s["end"]]
        assert x and x == x.strip(), (d["id"], x)
        assert s["start"] >= last, "overlap or unsorted"
        last = s["end"]
    if d["decision"] == "CLOSED":
        assert d["closure"] in {"CONTROLLED", "DEFERRED"}
        if d["closure"] == "DEFERRED":
            date.fromisoformat(d["review_after"])
    if d["decision"] == "OPEN_REDACTED":
        assert d["redact"]
    for k in ("title", "creator", "date", "reference_code", "classification", "genre", "year"):
        assert k in d


def test_records_valid(train_docs, test_docs):
    for d in train_docs + test_docs:
        _check_record(d)


def test_deterministic_per_seed():
    a = generate_documents(30, seed=5)
    assert a == generate_documents(30, seed=5)
    assert a[:10] == generate_documents(10, seed=5)
    assert a != generate_documents(30, seed=6)


def test_train_and_test_templates_disjoint(train_docs, test_docs):
    train_t = {t.name for t in templates_for("train")}
    test_t = {t.name for t in templates_for("test")}
    assert not train_t & test_t
    assert {d["template"] for d in train_docs} <= train_t
    assert {d["template"] for d in test_docs} <= test_t
    assert {t for d in train_docs for t in d["attached_templates"]} <= train_t
    assert {t for d in test_docs for t in d["attached_templates"]} <= test_t
    assert any(d["attached_templates"] for d in train_docs)
    # every genre is held out in test
    assert {t.genre for t in templates_for("train")} == {t.genre for t in templates_for("test")}


def test_spans_per_label_look_right(train_docs, test_docs):
    for d in train_docs + test_docs:
        for s in d["spans"]:
            x = d["text"][s["start"]:s["end"]]
            if s["label"] == "PERSON":
                assert "某" not in x and x not in {"其丈夫", "户主"}
            if s["label"] == "PHONE":
                assert not re.search(r"电话|传呼|手机", x)
            if s["label"] == "EMAIL":
                assert "@" in x


def test_policy_secret_mark_without_declassification_closes():
    spans = [SynthSpan(0, 2, "SECRET_MARK", False), SynthSpan(5, 8, "PERSON", True)]
    r = decide(spans, [], {"public_facing"}, date(1990, 1, 1))
    assert r.decision == "CLOSED" and r.reasons == ["STATE_SECRET"] and r.closure == "DEFERRED"
    assert r.review_after is not None


def test_policy_declassified_is_decided_on_other_content():
    spans = [SynthSpan(0, 2, "SECRET_MARK", False)]
    assert decide(spans, [], {"declassified"}, date(1990, 1, 1)).decision == "OPEN"
    spans.append(SynthSpan(10, 28, "ID_NUMBER", True))
    r = decide(spans, [], {"declassified"}, date(1990, 1, 1))
    assert r.decision == "OPEN_REDACTED" and r.reasons == ["PERSONAL_INFO"]
    # public security survives declassification
    r = decide(spans, [], {"declassified", "public_security"}, date(1990, 1, 1))
    assert r.decision == "CLOSED" and set(r.reasons) == {"PUBLIC_SECURITY", "PERSONAL_INFO"}


def test_policy_incidental_private_id_redacts():
    spans = [SynthSpan(0, 3, "PERSON", True), SynthSpan(8, 26, "ID_NUMBER", True), SynthSpan(30, 41, "PHONE", False)]
    r = decide(spans, [], {"public_facing"}, date(1995, 1, 1))
    assert r.decision == "OPEN_REDACTED" and r.reasons == ["PERSONAL_INFO"]
    assert r.redact == [{"start": 8, "end": 26, "label": "ID_NUMBER", "reason": "PERSONAL_INFO"}]


def test_policy_medical_record_closed_controlled():
    spans = [SynthSpan(0, 3, "PERSON", True), SynthSpan(10, 16, "HEALTH", True)]
    r = decide(spans, [], {"private_subject"}, date(1995, 1, 1))
    assert (r.decision, r.reasons, r.closure) == ("CLOSED", ["PERSONAL_INFO"], "CONTROLLED")


def test_policy_commercial_part_and_core():
    r = decide([], [Range(5, 12, "COMMERCIAL_SECRET")], set(), date(1995, 1, 1))
    assert r.decision == "OPEN_REDACTED" and r.redact == [{"start": 5, "end": 12, "label": None, "reason": "COMMERCIAL_SECRET"}]
    r = decide([], [Range(5, 12, "COMMERCIAL_SECRET")], {"commercial_core"}, date(1995, 1, 1))
    assert r.decision == "CLOSED" and r.reasons == ["COMMERCIAL_SECRET"]


def test_policy_official_contacts_stay_open():
    spans = [SynthSpan(0, 3, "PERSON", True), SynthSpan(5, 17, "PHONE", False), SynthSpan(20, 35, "EMAIL", False)]
    assert decide(spans, [], {"public_facing"}, date(2000, 1, 1)).decision == "OPEN"


def test_all_decisions_and_labels_occur(train_docs, test_docs):
    for docs in (train_docs, test_docs):
        assert {d["decision"] for d in docs} == DECISIONS
        labels = {s["label"] for d in docs for s in d["spans"]}
        assert labels == set(LABELS), set(LABELS) - labels


def test_builder_refuses_padded_spans():
    doc = Doc(rng=random.Random(0), split="train")
    with pytest.raises(ValueError):
        doc.e(" 林岚", "PERSON")
    with pytest.raises(ValueError):
        doc.e("x", "NOT_A_LABEL")


def test_bad_arguments():
    with pytest.raises(ValueError):
        generate_documents(3, 1, split="dev")
    with pytest.raises(ValueError):
        generate_documents(-1, 1)


def test_decoys_never_labelled(train_docs, test_docs):
    kinds = set()
    for d in train_docs + test_docs:
        for dc in d["decoys"]:
            kinds.add(dc["kind"])
            assert d["text"][dc["start"]:dc["end"]].strip()
            for s in d["spans"]:
                assert s["end"] <= dc["start"] or s["start"] >= dc["end"], (d["id"], dc, s)
    assert {"reference_code", "doc_number", "postal_code", "date_number", "tax_number", "invoice_number", "statistic"} <= kinds


def test_hard_surface_forms_present(train_docs, test_docs):
    from training.synth.values import luhn_ok

    seen = set()
    for d in train_docs + test_docs:
        for s in d["spans"]:
            x = d["text"][s["start"]:s["end"]]
            if s["label"] == "ID_NUMBER":
                if re.search(r"[０-９]", x):
                    seen.add("id_fullwidth")
                if " " in x:
                    seen.add("id_spaced")
                if "\n" in x:
                    seen.add("id_linebreak")
                if re.fullmatch(r"\d{15}", x):
                    seen.add("id15")
                if re.search(r"[OlI]", x) and re.search(r"\d{10}", x.replace("O", "0")):
                    seen.add("id_ocr")
            if s["label"] == "PHONE":
                if re.fullmatch(r"1[2-9]\d-\d{7}", x):
                    seen.add("pager")
                if re.fullmatch(r"\d{3}-\d{4}-\d{4}", x):
                    seen.add("mobile_hyphen")
                if re.fullmatch(r"\d{5,8}", x):
                    seen.add("landline_local")
            if s["label"] == "BANK_ACCOUNT" and re.fullmatch(r"\d{16,19}", x) and luhn_ok(x):
                seen.add("luhn_card")
            if s["label"] == "SECRET_MARK":
                if "★" in x:
                    seen.add("mark_star")
                if x.startswith("内部"):
                    seen.add("mark_internal")
    expected = {"id_fullwidth", "id_spaced", "id_linebreak", "id15", "id_ocr", "pager", "mobile_hyphen",
                "landline_local", "luhn_card", "mark_star", "mark_internal"}
    assert expected <= seen, expected - seen


def test_wrong_check_digit_ids_have_context_words():
    from training.synth.values import id_check_digit

    for d in generate_documents(300, seed=21):
        for s in d["spans"]:
            x = d["text"][s["start"]:s["end"]]
            if s["label"] == "ID_NUMBER" and re.fullmatch(r"\d{17}[\dX]", x, re.ASCII) and id_check_digit(x[:17]) != x[-1]:
                before = d["text"][max(0, s["start"] - 12):s["start"]]
                assert re.search(r"身份|号码|证", before), (d["id"], before, x)


def test_secret_mark_policy_on_generated_documents(train_docs, test_docs):
    for d in train_docs + test_docs:
        labels = {s["label"] for s in d["spans"]}
        declassified = re.search(r"解密", d["text"]) is not None
        if "SECRET_MARK" in labels and not declassified:
            assert d["decision"] == "CLOSED" and "STATE_SECRET" in d["reasons"], d["id"]
        if "STATE_SECRET" in d["reasons"]:
            assert "SECRET_MARK" in labels
        if d["decision"] == "OPEN_REDACTED":
            masked = {(r["start"], r["end"]) for r in d["redact"] if r["label"]}
            assert masked <= {(s["start"], s["end"]) for s in d["spans"]}
            assert all(r["label"] != "PERSON" for r in d["redact"])


def test_surface_form_classes_and_describe():
    from training.synth.stats import describe, surface_form

    assert surface_form("ID_NUMBER", "３５０１０２１９８７０３１５４５１１") == "id_fullwidth"
    assert surface_form("ID_NUMBER", "3501 0219 8703 1545 11") == "id_spaced"
    assert surface_form("ID_NUMBER", "350102870315451") == "id_legacy15"
    assert surface_form("ID_NUMBER", "南字第087315号") == "id_officer_card"
    assert surface_form("PHONE", "126-3351872") == "phone_pager"
    assert surface_form("SECRET_MARK", "内部资料　注意保存") == "mark_internal"
    assert surface_form("SECRET_MARK", "秘密★长期") == "mark_star_period"
    stats = describe(generate_documents(20, seed=3))
    assert stats["documents"] == 20 and stats["spans"] == sum(stats["labels"].values())
    assert sum(stats["decisions"].values()) == 20


def test_frozen_heldout_file_is_valid():
    import json
    from pathlib import Path

    path = Path(__file__).resolve().parents[2] / "datasets" / "synthetic" / "heldout_test_seed2_n500.jsonl"
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]
    assert len(docs) == 500
    test_templates = {t.name for t in templates_for("test")}
    for d in docs:
        _check_record(d)
        assert d["template"] in test_templates


def test_held_out_diagnosis_verbs_only_in_test(train_docs, test_docs):
    from training.synth.values import DIAGNOSIS_VERBS_HELD_OUT

    def health(docs):
        return [d["text"][s["start"]:s["end"]] for d in docs for s in d["spans"] if s["label"] == "HEALTH"]

    assert not any(h.startswith(tuple(DIAGNOSIS_VERBS_HELD_OUT)) for h in health(train_docs))
    assert any(h.startswith(tuple(DIAGNOSIS_VERBS_HELD_OUT)) for h in health(test_docs))
