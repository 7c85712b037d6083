"""What every request is checked for before a route runs: numbers the store can hold, no NUL.

The probe of 0c6a129 sent integers beyond 64 bits as ids, versions, pages and cursors (215
server errors in 25,797 calls, 153 on /rescan) and a NUL byte that PostgreSQL text refuses.
Ids, versions and offsets are 32-bit integer columns on PostgreSQL, so they are declared with
those bounds here (422 with the field named, before any query); a NUL anywhere in the path, the
query string, a form or a JSON body is a 400.
"""
from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import Path, Request
from pydantic import Field

from review_app.http_errors import http_error

#: the largest id, version or offset a 32-bit INTEGER column holds (PostgreSQL ``integer``)
INT32_MAX = 2**31 - 1
#: the largest page number a listing accepts (50 rows a page: far beyond any archive)
MAX_PAGE = 1_000_000

#: a path parameter naming a row
DbId = Annotated[int, Path(ge=1, le=INT32_MAX)]
#: a document version, a character offset
Version = Annotated[int, Field(ge=0, le=INT32_MAX, description="the Document.version you saw")]
Offset = Annotated[int, Field(ge=0, le=INT32_MAX)]


def bounded_int(value: int | None, name: str, low: int = 0, high: int = INT32_MAX) -> int | None:
    """``value`` if it lies in [low, high], else a 400 naming the field."""
    if value is not None and not low <= value <= high:
        raise http_error(400, "err.out_of_range", field=name, value=value, low=low, high=high)
    return value


def _has_nul(obj: Any) -> bool:
    if isinstance(obj, str):
        return "\x00" in obj
    if isinstance(obj, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in obj.items())
    if isinstance(obj, list):
        return any(_has_nul(v) for v in obj)
    return False


def _nul():
    return http_error(400, "err.nul")


async def reject_nul(request: Request) -> None:
    """Refuse a NUL character in the path, the query string, a form field or a JSON string."""
    if "\x00" in request.scope.get("path", "") or any("\x00" in k or "\x00" in v
                                                       for k, v in request.query_params.multi_items()):
        raise _nul()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    ctype = request.headers.get("content-type", "")
    if ctype.startswith(("application/x-www-form-urlencoded", "multipart/form-data")):
        form = await request.form()
        if any(isinstance(v, str) and ("\x00" in v or "\x00" in k) for k, v in form.multi_items()):
            raise _nul()
        return
    body = await request.body()
    if b"\x00" in body:
        raise _nul()
    if b"\\u0000" in body:  # an escaped NUL inside a JSON string (or a literal backslash-u0000: look)
        try:
            if _has_nul(json.loads(body)):
                raise _nul()
        except ValueError:
            return  # not JSON: the route's own validation answers
