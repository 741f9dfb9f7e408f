"""The document lockout: repeated failed verifications of one document stop further tries.

After ``policy.registration.lockout_failures`` failed verification attempts
(a refused document, a failed live capture, liveness, voice or face match)
within ``lockout_window_seconds`` for the same document number (by its keyed
hash, across registrations and outlets), every further attempt for that
document is refused with ``document_locked_out`` for ``lockout_seconds``. A
supervisor may lift it earlier (audited). Counting happens in the unit of work
that records the failure (:mod:`simkyc.services.steps.common`).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import LockedOutError, NotFoundError
from simkyc.domain.parties import Agent
from simkyc.services.context import ServiceContext
from simkyc.services.registrations import load_visible


@dataclass(frozen=True)
class LockoutStatus:
    locked: bool
    until: datetime | None


def refuse_if_locked(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                     subject: str | None) -> None:
    """Raise :class:`LockedOutError` if ``subject``'s verification is locked.

    The refusal is committed first (audited, and remembered against the
    registration so a supervisor can lift the lock from it).
    """
    if not subject:
        return
    subject_hash = ctx.keys.subject_hash(subject)
    now = ctx.clock()
    with ctx.uow() as tx:
        until = tx.lockouts.active_until(subject_id_hash=subject_hash, now=now)
        if until is None:
            return
        tx.lockouts.add_refusal(subject_id_hash=subject_hash, at=now,
                                registration_id=registration_id)
        tx.audit.append(at=now, actor_id=actor.id, action="lockout.refused",
                        registration_id=registration_id,
                        detail=f"until={until.isoformat(timespec='seconds')}")
    raise LockedOutError("verification of this document is locked after repeated failures "
                         f"until {until.isoformat(timespec='seconds')}; a supervisor may "
                         "lift it", until=until)


def lockout_status(ctx: ServiceContext, *, actor: Agent, registration_id: str) -> LockoutStatus:
    """Whether the document seen on ``registration_id`` is locked now."""
    require(actor, Permission.RUN_REGISTRATIONS, "see lockouts")
    with ctx.uow() as tx:
        reg = load_visible(tx, actor, registration_id)
        subject = reg.subject_id_hash or tx.lockouts.subject_seen_on(registration_id=reg.id)
        until = (tx.lockouts.active_until(subject_id_hash=subject, now=ctx.clock())
                 if subject else None)
    return LockoutStatus(locked=until is not None, until=until)


def lift_lockout(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                 reason: str) -> LockoutStatus:
    """A supervisor lifts the lock on the document seen on ``registration_id`` (audited)."""
    require(actor, Permission.LIFT_LOCKOUT, "lift a lockout")
    now = ctx.clock()
    with ctx.uow() as tx:
        reg = load_visible(tx, actor, registration_id)
        subject = reg.subject_id_hash or tx.lockouts.subject_seen_on(registration_id=reg.id)
        if not subject or not tx.lockouts.lift(subject_id_hash=subject, at=now, by=actor.id):
            raise NotFoundError("no active lockout for the document of this registration")
        tx.audit.append(at=now, actor_id=actor.id, action="lockout.lift",
                        registration_id=reg.id, detail=reason.strip()[:500])
    return LockoutStatus(locked=False, until=None)


__all__ = ["LockoutStatus", "lift_lockout", "lockout_status", "refuse_if_locked"]
