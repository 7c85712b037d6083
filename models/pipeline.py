"""The detection pipeline: a spaCy Chinese ``Language`` carrying rules + neural NER + one merge.

Shape::

    spacy.blank("zh")                 # char segmenter; tokenizer swapped for CharTokenizer
      kaifang_rules   -> doc.spans["rules"]    (models.analyzer.RuleAnalyzer, owner B)
      kaifang_neural  -> doc.spans["neural"]   (models.recognizers.neural.NeuralRecognizer)
      kaifang_merge   -> doc.spans["sc"]       (the final, non-overlapping spans)

Tokenizer: one token per code point, whitespace included, no trailing-space tokens. spaCy's
own ``zh`` char segmenter produces the same tokens except that it folds an ASCII space into the
previous token and its alignment step is quadratic in the document length (1.4 s for 120k
characters here, against 0.02 s per 12k for a direct ``Doc``). With one token per character every
code-point offset is a token boundary, so every span, whatever its offsets, is a spaCy span.

Conflict policy (the ONE policy; ``merge_spans``): **rules own their characters.**
  1. Rule spans are resolved among themselves: longer wins, then the higher score
     (``models.spans.resolve_overlaps``).
  2. A neural span that overlaps a kept rule span is clipped to its longest piece outside the
     rule spans (whitespace and punctuation trimmed); a piece shorter than 2 characters is
     dropped. Why: rule spans are pattern matches validated by checksums and context words
     (ID numbers, phones, accounts, marks); a neural ADDRESS that runs into the phone number
     after it should lose the digits, not the whole address.
     Except for readings of the same entity: a neural span that overlaps a rule span of its own
     label (or a HEALTH/LEGAL_RECORD span that overlaps a rule HEALTH/LEGAL_RECORD span) is
     dropped, not clipped. Both read the same entity, the rule's reading wins whole, and what
     clipping would leave (损伤程度为 of 损伤程度为【轻伤二级】, 死亡原因 of 死亡原因：【肝硬化晚期】,
     住 of 住【杨桥路18号】) is a boundary disagreement, not a second entity.
  3. The remaining neural spans are resolved among themselves: longer wins, then score.
The winners go to ``doc.spans["sc"]`` (with ``span_id`` = the source) and, as ``models.spans.Span``
objects with score, source and explanation, to ``doc._.kaifang_spans``.

A pipeline directory (``ner/`` of a model version) holds ``pipeline.json`` (language, tokenizer,
components and their settings), ``rules.toml`` (the rule configuration, when one was given) and
``tagger/`` (the neural model: safetensors + JSON). JSON and safetensors only: no pickle.
"""
from __future__ import annotations

import json
import os
import shutil
from collections import deque
from pathlib import Path
from typing import Any, Iterable, Sequence

from models.script import simplified_view
from models.spans import Span

#: Labels whose spans are phrases (a verb and what it says): see step 2 of the conflict policy.
PHRASE_LABELS = frozenset({"HEALTH", "LEGAL_RECORD"})
PIPELINE_FILE = "pipeline.json"
PIPELINE_FORMAT = "kaifang-ner-pipeline/1"
RULE_GROUP, NEURAL_GROUP, FINAL_GROUP = "rules", "neural", "sc"
_PUNCT_EDGE = set(" \t\r\n\u3000，。、；：！？,.;:!?（）()《》“”\"'「」【】[]")


def default_model_path() -> Path:
    """The model version shipped in the repository (``models/default``).

    ``KAIFANG_DEFAULT_MODEL`` overrides it (for a set-up command that trains the default into an
    ignored folder instead).
    """
    env = os.environ.get("KAIFANG_DEFAULT_MODEL")
    if env:
        return Path(env)
    return Path(__file__).resolve().parent / "default"


