"""``kaifang ingest``: read a folder of archival files into the store."""
from __future__ import annotations

import getpass
import sys
from pathlib import Path
from typing import Optional

import typer

from kaifang.cli.common import engine, fail, print_json, settings

HELP = """Ingest a folder tree of archival records (档案) into a collection (全宗).

Reads .txt (UTF-8, GB18030/GBK or Big5, detected), .docx (paragraphs and tables), .pdf (text layer; pages without one are OCR'd) and scans (.png .jpg .jpeg .tif .tiff, OCR). Page boundaries are kept. Files are identified by the SHA-256 of their content, so re-running adds nothing twice (already stored content is reported as a duplicate). A corrupt, empty, encrypted or unsupported file is recorded as an ingest error with its reason, and the batch goes on; every document is committed on its own. Hidden files are skipped.

The catalogue CSV (目录) gives each record's metadata. Columns: 档号 (reference code), 题名 (title), 责任者 (creator), 日期 (date: 1987, 1987-03-15, 1987年3月15日, 19870315), 密级 (classification), optionally 文件名 (file name), 全宗号 (fonds code), 类别 (genre); English headers reference_code,title,creator,date,classification,filename work too; UTF-8 (with or without BOM) or GB18030. A row matches a file by 文件名, by the file stem being the 档号, or by the 档号 appearing in the file name. Unmatched rows and files are reported, not dropped.

The database and data directory come from KAIFANG_DATABASE_URL / KAIFANG_HOME (default: SQLite in ./.kaifang). KAIFANG_OCR_THREADS sets the threads per OCR engine (default 1).
"""


def _actor() -> str:
    try:
        return f"cli:{getpass.getuser()}"
    except Exception:  # no passwd entry in some containers
        return "cli"


def ingest(
    directory: Path = typer.Argument(..., help="folder to ingest (searched recursively)"),
    catalogue: Optional[Path] = typer.Option(None, "--catalogue", "-c",
                                             help="catalogue CSV (目录): 档号,题名,责任者,日期,密级[,文件名,全宗号]"),
    collection: Optional[str] = typer.Option(None, "--collection",
                                             help="collection (全宗) name; default: the catalogue's 全宗号 if it has exactly one, else the folder's name"),
    ocr: str = typer.Option("rapidocr", "--ocr", help="OCR engine for scans: rapidocr (default, offline models "
                            "in the wheel) or tesseract (needs tesseract-ocr + chi_sim)"),
    as_json: bool = typer.Option(False, "--json", help="print one JSON object with the result on stdout"),
    quiet: bool = typer.Option(False, "--quiet", "-q", help="no progress bar"),
    strict: bool = typer.Option(False, "--strict", help="exit with status 1 when any file could not be ingested"),
) -> None:
    from review_app.ingest.errors import CatalogueError, OcrUnavailable
    from review_app.ingest.ocr import ENGINES, get_engine
    from review_app.ingest.runner import LazyOcr, ingest_directory

    if not directory.exists():
        fail(f"folder not found: {directory}")
    if not directory.is_dir():
        fail(f"not a folder: {directory} (give the folder that holds the files)")
    if catalogue is not None and not catalogue.is_file():
        fail(f"catalogue file not found: {catalogue}")
    if ocr not in ENGINES:
        fail(f"unknown OCR engine {ocr!r}; choose one of: {', '.join(ENGINES)}")
    try:
        ocr_engine = get_engine(ocr)  # checks that it is installed; models load on first scan
    except OcrUnavailable as exc:
        fail(str(exc))
    if collection is not None and not collection.strip():
        fail("--collection must not be empty")

    s = settings()
    try:
        eng = engine(s)
    except Exception as exc:
        fail(f"cannot open the database {s.db_url.split('@')[-1]}: {type(exc).__name__}: {exc}")
    try:
        report = ingest_directory(engine=eng, root=directory, collection=collection, catalogue=catalogue,
                                  ocr=LazyOcr(ocr, ocr_engine), actor=_actor(),
                                  progress=not quiet and sys.stderr.isatty())
    except CatalogueError as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        fail("interrupted: the documents stored so far are kept; run the same command again to continue",
             code=130)
    finally:
        eng.dispose()

    if as_json:
        print_json(report.to_json())
    else:
        typer.echo(f"collection {report.collection}: {report.files_seen} files, {report.ingested} ingested, "
                   f"{report.duplicates} already stored, {len(report.errors)} errors"
                   + (f", {report.ocr_pages} pages OCR'd" if report.ocr_pages else ""))
        typer.echo(f"database: {eng.url.render_as_string(hide_password=True)}")
        for err in report.errors:
            typer.echo(f"  error  {err['path']}: {err['reason']}")
        if report.catalogue_rows is not None:
            typer.echo(f"catalogue: {report.catalogue_rows} rows, {len(report.unmatched_catalogue_rows)} unmatched "
                       f"rows, {len(report.unmatched_files)} files without a catalogue row")
            for r in report.unmatched_catalogue_rows:
                typer.echo(f"  unmatched row {r['row']}: {r['reference_code'] or r['filename']} {r['title']}")
            for f in report.unmatched_files:
                typer.echo(f"  no catalogue row: {f}")
    if strict and report.errors:
        raise typer.Exit(1)


def register(app: typer.Typer) -> None:
    app.command("ingest", help=HELP)(ingest)
