"""Masked-language-model pre-training of the tagger's encoder (embeddings + BiLSTM).

Why: CLUENER's 400k training characters leave most characters and bigrams rare; raw Chinese
text (laws, news transcripts, Wikipedia: ~16 M characters, ``training.corpora.iter_raw_text``)
teaches the embeddings and the BiLSTM what contexts look like before the tagger sees a label.

Objective: 15 % of the characters of each window are selected; 80 % of those become ``<mask>``,
10 % a random character, 10 % stay. Every bigram that touches a selected character is masked
too (otherwise the bigram embedding would leak the answer). The BiLSTM state at each selected
position predicts the original character (softmax over the character vocabulary).

Budget: a fixed number of steps (reproducible), chosen to fit a CPU time budget; the run logs
how long it took. The output directory holds ``encoder.safetensors``, ``encoder.json`` (sizes
and training facts) and ``vocab.json``.
"""
from __future__ import annotations

import json
import random
import time
from pathlib import Path
from typing import Callable, Iterable, Iterator, Sequence

import torch
from torch import nn

from models.recognizers.char_tagger import CharTagger, CharVocab, TaggerConfig, chunk_bounds, \
    encode_batch

ENCODER_PREFIXES = ("char_emb.", "bigram_emb.", "lstm.")
MASK_ID = 2


def raw_windows(paragraphs: Iterable[str], max_len: int, *, limit_chars: int | None = None
                ) -> Iterator[str]:
    """Windows of raw text (cut at sentence ends), until ``limit_chars`` are produced."""
    produced = 0
    for p in paragraphs:
        p = p.strip()
        if len(p) < 8:
            continue
        for s, e in chunk_bounds(p, max_len):
            if e - s >= 8:
                yield p[s:e]
                produced += e - s
                if limit_chars is not None and produced >= limit_chars:
                    return


def mask_batch(chars: torch.Tensor, bl: torch.Tensor, br: torch.Tensor, lengths: torch.Tensor,
               n_chars: int, gen: torch.Generator, rate: float = 0.15):
    """Masked inputs and the (B, T) targets (-100 where nothing is predicted)."""
    b, t = chars.shape
    real = torch.arange(t).unsqueeze(0) < lengths.unsqueeze(1)
    selected = (torch.rand(b, t, generator=gen) < rate) & real & (chars > 3)
    targets = torch.where(selected, chars, torch.full_like(chars, -100))
    r = torch.rand(b, t, generator=gen)
    chars = chars.clone()
    to_mask = selected & (r < 0.8)
    to_rand = selected & (r >= 0.8) & (r < 0.9)
    chars[to_mask] = MASK_ID
    rand_ids = torch.randint(4, n_chars, (b, t), generator=gen)
    chars[to_rand] = rand_ids[to_rand]
    # bigrams that contain a selected character: (prev, it) and (it, next) of it, and the
    # right bigram of the previous character / left bigram of the next one.
    touch = selected.clone()
    bl = bl.clone()
    br = br.clone()
    bl[touch] = MASK_ID
    br[touch] = MASK_ID
    prev_right = torch.zeros_like(touch)
    prev_right[:, :-1] = touch[:, 1:]
    br[prev_right & real] = MASK_ID
    next_left = torch.zeros_like(touch)
    next_left[:, 1:] = touch[:, :-1]
    bl[next_left & real] = MASK_ID
    return chars, bl, br, targets


class MaskedLM(nn.Module):
    def __init__(self, tagger: CharTagger):
        super().__init__()
        self.tagger = tagger
        self.head = nn.Linear(2 * tagger.config.hidden, tagger.vocab.n_chars)

    def forward(self, chars, bl, br, lengths, targets) -> torch.Tensor:
        h = self.tagger.encode(chars, bl, br, lengths)
        sel = targets >= 0
        logits = self.head(h[sel])
        return nn.functional.cross_entropy(logits, targets[sel])


