"""One document of a release: its text copy and its published file, verified, or held back.

What is written for a document (``texts/`` and ``files/`` share the stem, from the 档号):

* .txt: ``texts/<stem>.txt`` (OPEN_REDACTED: masked ■, one for one);
* .docx: the text copy, and for OPEN ``files/<stem>.docx`` as it is (OPEN_REDACTED: the masked text
  copy only; a warning says so);
* .pdf and scans (.png .jpg .tif): the text copy, and for OPEN ``files/<stem>.<ext>`` as it is;
  for OPEN_REDACTED ``files/<stem>.pdf`` rebuilt (``review_app.redaction``).

A copied original is the file that was reviewed: its SHA-256 must equal the one recorded at
ingest. A rebuilt PDF is verified after it is written (``redaction.verify``: its text layer and
the OCR of every page rendered from the file); so is every masked text copy. A document whose
source is missing or changed, whose masked characters cannot be placed on the page, or whose
output still shows a masked value is *held back* with the reason; the rest of the release goes on.
"""
from __future__ import annotations

import logging
import shutil
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Callable

from sqlmodel import Session

from models.policy import Rulebook
from review_app.ingest.errors import OcrUnavailable
from review_app.ingest.extract import MEDIA_TYPES, sha256_file
from review_app.ingest.ocr import OcrEngine
from review_app.redaction.pages import SourceError, kind_of
from review_app.redaction.redact import Redacted, Unlocatable, redact_document
from review_app.redaction.verify import PdfCheck, check_pdf
from review_app.store.release_files import STATUS_ZH, digests, file_stem, legal_basis
from review_app.store.release_masks import MaskPlan, ReleaseRefused, leaks, mask_plan, redact_text
from review_app.tables import Document, Review

TEXTS = "texts"
FILES = "files"
TEXT_PLAIN = MEDIA_TYPES[".txt"]
DOCX = MEDIA_TYPES[".docx"]

log = logging.getLogger(__name__)


class HeldBack(Exception):
    """This document cannot be released safely; the message says why (never the masked value)."""


@dataclass
class Verification:
    """What the release read back, over all documents (the report's ``verification``)."""

    text_copies: int = 0
    pdfs: int = 0
    pdf_pages: int = 0
    ocr_pages: int = 0
    values: int = 0
    ocr_engine: str = ""

    def add(self, check: PdfCheck) -> None:
        self.pdfs += 1
        self.pdf_pages += check.pages
        self.ocr_pages += check.pages
        self.ocr_engine = check.ocr_engine

    def to_dict(self) -> dict:
        return {"checked": [f"{self.text_copies} masked text copies",
                            f"the text layer of {self.pdf_pages} pages of {self.pdfs} redacted PDFs (pdfium)",
                            f"OCR ({self.ocr_engine or 'none needed'}) of the same {self.ocr_pages} pages "
                            "rendered from the written files"],
                "text_copies": self.text_copies, "pdfs": self.pdfs, "pdf_pages": self.pdf_pages,
                "ocr_pages": self.ocr_pages, "ocr_engine": self.ocr_engine or None, "values": self.values,
                "normalised": "NFKC (full-width = half-width), dashes, OCR digit confusions, case, "
                              "spaces and line breaks removed"}


@dataclass
class Context:
    """What every document of one release shares."""

    tmp: Path
    ocr: Callable[[], OcrEngine]
    rulebook: Rulebook
    today: date
    tick: Callable[[int], None]  # pages done (the caller completes each document's count)
    verification: Verification = field(default_factory=Verification)
    stems: set[str] = field(default_factory=set)


@dataclass
class Released:
    entry: dict  # the manifest's document entry
    row: list  # the catalogue row
    files: list[dict]  # path, bytes, sha256, sm3
    warnings: list[str] = field(default_factory=list)


@dataclass
class Withheld:
    key: str  # nothing_to_mask | held_back
    reason: str = ""


def _day(ts: datetime | date | None) -> str:
    if ts is None:
        return ""
    return (ts.date() if isinstance(ts, datetime) else ts).isoformat()


def _stem(ctx: Context, doc: Document) -> str:
    """The document's file stem, unique in this release (two documents with one 档号: the later
    one gets its id too)."""
    stem = file_stem(doc.reference_code, doc.id)
    if stem.lower() in ctx.stems:
        base, k = f"{stem}-{doc.id}", 1
        stem = base
        while stem.lower() in ctx.stems:
            stem, k = f"{base}-{k}", k + 1
    ctx.stems.add(stem.lower())
    return stem