# ---------------------------------------------------------------------------- merge policy --
def _clip_outside(span: Span, blockers: Sequence[Span], text: str) -> Span | None:
    """The longest piece of ``span`` not covered by ``blockers``, edge punctuation trimmed."""
    covered = [False] * span.length
    for b in blockers:
        for i in range(max(span.start, b.start), min(span.end, b.end)):
            covered[i - span.start] = True
    best: tuple[int, int] | None = None
    i = 0
    while i < span.length:
        if covered[i]:
            i += 1
            continue
        j = i
        while j < span.length and not covered[j]:
            j += 1
        s, e = span.start + i, span.start + j
        while s < e and text[s] in _PUNCT_EDGE:
            s += 1
        while e > s and text[e - 1] in _PUNCT_EDGE:
            e -= 1
        if e - s >= 2 and (best is None or e - s > best[1] - best[0]):
            best = (s, e)
        i = j
    if best is None:
        return None
    return span.with_(start=best[0], end=best[1],
                      explanation=(span.explanation + "; clipped around rule spans").strip("; "))


def merge_spans(text: str, rule_spans: Iterable[Span], neural_spans: Iterable[Span]) -> list[Span]:
    """Apply the conflict policy of the module docstring; returns sorted, non-overlapping spans."""
    from models.recognizers.names import propagate_names
    from models.spans import resolve_overlaps

    rules = resolve_overlaps(rule_spans)
    clipped: list[Span] = []
    for n in neural_spans:
        hits = [r for r in rules if r.overlaps(n)]
        if not hits:
            clipped.append(n)
            continue
        if any(r.label == n.label or (n.label in PHRASE_LABELS and r.label in PHRASE_LABELS)
               for r in hits):
            continue  # the rule read the same entity: its reading wins whole
        c = _clip_outside(n, hits, text)
        if c is not None:
            clipped.append(c)
    neural = resolve_overlaps(clipped)
    return propagate_names(text, sorted(rules + neural, key=lambda s: (s.start, s.end)))


# ------------------------------------------------------------------------ spaCy plumbing --
def _ensure_registered() -> None:
    """Register the tokenizer, components and extensions once (explicitly, not on import)."""
    import spacy
    from spacy.language import Language
    from spacy.tokens import Doc

    if not Doc.has_extension("kaifang_spans"):
        Doc.set_extension("kaifang_spans", default=None)
    if not Doc.has_extension("kaifang_candidates"):
        Doc.set_extension("kaifang_candidates", default=None)
    if "kaifang_rules" in Language.factories:
        return

    @spacy.registry.tokenizers("kaifang.char_tokenizer.v1")
    def _make_char_tokenizer():
        def create(nlp):
            return CharTokenizer(nlp.vocab)

        return create

    Language.factory("kaifang_rules", default_config={"config_path": None})(RuleComponent)
    Language.factory("kaifang_neural", default_config={
        "model_dir": None, "version": "unversioned", "batch_size": 64, "backend": None,
        "min_score": 0.0, "quantize": False, "min_scores": {}})(NeuralComponent)
    Language.factory("kaifang_merge", default_config={})(MergeComponent)


#: documents per tagger call: the BiLSTM and the CRF run on one padded batch of all their windows,
#: so larger batches amortise the per-call cost (2 threads, development set and corpora:
#: 45k characters/s at 32 documents, 55k at 128, 49k at 512; 2026-12-03)
DETECT_BATCH = 128

class CharTokenizer:
    """One token per code point (see the module docstring for why)."""

    def __init__(self, vocab):
        self.vocab = vocab

    def __call__(self, text: str):
        from spacy.tokens import Doc

        doc = Doc(self.vocab, words=list(text), spaces=[False] * len(text))
        doc.user_data[TEXT_KEY] = text
        return doc

    def pipe(self, texts, batch_size: int = 1000):
        for t in texts:
            yield self(t)

    # spaCy serialisation hooks: nothing to store
    def to_disk(self, path, **kwargs):
        Path(path).mkdir(parents=True, exist_ok=True)

    def from_disk(self, path, **kwargs):
        return self

    def to_bytes(self, **kwargs):
        return b""

    def from_bytes(self, data, **kwargs):
        return self


