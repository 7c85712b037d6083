"""Keyset pages of the queue (``after``): the same rows as OFFSET pages, in the same order, for
every order that has a keyset, across the proposed and the not-yet-proposed part."""
from __future__ import annotations

import pytest
from sqlmodel import Session

from review_app.queue import QueueError, QueueFilters, decode_cursor, ORDERS, queue_page

from review_fixtures import make_document, scan_and_propose


def _walk_offset(s, order, per_page, filters):
    out, page = [], 1
    while True:
        qp = queue_page(session=s, filters=filters, order=order, page=page, per_page=per_page)
        out.append([r["id"] for r in qp.rows])
        if not qp.has_more:
            return out
        page += 1


def _walk_keyset(s, order, per_page, filters):
    out, after = [], None
    while True:
        qp = queue_page(session=s, filters=filters, order=order, per_page=per_page, after=after)
        out.append([r["id"] for r in qp.rows])
        if not qp.has_more:
            assert qp.next_after is None
            return out
        after = qp.next_after
        assert after is not None


@pytest.mark.parametrize("order", ["risk", "uncertainty", "id"])
def test_keyset_pages_equal_offset_pages(engine, order):
    with Session(engine, expire_on_commit=False) as s:
        ids = make_document(s, n=9)
        for i, conf in zip(ids[:6], (0.9, 0.5, 0.7, 0.5, 0.8, 0.9)):  # ties on risk: the id breaks them
            scan_and_propose(s, i, confidence=conf)
        for per_page in (1, 2, 4):
            expected = _walk_offset(s, order, per_page, QueueFilters(stage="all"))
            assert _walk_keyset(s, order, per_page, QueueFilters(stage="all")) == expected
            assert sorted(i for p in expected for i in p) == sorted(ids)
        by_decision = QueueFilters(stage="all", decision="OPEN_REDACTED")
        assert _walk_keyset(s, order, 2, by_decision) == _walk_offset(s, order, 2, by_decision)


def test_a_bad_cursor_is_a_clear_error(engine):
    with Session(engine, expire_on_commit=False) as s:
        make_document(s, n=1)
        for bad in ("x", "WyJwIiwgMV0", "WyJ1IiwgImEiXQ"):  # not base64 JSON; too few keys; not an id
            with pytest.raises(QueueError, match="cursor"):
                queue_page(session=s, filters=QueueFilters(), order="risk", after=bad)
    assert decode_cursor("WyJ1IiwgM10", ORDERS["risk"]) == ("u", [3])


def test_api_queue_returns_the_next_cursor(app_env):
    from app_helpers import login

    app, _, ids = app_env
    client, _ = login(app, "reviewer1")
    first = client.get("/api/queue", params={"per_page": 2, "stage": "all"}).json()
    second = client.get("/api/queue", params={"per_page": 2, "stage": "all", "after": first["next_after"]}).json()
    assert [r["id"] for r in first["rows"] + second["rows"]] == \
        [r["id"] for r in client.get("/api/queue", params={"per_page": 10, "stage": "all"}).json()["rows"]]
    assert second["next_after"] is None
    assert client.get("/api/queue", params={"after": "garbage"}).status_code == 400