def _check_copy(doc: Document, copy: str, plan: MaskPlan) -> None:
    """The text copy's self-check: no masked value readable in another form."""
    problems = []
    for label, offset in leaks(copy, plan.values):
        page = sum(1 for p in (doc.page_starts or [0]) if p <= offset)
        problems.append(f"the {label} value masked elsewhere is still readable at offset {offset} (page {page}) in "
                        "another form; mark it as a span there and release again")
    if problems:
        raise HeldBack("; ".join(problems))


def _source(doc: Document) -> Path:
    """The reviewed source file, or ``SourceError`` when it is gone or is not what was reviewed."""
    path = Path(doc.source_path)
    if not path.is_file():
        raise SourceError(f"the source file {path} is missing: restore it (or ingest it again) and release again")
    if sha256_file(path) != doc.sha256:
        raise SourceError(f"the source file {path} has changed since it was ingested and reviewed (sha256 differs)")
    return path


def _unlocatable(exc: Unlocatable, plan: MaskPlan) -> str:
    labels = sorted({plan.label_at(o) for o in exc.offsets})
    return (f"page {exc.page}: {len(exc.offsets)} masked character(s) ({', '.join(labels)}, first at offset "
            f"{exc.offsets[0]}) {exc.why}; held back rather than released with a box over nothing")


def _leak_message(check: PdfCheck) -> str:
    parts = [f"its text layer shows the {label} value on page {page}" for label, page in check.text_layer]
    parts += [f"OCR ({check.ocr_engine}) of page {page} rendered from it reads the {label} value (drawn as curves, "
              "in an image, or where the text layer did not place it)" for label, page in check.ocr]
    return "the redacted PDF was refused: " + "; ".join(sorted(set(parts)))


def _redacted_pdf(ctx: Context, doc: Document, plan: MaskPlan, copy: str, out: Path) -> tuple[Redacted, PdfCheck]:
    source = _source(doc)
    done = redact_document(source=source, media_type=doc.media_type, text=doc.text, masked_text=copy,
                           page_starts=doc.page_starts or [0], ranges=plan.ranges, ocr_pages=doc.ocr_pages or [],
                           ocr=ctx.ocr, out=out, title=out.stem)
    check = check_pdf(out, [(label, value) for label, value, _ in plan.values], ctx.ocr, on_page=lambda: ctx.tick(1))
    ctx.verification.add(check)
    if not check.clean:
        raise HeldBack(_leak_message(check))
    return done, check


def _copy_original(doc: Document, out_dir: Path, stem: str) -> Path:
    source = _source(doc)
    out = out_dir / f"{stem}{source.suffix.lower()}"
    shutil.copyfile(source, out)
    if sha256_file(out) != doc.sha256:  # pragma: no cover - a disk fault between read and write
        raise SourceError("the copied file differs from the reviewed one")
    return out


@dataclass
class _Outputs:
    """The files written for one document and what the redaction and the read-back found."""

    text: Path
    main: Path  # the published file: the text copy where there is no other
    written: list[Path] = field(default_factory=list)
    redaction: dict | None = None
    verified: dict | None = None
    warnings: list[str] = field(default_factory=list)


def _write_outputs(ctx: Context, doc: Document, plan: MaskPlan | None, copy: str, stem: str,
                   out: _Outputs) -> None:
    """Write the text copy and the published file into ``ctx.tmp`` (recording each in
    ``out.written`` as it is made); raises when the document cannot be released safely."""
    if plan is not None:
        _check_copy(doc, copy, plan)
        ctx.verification.text_copies += 1
        ctx.verification.values += len(plan.values)
    out.text.write_bytes(copy.encode("utf-8"))
    out.written.append(out.text)
    if plan is None and doc.media_type != TEXT_PLAIN:
        out.main = _copy_original(doc, ctx.tmp / FILES, stem)
        out.written.append(out.main)
    elif plan is not None and kind_of(doc.media_type) in ("pdf", "image"):
        out.main = ctx.tmp / FILES / f"{stem}.pdf"
        out.written.append(out.main)
        done, check = _redacted_pdf(ctx, doc, plan, copy, out.main)
        routes: dict[str, int] = {}
        for page in done.pages:
            routes[page.route] = routes.get(page.route, 0) + 1
        out.redaction = {"routes": routes, "boxes": done.boxes,
                         "masked_chars_on_pages": sum(page.masked_chars for page in done.pages)}
        out.verified = {"text_copy": True, "text_layer_pages": check.pages, "ocr_pages": check.pages,
                        "ocr_engine": check.ocr_engine, "values": len(plan.values), "found": 0}
    elif plan is not None and doc.media_type == DOCX:
        out.warnings.append("a Word document is released as its masked text copy only")


