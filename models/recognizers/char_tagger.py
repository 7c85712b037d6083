"""The CPU character tagger: char + bigram embeddings, a BiLSTM, and a BIOES CRF.

Why this shape: on 2 CPU cores a small transformer trained from scratch lost to spaCy's CNN
(../shared/ENVIRONMENT.md), while BiLSTM-CRF taggers with character *and* bigram embeddings are
the classic strong recipe for Chinese NER (bigrams give the word-boundary signal a character
model lacks). The CRF keeps entity boundaries consistent; its transition matrix is masked so that
decoding can only produce well-formed BIOES sequences.

Partial annotation: a corpus such as CLUENER annotates only PERSON/ORG/LOC. A character it marks
``O`` may still be HEALTH for all it knows, so the loss is the *constrained* CRF likelihood
(``-log sum over tag paths allowed by the annotation``): for an ``O`` character of such a record
the allowed tags are ``O`` plus every tag of a label the record does not annotate.

The module lives in ``models`` (not ``training``) because inference needs it and ``models`` must
not import ``training``. Nothing here does I/O except ``save``/``load``; weights are safetensors,
vocabulary and configuration JSON, never pickle.
"""
from __future__ import annotations

import json
import sys
import unicodedata
from collections import deque
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Iterable, Iterator, Sequence

import numpy as np
import torch
from torch import _VF, nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

PAD, UNK, MASK, BOUNDARY = "<pad>", "<unk>", "<mask>", "<s>"
SPECIALS = (PAD, UNK, MASK, BOUNDARY)
NEG = -1.0e4  # "impossible" score: finite so that fp16/fp32 sums never overflow to nan

TAGGER_FILES = ("config.json", "vocab.json", "model.safetensors")

#: batches ``predict_stream`` keeps queued for the LSTM beyond the one being finished. Why more
#: than one: batches are uneven (long windows first, then short; the pipeline's rules run when
#: the next documents are pulled), and with a single batch ahead the LSTM idled through every
#: heavy Python step and the Python through every heavy LSTM step.
STREAM_AHEAD = 4
#: the GIL switch interval while a stream runs (Python's default is 5 ms): the LSTM thread takes
#: the GIL back between its torch calls, and at 5 ms a turn it waited for the Python half
#: through most of them. Measured on the benchmark sets, 2 cores: 4 ahead and 1 ms read
#: 76-83k chars/s (medians of 4 interleaved passes) where 1 ahead and 5 ms read 70-71k.
STREAM_SWITCH_INTERVAL = 0.001


def fold_char(ch: str) -> str:
    """The feature form of one character: width-folded, lower-case, every digit the same.

    Full-width ``１`` and ``Ａ`` become ``1``/``a``; all digits become ``0`` so that a model never
    memorises particular numbers. Always returns one code point, so offsets stay 1:1.
    """
    if ch.isdigit():
        return "0"
    folded = unicodedata.normalize("NFKC", ch)
    if len(folded) != 1:
        return ch
    if folded.isdigit():
        return "0"
    return folded.lower()


class _FoldTable(dict):
    """``str.translate`` table of ``fold_char``, filled on first sight of a code point: the
    translation then runs in C for every character already seen."""

    def __missing__(self, code: int) -> str:
        folded = fold_char(chr(code))
        if len(self) < 200_000:
            self[code] = folded
        return folded


_FOLD_TABLE = _FoldTable()


def fold_text(text: str) -> list[str]:
    """``fold_char`` of every character (one output per input character)."""
    return list(text.translate(_FOLD_TABLE))


