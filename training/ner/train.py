"""Fine-tune the character BiLSTM-CRF on SCHEMA.md records.

Reproducible by construction: a fixed number of epochs (never "as many as fit in N minutes"),
seeded shuffling and initialisation, one or two torch threads. The best epoch on the dev records
is kept (selection by dev micro F1), and the tagger directory is written atomically.
"""
from __future__ import annotations

import json
import math
import random
import sys
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Callable, Sequence

import numpy as np
import torch

from models.recognizers.char_tagger import CharTagger, CharVocab, TaggerConfig
from models.recognizers.neural import NEURAL_LABELS
from training.ner.data import (EncodedExamples, Example, length_bucketed_batches,
                               records_to_examples)
from training.ner.metrics import span_prf


@dataclass
class TrainConfig:
    """Hyper-parameters of one fine-tuning run (saved with the model under ``extra``)."""

    labels: tuple[str, ...] = NEURAL_LABELS
    char_dim: int = 128
    bigram_dim: int = 64
    hidden: int = 128
    layers: int = 1
    dropout: float = 0.3
    max_len: int = 160
    epochs: int = 8
    #: stop after this many epochs without a better selection score (0: run all epochs)
    patience: int = 0
    batch_size: int = 64
    lr: float = 3e-3
    weight_decay: float = 1e-5
    #: fine-tuning only (L2-SP): each step also pulls every weight back toward the warm start's by
    #: lr x anchor x (w - w_start), decoupled from Adam like AdamW's decay toward zero. A few hundred
    #: confirmed documents then move the tagger where they disagree with it, not everywhere: with
    #: Adam's unit-sized steps a weight settles within about 1/anchor of where it started. 0: off
    anchor: float = 0.0
    #: fine-tuning only (WiSE-FT, Wortsman et al. 2022): the saved weights are
    #: w_start + interpolate x (w_best - w_start), a point on the straight line between the parent
    #: and the fine-tuned tagger. Why: the fine-tuned end gains most on the new genre and forgets
    #: most elsewhere; points between keep most of the gain and lose less (benchmarks/learning_bench.py).
    #: 1: the fine-tuned weights as they are
    interpolate: float = 1.0
    clip: float = 5.0
    threads: int = 2
    max_chars: int = 8000
    max_bigrams: int = 40000
    fp16: bool = True
    eval_batch: int = 128
    #: lexicon features (models.lexicon); the caller passes the Lexicon to train_tagger
    lexicon: bool = False
    #: the selection score: micro F1 over these labels (all the tagger's labels when empty)
    select_labels: tuple[str, ...] = ()

    @classmethod
    def tiny(cls) -> "TrainConfig":
        """Seconds on a laptop: for tests."""
        return cls(char_dim=16, bigram_dim=8, hidden=16, epochs=3, batch_size=8, lr=1e-2,
                   max_chars=2000, max_bigrams=2000, fp16=False, max_len=64, threads=1)


def set_seed(seed: int) -> None:
    random.seed(seed)
    torch.manual_seed(seed)


def build_vocab(examples: Sequence[Example], extra_texts: Sequence[str], cfg: TrainConfig
                ) -> CharVocab:
    texts = [e.text for e in examples] + list(extra_texts)
    return CharVocab.build(texts, max_chars=cfg.max_chars, max_bigrams=cfg.max_bigrams,
                           min_char_count=1 if len(texts) < 1000 else 2,
                           min_bigram_count=1 if len(texts) < 1000 else 3)


def evaluate(model: CharTagger, records: Sequence[dict], batch_size: int = 128) -> dict:
    """Exact-span scores of ``model`` on whole records (windowed like at inference)."""
    from models.recognizers.char_tagger import chunk_bounds
    from training.ner.data import record_labels_annotated

    labels = model.config.labels
    model.eval()
    windows = []
    for ri, rec in enumerate(records):
        for s, e in chunk_bounds(rec["text"], model.config.max_len):
            windows.append((ri, s, e))
    windows.sort(key=lambda w: w[2] - w[1])
    pred: list[set] = [set() for _ in records]
    for b in range(0, len(windows), batch_size):
        part = windows[b:b + batch_size]
        out = model.predict_texts([records[ri]["text"][s:e] for ri, s, e in part])
        for (ri, ws, _), spans in zip(part, out):
            pred[ri].update((ws + s, ws + e, lab) for s, e, lab, _ in spans)
    gold = [{(int(s["start"]), int(s["end"]), s["label"]) for s in r.get("spans", [])
             if s["label"] in labels} for r in records]
    annotated = [record_labels_annotated(r, labels) for r in records]
    return span_prf(gold, pred, annotated)