def _set_group(doc, name: str, spans: Sequence[Span]) -> None:
    from spacy.tokens import Span as SpacySpan

    doc.spans[name] = [SpacySpan(doc, s.start, s.end, label=s.label, span_id=s.source)
                       for s in spans]
    doc.spans[name].attrs["scores"] = [float(s.score) for s in spans]


#: the original string, kept on the Doc by ``CharTokenizer``: ``doc.text`` rebuilds it from the
#: tokens on every call (a Python loop over one token per character), which cost about an eighth
#: of the detector's time when each component asked for it.
TEXT_KEY = "kaifang_text"


def doc_text(doc) -> str:
    """The document's text (cached by the tokenizer; ``doc.text`` for a Doc made elsewhere)."""
    text = doc.user_data.get(TEXT_KEY)
    return text if text is not None else doc.text


def _candidates(doc) -> dict[str, list[Span]]:
    if doc._.kaifang_candidates is None:
        doc._.kaifang_candidates = {}
    return doc._.kaifang_candidates


class RuleComponent:
    """Runs ``models.analyzer.RuleAnalyzer`` (built lazily from ``config_path``)."""

    def __init__(self, nlp, name: str, config_path: str | None):
        self.name = name
        self.config_path = config_path
        self._analyzer = None

    @property
    def analyzer(self):
        if self._analyzer is None:
            from models.analyzer import build_rule_analyzer

            self._analyzer = build_rule_analyzer(Path(self.config_path) if self.config_path
                                                 else None)
        return self._analyzer

    def set_analyzer(self, analyzer) -> None:
        """Inject an analyzer (tests, or a caller that built one already)."""
        self._analyzer = analyzer

    def __call__(self, doc):
        spans = list(self.analyzer.find(doc_text(doc)))
        _candidates(doc)[RULE_GROUP] = spans
        _set_group(doc, RULE_GROUP, spans)
        return doc


class NeuralComponent:
    """Runs ``NeuralRecognizer``; ``pipe`` batches the windows of many documents together."""

    def __init__(self, nlp, name: str, model_dir: str | None, version: str, batch_size: int,
                 backend: str | None, min_score: float, quantize: bool,
                 min_scores: dict | None = None):
        from models.recognizers.neural import NeuralRecognizer

        if not model_dir:
            raise ValueError("kaifang_neural needs model_dir (a tagger or transformers directory)")
        self.name = name
        self.recognizer = NeuralRecognizer(model_dir, backend=backend, version=version,
                                           batch_size=batch_size, min_score=min_score,
                                           min_scores=dict(min_scores or {}),
                                           quantize=quantize)

    def __call__(self, doc):
        return next(iter(self.pipe([doc])))

    def pipe(self, docs, batch_size: int = 32):
        """Docs in order with their neural spans; ``batch_size`` docs' windows are batched
        together, and reading the next docs (the rule component runs as they are pulled)
        overlaps the tagger's LSTM (``NeuralRecognizer.find_stream``)."""
        waiting: deque = deque()

        def texts():
            for doc in docs:
                waiting.append(doc)
                yield doc_text(doc)

        for spans in self.recognizer.find_stream(texts(), group=batch_size):
            doc = waiting.popleft()
            _candidates(doc)[NEURAL_GROUP] = spans
            _set_group(doc, NEURAL_GROUP, spans)
            yield doc


class MergeComponent:
    """Applies ``merge_spans`` and writes ``doc.spans["sc"]`` and ``doc._.kaifang_spans``."""

    def __init__(self, nlp, name: str):
        self.name = name

    def __call__(self, doc):
        cand = _candidates(doc)
        merged = merge_spans(doc_text(doc), cand.get(RULE_GROUP, []), cand.get(NEURAL_GROUP, []))
        doc._.kaifang_spans = merged
        _set_group(doc, FINAL_GROUP, merged)
        return doc


