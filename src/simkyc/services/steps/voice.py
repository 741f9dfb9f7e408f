"""Step 4, the voice challenge: digits read aloud, with an accessible path.

The digits are drawn in the customer's language, which was fixed when the
registration started: a challenge in another language (one whose digits are
not recognised, say) is refused, so an agent cannot downgrade the check.
Retries get slower prompts that repeat the digits; after
``policy.voice.max_attempts`` failed answers no further challenge is issued
and a supervisor may approve an assisted override, recorded as such. When the
policy requires the video recorded with the answer (lips in sync with the
voice), an answer without it fails with ``video_missing``.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any

from simkyc.domain.errors import ConflictError, InputError
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.parties import Agent
from simkyc.domain.results import StageOutcome
from simkyc.i18n import message, ui_language_for_spoken
from simkyc.services import challenges
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import NewEvidence
from simkyc.services.media_input import audio_input, video_input
from simkyc.services.ports import StageModels
from simkyc.services.registrations import load_visible
from simkyc.services.steps.common import (
    StepResult,
    attempts_of,
    begin_step,
    record_step,
    request_digest,
)

STEP = "voice"
OVERRIDE_STEP = "voice_override"
DEFAULT_LANGUAGE = "cmn"


@dataclass(frozen=True)
class IssuedVoiceChallenge:
    nonce: str
    language: str
    attempt: int
    max_attempts: int
    numerals: str
    words: str
    instruction: str
    rate_wpm: int
    repeats: int
    prompt_audio_wav: bytes | None
    expires_at: datetime


@dataclass(frozen=True)
class VoiceAnswer:
    """The challenge's nonce, the recorded answer and the video recorded with it.

    ``prompt_shown_at_ms``: when the prompt appeared, in ms from the start of
    the recording (0..600,000).
    """

    nonce: str
    audio: bytes
    video: bytes | None = None
    prompt_shown_at_ms: float = 0.0


def _fixed_language(ctx: ServiceContext, actor: Agent, registration_id: str,
                    requested: str | None) -> str:
    """The registration's language; fixed now if it had none."""
    from simkyc.voice import require_language

    with ctx.uow() as tx:
        reg = load_visible(tx, actor, registration_id, for_update=True)
        if reg.language:
            if requested and requested != reg.language:
                raise InputError(f"the registration's language is {reg.language}, fixed when "
                                 "it started; a challenge in another language is refused")
            return reg.language
        language = requested or DEFAULT_LANGUAGE
        require_language(language)
        tx.registrations.save(registration=replace(reg, language=language))
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="registration.language",
                        registration_id=reg.id, detail=language)
        return language


def issue_voice_challenge(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                          language: str | None = None) -> IssuedVoiceChallenge:
    """New digits to read (single use), with the prompt in the customer's language.

    The instruction comes from the message catalogue (Tibetan, which has no UI
    catalogue, keeps the voice stage's own sentence).
    """
    from simkyc.voice import make_prompt, new_challenge, prompt_audio

    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP)
    policy = ctx.policy.voice
    lang = _fixed_language(ctx, actor, registration_id, language)
    with ctx.uow() as tx:
        failed = attempts_of(tx, registration_id, STEP)
    if failed >= policy.max_attempts:
        raise ConflictError(f"the {policy.max_attempts} voice attempts are used up; a "
                            "supervisor may approve an assisted override")
    attempt = failed + 1
    nonce = secrets.token_hex(16)
    ch = new_challenge(lang, nonce, rng=ctx.rng("voice"), now=ctx.clock(), policy=policy,
                       attempt=attempt)
    prompt = make_prompt(ch, policy)
    instruction = prompt.instruction if ch.language == "bo" else \
        message("voice.instruction", ui_language_for_spoken(ch.language))  # the catalogue's
    expires = challenges.issue(
        ctx, actor=actor, registration_id=begun.registration.id, kind=STEP, nonce=nonce,
        payload={"digits": ch.digits, "language": ch.language, "attempt": attempt,
                 "binding": ch.binding},
        ttl_seconds=policy.challenge_ttl_seconds)
    return IssuedVoiceChallenge(
        nonce=nonce, language=ch.language, attempt=attempt, max_attempts=policy.max_attempts,
        numerals=prompt.numerals, words=prompt.words, instruction=instruction,
        rate_wpm=prompt.rate_wpm, repeats=prompt.repeats,
        prompt_audio_wav=prompt_audio(ch, policy), expires_at=expires)


