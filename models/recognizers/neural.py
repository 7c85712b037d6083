"""The neural recognizer: one interface, two backends.

* ``char_tagger``: our CPU BiLSTM-CRF (``models.recognizers.char_tagger``), loaded from a
  directory holding config.json, vocab.json and model.safetensors. The default.
* ``transformers``: any token-classification model in a LOCAL directory (a Chinese BERT or
  RoBERTa fine-tuned elsewhere, or on a GPU), loaded with ``local_files_only=True``. A hub name is
  refused: archives run on offline networks and a silent download would be a leak.

Both load lazily (constructors do no I/O), cut long documents into windows at sentence ends,
batch the windows, run under ``torch.inference_mode`` and return ``Span`` objects whose offsets
are code-point indices into the original text. Spans never start or end on whitespace (so they
always align with the spaCy character tokens of ``models.pipeline``).
"""
from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections import deque
from itertools import islice
from pathlib import Path
from typing import Iterable, Iterator, Sequence

from models.recognizers.names import repair_person
from models.spans import Span
from models.text import despaced_view

NEURAL_LABELS: tuple[str, ...] = ("PERSON", "ADDRESS", "HEALTH", "LEGAL_RECORD", "ORG", "LOC")
BACKENDS = ("char_tagger", "transformers")


def detect_backend(directory: str | Path) -> str:
    """``char_tagger`` if the directory holds our tagger files, ``transformers`` if it holds a
    Hugging Face ``config.json`` with ``architectures``; otherwise a clear error."""
    d = Path(directory)
    if not d.is_dir():
        raise FileNotFoundError(f"neural model directory not found: {d}")
    cfg = d / "config.json"
    if (d / "vocab.json").is_file() and cfg.is_file():
        try:
            if "labels" in json.loads(cfg.read_text(encoding="utf-8")):
                return "char_tagger"
        except json.JSONDecodeError as exc:
            raise ValueError(f"{cfg} is not valid JSON: {exc}") from exc
    if cfg.is_file():
        return "transformers"
    raise ValueError(f"{d} holds neither a char tagger (config.json + vocab.json + "
                     "model.safetensors) nor a transformers model (config.json)")


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return start, end


#: Words that introduce an address and are never part of it (GUIDELINES: the address as written,
#: the label word or verb outside). A tagger that has not seen a phrasing (现住 where training had
#: 家住 and 住址) tends to take the verb in.
_ADDRESS_LEAD = re.compile(
    r"(?:现住址|家庭住址|家庭地址|户籍地址|户口所在地|现居住地|居住地|住址|现住|家住|原住|现居|居住在|住在|居住|住)"
    r"[ \u3000:：]*")
#: An ADDRESS-shaped document or case number (（1987）民字第193号): no address at all.
_DOC_NUMBER = re.compile(r"^[\u4e00-\u9fff]{0,6}字第?[0-9０-９]+号$")

#: A count right after a HEALTH or LEGAL_RECORD phrase makes it a statistic (全年依法刑事拘留250人,
#: 确诊肺结核患者156人): GUIDELINES label no aggregate.
_COUNT_AFTER = re.compile(
    r"(?:患者|病人|病例)?[ ]?(?:共|计|达|约)?[0-9０-９一二三四五六七八九十百千两]+(?:多|余)?(?:人|名|例|人次|起|宗|户)")


#: characters that end a name: table cell borders, tabs and box drawing (form layouts)
_CELL_BORDERS = frozenset("｜|¦│┃┆┊║\t")


def _letter(ch: str) -> bool:
    return unicodedata.category(ch)[0] == "L"


def _edge_ok(ch: str, label: str) -> bool:
    """May a ``label`` span begin or end with ``ch``? Names: letters only; places and
    organisations also digits (杨桥路18号, 第一针织厂), never punctuation or symbols."""
    return _letter(ch) or (label != "PERSON" and ch.isdigit())


