"""``kaifang release verify DIR``: is this release directory still what was released, and still
leak-free against what the store masks today?

Checks, each a line of the report:

1. the manifest is a Kaifang release manifest and every file it lists is there, inside ``DIR``,
   with its size, SHA-256 and SM3; no file is there that it does not list;
2. the manifest (SHA-256 and SM3) and both catalogue files are the ones a ``release`` event of
   this store's audit log recorded, and the chain verifies against its published head and still
   holds the head the manifest recorded at release time;
3. the leak check, run again: for every OPEN_REDACTED document, the masked values as the store
   has them now (the final review the release used, and today's spans, so a span marked after
   the release is searched too) are searched in its text copy and, for a rebuilt PDF, in its
   text layer and the OCR of every page rendered from the file.

A document whose final decision changed since the release is reported as a warning: the
reading room should withdraw it.
"""
from __future__ import annotations

import json
from pathlib import Path
from typing import Callable

from sqlmodel import Session, select

from review_app import audit
from review_app.ingest.ocr import OcrEngine
from review_app.ingest.runner import LazyOcr
from review_app.redaction.verify import check_pdf, find
from review_app.store.release import FORMATS, MANIFEST
from review_app.store.release_files import SUMS, digests, digests_of
from review_app.store.release_masks import ReleaseRefused, mask_plan
from review_app.tables import AuditEvent, Document, Review


def _load_manifest(root: Path) -> tuple[dict, bytes]:
    path = root / MANIFEST
    if not root.is_dir():
        raise ReleaseRefused(f"{root} is not a directory")
    try:
        raw = path.read_bytes()
        manifest = json.loads(raw.decode("utf-8"))
    except OSError:
        raise ReleaseRefused(f"{root} holds no {MANIFEST}: not a Kaifang release") from None
    except (UnicodeDecodeError, ValueError) as exc:
        raise ReleaseRefused(f"{path} is not valid UTF-8 JSON ({exc})") from None
    if not isinstance(manifest, dict) or manifest.get("format") not in FORMATS:
        raise ReleaseRefused(f"{path} is not a Kaifang release manifest (format {FORMATS[-1]})")
    return manifest, raw


def _check_files(root: Path, manifest: dict, problems: list[str]) -> int:
    needs_sm3 = manifest.get("format") != FORMATS[0]  # v1 releases recorded SHA-256 only
    listed: set[str] = set()
    for f in manifest.get("files") or []:
        rel = str(f.get("path", ""))
        path = (root / rel).resolve()
        if not rel or root not in path.parents:
            problems.append(f"the manifest lists a path outside the release: {rel!r}")
            continue
        listed.add(rel)
        if not path.is_file():
            problems.append(f"{rel}: missing")
            continue
        sums = digests(path)
        for name in SUMS:
            if name in f and f[name] != sums[name]:
                problems.append(f"{rel}: {name} differs from the manifest (the file was changed)")
        if needs_sm3 and "sm3" not in f:
            problems.append(f"{rel}: no SM3 sum in the manifest")
    present = {p.relative_to(root).as_posix() for p in root.rglob("*") if p.is_file()}
    for extra in sorted(present - listed - {MANIFEST}):
        problems.append(f"{extra}: not listed in the manifest")
    return len(listed)


def _check_record(session: Session, raw: bytes, manifest: dict, problems: list[str]) -> int | None:
    check = audit.verify_published(session=session)  # against the head published outside the database
    if not check.intact:
        where = f" at event #{check.first_broken}" if check.first_broken is not None else ""
        problems.append(f"the audit chain does not match its published head{where} "
                        f"({check.problem or check.head_file}; kaifang audit verify)")
    try:  # the head the manifest recorded at release time must still be in the chain
        at_release = audit.Head(seq=int(manifest["audit_head"]["seq"]), hash=str(manifest["audit_head"]["hash"]))
    except (KeyError, TypeError, ValueError):
        problems.append("the manifest records no audit head")
    else:
        broken = audit.verify(session=session, expected_head=at_release)
        if broken is not None and broken != check.first_broken:
            problems.append(f"the audit chain is broken at event #{broken}, at or before the head the manifest "
                            f"recorded (#{at_release.seq})")
    sums = digests_of(raw)
    events = session.exec(select(AuditEvent).where(AuditEvent.action == "release").order_by(AuditEvent.seq))
    for ev in events:
        p = json.loads(ev.payload)
        if p.get("manifest_sha256") == sums["sha256"]:
            if p.get("manifest_sm3") not in (None, sums["sm3"]):
                problems.append(f"the manifest's SM3 differs from audit event #{ev.seq}")
            for name, recorded in (p.get("catalogue") or {}).items():
                listed = next((f for f in manifest.get("files") or [] if f.get("path") == name), None)
                if listed is None or any(listed.get(k) != recorded.get(k) for k in SUMS):
                    problems.append(f"{name}: its sums differ from those audit event #{ev.seq} recorded")
            return ev.seq
    problems.append("no release event of this store's audit log recorded this manifest (sha256 "
                    f"{sums['sha256'][:16]}…): it was changed, or released from another store")
    return None