def _held_back(exc: Exception, plan: MaskPlan | None) -> str:
    """Why a document is held back, in words (never the masked value)."""
    if isinstance(exc, Unlocatable) and plan is not None:
        return _unlocatable(exc, plan)
    if isinstance(exc, OcrUnavailable):
        return f"OCR is needed to redact or verify this document and is not available: {exc}"
    if isinstance(exc, (HeldBack, SourceError)):
        return str(exc)
    return f"unexpected error while writing its copy ({type(exc).__name__}: {exc})"


def _released(ctx: Context, doc: Document, final: Review, plan: MaskPlan | None, copy: str,
              out: _Outputs) -> Released:
    """The manifest entry, catalogue row and file sums of a document whose copies are written."""
    files = [{"path": p.relative_to(ctx.tmp).as_posix(), "bytes": p.stat().st_size, **digests(p), "document": doc.id}
             for p in out.written]
    by_path = {f["path"]: f for f in files}
    main_rel, text_rel = out.main.relative_to(ctx.tmp).as_posix(), out.text.relative_to(ctx.tmp).as_posix()
    pages = len(doc.page_starts or [0])
    n_masked = len(plan.ranges) if plan else 0
    entry = {
        "id": doc.id, "reference_code": doc.reference_code, "text": text_rel,
        "file": main_rel if out.main != out.text else None, "sha256": by_path[text_rel]["sha256"],
        "bytes": by_path[text_rel]["bytes"], "chars": len(copy), "media_type": doc.media_type, "pages": pages,
        "decision": final.decision, "reasons": list(final.reasons or []), "decided": _day(final.created_at),
        "review": final.id, "masked_ranges": n_masked,
        "masked_chars": sum(e - s for s, e in plan.ranges) if plan else 0,
        "masked_spans": plan.spans if plan else 0, "unconfirmed": plan.unconfirmed if plan else 0,
        "explicit_ranges": plan.explicit if plan else 0, "repeats": plan.repeats if plan else 0,
        "page_starts": list(doc.page_starts or [0]), "source_sha256": doc.sha256,
        "redaction": out.redaction, "verified": out.verified,
    }
    row = [doc.reference_code or "", doc.title, doc.creator, doc.date_text, pages, doc.classification or "",
           STATUS_ZH[final.decision], ctx.today.isoformat(),
           legal_basis(ctx.rulebook, final.decision, final.reasons or []), n_masked, _day(final.created_at),
           main_rel, text_rel, by_path[main_rel]["sha256"], by_path[main_rel]["sm3"]]
    who = f"document {doc.id} ({doc.reference_code or 'no 档号'})"
    warnings = [f"{who}: {w}" for w in out.warnings + (plan.warnings if plan else [])]
    return Released(entry=entry, row=row, files=files, warnings=warnings)


def release_document(ctx: Context, session: Session, doc: Document, final: Review,
                     reviewer: Review | None) -> Released | Withheld:
    """Write ``doc``'s copies into ``ctx.tmp`` and say what was written, or why it is withheld."""
    who = f"document {doc.id} ({doc.reference_code or 'no 档号'})"
    plan, copy = None, doc.text
    if final.decision == "OPEN_REDACTED":
        try:
            plan = mask_plan(session=session, doc=doc, final=final, reviewer=reviewer)
        except ReleaseRefused as exc:
            return Withheld("held_back", f"{who}: {exc}")
        if not plan.ranges:
            return Withheld("nothing_to_mask")
        copy = redact_text(doc.text, plan.ranges)
    if len(copy) != len(doc.text):  # pragma: no cover - redact_text keeps the length
        raise AssertionError("a released copy must keep the original's offsets")
    stem = _stem(ctx, doc)
    text = ctx.tmp / TEXTS / f"{stem}.txt"
    out = _Outputs(text=text, main=text)
    try:
        _write_outputs(ctx, doc, plan, copy, stem, out)
    except (MemoryError, KeyboardInterrupt):
        raise
    except Exception as exc:  # held back: a reader's failure on one odd file must not stop the others
        if not isinstance(exc, (HeldBack, Unlocatable, SourceError, OcrUnavailable)):
            log.exception("unexpected error releasing document %s", doc.id)
        for p in out.written:
            p.unlink(missing_ok=True)
        return Withheld("held_back", f"{who}: {_held_back(exc, plan)}")
    return _released(ctx, doc, final, plan, copy, out)
