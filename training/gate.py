"""The promotion gate's evaluation: frozen sets fixed at registration, plus a per-genre check.

Why a separate, frozen set: the old gate scored candidates on a split that also held the
reviewers' own new confirmations, so it partly graded a candidate on its training material, and a
batch of wrong reviews lowered the bar it was judged by. Here:

* **Frozen sets** (``GateSetConfig``): seeded samples of real corpora dev splits (CLUENER, Resume,
  Weibo; the loaders ``benchmarks/ner_bench.py`` reports with), the hand-written development set
  (``datasets/devset``, ``training.devset``), a published-text false-alarm sample
  (``training.corpora.published_documents``: allowed files only, never the test-only ones), and
  the configured synthetic held-out documents / ``eval_file``. They are written once, when a
  version is first used as a parent (``<models_root>/gates/<version>/``), and every candidate
  carries a copy (``<version>/gate/``), so its descendants are judged on the same records.
  No record whose text is one of the documents being learned from is ever scored
  (``without_texts``; the count removed is reported).
* **Per-genre check**: the held-out confirmations (``training.dataset.in_eval_bucket``) grouped by
  the genre of their documents. These are the only examples of the genre being learned that the
  candidate did not train on.

The rule (``decide``): promote only when the candidate is better on every learned genre with
enough held-out documents (else, on the pooled frozen sets) AND no frozen set is worse beyond
noise. "Beyond noise" depends on how many items a figure is measured on: the candidate may be
worse by at most

    max(configured tolerance, noise_z * SE)

(the tolerances ``max_f1_drop``, ``max_decision_f1_drop``, ``max_sensitive_recall_drop``,
``max_false_alarm_increase``). SE is the standard error of the difference candidate - current:

* span F1, PERSON F1, sensitive recall (per-document counts, ``per_document_counts``): a **paired
  bootstrap** over the set's documents (``paired_se``, 1,000 seeded resamples): both models are
  scored on the same resampled documents, so only the spans where they differ count as noise.
  One sensitive span lost of 38 (Resume's dev sample) gives SE about 1/38: within 2 SE; a
  systematic loss of several points on a 200-document sample is not, where an unpaired bound
  would let it pass;
* otherwise (decision macro F1 and the published false-alarm share, on n documents; scores cached
  before per-document counts existed): the binomial SE of the current model's figure p on n items,
  ``sqrt(p' (1 - p') / n)`` with the add-one estimate p' = (p n + 1) / (n + 2) (``allowed_drop``).

Leak rate is the exception: people and secrets are protected outright, it may rise by at most
``max_leak_rate_increase`` whatever the set size. Each figure's n, SE, method and the drop allowed
are in the decision (``GateDecision.noise``) and the failing ones in its reasons.
"""
from __future__ import annotations

import json
import math
import random
import shutil
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

GATE_SUBDIR = "gate"
GATES_ROOT = "gates"
GATE_MANIFEST = "gate.json"
#: the labels the public corpora annotate (scored as declared labels on their sets)
CORPUS_LABELS = ("PERSON", "ORG", "LOC")


@dataclass(frozen=True)
class GateSetConfig:
    """What the frozen evaluation set holds (``[gate_sets]`` in training/promotion.toml)."""

    seed: int = 20261203
    cluener_dev: int = 200
    resume_dev: int = 200
    weibo_dev: int = 200
    #: documents sampled from the hand-written development set (0: none)
    devset: int = 30
    published: int = 10
    published_max_chars: int = 1000
    #: a held-out confirmation genre is checked only with at least this many documents
    min_genre_docs: int = 5

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> "GateSetConfig":
        known = {f.name for f in fields(cls)}
        unknown = set(d) - known
        if unknown:
            raise ValueError(f"unknown [gate_sets] settings: {sorted(unknown)}; known: {sorted(known)}")
        cfg = cls(**dict(d))
        for name in ("cluener_dev", "resume_dev", "weibo_dev", "devset", "published", "published_max_chars",
                     "min_genre_docs"):
            if getattr(cfg, name) < 0:
                raise ValueError(f"[gate_sets] {name} must be >= 0")
        return cfg


