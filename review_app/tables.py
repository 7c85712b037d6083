"""SQLModel tables: what an archive holds and what review produces.

Named ``tables`` (not ``models``) because ``models`` is the NLP package. Every schema change goes
through an Alembic revision in ``review_app/migrations``. JSON columns hold lists and small dicts
(reason codes, page offsets, metrics); they work the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any, Optional

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def utcnow() -> datetime:
    """Timezone-aware UTC now, the default of every timestamp column.

    SQLModel maps ``datetime`` fields to ``UTCDateTime`` (``DateTime(timezone=True)``: PostgreSQL
    ``timestamp with time zone``), which refuses naive values on write and returns aware UTC
    values on read, also from SQLite (which stores them without an offset). So every timestamp
    in the store is aware UTC, on both backends, and comparisons never mix naive and aware.
    """
    return datetime.now(timezone.utc)


class Collection(SQLModel, table=True):
    """A fonds (全宗) or any batch of records ingested together."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=200)
    fonds_code: Optional[str] = Field(default=None, max_length=100)
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class Document(SQLModel, table=True):
    """One archival record: catalogue metadata, the source file and its extracted text.

    ``text`` is the original extracted text and is never rewritten; spans point into it.
    ``page_starts[i]`` is the offset in ``text`` where page i+1 begins. ``version`` is bumped on
    every review change, so a second reviewer's stale save is refused (optimistic locking).
    """

    # At a million documents (issue 15): a collection's documents in id order (the batch engines
    # read ids by keyset, the queue's collection filter), and the "oldest" queue order, are index
    # range scans instead of sorts.
    __table_args__ = (
        Index("ix_document_collection_id_id", "collection_id", "id"),
        Index("ix_document_year_id", "year", "id"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    collection_id: int = Field(foreign_key="collection.id", index=True)
    reference_code: Optional[str] = Field(default=None, index=True, max_length=200)  # 档号
    title: str = Field(default="", max_length=1000)  # 题名
    creator: str = Field(default="", max_length=500)  # 责任者
    date_text: str = Field(default="", max_length=50)  # as catalogued: 1987, 1987-03, 1987-03-15
    year: Optional[int] = Field(default=None, index=True)
    classification: str = Field(default="", max_length=100)  # 密级 from the catalogue
    genre: str = Field(default="", max_length=100)
    catalogue: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source_path: str = Field(max_length=2000)
    sha256: str = Field(index=True, unique=True, max_length=64)
    media_type: str = Field(max_length=100)
    encoding: Optional[str] = Field(default=None, max_length=50)
    page_count: int = 1
    page_starts: list[int] = Field(default_factory=lambda: [0], sa_column=Column(JSON, nullable=False))
    ocr_pages: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    ingest_status: str = Field(default="ingested", max_length=50)
    #: review state: new -> scanned -> proposed -> reviewed -> final
    status: str = Field(default="new", index=True, max_length=30)
    version: int = Field(default=1)
    review_after: Optional[date] = Field(default=None, index=True)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class IngestError(SQLModel, table=True):
    """A file that could not be ingested, with a reason a person can act on."""

    id: Optional[int] = Field(default=None, primary_key=True)
    collection_id: Optional[int] = Field(default=None, foreign_key="collection.id", index=True)
    path: str = Field(max_length=2000)
    sha256: Optional[str] = Field(default=None, max_length=64)
    reason: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime = Field(default_factory=utcnow)


class User(SQLModel, table=True):
    """An account. Roles: admin, reviewer, committee, annotator, auditor."""

    id: Optional[int] = Field(default=None, primary_key=True)
    username: str = Field(index=True, unique=True, max_length=100)
    display_name: str = Field(default="", max_length=200)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=20)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow)


