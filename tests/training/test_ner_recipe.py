"""The parts of the tagger recipe: layout and name augmentation keep labels exact, LAC's silver
spans keep code-point offsets, other labels' spans are left free in training, embeddings land on
the tagger's own feature forms, and the recipe never reads the reserved published files."""
import random

import numpy as np
import pytest

from training.ner import augment


def _surfaces(rec):
    return [(rec["text"][s["start"]:s["end"]], s["label"]) for s in rec["spans"]]


RECORD = {"id": "r", "text": "经办人：林岚，电话：12345。王秀英签字，住福州市鼓楼区杨桥路18号。",
          "spans": [{"start": 4, "end": 6, "label": "PERSON"}, {"start": 16, "end": 19, "label": "PERSON"},
                    {"start": 23, "end": 36, "label": "ADDRESS"}]}


@pytest.mark.parametrize("name", sorted(augment.AUGMENTATIONS))
def test_every_augmentation_keeps_spans_on_their_text(name):
    rng = random.Random(0)
    for _ in range(20):
        new = augment.AUGMENTATIONS[name](RECORD, rng)
        assert len(new["spans"]) == len(RECORD["spans"])
        for (old_surface, old_label), (surface, label) in zip(_surfaces(RECORD), _surfaces(new)):
            assert label == old_label
            if name != "names" or label != "PERSON":
                assert surface.replace(" ", "").replace("\u3000", "") == old_surface
            assert surface == surface.strip()


def test_layouts_look_like_forms_and_ocr():
    rng = random.Random(1)
    padded = augment.pad_two_character_names(RECORD, rng, p=1.0)
    assert "林\u3000岚" in padded["text"]
    spaced = augment.ocr_spaced(RECORD, rng)
    assert "王 秀 英" in spaced["text"] and _surfaces(spaced)[1] == ("王 秀 英", "PERSON")
    row = augment.as_table_row(RECORD, random.Random(3))
    assert row["text"] != RECORD["text"] and "，" not in row["text"]


def test_name_shapes_include_compound_minority_and_transliterated_names():
    rng = random.Random(2)
    names = {augment._random_name(rng, ("王",)) for _ in range(400)}
    assert any(n[:2] in augment.COMPOUND_SURNAMES for n in names)
    assert any("·" in n for n in names)
    assert all(2 <= len(n) <= 14 for n in names)


def test_spans_of_other_labels_are_free_in_training():
    from models.recognizers.char_tagger import bioes_tags
    from training.ner.data import EncodedExamples, records_to_examples

    examples = records_to_examples([RECORD], ["PERSON", "ORG", "LOC"], 160)
    assert examples[0].free == [(23, 36)]
    tags = bioes_tags(["PERSON", "ORG", "LOC"])
    allowed = EncodedExamples.build(examples, _vocab(), tags).allowed[0]
    assert allowed[23:36].all()                           # the address: anything goes
    assert allowed[4].sum() == 1 and allowed[0].sum() == 1   # a name's B-, and O outside


def _vocab():
    from models.recognizers.char_tagger import CharVocab

    return CharVocab.build([RECORD["text"]], min_char_count=1, min_bigram_count=1)


def test_lac_silver_spans_keep_offsets_with_full_width_input():
    from training.ner.silver import LacTagger

    lac = LacTagger()
    text = "国务院总理李强主持会议，ＡＢＣ公司经理林碧军、\n　王五出席。"
    spans = lac.detect(text)
    persons = [text[s.start:s.end] for s in spans if s.label == "PERSON"]
    assert "李强" in persons and "林碧军" in persons and "王五" in persons   # after a line break
    assert all(text[s.start:s.end] == text[s.start:s.end].strip() for s in spans)


def test_embeddings_land_on_the_taggers_feature_forms():
    from training.ner.embeddings import pretrain_embeddings

    texts = ["福州市档案局局长林碧军１９９６年到任。"] * 40 + ["广州市档案馆"] * 40
    chars, bigrams, facts = pretrain_embeddings(texts, char_dim=8, bigram_dim=4, seed=0,
                                                workers=1, epochs=1)
    assert chars.dim == 8 and bigrams.dim == 4
    assert chars.get("福") is not None and chars.get("0") is not None   # digits folded
    assert chars.get("１") is None and isinstance(chars.get("市"), np.ndarray)
    assert facts["texts"] == 80
