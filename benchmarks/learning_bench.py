"""Does the learning loop learn? Simulated reviewers confirm documents of a genre the starting model
never saw; the loop retrains through the same code path as ``kaifang train``; what changed?

For each learned genre G (``--genres``, default weibo then resume: leave one corpus out):

1. **Starting model**: the default recipe's data minus G (``training.ner.train_default``'s
   ``load_training_data``, the records of G dropped), a lexicon-feature BiLSTM-CRF tagger with the
   default labels, thresholds chosen on the selection split, int8 quantisation, the shipped rules;
   a decision model trained on synthetic documents with that detector. The full recipe takes about
   20 minutes per model on 2 cores; ``--quick`` uses a reduced one (each corpus capped at 1,200
   records, 3 epochs of batch 16, no pre-trained embeddings, no silver or augmentation): weaker
   starting models, the same loop. Models are cached under ``runs/learning_bench/``.
2. **Reviews**: ``--docs`` documents of G's train split are ingested into a fresh store, scanned and
   proposed with the starting model, and confirmed through ``review_app.store.review`` like the
   desk does: proposed spans that match the corpus' gold are accepted, the others (of the labels
   the corpus annotates) rejected, missed ones added; then a reviewer's decision and the
   committee's (OPEN: the posts are public text; the decision model is not what is measured). A second run (``--wrong-run``, G = the first genre) rejects every PERSON span.
3. **Retraining**: ``training.jobs.run_job`` with the shipped ``training/retrain.toml`` and
   ``promotion.toml``: warm start, replay, the frozen gate and the per-genre check.
4. **Measures**: PERSON F1 on G's whole dev split before (starting model) and after (candidate,
   promoted or not); span F1 on every other frozen gate set (the gate's own numbers); the
   retraining wall time; whether the wrong-review candidate was promoted.
5. **Active learning** (``--al-repeats``, on G = the first genre's train split as the pool and its
   dev split as the test): from the starting model, fine-tune on the labelled documents after each
   round; uncertainty sampling against random order, the same seed documents per repeat. The
   uncertainty score (``--al-acquisition``) is by default ``person``: the summed per-character
   doubt about belonging to a PERSON span, min(p, 1 - p) of the CRF marginals; ``doubt`` sums
   1 - the marginal probability of the Viterbi tag over all tags (the score until 2026-12-04:
   saving 0.22 against person's 0.43 on the same five repeats, README). Labels needed to reach
   the target (``--al-target`` x random's mean F1 at the largest budget), interpolated between
   budgets; saving = 1 - uncertainty's need / random's need, per repeat, then mean and spread. The
   same curves are also read at 0.9, 0.95 and 1.0 x random's final F1 (``saving_by_target``): a
   target inside the seed round's spread is reached by both strategies at the first budget in
   some repeats, which then count a saving of 0 whatever the strategy did afterwards.

Writes ``benchmarks/results/learning.json`` (top-level figures are the first genre's, every genre
under ``by_genre``) and a learning-curve PNG.

    .venv/bin/python benchmarks/learning_bench.py --quick
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

CACHE = ROOT / "runs" / "learning_bench"
QUICK = {"limit": 1200, "epochs": 3, "batch_size": 16, "synth_docs": 150, "silver": 0, "embeddings": False, "augment": False,
         "holdout": {"cluener": 150, "peoples_daily": 120, "resume": 60, "weibo": 40, "synth": 40, "silver": 0},
         "decision_docs": 150, "decision_splits": 3}
DEV_LOADERS = {"weibo": "load_weibo", "resume": "load_resume", "cluener": "load_cluener"}
#: torch threads of the starting models and active learning (``--threads``)
THREADS = [1]


def log(msg: str) -> None:
    print(f"[learning_bench {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- starting models


def _recipe(quick: bool) -> dict:
    if quick:
        return dict(QUICK)
    from training.ner.train_default import DEFAULTS

    return {"limit": None, "epochs": DEFAULTS["epochs"], "synth_docs": DEFAULTS["synth_docs"],
            "silver": DEFAULTS["silver"], "embeddings": True, "augment": True, "holdout": DEFAULTS["holdout"],
            "decision_docs": 400, "decision_splits": 5}


def _of_genre(record: dict, genre: str) -> bool:
    return record.get("source") == genre or str(record.get("id", "")).startswith(f"{genre}-")


def build_start_model(genre: str, out: Path, *, quick: bool, seed: int = 0) -> Path:
    """The default recipe minus ``genre`` (see the module docstring), cached in ``out``."""
    if (out / "manifest.json").is_file():
        return out
    from models.artifacts import fingerprint_records, make_manifest, write_manifest
    from models.pipeline import Detector, save_pipeline
    from training.ner.lexicons import build_lexicon
    from training.ner.train import TrainConfig, train_tagger
    from training.ner.train_default import (DEFAULTS, TAGGER_LABELS, choose_min_scores, default_rules_config,
                                            load_training_data)
    from training.synth import generate_documents
    from training.train_decision import train_proposer

    r = _recipe(quick)
    t0 = time.time()
    train, hold, desc = load_training_data(seed=seed, synth_docs=r["synth_docs"], holdout=r["holdout"],
                                           limit=r["limit"], silver=r["silver"],
                                           augment_rates=DEFAULTS["augment"] if r["augment"] else None)
    train = [x for x in train if not _of_genre(x, genre)]
    hold = [x for x in hold if not _of_genre(x, genre)]
    desc = {k: v for k, v in desc.items() if k != genre}
    lex = build_lexicon()
    char_vectors = bigram_vectors = None
    if r["embeddings"]:
        from training.corpora import iter_raw_text
        from training.ner.embeddings import pretrain_embeddings

        texts = [x["text"] for x in train] + list(iter_raw_text(max_chars=DEFAULTS["embed_chars"]))
        cfg0 = TrainConfig()
        char_vectors, bigram_vectors, _ = pretrain_embeddings(texts, char_dim=cfg0.char_dim,
                                                              bigram_dim=cfg0.bigram_dim, seed=seed, workers=2)
    cfg = TrainConfig(epochs=r["epochs"], patience=1, labels=TAGGER_LABELS, lexicon=True,
                      select_labels=TAGGER_LABELS, threads=THREADS[0], batch_size=r.get("batch_size", 64))
    work = Path(tempfile.mkdtemp(prefix="kaifang-lb-"))
    name = f"start-minus-{genre}{'-quick' if quick else ''}"
    log(f"{name}: training the tagger on {len(train)} records")
    metrics = train_tagger(train, hold, work / "tagger", seed=seed, config=cfg, lexicon=lex,
                           char_vectors=char_vectors, bigram_vectors=bigram_vectors, progress=False)
    min_scores = choose_min_scores(work / "tagger", hold)
    tmp = out.parent / f".{out.name}.tmp"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir(parents=True)
    save_pipeline(tmp / "ner", tagger_dir=work / "tagger", rules_config=default_rules_config(), version=name,
                  quantize=True, min_scores=min_scores or None)
    log(f"{name}: training the decision model on {r['decision_docs']} synthetic documents")
    train_proposer(generate_documents(r["decision_docs"], seed=17, split="train"), tmp / "decision", seed=seed,
                   detector=Detector.load(tmp / "ner"), n_splits=r["decision_splits"])
    write_manifest(tmp, make_manifest(version=name, data_fingerprint=fingerprint_records(train), metrics={
        "ner_heldout": metrics["dev"]}, components={"ner": {
            "path": "ner", "backend": "char_tagger", "labels": list(TAGGER_LABELS), "data": desc, "left_out": genre,
            "recipe": {k: v for k, v in r.items() if k != "holdout"} | {"quick": quick, "min_scores": min_scores},
            "train_seconds": round(time.time() - t0, 1)}}))
    shutil.rmtree(work, ignore_errors=True)
    if out.exists():
        shutil.rmtree(out)
    os.replace(tmp, out)
    log(f"{name}: built in {time.time() - t0:.0f} s")
    return out


# --------------------------------------------------------------------------- simulated reviews


def _dev(genre: str) -> list[dict]:
    from training import corpora

    return getattr(corpora, DEV_LOADERS[genre])("dev")


def person_scores(version_dir: Path, records: list[dict]) -> dict:
    """PERSON F1 on ``records`` and its per-document [tp, fp, fn] (for the gain's standard error)."""
    from models.pipeline import Detector
    from training.gate import score_set

    scored = score_set("dev", records, Detector.load(version_dir), None)
    return {"f1": scored["person_f1"], "per_doc": (scored.get("per_doc") or {}).get("person")}


def person_f1(version_dir: Path, records: list[dict]) -> float:
    return person_scores(version_dir, records)["f1"]


def gain_se(before: dict, after: dict) -> float | None:
    """Standard error of after - before by the gate's paired bootstrap over the dev documents.

    Why: Weibo's dev split has 90 PERSON spans, so one span is about a point of F1 and a gain
    of a few points is within noise; the figure says how far a single run can be trusted."""
    from training.gate import paired_se

    if not before.get("per_doc") or not after.get("per_doc"):
        return None
    se = paired_se(after["per_doc"], before["per_doc"], "f1")
    return round(se, 4) if se is not None else None


def review_documents(engine, start_dir: Path, genre: str, docs: list[dict], *, wrong: bool) -> int:
    """Ingest, scan, propose and confirm ``docs`` through the stores (see the module docstring)."""
    from models.decision import DecisionProposer
    from models.pipeline import Detector
    from review_app.db import session_scope
    from review_app.store import documents, review
    from review_app.tables import Document

    detector, proposer = Detector.load(start_dir), DecisionProposer.load(start_dir)
    annotated = set(docs[0].get("labels_annotated") or ())
    n = 0
    with session_scope(engine) as s:
        col = documents.ensure_collection(session=s, name=f"{genre} posts")
        ids = []
        for i, r in enumerate(docs):
            sha = hashlib.sha256(r["text"].encode("utf-8")).hexdigest()
            if documents.find_by_sha256(session=s, sha256=sha) is not None:
                continue
            d = documents.add_document(session=s, collection_id=col.id, doc=documents.NewDocument(
                source_path=f"{genre}/{i:04d}.txt", sha256=sha, media_type="text/plain", text=r["text"],
                title=f"{genre} {i}", genre=genre))
            ids.append((d.id, r))
    found = detector.detect_many([r["text"] for _, r in ids])
    for (doc_id, r), spans in zip(ids, found):
        gold = [x for x in r["spans"] if not (wrong and x["label"] == "PERSON")]
        want = {(x["start"], x["end"], x["label"]) for x in gold}
        with session_scope(engine) as s:
            review.record_detection(session=s, document_id=doc_id, spans=spans, model_version=detector.version)
            review.propose(session=s, document_id=doc_id, result=proposer.propose(r["text"], spans, {"genre": genre}))
            for row in review.active_spans(session=s, document_id=doc_id):
                version = s.get(Document, doc_id).version
                key = (row.start, row.end, row.label)
                overlaps_gold = any(a < row.end and row.start < b for a, b, _ in want)
                if key in want or (row.label not in annotated and not overlaps_gold):
                    review.accept_span(session=s, span_id=row.id, actor="reviewer1", version=version)
                    want.discard(key)
                else:
                    review.reject_span(session=s, span_id=row.id, actor="reviewer1", version=version)
            for a, b, label in sorted(want):
                review.add_span(session=s, document_id=doc_id, start=a, end=b, label=label, actor="reviewer1",
                                version=s.get(Document, doc_id).version)
            # the posts are already public (GUIDELINES rule 1): the spans are what is learned here
            decision, reasons = "OPEN", []
            review.decide(session=s, document_id=doc_id, actor="reviewer1", decision=decision, reasons=reasons,
                          note="simulated review", version=s.get(Document, doc_id).version)
            review.finalize(session=s, document_id=doc_id, actor="committee1", decision=decision, reasons=reasons,
                            note="simulated committee", version=s.get(Document, doc_id).version)
        n += 1
    return n


def learning_run(genre: str, start_dir: Path, work: Path, *, n_docs: int, wrong: bool, seed: int,
                 config: str | None = None) -> dict:
    """Reviews of ``n_docs`` train documents of ``genre``, then ``kaifang train``'s code path."""
    from review_app.db import make_engine, session_scope, upgrade
    from review_app.store import model_registry as reg
    from training import jobs
    from training.dataset import corpus_train_records

    home = work / f"{genre}-{'wrong' if wrong else 'right'}"
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    engine = make_engine(f"sqlite:///{home / 'kaifang.db'}")
    upgrade(engine)
    with session_scope(engine) as s:
        reg.register_version(session=s, name=start_dir.name, path=str(start_dir), actor="admin", status="current")
    pool = corpus_train_records(genre)
    random.Random(f"learn-{seed}-{genre}").shuffle(pool)
    t = time.time()
    n = review_documents(engine, start_dir, genre, pool[:n_docs], wrong=wrong)
    log(f"{genre}{' (wrong reviews)' if wrong else ''}: {n} documents reviewed in {time.time() - t:.0f} s; retraining")
    with session_scope(engine) as s:
        job = reg.create_job(session=s, started_by="admin")
    phases: list[tuple[float, str]] = []
    wall0 = time.time()

    def echo(frac: float, msg: str) -> None:
        # every progress message, with its time: where the retraining's minutes go
        phases.append((round(time.time() - wall0, 1), msg))
        log(f"  [{frac * 100:5.1f}%] {msg}")

    load0 = os.getloadavg()[0]
    cpu0, wall0 = _cpu_seconds(), time.time()
    job = jobs.run_job(engine=engine, job_id=job.id, models_root=home / "models", config_path=config, actor="admin",
                       on_progress=echo)
    cpu, wall = _cpu_seconds() - cpu0, time.time() - wall0
    load1 = os.getloadavg()[0]
    if job.status != "succeeded":
        raise RuntimeError(f"training job {job.status}: {job.message}")
    with session_scope(engine) as s:
        cand = reg.get_version(session=s, name=job.candidate)
        metrics, path = dict(cand.metrics), Path(cand.path)
    engine.dispose()
    return {"reviewed": n, "candidate": str(path), "promoted": bool(job.promoted), "message": job.message,
            "retrain_seconds": metrics.get("retrain_seconds"), "job_wall_seconds": round(wall, 1),
            "job_cpu_seconds": round(cpu, 1), "load_average": [round(load0, 2), round(load1, 2)],
            "phases": phases, "gate": metrics}


def _cpu_seconds() -> float:
    """User + system CPU time of this process (all its threads): on a shared machine the wall time
    says more about the neighbours than about the job; CPU / 2 is the job's time on 2 free cores."""
    import resource

    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


# --------------------------------------------------------------------------- active learning


def _summed_over_windows(tagger, texts: list[str], window_scores) -> list[float]:
    """Per text: the sum of ``window_scores(windows, chars, bl, br, lengths, lex)`` (one float per
    window) over the tagger's windows of it, encoded 64 windows at a time."""
    import torch

    from models.recognizers.char_tagger import chunk_bounds, encode_batch

    windows = [(i, t[a:b]) for i, t in enumerate(texts) for a, b in chunk_bounds(t, tagger.config.max_len)]
    out = [0.0] * len(texts)
    with torch.inference_mode():
        for k in range(0, len(windows), 64):
            part = windows[k:k + 64]
            wt = [w for _, w in part]
            chars, bl, br, lengths = encode_batch(tagger.vocab, wt)
            lex = tagger.lexicon_tensor(wt, chars.shape[1])
            for (i, _), v in zip(part, window_scores(wt, chars, bl, br, lengths, lex)):
                out[i] += v
    return out


def doubt(tagger, texts: list[str]) -> list[float]:
    """Per text: the sum over characters of 1 - the marginal probability of the Viterbi tag."""

    def scores(wt, *encoded):
        return [sum(1.0 - c for c in conf[:len(w)]) for w, (_, conf) in zip(wt, tagger.decode(*encoded))]

    return _summed_over_windows(tagger, texts, scores)


def person_doubt(tagger, texts: list[str]) -> list[float]:
    """Per text: the sum over characters of min(p, 1 - p), p the CRF marginal probability that the
    character is part of a PERSON span (any B/I/E/S-PERSON tag).

    Why: ``doubt`` counts doubt between any two tags (ORG against LOC, where an O ends); the
    measure the reviews are meant to raise is PERSON F1, and a post is worth a label when the
    tagger cannot tell whether its characters belong to a name."""
    import numpy as np

    from models.recognizers.char_tagger import crf_marginals

    person = np.array([t.endswith("-PERSON") for t in tagger.config.tags])
    trans, start, end = tagger._crf_scores()

    def scores(wt, chars, bl, br, lengths, lex):
        em = tagger.emissions(chars, bl, br, lengths, lex).float().numpy()
        active = np.arange(em.shape[1])[None, :] < lengths.numpy()[:, None]
        p = crf_marginals(em, active, trans, start, end)[:, :, person].sum(axis=2)
        return [float(row.sum()) for row in np.minimum(p, 1.0 - p) * active]

    return _summed_over_windows(tagger, texts, scores)


#: acquisition functions of the uncertainty strategy (``--al-acquisition``)
ACQUISITIONS = {"doubt": doubt, "person": person_doubt}


def _tagger_f1(tagger, records: list[dict]) -> float:
    """PERSON F1 of a tagger alone (the part that learns) on ``records``."""
    from training.ner.train import evaluate

    with __import__("torch").inference_mode():
        m = evaluate(tagger, records)
    return (m.get("PERSON") or {}).get("f1", 0.0)


def label_savings(curves: dict[str, list[list[float]]], budgets: list[int], target: float
                  ) -> tuple[list[float], dict[str, int]]:
    """Per repeat, 1 - (labels uncertainty needs to reach ``target``) / (labels random needs).

    Labels needed are interpolated linearly between budgets; a strategy that never reaches the
    target is counted at the largest budget (a bound, so such a repeat understates the saving)."""

    def needed(curve: list[float]) -> float | None:
        for i, f in enumerate(curve):
            if f >= target:
                if i == 0:
                    return float(budgets[0])
                f_prev = curve[i - 1]
                frac = (target - f_prev) / (f - f_prev) if f > f_prev else 1.0
                return budgets[i - 1] + frac * (budgets[i] - budgets[i - 1])
        return None

    savings, reached = [], {"uncertainty": 0, "random": 0}
    for u, r in zip(curves["uncertainty"], curves["random"]):
        nu, nr = needed(u), needed(r)
        reached["uncertainty"] += nu is not None
        reached["random"] += nr is not None
        nu = nu if nu is not None else float(budgets[-1])
        nr = nr if nr is not None else float(budgets[-1])
        savings.append(1 - nu / nr)
    return savings, reached


def active_learning(genre: str, start_dir: Path, *, repeats: int, budgets: list[int], pool_size: int,
                    epochs: int, target_fraction: float, seed: int, test_size: int | None = None,
                    replay: int = 0, weight: int = 3, anchor: float = 0.0, interpolate: float = 1.0,
                    acquisition: str = "person") -> dict:
    """Uncertainty against random ordering (module docstring, step 5).

    ``replay``: records of each corpus the starting model was trained on, mixed into every
    fine-tuning as ``kaifang train`` does (``training.dataset.replay_sample``), the labelled
    documents repeated ``weight`` times (``confirmed_weight``) and the weights held toward the
    starting model's by ``anchor`` (``[ner] anchor``, L2-SP) and saved at ``interpolate`` of the way
    from the starting weights (``[ner] interpolate``, WiSE-FT). Without replay a fine-tuning on 10-40
    posts of a new genre leaves the tagger worse than where it started, and the curves measure
    forgetting rather than which documents teach most."""
    from dataclasses import replace

    import torch

    from models.recognizers.char_tagger import CharTagger
    from training.dataset import corpus_train_records, replay_sample
    from training.ner.train import TrainConfig, train_tagger
    from training.retrain import parent_corpora

    torch.set_num_threads(THREADS[0])
    start = CharTagger.load(start_dir / "ner" / "tagger")
    test = _dev(genre)
    if test_size:
        random.Random(f"al-test-{seed}").shuffle(test)
        test = test[:test_size]
    base_cfg = replace(TrainConfig(), labels=tuple(start.config.labels), max_len=start.config.max_len,
                       lexicon=bool(start.config.lexicon), epochs=epochs, patience=0, lr=1e-3, batch_size=16,
                       anchor=anchor, interpolate=interpolate)
    curves: dict[str, list[list[float]]] = {"uncertainty": [], "random": []}
    f1_start = _tagger_f1(start, test)
    t0 = time.time()
    for rep in range(repeats):
        pool = corpus_train_records(genre)
        random.Random(f"al-{seed}-{rep}").shuffle(pool)
        pool = pool[:pool_size]
        seed_docs, rest = pool[:budgets[0]], pool[budgets[0]:]
        names = [c for c in parent_corpora(start_dir) if c != genre]
        replayed = replay_sample(names, replay, rep, exclude_texts={r["text"] for r in pool}) if replay else []

        def mix(docs: list[dict]) -> list[dict]:
            return [r for r in docs for _ in range(weight if replay else 1)] + replayed

        work = Path(tempfile.mkdtemp(prefix="kaifang-al-"))
        # round 0 (the seed documents, random) is shared by both strategies
        train_tagger(mix(seed_docs), [], work / "r0", seed=rep, config=base_cfg, warm_start=start, progress=False)
        r0 = CharTagger.load(work / "r0")
        f0 = _tagger_f1(r0, test)
        for strategy in ("uncertainty", "random"):
            labelled, remaining, model, curve = list(seed_docs), list(rest), r0, [f0]
            order_rng = random.Random(f"al-order-{seed}-{rep}")
            for b in budgets[1:]:
                k = b - len(labelled)
                if strategy == "uncertainty":
                    scores = ACQUISITIONS[acquisition](model, [r["text"] for r in remaining])
                    ranked = sorted(range(len(remaining)), key=lambda i: -scores[i])
                else:
                    ranked = list(range(len(remaining)))
                    order_rng.shuffle(ranked)
                picked = set(ranked[:k])
                labelled += [remaining[i] for i in sorted(picked)]
                remaining = [r for i, r in enumerate(remaining) if i not in picked]
                out = work / f"{strategy}-{b}"
                train_tagger(mix(labelled), [], out, seed=rep, config=base_cfg, warm_start=start, progress=False)
                model = CharTagger.load(out)
                curve.append(_tagger_f1(model, test))
            curves[strategy].append(curve)
        shutil.rmtree(work, ignore_errors=True)
        log(f"active learning repeat {rep + 1}/{repeats}: uncertainty {curves['uncertainty'][-1]}, "
            f"random {curves['random'][-1]} ({time.time() - t0:.0f} s)")
    final_random = statistics.mean(c[-1] for c in curves["random"])
    target = target_fraction * final_random
    savings, reached = label_savings(curves, budgets, target)
    # the same curves read at other targets: a target inside the seed round's spread is reached by
    # both strategies at the first budget in some repeats, and those repeats then say nothing
    by_target = {}
    for frac in sorted({0.9, 0.95, 1.0, target_fraction}):
        s, r = label_savings(curves, budgets, frac * final_random)
        by_target[f"{frac:g}"] = {"target_f1": round(frac * final_random, 4), "mean": round(statistics.mean(s), 4),
                                  "sd": round(statistics.stdev(s), 4) if len(s) > 1 else 0.0,
                                  "per_repeat": [round(x, 4) for x in s], "reached_target": r}

    def band(cs: list[list[float]]) -> dict:
        cols = list(zip(*cs))
        return {"mean": [round(statistics.mean(c), 4) for c in cols],
                "sd": [round(statistics.stdev(c), 4) if len(c) > 1 else 0.0 for c in cols]}

    return {"genre": genre, "test": f"{genre} dev ({len(test)} documents), PERSON F1 of the tagger",
            "budgets": budgets, "pool": pool_size, "epochs": epochs, "repeats": repeats,
            "replay_per_corpus": replay, "labelled_weight": weight if replay else 1, "anchor": anchor,
            "interpolate": interpolate, "acquisition": acquisition,
            "start_f1": round(f1_start, 4), "target_f1": round(target, 4), "target_fraction": target_fraction,
            "curves": {k: band(v) for k, v in curves.items()}, "raw": curves,
            "label_saving_per_repeat": [round(x, 4) for x in savings],
            "label_saving_mean": round(statistics.mean(savings), 4),
            "label_saving_sd": round(statistics.stdev(savings), 4) if len(savings) > 1 else 0.0,
            "reached_target": reached, "saving_by_target": by_target, "seconds": round(time.time() - t0, 1)}


# --------------------------------------------------------------------------- report


def plot(result: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
    al = result.get("active_learning")
    ax = axes[0]
    if al:
        x = al["budgets"]
        for name, colour in (("uncertainty", "tab:red"), ("random", "tab:blue")):
            m, sd = al["curves"][name]["mean"], al["curves"][name]["sd"]
            ax.plot(x, m, marker="o", color=colour, label=f"{name} (mean of {al['repeats']})")
            ax.fill_between(x, [a - b for a, b in zip(m, sd)], [a + b for a, b in zip(m, sd)], color=colour,
                            alpha=0.15)
        ax.axhline(al["target_f1"], color="grey", linestyle="--", label="target")
        ax.axhline(al["start_f1"], color="black", linestyle=":", label="starting model")
        ax.set_xlabel(f"{al['genre']} documents labelled")
        ax.set_ylabel(f"PERSON F1, {al['genre']} dev")
        ax.set_title("Active learning: labels against F1")
        ax.legend(fontsize=8)
    else:
        ax.axis("off")
        ax.text(0.5, 0.5, "active learning: not run in this result", ha="center", va="center")
    ax = axes[1]
    genres = list(result["by_genre"])
    xs = range(len(genres))
    before = [result["by_genre"][g]["target_before"] for g in genres]
    after = [result["by_genre"][g]["target_after"] for g in genres]
    ax.bar([i - 0.2 for i in xs], before, width=0.4, label="starting model (genre left out)")
    ax.bar([i + 0.2 for i in xs], after, width=0.4, label=f"after {result['docs']} confirmed documents")
    ax.set_xticks(list(xs), [f"{g} dev" for g in genres])
    ax.set_ylabel("PERSON F1")
    ax.set_title("Learning a new genre (warm start + replay)")
    ax.legend(fontsize=8)
    fig.suptitle("Kaifang learning loop" + (" (quick recipe)" if result["quick"] else ""))
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)


def summarise(result: dict) -> dict:
    """The issue's top-level keys (the first genre's figures) in front of the details."""
    top = result["by_genre"].get(result["genre"]) or {}
    wrong, al = result.get("wrong_reviews"), result.get("active_learning")
    return {"target_before": top.get("target_before"), "target_after": top.get("target_after"),
            "others_before": top.get("others_before"), "others_after": top.get("others_after"),
            "retrain_seconds": top.get("retrain_seconds"),
            "wrong_reviews_promoted": wrong["promoted"] if wrong else None,
            "al_label_saving": al["label_saving_mean"] if al else None, "al_repeats": al["repeats"] if al else 0,
            **{k: v for k, v in result.items() if k not in SUMMARY_KEYS}}


SUMMARY_KEYS = ("target_before", "target_after", "others_before", "others_after", "retrain_seconds",
                "wrong_reviews_promoted", "al_label_saving", "al_repeats")


def merge(paths: list[Path], out: Path, png: Path) -> int:
    """One result from parts run as separate processes (learning runs per genre, active learning)."""
    parts = [json.loads(Path(p).read_text(encoding="utf-8")) for p in paths]
    base = dict(parts[0])
    base["parts"] = [str(p) for p in paths]
    for other in parts[1:]:
        for genre, figures in other.get("by_genre", {}).items():
            base["by_genre"].setdefault(genre, figures)
        for key in ("wrong_reviews", "active_learning"):
            if base.get(key) is None and other.get(key) is not None:
                base[key] = other[key]
        base["seconds"] = max(base.get("seconds") or 0, other.get("seconds") or 0)
    if base["genre"] not in base["by_genre"] and base["by_genre"]:
        base["genre"] = next(iter(base["by_genre"]))
    result = summarise(base)
    write_json_atomic(out, result)
    plot(result, png)
    print(json.dumps({k: result[k] for k in SUMMARY_KEYS}, ensure_ascii=False, indent=1))
    return 0


def write_json_atomic(path: Path, obj: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    tmp.write_text(json.dumps(obj, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--quick", action="store_true", help="reduced starting-model recipe (see the docstring)")
    ap.add_argument("--genres", default="weibo,resume", help="genres to learn, comma-separated (weibo, resume)")
    ap.add_argument("--docs", type=int, default=200, help="documents the simulated reviewers confirm")
    ap.add_argument("--no-wrong-run", action="store_true", help="skip the wrong-review run")
    ap.add_argument("--al-repeats", type=int, default=5, help="active-learning repeats (0: skip)")
    ap.add_argument("--al-budgets", default="20,40,80,160", help="cumulative labelled documents per round")
    ap.add_argument("--al-pool", type=int, default=500)
    ap.add_argument("--al-epochs", type=int, default=3)
    ap.add_argument("--al-replay", type=int, default=100,
                    help="replay records per corpus of the starting model in each fine-tuning (0: none)")
    ap.add_argument("--al-test", type=int, default=None, help="a seeded sample of the dev split (default: all)")
    ap.add_argument("--al-acquisition", choices=sorted(ACQUISITIONS), default="person",
                    help="the uncertainty strategy's score: doubt about PERSON membership (default) or over all tags")
    ap.add_argument("--al-target", type=float, default=0.95, help="target = this x random's F1 at the last budget")
    ap.add_argument("--retrain-config", default=None,
                    help="a `kaifang train --config` file for the learning runs (default: the shipped retrain.toml)")
    ap.add_argument("--threads", type=int, default=1,
                    help="torch threads for the starting models and active learning (the retraining "
                         "uses retrain.toml's [train] threads)")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, default=ROOT / "benchmarks" / "results" / "learning.json")
    ap.add_argument("--png", type=Path, default=ROOT / "benchmarks" / "figures" / "learning_curve.png")
    ap.add_argument("--work", type=Path, default=None, help="where the simulated stores go (default: a temp dir)")
    ap.add_argument("--no-learning", action="store_true", help="skip the learning runs (e.g. active learning only)")
    ap.add_argument("--merge", type=Path, nargs="+", default=None,
                    help="combine result files of parts run separately into --out (no runs)")
    args = ap.parse_args(argv)
    if args.merge:
        return merge(args.merge, args.out, args.png)
    genres = [g.strip() for g in args.genres.split(",") if g.strip()]
    bad = [g for g in genres if g not in ("weibo", "resume")]
    if not genres or bad:
        ap.error(f"--genres: give weibo and/or resume (got {args.genres!r})")
    budgets = [int(x) for x in args.al_budgets.split(",")]
    if args.docs < 10 or budgets != sorted(budgets) or budgets[0] < 1:
        ap.error("--docs must be >= 10 and --al-budgets increasing positive numbers")
    import torch

    THREADS[0] = args.threads
    torch.set_num_threads(args.threads)
    work = args.work or Path(tempfile.mkdtemp(prefix="kaifang-learning-"))
    t_all = time.time()
    by_genre: dict[str, dict] = {}
    starts = {}
    for genre in ([] if args.no_learning else genres):
        start = build_start_model(genre, CACHE / f"start-minus-{genre}{'-quick' if args.quick else ''}",
                                  quick=args.quick, seed=args.seed)
        starts[genre] = start
        run = learning_run(genre, start, work, n_docs=args.docs, wrong=False, seed=args.seed,
                           config=args.retrain_config)
        dev = _dev(genre)
        b_scores, a_scores = person_scores(start, dev), person_scores(Path(run["candidate"]), dev)
        before, after = b_scores["f1"], a_scores["f1"]
        frozen = run["gate"].get("frozen", {})
        others = {n: v for n, v in frozen.items() if n != f"{genre}_dev" and v["current"].get("span_f1") is not None}
        by_genre[genre] = {
            "target_before": before, "target_after": after, "target_gain_se": gain_se(b_scores, a_scores),
            "target_person_support": sum(tp + fn for tp, _, fn in b_scores["per_doc"] or []),
            "others_before": {n: v["current"]["span_f1"] for n, v in others.items()},
            "others_after": {n: v["candidate"]["span_f1"] for n, v in others.items()},
            "retrain_seconds": run["retrain_seconds"], "retrain_cpu_seconds": run["job_cpu_seconds"],
            "retrain_load_average": run["load_average"], "retrain_phases": run["phases"],
            "promoted": run["promoted"], "reviewed": run["reviewed"],
            "gate_message": run["message"], "gate": run["gate"], "start_model": start.name}
        log(f"{genre}: PERSON F1 on dev {before:.4f} -> {after:.4f} (SE of the gain "
            f"{by_genre[genre]['target_gain_se']}); promoted {run['promoted']}; "
            f"{run['retrain_seconds']} s")
    first = genres[0]
    if first not in starts:
        starts[first] = build_start_model(first, CACHE / f"start-minus-{first}{'-quick' if args.quick else ''}",
                                          quick=args.quick, seed=args.seed)
    wrong = None
    if not args.no_wrong_run:
        w = learning_run(first, starts[first], work, n_docs=args.docs, wrong=True, seed=args.seed,
                         config=args.retrain_config)
        wrong = {"genre": first, "promoted": w["promoted"], "message": w["message"],
                 "retrain_seconds": w["retrain_seconds"], "retrain_cpu_seconds": w["job_cpu_seconds"],
                 "retrain_load_average": w["load_average"],
                 "target_after": person_f1(Path(w["candidate"]), _dev(first))}
        log(f"wrong reviews: promoted {w['promoted']}: {w['message']}")
    al = None
    if args.al_repeats:
        from training.retrain import RetrainConfig, ner_config

        retrain_cfg = RetrainConfig.load(args.retrain_config)  # the fine-tuning kaifang train would run
        al = active_learning(first, starts[first], repeats=args.al_repeats, budgets=budgets, pool_size=args.al_pool,
                             epochs=args.al_epochs, target_fraction=args.al_target, seed=args.seed,
                             test_size=args.al_test, replay=args.al_replay,
                             weight=retrain_cfg.data.confirmed_weight,
                             anchor=ner_config(retrain_cfg.ner_params).anchor,
                             interpolate=ner_config(retrain_cfg.ner_params).interpolate,
                             acquisition=args.al_acquisition)
    result = summarise({
        "genre": first, "docs": args.docs, "quick": args.quick, "by_genre": by_genre, "wrong_reviews": wrong,
        "active_learning": al, "threads": args.threads, "load_average_end": os.getloadavg()[0],
        "seconds": round(time.time() - t_all, 1),
        "note": ("quick starting models (reduced recipe: corpora capped at 1200 records, 3 epochs of batch 16, no pre-trained "
                 "embeddings, silver or augmentation)" if args.quick else "default recipe minus the genre"),
    })
    write_json_atomic(args.out, result)
    if by_genre:
        plot(result, args.png)
    log(f"wrote {args.out} and {args.png} ({result['seconds']} s)")
    print(json.dumps({k: result[k] for k in SUMMARY_KEYS}, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