# --------------------------------------------------------------------------- building and storing


def _sample(records: list[dict], n: int, seed: int, name: str) -> list[dict]:
    recs = list(records)
    random.Random(f"gate-{seed}-{name}").shuffle(recs)
    return recs[:n]


def build_frozen_sets(cfg: GateSetConfig, *, extra: Mapping[str, list[dict]] | None = None
                      ) -> dict[str, list[dict]]:
    """The frozen sets, name -> SCHEMA.md records (``extra``: the synthetic / eval_file sets)."""
    from training import corpora

    sets: dict[str, list[dict]] = {}
    for name, n, load in (("cluener_dev", cfg.cluener_dev, lambda: corpora.load_cluener("dev")),
                          ("resume_dev", cfg.resume_dev, lambda: corpora.load_resume("dev")),
                          ("weibo_dev", cfg.weibo_dev, lambda: corpora.load_weibo("dev"))):
        if n:
            sets[name] = _sample(load(), n, cfg.seed, name)
    if cfg.devset:
        from training.devset import OUTPUT

        if not Path(OUTPUT).is_file():
            raise FileNotFoundError(f"the hand-written development set {OUTPUT} is missing: "
                                    "python -m training.devset build (or set [gate_sets] devset = false)")
        devset = [json.loads(line) for line in Path(OUTPUT).read_text(encoding="utf-8").splitlines() if line.strip()]
        sets["devset"] = _sample(devset, cfg.devset, cfg.seed, "devset")
    if cfg.published:
        sets["published"] = corpora.published_documents(cfg.published, cfg.seed, max_chars=cfg.published_max_chars)
    for name, recs in (extra or {}).items():
        if recs:
            sets[name] = list(recs)
    return sets


def write_sets(directory: Path, sets: Mapping[str, list[dict]], *, about: Mapping[str, Any]) -> Path:
    """Write the sets (one JSON Lines file each) and gate.json with their fingerprints, atomically."""
    from models.artifacts import atomic_directory
    from training.dataset import fingerprint

    directory = Path(directory)
    with atomic_directory(directory) as tmp:
        for name, recs in sets.items():
            with open(tmp / f"{name}.jsonl", "w", encoding="utf-8") as fh:
                for r in recs:
                    fh.write(json.dumps(r, ensure_ascii=False, sort_keys=True) + "\n")
        manifest = {"sets": {name: {"records": len(recs), "fingerprint": fingerprint(list(recs))}
                             for name, recs in sets.items()}, **dict(about)}
        (tmp / GATE_MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1, sort_keys=True) + "\n",
                                         encoding="utf-8")
    return directory


def read_sets(directory: Path) -> dict[str, list[dict]]:
    """The sets written by ``write_sets``, checked against the fingerprints in gate.json."""
    from training.dataset import fingerprint

    manifest = json.loads((Path(directory) / GATE_MANIFEST).read_text(encoding="utf-8"))
    sets = {}
    for name, facts in manifest["sets"].items():
        path = Path(directory) / f"{name}.jsonl"
        recs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]
        if fingerprint(recs) != facts["fingerprint"]:
            raise ValueError(f"frozen gate set {path} does not match its fingerprint in {GATE_MANIFEST}: "
                             "it was edited; restore it (a gate set is never changed in place)")
        sets[name] = recs
    return sets


def gate_dir_of(version_name: str, version_dir: Path, models_root: Path) -> Path:
    """Where a version's frozen sets live: its own ``gate/`` or, for a version whose directory is
    not ours to write (the shipped default), ``<models_root>/gates/<name>``."""
    own = Path(version_dir) / GATE_SUBDIR
    return own if (own / GATE_MANIFEST).is_file() else Path(models_root) / GATES_ROOT / version_name


def frozen_sets_for(version_name: str, version_dir: Path, models_root: Path, cfg: GateSetConfig, *,
                    extra: Mapping[str, list[dict]] | None = None) -> tuple[Path, dict[str, list[dict]]]:
    """The version's frozen sets, written on first use (``extra`` only then)."""
    where = gate_dir_of(version_name, version_dir, models_root)
    if not (where / GATE_MANIFEST).is_file():
        from dataclasses import asdict

        write_sets(where, build_frozen_sets(cfg, extra=extra),
                   about={"fixed_for": version_name, "config": asdict(cfg)})
    return where, read_sets(where)


