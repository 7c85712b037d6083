"""The Label Studio round trip: the only module that imports ``label_studio_sdk``.

``push`` creates (or updates) a project whose labelling config uses the SCHEMA.md labels and the
decision/reason choices, and imports documents with the model's spans as predictions. ``pull``
reads finished annotations back and stores them as confirmed training data, the annotator as the
audit actor.

Offsets: Label Studio counts UTF-16 code units, Kaifang counts code points. A character outside
the BMP (𠮷, common in names) is one code point but two UTF-16 units, so every later span would
shift by one without conversion. Conversion happens here and only here, through
``models.text.cp_to_utf16`` / ``utf16_to_cp``, and every pulled span's text must equal the text
Label Studio reports for it, or that annotation is refused (never silently shifted).
"""
from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Iterable, Sequence
from xml.sax.saxutils import quoteattr

from models.spans import LABELS
from models.text import cp_to_utf16, utf16_to_cp
from models.vocabulary import ACTIVE_SPAN_STATUSES, DECISIONS, REASONS

FROM_LABELS, FROM_DECISION, FROM_REASONS, TO_NAME = "label", "decision", "reasons", "text"
_COLOURS = ("#e6194b", "#3cb44b", "#4363d8", "#f58231", "#911eb4", "#46f0f0", "#f032e6", "#bcf60c",
            "#fabebe", "#008080", "#9a6324")


class OffsetMismatch(ValueError):
    """A pulled span whose text does not match the document at the converted offsets."""


def label_config() -> str:
    """The labelling interface: SCHEMA.md span labels, the decision and its reason codes."""
    labels = "\n".join(f"    <Label value={quoteattr(lab)} background={quoteattr(_COLOURS[i % len(_COLOURS)])}/>"
                       for i, lab in enumerate(LABELS))
    decisions = "\n".join(f"    <Choice value={quoteattr(d)}/>" for d in DECISIONS)
    reasons = "\n".join(f"    <Choice value={quoteattr(r)}/>" for r in REASONS)
    return (
        "<View>\n"
        f'  <Labels name="{FROM_LABELS}" toName="{TO_NAME}">\n{labels}\n  </Labels>\n'
        f'  <Text name="{TO_NAME}" value="$text" granularity="symbol"/>\n'
        '  <Header value="Decision (开放 / 部分开放 / 暂不开放)"/>\n'
        f'  <Choices name="{FROM_DECISION}" toName="{TO_NAME}" choice="single" showInLine="true">\n{decisions}\n  </Choices>\n'
        '  <Header value="Reasons"/>\n'
        f'  <Choices name="{FROM_REASONS}" toName="{TO_NAME}" choice="multiple" showInLine="true">\n{reasons}\n  </Choices>\n'
        "</View>"
    )


# --------------------------------------------------------------------------- conversions (pure)


def span_to_result(text: str, span: dict, *, with_score: bool = True) -> dict:
    """A code-point span -> a Label Studio ``labels`` result (UTF-16 offsets)."""
    start, end, label = int(span["start"]), int(span["end"]), span["label"]
    if label not in LABELS or not 0 <= start < end <= len(text):
        raise ValueError(f"bad span {span!r} for a text of {len(text)} characters")
    result = {"from_name": FROM_LABELS, "to_name": TO_NAME, "type": "labels",
              "value": {"start": cp_to_utf16(text, start), "end": cp_to_utf16(text, end),
                        "text": text[start:end], "labels": [label]}}
    if with_score and span.get("score") is not None:
        result["score"] = float(span["score"])
    return result


def result_to_span(text: str, result: dict) -> dict:
    """A Label Studio ``labels`` result -> a code-point span, checking the span text."""
    value = result.get("value", {})
    labels = value.get("labels") or []
    if len(labels) != 1 or labels[0] not in LABELS:
        raise ValueError(f"a span needs exactly one SCHEMA label, got {labels!r}")
    start, end = utf16_to_cp(text, int(value["start"])), utf16_to_cp(text, int(value["end"]))
    if not 0 <= start < end <= len(text):
        raise OffsetMismatch(f"span [{value['start']}, {value['end']}) (UTF-16) is outside the text")
    expected = value.get("text")
    if expected is not None and text[start:end] != expected:
        raise OffsetMismatch(
            f"span text mismatch at code points [{start}, {end}): document has {text[start:end]!r}, "
            f"Label Studio says {expected!r}")
    return {"start": start, "end": end, "label": labels[0]}


