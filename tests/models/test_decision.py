"""DecisionProposer: training, pickle-free save/load, policy overrides, redaction, calibration."""
import json
import sys
from datetime import date
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).parent))
from decision_corpus import crafted_records  # noqa: E402

from models.decision import (  # noqa: E402
    DecisionProposer,
    LinearState,
    calibration_metrics,
    decision_metrics,
)
from models.spans import Span  # noqa: E402
from training.train_decision import train_proposer  # noqa: E402

AS_OF = date(2026, 11, 24)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    out = tmp_path_factory.mktemp("version") / "decision"
    metrics = train_proposer(crafted_records(100, 1), out, seed=3, span_source="gold",
                             n_text_features=2 ** 12, as_of=AS_OF)
    return out, metrics, DecisionProposer.load(out.parent)


@pytest.fixture(scope="module")
def held_out():
    return crafted_records(60, 2024)


def _always_open(p: DecisionProposer) -> DecisionProposer:
    """The same proposer with a decision model that is certain every document is OPEN."""
    d = p.state.decision
    p2 = DecisionProposer.load(p.resolve_dir(p.manifest_dir))
    p2.state.decision = LinearState(np.zeros_like(d.coef), np.array([50.0, 0.0, 0.0]))
    return p2


def test_artifact_is_small_and_pickle_free(trained):
    out, metrics, p = trained
    files = sorted(f.name for f in out.iterdir())
    assert files == ["manifest.json", "rulebook-v2.yaml", "weights.npz"]
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["rulebook_version"] == "kaifang-rulebook-v2"
    assert manifest["calibration"]["method"] == "temperature"
    assert sum(f.stat().st_size for f in out.iterdir()) < 3_000_000
    with np.load(out / "weights.npz", allow_pickle=False) as w:  # would raise on object arrays
        assert all(w[k].dtype == np.float64 for k in w.files)
    assert p.version == metrics["version"] and p.version.startswith("decision-")


def test_save_load_round_trip_gives_identical_probabilities(trained, held_out, tmp_path):
    _, _, p = trained
    texts = [r["text"] for r in held_out]
    spans = [r["spans"] for r in held_out]
    before = p.predict_proba(texts, spans, held_out, as_of=AS_OF)
    p.save(tmp_path / "decision")
    again = DecisionProposer.load(tmp_path)
    after = again.predict_proba(texts, spans, held_out, as_of=AS_OF)
    assert np.array_equal(before, after)
    a = [r.to_dict() for r in p.propose_many(texts, spans, held_out, as_of=AS_OF)]
    b = [r.to_dict() for r in again.propose_many(texts, spans, held_out, as_of=AS_OF)]
    assert a == b
    (tmp_path / "decision" / "README.md").write_text("# 模型说明\n", encoding="utf-8")
    p.save(tmp_path / "decision")                  # a rebuild replaces weights, keeps the model card
    assert (tmp_path / "decision" / "README.md").read_text(encoding="utf-8") == "# 模型说明\n"


def test_proposals_record_rulebook_rules_and_evidence(trained, held_out):
    _, _, p = trained
    secret = next(r for r in held_out if "STATE_SECRET" in r["reasons"])
    res = p.propose(secret["text"], secret["spans"], secret, as_of=AS_OF)
    assert res.rulebook_version == "kaifang-rulebook-v2" and res.model_version == p.version
    assert res.decision == "CLOSED" and res.reasons == ["STATE_SECRET"] and "SS-01" in res.fired_rules
    assert res.closure == "DEFERRED" and res.review_after is not None and res.review_after > AS_OF
    kinds = {e["kind"] for e in res.evidence}
    assert {"rule", "model", "feature", "span"} <= kinds
    mark = next(e for e in res.evidence if e["kind"] == "span")
    assert mark["label"] == "SECRET_MARK" and secret["text"][mark["start"]:mark["end"]] == mark["text"]
    assert abs(sum(res.probabilities.values()) - 1.0) < 1e-6
    assert res.eligible_from is not None


def test_policy_overrides_a_model_that_says_open(trained):
    _, _, p = trained
    opener = _always_open(p)
    text = "机密★10年\n关于马尾区港口扩建的请示\n    现将港口扩建方案报上，请审批。"
    spans = [Span(0, 6, "SECRET_MARK"), Span(11, 14, "LOC")]
    res = opener.propose(text, spans, {"date": "2021-04-01"}, as_of=AS_OF)
    model = next(e for e in res.evidence if e["kind"] == "model")
    assert model["model_decision"] == "OPEN" and model["overridden"]
    assert res.decision == "CLOSED" and res.reasons == ["STATE_SECRET"] and res.confidence == 1.0
    # the same content with an explicit declassification note is decided by the model: OPEN
    declassified = "机密★10年（已解密，解密日期：2003年5月1日）\n关于马尾区港口扩建的请示\n    现将港口扩建方案报上，请审批。"
    res2 = opener.propose(declassified, [Span(0, 6, "SECRET_MARK")], {"date": "1990-04-01"}, as_of=AS_OF)
    assert res2.decision == "OPEN" and res2.reasons == [] and "SS-03" in res2.fired_rules
    # and a catalogue 密级 without declassification closes as well
    res3 = opener.propose("关于马尾区港口扩建的请示", [], {"classification": "秘密"}, as_of=AS_OF)
    assert res3.decision == "CLOSED" and "SS-02" in res3.fired_rules


