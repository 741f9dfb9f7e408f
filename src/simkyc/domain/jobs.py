"""A verification job: one step submission waiting for, or run by, a worker.

In the ``celery`` run mode a step's input is stored (encrypted) with a job row
and a worker runs the step later; the job says where it is (``queued ->
running -> done | failed``), and once done carries the step's public result
(pass/fail and reasons, never scores). ``recorded_at`` is set in the same
transaction as the step's outcome, so a job's outcome is recorded at most once
however often its task is delivered.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any


class JobStatus(StrEnum):
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"

    @property
    def finished(self) -> bool:
        return self in (JobStatus.DONE, JobStatus.FAILED)


@dataclass(frozen=True)
class JobInput:
    """One stored input of a job (encrypted like evidence): its blob id and SHA-256."""

    blob_id: str
    sha256: str
    size: int


@dataclass(frozen=True)
class Job:
    """A step submission and what became of it.

    ``inputs``: name (``image``, ``video``, ``audio``) -> stored blob.
    ``params``: the submission's small fields (document ``kind``, challenge
    ``nonce``, ``prompt_shown_at_ms``). ``client_key``: the client's
    Idempotency-Key, if it sent one. ``attempts``: deliveries that started it.
    ``result``: the step's public result once done. ``error``: ``{"error":
    code, "detail": text}`` once failed. ``recorded``: ``{"passed", "reasons"}``
    of the outcome recorded for this job (set with the outcome itself).
    """

    id: str
    registration_id: str
    actor_id: str
    step: str
    status: JobStatus
    created_at: datetime
    updated_at: datetime
    request_sha256: str
    inputs: dict[str, JobInput] = field(default_factory=dict)
    params: dict[str, Any] = field(default_factory=dict)
    client_key: str | None = None
    challenge_nonce: str | None = None
    attempts: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    recorded_at: datetime | None = None
    recorded: dict[str, Any] | None = None
    result: dict[str, Any] | None = None
    error: dict[str, str] | None = None


__all__ = ["Job", "JobInput", "JobStatus"]
