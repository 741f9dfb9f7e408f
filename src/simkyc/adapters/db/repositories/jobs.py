"""Jobs (the celery run mode): step submissions and what became of them."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from simkyc.adapters.db.repositories._base import Repository, utc, utc_required
from simkyc.adapters.db.tables import ChallengeRow, JobRow
from simkyc.domain.errors import ConflictError, NotFoundError
from simkyc.domain.jobs import Job, JobInput, JobStatus


def _job(r: JobRow) -> Job:
    return Job(id=r.id, registration_id=r.registration_id, actor_id=r.actor_id, step=r.step,
               status=JobStatus(r.status), created_at=utc_required(r.created_at),
               updated_at=utc_required(r.updated_at), request_sha256=r.request_sha256,
               inputs={k: JobInput(**v) for k, v in (r.inputs or {}).items()},
               params=dict(r.params or {}), client_key=r.client_key,
               challenge_nonce=r.challenge_nonce, attempts=r.attempts,
               started_at=utc(r.started_at), finished_at=utc(r.finished_at),
               recorded_at=utc(r.recorded_at), recorded=r.recorded, result=r.result,
               error=r.error)


def _fields(job: Job) -> dict[str, Any]:
    return dict(registration_id=job.registration_id, actor_id=job.actor_id, step=job.step,
                status=job.status.value, request_sha256=job.request_sha256,
                inputs={k: {"blob_id": v.blob_id, "sha256": v.sha256, "size": v.size}
                        for k, v in job.inputs.items()},
                params=dict(job.params), client_key=job.client_key,
                challenge_nonce=job.challenge_nonce, attempts=job.attempts,
                created_at=job.created_at, updated_at=job.updated_at,
                started_at=job.started_at, finished_at=job.finished_at,
                recorded_at=job.recorded_at, recorded=job.recorded, result=job.result,
                error=job.error)


class SqlJobs(Repository):
    def add(self, *, job: Job) -> None:
        """Insert a job; a second job for the same challenge or client key is a conflict."""
        self.session.add(JobRow(id=job.id, **_fields(job)))
        try:
            self.session.flush()
        except IntegrityError as exc:
            raise ConflictError("a job for this challenge or Idempotency-Key was already "
                                "submitted") from exc

    def get(self, *, job_id: str, for_update: bool = False) -> Job:
        stmt = select(JobRow).where(JobRow.id == job_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.session.scalar(stmt)
        if row is None:
            raise NotFoundError("no such job")
        return _job(row)

    def by_client_key(self, *, actor_id: str, key: str) -> Job | None:
        row = self.session.scalar(select(JobRow).where(JobRow.actor_id == actor_id,
                                                       JobRow.client_key == key))
        return None if row is None else _job(row)

    def save(self, *, job: Job) -> None:
        """Update the job's state (its status, attempts, times, result or error).

        ``recorded_at`` / ``recorded`` are left alone: only :meth:`mark_recorded` sets them.
        """
        f = _fields(job)
        f.pop("recorded_at")
        f.pop("recorded")
        self.session.execute(update(JobRow).where(JobRow.id == job.id).values(**f))

    def mark_recorded(self, *, job_id: str, outcome: dict[str, Any], now: datetime) -> bool:
        """Mark the job's outcome as recorded, once: False if it already was (another
        delivery of the same task recorded it; the caller's transaction must roll back)."""
        done = self.session.execute(
            update(JobRow).where(JobRow.id == job_id, JobRow.recorded_at.is_(None))
            .values(recorded_at=now, recorded=outcome))
        return bool(done.rowcount)  # type: ignore[attr-defined]

    def challenge(self, *, nonce: str) -> dict[str, Any] | None:
        """A challenge's ``registration_id``, ``kind``, ``used_at``, ``expires_at`` (locked)."""
        row = self.session.scalar(select(ChallengeRow).where(ChallengeRow.nonce == nonce)
                                  .with_for_update())
        if row is None:
            return None
        return {"registration_id": row.registration_id, "kind": row.kind,
                "used_at": utc(row.used_at), "expires_at": utc_required(row.expires_at)}

    def hold_challenge(self, *, nonce: str, registration_id: str, expires_at: datetime,
                       release: bool) -> None:
        """Keep the challenge a job holds usable for its run: valid until ``expires_at``
        (the job was submitted in time, then waited in the queue) and, with ``release``,
        unused again (an earlier delivery used it up, then died before recording)."""
        values: dict[str, Any] = {"expires_at": expires_at}
        if release:
            values["used_at"] = None
        self.session.execute(update(ChallengeRow).where(
            ChallengeRow.nonce == nonce, ChallengeRow.registration_id == registration_id)
            .values(**values))

    def unfinished(self, *, older_than: datetime, limit: int = 500) -> list[Job]:
        """Jobs still queued or running that were last touched before ``older_than``."""
        rows = self.session.scalars(
            select(JobRow).where(JobRow.status.in_([JobStatus.QUEUED.value,
                                                    JobStatus.RUNNING.value]),
                                 JobRow.updated_at < older_than)
            .order_by(JobRow.created_at).limit(limit))
        return [_job(r) for r in rows]