def pretrain_encoder(vocab: CharVocab, paragraphs: Callable[[], Iterable[str]] | Sequence[str],
                     out_dir: str | Path, *,
                     seed: int = 0, steps: int = 600, batch_size: int = 64, max_len: int = 128,
                     lr: float = 2e-3, char_dim: int = 128, bigram_dim: int = 64,
                     hidden: int = 128, layers: int = 1, threads: int = 2,
                     progress: bool = True, log_path: str | Path | None = None) -> dict:
    """Run ``steps`` MLM steps over windows of ``paragraphs``; save the encoder; return facts.

    ``paragraphs`` is a list or a zero-argument callable returning a fresh iterator (such as
    ``training.corpora.iter_raw_text``), so that a long run can start a second pass.
    """
    from models.artifacts import atomic_directory, write_json_atomic

    torch.set_num_threads(max(1, min(2, threads)))
    torch.manual_seed(seed)
    gen = torch.Generator().manual_seed(seed)
    cfg = TaggerConfig(labels=["X"], char_dim=char_dim, bigram_dim=bigram_dim, hidden=hidden,
                       layers=layers, dropout=0.1, max_len=max_len)
    mlm = MaskedLM(CharTagger(cfg, vocab))
    opt = torch.optim.AdamW(mlm.parameters(), lr=lr, weight_decay=1e-5)
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: min(1.0, (s + 1) / max(1, steps // 20)) * max(0.1, 1 - s / steps))
    def passes() -> Iterator[str]:
        while True:
            n = 0
            for w in raw_windows(paragraphs() if callable(paragraphs) else paragraphs, max_len):
                n += 1
                yield w
            if n == 0:
                raise ValueError("pre-training text yielded no window of >= 8 characters")

    windows = passes()
    rng = random.Random(seed)
    t0 = time.time()
    seen_chars = 0
    losses: list[float] = []
    bar = None
    if progress:
        from tqdm import tqdm

        bar = tqdm(total=steps, desc="pretrain mlm", unit="step", mininterval=2.0)
    log = open(log_path, "a", encoding="utf-8") if log_path else None
    buffer: list[str] = []
    mlm.train()
    try:
        for step in range(steps):
            # a shuffled buffer mixes sources without reading everything into memory
            while len(buffer) < batch_size * 20:
                buffer.append(next(windows))
            rng.shuffle(buffer)
            batch_texts, buffer = buffer[:batch_size], buffer[batch_size:]
            chars, bl, br, lengths = encode_batch(vocab, batch_texts)
            chars, bl, br, targets = mask_batch(chars, bl, br, lengths, vocab.n_chars, gen)
            if not (targets >= 0).any():
                continue
            loss = mlm(chars, bl, br, lengths, targets)
            opt.zero_grad()
            loss.backward()
            nn.utils.clip_grad_norm_(mlm.parameters(), 5.0)
            opt.step()
            sched.step()
            seen_chars += int(lengths.sum())
            losses.append(float(loss.detach()))
            if bar is not None:
                bar.update(1)
                bar.set_postfix(loss=f"{losses[-1]:.3f}")
            if log and (step % 50 == 0 or step == steps - 1):
                log.write(json.dumps({"step": step, "loss": round(losses[-1], 4),
                                      "seconds": round(time.time() - t0, 1),
                                      "chars": seen_chars}) + "\n")
                log.flush()
    finally:
        if bar is not None:
            bar.close()
        if log:
            log.close()
    facts = {"steps": steps, "batch_size": batch_size, "max_len": max_len, "seed": seed,
             "chars_seen": seen_chars, "seconds": round(time.time() - t0, 1),
             "loss_first50": round(sum(losses[:50]) / max(1, len(losses[:50])), 4),
             "loss_last50": round(sum(losses[-50:]) / max(1, len(losses[-50:])), 4),
             "char_dim": char_dim, "bigram_dim": bigram_dim, "hidden": hidden, "layers": layers}
    from safetensors.torch import save_file

    state = {k: v.contiguous() for k, v in mlm.tagger.state_dict().items()
             if k.startswith(ENCODER_PREFIXES)}
    with atomic_directory(out_dir) as tmp:
        save_file(state, str(tmp / "encoder.safetensors"), metadata={"format": "pt"})
        write_json_atomic(tmp / "encoder.json", facts)
        (tmp / "vocab.json").write_text(json.dumps(vocab.to_json(), ensure_ascii=False),
                                        encoding="utf-8")
    return facts


def load_encoder(directory: str | Path) -> tuple[CharVocab, dict[str, torch.Tensor], dict]:
    """(vocab, encoder state dict, facts) of a ``pretrain_encoder`` output directory."""
    from safetensors.torch import load_file

    d = Path(directory)
    for f in ("encoder.safetensors", "encoder.json", "vocab.json"):
        if not (d / f).is_file():
            raise FileNotFoundError(f"{d} is not a pre-trained encoder: missing {f}")
    vocab = CharVocab.from_json(json.loads((d / "vocab.json").read_text(encoding="utf-8")))
    facts = json.loads((d / "encoder.json").read_text(encoding="utf-8"))
    state = {k: v.float() for k, v in load_file(str(d / "encoder.safetensors")).items()}
    return vocab, state, facts


def sample_paragraphs(paragraphs: Iterable[str], n_chars: int, seed: int) -> list[str]:
    """A deterministic sample of about ``n_chars`` characters (for building the vocabulary)."""
    rng = random.Random(seed)
    out, total = [], 0
    for p in paragraphs:
        if rng.random() < 0.5:
            out.append(p)
            total += len(p)
            if total >= n_chars:
                break
    return out


def interleave(sources: Sequence[Iterable[str]]) -> Iterator[str]:
    """Round-robin over several paragraph sources (laws, news, wiki) so a short pre-training
    run sees all of them, not only the first file."""
    its = [iter(s) for s in sources]
    while its:
        alive = []
        for it in its:
            nxt = next(it, None)
            if nxt is not None:
                yield nxt
                alive.append(it)
        its = alive
