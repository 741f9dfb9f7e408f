"""Verification on workers: a step submitted now, run by a worker, recorded once.

In the ``celery`` run mode the web tier does only the cheap part of a step:
:func:`submit_job` checks the request (role, outlet, status, lockout, sizes,
with :func:`~simkyc.services.steps.common.begin_step`), then stores the
uploaded media encrypted under the registration's data key and a job row in
one transaction, and hands the job id to the queue. A worker calls
:func:`decide_job`, which runs the step's own verb (``run_document``,
``run_live_face``, ``run_liveness``, ``run_voice``, ``run_face_match``, the
same code the inline mode runs) and keeps its public result on the job.

Recorded once per job id, however often the task is delivered (the broker
acknowledges late, so a worker killed mid-task leaves the message to be
delivered again): the unit of work that records the step's outcome also marks
the job recorded (``recorded_at``, set only if still empty), so a second
delivery's recording rolls back whole and it takes the first one's result. A
delivery that finds the job recorded does not run the step again. A challenge
(liveness, voice) is checked open when the job is submitted and reserved by
that one job; the worker's run keeps it usable (time spent in the queue does
not expire it, and if an earlier delivery used it up and died before
recording, the next delivery makes it usable again).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import timedelta
from typing import Any, Protocol

from simkyc.domain.errors import (
    ChallengeError,
    ConfigurationError,
    ConflictError,
    InputError,
    MediaTooLargeError,
    SimkycError,
)
from simkyc.domain.jobs import Job, JobInput, JobStatus
from simkyc.domain.parties import Agent
from simkyc.domain.results import StageOutcome
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import data_key
from simkyc.services.ports import EvidenceStore, StageModels, UnitOfWork
from simkyc.services.registrations import load_visible
from simkyc.services.steps.common import StepResult, begin_step, request_digest

#: The steps a worker runs (the others are cheap and stay in the web tier).
ASYNC_STEPS = ("document", "live_face", "liveness", "voice", "face_match")
#: Which uploads each step takes (``required``, ``optional``) and its small fields.
_FILES: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "document": (("image",), ()), "live_face": (("image",), ()),
    "liveness": (("video",), ()), "voice": (("audio",), ("video",)), "face_match": ((), ())}
_PARAMS: dict[str, tuple[str, ...]] = {
    "document": ("kind",), "live_face": (), "liveness": ("nonce",),
    "voice": ("nonce", "prompt_shown_at_ms"), "face_match": ()}
_NONCE = re.compile(r"^[0-9a-f]{32}$")
_DOC_KINDS = ("auto", "cn-id-front", "cn-id-back", "passport", "td1")
#: Seconds a held challenge stays valid when a worker starts the job's run.
CHALLENGE_GRACE_S = 120


class JobQueue(Protocol):
    """Hands a job id to the workers (Celery over Redis or RabbitMQ)."""

    def enqueue(self, job_id: str) -> None: ...


@dataclass(frozen=True)
class JobBackend:
    """Where submitted media wait (encrypted, reachable by every worker) and the queue."""

    inputs: EvidenceStore
    queue: JobQueue


@dataclass(frozen=True)
class StepSubmission:
    """A step's input as sent: ``files`` (``image``, ``video``, ``audio``) and ``params``
    (document ``kind``; challenge ``nonce``; voice ``prompt_shown_at_ms``)."""

    step: str
    files: Mapping[str, bytes] = field(default_factory=dict)
    params: Mapping[str, Any] = field(default_factory=dict)


def _check(ctx: ServiceContext, s: StepSubmission) -> dict[str, Any]:
    """Refuse a malformed submission before anything is stored; its normalised params."""
    if s.step not in ASYNC_STEPS:
        raise InputError(f"the {s.step} step does not run on workers")
    required, optional = _FILES[s.step]
    if set(s.files) - set(required) - set(optional) or set(required) - set(s.files):
        raise InputError(f"the {s.step} step takes {', '.join(required + optional) or 'no'} "
                         "files")
    if set(s.params) - set(_PARAMS[s.step]):
        raise InputError(f"the {s.step} step takes no field {sorted(set(s.params))[0]}")
    limit = {"image": ctx.limits.max_image_bytes, "video": ctx.limits.max_video_bytes,
             "audio": ctx.limits.max_audio_bytes}
    for name, data in s.files.items():
        if len(data) > limit[name]:
            raise MediaTooLargeError(f"{name} exceeds the {limit[name]}-byte limit")
        if not data:
            raise InputError(f"the {name} is empty")
    params = dict(s.params)
    if s.step == "document":
        params["kind"] = str(params.get("kind") or "auto")
        if params["kind"] not in _DOC_KINDS:
            raise InputError("unknown document kind")
    if s.step in ("liveness", "voice") and not _NONCE.match(str(params.get("nonce", ""))):
        raise InputError("nonce must be 32 hex digits")
    if s.step == "voice":
        shown = float(params.get("prompt_shown_at_ms") or 0.0)
        if not 0 <= shown <= 600_000:
            raise InputError("prompt_shown_at_ms must be 0..600000")
        params["prompt_shown_at_ms"] = shown
    return params


def _digest(step: str, params: Mapping[str, Any], files: Mapping[str, bytes]) -> str:
    parts: list[bytes | str] = ["job", step, json.dumps(params, sort_keys=True)]
    for name in sorted(files):
        parts += [name, files[name]]
    return request_digest(*parts)


def submit_job(ctx: ServiceContext, backend: JobBackend, *, actor: Agent,
               registration_id: str, submission: StepSubmission,
               idempotency_key: str | None = None) -> Job:
    """Check a step submission, store it encrypted with its job row (one transaction),
    enqueue it; the job (``queued``). With ``idempotency_key``, a repeated request
    returns the job it created (a different request with the key: 409)."""
    params = _check(ctx, submission)
    digest = _digest(submission.step, params, submission.files)
    if idempotency_key:
        with ctx.uow() as tx:
            found = tx.jobs.by_client_key(actor_id=actor.id, key=idempotency_key)
            if found is not None:
                load_visible(tx, actor, found.registration_id)
        if found is not None:
            if found.request_sha256 != digest:
                raise ConflictError("this Idempotency-Key was used for a different request")
            if found.registration_id != registration_id:
                raise ConflictError("this Idempotency-Key was used for another registration")
            return found
    begin_step(ctx, actor=actor, registration_id=registration_id, step=submission.step)
    now = ctx.clock()
    written: list[tuple[str, str]] = []
    try:
        with ctx.uow() as tx:
            reg = load_visible(tx, actor, registration_id, for_update=True)
            inputs: dict[str, JobInput] = {}
            if submission.files:
                _, key = data_key(ctx, tx, reg.id)
                for name in sorted(submission.files):
                    data = submission.files[name]
                    blob_id = ctx.new_id()
                    sha = backend.inputs.write(registration_id=reg.id, evidence_id=blob_id,
                                               data_key=key, plaintext=data)
                    written.append((reg.id, blob_id))
                    inputs[name] = JobInput(blob_id=blob_id, sha256=sha, size=len(data))
            if params.get("nonce"):
                _check_challenge(tx, reg.id, submission.step, params["nonce"], now)
            job = Job(id=ctx.new_id(), registration_id=reg.id, actor_id=actor.id,
                      step=submission.step, status=JobStatus.QUEUED, created_at=now,
                      updated_at=now, request_sha256=digest, inputs=inputs, params=params,
                      client_key=idempotency_key,
                      challenge_nonce=params.get("nonce"))
            tx.jobs.add(job=job)
    except BaseException:
        for reg_id, blob_id in written:  # the row was rolled back: drop the media too
            backend.inputs.delete(registration_id=reg_id, evidence_id=blob_id)
        raise
    try:
        backend.queue.enqueue(job.id)
    except Exception as exc:  # noqa: BLE001 - any broker error: the job fails, visibly
        _finish(ctx, backend.inputs, job, error={
            "error": "internal_error", "detail": "the job queue was unreachable"})
        raise ConfigurationError(f"the job queue is unreachable: {type(exc).__name__}") from exc
    return job


def _check_challenge(tx: UnitOfWork, registration_id: str, step: str, nonce: str,
                     now: Any) -> None:
    """The challenge is this registration's, of this step, unused and not expired (as
    the step would check it now; the worker's run re-checks it under its own lock)."""
    c = tx.jobs.challenge(nonce=nonce)
    if c is None or c["registration_id"] != registration_id or c["kind"] != step:
        raise ChallengeError("unknown challenge")
    if c["used_at"] is not None:
        raise ChallengeError("challenge already used")
    if c["expires_at"] < now:
        raise ChallengeError("challenge expired")


