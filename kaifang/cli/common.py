"""Helpers shared by the command modules: settings, engine, clean failure messages."""
from __future__ import annotations

import contextlib
import json
import os
import sys
from pathlib import Path
from typing import Any, NoReturn

import typer


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error (no traceback) and exit."""
    typer.secho(f"kaifang: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, sort_keys=False) + "\n")
    sys.stdout.flush()


def write_text_atomic(path: Path, text: str) -> None:
    """Write a file whole or not at all (temp file + rename); an unwritable place (``--out`` in a
    read-only or missing folder, a name too long) is a one-line error, not a traceback."""
    path = Path(path)
    tmp = path.with_name(f".{path.name}.tmp{os.getpid()}")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError as exc:
        with contextlib.suppress(OSError):
            tmp.unlink(missing_ok=True)
        fail(f"cannot write {path}: {exc.strerror or exc}")


def settings():
    from review_app.config import Settings

    return Settings()


def engine(s=None, *, migrate: bool = True, check_audit: bool = True):
    """The engine for the configured database, migrated to the newest schema, with the audit
    settings attached; a configured audit hash that is not the chain's is a one-line error."""
    from review_app import audit
    from review_app.db import check_audit_settings, engine_for

    s = s or settings()
    try:
        s.ensure_home()
    except OSError as exc:
        fail(f"cannot create the data directory KAIFANG_HOME={s.home}: {exc.strerror or exc}")
    eng = engine_for(s, migrate=migrate)
    if check_audit:
        try:
            check_audit_settings(eng)
        except audit.AuditConfigError as exc:
            fail(str(exc))
    return eng


def registry_current_model(s=None) -> tuple[str, Path] | None:
    """(name, path) of the model registry's current version, or None where there is none.

    Read-only: a deployment whose SQLite file does not exist yet has no registry, and nothing is
    created to find that out (``kaifang evaluate`` must not leave a database behind).
    """
    from sqlalchemy.engine import make_url
    from sqlalchemy.exc import SQLAlchemyError

    from review_app.db import make_engine, session_scope
    from review_app.store import model_registry as registry

    s = s or settings()
    url = make_url(s.db_url)
    if url.get_backend_name() == "sqlite" and (not url.database or not Path(url.database).is_file()):
        return None
    eng = make_engine(s.db_url)
    try:
        with session_scope(eng) as sess:
            mv = registry.current_version(session=sess)
            return (mv.name, Path(mv.path)) if mv is not None else None
    except SQLAlchemyError:  # a database without the registry's tables yet
        return None
    finally:
        eng.dispose()
