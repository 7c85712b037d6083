"""Release: the copies a reading room can publish, and the open catalogue (开放目录).

``write_release`` reads a collection's final committee decisions and writes, into one new
directory::

    DIR/manifest.json          collection, counts, audit head at release time, what was verified,
                               SHA-256 and SM3 of every file
    DIR/open-catalogue.csv     开放目录 (UTF-8 with BOM, for Excel) and the same as
    DIR/open-catalogue.xlsx
    DIR/texts/<stem>.txt       the text copy of every released document (UTF-8; masked ■ one for one)
    DIR/files/<stem>.<ext>     the published file: an OPEN PDF, scan or Word file as it was reviewed;
                               an OPEN_REDACTED PDF or scan rebuilt as ``<stem>.pdf`` with the masked
                               characters burned out of the page images and a text layer made from
                               the masked text (``review_app.redaction``)

The stem is the 档号 (``release_files.file_stem``), the same for a document's text and file.

What is released. Only documents whose *final* (committee) decision is OPEN or OPEN_REDACTED
(``select_for_release``). CLOSED documents (控制使用 and 延期开放) and documents without a final
decision are withheld; the report lists them by reason (``not_final``, ``closed``, ``deferred``,
``nothing_to_mask``, ``held_back``), and so are documents whose closed period has not ended or
that have no date (``not_yet_eligible`` and ``undated``, with the date they become eligible:
``release_guard.hold_not_yet_eligible``, called in ``select_for_release``). The manifest and the
catalogue carry counts only: a withheld document's 档号, title or 密级 never appear in the
release. What an OPEN_REDACTED copy masks:
``release_masks`` (live spans of the labels its reasons cover, the committee's ranges, every
other occurrence of a masked value).

Verified leak-free. Each masked text copy is searched for every masked value (normalised:
full-width, case, spaces and line breaks); each rebuilt PDF is read back after it is written (its
text layer and the OCR of every page rendered from the file) and searched the same way. A
document that fails, whose masked characters cannot be placed on its pages (text drawn as curves,
hidden text), or whose source file is missing or changed, is *held back* with the reason and the
rest is released (``release_document``). ``release_verify.verify_release`` re-checks a release
directory later (``kaifang release verify DIR``).

Refused outright (``ReleaseRefused``, nothing written, nothing recorded): an unknown collection,
an audit chain that does not match its published head, a row of the collection's documents that
does not match the chain (``integrity.release_problem``, checked in ``select_for_release``), or an
existing ``DIR`` without ``force`` (which replaces only a directory holding a Kaifang release
manifest).

Writing. Files go to a temporary directory next to ``DIR``, renamed into place only when complete,
so ``DIR`` is either a whole release or absent. The release is an audit event (``release``:
actor, collection, counts, the SHA-256 and SM3 of the manifest and of both catalogue files, the
ids of held-back documents, the head at release time), appended in the transaction committed
after the rename; if anything fails before the commit the new directory is removed and a
replaced one restored. Memory: one document's text, and one page image at a time.

Elusion. The collection's latest elusion sample (``model_registry.latest_elusion_sample``) goes
into the manifest with its counts and, when the caller passes an ``elusion_estimator`` (the CLI
passes ``training.elusion.summary``; this module does not import ``training``), its estimate. No
sample: the manifest says so and carries a warning.
"""
from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable

from sqlmodel import Session, select

from models.policy import Rulebook
from review_app import audit
from review_app.ingest.ocr import OcrEngine
from review_app.ingest.runner import LazyOcr
from review_app.store import integrity, model_registry, release_guard
from review_app.store.release_document import (FILES, TEXTS, Context, Released, Withheld, release_document)
from review_app.store.release_files import (CATALOGUE, CATALOGUE_COLUMNS, CATALOGUE_XLSX, STATUS_ZH,  # noqa: F401
                                            catalogue_csv, catalogue_xlsx, digests, digests_of, file_stem)