def copy_sets(src: Path, version_dir: Path) -> None:
    """Carry the parent's frozen sets into a candidate (its descendants are judged on them too)."""
    shutil.copytree(src, Path(version_dir) / GATE_SUBDIR, dirs_exist_ok=False)


def without_texts(sets: Mapping[str, list[dict]], texts: Iterable[str]) -> tuple[dict[str, list[dict]], int]:
    """The sets minus every record whose text is one of ``texts`` (the documents learned from)."""
    banned = {t for t in texts if t}
    out, removed = {}, 0
    for name, recs in sets.items():
        kept = [r for r in recs if r.get("text") not in banned]
        removed += len(recs) - len(kept)
        if kept:
            out[name] = kept
    return out, removed


def genre_sets(held_out: Sequence[dict], learned_genres: Iterable[str], min_docs: int) -> dict[str, list[dict]]:
    """Held-out confirmations of the learned genres, one set per genre with at least ``min_docs``."""
    by: dict[str, list[dict]] = {}
    wanted = set(learned_genres)
    for r in held_out:
        g = r.get("genre") or "unknown"
        if g in wanted:
            by.setdefault(g, []).append(r)
    return {f"confirmed:{g}": recs for g, recs in sorted(by.items()) if len(recs) >= max(1, min_docs)}


# --------------------------------------------------------------------------- scoring


def _labels_for(name: str, records: Sequence[dict]) -> list[str] | None:
    if any(r.get("labels_annotated") for r in records):
        labs = set()
        for r in records:
            labs.update(r.get("labels_annotated") or ())
        return sorted(labs)
    return None


class _Recording:
    """A detector that keeps what it returned for the last batch (the per-document counts of
    ``score_set`` come from the same detection run as the set's figures)."""

    def __init__(self, detector: Any) -> None:
        self._detector = detector
        self.last: list | None = None

    def detect_many(self, texts):
        out = [list(x) for x in (self._detector.detect_many(texts) if hasattr(self._detector, "detect_many")
                                 else [self._detector.detect(t) for t in texts])]
        self.last = out
        return out

    def __getattr__(self, name: str) -> Any:
        return getattr(self._detector, name)


def per_document_counts(records: Sequence[dict], predicted: Sequence[list], labels_scored: Sequence[str]
                        ) -> dict[str, list[list[int]]]:
    """Per document: [tp, fp, fn] over the scored labels ("span") and PERSON ("person"), and
    [hit, total] of sensitive gold spans ("sens"), counted as ``models.evaluation`` counts them.
    The gate's paired bootstrap (``paired_se``) resamples documents from these."""
    from models.evaluation import _as_tuples, _exact_counts, sensitive_hits, validate_record

    scored = set(labels_scored)
    out: dict[str, list[list[int]]] = {"span": [], "person": [], "sens": []}
    for i, (r, pred) in enumerate(zip(records, predicted)):
        r = validate_record(r, f"record {i + 1}")
        gold = sorted(set(r["spans"]))
        pred = _as_tuples(pred, len(r["text"]), f"record {i + 1}")
        c = _exact_counts(gold, pred)
        out["span"].append([sum(c[(l, k)] for l in scored) for k in ("tp", "fp", "fn")])
        out["person"].append([c[("PERSON", k)] for k in ("tp", "fp", "fn")])
        out["sens"].append(list(sensitive_hits(gold, pred)))
    return out


