"""The accessible path: retries with slower, repeated prompts, then a supervisor override.

No speed is required of the customer. After a failed answer the customer gets
a new challenge (new digits, so a failed recording cannot be replayed) with a
slower prompt that repeats the digits (see
:func:`simkyc.voice.challenge.make_prompt`), up to ``policy.max_attempts``.
After that only a supervisor can let the registration continue, and the
override records who approved it and why; the registration then carries the
``assisted_override`` flag (status ``assisted_override``), which compliance
reports count.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from simkyc.domain.errors import InputError
from simkyc.domain.parties import Role
from simkyc.domain.policy import VoicePolicy


class NextStep(enum.StrEnum):
    """What follows a voice answer."""

    DONE = "done"  # passed
    RETRY = "retry"  # a new, slower challenge
    SUPERVISOR_OVERRIDE = "supervisor_override"  # attempts used up


def next_step(*, passed: bool, attempts_used: int, policy: VoicePolicy) -> NextStep:
    """After ``attempts_used`` answers (the last one ``passed`` or not), what comes next."""
    if passed:
        return NextStep.DONE
    if attempts_used < policy.max_attempts:
        return NextStep.RETRY
    return NextStep.SUPERVISOR_OVERRIDE


@dataclass(frozen=True)
class AssistedOverride:
    """A supervisor's approval of the voice step for a customer who could not pass it.

    ``supervisor_id``: the approving account; ``reason``: free text (at least
    10 characters, e.g. "customer has a speech impairment, identity confirmed
    in person"); ``attempts_used``: failed answers before the override.
    """

    supervisor_id: str
    reason: str
    approved_at: datetime
    attempts_used: int
    language: str


MIN_REASON_CHARS = 10


def approve_override(*, supervisor_id: str, role: Role, reason: str, attempts_used: int,
                     language: str, now: datetime, policy: VoicePolicy) -> AssistedOverride:
    """Record a supervisor override; :class:`InputError` if it is not allowed.

    Allowed only for a ``supervisor``, with a reason, after
    ``policy.max_attempts`` failed answers.
    """
    if role is not Role.SUPERVISOR:
        raise InputError("only a supervisor may approve an assisted override")
    if not supervisor_id.strip():
        raise InputError("an assisted override must name the approving supervisor")
    if len(reason.strip()) < MIN_REASON_CHARS:
        raise InputError(f"an assisted override needs a reason of at least {MIN_REASON_CHARS} "
                         "characters")
    if attempts_used < policy.max_attempts:
        raise InputError(f"assisted override only after {policy.max_attempts} failed attempts "
                         f"({attempts_used} so far)")
    return AssistedOverride(supervisor_id=supervisor_id.strip(), reason=reason.strip(),
                            approved_at=now, attempts_used=attempts_used, language=language)


__all__ = ["AssistedOverride", "NextStep", "approve_override", "next_step"]
