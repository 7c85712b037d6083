"""Retrain the NER and the decision model into a new model version, and promote it only if better.

The flow is written so that a crash or a kill at any point leaves the served model untouched:

1. build the training set from confirmed data + base data (``training.dataset``), and add a
   replay sample of the real corpora the parent was trained on (``replay_per_corpus``);
2. train into ``<models_root>/.tmp-<name>-<pid>``: the NER is fine-tuned FROM THE PARENT's tagger
   (``warm_start``: same vocabulary, lexicon and labels, a few epochs, early stop on a dev slice
   of the training data), and its pipeline keeps every setting of the parent's (backend, rules,
   per-label thresholds, quantisation) unless ``[pipeline]`` changes one on purpose; the decision
   model is retrained on the new detector's spans (or kept, ``retrain_decision = false``);
3. evaluate candidate and parent on the gate (``training.gate``): the parent's frozen sets, fixed
   the first time it is a parent and carried into the candidate, with the learned documents left
   out, plus the held-out confirmations of each learned genre;
4. rename the temp dir to ``<models_root>/<name>`` (atomic on one file system), register it, and
   promote it in one transaction if the gate passes, else mark it rejected (kept on disk for
   inspection). Both checks are in the registry's metrics, the audit event and the manifest.

Nothing touches the registry's ``current`` row before step 4, and step 4 is one transaction.
"""
from __future__ import annotations

import json
import os
import shutil
import tomllib
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Sequence

from sqlalchemy.engine import Engine

from review_app.db import session_scope
from review_app.store import model_registry as registry
from training.dataset import CORPORA, DataConfig, TrainingSet, build_training_set, replay_sample
from training.gate import GateDecision, GateSetConfig

HERE = Path(__file__).parent
DEFAULT_RETRAIN_CONFIG = HERE / "retrain.toml"
DEFAULT_PROMOTION_CONFIG = HERE / "promotion.toml"
DEFAULT_VERSION_NAME = "default"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PromotionGate:
    """Thresholds of the promotion rule (see training/promotion.toml and training.gate.decide).

    F1 on a set is the mean of span micro F1 and decision macro F1 where both are measured.
    """

    #: how much better the candidate must be on each learned genre (held-out confirmations)
    min_f1_gain: float = 0.0
    #: noise allowances on every frozen set: how much worse the candidate may be there
    max_f1_drop: float = 0.01
    max_decision_f1_drop: float = 0.03
    max_sensitive_recall_drop: float = 0.01
    max_leak_rate_increase: float = 0.0
    max_false_alarm_increase: float = 0.01
    #: a figure measured on n items may also drop by this many binomial standard errors of the
    #: parent's figure (training.gate.allowed_drop); never the leak rate. 0: the tolerances alone
    noise_z: float = 2.0

    def tolerances(self) -> dict[str, float]:
        return {"max_f1_drop": self.max_f1_drop, "max_decision_f1_drop": self.max_decision_f1_drop,
                "max_sensitive_recall_drop": self.max_sensitive_recall_drop,
                "max_leak_rate_increase": self.max_leak_rate_increase,
                "max_false_alarm_increase": self.max_false_alarm_increase}

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PromotionGate":
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown [promotion] settings: {sorted(unknown)}; known: {sorted(cls.__dataclass_fields__)}")
        gate = cls(**{k: float(v) for k, v in d.items()})
        if min(gate.tolerances().values()) < 0 or gate.min_f1_gain < 0 or gate.noise_z < 0:
            raise ValueError("[promotion] tolerances, min_f1_gain and noise_z must be >= 0")
        return gate


#: pipeline settings a recipe may change on purpose (``[pipeline]``); everything else is the parent's
PIPELINE_OVERRIDES = ("quantize", "min_scores", "rules")
TRAIN_KEYS = ("seed", "retrain_ner", "retrain_decision", "warm_start", "threads", "learn_names")


