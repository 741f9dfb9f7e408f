"""Registrations: open one (consent first), read it, and the rules every step shares.

The helpers here run inside a unit of work: :func:`load_visible` loads a
registration the actor may see, :func:`expire_if_stale` ends a session left
open past its time-out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from simkyc.domain.access import Permission, require, require_visible
from simkyc.domain.errors import InputError
from simkyc.domain.parties import Agent
from simkyc.domain.registration import Registration, RegistrationStatus
from simkyc.services.context import ServiceContext
from simkyc.services.ports import UnitOfWork

#: Services a registration may be for.
SERVICE_KINDS = ("mobile", "landline", "broadband")


@dataclass(frozen=True)
class StageView:
    stage: str
    passed: bool
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class EvidenceView:
    id: str
    kind: str
    content_type: str
    size: int
    created_at: datetime


@dataclass(frozen=True)
class RegistrationView:
    """What a client may see of a registration: status, pass/fail, reasons; never scores."""

    id: str
    status: RegistrationStatus
    policy_version: str
    flow_version: str
    created_at: datetime
    updated_at: datetime
    consent_at: datetime | None
    service_kind: str | None
    language: str | None
    assisted_override: bool
    reasons: tuple[str, ...]
    stages: tuple[StageView, ...]
    evidence: tuple[EvidenceView, ...]
    expires_at: datetime | None


def load_visible(tx: UnitOfWork, actor: Agent, registration_id: str, *,
                 for_update: bool = False) -> Registration:
    reg = tx.registrations.get(registration_id=registration_id, for_update=for_update)
    require_visible(actor, reg)
    return reg


def session_deadline(ctx: ServiceContext, reg: Registration) -> datetime:
    return reg.created_at + timedelta(seconds=ctx.policy.registration.session_ttl_seconds)


def expire_if_stale(ctx: ServiceContext, tx: UnitOfWork, reg: Registration, *,
                    actor_id: str | None) -> Registration:
    """Move an open registration past its session time-out to ``expired`` (audited)."""
    now = ctx.clock()
    if reg.is_terminal or now <= session_deadline(ctx, reg):
        return reg
    moved = reg.moved_to(RegistrationStatus.EXPIRED, at=now, reasons=("session_timeout",))
    tx.registrations.save(registration=moved)
    tx.audit.append(at=now, actor_id=actor_id, action="registration.expire",
                    registration_id=reg.id, detail="session_timeout")
    return moved


def validate_language(language: str | None) -> str | None:
    """The customer's digit language (ISO 639-3 / 639-1 code), checked; None if not given."""
    if language is None:
        return None
    from simkyc.voice import require_language

    code = language.strip()
    require_language(code)
    return code


def start_registration(ctx: ServiceContext, *, actor: Agent, consent: bool,
                       service_kind: str | None = None, service_id: str | None = None,
                       language: str | None = None) -> Registration:
    """Open a registration at the actor's outlet. The customer's consent comes first.

    ``consent`` must be exactly ``True``; ``language`` (the customer's, for
    prompts and the digit challenge) is fixed here for the whole session.
    """
    require(actor, Permission.RUN_REGISTRATIONS, "start registrations")
    if consent is not True:
        raise InputError("the customer's consent to capture and processing is required")
    if service_kind is not None and service_kind not in SERVICE_KINDS:
        raise InputError(f"service_kind must be one of {', '.join(SERVICE_KINDS)}")
    lang = validate_language(language)
    now = ctx.clock()
    with ctx.uow() as tx:
        outlet = tx.accounts.get_outlet(outlet_id=actor.outlet_id or "")
        reg = Registration(
            id=ctx.new_id(), operator_id=outlet.operator_id, outlet_id=outlet.id,
            agent_id=actor.id, status=RegistrationStatus.STARTED,
            policy_version=ctx.policy.version, flow_version=ctx.flow.version,
            created_at=now, updated_at=now, consent_at=now, service_kind=service_kind,
            service_id=service_id, language=lang)
        tx.registrations.add(registration=reg)
        key_id = ctx.new_id()
        tx.keys.add(key_id=key_id, registration_id=reg.id,
                    wrapped_key=ctx.keys.wrap(ctx.keys.new_data_key(), key_id), now=now)
        tx.audit.append(at=now, actor_id=actor.id, action="registration.start",
                        registration_id=reg.id, detail="consent recorded")
    return reg


def view_registration(ctx: ServiceContext, *, actor: Agent,
                      registration_id: str) -> RegistrationView:
    """Status, public stage outcomes and the evidence kept (audited as a read)."""
    with ctx.uow() as tx:
        reg = load_visible(tx, actor, registration_id, for_update=True)
        reg = expire_if_stale(ctx, tx, reg, actor_id=actor.id)
        stages = tx.stages.list(registration_id=reg.id)
        evidence = tx.evidence.list(registration_id=reg.id)
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="registration.read",
                        registration_id=reg.id)
    return RegistrationView(
        id=reg.id, status=reg.status, policy_version=reg.policy_version,
        flow_version=reg.flow_version, created_at=reg.created_at, updated_at=reg.updated_at,
        consent_at=reg.consent_at, service_kind=reg.service_kind, language=reg.language,
        assisted_override=reg.assisted_override, reasons=reg.reasons,
        stages=tuple(StageView(o.stage, o.passed, o.reasons) for o in stages),
        evidence=tuple(EvidenceView(e.id, e.kind.value, e.content_type, e.size, e.created_at)
                       for e in evidence),
        expires_at=None if reg.is_terminal else session_deadline(ctx, reg))


def with_service(reg: Registration, *, service_kind: str | None,
                 service_id: str | None) -> Registration:
    """The registration with the service named at the register step (if given)."""
    if service_kind is not None and service_kind not in SERVICE_KINDS:
        raise InputError(f"service_kind must be one of {', '.join(SERVICE_KINDS)}")
    return replace(reg, service_kind=service_kind or reg.service_kind,
                   service_id=service_id or reg.service_id)


__all__ = [
    "EvidenceView",
    "RegistrationView",
    "SERVICE_KINDS",
    "StageView",
    "expire_if_stale",
    "load_visible",
    "session_deadline",
    "start_registration",
    "validate_language",
    "view_registration",
    "with_service",
]
