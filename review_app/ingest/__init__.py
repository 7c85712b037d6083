"""Ingestion: turn a folder of archival files (text, Word, PDF, scans) into stored documents.

``extract`` reads one file into text with page boundaries; ``catalogue`` reads the catalogue CSV
(档号, 题名, 责任者, 日期, 密级) and matches rows to files; ``runner`` walks a folder and writes
through ``review_app.store.documents``, one commit per document.
"""
from review_app.ingest.errors import ExtractionError, OcrUnavailable

__all__ = ["ExtractionError", "OcrUnavailable"]
