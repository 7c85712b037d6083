"""Round trip through a REAL Label Studio server: push predictions, annotate, pull confirmed data.

The person's name 王𠮷祥 has a character outside the BMP, so every span after it sits one UTF-16
unit further right in Label Studio than in Kaifang: the test checks both directions.
"""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlmodel import select
from typer.testing import CliRunner

from review_app.db import make_engine, session_scope, upgrade
from review_app.tables import AuditEvent, Collection, Document, ExternalAnnotation
from training import labelstudio as ls
from training.dataset import confirmed_records

from ls_seed import ADDR, ID, NAME, PHONE, TEXT, cp, seed_document  # noqa: E402

pytestmark = [pytest.mark.labelstudio, pytest.mark.slow]

_cp = cp


def _u16(i: int) -> int:  # independent of models.text: count UTF-16 code units by encoding
    return len(TEXT[:i].encode("utf-16-le")) // 2


def _seed_store(engine) -> int:
    """One ingested document with machine spans (the address missed, the phone proposed)."""
    return seed_document(engine, "市档案馆 2026 批次", ((NAME, "PERSON"), (ID, "ID_NUMBER"), (PHONE, "PHONE")))


@pytest.fixture
def store(tmp_path):
    url = f"sqlite:///{tmp_path / 'kaifang.db'}"
    eng = make_engine(url)
    upgrade(eng)
    yield eng, url, tmp_path
    eng.dispose()


def test_offsets_convert_both_ways_around_a_supplementary_character():
    a, b = _cp(ID)
    r = ls.span_to_result(TEXT, {"start": a, "end": b, "label": "ID_NUMBER"})
    assert (r["value"]["start"], r["value"]["end"]) == (a + 1, b + 1) == (_u16(a), _u16(b))
    assert ls.result_to_span(TEXT, r) == {"start": a, "end": b, "label": "ID_NUMBER"}
    shifted = {**r, "value": {**r["value"], "start": a, "end": b}}  # code points sent as if UTF-16
    with pytest.raises(ls.OffsetMismatch, match="mismatch"):
        ls.result_to_span(TEXT, shifted)


def test_label_config_has_schema_labels_and_decisions():
    cfg = ls.label_config()
    for name in ("PERSON", "ID_NUMBER", "SECRET_MARK", "LOC", "OPEN_REDACTED", "CLOSED", "PERSONAL_INFO"):
        assert f'"{name}"' in cfg


def test_push_annotate_pull_round_trip(label_studio, store):
    engine, _, _ = store
    doc_id = _seed_store(engine)
    client = ls.connect(label_studio["url"], label_studio["token"])
    with session_scope(engine) as s:
        tasks = ls.document_tasks(s, limit=10)
    first = ls.push(client, title="Kaifang test 项目", tasks=tasks)
    assert first["imported"] == 1
    again = ls.push(client, title="Kaifang test 项目", tasks=tasks)
    assert again == {"project": first["project"], "imported": 0, "already_there": 1}
    pid = first["project"]

    # the prediction sits at UTF-16 offsets on the server
    task = next(iter(client.tasks.list(project=pid, fields="all")))
    task_id = task.id
    pred = [r for r in task.predictions[0].result if r["value"]["labels"] == ["ID_NUMBER"]][0]
    a, b = _cp(ID)
    assert (pred["value"]["start"], pred["value"]["end"]) == (_u16(a), _u16(b)) == (a + 1, b + 1)

    # the annotator confirms the name and ID, adds the missed address, rejects the phone, decides
    result = []
    for sub, label in ((NAME, "PERSON"), (ID, "ID_NUMBER"), (ADDR, "ADDRESS")):
        s0, e0 = _cp(sub)
        result.append({"from_name": "label", "to_name": "text", "type": "labels",
                       "value": {"start": _u16(s0), "end": _u16(e0), "text": sub, "labels": [label]}})
    result.append({"from_name": "decision", "to_name": "text", "type": "choices",
                   "value": {"choices": ["OPEN_REDACTED"]}})
    result.append({"from_name": "reasons", "to_name": "text", "type": "choices",
                   "value": {"choices": ["PERSONAL_INFO"]}})
    client.annotations.create(id=task_id, result=result, was_cancelled=False, lead_time=12.5)

    report = ls.pull(client, project_id=pid)
    assert report.refused == [] and len(report.annotations) == 1
    got = report.annotations[0]
    assert got.annotator == label_studio["user"]
    assert got.decision == "OPEN_REDACTED" and got.reasons == ["PERSONAL_INFO"]
    assert [(TEXT[s["start"]:s["end"]], s["label"]) for s in got.spans] == [
        (NAME, "PERSON"), (ID, "ID_NUMBER"), (ADDR, "ADDRESS")]

    with session_scope(engine) as s:
        assert len(ls.store_pulled(s, project_id=pid, report=report)) == 1
        assert len(ls.store_pulled(s, project_id=pid, report=ls.pull(client, project_id=pid))) == 1  # same row
        rows = s.exec(select(ExternalAnnotation)).all()
        assert len(rows) == 1 and rows[0].document_id == doc_id and rows[0].annotator == label_studio["user"]
        events = s.exec(select(AuditEvent).where(AuditEvent.action == "annotation.import")).all()
        assert [e.actor for e in events] == [label_studio["user"]]
        assert json.loads(events[0].payload)["decision"] == "OPEN_REDACTED"
        records = [r for r, _ in confirmed_records(s)]
    assert records[0]["decision"] == "OPEN_REDACTED"
    assert [TEXT[x["start"]:x["end"]] for x in records[0]["spans"]] == [NAME, ID, ADDR]


