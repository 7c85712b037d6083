"""Bulk writes for stores of millions of rows: PostgreSQL ``COPY``, elsewhere ``executemany``, in batches.

Row-at-a-time ORM inserts cost a round trip (and with a commit per row, an fsync) per row; at a
million documents that is hours. ``copy_rows`` streams a batch of plain dicts into one table: on
PostgreSQL through ``COPY ... FROM STDIN`` (psycopg 3, binary-safe text format), elsewhere as one
``executemany`` INSERT per batch. Each batch is its own transaction, so memory stays flat and an
interrupted load keeps what it committed.

This is a loader for data that is already what the store holds (a migration from another system,
synthetic rows for a benchmark): it writes no audit events. Documents entering review go through
``store.documents.add_document`` (one audited event each).
"""
from __future__ import annotations

import json
from datetime import date, datetime
from typing import Any, Iterable, Iterator, Sequence

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlmodel import SQLModel

DEFAULT_BATCH = 10_000


def _batches(rows: Iterable[dict[str, Any]], size: int) -> Iterator[list[dict[str, Any]]]:
    batch: list[dict[str, Any]] = []
    for r in rows:
        batch.append(r)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def _copy_value(v: Any) -> Any:
    """A Python value as COPY's text format wants it (JSON columns as JSON text)."""
    if isinstance(v, (dict, list)):
        return json.dumps(v, ensure_ascii=False)
    if isinstance(v, (datetime, date)):
        return v.isoformat()
    return v


def copy_rows(engine: Engine, model: type[SQLModel], rows: Iterable[dict[str, Any]], *,
              columns: Sequence[str] | None = None, batch: int = DEFAULT_BATCH) -> int:
    """Insert ``rows`` (dicts keyed by column name) into ``model``'s table; returns how many.

    ``columns``: the columns every row gives (default: the keys of the first row). PostgreSQL:
    COPY; any other database: executemany. A serial ``id`` given explicitly is not advanced by
    COPY: call ``reset_sequence`` afterwards.
    """
    if batch < 1:
        raise ValueError(f"batch must be at least 1, not {batch}")
    table = model.__table__
    n = 0
    for chunk in _batches(rows, batch):
        cols = list(columns or chunk[0].keys())
        unknown = [c for c in cols if c not in table.c]
        if unknown:
            raise ValueError(f"{table.name} has no column(s) {', '.join(unknown)}")
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{c}"' for c in cols)
            raw = engine.raw_connection()
            try:
                with raw.cursor() as cur, cur.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as cp:
                    for r in chunk:
                        cp.write_row([_copy_value(r.get(c)) for c in cols])
                raw.commit()
            finally:
                raw.close()
        else:
            with engine.begin() as conn:
                conn.execute(insert(table), [{c: r.get(c) for c in cols} for r in chunk])
        n += len(chunk)
    return n


def reset_sequence(engine: Engine, model: type[SQLModel], column: str = "id") -> None:
    """Move a PostgreSQL serial past the largest id (after rows were copied with explicit ids)."""
    if engine.dialect.name != "postgresql":
        return
    from sqlalchemy import text

    table = model.__table__.name
    with engine.begin() as conn:
        conn.execute(text(f"SELECT setval(pg_get_serial_sequence('\"{table}\"', :col), "
                          f"GREATEST((SELECT max(\"{column}\") FROM \"{table}\"), 1))"), {"col": column})