def make_task(*, text: str, key: str, spans: Sequence[dict], model_version: str,
              document_id: int | None = None, title: str = "") -> dict:
    """A task with the model's spans as one prediction."""
    data = {"text": text, "kaifang_id": key, "title": title}
    if document_id is not None:
        data["document_id"] = document_id
    scores = [float(s["score"]) for s in spans if s.get("score") is not None]
    return {"data": data, "predictions": [{
        "model_version": model_version or "unknown",
        "score": min(scores) if scores else 1.0,
        "result": [span_to_result(text, s) for s in spans],
    }]}


@dataclass
class PulledAnnotation:
    annotation_id: int
    task_id: int
    key: str
    document_id: int | None
    text: str
    annotator: str
    spans: list[dict]
    decision: str | None
    reasons: list[str]
    annotated_at: datetime | None


@dataclass
class PullReport:
    annotations: list[PulledAnnotation] = field(default_factory=list)
    refused: list[dict] = field(default_factory=list)  # {"task", "annotation", "error"}
    skipped_cancelled: int = 0
    span_updates: list[dict] = field(default_factory=list)  # {"document", "annotation", counts...}


def _parse_time(v: Any) -> datetime | None:
    if not v:
        return None
    try:
        t = v if isinstance(v, datetime) else datetime.fromisoformat(str(v).replace("Z", "+00:00"))
    except ValueError:
        return None
    return t if t.tzinfo else t.replace(tzinfo=timezone.utc)


def parse_annotation(task: dict, annotation: dict, annotator: str) -> PulledAnnotation:
    text = task["data"]["text"]
    spans, decision, reasons = [], None, []
    for r in annotation.get("result") or []:
        if r.get("type") == "labels" and r.get("from_name") == FROM_LABELS:
            spans.append(result_to_span(text, r))
        elif r.get("type") == "choices" and r.get("from_name") == FROM_DECISION:
            choices = r.get("value", {}).get("choices") or []
            if len(choices) != 1 or choices[0] not in DECISIONS:
                raise ValueError(f"decision must be one of {DECISIONS}, got {choices!r}")
            decision = choices[0]
        elif r.get("type") == "choices" and r.get("from_name") == FROM_REASONS:
            reasons = [c for c in r.get("value", {}).get("choices") or []]
            bad = [c for c in reasons if c not in REASONS]
            if bad:
                raise ValueError(f"unknown reason codes {bad}")
    spans.sort(key=lambda s: (s["start"], s["end"]))
    for a, b in zip(spans, spans[1:]):
        if b["start"] < a["end"]:
            raise ValueError(f"overlapping spans {a} and {b}: SCHEMA spans never overlap")
    return PulledAnnotation(
        annotation_id=int(annotation["id"]), task_id=int(task["id"]), key=str(task["data"].get("kaifang_id", "")),
        document_id=task["data"].get("document_id"), text=text, annotator=annotator, spans=spans,
        decision=decision, reasons=reasons,
        annotated_at=_parse_time(annotation.get("updated_at") or annotation.get("created_at")))


# --------------------------------------------------------------------------- talking to the server


def connect(url: str, api_key: str):
    """A client for the server at ``url`` (the legacy token or a personal access token)."""
    from label_studio_sdk import LabelStudio

    if not url or not api_key:
        raise ValueError("Label Studio needs a URL and an API key (LABEL_STUDIO_URL, LABEL_STUDIO_API_KEY)")
    return LabelStudio(base_url=url.rstrip("/"), api_key=api_key)


def _get(obj: Any, name: str, default: Any = None) -> Any:
    return obj.get(name, default) if isinstance(obj, dict) else getattr(obj, name, default)


