"""Exports are on the record: who exported which part of the log or data, and how much."""
from __future__ import annotations

from sqlmodel import Session

from review_app import audit


def record_export(*, session: Session, actor: str, what: str, fmt: str, filters: dict, count: int) -> None:
    """Append an ``export`` event (the export's filters and size, not its content) and commit."""
    if not actor:
        raise ValueError("an export needs the user who made it")
    audit.append(session=session, actor=actor, action="export", subject=f"export:{what}",
                 payload={"what": what, "format": fmt, "filters": {k: str(v) for k, v in filters.items()},
                          "count": int(count)})
    session.commit()
