"""Pre-trained character and bigram embeddings (word2vec skip-gram, gensim) for the tagger.

Why: the labelled corpora hold about a million characters, so most characters and nearly all
bigrams are rare in them; embeddings learnt on ten million characters of raw official-register
text (laws and 2023-24 news, ``training.corpora.iter_raw_text``) plus the corpora's own text give
those rare rows a meaningful start. Tokens are the tagger's own feature forms
(``char_tagger.fold_text``: width-folded, lower-cased, digits as 0) and its bigram strings, so
every vector lands on the vocabulary row it belongs to.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from typing import Iterable, Sequence

import numpy as np

from models.recognizers.char_tagger import BOUNDARY, _bigram, fold_text


@dataclass
class Vectors:
    """token -> vector (float32), one dimension."""

    index: dict[str, int]
    matrix: np.ndarray

    @property
    def dim(self) -> int:
        return int(self.matrix.shape[1])

    def get(self, token: str) -> np.ndarray | None:
        i = self.index.get(token)
        return None if i is None else self.matrix[i]


def char_sentences(texts: Iterable[str]) -> list[list[str]]:
    return [[c for c in fold_text(t) if not c.isspace()] for t in texts if t.strip()]


def bigram_sentences(texts: Iterable[str]) -> list[list[str]]:
    out = []
    for t in texts:
        f = [BOUNDARY] + fold_text(t) + [BOUNDARY]
        out.append([_bigram(a, b) for a, b in zip(f, f[1:])])
    return out


def train_vectors(sentences: Sequence[Sequence[str]], *, dim: int, seed: int, epochs: int = 3,
                  window: int = 5, min_count: int = 3, workers: int = 2) -> Vectors:
    """Skip-gram with negative sampling; deterministic for a seed with ``workers=1``."""
    from gensim.models import Word2Vec

    model = Word2Vec(sentences=sentences, vector_size=dim, window=window, min_count=min_count,
                     sg=1, negative=5, epochs=epochs, seed=seed, workers=workers,
                     sample=1e-4)
    kv = model.wv
    return Vectors({w: i for i, w in enumerate(kv.index_to_key)},
                   np.asarray(kv.vectors, dtype=np.float32))


def pretrain_embeddings(texts: Sequence[str], *, char_dim: int, bigram_dim: int, seed: int,
                        workers: int = 2, epochs: int = 3) -> tuple[Vectors, Vectors, dict]:
    """(char vectors, bigram vectors, facts) from ``texts``."""
    t0 = time.time()
    chars = train_vectors(char_sentences(texts), dim=char_dim, seed=seed, workers=workers,
                          epochs=epochs)
    t1 = time.time()
    bigrams = train_vectors(bigram_sentences(texts), dim=bigram_dim, seed=seed,
                            workers=workers, epochs=epochs)
    facts = {"texts": len(texts), "characters": sum(len(t) for t in texts),
             "char_vocab": len(chars.index), "bigram_vocab": len(bigrams.index),
             "char_seconds": round(t1 - t0, 1), "bigram_seconds": round(time.time() - t1, 1)}
    return chars, bigrams, facts