@dataclass(frozen=True)
class RetrainConfig:
    data: DataConfig = field(default_factory=DataConfig)
    gate: PromotionGate = field(default_factory=PromotionGate)
    gate_sets: GateSetConfig = field(default_factory=GateSetConfig)
    seed: int = 13
    retrain_ner: bool = True
    #: false: keep the parent's decision model (the NER alone is retrained)
    retrain_decision: bool = True
    #: fine-tune the parent's tagger (false: train a new one from scratch, the old behaviour)
    warm_start: bool = True
    threads: int = 2
    #: the names reviewers confirmed join the fine-tuned tagger's word list (``learned_names``)
    learn_names: bool = True
    ner_params: dict[str, Any] = field(default_factory=dict)
    decision_params: dict[str, Any] = field(default_factory=dict)
    #: ``[pipeline]``: deliberate changes to the parent's pipeline settings
    pipeline: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def load(cls, path: str | Path | None = None, promotion: str | Path | None = None) -> "RetrainConfig":
        """Defaults from training/retrain.toml and promotion.toml, overridden by ``path``'s sections."""
        merged: dict[str, dict] = {}
        for p in (DEFAULT_RETRAIN_CONFIG, promotion or DEFAULT_PROMOTION_CONFIG, path):
            if p is None:
                continue
            p = Path(p)
            if not p.is_file():
                raise FileNotFoundError(f"training config not found: {p}")
            try:
                doc = tomllib.loads(p.read_text(encoding="utf-8"))
            except tomllib.TOMLDecodeError as exc:
                raise ValueError(f"{p}: not valid TOML: {exc}") from exc
            for section, values in doc.items():
                if section not in ("data", "train", "ner", "decision", "promotion", "gate_sets", "pipeline"):
                    raise ValueError(f"{p}: unknown section [{section}]")
                merged.setdefault(section, {}).update(values)
        train = merged.get("train", {})
        unknown = set(train) - set(TRAIN_KEYS)
        if unknown:
            raise ValueError(f"unknown [train] settings: {sorted(unknown)}")
        pipeline = dict(merged.get("pipeline", {}))
        unknown = set(pipeline) - set(PIPELINE_OVERRIDES)
        if unknown:
            raise ValueError(f"unknown [pipeline] settings: {sorted(unknown)}; known: {list(PIPELINE_OVERRIDES)}")
        return cls(data=DataConfig.from_dict(merged.get("data", {})),
                   gate=PromotionGate.from_dict(merged.get("promotion", {})),
                   gate_sets=GateSetConfig.from_dict(merged.get("gate_sets", {})),
                   seed=int(train.get("seed", 13)), retrain_ner=bool(train.get("retrain_ner", True)),
                   retrain_decision=bool(train.get("retrain_decision", True)),
                   warm_start=bool(train.get("warm_start", True)),
                   threads=int(train.get("threads", 2)), learn_names=bool(train.get("learn_names", True)),
                   ner_params=dict(merged.get("ner", {})),
                   decision_params=dict(merged.get("decision", {})), pipeline=pipeline)


@dataclass
class RetrainResult:
    name: str
    path: str
    parent: str | None
    promoted: bool
    gate: GateDecision
    counts: dict[str, int]
    data_fingerprint: str
    eval_fingerprint: str
    seconds: float = 0.0


# --------------------------------------------------------------------------- model directories


def read_manifest(version_dir: Path) -> dict:
    """The manifest, or {} where a directory has none (a hand-made or legacy version)."""
    from models import artifacts

    try:
        return artifacts.read_manifest(version_dir)
    except (FileNotFoundError, ValueError):
        return {}


def clean_stale_temp_dirs(models_root: Path) -> list[Path]:
    """Remove temp dirs left by killed runs (their pid, the last name part, no longer alive)."""
    removed = []
    if not models_root.is_dir():
        return removed
    for d in models_root.glob(".tmp-*"):
        try:
            pid = int(d.name.rsplit("-", 1)[1])
        except (IndexError, ValueError):
            continue
        if pid != os.getpid() and not registry._pid_alive(pid):
            shutil.rmtree(d, ignore_errors=True)
            removed.append(d)
    return removed


def default_version_path() -> Path:
    from models.pipeline import default_model_path

    return Path(default_model_path())