class UserSession(SQLModel, table=True):
    """A signed-in session, held on the server so that it can be revoked (``store.sessions``).

    The cookie carries a random token; only its SHA-256 is stored, so a copy of this table does
    not sign anyone in. A session ends at logout, at ``expires_at`` (absolute lifetime), after
    ``idle`` minutes without a request, or when it is revoked (password change or reset, role
    change, account disabled, an admin signing the user out).
    """

    __tablename__ = "user_session"

    id: Optional[int] = Field(default=None, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    user_id: int = Field(foreign_key="user.id", index=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    revoked_at: Optional[datetime] = None
    revoked_reason: str = Field(default="", max_length=50)
    source: str = Field(default="", max_length=100)


class LoginThrottle(SQLModel, table=True):
    """Sign-in attempts per account name in the current window, taken one at a time by a
    conditional UPDATE so that parallel attempts cannot get past the limit (``store.users``)."""

    __tablename__ = "login_throttle"

    username: str = Field(primary_key=True, max_length=100)
    attempts: int = 0
    window_start: datetime = Field(default_factory=utcnow)


class SpanRecord(SQLModel, table=True):
    """A detected or human-added span of a document, with its review status.

    status: proposed (machine), accepted, rejected, added (human), corrected (relabel/resize).
    A correction keeps the old row as ``rejected``/superseded via ``replaces_id``.
    """

    __tablename__ = "span"

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    start: int
    end: int
    label: str = Field(max_length=30, index=True)
    text: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    score: float = 1.0
    source: str = Field(default="", max_length=200)
    explanation: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    status: str = Field(default="proposed", max_length=20, index=True)
    model_version: Optional[str] = Field(default=None, max_length=100)
    replaces_id: Optional[int] = Field(default=None, foreign_key="span.id")
    created_by: Optional[str] = Field(default=None, max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    updated_at: datetime = Field(default_factory=utcnow)


class Proposal(SQLModel, table=True):
    """The machine's proposed decision for a document, with the evidence behind it."""

    # The review queue walks these in order (risk or uncertainty first) and stops after a page,
    # instead of sorting every document; the last one makes "the current proposal of a document"
    # a direct lookup.
    __table_args__ = (
        Index("ix_proposal_queue_risk", "is_current", "risk", "uncertainty", "document_id"),
        Index("ix_proposal_queue_uncertainty", "is_current", "uncertainty", "risk", "document_id"),
        Index("ix_proposal_document_current", "document_id", "is_current"),
    )

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    decision: str = Field(max_length=20, index=True)  # OPEN | OPEN_REDACTED | CLOSED
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    closure: Optional[str] = Field(default=None, max_length=20)  # CONTROLLED | DEFERRED
    review_after: Optional[date] = None
    confidence: float = 0.0
    probabilities: dict[str, float] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    uncertainty: float = Field(default=0.0, index=True)
    risk: float = Field(default=0.0, index=True)
    model_version: str = Field(default="", max_length=100)
    rulebook_version: str = Field(default="", max_length=100)
    fired_rules: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    evidence: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    eligible_from: Optional[date] = None
    is_current: bool = Field(default=True, index=True)
    created_at: datetime = Field(default_factory=utcnow)


class Review(SQLModel, table=True):
    """A person's decision on a document: stage 'reviewer' first, then 'committee' (final)."""

    # the latest decision of a stage on a document (the queue's disagreement flag, on every row)
    __table_args__ = (Index("ix_review_document_stage_id", "document_id", "stage", "id"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    stage: str = Field(max_length=20)  # reviewer | committee
    username: str = Field(max_length=100, index=True)
    decision: str = Field(max_length=20)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    closure: Optional[str] = Field(default=None, max_length=20)
    review_after: Optional[date] = None
    redact: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    proposal_id: Optional[int] = Field(default=None, foreign_key="proposal.id")
    disagrees: bool = False
    created_at: datetime = Field(default_factory=utcnow)


class ModelVersion(SQLModel, table=True):
    """A trained model version in the registry. status: candidate, current, retired, rejected."""

    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(index=True, unique=True, max_length=100)
    kind: str = Field(default="pipeline", max_length=30)
    path: str = Field(max_length=2000)
    parent: Optional[str] = Field(default=None, max_length=100)
    status: str = Field(default="candidate", max_length=20, index=True)
    metrics: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    data_fingerprint: str = Field(default="", max_length=100)
    code_version: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    promoted_at: Optional[datetime] = None


class TrainingJob(SQLModel, table=True):
    """A background retraining run, so the CLI and the admin page can show progress."""

    id: Optional[int] = Field(default=None, primary_key=True)
    status: str = Field(default="queued", max_length=20)  # queued running succeeded failed killed
    progress: float = 0.0
    message: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    candidate: Optional[str] = Field(default=None, max_length=100)
    promoted: bool = False
    pid: Optional[int] = None
    #: where the worker runs (host:pid), for people; liveness is the heartbeat, not the pid
    worker: str = Field(default="", max_length=200)
    #: the worker's last sign of life; a job whose heartbeat is older than ``lease_seconds`` is lost
    heartbeat_at: Optional[datetime] = None
    lease_seconds: int = 120
    started_by: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)
    finished_at: Optional[datetime] = None


class ElusionSample(SQLModel, table=True):
    """A random sample of the documents proposed OPEN in a batch, drawn for blind human review.

    ``document_ids`` is the sample (in draw order); ``population_size`` the number of OPEN
    proposals it was drawn from, so the estimate can be scaled back to the batch.
    """

    __tablename__ = "elusion_sample"

    id: Optional[int] = Field(default=None, primary_key=True)
    collection_id: Optional[int] = Field(default=None, foreign_key="collection.id", index=True)
    population_size: int = 0
    document_ids: list[int] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    seed: int = 0
    model_version: str = Field(default="", max_length=100)
    status: str = Field(default="open", max_length=20)  # open | complete
    created_by: str = Field(default="", max_length=100)
    created_at: datetime = Field(default_factory=utcnow)


class ElusionJudgement(SQLModel, table=True):
    """One blind judgement in an elusion sample: is this document, proposed OPEN, sensitive?"""

    __tablename__ = "elusion_judgement"
    __table_args__ = (UniqueConstraint("sample_id", "document_id", name="uq_elusion_sample_doc"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    sample_id: int = Field(foreign_key="elusion_sample.id", index=True)
    document_id: int = Field(foreign_key="document.id", index=True)
    username: str = Field(max_length=100)
    sensitive: bool
    note: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    created_at: datetime = Field(default_factory=utcnow)


class ExternalAnnotation(SQLModel, table=True):
    """A finished annotation imported from an annotation tool (Label Studio), as confirmed data.

    Kept apart from ``span`` rows so the review workflow's state is never rewritten by an import;
    the training-set builder reads both. ``spans`` use code-point offsets into ``text``.
    """

    __tablename__ = "external_annotation"
    __table_args__ = (UniqueConstraint("source", "external_id", name="uq_external_annotation"),)

    id: Optional[int] = Field(default=None, primary_key=True)
    source: str = Field(max_length=200)  # e.g. "labelstudio:<project id>"
    external_id: str = Field(max_length=100)  # the tool's annotation id
    document_id: Optional[int] = Field(default=None, foreign_key="document.id", index=True)
    annotator: str = Field(max_length=200)
    text: str = Field(sa_column=Column(Text, nullable=False))
    spans: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    decision: Optional[str] = Field(default=None, max_length=20)
    reasons: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    annotated_at: Optional[datetime] = None
    created_at: datetime = Field(default_factory=utcnow)


class ActiveScore(SQLModel, table=True):
    """How much reviewing a document would teach the model (``training.active``), for the queue.

    Derived data, recomputed after proposals or a promotion; stored so the queue can order
    50,000 documents by it in SQL.
    """

    __tablename__ = "active_score"

    document_id: int = Field(foreign_key="document.id", primary_key=True)
    priority: float = Field(default=0.0, index=True)
    uncertainty: float = 0.0
    disagreement: float = 0.0
    novelty: float = 0.0
    risk: float = 0.0
    computed_at: datetime = Field(default_factory=utcnow)


class AuditEvent(SQLModel, table=True):
    """One link of the append-only, hash-chained audit log (see ``review_app.audit``).

    ``payload`` is canonical JSON text (sorted keys, UTF-8, no spaces) so verification is
    byte-exact. ``prev_hash`` is UNIQUE: two writers that forked the chain cannot both commit.
    """

    __tablename__ = "audit_event"
    # The audit page filters by one of these and shows the newest first (``seq`` descending,
    # keyset by ``seq``): with (filter, seq) the database reads one page from the index's end.
    __table_args__ = (
        UniqueConstraint("prev_hash", name="uq_audit_prev_hash"),
        Index("ix_audit_event_subject_seq", "subject", "seq"),
        Index("ix_audit_event_actor_seq", "actor", "seq"),
        Index("ix_audit_event_action_seq", "action", "seq"),
    )

    seq: Optional[int] = Field(default=None, primary_key=True)
    ts: str = Field(max_length=40, index=True)  # ISO-8601 UTC, part of the hashed content
    actor: str = Field(max_length=100, index=True)
    action: str = Field(max_length=50, index=True)
    subject: str = Field(default="", max_length=200, index=True)
    payload: str = Field(sa_column=Column(Text, nullable=False))
    algo: str = Field(default="sha256", max_length=10)
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)