from review_app.store.release_masks import (MASK, MaskPlan, ReleaseRefused, latest_reviews,  # noqa: F401
                                            mask_plan, merge, occurrences, redact_text)
from review_app.tables import Collection, Document, Review

FORMAT = "kaifang.release.v2"
#: manifests a ``force`` release may replace (v1: text copies only, before PDFs and scans)
FORMATS = ("kaifang.release.v1", FORMAT)
MANIFEST = "manifest.json"
WITHHELD_REASONS = ("not_final", "closed", "deferred", "nothing_to_mask", "held_back")
#: ``progress(done, total)``: pages written and verified so far, of all pages to release
Progress = Callable[[int, int], None]


# --------------------------------------------------------------------------- what is released


@dataclass
class Selection:
    """The documents a release takes and those it withholds before reading any of them."""

    documents: int
    release: list[tuple[int, Review]] = field(default_factory=list)  # (document id, final review)
    withheld: dict[str, list[dict]] = field(default_factory=lambda: {k: [] for k in WITHHELD_REASONS})
    pages: int = 0


def select_for_release(*, session: Session, collection_id: int) -> Selection:
    """Load the rows to release and check them: final committee decisions of OPEN or
    OPEN_REDACTED are taken, everything else is withheld with its reason.

    Every check on which rows may be released belongs here, in this one function (the audit
    chain's record of the decisions, eligibility dates), so ``write_release`` stays one path.
    Raises ``ReleaseRefused`` when the audit chain does not match its published head or a row
    of the collection's documents does not match the chain (``integrity.release_problem``).
    """
    if (problem := integrity.release_problem(session=session, collection_id=collection_id)) is not None:
        raise ReleaseRefused(problem)
    finals = latest_reviews(session, collection_id, "committee")
    meta = session.exec(select(Document.id, Document.reference_code, Document.status, Document.page_starts)
                        .where(Document.collection_id == collection_id).order_by(Document.id)).all()
    sel = Selection(documents=len(meta))
    pages: dict[int, int] = {}
    to_release: list[tuple[int, Review]] = []
    for doc_id, ref, status, starts in meta:
        final = finals.get(doc_id)
        row = {"id": doc_id, "reference_code": ref}
        if status != "final" or final is None:
            sel.withheld["not_final"].append(row)
        elif final.decision == "CLOSED":
            sel.withheld["deferred" if final.closure == "DEFERRED" else "closed"].append(row)
        elif final.decision in STATUS_ZH:
            to_release.append((doc_id, final))
            pages[doc_id] = len(starts or [0])
        else:  # pragma: no cover - decisions are validated when stored
            sel.withheld["not_final"].append(row)
    # nothing opens before its closed period has ended (Archives Law art. 27), nor without a date
    to_release = release_guard.hold_not_yet_eligible(session=session, to_release=to_release, withheld=sel.withheld)
    sel.release = to_release
    sel.pages = sum(pages[doc_id] for doc_id, _ in to_release)
    return sel


# --------------------------------------------------------------------------- checks before writing


def _is_release_dir(path: Path) -> bool:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("format") in FORMATS
    except (OSError, ValueError, AttributeError):
        return False


def _target(out_dir: Path | str, force: bool) -> Path:
    out = Path(out_dir).resolve()
    if out.exists():
        if not force:
            raise ReleaseRefused(f"{out} already exists; choose a new directory, or pass --force to replace "
                                 "the earlier release there")
        if not _is_release_dir(out):
            raise ReleaseRefused(f"{out} exists and is not a Kaifang release (no {MANIFEST} of format {FORMAT}); "
                                 "--force replaces only an earlier release")
    return out


def _collection(session: Session, name: str) -> Collection:
    col = session.exec(select(Collection).where(Collection.name == name)).first()
    if col is None:
        raise ReleaseRefused(f"unknown collection {name!r}")
    return col


