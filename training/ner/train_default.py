"""Build the default model version's NER: ``python -m training.ner.train_default --seed 0 --out models/default``.

The recipe (seeded, CPU, a tqdm bar per stage):
  1. data: CLUENER2020 train (PERSON/ORG/LOC, partially annotated) + synthetic archival
     documents from the *training* templates (every label). Model selection uses a held-out
     slice of both (never CLUENER dev, never the held-out synthetic templates: those are for
     the benchmark).
  2. vocabulary: characters and bigrams of the training text (+ a raw-text sample when
     pre-training).
  3. optional masked-LM pre-training of the encoder on ``training.corpora.iter_raw_text``
     (``--pretrain-steps``; 0 = none).
  4. fine-tuning of the BiLSTM-CRF for a fixed number of epochs; best held-out epoch kept.
  5. write ``OUT/ner`` (pipeline.json, rules.toml, tagger/ in fp16 safetensors) atomically
     and merge ``OUT/manifest.json`` (other components, e.g. ``decision/``, are kept).

``--tiny`` trains a toy model in seconds (tests, smoke runs).
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
from pathlib import Path

from training.ner.train import TrainConfig, train_tagger

DEFAULTS = {"synth_docs": 1200, "epochs": 4, "pretrain_steps": 0, "cluener_holdout": 600,
            "synth_holdout": 150}


def load_training_data(*, seed: int, synth_docs: int, cluener_holdout: int, synth_holdout: int,
                       cluener_limit: int | None = None) -> tuple[list[dict], list[dict], dict]:
    """(train, held-out for selection, description) from CLUENER train + synthetic train split."""
    from training.corpora import load_cluener
    from training.synth import generate_documents

    cluener = list(load_cluener("train"))
    rng = random.Random(seed)
    rng.shuffle(cluener)
    if cluener_limit is not None:
        cluener = cluener[:cluener_limit + cluener_holdout]
    c_hold, c_train = cluener[:cluener_holdout], cluener[cluener_holdout:]
    synth = generate_documents(synth_docs + synth_holdout, seed=seed, split="train")
    s_hold, s_train = synth[:synth_holdout], synth[synth_holdout:]
    desc = {"cluener_train": len(c_train), "cluener_holdout": len(c_hold),
            "synth_train": len(s_train), "synth_holdout": len(s_hold), "synth_seed": seed}
    return c_train + s_train, c_hold + s_hold, desc


def default_rules_config() -> Path | None:
    p = Path(__file__).resolve().parents[2] / "models" / "configs" / "rules.toml"
    return p if p.is_file() else None


def build(out: Path, *, seed: int, tiny: bool, epochs: int | None, synth_docs: int | None,
          pretrain_steps: int | None, threads: int, version: str | None,
          cluener_limit: int | None = None, init_from: Path | None = None) -> dict:
    from models.artifacts import (MANIFEST, directory_size, fingerprint_records, make_manifest,
                                  new_version_name, read_manifest, update_manifest,
                                  write_manifest)
    from models.pipeline import save_pipeline

    t0 = time.time()
    cfg = TrainConfig.tiny() if tiny else TrainConfig()
    cfg.threads = threads
    cfg.epochs = epochs if epochs is not None else (cfg.epochs if tiny else DEFAULTS["epochs"])
    n_synth = synth_docs if synth_docs is not None else (40 if tiny else DEFAULTS["synth_docs"])
    steps = pretrain_steps if pretrain_steps is not None else (0 if tiny else
                                                              DEFAULTS["pretrain_steps"])
    train, hold, desc = load_training_data(
        seed=seed, synth_docs=n_synth, cluener_holdout=60 if tiny else DEFAULTS["cluener_holdout"],
        synth_holdout=10 if tiny else DEFAULTS["synth_holdout"],
        cluener_limit=300 if tiny else cluener_limit)
    print(f"data: {json.dumps(desc)} ({time.time() - t0:.0f}s)", file=sys.stderr)
    work = Path(tempfile.mkdtemp(prefix="kaifang-ner-"))
    pre_facts = None
    if init_from is not None and steps > 0:
        raise ValueError("give either --init-from (an existing encoder) or --pretrain-steps")
    if init_from is not None:
        from training.ner.pretrain import load_encoder

        pre_facts = dict(load_encoder(init_from)[2], reused_from=str(init_from))
    if steps > 0:
        from training.corpora import iter_raw_text
        from training.ner.data import records_to_examples
        from training.ner.pretrain import pretrain_encoder, sample_paragraphs
        from training.ner.train import build_vocab

        raw_sample = sample_paragraphs(iter_raw_text(), 2_000_000, seed)
        vocab = build_vocab(records_to_examples(train, cfg.labels, cfg.max_len), raw_sample, cfg)
        pre_facts = pretrain_encoder(vocab, iter_raw_text, work / "encoder", seed=seed,
                                     steps=steps, char_dim=cfg.char_dim,
                                     bigram_dim=cfg.bigram_dim, hidden=cfg.hidden,
                                     layers=cfg.layers, threads=threads)
        init_from = work / "encoder"
    metrics = train_tagger(train, hold, work / "tagger", seed=seed, config=cfg,
                           init_from=init_from, log_path=work / "train.log")
    if pre_facts is not None:
        metrics["pretrain"] = pre_facts
    out = Path(out)
    existing = None
    if (out / MANIFEST).is_file():
        existing = read_manifest(out)
    name = version or (existing["version"] if existing else new_version_name())
    # int8 dynamic quantisation at inference: measured in benchmarks/ner_bench.py at 1.33x the
    # fp32 speed for -0.001 micro F1 on CLUENER dev (tiny models stay fp32: nothing to gain)
    save_pipeline(out / "ner", tagger_dir=work / "tagger", rules_config=default_rules_config(),
                  version=name, quantize=not tiny)
    component = {"path": "ner", "backend": "char_tagger", "seed": seed, "tiny": tiny,
                 "recipe": {"epochs": cfg.epochs, "synth_docs": n_synth,
                            "pretrain_steps": steps, "threads": threads},
                 "data": desc, "heldout_f1": metrics["dev"].get("micro", {}).get("f1"),
                 "train_seconds": round(time.time() - t0, 1)}
    fp = fingerprint_records(train)
    if existing:
        update_manifest(out, version=name, components={"ner": component},
                        metrics={"ner_heldout": metrics["dev"]}, data_fingerprint=fp)
    else:
        write_manifest(out, make_manifest(version=name, data_fingerprint=fp,
                                          metrics={"ner_heldout": metrics["dev"]},
                                          components={"ner": component}))
    import shutil

    shutil.rmtree(work, ignore_errors=True)
    summary = {"out": str(out), "version": name, "seconds": round(time.time() - t0, 1),
               "size_bytes": directory_size(out / "ner"), "heldout": metrics["dev"],
               "best_epoch": metrics["best_epoch"], "history": metrics["history"],
               "pretrain": pre_facts}
    return summary


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--out", type=Path, required=True, help="model-version directory to write")
    ap.add_argument("--tiny", action="store_true", help="toy model in seconds (tests)")
    ap.add_argument("--epochs", type=int, default=None)
    ap.add_argument("--synth-docs", type=int, default=None)
    ap.add_argument("--pretrain-steps", type=int, default=None,
                    help="masked-LM pre-training steps before fine-tuning (0 = none)")
    ap.add_argument("--init-from", type=Path, default=None,
                    help="an encoder directory written by training.ner.pretrain (instead of "
                         "--pretrain-steps)")
    ap.add_argument("--threads", type=int, default=2, choices=(1, 2))
    ap.add_argument("--version", default=None, help="version name (default: keep or new)")
    ap.add_argument("--cluener-limit", type=int, default=None, help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.seed < 0:
        ap.error("--seed must be >= 0")
    summary = build(args.out, seed=args.seed, tiny=args.tiny, epochs=args.epochs,
                    synth_docs=args.synth_docs, pretrain_steps=args.pretrain_steps,
                    threads=args.threads, version=args.version,
                    cluener_limit=args.cluener_limit, init_from=args.init_from)
    print(json.dumps(summary, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
