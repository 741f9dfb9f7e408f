"""Step 3, active liveness: ``POST .../liveness/challenge``, then ``POST .../liveness``.

See :mod:`simkyc.services.steps.liveness`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Form, UploadFile, status

from simkyc.api.deps import (
    ActorDep,
    ContextDep,
    IdempotencyKey,
    ModelsDep,
    SettingsDep,
    read_upload,
)
from simkyc.api.errors import error_responses
from simkyc.api.routes._present import step_body
from simkyc.api.routes.registrations import COMMON, RegistrationId
from simkyc.api.schemas import LivenessChallengeOut, LivenessOut
from simkyc.services.steps import LivenessVideo, issue_liveness_challenge, run_liveness

router = APIRouter(prefix="/api/v1/registrations", tags=["liveness"])


@router.post("/{registration_id}/liveness/challenge", status_code=status.HTTP_201_CREATED,
             response_model=LivenessChallengeOut, operation_id="issue_liveness_challenge",
             responses=error_responses(*COMMON))
def issue_challenge(registration_id: RegistrationId, actor: ActorDep,
                    ctx: ContextDep) -> dict[str, Any]:
    """A fresh single-use challenge: actions to perform in order, colours to flash, expiry."""
    c = issue_liveness_challenge(ctx, actor=actor, registration_id=registration_id)
    return {"nonce": c.nonce, "actions": list(c.actions),
            "screen_colours": list(c.screen_colours), "colour_ms": c.colour_ms,
            "expires_at": c.expires_at}


@router.post("/{registration_id}/liveness", response_model=LivenessOut,
             operation_id="check_liveness", responses=error_responses(*COMMON, 413, 415))
def check_liveness_step(
    registration_id: RegistrationId,
    actor: ActorDep,
    ctx: ContextDep,
    settings: SettingsDep,
    models: ModelsDep,
    nonce: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$", description="The challenge nonce.")],
    video: Annotated[UploadFile, File(description="The recorded video (webm or mp4).")],
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Check the video against its challenge (used up by this call) and record the step."""
    data = read_upload(video, max_bytes=settings.max_video_bytes, what="liveness video")
    result = run_liveness(ctx, models, actor=actor, registration_id=registration_id,
                          submission=LivenessVideo(nonce=nonce, video=data),
                          idempotency_key=idempotency_key)
    return {**step_body(result), "steps": result.details["steps"]}


__all__ = ["router"]
