"""Step 4, voice challenge: digits read aloud, checked, with an accessible path.

``POST .../voice/challenge`` draws random digits (``secrets``) in the
customer's language, stores them as a single-use challenge of this
registration and returns the prompt: numerals, words, instruction, the prompt
audio (WAV, base64; none for languages without an espeak-ng voice) and the
attempt number. Retries get slower prompts that repeat the digits.

``POST .../voice`` takes the nonce, the recorded audio and optionally the
video recorded with it, uses the challenge up (a second submission is refused
with 409), runs :func:`simkyc.voice.check_spoken_digits`, stores audio and
video encrypted and moves ``liveness_passed -> voice_passed`` on a pass. A
failure leaves the status as it is; the answer says whether to retry or, after
``max_attempts`` failures, to call a supervisor.

``POST .../voice/override`` (supervisor only) records an assisted override:
who approved it and why; the registration moves to ``assisted_override`` and
carries the flag. Clients see pass/fail and reason codes, never scores.
"""

from __future__ import annotations

import base64
import random
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile, status
from pydantic import BaseModel, Field

from simkyc.api.deps import (
    ModelsDep,
    RegistrarDep,
    ServiceDep,
    SettingsDep,
    max_bytes_for,
    read_upload_sync,
    require_roles,
)
from simkyc.api.routes.registrations import RegistrationId
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.parties import Agent, Role
from simkyc.domain.registration import RegistrationStatus
from simkyc.domain.results import StageOutcome
from simkyc.workflow import NewEvidence

router = APIRouter(prefix="/api/v1/registrations", tags=["voice"])

CHALLENGE_KIND = "voice"
SupervisorDep = Annotated[Agent, Depends(require_roles(Role.SUPERVISOR))]


def voice_rng() -> random.Random:
    """Randomness for digit challenges: the OS CSPRNG (tests override this dependency)."""
    return secrets.SystemRandom()


RngDep = Annotated[random.Random, Depends(voice_rng)]


class VoiceChallengeRequest(BaseModel):
    language: str | None = Field(default=None, max_length=16,
                                 description="cmn, yue, en, ug or bo; default: the "
                                             "registration's language, else cmn.")


@router.post("/{registration_id}/voice/challenge", status_code=status.HTTP_201_CREATED)
def issue_voice_challenge(registration_id: RegistrationId, actor: RegistrarDep,
                          service: ServiceDep, rng: RngDep,
                          body: VoiceChallengeRequest | None = None) -> dict[str, Any]:
    """New digits to read (single use), with the prompt in the customer's language."""
    from simkyc.voice import make_prompt, new_challenge, prompt_audio, require_language

    policy = service.policy.voice
    language = (body.language if body and body.language else
                service.language_of(registration_id=registration_id) or "cmn")
    require_language(language)
    attempt = service.failed_stage_attempts(actor=actor, registration_id=registration_id,
                                            stage="voice") + 1
    nonce = secrets.token_hex(16)
    ch = new_challenge(language, nonce, rng=rng, now=service.clock(), policy=policy,
                       attempt=attempt)
    prompt = make_prompt(ch, policy)
    expires = service.issue_challenge(
        actor=actor, registration_id=registration_id, kind=CHALLENGE_KIND, nonce=nonce,
        payload={"digits": ch.digits, "language": ch.language, "attempt": attempt,
                 "binding": ch.binding},
        ttl_seconds=policy.challenge_ttl_seconds)
    wav = prompt_audio(ch, policy)
    return {"nonce": nonce, "language": ch.language, "attempt": attempt,
            "max_attempts": policy.max_attempts, "numerals": prompt.numerals,
            "words": prompt.words, "instruction": prompt.instruction,
            "rate_wpm": prompt.rate_wpm, "repeats": prompt.repeats,
            "prompt_audio_wav_base64": base64.b64encode(wav).decode() if wav else None,
            "expires_at": expires.isoformat()}


