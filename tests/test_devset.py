"""The hand-written dev set: its JSON Lines file is exactly a fresh build of the marked-up sources."""
import json

import pytest

from training import devset


def test_dev_jsonl_equals_a_fresh_build_of_the_sources():
    built = sorted(devset.load_documents(), key=lambda r: r["id"])
    on_disk = [json.loads(line) for line in devset.OUTPUT.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in on_disk] == [r["id"] for r in built]
    assert on_disk == built
    assert len(built) >= 150 and len({r["genre"] for r in built}) >= 25
    assert sum(r["decision"] == "OPEN" for r in built) >= 0.45 * len(built)


def test_marks_become_code_point_offsets_into_the_plain_text():
    text, spans, redact = devset.parse_marked("住⟦ADDRESS:杨桥路18号⟧，𠮷⟦PERSON:林　岚⟧⟦REDACT:单价9元⟧")
    assert text == "住杨桥路18号，𠮷林　岚单价9元"
    assert [text[s["start"]:s["end"]] for s in spans] == ["杨桥路18号", "林　岚"]
    assert [text[r["start"]:r["end"]] for r in redact] == ["单价9元"] and redact[0]["label"] is None


@pytest.mark.parametrize("bad, message", [
    ("⟦PERSON:林⟦ORG:x⟧⟧", "nested"), ("⟦PERSON: 林岚⟧", "space"), ("⟦NAME:林岚⟧", "unknown label"),
    ("林岚⟧", "unbalanced"),
])
def test_malformed_marks_are_refused_with_a_reason(bad, message):
    with pytest.raises(devset.DevsetError, match=message):
        devset.parse_marked(bad)


def test_header_is_checked():
    doc = "---\nid: x\ngenre: g\nyear: 1980\ndecision: CLOSED\nreasons: PERSONAL_INFO\n---\n文"
    with pytest.raises(devset.DevsetError, match="closure"):
        devset.parse_document(doc)
    ok = devset.parse_document(doc.replace("reasons:", "closure: CONTROLLED\nreasons:"))
    assert ok["closure"] == "CONTROLLED" and ok["text"] == "文"


def test_writer_helpers_give_valid_numbers():
    import random

    from models.recognizers.cn_identifiers import is_valid_resident_id
    from models.recognizers.numbers import luhn_ok

    assert is_valid_resident_id(devset.resident_id("350102", "19540312", 15))
    assert luhn_ok(devset.luhn_card("622202", 19, random.Random(1)))
