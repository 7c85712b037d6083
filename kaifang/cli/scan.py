"""``kaifang scan FILE|-``: print the detector's spans as JSON Lines;
``kaifang scan --collection NAME``: scan ingested documents into the store."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.collection_run import (
    address_option,
    batch_option,
    engine_option,
    run_over_collection,
    workers_option,
)
from kaifang.cli.common import fail, print_json


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


def _scan_collection(name: str, *, spec, detector, rescan: bool, actor: str, engine_name: str,
                     address: Optional[str], workers: int, batch_size: int) -> None:
    """Scan the collection's documents into the store (``review_app.pipeline_service``): those
    never scanned, or with ``rescan`` every one not frozen by a final decision."""
    from review_app.pipeline_service import Options

    try:
        c, _ = run_over_collection(name, spec=spec, options=Options(scan=True, rescan=rescan, propose=False),
                                   actor=actor, engine_name=engine_name, address=address, workers=workers,
                                   batch_size=batch_size, detector=detector)
    except LookupError as exc:
        fail(str(exc))
    print_json({"collection": name, "documents": c.documents, "scanned": c.scanned, "skipped": c.skipped,
                "frozen": c.frozen, "spans": c.spans})


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
        engine_name: str = engine_option(),
        address: Optional[str] = address_option(),
        workers: int = workers_option(),
        batch_size: int = batch_option(),
    ) -> None:
        """Detect sensitive spans: JSON Lines (label, text, start, end, score, source, explanation)."""
        if (source is None) == (collection is None):
            fail("give either FILE (or - for standard input) or --collection NAME")
        if collection is not None:
            from review_app.scale import ModelSpec

            spec = ModelSpec(path=str(model) if model is not None else None, rules_only=rules_only, proposer=False)
            # the local engine loads here (a missing model is a clean error); Ray actors load their own
            detector = _load_detector(model, rules_only) if engine_name == "local" else None
            _scan_collection(collection, spec=spec, detector=detector, rescan=rescan, actor=actor,
                             engine_name=engine_name, address=address, workers=workers, batch_size=batch_size)
            return
        detector = _load_detector(model, rules_only)
        text = _read_input(source)
        for s in detector.detect(text):
            print_json({"label": s.label, "text": text[s.start : s.end], "start": s.start, "end": s.end,
                        "score": round(float(s.score), 4), "source": s.source,
                        "explanation": s.explanation})
