"""Edit conflicts: two reviewers on the same document; the second save is refused, never merged."""
from __future__ import annotations

import threading

from sqlmodel import Session, select

from review_app import audit
from review_app.store import review
from review_app.tables import Document, SpanRecord
from review_fixtures import make_document, scan_and_propose
from app_helpers import login


def test_second_save_on_a_stale_version_is_refused_over_http(app_env):
    app, _, ids = app_env
    a, acsrf = login(app, "reviewer1")
    b, bcsrf = login(app, "reviewer2")
    doc_a = a.get(f"/api/documents/{ids[0]}").json()
    doc_b = b.get(f"/api/documents/{ids[0]}").json()  # both opened version v
    v = doc_a["document"]["version"]
    assert doc_b["document"]["version"] == v
    span = doc_a["spans"][0]["id"]
    r1 = a.post(f"/api/spans/{span}/reject", json={"version": v}, headers={"X-CSRF-Token": acsrf})
    assert r1.status_code == 200
    r2 = b.post(f"/api/spans/{span}/accept", json={"version": v}, headers={"X-CSRF-Token": bcsrf})
    assert r2.status_code == 409
    assert "changed by reviewer1 since you opened it" in r2.json()["detail"] and "Reload" in r2.json()["detail"]
    # reviewer1's change stands; reviewer2's did not silently overwrite it
    assert next(s for s in b.get(f"/api/documents/{ids[0]}").json()["rejected_spans"] if s["id"] == span)
    r3 = b.post(f"/api/documents/{ids[0]}/decision", json={"version": v, "decision": "OPEN"},
                headers={"X-CSRF-Token": bcsrf})
    assert r3.status_code == 409


def test_parallel_saves_on_one_version_let_exactly_one_win(engine):
    """Threads racing on the same version (SQLite and PostgreSQL): one commit, the rest refused."""
    with Session(engine, expire_on_commit=False) as s:
        (doc_id,) = make_document(s)
        rows, _ = scan_and_propose(s, doc_id)
        version = s.get(Document, doc_id).version
    barrier = threading.Barrier(4)
    outcomes: list[str] = []
    lock = threading.Lock()

    def worker(i: int) -> None:
        with Session(engine, expire_on_commit=False) as s:
            barrier.wait()
            try:
                review.accept_span(session=s, span_id=rows[i].id, actor=f"rev{i}", version=version)
                res = "ok"
            except review.ConflictError:
                res = "conflict"
        with lock:
            outcomes.append(res)

    threads = [threading.Thread(target=worker, args=(i,)) for i in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["conflict", "conflict", "conflict", "ok"]
    with Session(engine) as s:
        accepted = s.exec(select(SpanRecord).where(SpanRecord.status == "accepted")).all()
        assert len(accepted) == 1
        assert s.get(Document, doc_id).version == version + 1
        assert audit.verify(session=s) is None