def test_open_redacted_masks_personal_info_but_not_names(trained):
    _, _, p = trained
    opener = _always_open(p)
    text = "关于安置房分配的情况报告。村民林碧军（身份证号350102198703154511）申请调换。联系人王秀英。"
    i = text.index("350102")
    spans = [Span(text.index("林碧军"), text.index("林碧军") + 3, "PERSON"), Span(i, i + 18, "ID_NUMBER"),
             Span(text.index("王秀英"), text.index("王秀英") + 3, "PERSON")]
    res = opener.propose(text, spans, {}, as_of=AS_OF)
    assert res.decision == "OPEN_REDACTED" and "PERSONAL_INFO" in res.reasons
    assert [{k: r[k] for k in ("start", "end", "label", "reason", "text")} for r in res.redact] == [
        {"start": i, "end": i + 18, "label": "ID_NUMBER", "reason": "PERSONAL_INFO", "text": "350102198703154511"}]


def test_span_privacy_model_tells_office_contacts_from_home_ones(trained):
    _, _, p = trained
    assert p.features.privacy is not None  # learnt from the redact lists of OPEN_REDACTED records
    office = "请各单位按时上报进度。联系人：陈建华，电话0591-83345678。"
    home = "村民陈建华（身份证号350102198703154511），宅电0591-83345678，因房屋拆迁申请调换。"
    o, h = office.index("0591"), home.index("0591")
    p_office = p.features.private_scores([office], [[Span(o, o + 13, "PHONE")]])[0][0]
    p_home = p.features.private_scores([home], [[Span(h, h + 13, "PHONE")]])[0][0]
    assert p_home > 0.5 > p_office


def test_held_out_accuracy_leak_rate_and_calibration(trained, held_out):
    _, metrics, p = trained
    results = p.propose_many([r["text"] for r in held_out], [r["spans"] for r in held_out], held_out, as_of=AS_OF)
    m = decision_metrics([r["decision"] for r in held_out], [x.decision for x in results])
    assert m["leak_rate"] == 0.0
    assert m["accuracy"] >= 0.9
    proba = p.predict_proba([r["text"] for r in held_out], [r["spans"] for r in held_out], held_out, as_of=AS_OF)
    assert np.allclose(proba.sum(axis=1), 1.0)
    cal = calibration_metrics(proba, [("OPEN", "OPEN_REDACTED", "CLOSED").index(r["decision"]) for r in held_out])
    assert cal["brier"] < 0.2 and cal["ece"] < 0.2
    assert 0.3 <= metrics["open_threshold"] <= 0.99
    assert metrics["out_of_group"]["tuned"]["leak_rate"] <= metrics["leak_target"]
    assert metrics["out_of_group"]["calibration_model"]["brier"] >= 0.0


def test_calibration_metrics_on_known_values():
    perfect = calibration_metrics(np.array([[1.0, 0, 0], [0, 1.0, 0]]), [0, 1])
    assert perfect["brier"] == 0.0 and perfect["ece"] == 0.0
    wrong = calibration_metrics(np.array([[0.0, 1.0, 0]]), [0])
    assert wrong["brier"] == 2.0 and wrong["ece"] == 1.0
    hedged = calibration_metrics(np.array([[0.5, 0.5, 0.0]] * 4), [0, 0, 1, 1])
    assert hedged["ece"] == 0.0 and hedged["brier"] == pytest.approx(0.5)


def test_decision_metrics_definitions():
    gold = ["OPEN", "OPEN", "OPEN_REDACTED", "CLOSED", "CLOSED"]
    pred = ["OPEN", "CLOSED", "OPEN", "CLOSED", "OPEN_REDACTED"]
    m = decision_metrics(gold, pred)
    assert m["leak_rate"] == pytest.approx(1 / 3)
    assert m["over_closure_rate"] == pytest.approx(1 / 2)
    assert m["accuracy"] == pytest.approx(2 / 5)
    assert m["confusion"]["CLOSED"]["OPEN_REDACTED"] == 1


