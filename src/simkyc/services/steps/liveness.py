"""Step 3, active liveness: a random challenge, then the video that performs it.

:func:`issue_liveness_challenge` draws actions (and screen colours) from the
context's randomness and stores them as a single-use challenge of the
registration. :func:`run_liveness` decodes the video within its bounds *first*
(a corrupt or oversized video is refused with the challenge still unused),
then uses the challenge up, runs :func:`simkyc.liveness.check_liveness`, and
keeps the video and the chosen frame (the live face the 1:1 match will use,
bound to this outcome). A pass moves ``live_face_captured -> liveness_passed``;
a failure leaves the status so the customer can try again with a new
challenge, up to the policy's cap.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from simkyc.domain.errors import ChallengeError
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.parties import Agent
from simkyc.domain.results import StageOutcome
from simkyc.media.images import encode_png
from simkyc.services import challenges
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import NewEvidence
from simkyc.services.media_input import video_input
from simkyc.services.ports import StageModels
from simkyc.services.steps.common import StepResult, begin_step, record_step, request_digest

STEP = "liveness"
#: Screen colours flashed per challenge (each ``colour_ms`` long).
SCREEN_COLOURS = 12
#: Without the flash (photosensitive customers) the screen-light check cannot run; in
#: its place the challenge asks for this many more actions (a replayed or synthesised
#: video must then get one more random movement right, in order and in time).
NO_FLASH_EXTRA_ACTIONS = 1


@dataclass(frozen=True)
class IssuedLivenessChallenge:
    nonce: str
    actions: tuple[str, ...]
    screen_colours: tuple[str, ...]
    colour_ms: int
    expires_at: datetime


@dataclass(frozen=True)
class LivenessVideo:
    """The challenge's nonce and the video recorded while performing it (WebM or MP4)."""

    nonce: str
    video: bytes


def issue_liveness_challenge(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                             flash: bool = True) -> IssuedLivenessChallenge:
    """A fresh single-use challenge: actions in order, colours to flash, expiry.

    ``flash=False``: no screen colours (a photosensitive customer's alternative,
    audited as ``liveness.no_flash``); the server asks for
    :data:`NO_FLASH_EXTRA_ACTIONS` more actions in place of the screen-light check,
    and the outcome records both (``screen_light_checked: false``, ``extra_actions``).
    """
    from simkyc.liveness import issue_challenge

    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP)
    policy = ctx.policy.liveness
    c = issue_challenge(ctx.rng("liveness"), now=ctx.clock(), policy=policy,
                        screen_colours=SCREEN_COLOURS if flash else 0,
                        extra_actions=0 if flash else NO_FLASH_EXTRA_ACTIONS)
    extra = len(c.actions) - policy.challenge_actions
    if not flash:
        with ctx.uow() as tx:
            tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="liveness.no_flash",
                            registration_id=begun.registration.id,
                            detail=f"extra_actions={extra}")
    expires = challenges.issue(
        ctx, actor=actor, registration_id=begun.registration.id, kind=STEP, nonce=c.nonce,
        payload={"actions": list(c.actions), "screen_colours": list(c.screen_colours),
                 "colour_ms": c.colour_ms, "flash": flash, "extra_actions": extra},
        ttl_seconds=policy.challenge_ttl_seconds)
    return IssuedLivenessChallenge(nonce=c.nonce, actions=c.actions,
                                   screen_colours=c.screen_colours, colour_ms=c.colour_ms,
                                   expires_at=expires)


def run_liveness(ctx: ServiceContext, models: StageModels, *, actor: Agent,
                 registration_id: str, submission: LivenessVideo,
                 idempotency_key: str | None = None) -> StepResult:
    """Check the video against its challenge (used up by this call) and record the step."""
    from simkyc.liveness import ScreenLight, check_liveness

    digest = request_digest(STEP, submission.nonce, submission.video)
    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                       idempotency_key=idempotency_key, request_sha256=digest)
    if begun.replay is not None:
        return begun.replay
    policy = ctx.policy.liveness
    blob, clip = video_input(submission.video, ctx.limits,
                             max_seconds=policy.max_video_seconds, what="liveness video")
    challenge = challenges.consume(ctx, actor=actor, registration_id=registration_id,
                                   kind=STEP, nonce=submission.nonce)
    colours = tuple(challenge.get("screen_colours") or ())
    light = (ScreenLight(colours, float(challenge.get("colour_ms", 400)))
             if len(colours) >= 2 else None)
    actions = list(challenge["actions"])
    extra = int(challenge.get("extra_actions", 0))
    if light is None and len(actions) < min(5, policy.challenge_actions
                                            + NO_FLASH_EXTRA_ACTIONS):
        # Only a challenge issued before the compensation existed can lack it.
        raise ChallengeError("this challenge has neither the screen flash nor the extra "
                             "action in its place; ask for a new challenge")
    result = check_liveness(clip, actions, face_models=models.face(),
                            mesh_factory=models.mesh_factory(), policy=policy,
                            screen_light=light)
    outcome = StageOutcome(stage=STEP, passed=result.passed, reasons=result.reasons,
                           model=result.model_id, policy_version=ctx.policy.version,
                           details={**result.to_dict(), "nonce": submission.nonce,
                                    "screen_light_checked": light is not None,
                                    "extra_actions": extra})
    evidence = [NewEvidence(EvidenceKind.LIVENESS_VIDEO, blob.mime, blob.data)]
    if result.passed and result.best_frame is not None:
        evidence.append(NewEvidence(EvidenceKind.LIVE_FACE, "image/png",
                                    encode_png(result.best_frame)))
    steps = [{"action": s.action, "passed": s.passed} for s in result.steps]

    def public(reg: Any, passed: bool, reasons: tuple[str, ...]) -> StepResult:
        return StepResult(step=STEP, registration_id=reg.id, passed=passed,
                          reasons=reasons, status=reg.status,
                          language=reg.language, details={"steps": steps})

    rec = record_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                      outcome=outcome, evidence=evidence, result=public,
                      idempotency_key=idempotency_key, request_sha256=digest)
    return public(rec.registration, rec.passed, rec.reasons)


__all__ = ["IssuedLivenessChallenge", "LivenessVideo", "NO_FLASH_EXTRA_ACTIONS", "SCREEN_COLOURS",
           "issue_liveness_challenge", "run_liveness"]
