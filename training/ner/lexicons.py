"""Build the tagger's word list (``models.lexicon.Lexicon``) from permissively licensed sources.

Sources (each licence allows shipping a derived word list inside the model directory):
  * jieba's own dictionary (MIT, inside the jieba wheel): nr/nrfg/nrt -> PER, ns -> LOC,
    nt -> ORG, every other word of 2+ characters -> WORD (ordinary vocabulary: the signal that
    伤亡 or 纳税人 is a word, not a name);
  * THUOCL lishimingren (MIT) -> PER, THUOCL diming (MIT) -> LOC;
  * administrative divisions (WTFPL): province, city, county and township names -> LOC;
  * surnames (Chinese-Names-Corpus, Apache-2.0) -> SUR.
Nothing here reads raw text at all (so none of the published files reserved for testing).
"""
from __future__ import annotations

import csv
import os
from collections import defaultdict
from pathlib import Path

from models.lexicon import MAX_WORD_LEN, Lexicon
from training.gazetteers import dataset_path, surnames

_JIEBA_CLASS = {"nr": "PER", "nrfg": "PER", "nrt": "PER", "ns": "LOC", "nt": "ORG"}


def _cjk_word(w: str) -> bool:
    return 1 <= len(w) <= MAX_WORD_LEN and all("\u3400" <= ch <= "\u9fff" or ch == "·" for ch in w)


def jieba_entries(min_freq: int = 2) -> dict[str, set[str]]:
    import jieba

    path = Path(os.path.dirname(jieba.__file__)) / "dict.txt"
    out: dict[str, set[str]] = defaultdict(set)
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.split()
            if len(parts) != 3:
                continue
            word, freq, pos = parts[0], int(parts[1]), parts[2]
            if freq < min_freq or not _cjk_word(word):
                continue
            cls = _JIEBA_CLASS.get(pos)
            if cls is not None:
                out[word].add(cls)
            elif len(word) >= 2:
                out[word].add("WORD")
    return out


def _thuocl(name: str, cls: str, out: dict[str, set[str]], min_df: int = 0) -> None:
    with dataset_path("thuocl_lexicons", name).open(encoding="utf-8") as fh:
        for line in fh:
            parts = line.rstrip("\n").split("\t")
            word = parts[0].strip()
            try:
                df = int(parts[1]) if len(parts) > 1 else 0
            except ValueError:
                df = 0
            if df >= min_df and _cjk_word(word) and len(word) >= 2:
                out[word].add(cls)


def _divisions(out: dict[str, set[str]]) -> None:
    for fname in ("provinces.csv", "cities.csv", "areas.csv", "streets.csv"):
        with dataset_path("cn_admin_divisions", fname).open(encoding="utf-8") as fh:
            for row in csv.DictReader(fh):
                name = (row.get("name") or "").strip()
                if _cjk_word(name) and len(name) >= 2 and name not in ("市辖区", "县"):
                    out[name].add("LOC")


NOTICE = """\
lexicon.tsv.gz is a word list derived from these sources (word and class only; no text):
- jieba dictionary (dict.txt), MIT License, Copyright (c) 2013 Sun Junyi. https://github.com/fxsjy/jieba
- THUOCL: Tsinghua Open Chinese Lexicon (lishimingren, diming), MIT License,
  Copyright (c) 2018 THUNLP. http://thuocl.thunlp.org/
- Administrative division names (modood/Administrative-divisions-of-China), WTFPL v2.
- Surnames from Chinese-Names-Corpus (wainshine), Apache License 2.0.
"""


def build_lexicon() -> Lexicon:
    """The default word list (about 0.4 M entries)."""
    entries = jieba_entries()
    _thuocl("THUOCL_lishimingren.txt", "PER", entries, min_df=5)
    _thuocl("THUOCL_diming.txt", "LOC", entries, min_df=5)
    _divisions(entries)
    for s in surnames()[0]:
        entries[s].add("SUR")
    return Lexicon(entries, notice=NOTICE)
