"""Step 4, the voice challenge: ``.../voice/challenge``, ``.../voice``, ``.../voice/override``.

See :mod:`simkyc.services.steps.voice`.
"""

from __future__ import annotations

import base64
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
from simkyc.api.schemas import (
    OverrideOut,
    OverrideRequest,
    VoiceChallengeOut,
    VoiceChallengeRequest,
    VoiceOut,
)
from simkyc.services.steps import (
    OverrideApproval,
    VoiceAnswer,
    approve_voice_override,
    issue_voice_challenge,
    run_voice,
)

router = APIRouter(prefix="/api/v1/registrations", tags=["voice"])


@router.post("/{registration_id}/voice/challenge", status_code=status.HTTP_201_CREATED,
             response_model=VoiceChallengeOut, operation_id="issue_voice_challenge",
             responses=error_responses(*COMMON))
def issue_challenge(registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep,
                    body: VoiceChallengeRequest | None = None) -> dict[str, Any]:
    """New digits to read (single use), with the prompt in the customer's language."""
    c = issue_voice_challenge(ctx, actor=actor, registration_id=registration_id,
                              language=body.language if body else None)
    return {"nonce": c.nonce, "language": c.language, "attempt": c.attempt,
            "max_attempts": c.max_attempts, "numerals": c.numerals, "words": c.words,
            "instruction": c.instruction, "rate_wpm": c.rate_wpm, "repeats": c.repeats,
            "prompt_audio_wav_base64": (base64.b64encode(c.prompt_audio_wav).decode()
                                        if c.prompt_audio_wav else None),
            "expires_at": c.expires_at}


@router.post("/{registration_id}/voice", response_model=VoiceOut,
             operation_id="check_voice", responses=error_responses(*COMMON, 413, 415))
def check_voice_step(
    registration_id: RegistrationId,
    actor: ActorDep,
    ctx: ContextDep,
    settings: SettingsDep,
    models: ModelsDep,
    nonce: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$", description="The challenge nonce.")],
    audio: Annotated[UploadFile, File(description="The answer: webm/opus, ogg, mp3 or wav.")],
    video: Annotated[UploadFile | None, File(description="Video recorded with it.")] = None,
    prompt_shown_at_ms: Annotated[float, Form(ge=0, le=600_000, description=(
        "When the prompt appeared, in ms from the start of the recording."))] = 0.0,
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Check the spoken answer against its challenge (used up by this call); record it."""
    audio_bytes = read_upload(audio, max_bytes=settings.max_audio_bytes, what="voice audio")
    video_bytes = (read_upload(video, max_bytes=settings.max_video_bytes, what="voice video")
                   if video is not None else None)
    result = run_voice(ctx, models, actor=actor, registration_id=registration_id,
                       submission=VoiceAnswer(nonce=nonce, audio=audio_bytes,
                                              video=video_bytes,
                                              prompt_shown_at_ms=prompt_shown_at_ms),
                       idempotency_key=idempotency_key)
    return {**step_body(result), "checks": result.details["checks"],
            "attempt": result.attempt, "next": result.next}


@router.post("/{registration_id}/voice/override", response_model=OverrideOut,
             operation_id="approve_voice_override", responses=error_responses(*COMMON))
def approve_override(registration_id: RegistrationId, body: OverrideRequest,
                     actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """A supervisor lets the registration continue after the voice attempts ran out."""
    r = approve_voice_override(ctx, actor=actor, registration_id=registration_id,
                               submission=OverrideApproval(reason=body.reason))
    return {"status": r.status.value, "assisted_override": True,
            "approved_by": r.details["approved_by"], "attempts_used": r.attempt or 0}


__all__ = ["router"]
