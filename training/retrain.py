"""Retrain the NER and the decision model into a new model version, and promote it only if no worse.

The flow is written so that a crash or a kill at any point leaves the served model untouched:

1. build the training set from confirmed data + base corpora (``training.dataset``);
2. train into ``<models_root>/.tmp-<name>-<pid>`` (the NER via ``training.ner.train_tagger``, the
   decision model via ``training.train_decision.train_proposer``) and write the manifest;
3. evaluate the candidate AND the current model on the same frozen split with
   ``models.evaluation.evaluate_records``;
4. rename the temp dir to ``<models_root>/<name>`` (atomic on one file system), register it, and
   promote it in one transaction if the gate in ``training/promotion.toml`` passes, else mark
   it rejected (kept on disk for inspection).

Nothing touches the registry's ``current`` row before step 4, and step 4 is one transaction.
"""
from __future__ import annotations

import json
import os
import shutil
import tomllib
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlalchemy.engine import Engine

from review_app.db import session_scope
from review_app.store import model_registry as registry
from training.dataset import DataConfig, TrainingSet, build_training_set

HERE = Path(__file__).parent
DEFAULT_RETRAIN_CONFIG = HERE / "retrain.toml"
DEFAULT_PROMOTION_CONFIG = HERE / "promotion.toml"
DEFAULT_VERSION_NAME = "default"

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class PromotionGate:
    """Thresholds of the promotion rule (see training/promotion.toml)."""

    max_sensitive_recall_drop: float = 0.0
    max_leak_rate_increase: float = 0.0
    f1_metrics: tuple[str, ...] = ("spans.micro.f1", "decisions.macro_f1")
    min_f1_gain: float = 0.0

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "PromotionGate":
        unknown = set(d) - set(cls.__dataclass_fields__)
        if unknown:
            raise ValueError(f"unknown [promotion] settings: {sorted(unknown)}")
        d = dict(d)
        if "f1_metrics" in d:
            d["f1_metrics"] = tuple(d["f1_metrics"])
        gate = cls(**d)
        if not gate.f1_metrics:
            raise ValueError("[promotion] f1_metrics must name at least one metric")
        if gate.max_sensitive_recall_drop < 0 or gate.max_leak_rate_increase < 0:
            raise ValueError("[promotion] tolerances must be >= 0")
        return gate


@dataclass(frozen=True)
class RetrainConfig:
    data: DataConfig = field(default_factory=DataConfig)
    gate: PromotionGate = field(default_factory=PromotionGate)
    seed: int = 13
    retrain_ner: bool = True
    threads: int = 2
    ner_params: dict[str, Any] = field(default_factory=dict)
    decision_params: dict[str, Any] = field(default_factory=dict)

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
                if section not in ("data", "train", "ner", "decision", "promotion"):
                    raise ValueError(f"{p}: unknown section [{section}]")
                merged.setdefault(section, {}).update(values)
        train = merged.get("train", {})
        unknown = set(train) - {"seed", "retrain_ner", "threads"}
        if unknown:
            raise ValueError(f"unknown [train] settings: {sorted(unknown)}")
        return cls(data=DataConfig.from_dict(merged.get("data", {})),
                   gate=PromotionGate.from_dict(merged.get("promotion", {})),
                   seed=int(train.get("seed", 13)), retrain_ner=bool(train.get("retrain_ner", True)),
                   threads=int(train.get("threads", 2)), ner_params=dict(merged.get("ner", {})),
                   decision_params=dict(merged.get("decision", {})))


@dataclass
class GateResult:
    promote: bool
    reasons: list[str]
    candidate: dict[str, float | None]
    current: dict[str, float | None]


@dataclass
class RetrainResult:
    name: str
    path: str
    parent: str | None
    promoted: bool
    gate: GateResult
    counts: dict[str, int]
    data_fingerprint: str
    eval_fingerprint: str


# --------------------------------------------------------------------------- metrics and the gate


def metric(metrics: dict, dotted: str) -> float | None:
    """``metric(m, "spans.micro.f1")``: a nested value, or None where the evaluation lacks it."""
    cur: Any = metrics
    for part in dotted.split("."):
        if not isinstance(cur, dict) or part not in cur:
            return None
        cur = cur[part]
    return float(cur) if isinstance(cur, (int, float)) else None


