"""Engines and sessions. Engines are built from Settings on demand, never at import time."""
from __future__ import annotations

from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlmodel import Session, create_engine

MIGRATIONS_DIR = Path(__file__).parent / "migrations"


def make_engine(url: str, **kwargs) -> Engine:
    """Create an engine; SQLite gets WAL, foreign keys and a busy timeout for concurrent writers."""
    if url.startswith("sqlite"):
        kwargs.setdefault("connect_args", {"check_same_thread": False, "timeout": 30})
        engine = create_engine(url, **kwargs)

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn, _record):  # pragma: no cover - trivial
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        return engine
    kwargs.setdefault("pool_pre_ping", True)
    return create_engine(url, **kwargs)


def engine_for(settings, *, migrate: bool = True) -> Engine:
    """The engine of a deployment: its database, migrated, with its audit settings attached
    (``review_app.audit.configure``: the hash chosen once, the head published to a file)."""
    from review_app import audit

    engine = make_engine(settings.db_url)
    audit.configure(engine, algo=settings.audit_hash, head_file=settings.audit_head_path)
    if migrate:
        upgrade(engine)
    return engine


def check_audit_settings(engine: Engine) -> None:
    """Raise ``audit.AuditConfigError`` when the configured hash is not the existing chain's."""
    from review_app import audit

    with Session(engine) as session:
        audit.check_algorithm(session)


def upgrade(engine: Engine) -> None:
    """Bring the schema to the newest Alembic revision (the only way tables are created)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS_DIR))
    cfg.set_main_option("sqlalchemy.url", engine.url.render_as_string(hide_password=False).replace("%", "%%"))
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        command.upgrade(cfg, "head")


@contextmanager
def session_scope(engine: Engine) -> Iterator[Session]:
    """A session for one unit of work; the store functions commit, this only closes."""
    with Session(engine, expire_on_commit=False) as session:
        yield session
