"""Step 3, active liveness: issue a challenge, then check the video that performs it.

``POST .../liveness/challenge`` draws a random action sequence (and screen
colours) from ``secrets``, stores it as a single-use challenge of this
registration, and returns it. ``POST .../liveness`` takes the nonce and the
recorded video, uses the challenge up (a second submission is refused with
409), runs :func:`simkyc.liveness.check_liveness`, stores the video and the
best frame (the live face for the 1:1 match) encrypted, and moves the
registration ``live_face_captured -> liveness_passed`` on a pass. A failure
leaves the status as it is so the customer can try again with a new
challenge. Clients see pass/fail, per-step pass/fail and reason codes; never
angles, distances or correlations.
"""

from __future__ import annotations

import random
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile, status

from simkyc.api.deps import (
    ModelsDep,
    RegistrarDep,
    ServiceDep,
    SettingsDep,
    max_bytes_for,
    read_upload_sync,
)
from simkyc.api.routes.registrations import RegistrationId
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.registration import RegistrationStatus
from simkyc.domain.results import StageOutcome
from simkyc.media.images import encode_png
from simkyc.workflow import NewEvidence

router = APIRouter(prefix="/api/v1/registrations", tags=["liveness"])

CHALLENGE_KIND = "liveness"
#: Screen colours flashed per challenge (each ``colour_ms`` long).
SCREEN_COLOURS = 12


def challenge_rng() -> random.Random:
    """Randomness for challenges: the OS CSPRNG (tests override this dependency)."""
    return secrets.SystemRandom()


RngDep = Annotated[random.Random, Depends(challenge_rng)]


@router.post("/{registration_id}/liveness/challenge", status_code=status.HTTP_201_CREATED)
def issue_liveness_challenge(registration_id: RegistrationId, actor: RegistrarDep,
                             service: ServiceDep, rng: RngDep) -> dict[str, Any]:
    """A fresh single-use challenge: actions to perform in order, colours to flash, expiry."""
    from simkyc.liveness import issue_challenge

    policy = service.policy.liveness
    c = issue_challenge(rng, now=service.clock(), policy=policy,
                        screen_colours=SCREEN_COLOURS)
    expires = service.issue_challenge(
        actor=actor, registration_id=registration_id, kind=CHALLENGE_KIND, nonce=c.nonce,
        payload={"actions": list(c.actions), "screen_colours": list(c.screen_colours),
                 "colour_ms": c.colour_ms},
        ttl_seconds=policy.challenge_ttl_seconds)
    return {"nonce": c.nonce, "actions": list(c.actions),
            "screen_colours": list(c.screen_colours), "colour_ms": c.colour_ms,
            "expires_at": expires.isoformat()}


@router.post("/{registration_id}/liveness")
def check_liveness_step(
    registration_id: RegistrationId,
    actor: RegistrarDep,
    service: ServiceDep,
    settings: SettingsDep,
    models: ModelsDep,
    nonce: Annotated[str, Form(pattern=r"^[0-9a-f]{32}$", description="The challenge nonce.")],
    video: Annotated[UploadFile, File(description="The recorded video (webm or mp4).")],
) -> dict[str, Any]:
    """Check the video against its challenge (used up by this call) and record the step."""
    from simkyc.face.models import load_face_models, open_face_mesh
    from simkyc.liveness import ScreenLight, check_liveness
    from simkyc.media.video import read_video

    data, mime = read_upload_sync(video, max_bytes=max_bytes_for(settings, "video"),
                                   families=("video",))
    challenge = service.consume_challenge(actor=actor, registration_id=registration_id,
                                          kind=CHALLENGE_KIND, nonce=nonce)
    policy = service.policy.liveness
    clip = read_video(data, max_bytes=settings.max_video_bytes,
                      max_seconds=policy.max_video_seconds)
    colours = tuple(challenge.get("screen_colours") or ())
    light = (ScreenLight(colours, float(challenge.get("colour_ms", 400)))
             if len(colours) >= 2 else None)
    result = check_liveness(clip, challenge["actions"],
                            face_models=models.get("face", load_face_models),
                            mesh_factory=open_face_mesh, policy=policy, screen_light=light)
    details = result.to_dict()
    outcome = StageOutcome(stage="liveness", passed=result.passed, reasons=result.reasons,
                           model=result.model_id, policy_version=service.policy.version,
                           details=details)
    evidence = [NewEvidence(EvidenceKind.LIVENESS_VIDEO, mime, data)]
    if result.passed and result.best_frame is not None:
        evidence.append(NewEvidence(EvidenceKind.LIVE_FACE, "image/png",
                                    encode_png(result.best_frame)))
    reg, _ = service.record_stage(actor=actor, registration_id=registration_id, outcome=outcome,
                                  on_pass=RegistrationStatus.LIVENESS_PASSED, on_fail=None,
                                  evidence=evidence)
    return {"passed": result.passed, "reasons": list(result.reasons),
            "steps": [{"action": s.action, "passed": s.passed} for s in result.steps],
            "status": reg.status.value}


__all__ = ["challenge_rng", "router"]
