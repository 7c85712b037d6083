"""Loaders for the public NER corpora and raw text in ../shared/datasets, as SCHEMA.md records.

Every labelled record carries ``labels_annotated``: the schema labels that corpus annotates.
A CLUENER sentence without a PHONE span says nothing about phones, so training and evaluation
must treat labels outside that set as unknown, not as negative.

Offsets are code-point indices, end exclusive (CLUENER's inclusive ends are converted and every
span's text is checked against the corpus' own entity string). The corpora are read in place,
never copied into the repository (licences: see each DATACARD.md).
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Iterator

from training.gazetteers import dataset_path

#: label sets each corpus annotates (after mapping to the schema)
CLUENER_LABELS = ("PERSON", "ORG", "LOC")
RESUME_LABELS = ("PERSON", "ORG", "LOC")
WEIBO_LABELS = ("PERSON", "ORG", "LOC")
PEOPLES_DAILY_LABELS = ("PERSON", "ORG", "LOC")

CLUENER_MAP = {"name": "PERSON", "organization": "ORG", "government": "ORG", "company": "ORG", "address": "LOC"}
RESUME_MAP = {"NAME": "PERSON", "ORG": "ORG", "LOC": "LOC"}
WEIBO_MAP = {"PER.NAM": "PERSON", "ORG.NAM": "ORG", "LOC.NAM": "LOC", "GPE.NAM": "LOC"}
PEOPLES_DAILY_MAP = {"PER": "PERSON", "ORG": "ORG", "LOC": "LOC"}


class CorpusFormatError(ValueError):
    """A corpus file does not look the way its DATACARD says."""


def _check_split(split: str, allowed: tuple[str, ...], corpus: str) -> None:
    if split not in allowed:
        raise ValueError(f"{corpus}: split must be one of {allowed}, got {split!r}")


def _record(rid: str, text: str, spans: list[dict], labels: tuple[str, ...], source: str) -> dict:
    spans.sort(key=lambda s: (s["start"], s["end"]))
    for a, b in zip(spans, spans[1:]):
        if b["start"] < a["end"]:
            raise CorpusFormatError(f"{rid}: overlapping spans {a} {b}")
    return {"id": rid, "text": text, "spans": spans, "decision": None, "reasons": [],
            "labels_annotated": list(labels), "source": source}


# --------------------------------------------------------------------------- CLUENER2020
def load_cluener(split: str = "train", scene_as_loc: bool = False) -> list[dict]:
    """CLUENER2020 train/dev: name->PERSON, organization/government/company->ORG, address->LOC.

    book/game/movie/position are dropped. ``scene`` (parks, rivers, scenic spots) is dropped by
    default, the mapping the published comparisons use; GUIDELINES count parks and rivers as LOC,
    so ``scene_as_loc=True`` maps it to LOC for training a tagger that follows the guidelines
    (otherwise those spans teach "not LOC").
    """
    _check_split(split, ("train", "dev"), "cluener")
    mapping = dict(CLUENER_MAP, scene="LOC") if scene_as_loc else CLUENER_MAP
    path = dataset_path("cluener2020", f"{split}.json")
    out = []
    with path.open(encoding="utf-8") as fh:
        for n, line in enumerate(fh):
            if not line.strip():
                continue
            obj = json.loads(line)
            text = obj["text"]
            spans = []
            for clabel, entities in (obj.get("label") or {}).items():
                label = mapping.get(clabel)
                if label is None:
                    continue
                for surface, ranges in entities.items():
                    for start, end_incl in ranges:
                        end = end_incl + 1  # CLUENER ends are inclusive
                        if text[start:end] != surface:
                            raise CorpusFormatError(f"{path}:{n + 1}: span [{start},{end_incl}] is {text[start:end]!r}, expected {surface!r}")
                        spans.append({"start": start, "end": end, "label": label})
            out.append(_record(f"cluener-{split}-{n:05d}", text, spans, CLUENER_LABELS, "cluener2020"))
    return out


# --------------------------------------------------------------------------- character-per-line corpora
def _read_char_lines(path: Path, strip_digit: bool, sep: str | None) -> Iterator[list[tuple[str, str]]]:
    """Sentences as lists of (char, tag); blank lines separate sentences."""
    sent: list[tuple[str, str]] = []
    with path.open(encoding="utf-8") as fh:
        for ln, line in enumerate(fh, 1):
            line = line.rstrip("\n")
            if not line.strip():
                if sent:
                    yield sent
                    sent = []
                continue
            # the character itself may be a space-like char; split from the right
            if sep is None:
                tok, _, tag = line.rpartition(" ") if "\t" not in line else line.rpartition("\t")
            else:
                tok, _, tag = line.rpartition(sep)
            if not tok or not tag:
                raise CorpusFormatError(f"{path}:{ln}: cannot parse {line!r}")
            if strip_digit:
                tok = _strip_position(tok, path, ln)
            if len(tok) != 1:
                raise CorpusFormatError(f"{path}:{ln}: expected one character, got {tok!r}")
            sent.append((tok, tag))
    if sent:
        yield sent


def _strip_position(tok: str, path: Path, ln: int) -> str:
    """Weibo tokens are the character plus its position in the jieba word (1-2 digits: 科0, .10).

    A lost emoji appears as two U+FFFD (a surrogate pair decoded twice); it becomes one U+FFFD so
    that characters and tags stay one-to-one.
    """
    if len(tok) >= 2 and tok[1:].isdigit():
        return tok[0]
    body = tok.rstrip("0123456789")
    if body and body != tok and set(body) == {"\ufffd"}:
        return "\ufffd"
    raise CorpusFormatError(f"{path}:{ln}: token {tok!r} is not a character plus its position digit")


def _tags_to_spans(tags: list[str], mapping: dict[str, str]) -> list[dict]:
    """BIO or BMES tags -> spans of mapped labels (unmapped types dropped).

    Tolerant of the known upstream glitches: an I-/M-/E- without a matching opener starts a
    new entity (Weibo has 10 such, Resume 2 sentences that open inside an entity).
    """
    spans: list[dict] = []
    cur: tuple[int, str] | None = None

    def close(end: int) -> None:
        nonlocal cur
        if cur is not None:
            label = mapping.get(cur[1])
            if label is not None:
                spans.append({"start": cur[0], "end": end, "label": label})
            cur = None

    for i, tag in enumerate(tags):
        if tag == "O" or "-" not in tag:
            close(i)
            continue
        prefix, typ = tag.split("-", 1)
        if prefix in ("B", "S"):
            close(i)
            cur = (i, typ)
            if prefix == "S":
                close(i + 1)
        elif prefix in ("I", "M", "E"):
            if cur is None or cur[1] != typ:
                close(i)
                cur = (i, typ)
            if prefix == "E":
                close(i + 1)
        else:
            raise CorpusFormatError(f"unknown tag prefix in {tag!r}")
    close(len(tags))
    return spans


def _load_char_corpus(path: Path, corpus: str, split: str, mapping: dict[str, str], labels: tuple[str, ...],
                      strip_digit: bool = False, sep: str | None = None) -> list[dict]:
    out = []
    for n, sent in enumerate(_read_char_lines(path, strip_digit, sep)):
        text = "".join(c for c, _ in sent)
        spans = _tags_to_spans([t for _, t in sent], mapping)
        out.append(_record(f"{corpus}-{split}-{n:05d}", text, spans, labels, corpus))
    return out


def load_resume(split: str = "train") -> list[dict]:
    """Resume NER (BMES): NAME->PERSON, ORG->ORG, LOC->LOC; CONT/EDU/PRO/RACE/TITLE dropped."""
    _check_split(split, ("train", "dev"), "resume")
    return _load_char_corpus(dataset_path("resume_ner", f"{split}.char.bmes"), "resume", split, RESUME_MAP, RESUME_LABELS, sep=" ")


def load_weibo(split: str = "train") -> list[dict]:
    """Weibo NER (revised, BIO): PER.NAM->PERSON, ORG.NAM->ORG, LOC.NAM/GPE.NAM->LOC; .NOM dropped."""
    _check_split(split, ("train", "dev"), "weibo")
    return _load_char_corpus(dataset_path("weibo_ner", f"weiboNER_2nd_conll.{split}"), "weibo", split, WEIBO_MAP,
                             WEIBO_LABELS, strip_digit=True, sep="\t")


def load_peoples_daily(split: str = "dev") -> list[dict]:
    """People's Daily (MSRA subset, BIO): PER->PERSON, ORG, LOC. Splits: dev, test (no train here)."""
    _check_split(split, ("dev", "test"), "peoples_daily")
    return _load_char_corpus(dataset_path("peoples_daily_ner", f"example.{split}"), "peoples_daily", split,
                             PEOPLES_DAILY_MAP, PEOPLES_DAILY_LABELS, sep=" ")


