"""Shared fixtures: a fresh SQLite file per test, and a fresh PostgreSQL schema per test.

No test cleans a shared database by deleting rows: each gets its own database (SQLite) or its
own schema (PostgreSQL, dropped afterwards).
"""
from __future__ import annotations

import os
import uuid

import pytest

os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")
os.environ.setdefault("ORT_DISABLE_TELEMETRY", "1")
os.environ.setdefault("OMP_THREAD_LIMIT", "1")

PG_URL = os.environ.get("KAIFANG_TEST_PG_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")


def _pg_available() -> bool:
    try:
        import psycopg

        with psycopg.connect(PG_URL.replace("postgresql+psycopg", "postgresql"), connect_timeout=3):
            return True
    except Exception:
        return False


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'kaifang.db'}"


@pytest.fixture
def sqlite_engine(sqlite_url):
    from review_app.db import make_engine, upgrade

    eng = make_engine(sqlite_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture
def pg_url():
    """A URL whose connections use a fresh schema, dropped after the test."""
    if not _pg_available():
        if os.environ.get("CI"):
            pytest.fail(f"PostgreSQL is not reachable at {PG_URL}; .ci/run should have started it")
        pytest.skip("PostgreSQL not reachable")
    import psycopg

    schema = f"t_{uuid.uuid4().hex[:12]}"
    raw = PG_URL.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(raw, autocommit=True) as conn:
        conn.execute(f'CREATE SCHEMA "{schema}"')
    sep = "&" if "?" in PG_URL else "?"
    yield f"{PG_URL}{sep}options=-csearch_path%3D{schema}"
    with psycopg.connect(raw, autocommit=True) as conn:
        conn.execute(f'DROP SCHEMA "{schema}" CASCADE')


@pytest.fixture
def pg_engine(pg_url):
    from review_app.db import make_engine, upgrade

    eng = make_engine(pg_url)
    upgrade(eng)
    yield eng
    eng.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def engine(request):
    """The store under test, on SQLite and on PostgreSQL."""
    return request.getfixturevalue("sqlite_engine" if request.param == "sqlite" else "pg_engine")


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """A test whose data comes from ../shared/datasets (synthetic documents draw on its gazetteers,
    tagger training on CLUENER) is skipped, naming the missing file, where that folder is absent
    (a clone outside this workplace; set KAIFANG_SHARED_DATASETS) rather than reported as broken."""
    outcome = yield
    rep = outcome.get_result()
    if call.excinfo is None or rep.skipped:
        return
    from training.gazetteers import GazetteerMissing

    if call.excinfo.errisinstance(GazetteerMissing):
        rep.outcome = "skipped"
        rep.longrepr = (str(item.path), item.location[1] or 0, f"Skipped: {call.excinfo.value}")