def selection_score(dev: dict, labels: Sequence[str]) -> float:
    """Micro F1 over ``labels`` from per-label counts (all labels when empty)."""
    if not dev:
        return 0.0
    if not labels:
        return dev.get("micro", {}).get("f1", 0.0)
    tp = sum(dev[lab]["tp"] for lab in labels if lab in dev)
    n_pred = sum(dev[lab]["n_pred"] for lab in labels if lab in dev)
    n_gold = sum(dev[lab]["support"] for lab in labels if lab in dev)
    return 2 * tp / (n_pred + n_gold) if n_pred + n_gold else 0.0


def init_embeddings(model: CharTagger, char_vectors=None, bigram_vectors=None) -> dict:
    """Copy pre-trained vectors (``training.ner.embeddings``) into the embedding tables.

    Vectors are rescaled to unit standard deviation (the scale of the random rows they sit
    beside). Returns how many rows each table received.
    """
    out = {}
    for name, table, vectors, items in (
            ("chars", model.char_emb, char_vectors, model.vocab.chars),
            ("bigrams", model.bigram_emb, bigram_vectors, model.vocab.bigrams)):
        if vectors is None:
            continue
        if vectors.dim != table.embedding_dim:
            raise ValueError(f"pre-trained {name} vectors have dimension {vectors.dim}, the "
                             f"tagger {table.embedding_dim}")
        rows = [(i, vectors.get(item)) for i, item in enumerate(items) if i >= 4]
        rows = [(i, v) for i, v in rows if v is not None]
        if rows:
            idx = torch.tensor([i for i, _ in rows])
            mat = torch.tensor(np.stack([v for _, v in rows]), dtype=torch.float32)
            mat = mat / mat.std().clamp_min(1e-6)
            with torch.no_grad():
                table.weight[idx] = mat
        out[name] = len(rows)
    return out


