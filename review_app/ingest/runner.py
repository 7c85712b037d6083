"""Ingest a folder tree: extract each file, match it to the catalogue, store it, report.

Each document is committed on its own (through ``review_app.store.documents``), so a crash or an
interrupt mid-batch loses nothing already stored, and a re-run skips what is stored: files are
hashed first and content already in the database is counted as a duplicate without being read
again. A file that cannot be read becomes an ingest-error row and the batch goes on; only
database failures (and bugs outside extraction) stop it. That includes a file that is too costly
to read (``ingest.limits``), one that runs the process out of memory all the same, and a
symbolic link that points outside the folder being ingested (never followed: a batch handed in
from outside must not make the server read its own files).
"""
from __future__ import annotations

import gc
import logging
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Iterable

from sqlalchemy.engine import Engine

from review_app.db import session_scope
from review_app.ingest.catalogue import CatalogueRow, match_files, read_catalogue
from review_app.ingest.errors import ExtractionError
from review_app.ingest.extract import Extracted, extract_file, sha256_file
from review_app.ingest.ocr import DEFAULT_ENGINE, OcrEngine, get_engine
from review_app.store import documents as store

log = logging.getLogger(__name__)


@dataclass
class IngestReport:
    """What one run did; ``to_json()`` is the ``kaifang ingest --json`` object."""

    collection: str
    ingested: int = 0
    duplicates: int = 0
    errors: list[dict] = field(default_factory=list)
    unmatched_catalogue_rows: list[dict] = field(default_factory=list)
    unmatched_files: list[str] = field(default_factory=list)
    duplicate_paths: list[str] = field(default_factory=list)
    files_seen: int = 0
    ocr_pages: int = 0
    catalogue_rows: int | None = None
    document_ids: list[int] = field(default_factory=list)

    def to_json(self) -> dict:
        return {
            "ingested": self.ingested,
            "duplicates": self.duplicates,
            "errors": self.errors,
            "collection": self.collection,
            "unmatched_catalogue_rows": self.unmatched_catalogue_rows,
            "unmatched_files": self.unmatched_files,
            "duplicate_paths": self.duplicate_paths,
            "files_seen": self.files_seen,
            "ocr_pages": self.ocr_pages,
            "catalogue_rows": self.catalogue_rows,
        }


def discover_files(root: Path, skip: Iterable[Path] = ()) -> list[Path]:
    """Every regular file under ``root`` in a stable order, except hidden ones and ``skip``.

    Hidden files and folders (``.DS_Store``, ``.git``) are operating-system litter, not records;
    every other file is returned, so unsupported types get an ingest-error row rather than
    vanishing silently.
    """
    skip_set = {p.resolve() for p in skip}
    out = []
    for p in sorted(root.rglob("*"), key=lambda q: q.relative_to(root).as_posix()):
        rel = p.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if p.is_file() and p.resolve() not in skip_set:
            out.append(p)
    return out


class LazyOcr:
    """Builds the OCR engine on first use, so text-only batches never load a model."""

    def __init__(self, name: str = DEFAULT_ENGINE, engine: OcrEngine | None = None):
        self.name = name
        self._engine = engine

    def __call__(self) -> OcrEngine:
        if self._engine is None:
            self._engine = get_engine(self.name)
        return self._engine


def _title_for(path: Path, row: CatalogueRow | None, extracted: Extracted) -> str:
    if row is not None and row.title:
        return row.title
    first_line = next((ln.strip() for ln in extracted.text.splitlines() if ln.strip()), "")
    return first_line[:200] if first_line else path.stem


def ingest_directory(
    *,
    engine: Engine,
    root: Path,
    collection: str | None = None,
    catalogue: Path | None = None,
    ocr: LazyOcr | None = None,
    actor: str = "system",
    progress: bool = False,
    extractor: Callable[[Path, LazyOcr], Extracted] = extract_file,
) -> IngestReport:
    """Ingest every file under ``root`` into ``collection``.

    The collection defaults to the catalogue's 全宗号 when all its rows share one, else to the
    folder's name.
    """
    root = Path(root)
    if not root.is_dir():
        raise FileNotFoundError(f"not a folder: {root}")
    ocr = ocr or LazyOcr()
    rows: list[CatalogueRow] = read_catalogue(catalogue) if catalogue is not None else []
    files = discover_files(root, skip=[catalogue] if catalogue is not None else [])
    rel_paths = [p.relative_to(root).as_posix() for p in files]
    matches = match_files(rows, rel_paths) if catalogue is not None else None

    fonds = {r.fonds_code for r in rows if r.fonds_code}
    only_fonds = next(iter(fonds)) if len(fonds) == 1 else None
    name = (collection or only_fonds or root.resolve().name).strip()
    report = IngestReport(collection=name, files_seen=len(files),
                          catalogue_rows=len(rows) if catalogue is not None else None)
    if matches is not None:
        report.unmatched_catalogue_rows = [r.summary() for r in matches.unmatched_rows]
        report.unmatched_files = list(matches.unmatched_files)

    with session_scope(engine) as session:
        coll = store.ensure_collection(session=session, name=name, fonds_code=only_fonds,
                                       actor=actor)
        collection_id = coll.id

    from tqdm import tqdm

    bar = tqdm(total=len(files), desc=f"ingest {name}", unit="file", disable=not progress, leave=False)
    try:
        for path, rel in zip(files, rel_paths):
            bar.set_postfix_str(rel[-40:], refresh=False)
            _ingest_one(engine=engine, root=root, path=path, rel=rel, collection_id=collection_id,
                        row=matches.by_file.get(rel) if matches else None, ocr=ocr, actor=actor,
                        report=report, extractor=extractor)
            bar.update(1)
    finally:
        bar.close()
    return report


