"""HTTP errors that a page can show in the reader's language.

``http_error(404, "err.document_missing", document=7)`` is an ``HTTPException`` whose ``detail`` is
the English text (what the JSON API returns in ``detail``, stable for scripts) and which carries
the catalogue key and parameters, so the error page and the page script show it in Chinese (or
English). A store error (``review_app.i18n.LocalizedError``) converts with its key kept.
"""
from __future__ import annotations

from typing import Any, Mapping

from fastapi import HTTPException

from review_app.i18n import LocalizedError, t


def http_error(status: int, key_or_error: str | LocalizedError, headers: Mapping[str, str] | None = None,
               **params: Any) -> HTTPException:
    """An ``HTTPException`` with an English ``detail`` and the catalogue key to localise it."""
    if isinstance(key_or_error, LocalizedError):
        key, params, detail = key_or_error.key, key_or_error.params, str(key_or_error)
    else:
        key, detail = key_or_error, t(key_or_error, "en", **params)
    exc = HTTPException(status_code=status, detail=detail, headers=dict(headers) if headers else None)
    exc.key, exc.params = key, params  # read by i18n.localize
    return exc
