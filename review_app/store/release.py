"""Release: redacted open copies and the open catalogue (开放目录) of what the committee opened.

``write_release`` reads a collection's final committee decisions and writes, into one new
directory::

    DIR/manifest.json          collection, counts, audit head at release time, sha256 of every file
    DIR/open-catalogue.csv     开放目录: one row per released document (UTF-8 with BOM, for Excel)
    DIR/texts/<档号>.txt       the released copy of each document (UTF-8, no BOM)

What is released. Only documents whose *final* (committee) decision is OPEN or OPEN_REDACTED.
CLOSED documents (控制使用 and 延期开放) and documents without a final decision are withheld; the
report lists them by reason (``not_final``, ``closed``, ``deferred``, ``nothing_to_mask``). The
manifest and the catalogue carry counts only: a withheld document's 档号, title or 密级 never
appear in the release. An OPEN document is copied unchanged.

What an OPEN_REDACTED copy masks (``mask_plan``):

1. every *live* span (not rejected, superseded or withdrawn) whose label the decision's reasons
   mask: PERSONAL_INFO masks the personal-information labels of ``models.policy``
   (ID_NUMBER, PHONE, EMAIL, BANK_ACCOUNT, ADDRESS, HEALTH, LEGAL_RECORD; PERSON is not masked,
   GUIDELINES rule 2), STATE_SECRET masks SECRET_MARK. Spans a reviewer accepted, added or
   corrected count; so do machine spans nobody rejected (``proposed``): the committee decided with
   them on screen, rejecting is how a reviewer says "not sensitive", and a mask too many is
   reversible where a leak is not. Those are counted as ``unconfirmed`` in the manifest and the
   report warns about them. A rejected span is never masked for itself.
2. every range of the committee's ``redact`` list (labelled or not, e.g. an unpublished price
   under COMMERCIAL_SECRET), except a labelled range that is exactly a span reviewers rejected;
   when the committee listed none, the label-less ranges of the reviewer's ``redact`` list (the
   reviewer's labelled list is the app's default, every visible span, names included, and is
   not the committee's decision).
3. every other occurrence, anywhere in that document, of the text of a range masked by 1 or 2
   (two code points or longer): an ID number written twice but marked once is masked twice.

Mask convention: each masked code point becomes ``■`` (U+25A0), one for one, and line breaks and
form feeds inside a masked range are kept. So the copy has exactly the original's length in code
points, every offset of the original (spans, ``page_starts``, the audit log's offsets) points to
the same place in the copy, lines and pages stay where they were, and a reader sees how long the
withheld text was. A label such as 【已删除】 would read better but would shift every later offset.
Pages: the store keeps one text per document with ``page_starts``; the copy is one file with the
same text layout (form feeds or the ingest's page separator included), and the manifest gives
each document's ``page_starts``, valid for the copy because offsets are preserved.

Self-check. Before anything is written, each redacted copy is searched for the text of every
masked range, compared after NFKC normalisation, case folding and with whitespace removed (so
``３５０１０２…`` or ``350102 1987…`` written elsewhere is caught too). A hit refuses the whole
release (``ReleaseRefused``) and names the document, label and offset (not the value): a person
marks that occurrence as a span and the committee's decision stands. A broken audit chain also
refuses the release.

Writing. Files go to a temporary directory next to ``DIR``, which is renamed into place only when
complete, so ``DIR`` is either a whole release or absent. A release into an existing ``DIR`` is
refused unless ``force``; ``force`` replaces only a directory that holds a Kaifang release
manifest (never an arbitrary folder). The release is an audit event (``release``: actor,
collection, counts, manifest sha256, head at release time), appended in the same transaction
that is committed after the rename; if anything fails before the commit the new directory is
removed and a replaced one restored.

Elusion. The collection's latest elusion sample (``model_registry.latest_elusion_sample``) goes
into the manifest with its counts and, when the caller passes an ``elusion_estimator`` (the CLI
passes ``training.elusion.summary``; this module does not import ``training``), its estimate. No
sample: the manifest says so and carries a warning.
"""
from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import re
import shutil
import unicodedata
from dataclasses import dataclass, field
from datetime import date, datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterable, Sequence

from sqlmodel import Session, select