def read_job(ctx: ServiceContext, *, actor: Agent, job_id: str) -> Job:
    """A job of a registration the actor may see (404 otherwise)."""
    with ctx.uow() as tx:
        job = tx.jobs.get(job_id=job_id)
        load_visible(tx, actor, job.registration_id)
        return job


def requeue_unfinished(ctx: ServiceContext, queue: JobQueue, *,
                       older_than_seconds: float) -> int:
    """Enqueue again every job still unfinished after ``older_than_seconds`` (a
    message lost with a broker, an enqueue that failed); the number sent. A job
    delivered twice is still recorded once."""
    with ctx.uow() as tx:
        jobs = tx.jobs.unfinished(older_than=ctx.clock() - timedelta(seconds=older_than_seconds))
    for job in jobs:
        queue.enqueue(job.id)
    return len(jobs)


# --- the worker side ---

def job_key(job: Job) -> str:
    """The idempotency key a job's step result is stored under."""
    return f"job:{job.id}"


def decide_job(ctx: ServiceContext, models: StageModels, inputs: EvidenceStore, *,
               job_id: str) -> Job:
    """Run the job's step and keep its result on the job; the job afterwards.

    Idempotent: a finished job is returned as it is, a recorded one is finished
    from what was recorded without running the step again. A refusal of the step
    (:class:`~simkyc.domain.errors.SimkycError`) fails the job with its code; any
    other exception propagates (the task is retried) and leaves the job running.
    """
    now = ctx.clock()
    with ctx.uow() as tx:
        job = tx.jobs.get(job_id=job_id, for_update=True)
        if job.status.finished:
            return job
        actor = tx.accounts.get_agent(agent_id=job.actor_id)
        if job.recorded_at is None:
            job = replace(job, status=JobStatus.RUNNING, attempts=job.attempts + 1,
                          started_at=now, updated_at=now)
            tx.jobs.save(job=job)
    if job.recorded_at is not None:
        return _finish_recorded(ctx, inputs, job)
    try:
        if job.challenge_nonce:
            _hold_challenge(ctx, job)
        files = _read_inputs(ctx, inputs, job)
        tracked = replace(ctx, uow=_recording_uow(ctx, job))
        result = _run_step(tracked, models, actor, job, files)
    except SimkycError as exc:
        with ctx.uow() as tx:
            fresh = tx.jobs.get(job_id=job.id)
        if fresh.recorded_at is not None:  # another delivery recorded it first
            return _finish_recorded(ctx, inputs, fresh)
        return _finish(ctx, inputs, job, error={"error": exc.code, "detail": str(exc)[:300]})
    return _finish(ctx, inputs, job, result=result.to_dict())