def tidy_span(text: str, start: int, end: int, label: str) -> tuple[int, int] | None:
    """Label-specific boundary repair of a model span; None drops it.

    PERSON, ORG, LOC: edge characters that are not letters (digits also for places and
    organisations) are cut off (｜鲁秀英 -> 鲁秀英, 〔印〕), and a span across a table cell border
    is dropped; a PERSON needs two letters and a Latin one a capital (a surname alone is no
    name, GUIDELINES; "the" is no name).
    ADDRESS: a leading 住/现住/住址： is cut off; a document number (民字第193号) is dropped.
    HEALTH, LEGAL_RECORD: dropped when a count follows (a statistic, not a person's record).
    """
    if label in ("PERSON", "ORG", "LOC"):
        while start < end and not _edge_ok(text[start], label):
            start += 1
        while end > start and not _edge_ok(text[end - 1], label):
            end -= 1
        piece = text[start:end]
        if not piece or any(ch in _CELL_BORDERS or unicodedata.category(ch) == "So"
                            for ch in piece):
            return None
        if label == "PERSON":
            letters = [ch for ch in piece if _letter(ch)]
            if len(letters) < 2 or (piece.isascii() and not any(c.isupper() for c in piece)):
                return None
        return start, end
    if label in ("HEALTH", "LEGAL_RECORD") and _COUNT_AFTER.match(text, end):
        return None
    if label == "ADDRESS":
        m = _ADDRESS_LEAD.match(text, start, end)
        if m and end - m.end() >= 4:
            start = m.end()
        if _DOC_NUMBER.match(text[start:end]):
            return None
    return start, end