def _inside(path: Path, root: Path) -> bool:
    """Whether ``path`` (after following every link) lies inside ``root``."""
    try:
        return path.resolve().is_relative_to(root.resolve())
    except OSError:  # a link loop
        return False


def _ingest_one(*, engine: Engine, root: Path, path: Path, rel: str, collection_id: int, row: CatalogueRow | None,
                ocr: LazyOcr, actor: str, report: IngestReport,
                extractor: Callable[[Path, LazyOcr], Extracted]) -> None:
    source = str(path.resolve())
    with session_scope(engine) as session:
        if not _inside(path, root):
            reason = "symbolic link to a file outside the ingest folder: not read"
            store.record_ingest_error(session=session, collection_id=collection_id, path=str(path), reason=reason,
                                      actor=actor)
            report.errors.append({"path": rel, "reason": reason})
            return
        try:
            digest = sha256_file(path)
        except OSError as exc:
            reason = f"cannot read file ({exc.strerror or exc})"
            store.record_ingest_error(session=session, collection_id=collection_id, path=source, reason=reason,
                                      actor=actor)
            report.errors.append({"path": rel, "reason": reason})
            return
        if store.find_by_sha256(session=session, sha256=digest) is not None:
            report.duplicates += 1
            report.duplicate_paths.append(rel)
            return
        try:
            extracted = extractor(path, ocr)
        except ExtractionError as exc:
            store.record_ingest_error(session=session, collection_id=collection_id, path=source, reason=exc.reason,
                                      sha256=digest, actor=actor)
            report.errors.append({"path": rel, "reason": exc.reason})
            return
        except KeyboardInterrupt:
            raise
        except MemoryError:  # beyond what the limits foresaw: this file is lost, the batch is not
            gc.collect()
            reason = "the file needs more memory than this machine has to read it (refused)"
            store.record_ingest_error(session=session, collection_id=collection_id, path=source, reason=reason,
                                      sha256=digest, actor=actor)
            report.errors.append({"path": rel, "reason": reason})
            return
        except Exception as exc:  # a parser bug on one odd file must not stop a batch of thousands
            log.exception("unexpected error extracting %s", rel)
            reason = f"unexpected error while reading the file ({type(exc).__name__}: {exc})"
            store.record_ingest_error(session=session, collection_id=collection_id, path=source, reason=reason,
                                      sha256=digest, actor=actor)
            report.errors.append({"path": rel, "reason": reason})
            return
        new = store.NewDocument(
            source_path=source, sha256=digest, media_type=extracted.media_type, text=extracted.text,
            page_starts=extracted.page_starts, ocr_pages=extracted.ocr_pages, encoding=extracted.encoding,
            reference_code=(row.reference_code or None) if row else None,
            title=_title_for(path, row, extracted),
            creator=row.creator if row else "", date_text=row.date_text if row else "",
            year=row.year if row else None, classification=row.classification if row else "",
            genre=row.genre if row else "",
            catalogue={**row.raw, "_row": row.row} if row else {"_file": rel},
        )
        try:
            doc = store.add_document(session=session, collection_id=collection_id, doc=new, actor=actor)
        except store.DuplicateDocument:  # committed by a concurrent run since we looked
            report.duplicates += 1
            report.duplicate_paths.append(rel)
            return
        except ValueError as exc:  # e.g. a catalogue 档号 longer than the store keeps
            session.rollback()
            store.record_ingest_error(session=session, collection_id=collection_id, path=source, reason=str(exc),
                                      sha256=digest, actor=actor)
            report.errors.append({"path": rel, "reason": str(exc)})
            return
        report.ingested += 1
        report.ocr_pages += len(extracted.ocr_pages)
        report.document_ids.append(doc.id)
