"""The last step: register the service to the verified identity, under the rules.

The rules are pure functions (:mod:`simkyc.domain.rules`, each refusal with its
reason): the identity is known and its fields were kept by the document step
(``identity_unknown``); the upper-body photo the flow requires was kept
(``upper_body_missing``); the document is valid on the registration date
(``document_expired``); the customer is at least the policy's minimum age on
that date (``under_minimum_age``); the identity holds fewer than
``policy.registration.max_numbers_per_identity`` *active* services with this
operator (``too_many_numbers_for_identity``; an ended service frees its
count); neither the number nor the SIM (ICCID) is already active
(``service_id_in_use``, ``iccid_in_use``). The facts are gathered and the move
made in one unit of work holding the identity's and the number's locks, so
concurrent registrations cannot break a rule. A broken rule rejects the
registration; it does not count toward the document lockout.

The service itself is checked first, on the server, whatever the page checked:
a mobile number must be a valid mobile number, a landline a fixed line
(``phonenumbers``, national numbers read as Chinese), kept in E.164 so one
number written two ways is one number; a SIM's ICCID must be 19 or 20 digits
from ``89`` with its Luhn check digit (``python-stdnum``). A number or ICCID
that fails is a mistake to correct, not a rule broken: nothing changes and
:class:`~simkyc.domain.errors.ServiceInvalidError` (``service_invalid``, HTTP
422) carries the reasons (``phone_number_invalid``, ``not_a_mobile_number``,
``not_a_fixed_line``, ``iccid_format``, ``iccid_checksum``).

On ``registered``, the same unit of work adds the active service, signs the
records and queues their deliveries (:func:`simkyc.services.records.issue_records`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simkyc.domain.errors import InputError, ServiceInvalidError
from simkyc.domain.evidence import EvidenceKind as K
from simkyc.domain.parties import Agent
from simkyc.domain.registration import Registration, RegistrationStatus
from simkyc.domain.results import StageOutcome
from simkyc.domain.rules import RuleFacts, RuleLimits, broken_rules
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import bound_evidence
from simkyc.services.identity_fields import parse_date, parse_identity
from simkyc.services.ports import UnitOfWork
from simkyc.services.records import issue_records
from simkyc.services.records_ports import ActiveService
from simkyc.services.registrations import with_service
from simkyc.services.service_numbers import check_service
from simkyc.services.steps.common import StepResult, begin_step, record_step

STEP = "register"
#: Numbers without a country code are read as numbers of this region.
REGION = "CN"


@dataclass(frozen=True)
class ServiceToRegister:
    """The service, if not named when the registration started (kind and MSISDN/line id),
    and the SIM card's ICCID (optional)."""

    service_kind: str | None = None
    service_id: str | None = None
    iccid: str | None = None


def rule_limits(ctx: ServiceContext) -> RuleLimits:
    p = ctx.policy
    return RuleLimits(max_active_services=p.registration.max_numbers_per_identity,
                      minimum_age_years=p.document.minimum_age_years,
                      reject_expired=p.document.reject_expired)


def run_register(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                 submission: ServiceToRegister = ServiceToRegister()) -> StepResult:
    """Register the service (``face_matched -> registered``) or reject with the rules broken."""
    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP)
    named = with_service(begun.registration, service_kind=submission.service_kind,
                         service_id=submission.service_id)
    if not (named.service_kind and named.service_id):
        raise InputError("service_kind and service_id are needed to register a service")
    checked = check_service(named.service_kind, named.service_id,
                            iccid=(submission.iccid or "").strip() or None, region=REGION)
    if not checked.valid:
        raise ServiceInvalidError("the service cannot be registered: "
                                  + ", ".join(checked.reasons), reasons=checked.reasons,
                                  language=begun.registration.language)
    named = with_service(named, service_kind=named.service_kind, service_id=checked.number)
    iccid = checked.iccid
    definition = ctx.flow.step(STEP)
    identity: dict[str, Any] = {}

    def rules(tx: UnitOfWork, reg: Registration) -> tuple[str, ...]:
        kept = {e.kind for e in tx.evidence.list(registration_id=reg.id)}
        found = bound_evidence(ctx, tx, reg, step="document", kind=K.IDENTITY_FIELDS,
                               actor_id=actor.id) if reg.subject_id_hash else None
        if found is not None:
            identity.update(parse_identity(found[1]))
        service_id = reg.service_id or ""
        tx.lock_subject(f"service:{reg.operator_id}:{service_id}")
        if iccid:
            tx.lock_subject(f"iccid:{reg.operator_id}:{iccid}")
        facts = RuleFacts(
            on=ctx.clock().date(),
            identity_known=bool(reg.subject_id_hash) and found is not None,
            upper_body_required=K.UPPER_BODY in definition.requires_evidence,
            upper_body_kept=K.UPPER_BODY in kept,
            birth_date=parse_date(identity.get("birth_date")),
            valid_until=parse_date(identity.get("valid_until")),
            active_services=tx.services.count_active(
                subject_id_hash=reg.subject_id_hash or "", operator_id=reg.operator_id),
            service_id_active=tx.services.is_active(operator_id=reg.operator_id,
                                                    service_id=service_id),
            iccid_active=bool(iccid) and tx.services.is_active(operator_id=reg.operator_id,
                                                               iccid=iccid))
        return broken_rules(facts, rule_limits(ctx))

    def registered(tx: UnitOfWork, reg: Registration, passed: bool) -> None:
        if not passed or reg.status is not RegistrationStatus.REGISTERED:
            return
        assert reg.subject_id_hash and reg.service_kind and reg.service_id
        tx.services.add(service=ActiveService(
            id=reg.id, registration_id=reg.id, operator_id=reg.operator_id,
            subject_id_hash=reg.subject_id_hash, service_kind=reg.service_kind,
            service_id=reg.service_id, iccid=iccid, active=True, started_at=reg.updated_at))
        issue_records(ctx, tx, reg, identity, iccid=iccid, actor_id=actor.id)

    outcome = StageOutcome(stage=STEP, passed=True, policy_version=ctx.policy.version,
                           details={"service_kind": named.service_kind})

    def public(reg: Any, passed: bool, reasons: tuple[str, ...]) -> StepResult:
        return StepResult(step=STEP, registration_id=reg.id, passed=passed, reasons=reasons,
                          status=reg.status, language=reg.language)

    rec = record_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                      outcome=outcome, extra_rule=rules, counts_toward_lockout=False,
                      amend=lambda reg: with_service(reg, service_kind=named.service_kind,
                                                     service_id=named.service_id),
                      on_recorded=registered)
    return public(rec.registration, rec.passed, rec.reasons)


__all__ = ["REGION", "ServiceToRegister", "rule_limits", "run_register"]
