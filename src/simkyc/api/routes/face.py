"""Steps 2 and 5, the face: ``POST .../live-face`` (capture quality) and ``.../face-match``.

See :mod:`simkyc.services.steps.live_face` and :mod:`simkyc.services.steps.face_match`.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, UploadFile

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
from simkyc.api.schemas import LiveFaceOut, StepOut
from simkyc.services.steps import LiveCapture, run_face_match, run_live_face

router = APIRouter(prefix="/api/v1/registrations", tags=["face"])


@router.post("/{registration_id}/live-face", response_model=LiveFaceOut,
             operation_id="capture_live_face", responses=error_responses(*COMMON, 413, 415))
def capture_live_face(
    registration_id: RegistrationId,
    actor: ActorDep,
    ctx: ContextDep,
    settings: SettingsDep,
    models: ModelsDep,
    file: Annotated[UploadFile, File(description="One camera image of the customer's face.")],
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Quality-check a live capture; keep it (encrypted) and move on if it is usable."""
    data = read_upload(file, max_bytes=settings.max_image_bytes, what="live capture")
    result = run_live_face(ctx, models, actor=actor, registration_id=registration_id,
                           submission=LiveCapture(image=data), idempotency_key=idempotency_key)
    return {**step_body(result), "faces_found": result.details["faces_found"]}


@router.post("/{registration_id}/face-match", response_model=StepOut,
             operation_id="match_live_face", responses=error_responses(*COMMON))
def match_live_face(registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep,
                    models: ModelsDep) -> dict[str, Any]:
    """Compare the document photo with the live face the liveness step chose, 1:1."""
    return step_body(run_face_match(ctx, models, actor=actor, registration_id=registration_id))


__all__ = ["router"]
