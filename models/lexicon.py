"""Lexicon features for the character tagger: which dictionary words each character begins,
continues or ends.

Why: a character model has no word boundaries, and Chinese NER on CPU gains most from word
information (lattice / SoftLexicon models in the literature). The cheap form used here: for each
character and each word class (person names, places, organisations, ordinary words), four bits
saying whether some dictionary word of that class Begins, is in the Middle of, Ends, or is a
Single character at that position, plus one bit for "a surname starts here". Ordinary words
matter as much as names: 伤亡, 抄送, 纳税人 are words, which tells the tagger they are not names.

The word list ships inside the model directory (``lexicon.tsv.gz``: gzip of ``word<TAB>classes`` lines), built
at training time (``training.ner.lexicons``); nothing here reads ../shared. Matching uses an
Aho-Corasick automaton (pyahocorasick), built once per process when the tagger loads.
"""
from __future__ import annotations

import gzip
import threading
from itertools import chain
from pathlib import Path
from typing import Iterable, Mapping, Sequence

import numpy as np

LEXICON_FILE = "lexicon.tsv.gz"  # gzip: 1.7 MB instead of 6 MB in a committed model directory
#: word classes, in feature order; each contributes B, M, E, S bits
CLASSES: tuple[str, ...] = ("PER", "LOC", "ORG", "WORD")
SURNAME = "SUR"
N_FEATURES = 4 * len(CLASSES) + 1
MAX_WORD_LEN = 12


