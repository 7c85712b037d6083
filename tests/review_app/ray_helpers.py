"""Model loaders for the Ray tests; a module of its own so that Ray workers can import it."""
from __future__ import annotations

import os
import signal
from pathlib import Path


class KillOnce:
    """Wraps a detector: the second batch a worker gets kills that worker's process (SIGKILL, as
    ``kill -9`` or a lost node would), once per run (a marker file says it happened)."""

    def __init__(self, detector, marker: Path):
        self.detector, self.marker, self.calls = detector, Path(marker), 0
        self.version = detector.version

    def detect_many(self, texts, batch_size=32):
        self.calls += 1
        if self.calls == 2 and not self.marker.exists():
            self.marker.write_text(str(os.getpid()))
            os.kill(os.getpid(), signal.SIGKILL)
        return self.detector.detect_many(texts, batch_size=batch_size)


def kill_once_loader(marker: str):
    """A ``Worker`` loader: the spec's models, the detector wrapped in ``KillOnce``."""

    def load(spec):
        detector, proposer = spec.load()
        return KillOnce(detector, Path(marker)), proposer

    return load
