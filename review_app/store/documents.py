"""Collections, documents and ingest errors: the only write path for them.

Every function is keyword-only with the session first. A function that changes state appends an
audit event (action ``ingest``) through ``review_app.audit.append`` in the same transaction and
commits once, so a document is either stored and on the record, or neither.

Documents are unique by the sha256 of their source file: adding content that is already stored
raises ``DuplicateDocument`` (also when a concurrent ingest committed it first), which makes
re-running an ingest idempotent. Ingest errors are recorded once per (collection, path, sha256,
reason), so a re-run over the same broken file does not pile up rows.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Sequence

from sqlalchemy import func
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, select

from review_app import audit
from review_app.store import integrity
from review_app.tables import Collection, Document, IngestError

INGEST_ACTION = "ingest"


def utcnow() -> datetime:
    """Timezone-aware UTC now: this SQLModel's DateTime columns refuse naive values."""
    return datetime.now(timezone.utc)


class DuplicateDocument(ValueError):
    """The content (by sha256) is already stored; ``existing_id`` is the stored document."""

    def __init__(self, sha256: str, existing_id: int | None):
        super().__init__(f"document with sha256 {sha256[:12]}… is already stored (id {existing_id})")
        self.sha256 = sha256
        self.existing_id = existing_id


@dataclass(frozen=True)
class NewDocument:
    """What ingestion knows about one file, ready to be stored."""

    source_path: str
    sha256: str
    media_type: str
    text: str
    page_starts: Sequence[int] = (0,)
    ocr_pages: Sequence[int] = ()
    encoding: str | None = None
    reference_code: str | None = None
    title: str = ""
    creator: str = ""
    date_text: str = ""
    year: int | None = None
    classification: str = ""
    genre: str = ""
    catalogue: dict[str, Any] | None = None


#: what the document table keeps of a catalogue field (longer values are refused, not cut: a 档号 must
#: stay whole); title, creator and the like are cut to their column's length
MAX_REFERENCE_CODE = 200
MAX_SOURCE_PATH = 2000


def _no_nul(value: Any) -> Any:
    """NUL (which PostgreSQL text cannot hold) becomes U+FFFD, one for one, so offsets stay."""
    if isinstance(value, str):
        return value.replace("\x00", "\ufffd")
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_no_nul(v) for v in value]
    return value


def _validate(doc: NewDocument) -> None:
    if doc.reference_code and len(doc.reference_code) > MAX_REFERENCE_CODE:
        raise ValueError(f"档号 (reference code) of {len(doc.reference_code)} characters: the limit is "
                         f"{MAX_REFERENCE_CODE}; correct the catalogue row")
    if len(doc.source_path) > MAX_SOURCE_PATH:
        raise ValueError(f"file path longer than {MAX_SOURCE_PATH} characters")
    if len(doc.sha256) != 64 or any(c not in "0123456789abcdef" for c in doc.sha256):
        raise ValueError("sha256 must be 64 lower-case hex digits")
    starts = list(doc.page_starts)
    if not starts or starts[0] != 0 or any(b <= a for a, b in zip(starts, starts[1:])) \
            or starts[-1] > max(len(doc.text), 0):
        raise ValueError(f"page_starts must start at 0, increase strictly and stay inside the text: {starts[:10]}")
    if any(not 1 <= p <= len(starts) for p in doc.ocr_pages):
        raise ValueError("ocr_pages must be 1-based page numbers within page_count")
    if not doc.source_path:
        raise ValueError("source_path is required")


# --------------------------------------------------------------------------- collections


def get_collection(*, session: Session, name: str) -> Collection | None:
    return session.exec(select(Collection).where(Collection.name == name)).first()


def list_collections(*, session: Session) -> list[Collection]:
    return list(session.exec(select(Collection).order_by(Collection.id)))