def summarize(metrics: dict, gate: PromotionGate) -> dict[str, float | None]:
    """The numbers the gate compares, flattened."""
    f1_parts = [metric(metrics, m) for m in gate.f1_metrics]
    present = [v for v in f1_parts if v is not None]
    return {
        "f1": sum(present) / len(present) if len(present) == len(f1_parts) else None,
        "sensitive_recall": metric(metrics, "sensitive_recall"),
        "leak_rate": metric(metrics, "decisions.leak_rate"),
        **{m: v for m, v in zip(gate.f1_metrics, f1_parts)},
        "accuracy": metric(metrics, "decisions.accuracy"),
        "over_closure_rate": metric(metrics, "decisions.over_closure_rate"),
    }


def apply_gate(candidate: dict, current: dict, gate: PromotionGate) -> GateResult:
    """Promote only when sensitive recall and leak rate are no worse and F1 improves."""
    c, b = summarize(candidate, gate), summarize(current, gate)
    reasons: list[str] = []
    ok = True
    if c["f1"] is None or b["f1"] is None:
        ok = False
        reasons.append(f"F1 ({', '.join(gate.f1_metrics)}) missing from the evaluation")
    elif c["f1"] - b["f1"] > gate.min_f1_gain:
        reasons.append(f"F1 improves {b['f1']:.4f} -> {c['f1']:.4f}")
    else:
        ok = False
        reasons.append(f"F1 does not improve: {b['f1']:.4f} -> {c['f1']:.4f} (needs > +{gate.min_f1_gain})")
    for key, worse, tol in (("sensitive_recall", lambda new, old: old - new, gate.max_sensitive_recall_drop),
                            ("leak_rate", lambda new, old: new - old, gate.max_leak_rate_increase)):
        if c[key] is None and b[key] is None:
            reasons.append(f"{key} not measured on this split")
            continue
        if c[key] is None or b[key] is None:
            ok = False
            reasons.append(f"{key} missing for the {'candidate' if c[key] is None else 'current model'}")
            continue
        delta = worse(c[key], b[key])
        if delta > tol + 1e-12:
            ok = False
            reasons.append(f"{key} gets worse: {b[key]:.4f} -> {c[key]:.4f} (tolerance {tol})")
        else:
            reasons.append(f"{key} no worse: {b[key]:.4f} -> {c[key]:.4f}")
    return GateResult(promote=ok, reasons=reasons, candidate=c, current=b)


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


def evaluate_version(version_dir: Path, records: list[dict]) -> dict:
    from models.evaluation import evaluate_records

    detector, proposer = load_models(version_dir)
    return evaluate_records(records, detector, proposer)


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


def _parent_rules(parent_dir: Path | None) -> tuple[Path | None, bool]:
    """The rules config (and whether rules run) of the parent's pipeline, else the shipped rules."""
    if parent_dir is not None:
        spec_path = parent_dir / "ner" / "pipeline.json"
        if spec_path.is_file():
            spec = json.loads(spec_path.read_text(encoding="utf-8"))
            rules = parent_dir / "ner" / spec["rules_config"] if spec.get("rules_config") else None
            return rules, bool(spec.get("rules", True))
    shipped = Path(__file__).resolve().parents[1] / "models" / "configs" / "rules.toml"
    return (shipped if shipped.is_file() else None), True


