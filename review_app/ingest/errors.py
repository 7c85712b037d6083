"""Exceptions of the ingestion package, each carrying a reason a person can act on."""
from __future__ import annotations


class ExtractionError(Exception):
    """A file that cannot be turned into text; ``reason`` is stored as the ingest-error row."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason


class OcrUnavailable(RuntimeError):
    """The chosen OCR engine is not installed (or lacks the Chinese model)."""


class CatalogueError(ValueError):
    """The catalogue CSV cannot be read (missing file, unknown encoding, no usable columns)."""