def ensure_project(client, title: str) -> int:
    """The project with this title (its labelling config brought up to date), created if missing."""
    if not title:
        raise ValueError("a Label Studio project needs a title")
    config = label_config()
    for p in client.projects.list(title=title):
        if _get(p, "title") == title:
            pid = int(_get(p, "id"))
            if (_get(client.projects.get(id=pid), "label_config") or "").strip() != config.strip():
                client.projects.update(id=pid, label_config=config)
            return pid
    project = client.projects.create(title=title, label_config=config,
                                     description="Kaifang 开放审核: spans (SCHEMA.md labels) and the opening decision")
    return int(_get(project, "id"))


def existing_keys(client, project_id: int) -> set[str]:
    keys = set()
    for t in client.tasks.list(project=project_id, fields="task_only", page_size=100):
        data = _get(t, "data") or {}
        if data.get("kaifang_id"):
            keys.add(str(data["kaifang_id"]))
    return keys


def push(client, *, title: str, tasks: Sequence[dict]) -> dict:
    """Create/update the project and import tasks not already there (idempotent per ``kaifang_id``)."""
    pid = ensure_project(client, title)
    have = existing_keys(client, pid)
    new = [t for t in tasks if str(t["data"]["kaifang_id"]) not in have]
    if new:
        client.projects.import_tasks(id=pid, request=new, commit_to_project=True, return_task_ids=True)
    return {"project": pid, "imported": len(new), "already_there": len(tasks) - len(new)}


def _user_names(client) -> dict[int, str]:
    names: dict[int, str] = {}
    for u in client.users.list():
        uid = _get(u, "id")
        names[int(uid)] = _get(u, "email") or _get(u, "username") or f"labelstudio-user-{uid}"
    return names


def pull(client, *, project_id: int) -> PullReport:
    """Finished (not cancelled) annotations, converted to code points and checked against the text."""
    tasks = client.projects.exports.as_json(project_id)
    names = None
    report = PullReport()
    for task in tasks:
        for ann in task.get("annotations") or []:
            if ann.get("was_cancelled"):
                report.skipped_cancelled += 1
                continue
            who = ann.get("completed_by")
            if isinstance(who, dict):
                annotator = who.get("email") or who.get("username") or f"labelstudio-user-{who.get('id')}"
            else:
                if names is None:
                    names = _user_names(client)
                annotator = names.get(int(who), f"labelstudio-user-{who}") if who is not None else "unknown"
            try:
                report.annotations.append(parse_annotation(task, ann, annotator))
            except ValueError as exc:
                report.refused.append({"task": task.get("id"), "annotation": ann.get("id"), "error": str(exc)})
    return report


# --------------------------------------------------------------------------- store side


def document_tasks(session, *, collection: str | None = None, limit: int = 50, seed: int = 0,
                   document_ids: Iterable[int] | None = None, strategy: str = "random") -> list[dict]:
    """Tasks for a sample of ingested documents, with their current machine spans.

    ``strategy``: ``random`` (seeded) or ``active`` (highest active-learning priority first, the
    documents whose annotation teaches the model most; unscored documents come last).
    """
    if strategy not in ("random", "active"):
        raise ValueError(f"unknown sampling strategy {strategy!r}; use 'random' or 'active'")
    from sqlmodel import select

    from review_app.tables import Collection, Document, SpanRecord

    q = select(Document.id)
    if collection:
        col = session.exec(select(Collection).where(Collection.name == collection)).first()
        if col is None:
            raise ValueError(f"unknown collection {collection!r}")
        q = q.where(Document.collection_id == col.id)
    if document_ids is not None:
        q = q.where(Document.id.in_(list(document_ids)))
    ids = sorted(session.exec(q).all())
    if limit < 1:
        raise ValueError("limit must be at least 1")
    if strategy == "active":
        from review_app.tables import ActiveScore

        prio = dict(session.exec(select(ActiveScore.document_id, ActiveScore.priority)
                                 .where(ActiveScore.document_id.in_(ids))).all())
        ids = sorted(sorted(ids, key=lambda i: (-prio.get(i, -1.0), i))[:limit])
    else:
        ids = sorted(random.Random(seed).sample(ids, min(limit, len(ids))))
    tasks = []
    for doc_id in ids:
        doc = session.get(Document, doc_id)
        if not doc.text:
            continue
        rows = session.exec(select(SpanRecord).where(SpanRecord.document_id == doc_id,
                                                     SpanRecord.status.in_(ACTIVE_SPAN_STATUSES))
                            .order_by(SpanRecord.start)).all()
        spans = [{"start": r.start, "end": r.end, "label": r.label, "score": r.score} for r in rows]
        version = next((r.model_version for r in rows if r.model_version), "") or ""
        tasks.append(make_task(text=doc.text, key=f"doc:{doc_id}", spans=spans, model_version=version,
                               document_id=doc_id, title=doc.title))
    return tasks


