"""The last step: register the service to the verified identity, under the rules.

Rules (from the policy, each refusal with its reason): the service is named
(kind and id); the identity is known (the document step set it); the upper-body
photo the rules require was kept (``upper_body_missing``); the identity holds
fewer than ``policy.registration.max_numbers_per_identity`` registered
services with this operator (``too_many_numbers_for_identity``). The count
and the move happen in one unit of work holding the identity's lock, so
concurrent registrations of one identity cannot exceed the limit. A broken
rule rejects the registration; it does not count toward the document lockout.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simkyc.domain.errors import InputError
from simkyc.domain.evidence import EvidenceKind as K
from simkyc.domain.parties import Agent
from simkyc.domain.registration import Registration
from simkyc.domain.results import StageOutcome
from simkyc.services.context import ServiceContext
from simkyc.services.ports import UnitOfWork
from simkyc.services.registrations import with_service
from simkyc.services.steps.common import StepResult, begin_step, record_step

STEP = "register"


@dataclass(frozen=True)
class ServiceToRegister:
    """The service, if not named when the registration started (kind and MSISDN/line id)."""

    service_kind: str | None = None
    service_id: str | None = None


def run_register(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                 submission: ServiceToRegister = ServiceToRegister()) -> StepResult:
    """Register the service (``face_matched -> registered``) or reject with the rule broken."""
    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP)
    named = with_service(begun.registration, service_kind=submission.service_kind,
                         service_id=submission.service_id)
    if not (named.service_kind and named.service_id):
        raise InputError("service_kind and service_id are needed to register a service")
    definition = ctx.flow.step(STEP)

    def rules(tx: UnitOfWork, reg: Registration) -> tuple[str, ...]:
        reasons: list[str] = []
        kept = {e.kind for e in tx.evidence.list(registration_id=reg.id)}
        if not reg.subject_id_hash:
            reasons.append("identity_unknown")
        elif K.UPPER_BODY in definition.requires_evidence and K.UPPER_BODY not in kept:
            reasons.append("upper_body_missing")
        elif tx.registrations.count_registered_for_subject(
                subject_id_hash=reg.subject_id_hash, operator_id=reg.operator_id,
        ) >= ctx.policy.registration.max_numbers_per_identity:
            reasons.append("too_many_numbers_for_identity")
        return tuple(reasons)

    outcome = StageOutcome(stage=STEP, passed=True, policy_version=ctx.policy.version,
                           details={"service_kind": named.service_kind})

    def public(reg: Any, passed: bool, reasons: tuple[str, ...]) -> StepResult:
        return StepResult(step=STEP, registration_id=reg.id, passed=passed, reasons=reasons,
                          status=reg.status, language=reg.language)

    rec = record_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                      outcome=outcome, extra_rule=rules, counts_toward_lockout=False,
                      amend=lambda reg: with_service(reg, service_kind=named.service_kind,
                                                     service_id=named.service_id))
    return public(rec.registration, rec.passed, rec.reasons)


__all__ = ["ServiceToRegister", "run_register"]
