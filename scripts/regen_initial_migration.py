"""Regenerate the initial Alembic revision from review_app/tables.py.

Only while nothing has been released: before the first release the schema is one revision.
After a release, write a new revision with ``alembic revision --autogenerate`` instead.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

ROOT = Path(__file__).resolve().parents[1]
VERSIONS = ROOT / "review_app" / "migrations" / "versions"

for f in VERSIONS.glob("0001_*.py"):
    f.unlink()
with tempfile.TemporaryDirectory() as tmp:
    cfg = Config()
    cfg.set_main_option("script_location", str(ROOT / "review_app" / "migrations"))
    cfg.set_main_option("sqlalchemy.url", f"sqlite:///{tmp}/empty.db")
    command.revision(cfg, message="initial schema", autogenerate=True, rev_id="0001")
print("regenerated", *VERSIONS.glob("0001_*.py"))
