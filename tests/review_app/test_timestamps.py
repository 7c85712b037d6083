"""Timestamps are timezone-aware UTC everywhere: written by the column defaults, read back aware
(also from SQLite, which stores no offset), and comparable with ``datetime.now(timezone.utc)``."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import StatementError
from sqlmodel import Session, select

from review_app.tables import Collection, TrainingJob, utcnow


def test_utcnow_is_aware_utc():
    now = utcnow()
    assert now.tzinfo is not None and now.utcoffset() == timedelta(0)


def test_defaults_write_and_read_aware_utc(engine):
    before = datetime.now(timezone.utc)
    with Session(engine, expire_on_commit=False) as s:
        s.add(Collection(name="时区全宗"))  # created_at from the column default
        s.add(TrainingJob(started_by="admin1"))
        s.commit()
    with Session(engine) as s:  # a fresh session: values come from the database
        col = s.exec(select(Collection).where(Collection.name == "时区全宗")).one()
        job = s.exec(select(TrainingJob)).one()
        for value in (col.created_at, job.created_at):
            assert value.utcoffset() == timedelta(0)
            assert before - timedelta(seconds=5) <= value <= datetime.now(timezone.utc) + timedelta(seconds=5)
        # comparisons in SQL take aware values on both backends
        assert s.exec(select(Collection).where(Collection.created_at >= before - timedelta(seconds=5))).first()


def test_other_offsets_are_stored_as_utc(engine):
    beijing = timezone(timedelta(hours=8))
    with Session(engine, expire_on_commit=False) as s:
        s.add(Collection(name="北京时间", created_at=datetime(2026, 1, 1, 8, 0, tzinfo=beijing)))
        s.commit()
    with Session(engine) as s:
        got = s.exec(select(Collection.created_at).where(Collection.name == "北京时间")).one()
    assert got == datetime(2026, 1, 1, 0, 0, tzinfo=timezone.utc) and got.utcoffset() == timedelta(0)


def test_naive_values_are_refused(engine):
    with Session(engine) as s:
        s.add(Collection(name="naive", created_at=datetime(2026, 1, 1)))
        with pytest.raises(StatementError, match="timezone"):
            s.commit()
