"""Helpers shared by the command modules: settings, engine, clean failure messages."""
from __future__ import annotations

import json
import sys
from typing import Any, NoReturn

import typer


def fail(message: str, code: int = 2) -> NoReturn:
    """Print a clear error (no traceback) and exit."""
    typer.secho(f"kaifang: {message}", err=True, fg=typer.colors.RED)
    raise typer.Exit(code)


def print_json(obj: Any) -> None:
    sys.stdout.write(json.dumps(obj, ensure_ascii=False, sort_keys=False) + "\n")
    sys.stdout.flush()


def settings():
    from review_app.config import Settings

    return Settings()


def engine(s=None, *, migrate: bool = True):
    """The engine for the configured database, migrated to the newest schema."""
    from review_app.db import make_engine, upgrade

    s = s or settings()
    s.ensure_home()
    eng = make_engine(s.db_url)
    if migrate:
        upgrade(eng)
    return eng