from models.policy import masked_labels
from review_app import audit
from review_app.store import model_registry, release_guard
from review_app.store.review import ACTIVE_SPAN_STATUSES
from review_app.tables import Collection, Document, Review, SpanRecord

FORMAT = "kaifang.release.v1"
MANIFEST = "manifest.json"
CATALOGUE = "open-catalogue.csv"
TEXTS = "texts"
MASK = "■"
#: characters kept inside a masked range, so lines and pages stay where they were
KEEP = frozenset("\n\r\f")
#: live spans (what a reader of the document sees) and those a person confirmed
LIVE = ACTIVE_SPAN_STATUSES
CONFIRMED = ("accepted", "added", "corrected")
CATALOGUE_COLUMNS = ("档号", "题名", "责任者", "日期", "开放状态", "文件名", "sha256", "屏蔽处数", "决定日期")
STATUS_ZH = {"OPEN": "开放", "OPEN_REDACTED": "部分开放"}
WITHHELD_REASONS = ("not_final", "closed", "deferred", "nothing_to_mask")
MIN_REPEAT = 2  # a masked value this long or longer is masked wherever else it occurs


class ReleaseRefused(ValueError):
    """The release cannot be made; the message says why and what to do. Nothing was written."""


@dataclass
class MaskPlan:
    """The ranges to mask in one document, merged, with where they came from."""

    ranges: list[tuple[int, int]]
    values: list[tuple[str, str, int]]  # (label or "range", text, start) of what rules 1-2 masked
    spans: int = 0
    unconfirmed: int = 0
    explicit: int = 0
    repeats: int = 0
    dropped_rejected: int = 0
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------- masking (pure)


