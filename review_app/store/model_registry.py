"""The model registry, training jobs and elusion samples: the only write path for them.

Every function is keyword-only with the session first; a function that changes state appends its
audit event(s) through ``review_app.audit.append`` in the same transaction and commits once, so a
model change is on the record or did not happen.

Registry invariants: at most one version has status ``current`` (promotion retires the old one
in the same transaction); a version's directory is written completely (temp dir + rename) before
it is registered, so a registered path is always loadable. Rollback re-promotes the version that
was current before the present one.

Progress ticks of a training job are not audit events (they would flood the chain with noise);
the job's creation and its end (succeeded, failed, killed) are.

Training jobs prove they are alive with a heartbeat, not a process id: the worker writes
``heartbeat_at`` every quarter of its lease (``heartbeat``, and every progress report), and a job
whose heartbeat is older than its ``lease_seconds`` is lost, wherever it ran; a pid means
nothing on another host. Pages only *show* a lost job (``job_is_lost``); marking it killed is a
write (``reap_dead_jobs``), done when a new job is started, by ``kaifang train --status`` and by
``kaifang train --wait``, never by a GET request.
"""
from __future__ import annotations

import os
import random
import socket
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Iterable, Sequence

from sqlmodel import Session, select

from review_app import audit
from review_app.tables import (
    Document,
    ElusionJudgement,
    ElusionSample,
    ModelVersion,
    Proposal,
    TrainingJob,
)

VERSION_STATUSES = ("candidate", "current", "retired", "rejected")
JOB_STATUSES = ("queued", "running", "succeeded", "failed", "killed")
JOB_FINAL = ("succeeded", "failed", "killed")
#: how long a job may go without a heartbeat before it counts as lost (the worker beats 4x as often)
DEFAULT_LEASE_SECONDS = 120


def utcnow() -> datetime:
    """Timezone-aware UTC now: this SQLModel's DateTime columns refuse naive values."""
    return datetime.now(timezone.utc)


class RegistryError(ValueError):
    """A registry request that cannot be honoured (unknown version, nothing to roll back to...)."""


def _audit_metrics(metrics: dict[str, Any]) -> dict[str, Any]:
    """Audit payloads refuse floats: store metrics as fixed-precision strings."""

    def conv(v: Any) -> Any:
        if isinstance(v, float):
            return f"{v:.6f}"
        if isinstance(v, dict):
            return {str(k): conv(x) for k, x in v.items()}
        if isinstance(v, (list, tuple)):
            return [conv(x) for x in v]
        return v

    return conv(metrics)


# --------------------------------------------------------------------------- model versions


def get_version(*, session: Session, name: str) -> ModelVersion | None:
    return session.exec(select(ModelVersion).where(ModelVersion.name == name)).first()


def current_version(*, session: Session) -> ModelVersion | None:
    """The version the app serves, or None when nothing was ever promoted (then: the default)."""
    return session.exec(select(ModelVersion).where(ModelVersion.status == "current")).first()


def list_versions(*, session: Session) -> list[ModelVersion]:
    """All versions, newest first."""
    return list(session.exec(select(ModelVersion).order_by(ModelVersion.created_at.desc(), ModelVersion.id.desc())))


