"""Names reviewers confirmed join the fine-tuned tagger's word list (training.retrain)."""
from __future__ import annotations

import gzip

from models.lexicon import CLASSES, LEXICON_FILE, Lexicon
from training.retrain import RetrainConfig, add_learned_names, learned_names


def _record(text: str, *spans: tuple[str, str]) -> dict:
    out = []
    for surface, label in spans:
        a = text.index(surface)
        out.append({"start": a, "end": a + len(surface), "label": label})
    return {"id": "doc:1", "text": text, "spans": out}


RECORDS = [
    _record("宋茜姐姐今天发微博，@魏晨 回复了欧阳娜娜和Hana，林说好。新华社报道。",
            ("宋茜姐姐", "PERSON"), ("魏晨", "PERSON"), ("欧阳娜娜", "PERSON"), ("Hana", "PERSON"),
            ("林", "PERSON"), ("新华社", "ORG")),
    _record("阿沛·阿旺晋美同志出席会议，王秀英列席。", ("阿沛·阿旺晋美", "PERSON"), ("王秀英", "PERSON")),
]


def test_only_chinese_names_of_two_to_six_characters_are_learned():
    names = learned_names(RECORDS)
    # Latin, a bare surname, an ORG and a seven-character name are left out
    assert names == {"宋茜姐姐": {"PER"}, "魏晨": {"PER"}, "欧阳娜娜": {"PER"}, "王秀英": {"PER"}}


def test_confirmed_names_are_added_to_the_tagger_word_list(tmp_path):
    Lexicon({"王秀英": ["PER"], "魏晨": ["WORD"], "福州市": ["LOC"]}, notice="MIT, Copyright X").save(
        tmp_path / LEXICON_FILE)
    counts = add_learned_names(tmp_path, RECORDS)
    assert counts == {"confirmed_names": 4, "added": 3}  # 王秀英 was already a name
    assert gzip.open(tmp_path / LEXICON_FILE, "rt", encoding="utf-8").read()  # still gzip
    lex = Lexicon.load(tmp_path / LEXICON_FILE)
    assert lex.classes_of("魏晨") == ("PER", "WORD") and lex.classes_of("福州市") == ("LOC",)
    assert lex.notice.strip() == "MIT, Copyright X"
    per = CLASSES.index("PER") * 4
    f = lex.features("今天欧阳娜娜来了")
    assert f[2, per] == 1 and f[3, per + 1] == 1 and f[5, per + 2] == 1   # B M M E of 欧阳娜娜
    assert sorted(p.name for p in tmp_path.iterdir()) == [LEXICON_FILE, f"{LEXICON_FILE}.NOTICE"]


def test_a_tagger_without_a_word_list_is_left_alone(tmp_path):
    assert add_learned_names(tmp_path, RECORDS) == {"confirmed_names": 4, "added": 0}
    assert list(tmp_path.iterdir()) == []
    assert add_learned_names(tmp_path, []) == {"confirmed_names": 0, "added": 0}


def test_learn_names_is_on_in_the_shipped_config_and_can_be_turned_off(tmp_path):
    assert RetrainConfig.load().learn_names is True
    cfg = tmp_path / "off.toml"
    cfg.write_text("[train]\nlearn_names = false\n", encoding="utf-8")
    assert RetrainConfig.load(cfg).learn_names is False


def test_a_retrained_version_lists_the_names_confirmed_in_its_training_documents(tmp_path):
    """build_version on a parent whose tagger reads a word list: the candidate's list holds the
    confirmed names (counted in the components), the parent's is untouched, and with
    ``learn_names = false`` the candidate's list is the parent's, byte for byte."""
    from dataclasses import replace

    from models.pipeline import Detector, save_pipeline
    from training.ner.train import TrainConfig, train_tagger
    from training.retrain import build_version, write_version_manifest

    def records(names):
        return [{"id": f"doc:{i}", "text": f"经办人{n}，住福州市鼓楼区。",
                 "spans": [{"start": 3, "end": 3 + len(n), "label": "PERSON"}]} for i, n in enumerate(names)]

    lex = Lexicon({"福州市": ["LOC"], "鼓楼区": ["LOC"], "经办人": ["WORD"], "林": ["SUR"]}, notice="MIT")
    cfg = replace(TrainConfig.tiny(), labels=("PERSON",), epochs=1, lexicon=True)
    parent = tmp_path / "parent"
    train_tagger(records(["林碧军", "陈玉兰"]), [], tmp_path / "tagger", config=cfg, lexicon=lex, progress=False)
    save_pipeline(parent / "ner", tagger_dir=tmp_path / "tagger", rules_config=None, use_rules=False, version="parent")
    write_version_manifest(parent, name="parent", parent=None, data_fingerprint="x", metrics={}, components={})
    parent_list = (parent / "ner" / "tagger" / LEXICON_FILE).read_bytes()

    confirmed = records(["宋晓岚", "欧阳明"])
    ner = {"preset": "tiny", "epochs": 1, "threads": 1, "interpolate": 1.0}
    for learn, name in ((True, "cand"), (False, "plain")):
        out = tmp_path / name
        out.mkdir()
        rc = RetrainConfig(ner_params=ner, seed=3, threads=1, retrain_decision=False, learn_names=learn)
        (parent / "decision").mkdir(exist_ok=True)
        comps = build_version(out=out, name=name, ner_train=confirmed * 3, decision_train=[], parent_dir=parent,
                              cfg=rc, progress=lambda f, m: None, confirmed_ner=confirmed)
        got = Lexicon.load(out / "ner" / "tagger" / LEXICON_FILE)
        if learn:
            assert comps["ner"]["learned_names"] == {"confirmed_names": 2, "added": 2}
            assert got.classes_of("宋晓岚") == ("PER",) and got.classes_of("福州市") == ("LOC",)
            assert Detector.load(out / "ner").detect("经办人宋晓岚。") is not None  # the version loads
        else:
            assert "learned_names" not in comps["ner"]
            assert (out / "ner" / "tagger" / LEXICON_FILE).read_bytes() == parent_list
    assert (parent / "ner" / "tagger" / LEXICON_FILE).read_bytes() == parent_list
