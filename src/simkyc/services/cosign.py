"""A supervisor signs at the agent's counter with their own user name and password.

The agent's session stays signed in; the supervisor's credentials are checked
(throttled like a sign-in, :func:`simkyc.services.sessions.check_password`)
for this one act, which then runs *as the supervisor*: the override of the
voice step, or lifting a document's lockout. Both the agent and the
supervisor are in the audit chain. Wrong supervisor credentials are
:class:`PermissionDenied` (the agent's own session is not in question).
"""

from __future__ import annotations

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import AuthenticationError, PermissionDenied
from simkyc.domain.parties import Agent
from simkyc.services.accounts import FailureThrottle
from simkyc.services.context import ServiceContext
from simkyc.services.lockouts import LockoutStatus, lift_lockout
from simkyc.services.registrations import load_visible
from simkyc.services.sessions import check_password
from simkyc.services.steps import OverrideApproval, StepResult, approve_voice_override


def _supervisor(ctx: ServiceContext, *, agent: Agent, registration_id: str, username: str,
                password: str, client: str, throttle: FailureThrottle | None) -> Agent:
    require(agent, Permission.RUN_REGISTRATIONS, "ask for a supervisor's signature")
    with ctx.uow() as tx:
        load_visible(tx, agent, registration_id)
    try:
        return check_password(ctx, username=username, password=password, client=client,
                              throttle=throttle, purpose="cosign")
    except AuthenticationError:
        raise PermissionDenied("the supervisor's user name or password is wrong") from None


def _audit(ctx: ServiceContext, agent: Agent, supervisor: Agent, registration_id: str,
           what: str) -> None:
    with ctx.uow() as tx:
        tx.audit.append(at=ctx.clock(), actor_id=agent.id, action=f"{what}.cosigned",
                        registration_id=registration_id, detail=f"signed by {supervisor.id}")


def cosigned_voice_override(ctx: ServiceContext, *, agent: Agent, registration_id: str,
                            username: str, password: str, reason: str, client: str = "",
                            throttle: FailureThrottle | None = None) -> StepResult:
    """The supervisor (by credentials) approves the voice override at ``agent``'s counter."""
    supervisor = _supervisor(ctx, agent=agent, registration_id=registration_id,
                             username=username, password=password, client=client,
                             throttle=throttle)
    result = approve_voice_override(ctx, actor=supervisor, registration_id=registration_id,
                                    submission=OverrideApproval(reason=reason))
    _audit(ctx, agent, supervisor, registration_id, "voice_override")
    return result


def cosigned_lockout_lift(ctx: ServiceContext, *, agent: Agent, registration_id: str,
                          username: str, password: str, reason: str, client: str = "",
                          throttle: FailureThrottle | None = None) -> LockoutStatus:
    """The supervisor (by credentials) lifts the lockout seen on ``registration_id``."""
    supervisor = _supervisor(ctx, agent=agent, registration_id=registration_id,
                             username=username, password=password, client=client,
                             throttle=throttle)
    status = lift_lockout(ctx, actor=supervisor, registration_id=registration_id,
                          reason=reason)
    _audit(ctx, agent, supervisor, registration_id, "lockout_lift")
    return status


__all__ = ["cosigned_lockout_lift", "cosigned_voice_override"]