def register_version(
    *,
    session: Session,
    name: str,
    path: str,
    actor: str,
    parent: str | None = None,
    metrics: dict[str, Any] | None = None,
    data_fingerprint: str = "",
    code_version: str = "",
    kind: str = "pipeline",
    status: str = "candidate",
) -> ModelVersion:
    """Record a model-version directory that is already complete on disk.

    ``status`` may be ``candidate`` (the normal case) or ``current`` only when the registry has
    no current version yet (registering the shipped default as the first current one).
    """
    if not name or len(name) > 100:
        raise RegistryError("a model version needs a name of 1 to 100 characters")
    if status not in ("candidate", "current"):
        raise RegistryError(f"a new version starts as candidate or current, not {status!r}")
    if not os.path.isdir(path):
        raise RegistryError(f"model version directory does not exist: {path}")
    if get_version(session=session, name=name) is not None:
        raise RegistryError(f"model version {name!r} is already registered")
    now = utcnow()
    if status == "current" and current_version(session=session) is not None:
        raise RegistryError("there is already a current version; register a candidate and promote it")
    mv = ModelVersion(
        name=name, kind=kind, path=str(path), parent=parent, status=status, metrics=metrics or {},
        data_fingerprint=data_fingerprint, code_version=code_version, created_at=now,
        promoted_at=now if status == "current" else None,
    )
    session.add(mv)
    session.flush()
    audit.append(
        session=session, actor=actor, action="model.register", subject=f"model:{name}",
        payload={"name": name, "path": str(path), "parent": parent, "status": status,
                 "data_fingerprint": data_fingerprint, "code_version": code_version,
                 "metrics": _audit_metrics(metrics or {})},
    )
    session.commit()
    session.refresh(mv)
    return mv


def _lock_registry(session: Session) -> None:
    """Serialise promotions: row locks on PostgreSQL, the write lock on SQLite."""
    if session.get_bind().dialect.name == "postgresql":
        list(session.exec(select(ModelVersion).with_for_update()))
    else:
        from sqlalchemy import text

        session.exec(text("UPDATE modelversion SET id = id WHERE id = -1"))


def promote(*, session: Session, name: str, actor: str, reason: str = "") -> ModelVersion:
    """Make ``name`` the current version in one transaction; the old current one is retired.

    Idempotent: promoting the current version again changes nothing and logs nothing.
    """
    _lock_registry(session)
    mv = get_version(session=session, name=name)
    if mv is None:
        raise RegistryError(f"unknown model version {name!r}")
    if mv.status == "current":
        session.rollback()
        return mv
    if not os.path.isdir(mv.path):
        raise RegistryError(f"model version {name!r} has no directory at {mv.path}; refusing to promote")
    old = current_version(session=session)
    if old is not None:
        old.status = "retired"
        session.add(old)
        session.flush()  # the old row leaves 'current' before the new one enters it
    mv.status = "current"
    mv.promoted_at = utcnow()
    session.add(mv)
    session.flush()
    audit.append(
        session=session, actor=actor, action="model.promote", subject=f"model:{name}",
        payload={"name": name, "previous": old.name if old else None, "reason": reason,
                 "metrics": _audit_metrics(mv.metrics or {})},
    )
    session.commit()
    session.refresh(mv)
    return mv


def reject(*, session: Session, name: str, actor: str, reason: str) -> ModelVersion:
    """Mark a candidate that failed the promotion gate (kept on disk for inspection)."""
    mv = get_version(session=session, name=name)
    if mv is None:
        raise RegistryError(f"unknown model version {name!r}")
    if mv.status != "candidate":
        raise RegistryError(f"only a candidate can be rejected; {name!r} is {mv.status}")
    mv.status = "rejected"
    session.add(mv)
    session.flush()
    audit.append(session=session, actor=actor, action="model.reject", subject=f"model:{name}",
                 payload={"name": name, "reason": reason})
    session.commit()
    session.refresh(mv)
    return mv


def rollback(*, session: Session, actor: str, reason: str = "") -> ModelVersion:
    """Re-promote the version that was current before the present one (latest earlier promotion)."""
    _lock_registry(session)
    cur = current_version(session=session)
    if cur is None:
        raise RegistryError("no current model version to roll back from")
    previous = session.exec(
        select(ModelVersion)
        .where(ModelVersion.status == "retired", ModelVersion.promoted_at.is_not(None),
               ModelVersion.promoted_at <= cur.promoted_at, ModelVersion.id != cur.id)
        .order_by(ModelVersion.promoted_at.desc(), ModelVersion.id.desc())
    ).first()
    if previous is None:
        raise RegistryError(f"{cur.name!r} has no earlier promoted version to roll back to")
    if not os.path.isdir(previous.path):
        raise RegistryError(f"earlier version {previous.name!r} has no directory at {previous.path}")
    cur.status = "rejected"
    session.add(cur)
    session.flush()
    previous.status = "current"
    previous.promoted_at = utcnow()
    session.add(previous)
    session.flush()
    audit.append(session=session, actor=actor, action="model.rollback", subject=f"model:{previous.name}",
                 payload={"name": previous.name, "from": cur.name, "reason": reason})
    session.commit()
    session.refresh(previous)
    return previous