def verify_release(*, session: Session, out_dir: Path | str, ocr: Callable[[], OcrEngine] | None = None,
                   progress: Callable[[int, int], None] | None = None) -> dict:
    """Re-check a release directory (see the module docstring); returns the report.

    ``report["ok"]`` is true when nothing is wrong; ``problems`` says what is. Raises
    ``ReleaseRefused`` when ``out_dir`` is not a release at all.
    """
    root = Path(out_dir).resolve()
    manifest, raw = _load_manifest(root)
    ocr = ocr or LazyOcr()
    problems: list[str] = []
    warnings: list[str] = []
    n_files = _check_files(root, manifest, problems)
    event = _check_record(session, raw, manifest, problems)
    docs = [d for d in manifest.get("documents") or [] if d.get("decision") == "OPEN_REDACTED"]
    total = sum(int(d.get("pages") or 1) for d in docs if d.get("file"))
    done = 0
    checked = {"text_copies": 0, "pdfs": 0, "pdf_pages": 0, "ocr_pages": 0, "values": 0}
    for d in docs:
        who = f"document {d.get('id')} ({d.get('reference_code') or 'no 档号'})"
        doc = session.get(Document, d.get("id"))
        final = session.get(Review, d.get("review"))
        if doc is None or final is None:
            problems.append(f"{who}: not in this store; its masked values cannot be checked")
            continue
        latest = session.exec(select(Review).where(Review.document_id == doc.id, Review.stage == "committee")
                              .order_by(Review.id.desc())).first()
        if latest is not None and latest.id != final.id and latest.decision != final.decision:
            warnings.append(f"{who}: the committee's final decision is now {latest.decision}; withdraw the copy")
        reviewer = session.exec(select(Review).where(Review.document_id == doc.id, Review.stage == "reviewer",
                                                     Review.id < final.id).order_by(Review.id.desc())).first()
        try:
            plan = mask_plan(session=session, doc=doc, final=final, reviewer=reviewer)
        except ReleaseRefused as exc:
            problems.append(f"{who}: {exc}")
            continue
        values = [(label, value) for label, value, _ in plan.values]
        checked["values"] += len(values)
        text_path = root / str(d.get("text", ""))
        if text_path.is_file():
            checked["text_copies"] += 1
            for label, offset in find(text_path.read_text(encoding="utf-8"), values):
                problems.append(f"{who}: its text copy shows the {label} value at offset {offset}")
        if d.get("file"):
            path = root / str(d["file"])
            if not path.is_file():
                continue  # reported as missing above

            def tick() -> None:
                nonlocal done
                done += 1
                if progress is not None:
                    progress(done, total)

            try:
                res = check_pdf(path, values, ocr, on_page=tick)
            except (MemoryError, KeyboardInterrupt):
                raise
            except Exception as exc:  # not a PDF any more, or damaged: say so, check the rest
                problems.append(f"{who}: {d['file']} cannot be read as a PDF ({type(exc).__name__}: {exc})")
                continue
            checked["pdfs"] += 1
            checked["pdf_pages"] += res.pages
            checked["ocr_pages"] += res.pages
            checked["ocr_engine"] = res.ocr_engine
            problems += [f"{who}: the text layer of {d['file']} shows the {label} value on page {page}"
                         for label, page in res.text_layer]
            problems += [f"{who}: OCR ({res.ocr_engine}) of page {page} of {d['file']} reads the {label} value"
                         for label, page in res.ocr]
    return {"out": str(root), "ok": not problems, "problems": problems, "warnings": warnings,
            "files": n_files, "audit_event": event, "documents": len(manifest.get("documents") or []),
            "checked": checked}