def ensure_collection(*, session: Session, name: str, fonds_code: str | None = None, description: str = "",
                      actor: str = "system") -> Collection:
    """Return the collection called ``name``, creating it (and its audit event) if it is new."""
    name = (name or "").strip()
    if not name:
        raise ValueError("a collection needs a name")
    if len(name) > 200:
        raise ValueError("collection names are at most 200 characters")
    existing = get_collection(session=session, name=name)
    if existing is not None:
        if fonds_code and not existing.fonds_code:
            existing.fonds_code = fonds_code
            session.add(existing)
            session.commit()
        return existing
    coll = Collection(name=name, fonds_code=fonds_code or None, description=description, created_at=utcnow())
    session.add(coll)
    try:
        session.flush()
        audit.append(session=session, actor=actor, action=INGEST_ACTION, subject=f"collection:{coll.id}",
                     payload={"event": "collection_created", "name": name, "fonds_code": fonds_code or ""})
        session.commit()
    except IntegrityError:  # created concurrently by another ingest
        session.rollback()
        existing = get_collection(session=session, name=name)
        if existing is None:
            raise
        return existing
    return coll


# --------------------------------------------------------------------------- documents


def find_by_sha256(*, session: Session, sha256: str) -> Document | None:
    return session.exec(select(Document).where(Document.sha256 == sha256)).first()


def get_document(*, session: Session, document_id: int) -> Document | None:
    return session.get(Document, document_id)


def list_documents(*, session: Session, collection_id: int | None = None, limit: int | None = None,
                   offset: int = 0) -> list[Document]:
    q = select(Document).order_by(Document.id)
    if collection_id is not None:
        q = q.where(Document.collection_id == collection_id)
    if offset:
        q = q.offset(offset)
    if limit is not None:
        q = q.limit(limit)
    return list(session.exec(q))


def count_documents(*, session: Session, collection_id: int | None = None) -> int:
    q = select(func.count()).select_from(Document)
    if collection_id is not None:
        q = q.where(Document.collection_id == collection_id)
    return int(session.exec(q).one())


def _prepared(doc: NewDocument) -> NewDocument:
    """The document checked (ValueError for what the store cannot keep) and without NUL characters."""
    _validate(doc)
    return NewDocument(**{f: _no_nul(getattr(doc, f)) for f in doc.__dataclass_fields__})


def _row(collection_id: int, doc: NewDocument, now: datetime) -> Document:
    return Document(
        collection_id=collection_id,
        reference_code=doc.reference_code or None,
        title=doc.title[:1000],
        creator=doc.creator[:500],
        date_text=doc.date_text[:50],
        year=doc.year,
        classification=doc.classification[:100],
        genre=doc.genre[:100],
        catalogue=dict(doc.catalogue or {}),
        source_path=doc.source_path,
        sha256=doc.sha256,
        media_type=doc.media_type,
        encoding=doc.encoding,
        page_count=len(doc.page_starts),
        page_starts=list(doc.page_starts),
        ocr_pages=list(doc.ocr_pages),
        text=doc.text,
        ingest_status="ingested_ocr" if doc.ocr_pages else "ingested",
        created_at=now,
        updated_at=now,
    )


def _record_ingest(session: Session, row: Document, doc: NewDocument, actor: str) -> None:
    audit.append(session=session, actor=actor, action=INGEST_ACTION, subject=f"document:{row.id}",
                 payload={"event": "document_ingested", "collection_id": row.collection_id, "sha256": doc.sha256,
                          "source_path": doc.source_path, "reference_code": doc.reference_code or "",
                          "media_type": doc.media_type, "pages": len(doc.page_starts),
                          "ocr_pages": list(doc.ocr_pages), "chars": len(doc.text)})


def _require_collection(session: Session, collection_id: int) -> None:
    if session.get(Collection, collection_id) is None:
        raise ValueError(f"no collection with id {collection_id}")


def add_document(*, session: Session, collection_id: int, doc: NewDocument, actor: str = "system") -> Document:
    """Store one document and its audit event in one commit; DuplicateDocument if already stored.

    ValueError for a document the store cannot keep as given (a 档号 over 200 characters ...).
    """
    doc = _prepared(doc)
    _require_collection(session, collection_id)
    existing = find_by_sha256(session=session, sha256=doc.sha256)
    if existing is not None:
        raise DuplicateDocument(doc.sha256, existing.id)
    row = _row(collection_id, doc, utcnow())
    session.add(row)
    try:
        session.flush()
        _record_ingest(session, row, doc, actor)
        session.commit()
    except IntegrityError:
        session.rollback()
        existing = find_by_sha256(session=session, sha256=doc.sha256)
        if existing is None:
            raise
        raise DuplicateDocument(doc.sha256, existing.id) from None
    return row


