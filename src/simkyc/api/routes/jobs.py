"""Jobs: ``GET /api/v1/jobs/{id}``, and the step routes of the ``celery`` run mode.

With ``SIMKYC_WORKERS=celery`` the expensive steps (document photo, live face,
liveness, voice, face match) answer ``202 Accepted`` with a job (``Location:
/api/v1/jobs/{id}``) instead of their result: the media are stored encrypted
with the job and a worker runs the step (:mod:`simkyc.services.jobs`). The
counter app polls the job; once ``done`` its ``result`` is the body the
inline route answers. Same paths, fields and checks as the inline routes.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, File, Form, Path, Request, Response, UploadFile
from fastapi.routing import APIRoute

from simkyc.api.deps import ActorDep, ContextDep, IdempotencyKey, SettingsDep, read_upload
from simkyc.api.errors import error_responses
from simkyc.api.routes._present import step_body
from simkyc.api.routes.registrations import COMMON, RegistrationId
from simkyc.api.schemas import JobOut
from simkyc.config import Settings
from simkyc.domain.jobs import Job
from simkyc.services.jobs import JobBackend, StepSubmission, read_job, submit_job
from simkyc.services.steps import StepResult

BASE = "/api/v1/registrations"
status_router = APIRouter(prefix="/api/v1/jobs", tags=["jobs"])
steps_router = APIRouter(prefix=BASE, tags=["jobs"])
JobId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="Job id (32 hex digits).")]


def present(result: StepResult) -> dict[str, Any]:
    """The inline route's body for a step result."""
    body = step_body(result)
    d = result.details
    if result.step == "document":
        return {**body, "kind": d.get("kind"), "photo_found": d.get("photo_found")}
    if result.step == "live_face":
        return {**body, "faces_found": d.get("faces_found")}
    if result.step == "liveness":
        return {**body, "steps": d.get("steps", [])}
    if result.step == "voice":
        return {**body, "checks": d.get("checks", {}), "attempt": result.attempt,
                "next": result.next}
    return body


def job_body(job: Job) -> dict[str, Any]:
    return {"id": job.id, "step": job.step, "registration_id": job.registration_id,
            "status": job.status.value, "attempts": job.attempts,
            "created_at": job.created_at, "updated_at": job.updated_at,
            "finished_at": job.finished_at,
            "result": present(StepResult.from_dict(job.result)) if job.result else None,
            "error": job.error}


@status_router.get("/{job_id}", response_model=JobOut, operation_id="read_job",
                   responses=error_responses(401, 403, 404, 422, 429))