def test_shifted_annotation_is_refused_not_imported(label_studio, store):
    engine, _, _ = store
    _seed_store(engine)
    client = ls.connect(label_studio["url"], label_studio["token"])
    with session_scope(engine) as s:
        pid = ls.push(client, title="Kaifang shifted", tasks=ls.document_tasks(s, limit=5))["project"]
    task_id = next(iter(client.tasks.list(project=pid))).id
    a, b = _cp(ID)  # code points passed off as UTF-16: the naive bug this module exists to prevent
    client.annotations.create(id=task_id, result=[{"from_name": "label", "to_name": "text", "type": "labels",
                                                   "value": {"start": a, "end": b, "text": ID,
                                                             "labels": ["ID_NUMBER"]}}])
    report = ls.pull(client, project_id=pid)
    assert report.annotations == [] and len(report.refused) == 1
    assert "mismatch" in report.refused[0]["error"]


def test_cli_push_and_pull(label_studio, store, monkeypatch):
    engine, url, home = store
    _seed_store(engine)
    from kaifang.cli import app

    monkeypatch.setenv("KAIFANG_HOME", str(home))
    monkeypatch.setenv("KAIFANG_DATABASE_URL", url)
    monkeypatch.setenv("LABEL_STUDIO_URL", label_studio["url"])
    monkeypatch.setenv("LABEL_STUDIO_API_KEY", label_studio["token"])
    runner = CliRunner()
    out = runner.invoke(app, ["labelstudio", "push", "--project", "Kaifang CLI", "--limit", "3"])
    assert out.exit_code == 0, out.output
    pushed = json.loads(out.stdout.strip().splitlines()[-1])
    assert pushed["imported"] == 1
    out = runner.invoke(app, ["labelstudio", "pull", "--project", "Kaifang CLI"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.stdout.strip().splitlines()[-1])["annotations"] == 0  # nothing annotated yet
    monkeypatch.delenv("LABEL_STUDIO_API_KEY")
    out = runner.invoke(app, ["labelstudio", "pull", "--project", "Kaifang CLI"])
    assert out.exit_code == 2 and "LABEL_STUDIO_API_KEY" in out.output


def test_document_tasks_active_strategy_takes_the_most_informative_first(store):
    from review_app.store.model_registry import save_active_scores

    engine, _, _ = store
    doc_id = _seed_store(engine)
    now = datetime.now(timezone.utc)
    with session_scope(engine) as s:
        col = s.exec(select(Collection)).first()
        other = Document(collection_id=col.id, title="通知", source_path="y.txt", sha256="b" * 64,
                         media_type="text/plain", text="关于召开春耕生产工作会议的通知。", created_at=now, updated_at=now)
        s.add(other)
        s.commit()
        save_active_scores(session=s, scores=[
            {"document_id": other.id, "priority": 0.9, "uncertainty": 0.9, "disagreement": 0.0, "novelty": 1.0,
             "risk": 0.1},
            {"document_id": doc_id, "priority": 0.2, "uncertainty": 0.1, "disagreement": 0.0, "novelty": 0.0,
             "risk": 0.9}])
        [task] = ls.document_tasks(s, limit=1, strategy="active")
        assert task["data"]["document_id"] == other.id and task["predictions"][0]["result"] == []
        [task] = ls.document_tasks(s, limit=1, document_ids=[doc_id])
        assert len(task["predictions"][0]["result"]) == 3
        with pytest.raises(ValueError, match="strategy"):
            ls.document_tasks(s, limit=1, strategy="newest")