def _elusion(session: Session, collection_id: int,
             estimator: Callable[[int], dict] | None) -> tuple[dict | None, list[str]]:
    sample = model_registry.latest_elusion_sample(session=session, collection_id=collection_id)
    if sample is None:
        return None, ["no elusion sample for this collection: the share of sensitive documents among its "
                      "OPEN proposals was not estimated (kaifang elusion draw --collection …)"]
    st = model_registry.elusion_status(session=session, sample_id=sample.id)
    out: dict[str, Any] = {"sample": sample.id, "drawn_at": sample.created_at.isoformat() if sample.created_at else None,
                           "population": sample.population_size, "size": len(sample.document_ids),
                           "judged": st.judged, "sensitive": st.sensitive, "complete": st.complete,
                           "estimate": None}
    warnings = []
    if estimator is not None and st.judged:
        summary = estimator(sample.id)
        out["estimate"], out["text"] = summary.get("estimate"), summary.get("text")
    if not st.complete:
        warnings.append(f"elusion sample {sample.id} is not complete ({st.judged} of {len(sample.document_ids)} judged)")
    if st.sensitive:
        warnings.append(f"elusion sample {sample.id}: {st.sensitive} of {st.judged} sampled OPEN proposals "
                        "were judged sensitive")
    return out, warnings


# --------------------------------------------------------------------------- writing


def _fresh_tmp(out: Path) -> Path:
    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / TEXTS).mkdir(parents=True)
    (tmp / FILES).mkdir()
    return tmp


def _write_documents(ctx: Context, session: Session, sel: Selection, col: Collection,
                     ) -> tuple[list[Released], list[str]]:
    reviewers = latest_reviews(session, col.id, "reviewer")
    released: list[Released] = []
    warnings: list[str] = []
    tick = ctx.tick
    for doc_id, final in sel.release:
        doc = session.get(Document, doc_id)
        ticked = 0

        def page_done(n: int) -> None:
            nonlocal ticked
            ticked += n
            tick(n)

        ctx.tick = page_done
        out = release_document(ctx, session, doc, final, reviewers.get(doc_id))
        tick(len(doc.page_starts or [0]) - ticked)  # the pages not read back page by page
        if isinstance(out, Withheld):
            row = {"id": doc_id, "reference_code": doc.reference_code}
            if out.reason:
                row["reason"] = out.reason
            sel.withheld[out.key].append(row)
        else:
            released.append(out)
            warnings += out.warnings
        session.expunge(doc)  # one document's text in memory at a time
    ctx.tick = tick
    return released, warnings


def _write_catalogue(tmp: Path, released: list[Released], now: datetime) -> list[dict]:
    rows = [r.row for r in released]
    csv_bytes = catalogue_csv(rows)
    (tmp / CATALOGUE).write_bytes(csv_bytes)
    catalogue_xlsx(rows, tmp / CATALOGUE_XLSX, created=now.replace(tzinfo=None))
    return [{"path": CATALOGUE, "bytes": len(csv_bytes), **digests_of(csv_bytes)},
            {"path": CATALOGUE_XLSX, "bytes": (tmp / CATALOGUE_XLSX).stat().st_size, **digests(tmp / CATALOGUE_XLSX)}]


def _counts(sel: Selection, released: list[Released]) -> dict:
    docs = [r.entry for r in released]
    return {"documents": sel.documents, "released": len(docs),
            "open": sum(d["decision"] == "OPEN" for d in docs),
            "open_redacted": sum(d["decision"] == "OPEN_REDACTED" for d in docs),
            "masked_ranges": sum(d["masked_ranges"] for d in docs),
            "files": sum(d["file"] is not None for d in docs),
            "withheld": {k: len(v) for k, v in sel.withheld.items()}}


def _swap_into_place(tmp: Path, out: Path, session: Session, manifest: bytes) -> None:
    """Rename the finished directory into place and commit the audit event, or undo both."""
    backup = None
    if out.exists():
        backup = out.with_name(f".{out.name}.old{os.getpid()}")
        os.replace(out, backup)
    try:
        os.replace(tmp, out)
        session.commit()
    except BaseException:
        session.rollback()
        if (out / MANIFEST).is_file() and (out / MANIFEST).read_bytes() == manifest:
            shutil.rmtree(out, ignore_errors=True)
        if backup is not None:
            os.replace(backup, out)
        raise
    if backup is not None:
        shutil.rmtree(backup, ignore_errors=True)