def build_nlp(*, tagger_dir: str | Path | None, rules_config: str | Path | None = None,
              version: str = "unversioned", use_rules: bool = True, rule_analyzer=None,
              batch_size: int = 64, backend: str | None = None, quantize: bool = False,
              min_scores: dict[str, float] | None = None):
    """A blank ``zh`` Language with the three components (no I/O until the first document)."""
    import spacy

    _ensure_registered()
    nlp = spacy.blank("zh")
    nlp.tokenizer = CharTokenizer(nlp.vocab)
    if use_rules:
        comp = nlp.add_pipe("kaifang_rules", config={
            "config_path": str(rules_config) if rules_config else None})
        if rule_analyzer is not None:
            comp.set_analyzer(rule_analyzer)
    if tagger_dir is not None:
        nlp.add_pipe("kaifang_neural", config={"model_dir": str(tagger_dir), "version": version,
                                               "batch_size": batch_size, "backend": backend,
                                               "quantize": bool(quantize),
                                               "min_scores": {str(k): float(v) for k, v in
                                                              (min_scores or {}).items()}})
    nlp.add_pipe("kaifang_merge")
    return nlp


# ------------------------------------------------------------------------------ Detector --
class Detector:
    """Rules + neural NER, merged: the one object the CLI, the app and evaluation call.

    ``Detector.load(path)`` accepts a model-version directory (with ``manifest.json`` and
    ``ner/``), a pipeline directory itself (with ``pipeline.json``), or None for the default.
    """

    def __init__(self, nlp, version: str, path: Path | None = None):
        self.nlp = nlp
        self.version = version
        self.path = path

    # -- construction -------------------------------------------------------------------
    @classmethod
    def load(cls, path: str | Path | None = None, *, rule_analyzer=None,
             quantize: bool | None = None) -> "Detector":
        base = Path(path) if path is not None else default_model_path()
        if not base.exists():
            hint = (" The default model is built by: .venv/bin/python -m "
                    "training.ner.train_default --seed 0 --out models/default") if path is None \
                else ""
            raise FileNotFoundError(f"model directory not found: {base}.{hint}")
        version = None
        ner_dir = base
        if (base / "manifest.json").is_file():
            from models.artifacts import read_manifest

            version = read_manifest(base)["version"]
            ner_dir = base / "ner"
        spec_path = ner_dir / PIPELINE_FILE
        if not spec_path.is_file():
            raise FileNotFoundError(f"{base} is neither a model version (manifest.json + ner/) "
                                    f"nor a pipeline directory ({PIPELINE_FILE})")
        try:
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
        except json.JSONDecodeError as exc:
            raise ValueError(f"{spec_path} is not valid JSON: {exc}") from exc
        if spec.get("format") != PIPELINE_FORMAT:
            raise ValueError(f"{spec_path}: unsupported format {spec.get('format')!r}, "
                             f"expected {PIPELINE_FORMAT!r}")
        version = version or spec.get("version") or "unversioned"
        rules_cfg = ner_dir / spec["rules_config"] if spec.get("rules_config") else None
        tagger = ner_dir / spec["tagger_dir"] if spec.get("tagger_dir") else None
        nlp = build_nlp(tagger_dir=tagger, rules_config=rules_cfg, version=version,
                        use_rules=bool(spec.get("rules", True)), rule_analyzer=rule_analyzer,
                        backend=spec.get("backend"),
                        quantize=bool(spec.get("quantize", False)) if quantize is None
                        else quantize, min_scores=spec.get("min_scores") or None)
        return cls(nlp, version, base)

    @classmethod
    def from_parts(cls, *, tagger_dir: str | Path | None, rule_analyzer=None,
                   rules_config: str | Path | None = None, version: str = "unversioned",
                   use_rules: bool = True, backend: str | None = None,
                   quantize: bool = False,
                   min_scores: dict[str, float] | None = None) -> "Detector":
        nlp = build_nlp(tagger_dir=tagger_dir, rules_config=rules_config, version=version,
                        use_rules=use_rules, rule_analyzer=rule_analyzer, backend=backend,
                        quantize=quantize, min_scores=min_scores)
        return cls(nlp, version)

    # -- detection -----------------------------------------------------------------------
    # Every text is read through ``models.script.simplified_view`` (traditional characters
    # converted, same length), so spans found there are offsets into the original string.
    def detect(self, text: str) -> list[Span]:
        if not isinstance(text, str):
            raise TypeError(f"detect() takes a str, got {type(text).__name__}")
        return list(self.nlp(simplified_view(text))._.kaifang_spans or [])

    def detect_many(self, texts: Sequence[str], batch_size: int = DETECT_BATCH) -> list[list[Span]]:
        texts = list(texts)
        for t in texts:
            if not isinstance(t, str):
                raise TypeError(f"detect_many() takes strings, got {type(t).__name__}")
        return [list(d._.kaifang_spans or []) for d in
                self.nlp.pipe([simplified_view(t) for t in texts], batch_size=batch_size)]

    def docs(self, texts: Iterable[str], batch_size: int = DETECT_BATCH):
        """The spaCy docs of the simplified views (``doc.spans["sc"]``, ``doc.spans["rules"]``,
        ...); their offsets are offsets into the original texts."""
        return self.nlp.pipe((simplified_view(t) for t in texts), batch_size=batch_size)

    # -- persistence ---------------------------------------------------------------------
    @property
    def neural(self):
        return self.nlp.get_pipe("kaifang_neural").recognizer if "kaifang_neural" in \
            self.nlp.pipe_names else None

    def save_pipeline(self, ner_dir: str | Path) -> Path:
        """Write this pipeline as one directory (atomically): pipeline.json, rules, tagger."""
        return save_pipeline(ner_dir, tagger_dir=self.neural.directory if self.neural else None,
                             rules_config=self._rules_config(), version=self.version,
                             use_rules="kaifang_rules" in self.nlp.pipe_names,
                             backend=self.neural.backend if self.neural else None,
                             quantize=bool(self.neural and self.neural.quantize),
                             min_scores=self.neural.min_scores if self.neural else None)

    def _rules_config(self) -> Path | None:
        if "kaifang_rules" not in self.nlp.pipe_names:
            return None
        p = self.nlp.get_pipe("kaifang_rules").config_path
        return Path(p) if p else None


