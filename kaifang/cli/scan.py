"""``kaifang scan FILE|-``: print the detector's spans as JSON Lines;
``kaifang scan --collection NAME``: scan ingested documents into the store."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json


def _read_input(source: str) -> str:
    """The text of FILE (encoding detected: UTF-8, GB18030, Big5 ...) or of standard input."""
    if source == "-":
        data = sys.stdin.buffer.read()
    else:
        p = Path(source)
        if not p.is_file():
            fail(f"{source}: no such file")
        data = p.read_bytes()
    if not data:
        return ""
    from review_app.ingest.encoding import decode_bytes

    try:
        return decode_bytes(data).text
    except Exception as exc:  # ExtractionError: binary or undecodable input
        fail(f"{source}: cannot read as text: {exc}")


def _load_detector(model: Optional[Path], rules_only: bool):
    from models.evaluation import EvaluationInputError, load_detector, warn

    try:
        detector, warning = load_detector(model, rules_only=rules_only)
    except (EvaluationInputError, FileNotFoundError, ValueError) as exc:
        fail(str(exc))
    if warning:
        warn(warning)
    return detector


def _scan_collection(name: str, detector, rescan: bool, actor: str, batch_size: int = 32) -> None:
    try:
        from review_app.store.review import record_detection  # owner F
    except ImportError:
        fail("scanning into the store needs review_app.store.review.record_detection, which is not available")
    from review_app.db import session_scope
    from review_app.store.documents import get_collection, list_documents

    from review_app.store.review import is_frozen

    counts = {"collection": name, "documents": 0, "scanned": 0, "skipped": 0, "frozen": 0, "spans": 0}
    with session_scope(engine()) as session:
        coll = get_collection(session=session, name=name)
        if coll is None:
            fail(f"no collection named {name!r} (ingest it first: kaifang ingest)")
        docs = [(d.id, d.text, d.status, is_frozen(d)) for d in list_documents(session=session, collection_id=coll.id)]
        counts["documents"] = len(docs)
        # a document with a final decision keeps its spans (frozen until the committee reopens it)
        todo = [(i, t) for i, t, status, frozen in docs if (rescan and not frozen) or status == "new"]
        counts["frozen"] = sum(1 for *_, frozen in docs if frozen and rescan)
        counts["skipped"] = len(docs) - len(todo)
        for k in range(0, len(todo), batch_size):  # batched: the neural tagger runs faster on batches
            batch = todo[k : k + batch_size]
            results = detector.detect_many([t for _, t in batch], batch_size=batch_size)
            for (doc_id, _), spans in zip(batch, results):
                rows = record_detection(session=session, document_id=doc_id, spans=spans,
                                        model_version=str(detector.version), actor=actor, replace=rescan)
                counts["scanned"] += 1
                counts["spans"] += len(rows)
    print_json(counts)


def register(app: typer.Typer) -> None:
    @app.command("scan")
    def scan(
        source: Optional[str] = typer.Argument(None, help="a text file, or - for standard input"),
        collection: Optional[str] = typer.Option(None, "--collection", help="scan this ingested collection into the store"),
        model: Optional[Path] = typer.Option(None, "--model", help="model version directory (default: the shipped model)"),
        rescan: bool = typer.Option(False, "--rescan", help="with --collection: scan documents already scanned "
                                    "again (spans nobody reviewed are replaced)"),
        actor: str = typer.Option("system", "--actor", help="with --collection: who the audit log names"),
        rules_only: bool = typer.Option(False, "--rules-only", help="run the exact rules alone (no trained model)"),
    ) -> None:
        """Detect sensitive spans: JSON Lines (label, text, start, end, score, source, explanation)."""
        if (source is None) == (collection is None):
            fail("give either FILE (or - for standard input) or --collection NAME")
        detector = _load_detector(model, rules_only)
        if collection is not None:
            _scan_collection(collection, detector, rescan, actor)
            return
        text = _read_input(source)
        for s in detector.detect(text):
            print_json({"label": s.label, "text": text[s.start : s.end], "start": s.start, "end": s.end,
                        "score": round(float(s.score), 4), "source": s.source,
                        "explanation": s.explanation})