def ensure_current(engine: Engine, actor: str) -> tuple[str, Path]:
    """The registry's current version; the shipped default is registered as the first one."""
    with session_scope(engine) as s:
        cur = registry.current_version(session=s)
        if cur is not None:
            return cur.name, Path(cur.path)
        path = default_version_path()
        if not (path / "manifest.json").is_file():
            raise FileNotFoundError(
                f"no current model version in the registry and no default model at {path}: build the default "
                "(python -m training.ner.train_default) or register and promote a version first")
        existing = registry.get_version(session=s, name=DEFAULT_VERSION_NAME)
        if existing is not None:  # the default was retired/rejected and nothing is current: re-promote it
            registry.promote(session=s, name=DEFAULT_VERSION_NAME, actor=actor, reason="no current version")
            return DEFAULT_VERSION_NAME, Path(existing.path)
        manifest = read_manifest(path)
        registry.register_version(session=s, name=DEFAULT_VERSION_NAME, path=str(path), actor=actor,
                                  status="current", metrics=manifest.get("metrics", {}),
                                  data_fingerprint=str(manifest.get("data_fingerprint", ""))[:100],
                                  code_version=str(manifest.get("code_version", ""))[:100])
        return DEFAULT_VERSION_NAME, path


def load_models(version_dir: Path):
    from models.decision import DecisionProposer
    from models.pipeline import Detector

    return Detector.load(version_dir), DecisionProposer.load(version_dir)


# --------------------------------------------------------------------------- training


