"""The audit chain: append, verify, tamper detection and concurrent writers, on both databases."""
from __future__ import annotations

import threading

from sqlalchemy import text
from sqlmodel import Session

from review_app import audit
from review_app.tables import AuditEvent


def _append_n(engine, n, actor="tester"):
    for i in range(n):
        with Session(engine) as s:
            audit.append(session=s, actor=actor, action="test", subject=f"doc:{i}", payload={"i": i, "名": "林碧军"})
            s.commit()


def test_intact_chain_verifies(engine):
    _append_n(engine, 5)
    with Session(engine) as s:
        assert audit.verify(session=s) is None
        h = audit.head(session=s)
        assert h.seq == 5 and len(h.hash) == 64


def test_sm3_chain_verifies(engine):
    audit.configure(engine, algo="sm3")
    _append_n(engine, 3)
    with Session(engine) as s:
        assert audit.verify(session=s) is None
        assert {e.algo for e in audit.iter_events(s)} == {"sm3"}


def test_edit_in_sql_is_found_at_that_event(engine):
    _append_n(engine, 6)
    with engine.begin() as c:
        c.execute(text("UPDATE audit_event SET payload = :p WHERE seq = 4"), {"p": '{"i":99}'})
    with Session(engine) as s:
        assert audit.verify(session=s) == 4


def test_deletion_is_found_at_the_next_event(engine):
    _append_n(engine, 6)
    with engine.begin() as c:
        c.execute(text("DELETE FROM audit_event WHERE seq = 3"))
    with Session(engine) as s:
        assert audit.verify(session=s) == 4


def test_truncation_is_found_against_published_head(engine):
    _append_n(engine, 6)
    with Session(engine) as s:
        published = audit.head(session=s)
    with engine.begin() as c:
        c.execute(text("DELETE FROM audit_event WHERE seq >= 5"))
    with Session(engine) as s:
        assert audit.verify(session=s) is None  # the remaining prefix is self-consistent ...
        assert audit.verify(session=s, expected_head=published) == 5  # ... but not the published head


def test_floats_are_refused():
    import pytest

    with pytest.raises(TypeError):
        audit.canonical({"p": 0.5})


def test_concurrent_writers_keep_one_chain(engine):
    errors: list[BaseException] = []

    def worker(k):
        try:
            _append_n(engine, 10, actor=f"w{k}")
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker, args=(k,)) for k in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors, errors
    with Session(engine) as s:
        assert audit.verify(session=s) is None
        assert s.query(AuditEvent).count() == 40


def test_sm3_is_the_national_standard_hash():
    """GB/T 32905-2016 appendix A, example 1: SM3("abc")."""
    assert audit.digest("sm3", "abc") == "66c7f0f462eeedd9d1f2d46bdc10e4e24167c4875cf2f7a2297da02b8f4ba8e0"