def get_job(job_id: JobId, actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """Where a submitted step is: ``queued``, ``running``, ``done`` (with its result) or
    ``failed`` (with the error)."""
    return job_body(read_job(ctx, actor=actor, job_id=job_id))


def get_backend(request: Request) -> JobBackend:
    return request.app.state.jobs  # type: ignore[no-any-return]


BackendDep = Annotated[JobBackend, Depends(get_backend)]
ACCEPTED = error_responses(*COMMON, 413, 415, 500)


def _accepted(response: Response, job: Job) -> dict[str, Any]:
    response.headers["Location"] = f"/api/v1/jobs/{job.id}"
    return job_body(job)


@steps_router.post("/{registration_id}/document", status_code=202, response_model=JobOut,
                   operation_id="check_document_image", responses=ACCEPTED)
def submit_document(
    registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep, settings: SettingsDep,
    backend: BackendDep, response: Response,
    file: Annotated[UploadFile, File(description="Photo of the document (JPEG, PNG, WebP).")],
    idempotency_key: IdempotencyKey = None,
    kind: Annotated[str, Form(pattern=r"^(auto|cn-id-front|cn-id-back|passport|td1)$",
                              description="Document kind, or auto.")] = "auto",
) -> dict[str, Any]:
    """Submit a photographed document to the workers (202, then poll the job)."""
    data = read_upload(file, max_bytes=settings.max_image_bytes, what="document photo")
    return _accepted(response, submit_job(
        ctx, backend, actor=actor, registration_id=registration_id,
        submission=StepSubmission("document", {"image": data}, {"kind": kind}),
        idempotency_key=idempotency_key))


@steps_router.post("/{registration_id}/live-face", status_code=202, response_model=JobOut,
                   operation_id="capture_live_face", responses=ACCEPTED)
def submit_live_face(
    registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep, settings: SettingsDep,
    backend: BackendDep, response: Response,
    file: Annotated[UploadFile, File(description="One camera image of the customer's face.")],
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Submit a live capture to the workers (202, then poll the job)."""
    data = read_upload(file, max_bytes=settings.max_image_bytes, what="live capture")
    return _accepted(response, submit_job(
        ctx, backend, actor=actor, registration_id=registration_id,
        submission=StepSubmission("live_face", {"image": data}),
        idempotency_key=idempotency_key))


@steps_router.post("/{registration_id}/liveness", status_code=202, response_model=JobOut,
                   operation_id="check_liveness", responses=ACCEPTED)
def submit_liveness(
    registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep, settings: SettingsDep,
    backend: BackendDep, response: Response,
    nonce: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$", description="The challenge nonce.")],
    video: Annotated[UploadFile, File(description="The recorded video (webm or mp4).")],
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Submit the liveness video to the workers (202, then poll the job)."""
    data = read_upload(video, max_bytes=settings.max_video_bytes, what="liveness video")
    return _accepted(response, submit_job(
        ctx, backend, actor=actor, registration_id=registration_id,
        submission=StepSubmission("liveness", {"video": data}, {"nonce": nonce}),
        idempotency_key=idempotency_key))


@steps_router.post("/{registration_id}/voice", status_code=202, response_model=JobOut,
                   operation_id="check_voice", responses=ACCEPTED)
def submit_voice(
    registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep, settings: SettingsDep,
    backend: BackendDep, response: Response,
    nonce: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$", description="The challenge nonce.")],
    audio: Annotated[UploadFile, File(description="The answer: webm/opus, ogg, mp3 or wav.")],
    video: Annotated[UploadFile | None, File(description="Video recorded with it.")] = None,
    prompt_shown_at_ms: Annotated[float, Form(ge=0, le=600_000, description=(
        "When the prompt appeared, in ms from the start of the recording."))] = 0.0,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Submit the spoken answer to the workers (202, then poll the job)."""
    files = {"audio": read_upload(audio, max_bytes=settings.max_audio_bytes, what="voice audio")}
    if video is not None:
        files["video"] = read_upload(video, max_bytes=settings.max_video_bytes,
                                     what="voice video")
    return _accepted(response, submit_job(
        ctx, backend, actor=actor, registration_id=registration_id,
        submission=StepSubmission("voice", files, {"nonce": nonce,
                                                   "prompt_shown_at_ms": prompt_shown_at_ms}),
        idempotency_key=idempotency_key))


@steps_router.post("/{registration_id}/face-match", status_code=202, response_model=JobOut,
                   operation_id="match_live_face", responses=ACCEPTED)
def submit_face_match(registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep,
                      backend: BackendDep, response: Response,
                      idempotency_key: IdempotencyKey = None) -> dict[str, Any]:
    """Submit the 1:1 match to the workers (202, then poll the job)."""
    return _accepted(response, submit_job(
        ctx, backend, actor=actor, registration_id=registration_id,
        submission=StepSubmission("face_match"), idempotency_key=idempotency_key))


def for_mode(app: FastAPI, settings: Settings, routers: list[Any]) -> list[APIRouter]:
    """The routers to mount: ``routers`` and the job status route; in the celery mode the
    step routes above take the place of the inline ones (same paths and operation ids)."""
    if settings.workers != "celery":
        return [*routers, status_router]
    if not hasattr(app.state, "jobs"):
        from simkyc.runtime.jobs import build_job_backend

        app.state.jobs = build_job_backend(settings)
    mine = {(r.path, m) for r in steps_router.routes if isinstance(r, APIRoute)
            for m in r.methods or ()}
    kept = []
    for router in routers:
        copy = APIRouter()
        copy.routes.extend(r for r in router.routes if not (
            isinstance(r, APIRoute) and any((r.path, m) in mine for m in r.methods or ())))
        kept.append(copy)
    return [*kept, steps_router, status_router]


__all__ = ["for_mode", "job_body", "present", "status_router", "steps_router"]