def test_bad_inputs_fail_clearly(trained, tmp_path):
    out, _, p = trained
    with pytest.raises(ValueError, match="differ in length"):
        p.propose_many(["a", "b"], [[]], [{}])
    with pytest.raises(ValueError, match="outside the text"):
        p.propose("机密", [Span(0, 6, "SECRET_MARK")], {})
    with pytest.raises(TypeError):
        p.propose(None, [], {})  # type: ignore[arg-type]
    with pytest.raises(FileNotFoundError):
        DecisionProposer.load(tmp_path)
    with pytest.raises(ValueError, match="at least 12"):
        train_proposer(crafted_records(5, 1), tmp_path / "d", seed=1, span_source="gold")
    only_open = [r for r in crafted_records(60, 1) if r["decision"] == "OPEN"]
    with pytest.raises(ValueError, match="no \\['OPEN_REDACTED', 'CLOSED'\\]"):
        train_proposer(only_open, tmp_path / "d", seed=1, span_source="gold")
    with pytest.raises(ValueError, match="span_source"):
        train_proposer(crafted_records(20, 1), tmp_path / "d", seed=1, span_source="magic")


def test_tampered_rulebook_is_refused(trained, tmp_path):
    import shutil

    out, _, _ = trained
    copy = tmp_path / "decision"
    shutil.copytree(out, copy)
    rb = copy / "rulebook-v2.yaml"
    rb.write_text(rb.read_text(encoding="utf-8").replace("kind: force", "kind: suggest", 1), encoding="utf-8")
    with pytest.raises(ValueError, match="changed after training"):
        DecisionProposer.load(copy)


class _MarksOnlyDetector:
    """A weak detector: finds only classification marks (what a rules-only detector misses most)."""

    version = "marks-only"

    def detect_many(self, texts, batch_size=32):
        import re

        return [[Span(m.start(), m.end(), "SECRET_MARK") for m in re.finditer(r"(?:绝密|机密|秘密)(?:★\d+年)?", t)]
                for t in texts]


def test_training_on_gold_and_detector_spans(tmp_path):
    records = crafted_records(40, 5)
    metrics = train_proposer(records, tmp_path / "decision", seed=1, span_source="both",
                             detector=_MarksOnlyDetector(), n_text_features=2 ** 10, as_of=AS_OF)
    assert metrics["span_source"] == "both" and metrics["n_train_rows"] == 80
    assert "tuned_gold_spans" in metrics["out_of_group"]
    p = DecisionProposer.load(tmp_path)
    secret = next(r for r in records if "STATE_SECRET" in r["reasons"])
    assert p.propose(secret["text"], [], secret, as_of=AS_OF).decision == "CLOSED"  # backstop + model


def test_cautious_redaction_with_nothing_to_mask_is_flagged(trained):
    _, _, p = trained
    p2 = DecisionProposer.load(p.manifest_dir)
    d = p2.state.decision
    p2.state.decision = LinearState(np.zeros_like(d.coef), np.array([0.0, 50.0, 0.0]))  # certain OPEN_REDACTED
    res = p2.propose("关于春耕生产工作的通知。各乡镇认真组织实施。", [], {}, as_of=AS_OF)
    assert res.decision == "OPEN_REDACTED" and res.redact == []
    assert any(e["kind"] == "note" and e["code"] == "REDACT_EMPTY" for e in res.evidence)


def test_titled_private_persons_counts_the_private_subject_of_a_heading():
    """A record titled by a private person's name is about that person (GUIDELINES rule 3); an
    official in a heading, or a name only in the body, is not counted."""
    from models.decision import heading_end, titled_private_persons

    def persons(text, *names):
        return [Span(text.index(n), text.index(n) + len(n), "PERSON", 1.0, "t") for n in names]

    decision = ("中共太原重型机器厂纪律检查委员会\n关于开除司马永康党籍的决定\n"
                "    司马永康，男，一九四一年生，原任厂供应处材料科科长。经查，司马永康收受好处费。")
    assert heading_end(decision) == decision.index("\n", decision.index("决定")) + 1
    assert titled_private_persons(decision, persons(decision, "司马永康"), {}) == 1

    letter = "申　请　书\n\n旗知青办：\n　　我叫郇丽娟，女，二十五岁，在甘旗卡公社插队。"
    found = persons(letter, "郇丽娟")
    assert titled_private_persons(letter, found, {}) == 0            # a body name only
    assert titled_private_persons(letter, found, {"title": "病退回城申请及审批材料（郇丽娟）"}) == 1

    notice = "合肥市卫生局文件\n局长詹福林讲话\n今年五月以来，我市发生三起食物中毒事件。"
    assert titled_private_persons(notice, persons(notice, "詹福林"), {}) == 0   # an official
    assert titled_private_persons("", [], {"title": "x"}) == 0
    reply = "关于信访事项的答复意见\n郑丽娟：\n    你来信反映的道路积水问题收悉。"
    assert titled_private_persons(reply, persons(reply, "郑丽娟"), {}) == 0   # an addressee