# --------------------------------------------------------------------------- raw text
#: The published raw text training may read (laws, judicial interpretations, departmental rules,
#: CCTV news of 2023 and 2024). Other published files in ../shared/datasets are reserved for
#: measuring false alarms on openable text and are never read by training, embeddings or
#: lexicons, so they are deliberately not named here.
_LAW_FILES = ("laws_national.jsonl", "judicial_interpretations.jsonl",
              "departmental_rules_cases_standards.jsonl")
_XWLB_FILES = ("xwlb_2023.jsonl", "xwlb_2024.jsonl")
_XWLB_BOILERPLATE = "央视网消息（新闻联播）："


def iter_raw_text(max_chars: int | None = None, min_len: int = 10) -> Iterator[str]:
    """Raw Chinese paragraphs (pre-trained embeddings, silver labels): laws and 2023-24 news.

    Sources are interleaved round-robin so that a ``max_chars`` cut keeps both registers.
    News boiler-plate openings are stripped. Stops once ``max_chars`` characters were yielded.
    """
    if max_chars is not None and max_chars <= 0:
        raise ValueError("max_chars must be positive or None")
    sources = [_law_paragraphs(), news_paragraphs()]
    total = 0
    while sources:
        for it in list(sources):
            try:
                para = next(it)
            except StopIteration:
                sources.remove(it)
                continue
            para = para.strip()
            if len(para) < min_len:
                continue
            yield para
            total += len(para)
            if max_chars is not None and total >= max_chars:
                return