@dataclass
class AddedBatch:
    """What ``add_documents`` stored, and what it left out as already stored (sha256 -> id)."""

    documents: list[Document]
    duplicates: dict[str, int | None]


def add_documents(*, session: Session, collection_id: int, docs: Sequence[NewDocument],
                  actor: str = "system") -> AddedBatch:
    """Store many documents, each with its own audit event, in ONE transaction (bulk ingest).

    The path for texts already extracted elsewhere (a migration, a digitisation vendor's
    delivery): one query finds the duplicates of the whole batch, one flush inserts its rows
    (SQLAlchemy sends them as multi-row INSERTs), and one commit ends it, instead of a query,
    an INSERT and a commit per document. Every document still gets its ``ingest`` event with
    its row digest, exactly as ``add_document`` writes it. Content already stored, or twice in
    the batch, is left out and listed in ``duplicates``. A document the store cannot keep
    (ValueError) fails the whole batch before anything is written. A concurrent ingest that
    commits one of these documents first makes the commit fail (IntegrityError, nothing
    written): run the batch again, and those documents come back as duplicates.
    """
    prepared = [_prepared(d) for d in docs]
    _require_collection(session, collection_id)
    known = dict(session.exec(select(Document.sha256, Document.id)
                              .where(Document.sha256.in_([d.sha256 for d in prepared]))).all()) if prepared else {}
    duplicates: dict[str, int | None] = {}
    fresh: list[NewDocument] = []
    seen: set[str] = set()
    for d in prepared:
        if d.sha256 in known or d.sha256 in seen:
            duplicates[d.sha256] = known.get(d.sha256)
            continue
        seen.add(d.sha256)
        fresh.append(d)
    now = utcnow()
    rows = [_row(collection_id, d, now) for d in fresh]
    try:
        session.add_all(rows)
        session.flush()
        integrity.forget(session)  # each event records its own document's row, not the whole batch
        for row, d in zip(rows, fresh):
            integrity.mark(session, [row])
            _record_ingest(session, row, d, actor)
        session.commit()
    except BaseException:
        session.rollback()
        raise
    return AddedBatch(documents=rows, duplicates=duplicates)


# --------------------------------------------------------------------------- ingest errors


def list_ingest_errors(*, session: Session, collection_id: int | None = None) -> list[IngestError]:
    q = select(IngestError).order_by(IngestError.id)
    if collection_id is not None:
        q = q.where(IngestError.collection_id == collection_id)
    return list(session.exec(q))


def record_ingest_error(*, session: Session, collection_id: int | None, path: str, reason: str,
                        sha256: str | None = None, actor: str = "system") -> IngestError:
    """Record a file that could not be ingested (once per collection, path, content and reason)."""
    if not path or not reason:
        raise ValueError("an ingest error needs a path and a reason")
    q = select(IngestError).where(IngestError.path == path, IngestError.reason == reason)
    q = q.where(IngestError.collection_id == collection_id) if collection_id is not None \
        else q.where(IngestError.collection_id.is_(None))
    q = q.where(IngestError.sha256 == sha256) if sha256 is not None else q.where(IngestError.sha256.is_(None))
    existing = session.exec(q).first()
    if existing is not None:
        return existing
    err = IngestError(collection_id=collection_id, path=path, sha256=sha256, reason=reason, created_at=utcnow())
    session.add(err)
    session.flush()
    audit.append(session=session, actor=actor, action=INGEST_ACTION, subject=f"ingest_error:{err.id}",
                 payload={"event": "ingest_error", "collection_id": collection_id, "path": path,
                          "sha256": sha256 or "", "reason": reason})
    session.commit()
    return err