def run_voice(ctx: ServiceContext, models: StageModels, *, actor: Agent,
              registration_id: str, submission: VoiceAnswer,
              idempotency_key: str | None = None) -> StepResult:
    """Check the spoken answer against its challenge (used up by this call); record it."""
    from simkyc.voice import check_spoken_digits, next_step

    if not 0 <= submission.prompt_shown_at_ms <= 600_000:
        raise InputError("prompt_shown_at_ms must be 0..600000")
    digest = request_digest(STEP, submission.nonce, submission.audio, submission.video,
                            repr(submission.prompt_shown_at_ms))
    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                       idempotency_key=idempotency_key, request_sha256=digest)
    if begun.replay is not None:
        return begun.replay
    policy = ctx.policy.voice
    audio_blob, decoded = audio_input(submission.audio, ctx.limits, what="voice audio")
    video_blob, clip = (None, None)
    if submission.video is not None:
        video_blob, clip = video_input(submission.video, ctx.limits,
                                       max_seconds=ctx.policy.liveness.max_video_seconds,
                                       what="voice video")
    challenge = challenges.consume(ctx, actor=actor, registration_id=registration_id,
                                   kind=STEP, nonce=submission.nonce)
    if clip is None and policy.require_video:
        outcome = StageOutcome(stage=STEP, passed=False, reasons=("video_missing",),
                               policy_version=ctx.policy.version,
                               details={"language": challenge["language"]})
        checks: dict[str, bool] = {}
    else:
        result = check_spoken_digits(decoded, challenge["digits"], challenge["language"],
                                     models=models.voice(), policy=policy,
                                     prompt_shown_at_s=submission.prompt_shown_at_ms / 1000.0,
                                     video=clip)
        outcome = result.outcome(ctx.policy.version)
        checks = {c.name: c.passed for c in result.checks}
    outcome = replace(outcome, details={**outcome.details, "nonce": submission.nonce})
    evidence = [NewEvidence(EvidenceKind.VOICE_AUDIO, audio_blob.mime, audio_blob.data)]
    if video_blob is not None:
        evidence.append(NewEvidence(EvidenceKind.VOICE_VIDEO, video_blob.mime, video_blob.data))
    attempt = int(challenge.get("attempt", 1))

    def public(reg: Any, passed: bool, reasons: tuple[str, ...]) -> StepResult:
        step = next_step(passed=passed, attempts_used=attempt, policy=policy)
        return StepResult(step=STEP, registration_id=reg.id, passed=passed, reasons=reasons,
                          status=reg.status, attempt=attempt, next=step.value,
                          language=reg.language, details={"checks": checks})

    rec = record_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                      outcome=outcome, evidence=evidence, result=public,
                      idempotency_key=idempotency_key, request_sha256=digest)
    return public(rec.registration, rec.passed, rec.reasons)


@dataclass(frozen=True)
class OverrideApproval:
    """A supervisor's reason (10..500 characters) for letting the registration continue."""

    reason: str


def approve_voice_override(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                           submission: OverrideApproval) -> StepResult:
    """A supervisor lets the registration continue after the voice attempts ran out."""
    from simkyc.voice import approve_override

    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=OVERRIDE_STEP)
    with ctx.uow() as tx:
        attempts = attempts_of(tx, registration_id, STEP)
    o = approve_override(supervisor_id=actor.id, role=actor.role, reason=submission.reason,
                         attempts_used=attempts, language=begun.registration.language or "",
                         now=ctx.clock(), policy=ctx.policy.voice)
    outcome = StageOutcome(stage=OVERRIDE_STEP, passed=True, reasons=("assisted_override",),
                           policy_version=ctx.policy.version,
                           details={"supervisor_id": o.supervisor_id, "reason": o.reason,
                                    "attempts_used": o.attempts_used,
                                    "approved_at": o.approved_at.isoformat()})
    rec = record_step(ctx, actor=actor, registration_id=registration_id, step=OVERRIDE_STEP,
                      outcome=outcome)
    return StepResult(step=OVERRIDE_STEP, registration_id=registration_id, passed=True,
                      reasons=("assisted_override",), status=rec.registration.status,
                      attempt=o.attempts_used, language=rec.registration.language,
                      details={"approved_by": o.supervisor_id})


__all__ = ["IssuedVoiceChallenge", "OverrideApproval", "VoiceAnswer",
           "approve_voice_override", "issue_voice_challenge", "run_voice"]
