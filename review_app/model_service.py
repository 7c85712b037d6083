"""The app's models: the current Detector and DecisionProposer, cached per model version.

The registry (``store.model_registry``) says which version is current; this service loads that
version's directory once and keeps it, keyed by the version's name, so a promotion takes effect
on the next request without a restart, and a request never pays for loading twice. With no
current version registered, the default model shipped in the repo is used (``load(None)``).
Loading is lazy: building the service does no I/O (the app starts instantly, tests stay fast).
"""
from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session

from review_app.config import Settings

DEFAULT_KEY = "default"


def model_metadata(doc: Any) -> dict:
    """A Document's catalogue metadata under the proposer's ``meta`` keys (the contract's names)."""
    return {"title": doc.title, "creator": doc.creator, "date": doc.date_text, "year": doc.year,
            "classification": doc.classification, "genre": doc.genre, "reference_code": doc.reference_code}


@dataclass
class LoadedModels:
    key: str
    detector: Any
    proposer: Any


class ModelService:
    """Holds the loaded models of the current version; thread-safe, lazy."""

    def __init__(self, *, settings: Settings, engine: Engine) -> None:
        self.settings = settings
        self.engine = engine
        self._lock = threading.Lock()
        self._loaded: LoadedModels | None = None

    def current_version(self) -> tuple[str, str | None]:
        """(key, path) of the version to serve: the registry's current one, else the default."""
        from review_app.store import model_registry

        with Session(self.engine) as s:
            mv = model_registry.current_version(session=s)
        return (mv.name, mv.path) if mv is not None else (DEFAULT_KEY, None)

    def models(self) -> LoadedModels:
        key, path = self.current_version()
        with self._lock:
            if self._loaded is None or self._loaded.key != key:
                self._loaded = LoadedModels(key=key, detector=self._load_detector(path),
                                            proposer=self._load_proposer(path))
            return self._loaded

    def detector(self) -> Any:
        return self.models().detector

    def proposer(self) -> Any:
        return self.models().proposer

    def loaded_key(self) -> str | None:
        """The version currently in memory (None before the first use)."""
        return self._loaded.key if self._loaded else None

    @staticmethod
    def _load_detector(path: str | None) -> Any:
        from models.pipeline import Detector

        return Detector.load(path)

    @staticmethod
    def _load_proposer(path: str | None) -> Any:
        from models.decision import DecisionProposer

        return DecisionProposer.load(path)