# --------------------------------------------------------------------------- training jobs


def create_job(*, session: Session, started_by: str, lease_seconds: int = DEFAULT_LEASE_SECONDS) -> TrainingJob:
    """A queued training job; refused while another job is running (one trainer at a time).

    ``lease_seconds``: the worker must start and then beat within this time, or the job is lost.
    """
    if not started_by:
        raise RegistryError("a training job needs the user who started it")
    if not 4 <= int(lease_seconds) <= 24 * 3600:
        raise RegistryError("a training job's lease is between 4 seconds and a day")
    reap_dead_jobs(session=session)
    _lock_jobs(session)  # check-then-insert must not race with a second launcher
    active = session.exec(select(TrainingJob).where(TrainingJob.status.in_(("queued", "running")))).first()
    if active is not None:
        raise RegistryError(f"training job {active.id} is already {active.status}; wait for it or kill it")
    now = utcnow()
    job = TrainingJob(status="queued", started_by=started_by, message="queued", created_at=now, heartbeat_at=now,
                      lease_seconds=int(lease_seconds))
    session.add(job)
    session.flush()
    audit.append(session=session, actor=started_by, action="training.start", subject=f"training:{job.id}",
                 payload={"job": job.id})
    session.commit()
    session.refresh(job)
    return job


def _lock_jobs(session: Session) -> None:
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        session.exec(text("SELECT pg_advisory_xact_lock(:k)").bindparams(k=0x4B4A4F42))  # "KJOB"
    else:
        session.exec(text("UPDATE trainingjob SET id = id WHERE id = -1"))


def get_job(*, session: Session, job_id: int) -> TrainingJob | None:
    return session.get(TrainingJob, job_id)


def list_jobs(*, session: Session, limit: int = 20) -> list[TrainingJob]:
    return list(session.exec(select(TrainingJob).order_by(TrainingJob.id.desc()).limit(limit)))


def worker_name(pid: int | None = None) -> str:
    """``host:pid`` of a worker, shown to people (liveness is the heartbeat)."""
    return f"{socket.gethostname()}:{pid if pid is not None else os.getpid()}"


def set_job_running(*, session: Session, job_id: int, pid: int) -> TrainingJob:
    job = _job(session, job_id)
    if job.status != "queued":
        raise RegistryError(f"training job {job_id} is {job.status}, not queued")
    job.status, job.pid, job.message = "running", pid, "running"
    job.worker, job.heartbeat_at = worker_name(pid), utcnow()
    session.add(job)
    session.commit()
    session.refresh(job)
    return job


def set_job_pid(*, session: Session, job_id: int, pid: int) -> TrainingJob:
    """The launcher records the worker's pid at once, so a worker that dies early is reaped too."""
    job = _job(session, job_id)
    if job.status not in JOB_FINAL:
        job.pid, job.worker = pid, worker_name(pid)
        session.add(job)
        session.commit()
        session.refresh(job)
    return job


def update_job_progress(*, session: Session, job_id: int, progress: float, message: str) -> TrainingJob:
    """Record how far a running job got (0..1) and what it is doing. Not audited (see module doc)."""
    job = _job(session, job_id)
    if job.status in JOB_FINAL:
        raise RegistryError(f"training job {job_id} already ended ({job.status})")
    job.progress = max(0.0, min(1.0, float(progress)))
    job.message = message[:2000]
    job.heartbeat_at = utcnow()
    session.add(job)
    session.commit()
    session.refresh(job)
    return job