class Lexicon:
    """Words with their classes; ``features(text)`` gives the (len(text), N_FEATURES) bits."""

    def __init__(self, entries: Mapping[str, Iterable[str]], notice: str = ""):
        #: the sources' attribution, written beside the word list (``lexicon.tsv.gz.NOTICE``):
        #: a word list derived from MIT/Apache sources must carry their notices when shipped
        self.notice = notice
        self._entries: dict[str, int] = {}
        self._merge(entries)
        self._automaton = None
        self._lock = threading.Lock()

    def _merge(self, entries: Mapping[str, Iterable[str]]) -> None:
        """Add ``entries`` (word -> classes), classes OR-ed into a word already listed; words that
        are empty, too long or hold white space are skipped (they could never match)."""
        for word, classes in entries.items():
            if not word or len(word) > MAX_WORD_LEN or any(ch.isspace() for ch in word):
                continue
            bits = 0
            for c in classes:
                bits |= _class_bit(c)
            if bits:
                self._entries[word] = self._entries.get(word, 0) | bits

    def __len__(self) -> int:
        return len(self._entries)

    def __deepcopy__(self, memo) -> "Lexicon":
        # read-only after construction: copies of a tagger (quantisation) share it
        return self

    def with_words(self, words: Mapping[str, Iterable[str]]) -> "Lexicon":
        """A new word list: this one plus ``words`` (word -> classes), classes merged where a word
        is already listed. Why: names reviewers confirmed join the list of the tagger that is
        fine-tuned on their documents (``training.retrain``), so the next record of the same
        collection that names them lights the PER bits (this list is read-only once built)."""
        out = Lexicon({}, notice=self.notice)
        out._entries = dict(self._entries)
        out._merge(words)
        return out

    def classes_of(self, word: str) -> tuple[str, ...]:
        bits = self._entries.get(word, 0)
        return tuple(c for c in CLASSES + (SURNAME,) if bits & _class_bit(c))

    # -- persistence ---------------------------------------------------------------------
    def save(self, path: str | Path) -> None:
        """Write ``word<TAB>classes`` lines, gzip-compressed when ``path`` ends in ``.gz``
        (mtime 0: the same list gives the same bytes)."""
        lines = [f"{w}\t{','.join(self.classes_of(w))}" for w in sorted(self._entries)]
        data = ("\n".join(lines) + "\n").encode("utf-8")
        path = Path(path)
        if path.suffix == ".gz":
            data = gzip.compress(data, compresslevel=9, mtime=0)
        path.write_bytes(data)
        if self.notice:
            Path(f"{path}.NOTICE").write_text(self.notice.rstrip() + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> "Lexicon":
        entries: dict[str, list[str]] = {}
        path = Path(path)
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for n, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line:
                    continue
                word, sep, classes = line.partition("\t")
                if not sep:
                    raise ValueError(f"{path}:{n}: expected 'word<TAB>classes'")
                entries[word] = classes.split(",")
        notice = Path(f"{path}.NOTICE")
        return cls(entries, notice=notice.read_text(encoding="utf-8") if notice.is_file() else "")

    # -- features ------------------------------------------------------------------------
    def _build(self):
        import ahocorasick

        # one int per word (length << 8 | class bits): a hit is then a pair of ints, and a
        # window's hits become one numpy array without a Python tuple per value
        a = ahocorasick.Automaton(ahocorasick.STORE_INTS)
        for word, bits in self._entries.items():
            a.add_word(word, (len(word) << 8) | bits)
        a.make_automaton()
        return a

    @property
    def automaton(self):
        if self._automaton is None:
            with self._lock:
                if self._automaton is None:
                    self._automaton = self._build()
        return self._automaton

    def features(self, text: str) -> np.ndarray:
        """(len(text), N_FEATURES) uint8 bits; see the module docstring."""
        return self.batch_features([text], len(text))[0]

    def batch_features(self, texts: Sequence[str], t_len: int) -> np.ndarray:
        """(len(texts), t_len, N_FEATURES) bits, zero-padded.

        One automaton pass over the texts joined by a separator no word contains, then numpy
        scatters per class (a middle run is a cumulative sum of +1 after each start and -1 at
        each end): the tagger calls this for every window it reads, and setting the bits match
        by match in Python cost as much as a third of the quantised LSTM.
        """
        b = len(texts)
        out = np.zeros((b, t_len, N_FEATURES), dtype=np.uint8)
        if not b or t_len <= 0 or not self._entries:
            return out
        parts = [t[:t_len] for t in texts]
        joined = "\x00".join(parts)       # \x00 is in no word: no match crosses two texts
        lens = np.array([len(t) for t in parts], dtype=np.int64)
        begins = np.concatenate([[0], np.cumsum(lens + 1)[:-1]])
        # flattened (end, value) pairs straight into numpy: no list of tuples in between
        pairs = np.fromiter(chain.from_iterable(self.automaton.iter(joined)),
                            dtype=np.int64).reshape(-1, 2)
        if not len(pairs):
            return out
        ends, lengths, bits = pairs[:, 0], pairs[:, 1] >> 8, pairs[:, 1] & 0xFF
        starts = ends - lengths + 1
        # joined position -> (text, position in text); separators map nowhere they are used
        row = np.repeat(np.arange(b), lens + 1)[: len(joined)]
        col = np.arange(len(joined)) - begins[row]
        flat = out.reshape(b * t_len, N_FEATURES)
        at = row * t_len + col                      # joined position -> row of ``flat``
        sur = (bits & _class_bit(SURNAME)) != 0
        flat[at[starts[sur]], N_FEATURES - 1] = 1
        single = lengths == 1
        for k in range(len(CLASSES)):
            has = (bits & (1 << k)) != 0
            base = 4 * k
            flat[at[starts[has & single]], base + 3] = 1
            multi = has & ~single
            flat[at[starts[multi]], base] = 1
            flat[at[ends[multi]], base + 2] = 1
            inner = multi & (lengths > 2)
            if inner.any():
                run = np.zeros(len(joined) + 1, dtype=np.int64)
                np.add.at(run, starts[inner] + 1, 1)
                np.add.at(run, ends[inner], -1)
                middle = np.nonzero(np.cumsum(run)[: len(joined)] > 0)[0]
                flat[at[middle], base + 1] = 1
        return out


def _class_bit(name: str) -> int:
    if name == SURNAME:
        return 1 << len(CLASSES)
    try:
        return 1 << CLASSES.index(name)
    except ValueError:
        raise ValueError(f"unknown lexicon class {name!r}; expected one of "
                         f"{CLASSES + (SURNAME,)}") from None