@dataclass
class CharVocab:
    """Character and bigram tables. Ids 0..3 are the specials in ``SPECIALS`` order."""

    chars: list[str]
    bigrams: list[str]

    def __post_init__(self) -> None:
        self._char_id = {c: i for i, c in enumerate(self.chars)}
        self._bigram_id = {b: i for i, b in enumerate(self.bigrams)}

    @classmethod
    def build(cls, texts: Iterable[str], *, min_char_count: int = 2, max_chars: int = 8000,
              min_bigram_count: int = 3, max_bigrams: int = 40000) -> "CharVocab":
        """Most frequent folded characters and bigrams of ``texts`` (ties broken by the string)."""
        from collections import Counter

        cc: Counter[str] = Counter()
        bc: Counter[str] = Counter()
        for t in texts:
            f = fold_text(t)
            cc.update(f)
            padded = [BOUNDARY] + f + [BOUNDARY]
            bc.update(_bigram(a, b) for a, b in zip(padded, padded[1:]))
        chars = [c for c, n in sorted(cc.items(), key=lambda x: (-x[1], x[0]))
                 if n >= min_char_count and not c.isspace()][:max_chars]
        bigrams = [b for b, n in sorted(bc.items(), key=lambda x: (-x[1], x[0]))
                   if n >= min_bigram_count][:max_bigrams]
        return cls(list(SPECIALS) + chars, list(SPECIALS) + bigrams)

    @property
    def n_chars(self) -> int:
        return len(self.chars)

    @property
    def n_bigrams(self) -> int:
        return len(self.bigrams)

    def encode(self, text: str) -> tuple[list[int], list[int], list[int]]:
        """Per character: its id, the id of (previous, it) and of (it, next) bigrams."""
        f = fold_text(text)
        if not f:
            return [], [], []
        cid, bid, unk = self._char_id, self._bigram_id, 1
        chars = [cid.get(c, unk) for c in f]
        # folded characters are single code points, so an inner bigram is plain a + b
        inner = [bid.get(a + b, unk) for a, b in zip(f, f[1:])]
        first = bid.get(_bigram(BOUNDARY, f[0]), unk)
        last = bid.get(_bigram(f[-1], BOUNDARY), unk)
        return chars, [first] + inner, inner + [last]

    def to_json(self) -> dict:
        return {"chars": self.chars, "bigrams": self.bigrams}

    @classmethod
    def from_json(cls, d: dict) -> "CharVocab":
        if list(d["chars"][:4]) != list(SPECIALS) or list(d["bigrams"][:4]) != list(SPECIALS):
            raise ValueError("vocab.json does not start with the special tokens " + str(SPECIALS))
        return cls(list(d["chars"]), list(d["bigrams"]))


def _bigram(a: str, b: str) -> str:
    return a + "\x1f" + b if (len(a) > 1 or len(b) > 1) else a + b


def bioes_tags(labels: Sequence[str]) -> list[str]:
    tags = ["O"]
    for lab in labels:
        tags += [f"B-{lab}", f"I-{lab}", f"E-{lab}", f"S-{lab}"]
    return tags


@dataclass
class TaggerConfig:
    """Everything needed to rebuild the network; saved as config.json next to the weights."""

    labels: list[str]
    char_dim: int = 128
    bigram_dim: int = 64
    hidden: int = 192
    layers: int = 1
    dropout: float = 0.3
    max_len: int = 160
    #: lexicon features (``models.lexicon``): the word list ships as ``lexicon.tsv.gz`` beside the
    #: weights; False for taggers trained without it (their inputs stay as they were)
    lexicon: bool = False
    extra: dict = field(default_factory=dict)  # provenance: seed, data, metrics (not used here)

    @property
    def tags(self) -> list[str]:
        return bioes_tags(self.labels)