def _run_step(ctx: ServiceContext, models: StageModels, actor: Agent, job: Job,
              files: dict[str, bytes]) -> StepResult:
    from simkyc.services import steps as s

    p, rid, key = job.params, job.registration_id, job_key(job)
    if job.step == "document":
        return s.run_document(ctx, models, actor=actor, registration_id=rid,
                              submission=s.DocumentPhoto(image=files["image"],
                                                         kind=p.get("kind", "auto")),
                              idempotency_key=key)
    if job.step == "live_face":
        return s.run_live_face(ctx, models, actor=actor, registration_id=rid,
                               submission=s.LiveCapture(image=files["image"]),
                               idempotency_key=key)
    if job.step == "liveness":
        return s.run_liveness(ctx, models, actor=actor, registration_id=rid,
                              submission=s.LivenessVideo(nonce=p["nonce"], video=files["video"]),
                              idempotency_key=key)
    if job.step == "voice":
        return s.run_voice(ctx, models, actor=actor, registration_id=rid,
                           submission=s.VoiceAnswer(
                               nonce=p["nonce"], audio=files["audio"], video=files.get("video"),
                               prompt_shown_at_ms=float(p.get("prompt_shown_at_ms", 0.0))),
                           idempotency_key=key)
    if job.step == "face_match":
        return s.run_face_match(ctx, models, actor=actor, registration_id=rid)
    raise InputError(f"the {job.step} step does not run on workers")


def _read_inputs(ctx: ServiceContext, inputs: EvidenceStore, job: Job) -> dict[str, bytes]:
    if not job.inputs:
        return {}
    with ctx.uow() as tx:
        _, key = data_key(ctx, tx, job.registration_id)
    return {name: inputs.read(registration_id=job.registration_id, evidence_id=i.blob_id,
                              data_key=key, sha256=i.sha256)
            for name, i in job.inputs.items()}