def finish_job(
    *, session: Session, job_id: int, status: str, message: str, candidate: str | None = None,
    promoted: bool = False, actor: str | None = None,
) -> TrainingJob:
    """End a job (succeeded, failed or killed) and put its outcome on the record."""
    if status not in JOB_FINAL:
        raise RegistryError(f"a job ends as one of {JOB_FINAL}, not {status!r}")
    job = _job(session, job_id)
    if job.status in JOB_FINAL:
        return job  # idempotent: a job ends once
    job.status, job.message = status, message[:2000]
    job.candidate, job.promoted = candidate, promoted
    if status == "succeeded":
        job.progress = 1.0
    job.finished_at = utcnow()
    session.add(job)
    session.flush()
    audit.append(session=session, actor=actor or job.started_by or "system", action=f"training.{status}",
                 subject=f"training:{job.id}",
                 payload={"job": job.id, "candidate": candidate, "promoted": promoted, "message": message[:500]})
    session.commit()
    session.refresh(job)
    return job


def _pid_alive(pid: int | None) -> bool:
    """Whether a process of this host is alive (for this host's own temp dirs; jobs use heartbeats)."""
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # a zombie (killed, not yet reaped by its parent) is dead for our purposes
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return True


def heartbeat(*, session: Session, job_id: int) -> bool:
    """The worker is alive: refresh the job's heartbeat. False when the job already ended (it was
    given up as lost, or finished), so the worker knows it should stop."""
    from sqlalchemy import update

    result = session.execute(update(TrainingJob).where(TrainingJob.id == job_id,
                                                       TrainingJob.status.in_(("queued", "running")))
                             .values(heartbeat_at=utcnow()).execution_options(synchronize_session=False))
    session.commit()
    return result.rowcount == 1


def job_is_lost(job: TrainingJob, now: datetime | None = None) -> bool:
    """A queued or running job whose heartbeat is older than its lease (read-only: pages show it)."""
    if job.status in JOB_FINAL:
        return False
    beat = job.heartbeat_at or job.created_at
    if beat is None:
        return False
    if beat.tzinfo is None:
        beat = beat.replace(tzinfo=timezone.utc)
    return beat + timedelta(seconds=job.lease_seconds or DEFAULT_LEASE_SECONDS) < (now or utcnow())


def reap_dead_jobs(*, session: Session) -> list[int]:
    """Mark queued or running jobs without a heartbeat within their lease as killed (a SIGKILL, a
    power cut or a lost host leaves no chance to say so). A write: never called by a GET page."""
    now = utcnow()
    dead = [job.id for job in session.exec(select(TrainingJob).where(TrainingJob.status.in_(("queued", "running"))))
            if job_is_lost(job, now)]
    for job_id in dead:
        job = _job(session, job_id)
        finish_job(session=session, job_id=job_id, status="killed", actor="system",
                   message=f"no heartbeat from the training worker{' ' + job.worker if job.worker else ''} for "
                           f"{job.lease_seconds} s; the current model is unchanged")
    return dead


def _job(session: Session, job_id: int) -> TrainingJob:
    job = session.get(TrainingJob, job_id)
    if job is None:
        raise RegistryError(f"unknown training job {job_id}")
    session.refresh(job)
    return job


# --------------------------------------------------------------------------- elusion samples


@dataclass(frozen=True)
class ElusionStatus:
    sample: ElusionSample
    judged: int
    sensitive: int

    @property
    def complete(self) -> bool:
        return self.judged >= len(self.sample.document_ids)