@router.post("/{registration_id}/voice")
def check_voice_step(
    registration_id: RegistrationId,
    actor: RegistrarDep,
    service: ServiceDep,
    settings: SettingsDep,
    models: ModelsDep,
    nonce: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$", description="The challenge nonce.")],
    audio: Annotated[UploadFile, File(description="The answer: webm/opus, ogg, mp3 or wav.")],
    video: Annotated[UploadFile | None, File(description="Video recorded with it.")] = None,
    prompt_shown_at_ms: Annotated[float, Form(ge=0, le=600_000, description=(
        "When the prompt appeared, in ms from the start of the recording."))] = 0.0,
) -> dict[str, Any]:
    """Check the spoken answer against its challenge (used up by this call); record it."""
    from simkyc.media.audio import decode_audio
    from simkyc.voice import check_spoken_digits, load_voice_models, next_step

    # A plain ``def`` route: FastAPI runs it in its thread pool, so seconds of
    # recognition and face-mesh work never block the event loop.
    audio_bytes, audio_mime = read_upload_sync(
        audio, max_bytes=max_bytes_for(settings, "audio"), families=("audio", "video"))
    video_bytes, video_mime = (None, None)
    if video is not None:
        video_bytes, video_mime = read_upload_sync(
            video, max_bytes=max_bytes_for(settings, "video"), families=("video",))
    challenge = service.consume_challenge(actor=actor, registration_id=registration_id,
                                          kind=CHALLENGE_KIND, nonce=nonce)
    policy = service.policy.voice
    decoded = decode_audio(audio_bytes, max_bytes=settings.max_audio_bytes)
    clip = None
    if video_bytes is not None:
        from simkyc.media.video import read_video

        clip = read_video(video_bytes, max_bytes=settings.max_video_bytes, resize_to=640)
    result = check_spoken_digits(decoded, challenge["digits"], challenge["language"],
                                 models=models.get("voice", load_voice_models), policy=policy,
                                 prompt_shown_at_s=prompt_shown_at_ms / 1000.0, video=clip)
    outcome = result.outcome(service.policy.version)
    evidence = [NewEvidence(EvidenceKind.VOICE_AUDIO, audio_mime, audio_bytes)]
    if video_bytes is not None and video_mime is not None:
        evidence.append(NewEvidence(EvidenceKind.VOICE_VIDEO, video_mime, video_bytes))
    reg, _ = service.record_stage(actor=actor, registration_id=registration_id, outcome=outcome,
                                  on_pass=RegistrationStatus.VOICE_PASSED, on_fail=None,
                                  evidence=evidence)
    attempts = int(challenge.get("attempt", 1))
    step = next_step(passed=result.passed, attempts_used=attempts, policy=policy)
    return {"passed": result.passed, "reasons": list(result.reasons),
            "checks": {c.name: c.passed for c in result.checks},
            "attempt": attempts, "next": step.value, "status": reg.status.value}


class OverrideRequest(BaseModel):
    reason: str = Field(min_length=10, max_length=500,
                        description="Why the supervisor approves the voice step.")


@router.post("/{registration_id}/voice/override")
def approve_voice_override(registration_id: RegistrationId, body: OverrideRequest,
                           actor: SupervisorDep, service: ServiceDep) -> dict[str, Any]:
    """A supervisor lets the registration continue after the voice attempts ran out."""
    from simkyc.voice import approve_override

    policy = service.policy.voice
    attempts = service.failed_stage_attempts(actor=actor, registration_id=registration_id,
                                             stage="voice")
    language = service.language_of(registration_id=registration_id) or ""
    o = approve_override(supervisor_id=actor.id, role=actor.role, reason=body.reason,
                         attempts_used=attempts, language=language, now=service.clock(),
                         policy=policy)
    outcome = StageOutcome(stage="voice_override", passed=True, reasons=("assisted_override",),
                           policy_version=service.policy.version,
                           details={"supervisor_id": o.supervisor_id, "reason": o.reason,
                                    "attempts_used": o.attempts_used,
                                    "approved_at": o.approved_at.isoformat()})
    reg, _ = service.record_stage(actor=actor, registration_id=registration_id, outcome=outcome,
                                  on_pass=RegistrationStatus.ASSISTED_OVERRIDE)
    return {"status": reg.status.value, "assisted_override": reg.assisted_override,
            "approved_by": o.supervisor_id, "attempts_used": o.attempts_used}


__all__ = ["router", "voice_rng"]