class NeuralRecognizer:
    """Finds PERSON, ADDRESS, HEALTH, LEGAL_RECORD, ORG and LOC with a trained model.

    ``name`` is the ``source`` written on every span (``ner:<version>``), so a reviewer can tell
    which model version proposed it.
    """

    def __init__(self, directory: str | Path, *, backend: str | None = None,
                 version: str = "unversioned", batch_size: int = 64, threads: int | None = None,
                 min_score: float = 0.0, quantize: bool = False,
                 min_scores: dict[str, float] | None = None):
        if backend is not None and backend not in BACKENDS:
            raise ValueError(f"unknown neural backend {backend!r}; expected one of {BACKENDS}")
        self.directory = Path(directory)
        self.backend = backend
        self.version = version
        self.name = f"ner:{version}"
        self.batch_size = batch_size
        self.threads = threads
        self.min_score = min_score
        #: per-label thresholds on the span score (CRF marginal), over ``min_score``; chosen on
        #: the tagger's own selection split (models/default/README.md), never on a test set
        self.min_scores = {str(k): float(v) for k, v in (min_scores or {}).items()}
        self.quantize = quantize
        self._impl: _CharTaggerImpl | _TransformersImpl | None = None
        self._lock = threading.Lock()

    @property
    def labels(self) -> frozenset[str]:
        return frozenset(self._load().labels)

    def _load(self) -> "_CharTaggerImpl | _TransformersImpl":
        if self._impl is None:
            with self._lock:
                if self._impl is None:
                    backend = self.backend or detect_backend(self.directory)
                    self.backend = backend
                    if self.threads:
                        import torch

                        torch.set_num_threads(self.threads)
                    self._impl = (_CharTaggerImpl(self.directory, quantize=self.quantize)
                                  if backend == "char_tagger"
                                  else _TransformersImpl(self.directory))
        return self._impl

    def find(self, text: str) -> list[Span]:
        return self.find_many([text])[0]

    def find_many(self, texts: Sequence[str]) -> list[list[Span]]:
        """Spans per text. Windows of all texts are batched together, longest first."""
        texts = list(texts)
        return list(self.find_stream(texts, group=max(1, len(texts))))

    def find_stream(self, texts: Iterable[str], *, group: int = 128) -> Iterator[list[Span]]:
        """Spans of each text, in order, reading ``texts`` lazily ``group`` at a time.

        The windows of a group are batched longest first (as ``find_many`` batches all of
        them), and one prediction stream runs across groups. Why: pulling the next group runs
        whatever produces the texts (the rule component of the pipeline, on the same thread)
        while the tagger's LSTM works on the previous group's last batch in its worker thread;
        with one stream per group the LSTM sat idle during the rules. A text's spans are those
        of ``find_many`` on its group.
        """
        if group < 1:
            raise ValueError(f"group must be at least 1, got {group}")
        impl = self._load()
        pending: deque[_Group] = deque()   # groups read, their spans not all found yet
        parts: deque[tuple[_Group, list[tuple[int, int, int]]]] = deque()

        def batches() -> Iterator[list[str]]:
            it = iter(texts)
            while True:
                chunk = list(islice(it, group))
                if not chunk:
                    return
                for t in chunk:
                    if not isinstance(t, str):
                        raise TypeError(f"expected str, got {type(t).__name__}")
                g = _Group(chunk)
                windows = [(i, s, e) for i, t in enumerate(g.read) for s, e in impl.chunk(t)]
                windows.sort(key=lambda w: w[2] - w[1], reverse=True)  # stable: as find_many
                g.left = -(-len(windows) // self.batch_size)
                pending.append(g)
                for b in range(0, len(windows), self.batch_size):
                    part = windows[b:b + self.batch_size]
                    parts.append((g, part))
                    yield [g.read[i][s:e] for i, s, e in part]

        def done() -> Iterator[list[Span]]:
            while pending and pending[0].left == 0:
                for spans in pending.popleft().out:
                    spans.sort(key=lambda s: (s.start, s.end))
                    yield spans

        for preds in impl.predict_stream(batches()):
            g, part = parts.popleft()
            for (i, ws, _), spans in zip(part, preds):
                g.out[i] += self._spans(g.texts[i], g.views[i], ws, spans, impl)
            g.left -= 1
            yield from done()
        yield from done()

    def _spans(self, text: str, view, ws: int, spans, impl) -> list[Span]:
        """The tagger's (start, end, label, score) of one window as checked ``Span`` objects in
        ``text``: offsets made global, repaired, thresholded."""
        found = []
        for s, e, label, score in spans:
            s, e = ws + s, ws + e
            if view is not None:
                s, e = view[1][s], view[1][e - 1] + 1
            s, e = _trim(text, s, e)
            tidy = tidy_span(text, s, e, label) if e > s else None
            if tidy is not None and label == "PERSON":
                tidy = repair_person(text, *tidy, impl.word_classes)
            if tidy is None:
                continue
            s, e = tidy
            if e > s and score >= max(self.min_score, self.min_scores.get(label, 0.0)) \
                    and label in NEURAL_LABELS:
                found.append(Span(s, e, label, round(float(score), 4), self.name,
                                  f"{self.backend} {self.version}"))
        return found


class _Group:
    """Texts read together by ``NeuralRecognizer.find_stream``: their OCR-despaced views, the
    strings the tagger reads, the spans found so far and the batches still out."""

    def __init__(self, texts: list[str]):
        self.texts = texts
        # OCR-spaced texts are read without their spaces (models.text.despaced_view)
        self.views = [despaced_view(t) for t in texts]
        self.read = [v[0] if v else t for v, t in zip(self.views, texts)]
        self.out: list[list[Span]] = [[] for _ in texts]
        self.left = 0


class _CharTaggerImpl:
    def __init__(self, directory: Path, *, quantize: bool = False):
        from models.recognizers.char_tagger import CharTagger

        self.model = CharTagger.load(directory)
        if quantize:
            self.model = quantize_tagger(self.model)
        self.labels = tuple(self.model.config.labels)
        self.max_len = int(self.model.config.max_len)

    def chunk(self, text: str) -> list[tuple[int, int]]:
        from models.recognizers.char_tagger import chunk_bounds

        return chunk_bounds(text, self.max_len)

    def predict_stream(self, batches):
        """Batches in turn, the tagger's LSTM overlapping the Python around it."""
        return self.model.predict_stream(batches)

    @property
    def word_classes(self):
        """The tagger's lexicon look-up (``Lexicon.classes_of``), None without a lexicon."""
        lexicon = getattr(self.model, "lexicon", None)
        return lexicon.classes_of if lexicon is not None else None


class _TransformersImpl:
    word_classes = None

    """A local token-classification model; characters map 1:1 to tokens via offsets."""

    def __init__(self, directory: Path):
        from transformers import AutoModelForTokenClassification, AutoTokenizer

        if not directory.is_dir():
            raise FileNotFoundError(f"transformers model directory not found: {directory}")
        self.tokenizer = AutoTokenizer.from_pretrained(str(directory), local_files_only=True)
        self.model = AutoModelForTokenClassification.from_pretrained(
            str(directory), local_files_only=True)
        self.model.eval()
        id2label = {int(k): v for k, v in self.model.config.id2label.items()}
        self.id2label = id2label
        self.labels = tuple(sorted({lab.split("-", 1)[1] for lab in id2label.values()
                                    if "-" in lab}))
        positions = getattr(self.model.config, "max_position_embeddings", 512) or 512
        self.max_len = max(8, min(254, positions - 2))

    def chunk(self, text: str) -> list[tuple[int, int]]:
        from models.recognizers.char_tagger import chunk_bounds

        return chunk_bounds(text, self.max_len)

    def predict_stream(self, batches):
        for texts in batches:
            yield self.predict(texts)

    def predict(self, texts: list[str]) -> list[list[tuple[int, int, str, float]]]:
        import torch

        enc = self.tokenizer(texts, return_offsets_mapping=True, padding=True, truncation=True,
                             max_length=self.max_len + 2, return_tensors="pt")
        offsets = enc.pop("offset_mapping")
        with torch.inference_mode():
            logits = self.model(**enc).logits
        probs = torch.softmax(logits, dim=-1)
        conf, ids = probs.max(dim=-1)
        out = []
        for b, text in enumerate(texts):
            # per character: the prediction of the first token that covers it
            char_tag = ["O"] * len(text)
            char_conf = [1.0] * len(text)
            seen = set()
            for tok, (s, e) in enumerate(offsets[b].tolist()):
                if e <= s or s in seen or s >= len(text):
                    continue
                seen.add(s)
                tag = self.id2label[int(ids[b, tok])]
                char_tag[s] = tag
                char_conf[s] = float(conf[b, tok])
                for c in range(s + 1, min(e, len(text))):  # multi-char token: continue it
                    seen.add(c)
                    char_tag[c] = ("I-" + tag[2:]) if tag[:2] in ("B-", "I-", "S-", "E-") else tag
                    char_conf[c] = char_conf[s]
            out.append(_bio_or_bioes_to_spans(char_tag, char_conf))
        return out


def quantize_tagger(model):
    """Dynamic int8 quantisation of the BiLSTM and the output layer (CPU inference only).

    Why: the BiLSTM is nearly all of the tagger's inference time; int8 weights make it about
    1.5x faster on CPU. Whether it costs accuracy is measured in benchmarks/ner_bench.py, and
    the pipeline turns it on only where the shipped model's manifest says so.
    """
    import warnings

    import torch

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        q = torch.ao.quantization.quantize_dynamic(model, {torch.nn.LSTM, torch.nn.Linear},
                                                   dtype=torch.qint8)
    q.eval()
    return q


def _bio_or_bioes_to_spans(tags: list[str], conf: list[float]
                           ) -> list[tuple[int, int, str, float]]:
    """Spans from BIO or BIOES tags, lenient: an I- after O starts a span, E-/S- close it."""
    spans = []
    start, label = None, None

    def close(end: int) -> None:
        nonlocal start, label
        if start is not None:
            spans.append((start, end, label, sum(conf[start:end]) / (end - start)))
        start, label = None, None

    for i, tag in enumerate(tags):
        p, _, lab = tag.partition("-")
        if p in ("B", "S") or (p in ("I", "E") and (start is None or lab != label)):
            close(i)
            start, label = i, lab
        elif p == "O" or not lab:
            close(i)
            continue
        if p in ("E", "S"):
            close(i + 1)
    close(len(tags))
    return spans
