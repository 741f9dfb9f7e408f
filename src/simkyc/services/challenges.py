"""Single-use challenges (liveness actions, voice digits) bound to one registration.

A challenge is issued only in the status its step runs from, at most
``policy.registration.max_challenges`` per registration, and used up by the
first submission that passes the input checks (a second one, an expired or
unknown nonce: :class:`~simkyc.domain.errors.ChallengeError`).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from simkyc.domain.errors import ConflictError
from simkyc.domain.parties import Agent
from simkyc.services.context import ServiceContext
from simkyc.services.registrations import load_visible


def issue(ctx: ServiceContext, *, actor: Agent, registration_id: str, kind: str,
          nonce: str, payload: dict[str, Any], ttl_seconds: float) -> datetime:
    """Record a challenge for the registration (status re-checked under the lock); its expiry."""
    step = ctx.flow.step(kind)
    now = ctx.clock()
    expires = now + timedelta(seconds=ttl_seconds)
    with ctx.uow() as tx:
        reg = load_visible(tx, actor, registration_id, for_update=True)
        step.check_can_run(reg.status)
        if tx.challenges.count(registration_id=reg.id) >= \
                ctx.policy.registration.max_challenges:
            raise ConflictError("this registration has used up its challenges; start a new one")
        tx.challenges.add(nonce=nonce, registration_id=reg.id, kind=kind, payload=payload,
                          issued_at=now, expires_at=expires)
        tx.audit.append(at=now, actor_id=actor.id, action=f"challenge.{kind}",
                        registration_id=reg.id)
    return expires


def consume(ctx: ServiceContext, *, actor: Agent, registration_id: str, kind: str,
            nonce: str) -> dict[str, Any]:
    """Use a challenge once and return its payload (with ``issued_at``)."""
    with ctx.uow() as tx:
        reg = load_visible(tx, actor, registration_id)
        return tx.challenges.consume(nonce=nonce, registration_id=reg.id, kind=kind,
                                     now=ctx.clock())


__all__ = ["consume", "issue"]