def score_set(name: str, records: Sequence[dict], detector: Any, proposer: Any) -> dict[str, float | None]:
    """The numbers the gate compares on one set (None where the set does not measure it), and
    ``per_doc``: per-document counts behind span F1, PERSON F1 and sensitive recall."""
    from models.evaluation import evaluate_records

    rec = _Recording(detector)
    m = evaluate_records(records, rec, proposer, labels=_labels_for(name, records))
    spans = m.get("spans") or {}
    dec = m.get("decisions") or {}
    open_recall = dec.get("open_recall")
    support = dec.get("support") or {}
    person_scored = "PERSON" in (m.get("labels_scored") or [])
    # what each figure is measured on (the gate's noise bound, training.gate.allowed_drop)
    n = {"span_f1": (spans.get("micro") or {}).get("support"),
         "person_f1": (spans.get("PERSON") or {}).get("support", 0) if person_scored else None,
         "sensitive_recall": m.get("sensitive_support"),
         "decision_macro_f1": dec.get("documents"),
         "leak_rate": sum(v for k, v in support.items() if k != "OPEN") if dec else None,
         "false_alarm": support.get("OPEN") if dec and name == "published" else None}
    return {
        "documents": m["documents"],
        "span_f1": spans.get("micro", {}).get("f1"),
        "person_f1": (spans.get("PERSON") or {}).get("f1") if "PERSON" in (m.get("labels_scored") or []) else None,
        "sensitive_recall": m.get("sensitive_recall"),
        "decision_macro_f1": dec.get("macro_f1"),
        "leak_rate": dec.get("leak_rate"),
        # published text is openable: a proposal other than OPEN there is a false alarm
        "false_alarm": (round(1 - open_recall, 6) if open_recall is not None and name == "published" else None),
        "n": {k: v for k, v in n.items() if v is not None},
        "per_doc": (per_document_counts(records, rec.last, m["labels_scored"])
                    if "labels_scored" in m and rec.last is not None and len(rec.last) == len(records) else None),
    }