def open_proposal_ids(*, session: Session, collection_id: int | None = None,
                      document_ids: Sequence[int] | None = None, include_final: bool = False) -> list[int]:
    """Documents whose current proposal is OPEN and that no committee has finalised yet; with
    ``include_final`` also those already finalised (a check after the committee or a release)."""
    q = (select(Proposal.document_id).join(Document, Document.id == Proposal.document_id)
         .where(Proposal.is_current == True, Proposal.decision == "OPEN"))  # noqa: E712
    if not include_final:
        q = q.where(Document.status != "final")
    if collection_id is not None:
        q = q.where(Document.collection_id == collection_id)
    if document_ids is not None:
        q = q.where(Proposal.document_id.in_(list(document_ids)))
    return sorted(set(session.exec(q).all()))


def draw_elusion_sample(
    *, session: Session, actor: str, size: int, seed: int | None = None, collection_id: int | None = None,
    document_ids: Sequence[int] | None = None, model_version: str = "", include_final: bool = False,
) -> ElusionSample:
    """Draw a simple random sample (without replacement) of the batch's OPEN proposals (those still
    before the committee; with ``include_final`` those already decided too)."""
    if size < 1:
        raise ValueError("an elusion sample needs at least one document")
    population = open_proposal_ids(session=session, collection_id=collection_id, document_ids=document_ids,
                                   include_final=include_final)
    if not population:
        raise ValueError("no documents proposed OPEN in this batch: nothing to sample" if include_final else
                         "no documents proposed OPEN await the committee in this batch; to check those already "
                         "decided (after a release, say), include them (kaifang elusion draw --include-final)")
    seed = seed if seed is not None else random.SystemRandom().randrange(2**31)
    sample = random.Random(seed).sample(population, min(size, len(population)))
    row = ElusionSample(collection_id=collection_id, population_size=len(population), document_ids=sample,
                        seed=seed, model_version=model_version, created_by=actor,
                        created_at=utcnow())
    session.add(row)
    session.flush()
    audit.append(session=session, actor=actor, action="elusion.draw", subject=f"elusion:{row.id}",
                 payload={"sample": row.id, "collection": collection_id, "population": len(population),
                          "size": len(sample), "seed": seed, "documents": sample, "include_final": include_final})
    session.commit()
    session.refresh(row)
    return row


def record_elusion_judgement(
    *, session: Session, sample_id: int, document_id: int, username: str, sensitive: bool, note: str = "",
) -> ElusionJudgement:
    """A blind reviewer's verdict on one sampled document (once per document per sample)."""
    sample = session.get(ElusionSample, sample_id)
    if sample is None:
        raise ValueError(f"unknown elusion sample {sample_id}")
    if document_id not in sample.document_ids:
        raise ValueError(f"document {document_id} is not in elusion sample {sample_id}")
    if not username:
        raise ValueError("a judgement needs the reviewer's username")
    existing = session.exec(select(ElusionJudgement).where(
        ElusionJudgement.sample_id == sample_id, ElusionJudgement.document_id == document_id)).first()
    if existing is not None:
        raise ValueError(f"document {document_id} was already judged in sample {sample_id} by {existing.username}")
    j = ElusionJudgement(sample_id=sample_id, document_id=document_id, username=username,
                         sensitive=bool(sensitive), note=note, created_at=utcnow())
    session.add(j)
    session.flush()
    judged = len(session.exec(select(ElusionJudgement.id).where(ElusionJudgement.sample_id == sample_id)).all())
    if judged >= len(sample.document_ids) and sample.status != "complete":
        sample.status = "complete"
        session.add(sample)
    audit.append(session=session, actor=username, action="elusion.judge", subject=f"document:{document_id}",
                 payload={"sample": sample_id, "document": document_id, "sensitive": bool(sensitive), "note": note})
    session.commit()
    session.refresh(j)
    return j


def elusion_status(*, session: Session, sample_id: int) -> ElusionStatus:
    sample = session.get(ElusionSample, sample_id)
    if sample is None:
        raise ValueError(f"unknown elusion sample {sample_id}")
    rows = session.exec(select(ElusionJudgement).where(ElusionJudgement.sample_id == sample_id)).all()
    return ElusionStatus(sample=sample, judged=len(rows), sensitive=sum(1 for r in rows if r.sensitive))