def store_pulled(session, *, project_id: int, report: PullReport) -> list[int]:
    """Store pulled annotations as confirmed training data (idempotent); returns the row ids.

    A newly imported annotation of an app document also updates that document's span rows, so the
    review desk shows what the annotator confirmed (``apply_to_spans``). Re-pulling changes nothing.
    """
    from sqlmodel import select

    from review_app.store.model_registry import import_external_annotation
    from review_app.tables import Document, ExternalAnnotation

    ids = []
    source = f"labelstudio:{project_id}"
    for a in report.annotations:
        doc_id = a.document_id
        if doc_id is not None:
            doc = session.get(Document, int(doc_id))
            if doc is None or doc.text != a.text:
                report.refused.append({"task": a.task_id, "annotation": a.annotation_id,
                                       "error": f"document {doc_id} is missing or its text differs from the task"})
                continue
        known = session.exec(select(ExternalAnnotation.id).where(
            ExternalAnnotation.source == source, ExternalAnnotation.external_id == str(a.annotation_id))).first()
        row = import_external_annotation(
            session=session, source=source, external_id=str(a.annotation_id),
            annotator=a.annotator, text=a.text, spans=a.spans, decision=a.decision, reasons=a.reasons,
            document_id=int(doc_id) if doc_id is not None else None, annotated_at=a.annotated_at)
        ids.append(row.id)
        if doc_id is not None and known is None:
            report.span_updates.append({"document": int(doc_id), "annotation": a.annotation_id,
                                        **apply_to_spans(session, document_id=int(doc_id), spans=a.spans,
                                                         actor=a.annotator)})
    return ids


def apply_to_spans(session, *, document_id: int, spans: Sequence[dict], actor: str) -> dict[str, Any]:
    """Make the document's span rows say what an annotator confirmed, through ``store.review``.

    The same write path (and audit events, the annotator as actor) as a reviewer's clicks:
    a row the annotation has is accepted, one with the same range under another label is
    relabelled, one the annotation lacks is rejected, and a span it adds is added. A document
    with a final decision is frozen: its rows are left alone and the reason is returned.
    """
    from review_app.store import review

    counts = {"accepted": 0, "relabelled": 0, "rejected": 0, "added": 0}
    doc = review.get_document(session=session, document_id=document_id)
    if review.is_frozen(doc):
        return {**counts, "skipped": "the document has a final decision; reopen it to change its spans"}
    want = {(int(s["start"]), int(s["end"]), s["label"]) for s in spans}
    by_range = {(st, en): lab for st, en, lab in want}
    rows = review.active_spans(session=session, document_id=document_id)
    stale = []
    for row in rows:
        key = (row.start, row.end, row.label)
        if key in want:
            want.discard(key)
            if row.status == "proposed":
                review.accept_span(session=session, span_id=row.id, actor=actor, version=None)
                counts["accepted"] += 1
        else:
            stale.append(row)
    relabel = [(r, by_range[(r.start, r.end)]) for r in stale
               if (r.start, r.end, by_range.get((r.start, r.end))) in want]
    for row in stale:  # rejections first: what they free may be needed by a relabel or an addition
        if all(row is not r for r, _ in relabel):
            review.reject_span(session=session, span_id=row.id, actor=actor, version=None)
            counts["rejected"] += 1
    for row, label in relabel:
        review.relabel_span(session=session, span_id=row.id, label=label, actor=actor, version=None)
        want.discard((row.start, row.end, label))
        counts["relabelled"] += 1
    for start, end, label in sorted(want):
        review.add_span(session=session, document_id=document_id, start=start, end=end, label=label, actor=actor,
                        version=None)
        counts["added"] += 1
    return counts
