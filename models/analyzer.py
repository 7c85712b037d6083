"""RuleAnalyzer: run the configured rule recognizers on one normalised copy, threshold, merge.

Built from a TOML config (``models/configs/rules.toml`` by default) that lists versioned
recognizer names and their parameters, so a model version can carry exactly the rules it was
evaluated with (``to_config`` / ``from_config``).

Merge policy for overlapping rule spans: the higher score wins, then the longer span, then the
earlier one. Rule candidates that overlap are rival readings of the same characters (an 18-digit
number read as an ID or as a card; a whole spaced number or a slice of it), and the score already
encodes checksum, context and whole-run evidence.
"""
from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, Iterable, Mapping

from models import registry
from models.recognizers import register_builtin_recognizers
from models.spans import Span
from models.text import NormalizedText

DEFAULT_CONFIG = Path(__file__).parent / "configs" / "rules.toml"

__all__ = ["RuleAnalyzer", "build_rule_analyzer", "DEFAULT_CONFIG", "merge_rule_spans"]


def merge_rule_spans(spans: Iterable[Span]) -> list[Span]:
    """Non-overlapping spans sorted by start (policy in the module docstring)."""
    kept: list[Span] = []
    for s in sorted(spans, key=lambda s: (-s.score, -s.length, s.start, s.label)):
        if not any(s.overlaps(k) for k in kept):
            kept.append(s)
    return sorted(kept, key=lambda s: (s.start, s.end))


class RuleAnalyzer:
    """Exact rules for ID_NUMBER, PHONE, EMAIL, BANK_ACCOUNT and SECRET_MARK, and trigger-phrase
    rules for HEALTH and LEGAL_RECORD (``models.recognizers.health_legal``)."""

    def __init__(self, recognizers: list[Any], *, min_score: float = 0.5, version: str = "rules.v1",
                 config: Mapping[str, Any] | None = None):
        if not recognizers:
            raise ValueError("a RuleAnalyzer needs at least one recognizer")
        if not 0.0 <= min_score <= 1.0:
            raise ValueError(f"min_score must lie in [0, 1], got {min_score}")
        self.recognizers = list(recognizers)
        self.min_score = float(min_score)
        self.version = version
        self._config = dict(config) if config is not None else None

    @property
    def labels(self) -> frozenset[str]:
        return frozenset().union(*(r.labels for r in self.recognizers))

    @property
    def names(self) -> list[str]:
        return [r.name for r in self.recognizers]

    def find_candidates(self, text: str) -> list[Span]:
        """Every recognizer's spans before threshold and merge (for explanations and debugging)."""
        if not isinstance(text, str):
            raise TypeError(f"text must be str, not {type(text).__name__}")
        nt = NormalizedText.of(text)
        out: list[Span] = []
        for r in self.recognizers:
            out.extend(r.find_normalized(nt))
        return out

    def find(self, text: str) -> list[Span]:
        """Non-overlapping spans scoring at least ``min_score``, sorted by start."""
        return merge_rule_spans(s for s in self.find_candidates(text) if s.score >= self.min_score)

    def find_many(self, texts: Iterable[str]) -> list[list[Span]]:
        return [self.find(t) for t in texts]

    def to_config(self) -> dict[str, Any]:
        """A config dict that ``from_config`` rebuilds this analyzer from."""
        if self._config is not None:
            return dict(self._config)
        return {"analyzer": {"version": self.version, "min_score": self.min_score},
                "recognizers": [{"name": n} for n in self.names]}

    @classmethod
    def from_config(cls, config: Mapping[str, Any], *, origin: str = "config") -> "RuleAnalyzer":
        register_builtin_recognizers()
        if not isinstance(config, Mapping):
            raise ValueError(f"{origin}: expected a table, got {type(config).__name__}")
        head = config.get("analyzer", {})
        entries = config.get("recognizers")
        if not isinstance(entries, list) or not entries:
            raise ValueError(f"{origin}: needs a non-empty [[recognizers]] list")
        recognizers = []
        for k, entry in enumerate(entries):
            if not isinstance(entry, Mapping) or not isinstance(entry.get("name"), str):
                raise ValueError(f"{origin}: recognizers[{k}] needs a 'name' string")
            params = entry.get("params", {})
            if not isinstance(params, Mapping):
                raise ValueError(f"{origin}: recognizers[{k}].params must be a table")
            try:
                recognizers.append(registry.create(_available(entry["name"], origin), **params))
            except registry.RegistryError as exc:
                raise ValueError(f"{origin}: {exc}") from None
            except TypeError as exc:
                raise ValueError(f"{origin}: bad params for {entry['name']}: {exc}") from None
        names = [r.name for r in recognizers]
        if len(set(names)) != len(names):
            raise ValueError(f"{origin}: a recognizer is listed twice: {names}")
        return cls(recognizers, min_score=float(head.get("min_score", 0.5)),
                   version=str(head.get("version", "rules")), config=config)


def _available(name: str, origin: str) -> str:
    """``name``, or the newest shipped version of the same recognizer when ``name`` is retired.

    Why: a model version saved by an older release (a registry's parent or rollback target)
    names recognizers this code no longer ships (cn_phone.v1 after rules.v4). Refusing to load it
    would break rollback and the review app after an upgrade; it loads with the successor and a
    warning, since the old behaviour itself no longer exists to run.
    """
    if registry.is_registered(name):
        return name
    base, _, version = name.rpartition(".v")
    newer = sorted((int(n.rpartition(".v")[2]), n) for n in registry.registered()
                   if n.rpartition(".v")[0] == base and version.isdigit()
                   and int(n.rpartition(".v")[2]) > int(version))
    if not newer:
        return name  # create() then fails with the list of what is registered
    import warnings

    warnings.warn(f"{origin}: recognizer {name} is retired; running {newer[-1][1]} instead",
                  stacklevel=3)
    return newer[-1][1]


def build_rule_analyzer(config: Path | str | None = None) -> RuleAnalyzer:
    """The RuleAnalyzer of a TOML config file (None: the shipped ``models/configs/rules.toml``)."""
    path = Path(config) if config is not None else DEFAULT_CONFIG
    if not path.is_file():
        raise FileNotFoundError(f"rules config not found: {path}")
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise ValueError(f"{path}: invalid TOML: {exc}") from None
    return RuleAnalyzer.from_config(data, origin=str(path))