def _hold_challenge(ctx: ServiceContext, job: Job) -> None:
    """The job's challenge stays usable for this run: it was open when the job was
    submitted (checked then), so the time spent in the queue does not expire it; on a
    second delivery it is unused again if the first used it up and died."""
    assert job.challenge_nonce is not None
    with ctx.uow() as tx:
        if tx.jobs.get(job_id=job.id, for_update=True).recorded_at is not None:
            return
        c = tx.jobs.challenge(nonce=job.challenge_nonce)
        if c is None or c["registration_id"] != job.registration_id:
            return  # the step itself refuses it
        until = max(c["expires_at"], ctx.clock() + timedelta(seconds=CHALLENGE_GRACE_S))
        tx.jobs.hold_challenge(nonce=job.challenge_nonce, registration_id=job.registration_id,
                               expires_at=until, release=job.attempts > 1)


def _finish_recorded(ctx: ServiceContext, inputs: EvidenceStore, job: Job) -> Job:
    """Finish a job whose outcome is recorded: the stored answer, or (a step without
    one, the face match) the recorded pass/fail with the registration's status."""
    with ctx.uow() as tx:
        stored = tx.idempotency.get(actor_id=job.actor_id, key=job_key(job))
        if stored is not None:
            result = stored[1]
        else:
            reg = tx.registrations.get(registration_id=job.registration_id)
            rec = job.recorded or {}
            result = StepResult(step=job.step, registration_id=reg.id,
                                passed=bool(rec.get("passed")),
                                reasons=tuple(rec.get("reasons") or ()), status=reg.status,
                                language=reg.language).to_dict()
    return _finish(ctx, inputs, job, result=result)


def _finish(ctx: ServiceContext, inputs: EvidenceStore, job: Job, *,
            result: dict[str, Any] | None = None, error: dict[str, str] | None = None) -> Job:
    now = ctx.clock()
    with ctx.uow() as tx:
        fresh = tx.jobs.get(job_id=job.id, for_update=True)
        if fresh.status.finished:
            return fresh
        done = replace(fresh, status=JobStatus.FAILED if error else JobStatus.DONE,
                       result=result, error=error, finished_at=now, updated_at=now)
        tx.jobs.save(job=done)
    for item in job.inputs.values():  # the step kept what it keeps as evidence
        inputs.delete(registration_id=job.registration_id, evidence_id=item.blob_id)
    return done


# --- marking the job recorded in the transaction that records its outcome ---

class _TrackedStages:
    def __init__(self, tx: UnitOfWork, job: Job) -> None:
        self._tx, self._job = tx, job

    def add(self, *, registration_id: str, outcome: StageOutcome, now: Any) -> None:
        if outcome.stage == self._job.step and registration_id == self._job.registration_id:
            first = self._tx.jobs.mark_recorded(
                job_id=self._job.id, outcome={"passed": outcome.passed,
                                              "reasons": list(outcome.reasons)}, now=now)
            if not first:
                raise ConflictError("this job's outcome was recorded by another delivery")
        self._tx.stages.add(registration_id=registration_id, outcome=outcome, now=now)

    def list(self, *, registration_id: str) -> list[StageOutcome]:
        return self._tx.stages.list(registration_id=registration_id)


class _TrackedUnitOfWork:
    """The step's unit of work, with ``stages.add`` marking the job recorded (once)."""

    def __init__(self, inner: UnitOfWork, job: Job) -> None:
        self._inner, self._job = inner, job

    def __enter__(self) -> Any:
        self._tx = self._inner.__enter__()
        self.stages = _TrackedStages(self._tx, self._job)
        return self

    def __exit__(self, *exc: Any) -> bool | None:
        return self._inner.__exit__(*exc)

    def __getattr__(self, name: str) -> Any:
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self._tx, name)


def _recording_uow(ctx: ServiceContext, job: Job) -> Callable[[], Any]:
    return lambda: _TrackedUnitOfWork(ctx.uow(), job)


__all__ = [
    "ASYNC_STEPS",
    "JobBackend",
    "JobQueue",
    "StepSubmission",
    "decide_job",
    "job_key",
    "read_job",
    "requeue_unfinished",
    "submit_job",
]