def _dev_split(records: list[dict], seed: int) -> tuple[list[dict], list[dict]]:
    """A small dev slice of the TRAINING data for the tagger (the eval split stays untouched)."""
    from training.dataset import in_eval_bucket

    train = [r for r in records if not in_eval_bucket(str(r.get("id")), seed, 0.1)]
    dev = [r for r in records if in_eval_bucket(str(r.get("id")), seed, 0.1)]
    if not dev or not train:
        return records, records[: max(1, len(records) // 10)]
    return train, dev


def ner_config(params: dict[str, Any]):
    """``[ner]`` settings -> ``training.ner.TrainConfig`` (``preset = "tiny"`` for tests and demos)."""
    from dataclasses import replace

    from training.ner import TrainConfig

    params = dict(params)
    preset = params.pop("preset", None)
    if preset not in (None, "tiny", "default"):
        raise ValueError(f"unknown [ner] preset {preset!r}; use 'tiny' or 'default'")
    base = TrainConfig.tiny() if preset == "tiny" else TrainConfig()
    unknown = set(params) - set(TrainConfig.__dataclass_fields__)
    if unknown:
        raise ValueError(f"unknown [ner] settings: {sorted(unknown)}")
    if "labels" in params:
        params["labels"] = tuple(params["labels"])
    return replace(base, **params)


def parent_pipeline(parent_dir: Path | None) -> dict[str, Any]:
    """The parent's pipeline settings (``ner/pipeline.json``) with the rules config's path resolved.

    Without a parent (the very first version): the shipped rules, no thresholds, no quantisation.
    """
    if parent_dir is not None:
        spec_path = parent_dir / "ner" / "pipeline.json"
        if spec_path.is_file():
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            return {"rules_config": parent_dir / "ner" / spec["rules_config"] if spec.get("rules_config") else None,
                    "rules": bool(spec.get("rules", True)), "backend": spec.get("backend"),
                    "quantize": bool(spec.get("quantize", False)), "min_scores": dict(spec.get("min_scores") or {}),
                    "tagger_dir": parent_dir / "ner" / spec["tagger_dir"] if spec.get("tagger_dir") else None}
    shipped = Path(__file__).resolve().parents[1] / "models" / "configs" / "rules.toml"
    return {"rules_config": shipped if shipped.is_file() else None, "rules": True, "backend": "char_tagger",
            "quantize": False, "min_scores": {}, "tagger_dir": None}


def parent_corpora(parent_dir: Path | None) -> list[str]:
    """The public corpora the parent's tagger was trained on, read from its manifest (the keys of
    ``components.ner.data``: ``cluener``, ``cluener_train``, ...); [] where it does not say."""
    if parent_dir is None:
        return []
    data = (read_manifest(parent_dir).get("components", {}).get("ner", {}) or {}).get("data") or {}
    return [c for c in CORPORA if any(k == c or k.startswith(c + "_") for k in data)]


def _warm_start_tagger(spec: dict[str, Any]):
    """The parent's char tagger, or a clear error where it cannot be fine-tuned."""
    from models.recognizers.char_tagger import CharTagger
    from models.recognizers.neural import detect_backend

    tagger_dir = spec.get("tagger_dir")
    if tagger_dir is None or not Path(tagger_dir).is_dir():
        raise FileNotFoundError("warm_start is on but the parent has no tagger; set [train] warm_start = false")
    backend = spec.get("backend") or detect_backend(tagger_dir)
    if backend != "char_tagger":
        raise ValueError(f"warm_start fine-tunes a char_tagger; the parent's backend is {backend!r}. "
                         "Set [train] warm_start = false to train a new tagger")
    return CharTagger.load(tagger_dir)


#: confirmed span labels whose surface forms join the word list, and the class they join as
LEARNED_CLASSES = {"PERSON": "PER"}


def learned_names(records: Sequence[dict]) -> dict[str, set[str]]:
    """Surface forms of the confirmed PERSON spans of ``records`` -> {"PER"}: 2 to 6 Chinese
    characters (a middle dot allowed), the shape of a name the word list can hold.

    Why: a collection names the same people again and again (a fonds, a case file, a feed), and
    the tagger reads a word list (``models.lexicon``). A name confirmed in one record lights the
    PER bits wherever it recurs, which the fine-tuning alone, a few epochs held near the parent,
    does not teach (figures in training/retrain.toml). The names join the list after the
    fine-tuning, not before: a tagger trained where every name of its training text is listed
    learns to trust the list over the characters. Held-out confirmations are not passed in: the
    gate's per-genre check must not read names taken from its own documents."""
    from training.ner.lexicons import _cjk_word

    out: dict[str, set[str]] = {}
    for r in records:
        text = r.get("text") or ""
        for sp in r.get("spans") or ():
            cls = LEARNED_CLASSES.get(sp.get("label"))
            word = text[sp["start"]:sp["end"]]
            if cls and 2 <= len(word) <= 6 and _cjk_word(word) and not word.startswith("·") \
                    and not word.endswith("·"):
                out.setdefault(word, set()).add(cls)
    return out


def add_learned_names(tagger_dir: Path, records: Sequence[dict]) -> dict[str, int]:
    """Write ``tagger_dir``'s word list again with ``learned_names(records)`` added; counts."""
    from models.lexicon import LEXICON_FILE, Lexicon

    path = tagger_dir / LEXICON_FILE
    names = learned_names(records)
    if not path.is_file() or not names:
        return {"confirmed_names": len(names), "added": 0}
    lex = Lexicon.load(path)
    new = sum(1 for w, classes in names.items() if not classes <= set(lex.classes_of(w)))
    tmp = path.with_name(f".tmp-{path.name}")  # same suffix: written gzipped as well
    lex.with_words(names).save(tmp)
    os.replace(tmp, path)
    notice = Path(f"{tmp}.NOTICE")
    if notice.is_file():
        os.replace(notice, Path(f"{path}.NOTICE"))
    return {"confirmed_names": len(names), "added": new}


def build_version(*, out: Path, name: str, ner_train: list[dict], decision_train: list[dict],
                  parent_dir: Path | None, cfg: "RetrainConfig", progress: Progress,
                  confirmed_ner: Sequence[dict] = ()) -> dict:
    """Train ``out/ner`` (rules + tagger pipeline) and ``out/decision``; return component metrics.

    With ``cfg.warm_start`` and a parent, the tagger is the parent's, fine-tuned; the pipeline
    keeps the parent's settings (``cfg.pipeline`` overrides named ones, recorded in the result).
    The decision model is trained on the spans of the NEW detector (what it will see in service).
    """
    from models.pipeline import Detector, save_pipeline

    components: dict[str, Any] = {}
    spec = parent_pipeline(parent_dir)
    if cfg.retrain_ner:
        from training.ner import train_tagger

        if not ner_train:
            raise ValueError("retrain_ner is on but there are no NER training records")
        warm = _warm_start_tagger(spec) if cfg.warm_start and parent_dir is not None else None
        tcfg = ner_config(cfg.ner_params)
        if "threads" not in cfg.ner_params:  # [train] threads, not TrainConfig's default, unless [ner] says
            from dataclasses import replace

            tcfg = replace(tcfg, threads=max(1, cfg.threads))
        if warm is not None:  # the parent's shape is the tagger's shape: labels, window, lexicon
            from dataclasses import replace

            tcfg = replace(tcfg, labels=tuple(warm.config.labels), max_len=warm.config.max_len,
                           lexicon=bool(warm.config.lexicon))
        train, dev = _dev_split(ner_train, cfg.seed)
        progress(0.10, f"training the NER on {len(train)} records ({'fine-tuning ' + parent_dir.name if warm else 'from scratch'}"
                       f", dev {len(dev)})")
        scratch = out / ".tagger"

        def on_epoch(epoch: int, epochs: int, entry: dict) -> None:
            progress(0.10 + 0.40 * epoch / max(1, epochs),
                     f"NER epoch {epoch}/{epochs}: loss {entry['loss']}, dev F1 {entry['select_f1']:.4f} "
                     f"({entry['seconds']} s)")

        components["ner"] = train_tagger(train, dev, scratch, seed=cfg.seed, config=tcfg, progress=False,
                                         warm_start=warm, on_epoch=on_epoch)
        if cfg.learn_names:
            components["ner"]["learned_names"] = add_learned_names(scratch, confirmed_ner)
        overrides = {k: v for k, v in cfg.pipeline.items() if k in PIPELINE_OVERRIDES}
        settings = {"backend": spec["backend"] or "char_tagger", "quantize": spec["quantize"],
                    "min_scores": spec["min_scores"], "rules": spec["rules"], **overrides}
        save_pipeline(out / "ner", tagger_dir=scratch, rules_config=spec["rules_config"], version=name,
                      use_rules=bool(settings["rules"]), backend=settings["backend"],
                      quantize=bool(settings["quantize"]), min_scores=settings["min_scores"] or None)
        components["ner"].update({"warm_start_from": parent_dir.name if warm is not None else None,
                                  "pipeline": {**settings, "changed_on_purpose": sorted(overrides)},
                                  "recipe": {k: v for k, v in asdict(tcfg).items() if k != "labels"}
                                  | {"labels": list(tcfg.labels)}})
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        progress(0.10, "keeping the parent's NER (retrain_ner = false)")
        if parent_dir is None or not (parent_dir / "ner").is_dir():
            raise FileNotFoundError(f"parent version {parent_dir} has no ner/ directory to keep")
        shutil.copytree(parent_dir / "ner", out / "ner")
        components["ner"] = {"kept_from": str(parent_dir)}
    if cfg.retrain_decision or parent_dir is None or not (parent_dir / "decision").is_dir():
        from training.train_decision import train_proposer

        progress(0.52, f"training the decision model on {len(decision_train)} records")
        detector = Detector.load(out / "ner")
        components["decision"] = train_proposer(decision_train, out / "decision", seed=cfg.seed, detector=detector,
                                                **cfg.decision_params)
    else:
        progress(0.52, "keeping the parent's decision model (retrain_decision = false)")
        shutil.copytree(parent_dir / "decision", out / "decision")
        components["decision"] = {"kept_from": str(parent_dir)}
    return components


def write_version_manifest(out: Path, *, name: str, parent: str | None, data_fingerprint: str,
                           metrics: dict, components: dict, extra: dict | None = None) -> dict:
    from models import artifacts

    manifest = artifacts.make_manifest(version=name, parent=parent, data_fingerprint=data_fingerprint,
                                       metrics=_jsonable(metrics), components=_jsonable(components))
    manifest.update(_jsonable(extra or {}))
    artifacts.write_manifest(out, manifest)
    return manifest


def _jsonable(obj: Any) -> Any:
    return json.loads(json.dumps(obj, default=str))


def add_replay(ts: TrainingSet, cfg: "RetrainConfig", parent_dir: Path | None) -> tuple[list[dict], list[str]]:
    """The NER training records plus the replay sample (and which corpora it came from)."""
    if not cfg.retrain_ner or cfg.data.replay_per_corpus <= 0:
        return ts.ner_train, []
    names = list(cfg.data.replay_corpora) or parent_corpora(parent_dir)
    replay = replay_sample(names, cfg.data.replay_per_corpus, cfg.seed, exclude_texts=ts.learned_texts)
    return ts.ner_train + replay, names


def gate_candidate(*, candidate_dir: Path, parent_name: str, parent_dir: Path, models_root: Path,
                   ts: TrainingSet, cfg: "RetrainConfig", progress: Progress,
                   candidate_name: str | None = None) -> tuple[GateDecision, Path]:
    """Score candidate and parent on the parent's frozen sets and the learned genres; decide.

    The parent's scores come from its cache where it has them (``training.gate.score_sets``); the
    candidate's are written to its own (``candidate_name``), for when it is a parent in turn."""
    from training import gate as g

    extra = {"synth_heldout": [r for r in ts.eval_base if str(r.get("id", "")).startswith("synth")],
             "eval_file": [r for r in ts.eval_base if not str(r.get("id", "")).startswith("synth")]}
    where, frozen = g.frozen_sets_for(parent_name, parent_dir, models_root, cfg.gate_sets, extra=extra)
    frozen, removed = g.without_texts(frozen, ts.learned_texts)
    genre = g.genre_sets(ts.eval_confirmed, ts.learned_genres, cfg.gate_sets.min_genre_docs)
    sets = {**frozen, **genre}
    if not sets:
        raise ValueError("the gate has nothing to score: no frozen set and no held-out confirmations")
    scores = {}
    for who, version_dir, lo, hi, cache in (
            ("candidate", candidate_dir, 0.62, 0.80,
             models_root / g.GATES_ROOT / ".scores" / f"{candidate_name}.json" if candidate_name else None),
            ("current model", parent_dir, 0.80, 0.94, models_root / g.GATES_ROOT / ".scores" / f"{parent_name}.json")):
        detector, proposer = load_models(version_dir)
        names = list(sets)

        def report(name: str, who=who, lo=lo, hi=hi, names=names) -> None:
            progress(lo + (hi - lo) * names.index(name) / len(names), f"gate: scoring the {who} on {name}")

        scores[who] = g.score_sets(sets, detector, proposer, report, cache=cache)
    decision = g.decide(scores["candidate"], scores["current model"], genre_names=list(genre),
                        tolerances=cfg.gate.tolerances(), min_gain=cfg.gate.min_f1_gain, removed_learned=removed,
                        noise_z=cfg.gate.noise_z)
    return decision, where


def _brief(score: dict) -> dict:
    """A set's scores without the per-document counts (those stay in the gate's score cache)."""
    return {k: v for k, v in score.items() if k != "per_doc"}


def _summary(pairs: dict[str, dict], who: str) -> dict[str, float | None]:
    """Mean F1 (training.gate._f1) and the worst safety numbers over some sets, for the registry."""
    from training.gate import _f1

    vals = [_f1(p[who]) for p in pairs.values()]
    vals = [v for v in vals if v is not None]
    leak = [p[who]["leak_rate"] for p in pairs.values() if p[who].get("leak_rate") is not None]
    rec = [p[who]["sensitive_recall"] for p in pairs.values() if p[who].get("sensitive_recall") is not None]
    return {"f1": round(sum(vals) / len(vals), 6) if vals else None,
            "leak_rate": max(leak) if leak else None, "sensitive_recall": min(rec) if rec else None}


def retrain(*, engine: Engine, models_root: Path, cfg: RetrainConfig, actor: str,
            progress: Progress | None = None, name: str | None = None) -> RetrainResult:
    """Train a candidate, compare it with the current model, and promote it if the gate passes."""
    import time

    import torch

    t0 = time.monotonic()
    torch.set_num_threads(max(1, cfg.threads))
    progress = progress or (lambda frac, msg: None)
    models_root = Path(models_root).resolve()
    models_root.mkdir(parents=True, exist_ok=True)
    clean_stale_temp_dirs(models_root)

    progress(0.02, "building the training set from confirmed reviews")
    with session_scope(engine) as s:
        ts = build_training_set(s, cfg.data)
    parent_name, parent_dir = ensure_current(engine, actor)
    ner_train, replayed = add_replay(ts, cfg, parent_dir)
    counts = {**ts.counts, "replay": len(ner_train) - len(ts.ner_train), "ner_train": len(ner_train)}
    now = datetime.now(timezone.utc)
    name = name or f"v{now:%Y%m%d-%H%M%S}-{ts.fingerprint[:6]}"
    final_dir = models_root / name
    if final_dir.exists():
        raise FileExistsError(f"model version directory already exists: {final_dir}")
    tmp = models_root / f".tmp-{name}-{os.getpid()}"
    tmp.mkdir()
    try:
        components = build_version(out=tmp, name=name, ner_train=ner_train, decision_train=ts.decision_train,
                                   parent_dir=parent_dir, cfg=cfg, progress=progress, confirmed_ner=ts.confirmed_ner)
        if replayed:
            components["ner"]["replay"] = {"corpora": replayed, "per_corpus": cfg.data.replay_per_corpus}
        (tmp / "data").mkdir(exist_ok=True)
        with open(tmp / "data" / "provenance.jsonl", "w", encoding="utf-8") as fh:
            for p in ts.provenance:
                fh.write(json.dumps(p, ensure_ascii=False, sort_keys=True, default=str) + "\n")
        # a first manifest makes the temp dir a loadable version (final metrics are added below)
        write_version_manifest(tmp, name=name, parent=parent_name, data_fingerprint=ts.fingerprint, metrics={},
                               components=components)
        progress(0.60, "evaluating candidate and current model on the gate")
        gate, gate_src = gate_candidate(candidate_dir=tmp, parent_name=parent_name, parent_dir=parent_dir,
                                        models_root=models_root, ts=ts, cfg=cfg, progress=progress,
                                        candidate_name=name)
        from training.gate import copy_sets

        copy_sets(gate_src, tmp)  # the candidate's descendants are judged on the same frozen sets
        sets = {part: {n: {w: _brief(p[w]) for w in ("candidate", "current")} for n, p in pairs.items()}
                for part, pairs in (("genre", gate.genre), ("frozen", gate.frozen))}
        seconds = round(time.monotonic() - t0, 1)
        manifest = write_version_manifest(
            tmp, name=name, parent=parent_name, data_fingerprint=ts.fingerprint,
            metrics={n: _brief(p["candidate"]) for n, p in {**gate.genre, **gate.frozen}.items()},
            components=components,
            extra={"training_data": {"counts": counts, "provenance": "data/provenance.jsonl",
                                     "eval_fingerprint": ts.eval_fingerprint, "eval_seed": cfg.data.eval_seed,
                                     "learned_genres": ts.learned_genres},
                   "comparison": {"current": parent_name, "gate": {"promote": gate.promote, "reasons": gate.reasons,
                                                                   "noise_z": gate.noise_z, "noise": gate.noise},
                                  "sets": sets, "frozen_sets": "gate/gate.json"},
                   "retrain_seconds": seconds})
        progress(0.95, "registering the candidate")
        os.rename(tmp, final_dir)  # atomic: the version dir appears complete or not at all
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    genre_or_frozen = gate.genre or gate.frozen
    registry_metrics = {"eval_fingerprint": ts.eval_fingerprint, "candidate": _summary(genre_or_frozen, "candidate"),
                        "current": _summary(genre_or_frozen, "current"), "compared_to": parent_name,
                        "gate": gate.reasons, "counts": counts, "retrain_seconds": seconds,
                        "genre": {n: {w: {k: v for k, v in p[w].items() if k not in ("documents", "n", "per_doc")}
                                      for w in ("candidate", "current")} for n, p in gate.genre.items()},
                        "frozen": {n: {w: {k: v for k, v in p[w].items() if v is not None and k not in ("documents", "n", "per_doc")}
                                       for w in ("candidate", "current")} for n, p in gate.frozen.items()},
                        # per set: what each figure is measured on, the drop allowed, the candidate's drop
                        "noise_z": gate.noise_z, "noise": gate.noise,
                        "n": {n: {"documents": p["current"].get("documents"), **(p["current"].get("n") or {})}
                              for n, p in {**gate.genre, **gate.frozen}.items()}}
    with session_scope(engine) as s:
        registry.register_version(session=s, name=name, path=str(final_dir), actor=actor, parent=parent_name,
                                  metrics=registry_metrics, data_fingerprint=ts.fingerprint,
                                  code_version=manifest["code_version"][:100])
        if gate.promote:
            registry.promote(session=s, name=name, actor=actor, reason="; ".join(gate.reasons))
        else:
            registry.reject(session=s, name=name, actor=actor, reason="; ".join(gate.reasons))
    progress(1.0, ("promoted " if gate.promote else "not promoted ") + name)
    return RetrainResult(name=name, path=str(final_dir), parent=parent_name, promoted=gate.promote, gate=gate,
                         counts=counts, data_fingerprint=ts.fingerprint, eval_fingerprint=ts.eval_fingerprint,
                         seconds=seconds)