def save_pipeline(ner_dir: str | Path, *, tagger_dir: str | Path | None,
                  rules_config: str | Path | None = None, version: str = "unversioned",
                  use_rules: bool = True, backend: str | None = None,
                  quantize: bool = False, min_scores: dict[str, float] | None = None) -> Path:
    """Assemble a pipeline directory from a tagger directory and a rules config, atomically.

    ``min_scores``: per-label score thresholds for the neural spans (``{"PERSON": 0.5}``),
    written to pipeline.json only when given.
    """
    from models.artifacts import atomic_directory

    ner_dir = Path(ner_dir)
    spec: dict[str, Any] = {"format": PIPELINE_FORMAT, "lang": "zh",
                            "tokenizer": "kaifang.char_tokenizer.v1",
                            "components": ["kaifang_rules", "kaifang_neural", "kaifang_merge"]
                            if use_rules else ["kaifang_neural", "kaifang_merge"],
                            "rules": use_rules, "version": version,
                            "merge_policy": "rules own their characters; neural clipped; "
                                            "longer wins", "backend": backend,
                            "quantize": bool(quantize)}
    if min_scores:
        spec["min_scores"] = {str(k): float(v) for k, v in min_scores.items()}
    src_tagger = Path(tagger_dir).resolve() if tagger_dir else None
    with atomic_directory(ner_dir) as tmp:
        if src_tagger is not None:
            shutil.copytree(src_tagger, tmp / "tagger")
            spec["tagger_dir"] = "tagger"
        if rules_config is not None and Path(rules_config).is_file():
            shutil.copyfile(rules_config, tmp / "rules.toml")
            spec["rules_config"] = "rules.toml"
        (tmp / PIPELINE_FILE).write_text(json.dumps(spec, ensure_ascii=False, indent=1) + "\n",
                                         encoding="utf-8")
    return ner_dir