def score_sets(sets: Mapping[str, list[dict]], detector: Any, proposer: Any,
               progress: Callable[[str], None] | None = None, cache: Path | None = None) -> dict[str, dict]:
    """Scores per set. ``cache``: a JSON file of earlier scores of the SAME model version, keyed by
    the set's fingerprint, and by today's date for a set with decisions (a proposal depends on the
    review date: document age, the 25-year rule); a version never changes, so its scores on a fixed
    set are reused instead of recomputed (the parent's, on every retraining run: half the gate's
    time). ``retrain`` writes a candidate's scores to its own cache file, so that once promoted,
    its first retraining as a parent finds them there."""
    from datetime import date

    from training.dataset import fingerprint

    known: dict[str, dict] = {}
    if cache is not None and Path(cache).is_file():
        try:
            known = json.loads(Path(cache).read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError):
            known = {}
    out, fresh = {}, False
    for name, recs in sets.items():
        dated = any(r.get("decision") is not None for r in recs)
        key = f"{name}:{fingerprint(list(recs))}" + (f":{date.today().isoformat()}" if dated else "")
        if key in known:
            out[name] = known[key]
            continue
        if progress:
            progress(name)
        out[name] = known[key] = score_set(name, recs, detector, proposer)
        fresh = True
    if cache is not None and fresh:
        Path(cache).parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(cache).with_name(f".{Path(cache).name}.tmp")
        tmp.write_text(json.dumps(known, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        tmp.replace(cache)
    return out


def _f1(s: Mapping[str, Any]) -> float | None:
    """A set's F1: the mean of span F1 and decision macro F1 where both are measured."""
    parts = [s.get("span_f1"), s.get("decision_macro_f1")]
    present = [p for p in parts if p is not None]
    return sum(present) / len(present) if present else None


#: the figures the gate checks on every frozen set: (key, direction in which it is worse, tolerance
#: setting, whether the count-aware noise bound may widen the tolerance)
CHECKS = (("span_f1", -1, "max_f1_drop", True),
          ("person_f1", -1, "max_f1_drop", True),
          ("decision_macro_f1", -1, "max_decision_f1_drop", True),
          ("sensitive_recall", -1, "max_sensitive_recall_drop", True),
          ("leak_rate", +1, "max_leak_rate_increase", False),   # strict: people and secrets
          ("false_alarm", +1, "max_false_alarm_increase", True))
#: what n counts, per figure (for the reasons and the report)
UNITS = {"span_f1": "gold spans", "person_f1": "PERSON gold spans", "sensitive_recall": "sensitive gold spans",
         "decision_macro_f1": "documents", "leak_rate": "restricted documents", "false_alarm": "published documents"}


def binomial_se(p: float, n: int) -> float:
    """The standard error of a proportion p measured on n items, with the add-one estimate
    p' = (p n + 1) / (n + 2), so that p = 0 or 1 still has an error; 0 where n is 0."""
    if not n or n <= 0:
        return 0.0
    q = (p * n + 1) / (n + 2)
    return math.sqrt(q * (1 - q) / n)


#: per-document counts behind each figure (``per_document_counts``) and how the figure is made of them
PER_DOC = {"span_f1": "span", "person_f1": "person", "sensitive_recall": "sens"}
BOOTSTRAP_SAMPLES = 1000


def _figure(kind: str, totals) -> "Any":
    """F1 from summed [tp, fp, fn] columns, or recall from summed [hit, total] (numpy arrays)."""
    import numpy as np

    if kind == "sens":
        hit, total = totals[..., 0], totals[..., 1]
        return np.divide(hit, total, out=np.zeros(hit.shape, dtype=float), where=total > 0)
    tp, fp, fn = totals[..., 0], totals[..., 1], totals[..., 2]
    den = 2 * tp + fp + fn
    return np.divide(2 * tp, den, out=np.zeros(tp.shape, dtype=float), where=den > 0)


def paired_se(candidate: Sequence[Sequence[int]], current: Sequence[Sequence[int]], kind: str, *,
              samples: int = BOOTSTRAP_SAMPLES, seed: int = 0) -> float | None:
    """The standard error of (candidate's figure - current's) by a paired bootstrap over documents:
    both models are scored on the same resampled documents, so what they get right together does not
    count as noise, only where they differ. None where the counts do not pair up."""
    import numpy as np

    a, b = np.asarray(candidate, dtype=np.int64), np.asarray(current, dtype=np.int64)
    if a.shape != b.shape or a.ndim != 2 or len(a) < 2:
        return None
    idx = np.random.default_rng(seed).integers(0, len(a), size=(samples, len(a)))
    diff = _figure(kind, a[idx].sum(axis=1)) - _figure(kind, b[idx].sum(axis=1))
    return float(diff.std(ddof=1))


def allowed_drop(parent: float, n: int | None, tolerance: float, z: float, *, widen: bool = True) -> float:
    """How much worse than ``parent`` a candidate's figure may be before it is "worse beyond
    noise": the configured ``tolerance`` or ``z`` binomial standard errors of the parent's figure on
    ``n`` items, whichever is larger (``widen`` false or n unknown: the tolerance alone)."""
    if not widen or not n or z <= 0:
        return tolerance
    return max(tolerance, z * binomial_se(min(1.0, max(0.0, parent)), int(n)))


@dataclass
class GateDecision:
    promote: bool
    reasons: list[str]
    genre: dict[str, dict]      # set -> {"candidate": ..., "current": ...}
    frozen: dict[str, dict]     # set -> {"candidate": ..., "current": ...}
    removed_learned: int = 0
    #: set -> figure -> {"n": items measured on, "allowed_drop": the bound applied, "drop": candidate's}
    noise: dict[str, dict] = field(default_factory=dict)
    noise_z: float = 0.0


def _n_of(pair: Mapping[str, Any], key: str) -> int | None:
    """Items a figure was measured on: the parent's count, else the candidate's (same set, same gold)."""
    for who in ("current", "candidate"):
        n = (pair[who].get("n") or {}).get(key)
        if n is not None:
            return int(n)
    return None


def decide(candidate: Mapping[str, dict], current: Mapping[str, dict], *, genre_names: Sequence[str],
           tolerances: Mapping[str, float], min_gain: float, removed_learned: int = 0,
           noise_z: float = 0.0) -> GateDecision:
    """Apply the rule of the module docstring to per-set scores of candidate and current.

    ``noise_z``: binomial standard errors a figure may drop by (``allowed_drop``); 0 keeps the
    configured tolerances alone. A score's ``n`` (``score_set``) says what it was measured on.
    """
    reasons: list[str] = []
    ok = True
    genre = {n: {"candidate": candidate[n], "current": current[n]} for n in genre_names}
    frozen = {n: {"candidate": candidate[n], "current": current[n]} for n in candidate if n not in genre_names}
    if genre:
        for n, pair in genre.items():
            c, b = _f1(pair["candidate"]), _f1(pair["current"])
            if c is None or b is None:
                ok = False
                reasons.append(f"{n}: F1 not measured")
            elif c - b > min_gain:
                reasons.append(f"{n}: better on the learned genre, F1 {b:.4f} -> {c:.4f}")
            else:
                ok = False
                reasons.append(f"{n}: not better on the learned genre, F1 {b:.4f} -> {c:.4f} (needs > +{min_gain})")
    else:
        pooled_c = [_f1(p["candidate"]) for p in frozen.values()]
        pooled_b = [_f1(p["current"]) for p in frozen.values()]
        pairs = [(c, b) for c, b in zip(pooled_c, pooled_b) if c is not None and b is not None]
        if not pairs:
            ok = False
            reasons.append("no held-out confirmations of the learned genre and no F1 on the frozen sets")
        else:
            c = sum(p[0] for p in pairs) / len(pairs)
            b = sum(p[1] for p in pairs) / len(pairs)
            if c - b > min_gain:
                reasons.append(f"too few held-out confirmations per genre; mean F1 over the frozen sets improves "
                               f"{b:.4f} -> {c:.4f}")
            else:
                ok = False
                reasons.append(f"too few held-out confirmations per genre; mean F1 over the frozen sets does not "
                               f"improve: {b:.4f} -> {c:.4f}")
    worse_sets = []
    noise: dict[str, dict] = {}
    for n, pair in frozen.items():
        for key, sign, tol_name, widen in CHECKS:
            c, b = pair["candidate"].get(key), pair["current"].get(key)
            if c is None or b is None or tol_name not in tolerances:
                continue
            items = _n_of(pair, key)
            tol = tolerances[tol_name]
            se, method = None, "binomial"
            if widen and key in PER_DOC and noise_z > 0:
                docs_c = pair["candidate"].get("per_doc") or {}
                docs_b = pair["current"].get("per_doc") or {}
                if docs_c.get(PER_DOC[key]) and docs_b.get(PER_DOC[key]):
                    se = paired_se(docs_c[PER_DOC[key]], docs_b[PER_DOC[key]], PER_DOC[key])
                    method = "paired bootstrap"
            if se is not None:
                allowed = max(tol, noise_z * se)
            else:
                method = "binomial"
                # a rate that rises (false alarm) is judged by the SE of the parent's rate too
                allowed = allowed_drop(b, items, tol, noise_z, widen=widen)
            worse = (c - b) * sign  # > 0: the candidate is worse
            noise.setdefault(n, {})[key] = {"n": items, "allowed_drop": round(allowed, 4), "drop": round(worse, 4),
                                            "se": (round(se, 4) if se is not None else None),
                                            "method": method if widen else "strict"}
            if worse > allowed + 1e-9:
                ok = False
                worse_sets.append(n)
                how = (f"tolerance {tol}, strict" if not widen else
                       f"tolerance {tol}" if items is None and se is None else
                       f"allowed {allowed:.4f} = max({tol}, {noise_z:g} SE, {method}) on {items} "
                       f"{UNITS.get(key, 'items')}")
                reasons.append(f"{n}: {key} worse beyond noise, {b:.4f} -> {c:.4f} ({how})")
    if frozen and not worse_sets:
        reasons.append(f"no frozen set worse beyond noise ({', '.join(frozen)}; drops allowed: "
                       + ", ".join(f"{n} {k} {v['allowed_drop']:.3f} on {v['n']}" for n, figs in noise.items()
                                   for k, v in figs.items() if k in ("span_f1", "sensitive_recall") and v["n"])
                       + ")")
    if removed_learned:
        reasons.append(f"{removed_learned} frozen record(s) equal to learned documents left out of the gate")
    return GateDecision(promote=ok, reasons=reasons, genre=genre, frozen=frozen, removed_learned=removed_learned,
                        noise=noise, noise_z=noise_z)