def _law_paragraphs() -> Iterator[str]:
    for name in _LAW_FILES:
        with dataset_path("lawrefbook_cn_laws", name).open(encoding="utf-8") as fh:
            for line in fh:
                obj = json.loads(line)
                if not obj.get("is_latest_version", True):
                    continue
                yield from obj.get("text", "").split("\n")


def news_paragraphs() -> Iterator[str]:
    """Paragraphs of the allowed CCTV news transcripts (2023, 2024), boiler-plate opening cut."""
    for name in _XWLB_FILES:
        with dataset_path("xwlb_cctv_news_transcripts", name).open(encoding="utf-8") as fh:
            for line in fh:
                text = json.loads(line).get("text", "")
                if text.startswith(_XWLB_BOILERPLATE):
                    text = text[len(_XWLB_BOILERPLATE):]
                yield from text.split("\n")


def published_documents(n: int, seed: int, max_chars: int = 2500) -> list[dict]:
    """``n`` seeded documents of allowed published text (CCTV news items of 2023-24, national laws,
    judicial interpretations, departmental rules and published cases) as SCHEMA.md records with
    the decision OPEN: what is already public is openable (GUIDELINES rule 1), and these teach
    the proposer that 案件, 处罚, 患者 in a public or statistical sense close nothing.

    Long laws are cut at article or paragraph breaks into pieces of at most ``max_chars``. No gold
    spans (``spans`` is None): the decision model sees the detector's spans of them.
    """
    import random as _random

    if n <= 0:
        return []
    news: list[tuple[str, str, str]] = []  # (id, title, text)
    laws: list[tuple[str, str, str]] = []
    pool = news
    for name in _XWLB_FILES:
        with dataset_path("xwlb_cctv_news_transcripts", name).open(encoding="utf-8") as fh:
            for k, line in enumerate(fh):
                obj = json.loads(line)
                text = (obj.get("text") or "").strip()
                if text.startswith(_XWLB_BOILERPLATE):
                    text = text[len(_XWLB_BOILERPLATE):]
                if len(text) >= 80:
                    pool.append((f"{name}:{k}", obj.get("title") or "", text[:max_chars]))
    pool = laws
    for name in _LAW_FILES:
        with dataset_path("lawrefbook_cn_laws", name).open(encoding="utf-8") as fh:
            for k, line in enumerate(fh):
                obj = json.loads(line)
                if not obj.get("is_latest_version", True):
                    continue
                piece, part = [], 0
                for para in (obj.get("text") or "").split("\n"):
                    if piece and sum(map(len, piece)) + len(para) > max_chars:
                        pool.append((f"{name}:{k}:{part}", obj.get("title") or "", "\n".join(piece)))
                        piece, part = [], part + 1
                    piece.append(para)
                if piece and sum(map(len, piece)) >= 80:
                    pool.append((f"{name}:{k}:{part}", obj.get("title") or "", "\n".join(piece)))
    rng = _random.Random(seed)
    rng.shuffle(news)
    rng.shuffle(laws)
    picked = news[:n - n // 2] + laws[:n // 2]  # both registers, half each
    return [{"id": f"published-{pid}", "title": title, "text": text, "spans": None,
             "decision": "OPEN", "reasons": [], "source": "published"}
            for pid, title, text in picked]