def elusion_judgements(*, session: Session, sample_id: int) -> list[ElusionJudgement]:
    return list(session.exec(select(ElusionJudgement).where(ElusionJudgement.sample_id == sample_id)
                             .order_by(ElusionJudgement.id)))


def latest_elusion_sample(*, session: Session, collection_id: int | None) -> ElusionSample | None:
    """The newest sample drawn from this collection; ``None``: the newest drawn over all collections."""
    q = select(ElusionSample).order_by(ElusionSample.id.desc())
    q = q.where(ElusionSample.collection_id == collection_id if collection_id is not None
                else ElusionSample.collection_id.is_(None))
    return session.exec(q).first()


def iter_versions_by_status(*, session: Session, statuses: Iterable[str]) -> list[ModelVersion]:
    return list(session.exec(select(ModelVersion).where(ModelVersion.status.in_(list(statuses)))))


# --------------------------------------------------------------------------- external annotations


def import_external_annotation(
    *, session: Session, source: str, external_id: str, annotator: str, text: str, spans: list[dict[str, Any]],
    decision: str | None = None, reasons: Sequence[str] = (), document_id: int | None = None,
    annotated_at: datetime | None = None,
):
    """Store a finished annotation from an annotation tool as confirmed training data.

    Idempotent on (source, external_id): a re-pull returns the stored row unchanged. Spans must
    already be code-point offsets whose text matches (the caller converts and checks). The
    annotator is the audit actor, so the log says who labelled what.
    """
    from models.spans import LABELS
    from models.vocabulary import DECISIONS
    from review_app.tables import ExternalAnnotation

    if not source or not external_id or not annotator:
        raise ValueError("an external annotation needs a source, an id and an annotator")
    if decision is not None and decision not in DECISIONS:
        raise ValueError(f"unknown decision {decision!r}")
    for s in spans:
        if s["label"] not in LABELS or not (0 <= s["start"] < s["end"] <= len(text)):
            raise ValueError(f"bad span {s!r} for a text of {len(text)} characters")
    existing = session.exec(select(ExternalAnnotation).where(
        ExternalAnnotation.source == source, ExternalAnnotation.external_id == str(external_id))).first()
    if existing is not None:
        return existing
    clean = [{"start": int(s["start"]), "end": int(s["end"]), "label": s["label"]} for s in spans]
    row = ExternalAnnotation(source=source, external_id=str(external_id), document_id=document_id,
                             annotator=annotator, text=text, spans=clean, decision=decision,
                             reasons=list(reasons), annotated_at=annotated_at,
                             created_at=utcnow())
    session.add(row)
    session.flush()
    audit.append(session=session, actor=annotator, action="annotation.import",
                 subject=f"document:{document_id}" if document_id else f"{source}:{external_id}",
                 payload={"source": source, "external_id": str(external_id), "document": document_id,
                          "spans": len(clean), "decision": decision, "reasons": list(reasons)})
    session.commit()
    session.refresh(row)
    return row


# --------------------------------------------------------------------------- active-learning scores


def save_active_scores(*, session: Session, scores: Sequence[dict[str, Any]], actor: str = "system",
                       reason: str = "") -> int:
    """Upsert derived active-learning scores (``training.active``); one audit event per refresh."""
    from review_app.tables import ActiveScore

    now = utcnow()
    n = 0
    for sc in scores:
        row = session.get(ActiveScore, int(sc["document_id"]))
        if row is None:
            row = ActiveScore(document_id=int(sc["document_id"]))
        for key in ("priority", "uncertainty", "disagreement", "novelty", "risk"):
            setattr(row, key, float(sc[key]))
        row.computed_at = now
        session.add(row)
        n += 1
    session.flush()
    audit.append(session=session, actor=actor, action="active.rescore", subject="queue",
                 payload={"documents": n, "reason": reason})
    session.commit()
    return n
