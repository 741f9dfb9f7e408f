"""What every step shares: its typed result, the cheap check before work, the one
transaction that records it.

A step runs in three phases so that seconds of model time never hold a lock
and a refused request stores nothing:

1. :func:`begin_step` (one short unit of work): the actor's role and outlet,
   the session time-out, the flow's precondition, the document lockout, the
   attempt cap; a replay of an idempotency key returns the stored result.
2. The step decodes and checks its input and runs its stage (no transaction).
3. :func:`record_step` (one unit of work): the registration row is locked and
   the precondition checked again, the evidence written and bound to the
   outcome, the status moved, failures counted toward the lockout, the audit
   entry appended and the result stored under its idempotency key, all or
   nothing.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import ConflictError, IllegalTransitionError, LockedOutError
from simkyc.domain.evidence import EvidenceRef
from simkyc.domain.flow import StepDefinition
from simkyc.domain.parties import Agent
from simkyc.domain.registration import Registration, RegistrationStatus
from simkyc.domain.results import StageOutcome
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import NewEvidence, drop_files, write_items
from simkyc.services.policy_doc import policy_sha256
from simkyc.services.ports import UnitOfWork
from simkyc.services.registrations import expire_if_stale, load_visible


@dataclass(frozen=True)
class StepResult:
    """What a step decided, as a client may see it: pass/fail and reasons, never scores.

    ``status``: the registration's status afterwards. ``attempt``: this
    attempt's number for steps that may be retried. ``next``: what the agent
    does next (``retry``, ``supervisor_override``, or the next step's name).
    ``details``: step-specific public facts (liveness per-action pass/fail,
    voice per-check pass/fail, faces found, the document kind).
    ``language``: the customer's language, for messages.
    """

    step: str
    registration_id: str
    passed: bool
    reasons: tuple[str, ...]
    status: RegistrationStatus
    attempt: int | None = None
    next: str | None = None
    language: str | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"step": self.step, "registration_id": self.registration_id,
                "passed": self.passed, "reasons": list(self.reasons),
                "status": self.status.value, "attempt": self.attempt, "next": self.next,
                "language": self.language, "details": dict(self.details)}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any]) -> StepResult:
        return cls(step=d["step"], registration_id=d["registration_id"], passed=d["passed"],
                   reasons=tuple(d["reasons"]), status=RegistrationStatus(d["status"]),
                   attempt=d.get("attempt"), next=d.get("next"), language=d.get("language"),
                   details=dict(d.get("details") or {}))


@dataclass(frozen=True)
class Begun:
    """The registration as the step found it, or the stored result of a replayed request."""

    registration: Registration
    replay: StepResult | None = None


def request_digest(*parts: bytes | str | None) -> str:
    """SHA-256 over a request's parts: an idempotency key is bound to what was sent."""
    h = hashlib.sha256()
    for p in parts:
        b = b"" if p is None else (p.encode() if isinstance(p, str) else p)
        h.update(len(b).to_bytes(8, "big"))
        h.update(b)
    return h.hexdigest()


def _replayed(tx: UnitOfWork, actor: Agent, key: str | None, digest: str | None,
              registration_id: str) -> StepResult | None:
    if not key:
        return None
    found = tx.idempotency.get(actor_id=actor.id, key=key)
    if found is None:
        return None
    stored_digest, response = found
    if digest is not None and stored_digest != digest:
        raise ConflictError("this Idempotency-Key was used for a different request")
    if response.get("registration_id") != registration_id:
        # A key is bound to its registration: a replay elsewhere must not report a step
        # that never ran there.
        raise ConflictError("this Idempotency-Key was used for another registration")
    return StepResult.from_dict(response)


def check_lockout(ctx: ServiceContext, tx: UnitOfWork, subject_id_hash: str | None) -> None:
    if not subject_id_hash:
        return
    until = tx.lockouts.active_until(subject_id_hash=subject_id_hash, now=ctx.clock())
    if until is not None:
        raise LockedOutError("verification of this document is locked after repeated "
                             f"failures until {until.isoformat(timespec='seconds')}; "
                             "a supervisor may lift it", until=until)


def attempts_of(tx: UnitOfWork, registration_id: str, step: str) -> int:
    """Failed outcomes of ``step`` recorded for the registration."""
    return sum(1 for o in tx.stages.list(registration_id=registration_id)
               if o.stage == step and not o.passed)


def max_attempts(ctx: ServiceContext, step: str) -> int | None:
    """How many failed attempts of ``step`` one registration may make (None: no cap)."""
    rules = ctx.policy.registration
    return {"live_face": rules.max_live_face_attempts,
            "liveness": rules.max_liveness_attempts,
            "voice": ctx.policy.voice.max_attempts}.get(step)


def begin_step(ctx: ServiceContext, *, actor: Agent, registration_id: str, step: str,
               idempotency_key: str | None = None,
               request_sha256: str | None = None) -> Begun:
    """Check, before any expensive work, that ``step`` may run now (phase 1)."""
    definition = ctx.flow.step(step)
    _require_role(actor, definition)
    expired = False
    with ctx.uow() as tx:
        replay = _replayed(tx, actor, idempotency_key, request_sha256, registration_id)
        reg = load_visible(tx, actor, registration_id, for_update=replay is None)
        if replay is not None:
            return Begun(reg, replay)
        moved = expire_if_stale(ctx, tx, reg, actor_id=actor.id)
        expired = moved is not reg
        reg = moved
    if expired:  # committed above; now refuse the step
        raise IllegalTransitionError(reg.status.value, step)
    definition.check_can_run(reg.status)
    with ctx.uow() as tx:
        check_lockout(ctx, tx, reg.subject_id_hash)
        cap = max_attempts(ctx, step)
        if cap is not None and step != "voice" and attempts_of(tx, reg.id, step) >= cap:
            raise IllegalTransitionError(reg.status.value, step)
    return Begun(reg)


def _require_role(actor: Agent, definition: StepDefinition) -> None:
    if definition.role == "supervisor":
        require(actor, Permission.APPROVE_OVERRIDE, f"run the {definition.name} step")
    else:
        require(actor, Permission.RUN_REGISTRATIONS, f"run the {definition.name} step")


@dataclass(frozen=True)
class Recorded:
    """What :func:`record_step` committed: the registration afterwards, the final
    decision (a registration rule or the attempt cap may have changed it) and the
    evidence kept."""

    registration: Registration
    passed: bool
    reasons: tuple[str, ...]
    evidence: tuple[EvidenceRef, ...]
    locked_out: bool = False


def record_step(
    ctx: ServiceContext,
    *,
    actor: Agent,
    registration_id: str,
    step: str,
    outcome: StageOutcome | None,
    evidence: Sequence[NewEvidence] = (),
    move: bool = True,
    subject: str | None = None,
    failure_subject: str | None = None,
    result: Any = None,
    idempotency_key: str | None = None,
    request_sha256: str | None = None,
    extra_rule: Any = None,
    counts_toward_lockout: bool = True,
    only_from: RegistrationStatus | None = None,
    amend: Any = None,
    on_recorded: Any = None,
) -> Recorded:
    """Store a step's evidence and outcome and move the registration, atomically (phase 3).

    ``move``: apply the flow's ``on_pass`` / ``on_fail`` (False: record only).
    ``subject``: the identity this step established (stored as a keyed hash).
    ``failure_subject``: the identity a failed attempt counts against for the
    lockout when the registration has none yet (a refused document).
    ``result``: a callable ``(registration, passed, reasons) -> StepResult`` whose
    result is stored under ``idempotency_key`` in the same transaction.
    ``extra_rule``: a callable ``(tx, Registration) -> tuple[str, ...]`` run under
    the lock; reasons it returns turn a pass into a fail (registration rules).
    ``counts_toward_lockout``: a failed outcome counts as a failed verification
    of the identity (False for rule refusals, which are not).
    ``only_from``: a narrower precondition than the flow's, checked under the lock
    (an identity document only while ``started``).
    ``amend``: a callable ``(Registration) -> Registration`` applied under the lock
    before the move (the service named at the register step).
    ``on_recorded``: a callable ``(tx, Registration, passed)`` run under the lock after
    the move, in the same transaction (the register step issues the signed record).
    Every stage result records the canonical SHA-256 of the policy it was decided
    under (``details["policy_sha256"]``).
    """
    definition = ctx.flow.step(step)
    _require_role(actor, definition)
    now = ctx.clock()
    written: list[EvidenceRef] = []
    locked = False
    try:
        with ctx.uow() as tx:
            stored = load_visible(tx, actor, registration_id, for_update=True)
            if stored.is_terminal:
                raise IllegalTransitionError(stored.status.value, step)
            definition.check_can_run(stored.status)
            reg = amend(stored) if amend is not None else stored
            if only_from is not None and reg.status is not only_from:
                raise IllegalTransitionError(reg.status.value, step)
            subject_hash = ctx.keys.subject_hash(subject) if subject else None
            counted_hash = reg.subject_id_hash or subject_hash or (
                ctx.keys.subject_hash(failure_subject) if failure_subject else None)
            if counted_hash:
                tx.lock_subject(counted_hash)
                check_lockout(ctx, tx, counted_hash)
            passed = outcome.passed if outcome is not None else True
            reasons = outcome.reasons if outcome is not None else ()
            if extra_rule is not None and passed:
                broken = tuple(extra_rule(tx, reg))
                if broken:
                    passed, reasons = False, broken
                    assert outcome is not None
                    outcome = replace(outcome, passed=False, reasons=broken)
            target = (definition.on_pass if passed else definition.on_fail) if move else None
            cap = max_attempts(ctx, step)
            if (not passed and cap is not None and step != "voice"
                    and attempts_of(tx, reg.id, step) + 1 >= cap):
                target = RegistrationStatus.REJECTED
                reasons = (*reasons, "too_many_attempts")
            write_items(ctx, tx, reg, evidence, written)
            if outcome is not None:
                outcome = replace(outcome, details={**outcome.details,
                                                    "policy_sha256": policy_sha256(ctx.policy)})
                if written:
                    outcome = replace(outcome, details={
                        **outcome.details,
                        "evidence": {ref.kind.value: ref.id for ref in written}})
                tx.stages.add(registration_id=reg.id, outcome=outcome, now=now)
            moved = reg
            if target is not None:
                moved = reg.moved_to(target, at=now, reasons=reasons)
            if subject_hash and passed:
                moved = replace(moved, subject_id_hash=subject_hash)
            if moved != stored:
                tx.registrations.save(registration=moved)
            if on_recorded is not None:
                on_recorded(tx, moved, passed)
            if counted_hash and not passed and outcome is not None and counts_toward_lockout:
                locked = _count_failure(ctx, tx, counted_hash, reg.id, step, now)
            tx.audit.append(
                at=now, actor_id=actor.id,
                action=f"stage.{outcome.stage}" if outcome is not None else "evidence.attach",
                registration_id=reg.id,
                detail=f"passed={passed} status={moved.status.value} "
                       f"evidence={','.join(r.id for r in written)}")
            if result is not None and idempotency_key:
                if tx.idempotency.get(actor_id=actor.id, key=idempotency_key) is not None:
                    # A concurrent request with the same key completed first.
                    raise ConflictError("a request with this Idempotency-Key was completed "
                                        "meanwhile; send it again to get its answer")
                tx.idempotency.put(actor_id=actor.id, key=idempotency_key,
                                   request_sha256=request_sha256 or "",
                                   response=result(moved, passed, reasons).to_dict(),
                                   now=now)
            if ctx.before_commit is not None:
                ctx.before_commit()
    except BaseException:
        drop_files(ctx, written)  # the rows were rolled back: drop the files too
        raise
    return Recorded(registration=moved, passed=passed, reasons=tuple(reasons),
                    evidence=tuple(written), locked_out=locked)


def _count_failure(ctx: ServiceContext, tx: UnitOfWork, subject_hash: str,
                   registration_id: str, step: str, now: datetime) -> bool:
    """Count a failed attempt; lock the document when the policy's limit is reached."""
    rules = ctx.policy.registration
    tx.lockouts.add_failure(subject_id_hash=subject_hash, at=now,
                            registration_id=registration_id, stage=step)
    since = now - timedelta(seconds=rules.lockout_window_seconds)
    if tx.lockouts.failures_since(subject_id_hash=subject_hash,
                                  since=since) >= rules.lockout_failures:
        until = now + timedelta(seconds=rules.lockout_seconds)
        tx.lockouts.lock(subject_id_hash=subject_hash, at=now, until=until)
        tx.audit.append(at=now, actor_id=None, action="lockout.set",
                        registration_id=registration_id,
                        detail=f"until={until.isoformat(timespec='seconds')}")
        return True
    return False


__all__ = [
    "Begun",
    "Recorded",
    "StepResult",
    "attempts_of",
    "begin_step",
    "check_lockout",
    "max_attempts",
    "record_step",
    "request_digest",
]