def train_tagger(train_records: Sequence[dict], dev_records: Sequence[dict],
                 out_dir: str | Path, seed: int = 0, config: TrainConfig | None = None, *,
                 vocab: CharVocab | None = None,
                 extra_vocab_texts: Sequence[str] = (), progress: bool = True,
                 log_path: str | Path | None = None, lexicon=None, char_vectors=None,
                 bigram_vectors=None, warm_start: CharTagger | None = None,
                 on_epoch: Callable[[int, int, dict], None] | None = None) -> dict:
    """Train, keep the best dev epoch, save the tagger to ``out_dir``; return metrics.

    ``lexicon``: the ``models.lexicon.Lexicon`` whose features the tagger reads (``cfg.lexicon``).
    ``char_vectors``/``bigram_vectors``: pre-trained embeddings (``training.ner.embeddings``).
    ``warm_start``: an existing tagger to fine-tune (its vocabulary, lexicon and weights).
    ``on_epoch(epoch, epochs, entry)``: called after each epoch (a job's progress report).
    """
    cfg = config or TrainConfig()
    if not train_records:
        raise ValueError("train_tagger needs at least one training record")
    if cfg.lexicon and lexicon is None and warm_start is None:
        raise ValueError("TrainConfig.lexicon is set: pass lexicon=models.lexicon.Lexicon")
    if cfg.anchor < 0:
        raise ValueError(f"TrainConfig.anchor must be >= 0, got {cfg.anchor}")
    if not 0.0 < cfg.interpolate <= 1.0:
        raise ValueError(f"TrainConfig.interpolate must be in (0, 1], got {cfg.interpolate}")
    torch.set_num_threads(max(1, min(2, cfg.threads)))
    set_seed(seed)
    t0 = time.time()
    examples = records_to_examples(train_records, cfg.labels, cfg.max_len)
    if not examples:
        raise ValueError("no training window with text: check the records' 'text' fields")
    if warm_start is not None:
        vocab, lexicon = warm_start.vocab, warm_start.lexicon
        if list(warm_start.config.labels) != list(cfg.labels):
            raise ValueError(f"warm start from a tagger with labels {warm_start.config.labels},"
                             f" asked for {list(cfg.labels)}")
    if vocab is None:
        vocab = build_vocab(examples, extra_vocab_texts, cfg)
    if warm_start is not None:
        tcfg = TaggerConfig(**{k: v for k, v in asdict(warm_start.config).items()
                               if k != "extra"})
    else:
        tcfg = TaggerConfig(labels=list(cfg.labels), char_dim=cfg.char_dim,
                            bigram_dim=cfg.bigram_dim, hidden=cfg.hidden, layers=cfg.layers,
                            dropout=cfg.dropout, max_len=cfg.max_len, lexicon=cfg.lexicon)
    model = CharTagger(tcfg, vocab, lexicon if tcfg.lexicon else None)
    facts: dict = {}
    start_state = ({k: v.float() for k, v in warm_start.state_dict().items()}
                   if warm_start is not None else None)
    if start_state is not None:
        model.load_state_dict(start_state)
        facts["warm_start"] = True
        if cfg.anchor > 0:
            facts["anchor"] = cfg.anchor
    else:
        facts["pretrained_rows"] = init_embeddings(model, char_vectors, bigram_vectors)
    data = EncodedExamples.build(examples, vocab, tcfg.tags, model.lexicon)
    anchored = ([(p, p.detach().clone()) for p in model.parameters()]
                if warm_start is not None and cfg.anchor > 0 else [])
    opt = torch.optim.AdamW(model.parameters(), lr=cfg.lr, weight_decay=cfg.weight_decay)
    rng = random.Random(seed)
    steps_per_epoch = math.ceil(len(examples) / cfg.batch_size)
    total = steps_per_epoch * cfg.epochs
    warmup = 1 if warm_start is not None else max(1, total // 20)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / warmup) * max(0.05, 1 - s / max(1, total)))
    best = (-1.0, None, None)
    history = []
    log = open(log_path, "a", encoding="utf-8") if log_path else None
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=total, desc="train ner", unit="step", mininterval=2.0)
    stale = 0
    try:
        for epoch in range(cfg.epochs):
            model.train()
            losses = []
            for idx in length_bucketed_batches(data.lengths, cfg.batch_size, rng):
                chars, bl, br, lengths, allowed, lex = data.batch(idx)
                loss = model.loss(chars, bl, br, lengths, allowed, lex)
                if not torch.isfinite(loss):
                    raise FloatingPointError(f"non-finite loss at epoch {epoch + 1}; lower lr")
                opt.zero_grad()
                loss.backward()
                torch.nn.utils.clip_grad_norm_(model.parameters(), cfg.clip)
                opt.step()
                if anchored:  # w += pull x (w_start - w), in place
                    pull = min(1.0, opt.param_groups[0]["lr"] * cfg.anchor)
                    with torch.no_grad():
                        for p, p0 in anchored:
                            p.lerp_(p0, pull)
                sched.step()
                losses.append(float(loss.detach()))
                if bar is not None:
                    bar.update(1)
                    bar.set_postfix(epoch=epoch + 1, loss=f"{losses[-1]:.3f}")
            with torch.inference_mode():
                dev = evaluate(model, dev_records, cfg.eval_batch) if dev_records else {}
            f1 = selection_score(dev, cfg.select_labels) if dev else float(epoch)
            entry = {"epoch": epoch + 1, "loss": round(sum(losses) / len(losses), 4),
                     "dev": dev, "select_f1": round(f1, 4),
                     "seconds": round(time.time() - t0, 1)}
            history.append(entry)
            if log:
                log.write(json.dumps(entry, ensure_ascii=False) + "\n")
                log.flush()
            if on_epoch is not None:
                on_epoch(epoch + 1, cfg.epochs, entry)
            if progress:
                print(f"epoch {epoch + 1}: loss {entry['loss']} select F1 {f1:.4f} "
                      f"({entry['seconds']}s)", file=sys.stderr)
            if f1 > best[0]:
                best = (f1, {k: v.detach().clone() for k, v in model.state_dict().items()},
                        entry)
                stale = 0
            else:
                stale += 1
                if cfg.patience and stale >= cfg.patience:
                    break
    finally:
        if bar is not None:
            bar.close()
        if log:
            log.close()
    model.load_state_dict(best[1])
    if start_state is not None and cfg.interpolate < 1.0:
        with torch.no_grad():
            for k, v in model.state_dict().items():
                if v.is_floating_point():
                    v.copy_(start_state[k] + cfg.interpolate * (v - start_state[k]))
        facts["interpolate"] = cfg.interpolate
        if dev_records:  # the dev score of the weights that are saved, beside the best epoch's
            with torch.inference_mode():
                facts["dev_select_f1_interpolated"] = round(
                    selection_score(evaluate(model, dev_records, cfg.eval_batch), cfg.select_labels), 4)
    model.eval()
    seconds = round(time.time() - t0, 1)
    metrics = {"best_epoch": best[2]["epoch"], "dev": best[2]["dev"], "train_seconds": seconds,
               "train_windows": len(examples), "train_chars": int(sum(data.lengths)),
               "seed": seed, **facts,
               "history": [{k: v for k, v in h.items() if k != "dev"} |
                           {"dev_micro_f1": h["dev"].get("micro", {}).get("f1")} for h in history]}
    model.config.extra = {"train": asdict(cfg) | {"labels": list(cfg.labels)}, "seed": seed,
                          "dev_select_f1": best[0], "train_seconds": seconds}
    save_tagger_atomically(model, Path(out_dir), fp16=cfg.fp16)
    return metrics


def save_tagger_atomically(model: CharTagger, out_dir: Path, *, fp16: bool) -> None:
    """Write into a sibling temp dir, then rename over ``out_dir`` (never a half-written model)."""
    from models.artifacts import atomic_directory

    with atomic_directory(out_dir) as tmp:
        model.save(tmp, fp16=fp16)
