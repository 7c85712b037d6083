"""``kaifang demo``: the README's main command.

Ingests the bundled sample collection (``datasets/sample_collection`` with its catalogue), scans
it, proposes decisions, and serves the review app on 127.0.0.1 with a printed first-run admin
login. Every step is idempotent: a second run adds nothing and goes straight to serving.
"""
from __future__ import annotations

from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json, settings

SAMPLE = Path(__file__).resolve().parents[2] / "datasets" / "sample_collection"


def run_demo(*, s, eng, sample: Path, collection: str | None, ocr: str, progress: bool) -> dict:
    """Ingest + scan + propose; returns a summary (what the JSON line prints)."""
    from kaifang.cli.propose import load_models, run_propose
    from review_app.ingest.runner import LazyOcr, ingest_directory

    catalogue = sample / "catalogue.csv"
    root = sample / "documents" if (sample / "documents").is_dir() else sample
    report = ingest_directory(engine=eng, root=root, collection=collection,
                              catalogue=catalogue if catalogue.is_file() else None, ocr=LazyOcr(ocr),
                              actor="demo", progress=progress)
    detector, proposer = load_models(eng, s, None)
    collection = report.collection  # the catalogue's 全宗号 unless --collection says otherwise
    counts = run_propose(eng=eng, collection=collection, detector=detector, proposer=proposer, actor="demo")
    return {"collection": collection, "ingested": report.ingested, "duplicates": report.duplicates,
            "ingest_errors": len(report.errors), "documents": counts["documents"], "scanned": counts["scanned"],
            "proposed": counts["proposed"], "scored": counts.get("scored", 0), "decisions": counts["decisions"],
            "detector": counts["detector"],
            "proposer": counts["proposer"], "database": s.db_url if not s.database_url else "(KAIFANG_DATABASE_URL)"}


def first_to_review(eng) -> int | None:
    """The document at the head of the reviewers' queue (what the newcomer opens first)."""
    from review_app.db import session_scope
    from review_app.queue import QueueFilters, queue_page

    with session_scope(eng) as session:
        rows = queue_page(session=session, filters=QueueFilters(), order="risk", per_page=1).rows
    return rows[0]["id"] if rows else None


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo(
        serve: bool = typer.Option(True, "--serve/--no-serve", help="serve the app afterwards (default) or stop"),
        host: Optional[str] = typer.Option(None, "--host", help="default 127.0.0.1"),
        port: Optional[int] = typer.Option(None, "--port", help="default 8000 (KAIFANG_PORT)"),
        sample: Path = typer.Option(SAMPLE, "--sample", help="the collection folder (catalogue.csv + documents/)"),
        collection: Optional[str] = typer.Option(None, "--collection", help="collection name in the store "
                                                 "(default: the catalogue's 全宗号)"),
        ocr: str = typer.Option("rapidocr", "--ocr", help="OCR engine for scanned pages: rapidocr | tesseract"),
    ) -> None:
        """Ingest the sample collection, scan it, propose decisions, and serve the review app."""
        from kaifang.cli.serve import print_first_admin, serve_app

        if not sample.is_dir():
            fail(f"sample collection not found at {sample} (run from a checkout, or pass --sample DIR)")
        s = settings()
        eng = engine(s)
        summary = run_demo(s=s, eng=eng, sample=sample, collection=collection, ocr=ocr, progress=serve)
        print_json(summary)
        print_first_admin(eng)
        if not serve:
            return
        host = host or s.host
        port = port or s.port
        typer.echo(f"Kaifang review app: http://{host}:{port}/  (Ctrl-C stops it)")
        first = first_to_review(eng)
        if first is not None:
            typer.echo(f"First document to review: http://{host}:{port}/documents/{first}  "
                       "(sign in; y saves the proposed decision, n opens the next one, ? shows the keys)")
        serve_app(s, eng, host, port)