def build_version(*, out: Path, name: str, ner_train: list[dict], decision_train: list[dict],
                  parent_dir: Path | None, cfg: "RetrainConfig", progress: Progress) -> dict:
    """Train ``out/ner`` (rules + tagger pipeline) and ``out/decision``; return component metrics.

    The decision model is trained on the spans of the NEW detector (what it will see in service).
    """
    from models.pipeline import Detector, save_pipeline

    components: dict[str, Any] = {}
    if cfg.retrain_ner:
        from training.ner import train_tagger

        if not ner_train:
            raise ValueError("retrain_ner is on but there are no NER training records")
        progress(0.10, f"training the NER on {len(ner_train)} records")
        train, dev = _dev_split(ner_train, cfg.seed)
        scratch = out / ".tagger"
        components["ner"] = train_tagger(train, dev, scratch, seed=cfg.seed, config=ner_config(cfg.ner_params),
                                         progress=False)
        rules, use_rules = _parent_rules(parent_dir)
        save_pipeline(out / "ner", tagger_dir=scratch, rules_config=rules, version=name, use_rules=use_rules,
                      backend="char_tagger")
        shutil.rmtree(scratch, ignore_errors=True)
    else:
        progress(0.10, "keeping the parent's NER (retrain_ner = false)")
        if parent_dir is None or not (parent_dir / "ner").is_dir():
            raise FileNotFoundError(f"parent version {parent_dir} has no ner/ directory to keep")
        shutil.copytree(parent_dir / "ner", out / "ner")
        components["ner"] = {"kept_from": str(parent_dir)}
    from training.train_decision import train_proposer

    progress(0.55, f"training the decision model on {len(decision_train)} records")
    detector = Detector.load(out / "ner")
    components["decision"] = train_proposer(decision_train, out / "decision", seed=cfg.seed, detector=detector,
                                            **cfg.decision_params)
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


def retrain(*, engine: Engine, models_root: Path, cfg: RetrainConfig, actor: str,
            progress: Progress | None = None, name: str | None = None) -> RetrainResult:
    """Train a candidate, compare it with the current model, and promote it if the gate passes."""
    import torch

    torch.set_num_threads(max(1, cfg.threads))
    progress = progress or (lambda frac, msg: None)
    models_root = Path(models_root).resolve()
    models_root.mkdir(parents=True, exist_ok=True)
    clean_stale_temp_dirs(models_root)

    progress(0.02, "building the training set from confirmed reviews")
    with session_scope(engine) as s:
        ts = build_training_set(s, cfg.data)
    parent_name, parent_dir = ensure_current(engine, actor)
    now = datetime.now(timezone.utc)
    name = name or f"v{now:%Y%m%d-%H%M%S}-{ts.fingerprint[:6]}"
    final_dir = models_root / name
    if final_dir.exists():
        raise FileExistsError(f"model version directory already exists: {final_dir}")
    tmp = models_root / f".tmp-{name}-{os.getpid()}"
    tmp.mkdir()
    try:
        components = build_version(out=tmp, name=name, ner_train=ts.ner_train, decision_train=ts.decision_train,
                                   parent_dir=parent_dir, cfg=cfg, progress=progress)
        (tmp / "data").mkdir(exist_ok=True)
        with open(tmp / "data" / "provenance.jsonl", "w", encoding="utf-8") as fh:
            for p in ts.provenance:
                fh.write(json.dumps(p, ensure_ascii=False, sort_keys=True, default=str) + "\n")
        # a first manifest makes the temp dir a loadable version (final metrics are added below)
        write_version_manifest(tmp, name=name, parent=parent_name, data_fingerprint=ts.fingerprint, metrics={},
                               components=components)
        progress(0.75, f"evaluating the candidate on the frozen split ({len(ts.eval)} records)")
        cand_metrics = evaluate_version(tmp, ts.eval)
        progress(0.87, f"evaluating the current model {parent_name} on the same split")
        cur_metrics = evaluate_version(parent_dir, ts.eval)
        gate = apply_gate(cand_metrics, cur_metrics, cfg.gate)
        manifest = write_version_manifest(
            tmp, name=name, parent=parent_name, data_fingerprint=ts.fingerprint, metrics=cand_metrics,
            components=components,
            extra={"training_data": {"counts": ts.counts, "provenance": "data/provenance.jsonl",
                                     "eval_fingerprint": ts.eval_fingerprint, "eval_seed": cfg.data.eval_seed},
                   "comparison": {"current": parent_name, "current_metrics": cur_metrics,
                                  "gate": {"promote": gate.promote, "reasons": gate.reasons}}})
        progress(0.95, "registering the candidate")
        os.rename(tmp, final_dir)  # atomic: the version dir appears complete or not at all
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    registry_metrics = {"eval_fingerprint": ts.eval_fingerprint, "candidate": gate.candidate,
                        "current": gate.current, "compared_to": parent_name, "gate": gate.reasons,
                        "counts": ts.counts}
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
                         counts=ts.counts, data_fingerprint=ts.fingerprint, eval_fingerprint=ts.eval_fingerprint)