def merge(ranges: Iterable[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted, overlapping or touching ranges joined."""
    out: list[list[int]] = []
    for s, e in sorted((int(s), int(e)) for s, e in ranges if e > s):
        if out and s <= out[-1][1]:
            out[-1][1] = max(out[-1][1], e)
        else:
            out.append([s, e])
    return [(s, e) for s, e in out]


def redact_text(text: str, ranges: Iterable[tuple[int, int]], mask: str = MASK) -> str:
    """``text`` with each code point of ``ranges`` replaced by ``mask`` (line breaks kept).

    The result has the same length as ``text``; offsets are Python string indices (code points),
    so a character outside the BMP (𠮷) is one position, as everywhere in the project.
    """
    if len(mask) != 1:
        raise ValueError("the mask is one character, so offsets are preserved")
    chars = list(text)
    for s, e in merge(ranges):
        for i in range(max(s, 0), min(e, len(chars))):
            if chars[i] not in KEEP:
                chars[i] = mask
    return "".join(chars)


def occurrences(text: str, value: str) -> list[tuple[int, int]]:
    """Every (overlapping) occurrence of ``value`` in ``text``."""
    out, i = [], text.find(value)
    while value and i >= 0:
        out.append((i, i + len(value)))
        i = text.find(value, i + 1)
    return out


def _normalise(text: str) -> tuple[str, list[int]]:
    """NFKC, case-folded, whitespace removed; with the original offset of each output character."""
    out: list[str] = []
    where: list[int] = []
    for i, ch in enumerate(text):
        for c in unicodedata.normalize("NFKC", ch).casefold():
            if not c.isspace():
                out.append(c)
                where.append(i)
    return "".join(out), where


def leaks(redacted: str, values: Sequence[tuple[str, str, int]]) -> list[tuple[str, int]]:
    """(label, offset in the copy) of each masked value still readable in ``redacted``."""
    norm, where = _normalise(redacted)
    found: list[tuple[str, int]] = []
    for label, value, _start in values:
        v, _ = _normalise(value)
        if len(v) < MIN_REPEAT:
            continue
        i = norm.find(v)
        if i >= 0:
            found.append((label, where[i]))
    return found


# --------------------------------------------------------------------------- decisions


def _latest_reviews(session: Session, collection_id: int, stage: str) -> dict[int, Review]:
    rows = session.exec(select(Review).join(Document, Document.id == Review.document_id)
                        .where(Document.collection_id == collection_id, Review.stage == stage)
                        .order_by(Review.id))
    return {r.document_id: r for r in rows}


def _range_of(entry: Any, n: int) -> tuple[int, int, str | None]:
    try:
        s, e = int(entry["start"]), int(entry["end"])
    except (KeyError, TypeError, ValueError):
        raise ReleaseRefused(f"a redact entry without integer start and end: {entry!r}") from None
    if not 0 <= s < e <= n:
        raise ReleaseRefused(f"redact range [{s}, {e}) lies outside the text ({n} characters)")
    label = entry.get("label") if isinstance(entry, dict) else None
    return s, e, (str(label) if label else None)


def mask_plan(*, session: Session, doc: Document, final: Review, reviewer: Review | None) -> MaskPlan:
    """What an OPEN_REDACTED copy of ``doc`` masks (rules 1-3 of the module docstring)."""
    text = doc.text
    labels = masked_labels(final.reasons or [])
    spans = list(session.exec(select(SpanRecord).where(SpanRecord.document_id == doc.id)
                              .order_by(SpanRecord.start, SpanRecord.end, SpanRecord.id)))
    live = [r for r in spans if r.status in LIVE]
    rejected = {(r.start, r.end, r.label) for r in spans if r.status == "rejected"}
    live_keys = {(r.start, r.end, r.label) for r in live}
    plan = MaskPlan(ranges=[], values=[])
    base: list[tuple[int, int]] = []
    for r in live:
        if r.label in labels:
            if not 0 <= r.start < r.end <= len(text):
                raise ReleaseRefused(f"document {doc.id}: span {r.id} [{r.start}, {r.end}) lies outside the text")
            base.append((r.start, r.end))
            plan.values.append((r.label, text[r.start:r.end], r.start))
            plan.spans += 1
            plan.unconfirmed += r.status not in CONFIRMED
    entries = list(final.redact or [])
    if not entries and reviewer is not None:
        entries = [e for e in (reviewer.redact or []) if isinstance(e, dict) and not e.get("label")]
    for entry in entries:
        s, e, label = _range_of(entry, len(text))
        if label and (s, e, label) in rejected and (s, e, label) not in live_keys:
            plan.dropped_rejected += 1
            continue
        if (s, e) in base:
            continue
        base.append((s, e))
        plan.values.append((label or "range", text[s:e], s))
        plan.explicit += 1
    repeats: list[tuple[int, int]] = []
    covered = merge(base)
    for _label, value, _start in plan.values:
        if len(value) < MIN_REPEAT:
            continue
        for s, e in occurrences(text, value):
            if not any(cs <= s and e <= ce for cs, ce in covered):
                repeats.append((s, e))
    plan.repeats = len(merge(repeats))
    plan.ranges = merge(base + repeats)
    if plan.unconfirmed:
        plan.warnings.append(f"{plan.unconfirmed} masked span(s) were proposed by the machine and never "
                             "accepted or rejected by a person")
    if any(r.label == "SECRET_MARK" for r in live) and "SECRET_MARK" not in labels:
        plan.warnings.append("a classification marking (SECRET_MARK) stays readable: check its declassification note")
    return plan


# --------------------------------------------------------------------------- files


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


_UNSAFE = re.compile(r"[^\w.\-]+")


def file_stem(reference_code: str | None, document_id: int) -> str:
    """A file name from the 档号 (letters, digits, CJK, ``.``, ``-``, ``_``), else ``doc-<id>``."""
    stem = _UNSAFE.sub("_", (reference_code or "").strip()).strip("._")[:120]
    return stem or f"doc-{document_id}"


def _cell(value: Any) -> str:
    """A catalogue cell; a leading = + - @ is quoted so a spreadsheet does not run it as a formula."""
    s = "" if value is None else str(value)
    return "'" + s if s[:1] in ("=", "+", "-", "@", "\t", "\r") else s


def _day(ts: datetime | date | None) -> str:
    if ts is None:
        return ""
    return (ts.date() if isinstance(ts, datetime) else ts).isoformat()


def _is_release_dir(path: Path) -> bool:
    try:
        return json.loads((path / MANIFEST).read_text(encoding="utf-8")).get("format") == FORMAT
    except (OSError, ValueError, AttributeError):
        return False


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


# --------------------------------------------------------------------------- release


def write_release(*, session: Session, collection: str, out_dir: Path | str, actor: str, force: bool = False,
                  elusion_estimator: Callable[[int], dict] | None = None, algo: str = "sha256") -> dict:
    """Write the release of ``collection`` into ``out_dir`` and record it; returns the report.

    Raises ``ReleaseRefused`` (nothing written, nothing recorded) for an unknown collection, a
    broken audit chain, an existing ``out_dir`` without ``force``, or a copy that fails the
    self-check.
    """
    if not actor:
        raise ValueError("a release needs the user who makes it")
    out = Path(out_dir).resolve()
    col = session.exec(select(Collection).where(Collection.name == collection)).first()
    if col is None:
        raise ReleaseRefused(f"unknown collection {collection!r}")
    if out.exists():
        if not force:
            raise ReleaseRefused(f"{out} already exists; choose a new directory, or pass --force to replace "
                                 "the earlier release there")
        if not _is_release_dir(out):
            raise ReleaseRefused(f"{out} exists and is not a Kaifang release (no {MANIFEST} of format {FORMAT}); "
                                 "--force replaces only an earlier release")
    broken = audit.verify(session=session)
    if broken is not None:
        raise ReleaseRefused(f"the audit chain is broken at event #{broken} (kaifang audit verify): "
                             "nothing is released from a store whose record cannot be trusted")
    head = audit.head(session=session)
    now = datetime.now(timezone.utc)

    finals = _latest_reviews(session, col.id, "committee")
    reviewers = _latest_reviews(session, col.id, "reviewer")
    meta = session.exec(select(Document.id, Document.reference_code, Document.status)
                        .where(Document.collection_id == col.id).order_by(Document.id)).all()
    withheld: dict[str, list[dict]] = {k: [] for k in WITHHELD_REASONS}
    to_release: list[tuple[int, Review]] = []
    for doc_id, ref, status in meta:
        final = finals.get(doc_id)
        if status != "final" or final is None:
            withheld["not_final"].append({"id": doc_id, "reference_code": ref})
        elif final.decision == "CLOSED":
            key = "deferred" if final.closure == "DEFERRED" else "closed"
            withheld[key].append({"id": doc_id, "reference_code": ref})
        elif final.decision in STATUS_ZH:
            to_release.append((doc_id, final))
        else:  # pragma: no cover - decisions are validated when stored
            withheld["not_final"].append({"id": doc_id, "reference_code": ref})
    to_release = release_guard.hold_not_yet_eligible(session=session, to_release=to_release, withheld=withheld)

    out.parent.mkdir(parents=True, exist_ok=True)
    tmp = out.with_name(f".{out.name}.tmp{os.getpid()}")
    if tmp.exists():
        shutil.rmtree(tmp)
    (tmp / TEXTS).mkdir(parents=True)
    try:
        documents, rows, problems, warnings = [], [], [], []
        used: set[str] = set()
        for doc_id, final in to_release:
            doc = session.get(Document, doc_id)
            if final.decision == "OPEN_REDACTED":
                plan = mask_plan(session=session, doc=doc, final=final, reviewer=reviewers.get(doc_id))
                if not plan.ranges:
                    withheld["nothing_to_mask"].append({"id": doc_id, "reference_code": doc.reference_code})
                    continue
                copy = redact_text(doc.text, plan.ranges)
                for label, offset in leaks(copy, plan.values):
                    page = sum(1 for p in doc.page_starts if p <= offset)
                    problems.append(f"document {doc_id} ({doc.reference_code or 'no 档号'}): the {label} value masked "
                                    f"elsewhere is still readable at offset {offset} (page {page}) in another "
                                    "form; mark it as a span there and release again")
                warnings += [f"document {doc_id} ({doc.reference_code or 'no 档号'}): {w}" for w in plan.warnings]
            else:
                plan, copy = None, doc.text
            if len(copy) != len(doc.text):  # pragma: no cover - redact_text keeps the length
                raise AssertionError("a released copy must keep the original's offsets")
            stem = file_stem(doc.reference_code, doc_id)
            if stem.lower() in used:  # two documents with one 档号: the later one gets its id too
                stem, k = f"{stem}-{doc_id}", 1
                while stem.lower() in used:
                    stem, k = f"{file_stem(doc.reference_code, doc_id)}-{doc_id}-{k}", k + 1
            used.add(stem.lower())
            name = f"{stem}.txt"
            data = copy.encode("utf-8")
            (tmp / TEXTS / name).write_bytes(data)
            digest = _sha256(data)
            n_masked = len(plan.ranges) if plan else 0
            documents.append({
                "id": doc_id, "reference_code": doc.reference_code, "file": f"{TEXTS}/{name}", "sha256": digest,
                "bytes": len(data), "chars": len(copy), "decision": final.decision, "reasons": list(final.reasons or []),
                "decided": _day(final.created_at), "review": final.id, "masked_ranges": n_masked,
                "masked_chars": sum(e - s for s, e in plan.ranges) if plan else 0,
                "masked_spans": plan.spans if plan else 0, "unconfirmed": plan.unconfirmed if plan else 0,
                "explicit_ranges": plan.explicit if plan else 0, "repeats": plan.repeats if plan else 0,
                "page_starts": list(doc.page_starts or [0]), "source_sha256": doc.sha256,
            })
            rows.append([doc.reference_code or "", doc.title, doc.creator, doc.date_text, STATUS_ZH[final.decision],
                         f"{TEXTS}/{name}", digest, n_masked, _day(final.created_at)])
            session.expunge(doc)  # one document's text in memory at a time
        if problems:
            raise ReleaseRefused("the self-check found masked values still readable; nothing was released:\n  "
                                 + "\n  ".join(problems))

        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\r\n")
        w.writerow(CATALOGUE_COLUMNS)
        for row in rows:
            w.writerow([_cell(v) for v in row])
        cat = buf.getvalue().encode("utf-8-sig")
        (tmp / CATALOGUE).write_bytes(cat)

        elusion, el_warnings = _elusion(session, col.id, elusion_estimator)
        warnings = el_warnings + warnings
        counts = {"documents": len(meta), "released": len(documents),
                  "open": sum(d["decision"] == "OPEN" for d in documents),
                  "open_redacted": sum(d["decision"] == "OPEN_REDACTED" for d in documents),
                  "masked_ranges": sum(d["masked_ranges"] for d in documents),
                  "withheld": {k: len(v) for k, v in withheld.items()}}
        files = [{"path": CATALOGUE, "sha256": _sha256(cat), "bytes": len(cat)}] + \
                [{"path": d["file"], "sha256": d["sha256"], "bytes": d["bytes"]} for d in documents]
        manifest = {
            "format": FORMAT, "created_at": now.strftime("%Y-%m-%dT%H:%M:%SZ"), "actor": actor,
            "collection": {"id": col.id, "name": col.name, "fonds_code": col.fonds_code},
            "audit_head": head.to_dict(), "counts": counts,
            "mask": {"char": MASK, "kept": "line breaks and form feeds", "offsets": "code points, unchanged",
                     "repeats": "every other occurrence of a masked value in the same document is masked"},
            "elusion": elusion, "warnings": warnings, "files": files, "documents": documents,
        }
        mbytes = (json.dumps(manifest, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
        (tmp / MANIFEST).write_bytes(mbytes)
        manifest_sha = _sha256(mbytes)

        ev = audit.append(session=session, algo=algo, actor=actor, action="release", subject=f"collection:{col.id}",
                          payload={"collection": col.name, "collection_id": col.id, "counts": counts,
                                   "manifest_sha256": manifest_sha, "audit_head": head.to_dict(),
                                   "elusion_sample": elusion["sample"] if elusion else None,
                                   "out": str(out), "replaced": out.exists()})
        backup = None
        if out.exists():
            backup = out.with_name(f".{out.name}.old{os.getpid()}")
            os.replace(out, backup)
        try:
            os.replace(tmp, out)
            session.commit()
        except BaseException:
            session.rollback()
            if (out / MANIFEST).is_file() and (out / MANIFEST).read_bytes() == mbytes:
                shutil.rmtree(out, ignore_errors=True)
            if backup is not None:
                os.replace(backup, out)
            raise
        if backup is not None:
            shutil.rmtree(backup, ignore_errors=True)
    except BaseException:
        session.rollback()
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return {"collection": col.name, "out": str(out), "manifest_sha256": manifest_sha, "audit_event": ev.seq,
            "audit_head": head.to_dict(), "counts": counts, "withheld": withheld, "warnings": warnings,
            "elusion": elusion}