class CharTagger(nn.Module):
    """Embeddings -> BiLSTM -> per-tag emission scores -> CRF (transition scores)."""

    def __init__(self, config: TaggerConfig, vocab: CharVocab, lexicon=None):
        super().__init__()
        from models.lexicon import N_FEATURES

        if config.lexicon and lexicon is None:
            raise ValueError("this tagger uses lexicon features: pass its models.lexicon.Lexicon")
        self.config = config
        self.vocab = vocab
        self.lexicon = lexicon if config.lexicon else None
        self.n_lex = N_FEATURES if config.lexicon else 0
        self.tags = config.tags
        k = len(self.tags)
        self.char_emb = nn.Embedding(vocab.n_chars, config.char_dim, padding_idx=0)
        self.bigram_emb = nn.Embedding(vocab.n_bigrams, config.bigram_dim, padding_idx=0)
        self.drop = nn.Dropout(config.dropout)
        self.lstm = nn.LSTM(config.char_dim + 2 * config.bigram_dim + self.n_lex, config.hidden,
                            num_layers=config.layers, bidirectional=True, batch_first=True,
                            dropout=config.dropout if config.layers > 1 else 0.0)
        self.proj = nn.Linear(2 * config.hidden, k)
        self.trans = nn.Parameter(torch.zeros(k, k))  # trans[i, j]: score of tag i -> tag j
        self.start = nn.Parameter(torch.zeros(k))
        self.end = nn.Parameter(torch.zeros(k))
        allowed_t, allowed_s, allowed_e = _bioes_constraints(self.tags)
        self.register_buffer("trans_mask", torch.where(allowed_t, 0.0, NEG), persistent=False)
        self.register_buffer("start_mask", torch.where(allowed_s, 0.0, NEG), persistent=False)
        self.register_buffer("end_mask", torch.where(allowed_e, 0.0, NEG), persistent=False)

    # ---- encoder -------------------------------------------------------------------------
    def encode(self, chars: torch.Tensor, bl: torch.Tensor, br: torch.Tensor,
               lengths: torch.Tensor, lex: torch.Tensor | None = None) -> torch.Tensor:
        """BiLSTM states (B, T, 2H); padding positions never leak into real ones (padded runs
        reversed within their lengths, ``_bilstm_padded``, or packed sequences when quantised).

        ``lex``: (B, T, N_FEATURES) lexicon bits, required when the config uses the lexicon.
        """
        parts = [self.char_emb(chars), self.bigram_emb(bl), self.bigram_emb(br)]
        x = self.drop(torch.cat(parts, dim=-1))
        if self.n_lex:
            if lex is None:
                raise ValueError("this tagger needs lexicon features (lex=...)")
            x = torch.cat([x, lex.to(x.dtype)], dim=-1)
        if _plain_bilstm(self.lstm):
            out = _bilstm_padded(self.lstm, x, lengths)
        else:  # a quantised or multi-layer LSTM: packed sequences
            packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True,
                                          enforce_sorted=False)
            out, _ = self.lstm(packed)
            out, _ = pad_packed_sequence(out, batch_first=True, total_length=chars.shape[1])
        return self.drop(out)

    def emissions(self, chars, bl, br, lengths, lex=None) -> torch.Tensor:
        return self.proj(self.encode(chars, bl, br, lengths, lex))

    # ---- CRF -----------------------------------------------------------------------------
    def _log_partition(self, em: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        trans = self.trans + self.trans_mask
        alpha = self.start + self.start_mask + em[:, 0]
        for t in range(1, em.shape[1]):
            nxt = torch.logsumexp(alpha.unsqueeze(2) + trans.unsqueeze(0), dim=1) + em[:, t]
            alpha = torch.where(mask[:, t].unsqueeze(1), nxt, alpha)
        return torch.logsumexp(alpha + self.end + self.end_mask, dim=1)

    def loss(self, chars, bl, br, lengths, allowed: torch.Tensor, lex=None) -> torch.Tensor:
        """Mean negative log-likelihood of the tag paths ``allowed`` (B, T, K) permits."""
        em = self.emissions(chars, bl, br, lengths, lex)
        mask = torch.arange(chars.shape[1]).unsqueeze(0) < lengths.unsqueeze(1)
        # both partitions in one pass over time (half the Python-level loop overhead)
        both = self._log_partition(torch.cat([em, em + torch.where(allowed, 0.0, NEG)]),
                                   torch.cat([mask, mask]))
        log_z, log_gold = both[: em.shape[0]], both[em.shape[0]:]
        return (log_z - log_gold).mean()

    @torch.inference_mode()
    def decode(self, chars, bl, br, lengths, lex=None) -> list[tuple[list[int], list[float]]]:
        """Viterbi tag ids per sequence, with each character's confidence.

        The confidence is the CRF marginal probability of the chosen tag at that character
        (forward-backward), so a span's score (the mean over its characters) reads as a
        probability; the emission softmax alone ignores the transitions and under-states it.
        Both loops run over time in numpy: each step is a handful of small (B, K) operations,
        where torch's per-call overhead was most of their cost.
        """
        return self.decode_emissions(self.emissions(chars, bl, br, lengths, lex).float().numpy(),
                                     lengths)

    def decode_emissions(self, em: np.ndarray, lengths: torch.Tensor
                         ) -> list[tuple[list[int], list[float]]]:
        """``decode`` from (B, T, K) emission scores already computed."""
        n = lengths.numpy()
        active = np.arange(em.shape[1])[None, :] < n[:, None]
        trans, start, end = self._crf_scores()
        paths = viterbi(em, active, trans, start, end)
        probs = crf_marginals(em, active, trans, start, end)
        conf = np.take_along_axis(probs, paths[:, :, None], axis=2)[:, :, 0]
        return [(paths[i, :m].tolist(), conf[i, :m].tolist()) for i, m in enumerate(n.tolist())]

    def _crf_scores(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(transitions, start, end) scores with the BIOES constraints applied, as numpy."""
        return tuple((p + m).detach().float().numpy() for p, m in (
            (self.trans, self.trans_mask), (self.start, self.start_mask),
            (self.end, self.end_mask)))

    def predict_texts(self, texts: Sequence[str]) -> list[list[tuple[int, int, str, float]]]:
        """(start, end, label, confidence) per text; texts should be window-sized."""
        return next(self.predict_stream([texts], overlap=False))

    def predict_stream(self, batches: Iterable[Sequence[str]], *, overlap: bool = True
                       ) -> Iterator[list[list[tuple[int, int, str, float]]]]:
        """``predict_texts`` of each batch in turn, the LSTM of one batch overlapping the rest.

        Why: the LSTM runs in torch with the GIL released, while encoding, lexicon bits, the
        CRF decode and the caller's span handling are Python and numpy. With ``overlap`` one
        worker thread computes the emissions of up to ``STREAM_AHEAD`` queued batches while this
        thread prepares the next one and finishes the oldest, so on two cores the two halves run
        side by side instead of one after the other. Results are the same as without.
        """
        def emissions(chars, bl, br, lengths, lex) -> np.ndarray:
            with torch.inference_mode():  # thread-local: the worker enters it itself
                return self.emissions(chars, bl, br, lengths, lex).float().numpy()

        def finish(texts, lengths, em) -> list[list[tuple[int, int, str, float]]]:
            out = []
            for (ids, conf), text in zip(self.decode_emissions(em, lengths), texts):
                out.append(tags_to_spans([self.tags[i] for i in ids[:len(text)]], conf))
            return out

        def prepare(texts):
            chars, bl, br, lengths = encode_batch(self.vocab, texts)
            return chars, bl, br, lengths, self.lexicon_tensor(texts, chars.shape[1])

        if not overlap:
            for texts in batches:
                inputs = prepare(texts)
                yield finish(texts, inputs[3], emissions(*inputs))
            return
        from concurrent.futures import ThreadPoolExecutor

        # this thread keeps one core busy with the Python half: the LSTM gets the others (on
        # two cores, one intra-op thread; two of them would be descheduled at every step's
        # barrier while this thread runs). torch's thread count is process-wide, so it is
        # restored when the stream ends.
        cores = torch.get_num_threads()
        if cores > 1:
            torch.set_num_threads(cores - 1)
        switch = sys.getswitchinterval()
        sys.setswitchinterval(min(switch, STREAM_SWITCH_INTERVAL))
        try:
            with ThreadPoolExecutor(1, thread_name_prefix="kaifang-tagger") as pool:
                pending: deque = deque()
                for texts in batches:
                    inputs = prepare(texts)
                    pending.append((texts, inputs[3], pool.submit(emissions, *inputs)))
                    while len(pending) > STREAM_AHEAD:
                        texts_, lengths, job = pending.popleft()
                        yield finish(texts_, lengths, job.result())
                while pending:
                    texts_, lengths, job = pending.popleft()
                    yield finish(texts_, lengths, job.result())
        finally:
            sys.setswitchinterval(switch)
            if cores > 1:
                torch.set_num_threads(cores)

    def lexicon_tensor(self, texts: Sequence[str], t_len: int) -> torch.Tensor | None:
        """(B, T, N_FEATURES) lexicon bits of ``texts`` padded to ``t_len`` (None without)."""
        if not self.n_lex:
            return None
        return torch.from_numpy(self.lexicon.batch_features(texts, t_len))

    # ---- persistence ---------------------------------------------------------------------
    def save(self, directory: str | Path, *, fp16: bool = False) -> None:
        """Write config.json, vocab.json and model.safetensors (fp16 halves the size)."""
        from safetensors.torch import save_file

        d = Path(directory)
        d.mkdir(parents=True, exist_ok=True)
        state = {k: (v.half() if fp16 and v.is_floating_point() else v).contiguous()
                 for k, v in self.state_dict().items()}
        save_file(state, str(d / "model.safetensors"), metadata={"format": "pt"})
        (d / "config.json").write_text(json.dumps(asdict(self.config), ensure_ascii=False,
                                                   indent=1), encoding="utf-8")
        (d / "vocab.json").write_text(json.dumps(self.vocab.to_json(), ensure_ascii=False),
                                      encoding="utf-8")
        if self.lexicon is not None:
            from models.lexicon import LEXICON_FILE

            self.lexicon.save(d / LEXICON_FILE)

    @classmethod
    def load(cls, directory: str | Path) -> "CharTagger":
        from safetensors.torch import load_file

        d = Path(directory)
        missing = [f for f in TAGGER_FILES if not (d / f).is_file()]
        if missing:
            raise FileNotFoundError(f"{d} is not a char-tagger directory: missing {missing}")
        cfg = TaggerConfig(**json.loads((d / "config.json").read_text(encoding="utf-8")))
        vocab = CharVocab.from_json(json.loads((d / "vocab.json").read_text(encoding="utf-8")))
        lexicon = None
        if cfg.lexicon:
            from models.lexicon import LEXICON_FILE, Lexicon

            if not (d / LEXICON_FILE).is_file():
                raise FileNotFoundError(f"{d}: the tagger uses a lexicon but {LEXICON_FILE} is "
                                        "missing")
            lexicon = Lexicon.load(d / LEXICON_FILE)
        model = cls(cfg, vocab, lexicon)
        state = {k: v.float() for k, v in load_file(str(d / "model.safetensors")).items()}
        model.load_state_dict(state)
        model.eval()
        return model


def _plain_bilstm(lstm: nn.Module) -> bool:
    """A one-layer bidirectional float ``nn.LSTM`` (not a quantised one), as the tagger builds."""
    return (isinstance(lstm, nn.LSTM) and lstm.num_layers == 1 and lstm.bidirectional
            and lstm.bias and not lstm.proj_size)


def _bilstm_padded(lstm: nn.LSTM, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """The packed bidirectional LSTM's output, computed on padded tensors.

    Why: on CPU, PyTorch runs a packed LSTM on its generic kernel, a padded one on oneDNN;
    forward plus backward of the padded one is about 1.6x faster (training time is mostly the
    LSTM). Padding at the end never reaches a real position of the left-to-right pass; for the
    right-to-left pass each sequence is reversed *within its own length* (padding stays at the
    end), run left to right with the reverse weights, and reversed back. Padding positions are
    zero, as ``pad_packed_sequence`` leaves them. Same function, same parameters, same
    state dict as the packed call.
    """
    b, t_len, _ = x.shape
    lengths = lengths.to(x.device)
    pos = torch.arange(t_len, device=x.device).unsqueeze(0)               # (1, T)
    real = pos < lengths.unsqueeze(1)                                     # (B, T)
    rev = torch.where(real, lengths.unsqueeze(1) - 1 - pos, pos)          # an involution
    h0 = x.new_zeros(1, b, lstm.hidden_size)
    w = lstm._flat_weights
    fwd = _VF.lstm(x, (h0, h0), w[:4], True, 1, 0.0, lstm.training, False, True)[0]
    x_rev = x.gather(1, rev.unsqueeze(2).expand_as(x))
    bwd = _VF.lstm(x_rev, (h0, h0), w[4:], True, 1, 0.0, lstm.training, False, True)[0]
    bwd = bwd.gather(1, rev.unsqueeze(2).expand_as(bwd))
    return torch.cat([fwd, bwd], dim=2) * real.unsqueeze(2).to(x.dtype)


def viterbi(em: np.ndarray, active: np.ndarray, trans: np.ndarray, start: np.ndarray,
            end: np.ndarray) -> np.ndarray:
    """(B, T) best tag paths of (B, T, K) emissions; ``active`` (B, T) marks real positions.

    Past a sequence's end every tag points back to itself, so the path read back from the last
    position is the path of the sequence's real end.
    """
    b, t_len, k = em.shape
    score = start + em[:, 0]
    back = np.empty((t_len, b, k), dtype=np.int64)
    keep = np.broadcast_to(np.arange(k), (b, k))
    for t in range(1, t_len):
        cand = score[:, :, None] + trans[None]                      # (B, K from, K to)
        idx = cand.argmax(axis=1)
        best = np.take_along_axis(cand, idx[:, None, :], axis=1)[:, 0]
        m = active[:, t, None]
        score = np.where(m, best + em[:, t], score)
        back[t] = np.where(m, idx, keep)
    cur = (score + end).argmax(axis=1)
    paths = np.empty((b, t_len), dtype=np.int64)
    paths[:, t_len - 1] = cur
    rows = np.arange(b)
    for t in range(t_len - 1, 0, -1):
        cur = back[t, rows, cur]
        paths[:, t - 1] = cur
    return paths


def crf_marginals(em: np.ndarray, active: np.ndarray, trans: np.ndarray, start: np.ndarray,
                  end: np.ndarray) -> np.ndarray:
    """(B, T, K) marginal tag probabilities by forward-backward.

    In the probability domain with per-step normalisation (scaled forward-backward), so that
    each step is a (B, K) x (K, K) matrix product rather than a log-sum-exp over (B, K, K):
    the log-space marginals to float rounding (tests/models/test_neural.py). Forbidden
    transitions have weight exp(NEG) = 0.
    """
    w = np.exp(trans)                                               # (K, K)
    end_w = np.exp(end)
    start_w = np.exp(start - start.max())
    e = np.exp(em - em.max(axis=2, keepdims=True))                  # max 1 per step
    tiny = np.finfo(e.dtype).tiny
    b, t_len, k = e.shape
    alpha = np.empty_like(e)
    a = start_w * e[:, 0]
    alpha[:, 0] = a / np.maximum(a.sum(1, keepdims=True), tiny)
    for t in range(1, t_len):
        a = (alpha[:, t - 1] @ w) * e[:, t]
        alpha[:, t] = a / np.maximum(a.sum(1, keepdims=True), tiny)
    last = np.broadcast_to(end_w / max(end_w.sum(), tiny), (b, k))
    beta = np.empty_like(e)
    beta[:, t_len - 1] = last
    wt = w.T.copy()
    for t in range(t_len - 2, -1, -1):
        cand = (e[:, t + 1] * beta[:, t + 1]) @ wt
        # past the end of a sequence, position t is its last: only the end scores follow
        nxt = np.where(active[:, t + 1, None], cand, last)
        beta[:, t] = nxt / np.maximum(nxt.sum(1, keepdims=True), tiny)
    p = alpha * beta
    return p / np.maximum(p.sum(-1, keepdims=True), tiny)


def encode_batch(vocab: CharVocab, texts: Sequence[str]
                 ) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor, torch.Tensor]:
    """Padded (chars, left bigrams, right bigrams) id tensors and true lengths (min 1)."""
    enc = [vocab.encode(t) for t in texts]
    b = len(enc)
    t_len = max([1] + [len(c) for c, _, _ in enc])
    ids = np.zeros((3, b, t_len), dtype=np.int64)  # filled in numpy: no tensor per row
    for i, (c, left, right) in enumerate(enc):
        n = len(c)
        if n:
            ids[0, i, :n] = c
            ids[1, i, :n] = left
            ids[2, i, :n] = right
    lengths = torch.tensor([max(1, len(c)) for c, _, _ in enc], dtype=torch.long)
    chars, bl, br = torch.from_numpy(ids)
    return chars, bl, br, lengths


def _bioes_constraints(tags: Sequence[str]) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """Which transitions, first tags and last tags a well-formed BIOES sequence allows."""
    k = len(tags)
    trans = torch.zeros(k, k, dtype=torch.bool)
    start = torch.zeros(k, dtype=torch.bool)
    end = torch.zeros(k, dtype=torch.bool)
    for i, a in enumerate(tags):
        pa, la = (a.split("-", 1) + [""])[:2]
        start[i] = pa in ("O", "B", "S")
        end[i] = pa in ("O", "E", "S")
        for j, b in enumerate(tags):
            pb, lb = (b.split("-", 1) + [""])[:2]
            if pa in ("O", "E", "S"):
                ok = pb in ("O", "B", "S")
            else:  # B or I: must continue the same entity
                ok = pb in ("I", "E") and lb == la
            trans[i, j] = ok
    return trans, start, end


def tags_to_spans(tags: Sequence[str], conf: Sequence[float] | None = None
                  ) -> list[tuple[int, int, str, float]]:
    """(start, end, label, mean confidence) for each B..E / S run of a BIOES sequence."""
    spans = []
    start = None
    label = None
    for i, tag in enumerate(tags):
        p, _, lab = tag.partition("-")
        if p == "S":
            spans.append((i, i + 1, lab, conf[i] if conf else 1.0))
            start = None
        elif p == "B":
            start, label = i, lab
        elif p == "E" and start is not None and lab == label:
            c = sum(conf[start:i + 1]) / (i + 1 - start) if conf else 1.0
            spans.append((start, i + 1, lab, c))
            start = None
        elif p == "I" and start is not None and lab == label:
            continue
        else:
            start = None
    return spans


def spans_to_allowed(n: int, spans: Iterable[tuple[int, int, str]], tags: Sequence[str],
                     annotated: Iterable[str],
                     free: Iterable[tuple[int, int]] = ()) -> torch.Tensor:
    """(n, K) bool: the tags each character may take given gold spans of ``annotated`` labels.

    Inside a gold span exactly one tag is allowed. Elsewhere ``O`` is allowed, and so is any
    tag of a label the record does not annotate (partial annotation, see the module doc).
    Inside a ``free`` range every tag is allowed: a span of a label the tagger does not learn
    (an ADDRESS, which holds place names the corpora label LOC) says nothing either way.
    """
    k = len(tags)
    annotated = set(annotated)
    unknown = torch.tensor([t == "O" or t.split("-", 1)[1] not in annotated for t in tags])
    allowed = unknown.unsqueeze(0).repeat(n, 1)
    for s, e in free:
        allowed[max(0, s):min(n, e)] = True
    index = {t: i for i, t in enumerate(tags)}
    for s, e, lab in spans:
        if f"S-{lab}" not in index or s < 0 or e > n or e <= s:
            continue
        names = [f"S-{lab}"] if e - s == 1 else (
            [f"B-{lab}"] + [f"I-{lab}"] * (e - s - 2) + [f"E-{lab}"])
        for pos, name in zip(range(s, e), names):
            row = torch.zeros(k, dtype=torch.bool)
            row[index[name]] = True
            allowed[pos] = row
    return allowed


SENTENCE_ENDS = frozenset("。！？；!?;\n")


def chunk_bounds(text: str, max_len: int, protected: Sequence[tuple[int, int]] = ()
                 ) -> list[tuple[int, int]]:
    """Cut ``text`` into windows of at most ``max_len`` characters, preferring sentence ends.

    A cut never falls inside a ``protected`` range (gold spans when training) unless the range
    itself is longer than a window. Whitespace-only windows are dropped.
    """
    n = len(text)
    if n == 0:
        return []
    blocked = set()
    for s, e in protected:
        blocked.update(range(s + 1, e))
    bounds = []
    start = 0
    while start < n:
        if n - start <= max_len:
            end = n
        else:
            limit = start + max_len
            end = None
            for i in range(limit, start + max_len // 3, -1):
                if text[i - 1] in SENTENCE_ENDS and i not in blocked:
                    end = i
                    break
            if end is None:
                for i in range(limit, start, -1):
                    if i not in blocked:
                        end = i
                        break
            if end is None:
                end = limit
        if text[start:end].strip():
            bounds.append((start, end))
        start = end
    return bounds