# --------------------------------------------------------------------------- release


def write_release(*, session: Session, collection: str, out_dir: Path | str, actor: str, force: bool = False,
                  elusion_estimator: Callable[[int], dict] | None = None,
                  ocr: Callable[[], OcrEngine] | None = None, progress: Progress | None = None,
                  rulebook: Rulebook | None = None) -> dict:
    """Write the release of ``collection`` into ``out_dir`` and record it; returns the report.

    ``ocr`` builds the OCR engine on first use (default: RapidOCR); it locates text on scanned
    pages and reads every redacted page back. Raises ``ReleaseRefused`` (nothing written,
    nothing recorded) for an unknown collection, a broken audit chain, rows that do not match it,
    or an existing ``out_dir`` without ``force``; a document that cannot be released safely is held back and reported.
    """
    if not actor:
        raise ValueError("a release needs the user who makes it")
    out = _target(out_dir, force)
    col = _collection(session, collection)
    sel = select_for_release(session=session, collection_id=col.id)
    head = audit.head(session=session)
    now = datetime.now(timezone.utc)

    done = 0

    def tick(pages: int) -> None:
        nonlocal done
        done += pages
        if progress is not None:
            progress(done, sel.pages)

    tmp = _fresh_tmp(out)
    try:
        ctx = Context(tmp=tmp, ocr=ocr or LazyOcr(), rulebook=rulebook or Rulebook.load(), today=now.date(), tick=tick)
        released, doc_warnings = _write_documents(ctx, session, sel, col)
        catalogue = _write_catalogue(tmp, released, now)
        elusion, el_warnings = _elusion(session, col.id, elusion_estimator)
        warnings = el_warnings + doc_warnings
        counts = _counts(sel, released)
        held = [d["id"] for d in sel.withheld["held_back"]]
        manifest = {
            "format": FORMAT, "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "actor": actor,
            "collection": {"id": col.id, "name": col.name, "fonds_code": col.fonds_code},
            "audit_head": head.to_dict(), "counts": counts,
            "mask": {"char": MASK, "kept": "line breaks and form feeds", "offsets": "code points, unchanged",
                     "repeats": "every other occurrence of a masked value in the same document is masked",
                     "pdf": "pages rebuilt as images with the masked characters burned out, under an invisible "
                            "text layer made from the masked text"},
            "verification": ctx.verification.to_dict(), "held_back": held,
            "elusion": elusion, "warnings": warnings,
            "files": catalogue + [f for r in released for f in r.files],
            "documents": [r.entry for r in released],
        }
        mbytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        (tmp / MANIFEST).write_bytes(mbytes)
        msums = digests_of(mbytes)
        ev = audit.append(session=session, actor=actor, action="release", subject=f"collection:{col.id}",
                          payload={"collection": col.name, "collection_id": col.id, "counts": counts,
                                   "manifest_sha256": msums["sha256"], "manifest_sm3": msums["sm3"],
                                   "catalogue": {c["path"]: {"sha256": c["sha256"], "sm3": c["sm3"]} for c in catalogue},
                                   "held_back": held, "audit_head": head.to_dict(),
                                   "elusion_sample": elusion["sample"] if elusion else None,
                                   "out": str(out), "replaced": out.exists()})
        _swap_into_place(tmp, out, session, mbytes)
    except BaseException:
        session.rollback()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"collection": col.name, "out": str(out), "manifest_sha256": msums["sha256"], "manifest_sm3": msums["sm3"],
            "audit_event": ev.seq, "audit_head": head.to_dict(), "counts": counts, "withheld": sel.withheld,
            "verification": ctx.verification.to_dict(), "warnings": warnings, "elusion": elusion}
