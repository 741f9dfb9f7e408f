"""The registration workflow service: the one place where stages, storage and audit meet.

Every public method takes the acting :class:`~simkyc.domain.parties.Agent`,
checks what that role may do, runs in one database transaction and appends
to the hash-chained audit log. Evidence bytes are encrypted and written to
the evidence store *before* the transaction that records them commits; if
the process dies in between, the row never exists, the registration is
unchanged, and :meth:`RegistrationService.sweep_orphans` deletes the file.

Stage modules never import this; the HTTP routes call it with stage results.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from simkyc.adapters import crypto
from simkyc.adapters.db import repository as repo
from simkyc.adapters.evidence_store import EvidenceStore
from simkyc.domain.errors import (
    EvidenceKeyDestroyedError,
    IllegalTransitionError,
    InputError,
    NotFoundError,
    SimkycError,
)
from simkyc.domain.evidence import EvidenceKind, EvidenceRef
from simkyc.domain.parties import Agent, Role
from simkyc.domain.policy import DecisionPolicy
from simkyc.domain.registration import Registration, RegistrationStatus
from simkyc.domain.results import StageOutcome


class PermissionDenied(SimkycError):
    """The acting role may not do this (HTTP 403)."""


#: Who may do what. Agents and supervisors act on their own outlet's registrations only.
CAN_RUN_REGISTRATIONS = frozenset({Role.AGENT, Role.SUPERVISOR})
CAN_READ_ANY_REGISTRATION = frozenset({Role.COMPLIANCE, Role.AUDITOR, Role.ADMIN})
CAN_READ_EVIDENCE = frozenset({Role.COMPLIANCE})
CAN_APPROVE_OVERRIDE = frozenset({Role.SUPERVISOR})
CAN_DESTROY_KEYS = frozenset({Role.ADMIN})
CAN_READ_AUDIT = frozenset({Role.AUDITOR, Role.COMPLIANCE, Role.ADMIN})
CAN_MANAGE_AGENTS = frozenset({Role.ADMIN})


def require(actor: Agent, allowed: frozenset[Role], what: str) -> None:
    if actor.role not in allowed:
        raise PermissionDenied(f"role {actor.role.value} may not {what}")


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class NewEvidence:
    """Evidence to store together with a stage result."""

    kind: EvidenceKind
    content_type: str
    data: bytes


def utc_now() -> datetime:
    return datetime.now(UTC)


class RegistrationService:
    """Registrations, evidence, challenges and audit over one database and evidence store."""

    def __init__(
        self,
        *,
        sessions: sessionmaker[Session],
        store: EvidenceStore,
        master_key: bytes,
        policy: DecisionPolicy,
        clock: Callable[[], datetime] = utc_now,
        new_id: Callable[[], str] = lambda: secrets.token_hex(16),
        before_commit: Callable[[], None] | None = None,
    ) -> None:
        self._sessions = sessions
        self.store = store
        self._master_key = master_key
        self.policy = policy
        self.clock = clock
        self._new_id = new_id
        # Test seam: runs after evidence files are written, before the DB commit.
        self._before_commit = before_commit
        self._subject_key = hmac.new(master_key, b"simkyc-subject-id", "sha256").digest()

    @property
    def engine(self) -> Engine:
        """The database engine behind the service's sessions."""
        bind = self._sessions.kw["bind"]
        assert isinstance(bind, Engine)
        return bind

    @contextmanager
    def _tx(self) -> Iterator[Session]:
        with self._sessions() as session, session.begin():
            yield session

    # --- agents ---

    def create_agent(self, *, name: str, role: Role, outlet_name: str | None,
                     operator_name: str = "default",
                     actor: Agent | None = None) -> tuple[Agent, str]:
        """Create an account; returns it and its bearer token (shown once, stored hashed).

        ``actor`` is None only for the local CLI (trusted: it can read the database anyway).
        """
        if actor is not None:
            require(actor, CAN_MANAGE_AGENTS, "create accounts")
        if role in CAN_RUN_REGISTRATIONS and not outlet_name:
            raise InputError(f"an {role.value} needs an outlet")
        token = "sk_" + secrets.token_urlsafe(32)
        with self._tx() as s:
            outlet_id = None
            if outlet_name:
                outlet_id = repo.get_or_create_outlet(
                    s, outlet_name=outlet_name, operator_name=operator_name,
                    new_id=self._new_id()).id
            agent = repo.add_agent(s, agent_id=self._new_id(), name=name, role=role,
                                   outlet_id=outlet_id, token_sha256=token_hash(token),
                                   now=self.clock())
            repo.append_audit(s, at=self.clock(), actor_id=actor.id if actor else None,
                              action="agent.create", detail=f"{agent.id} {role.value}")
        return agent, token

    def authenticate(self, token: str) -> Agent | None:
        with self._tx() as s:
            return repo.agent_by_token_hash(s, token_sha256=token_hash(token))

    # --- registrations ---

    def _visible(self, s: Session, actor: Agent, registration_id: str,
                 for_update: bool = False) -> Registration:
        reg = repo.get_registration(s, registration_id=registration_id, for_update=for_update)
        if actor.role in CAN_READ_ANY_REGISTRATION:
            return reg
        if actor.role in CAN_RUN_REGISTRATIONS and reg.outlet_id == actor.outlet_id:
            return reg
        # Not "forbidden": do not even confirm that another outlet's record exists.
        raise NotFoundError(f"registration {registration_id} not found")

    def start_registration(self, *, actor: Agent, consent: bool, service_kind: str | None = None,
                           service_id: str | None = None,
                           language: str | None = None) -> Registration:
        """Open a registration session. Consent to capture must be given first."""
        require(actor, CAN_RUN_REGISTRATIONS, "start registrations")
        if not consent:
            raise InputError("the customer's consent to capture and processing is required")
        now = self.clock()
        with self._tx() as s:
            outlet = repo.get_outlet(s, outlet_id=actor.outlet_id or "")
            reg = Registration(
                id=self._new_id(), operator_id=outlet.operator_id, outlet_id=outlet.id,
                agent_id=actor.id, status=RegistrationStatus.STARTED,
                policy_version=self.policy.version, created_at=now, updated_at=now,
                consent_at=now, service_kind=service_kind, service_id=service_id)
            repo.add_registration(s, registration=reg, language=language)
            key_id = self._new_id()
            repo.add_data_key(s, key_id=key_id, registration_id=reg.id,
                              wrapped_key=crypto.wrap_key(self._master_key,
                                                          crypto.new_data_key(), key_id),
                              now=now)
            repo.append_audit(s, at=now, actor_id=actor.id, action="registration.start",
                              registration_id=reg.id, detail="consent recorded")
        return reg

    def get_registration(self, *, actor: Agent, registration_id: str) -> Registration:
        with self._tx() as s:
            reg = self._visible(s, actor, registration_id)
            repo.append_audit(s, at=self.clock(), actor_id=actor.id, action="registration.read",
                              registration_id=registration_id)
            return reg

    def registration_view(self, *, actor: Agent, registration_id: str) -> dict[str, Any]:
        """Status, public stage outcomes and evidence kinds (no scores)."""
        with self._tx() as s:
            reg = self._visible(s, actor, registration_id)
            stages = repo.list_stage_results(s, registration_id=registration_id)
            evidence = repo.list_evidence(s, registration_id=registration_id)
            repo.append_audit(s, at=self.clock(), actor_id=actor.id, action="registration.read",
                              registration_id=registration_id)
        return {
            "id": reg.id,
            "status": reg.status.value,
            "policy_version": reg.policy_version,
            "created_at": reg.created_at.isoformat(),
            "updated_at": reg.updated_at.isoformat(),
            "consent_at": reg.consent_at.isoformat() if reg.consent_at else None,
            "service_kind": reg.service_kind,
            "assisted_override": reg.assisted_override,
            "reasons": list(reg.reasons),
            "stages": [o.public_view() for o in stages],
            "evidence": [{"id": e.id, "kind": e.kind.value, "content_type": e.content_type,
                          "size": e.size, "created_at": e.created_at.isoformat()}
                         for e in evidence],
        }

    def failed_stage_attempts(self, *, actor: Agent, registration_id: str, stage: str) -> int:
        """How many recorded outcomes of ``stage`` failed (e.g. voice answers, for retries).

        Not audited as a read: it returns a count, no personal data or scores.
        """
        require(actor, CAN_RUN_REGISTRATIONS, "run registration stages")
        with self._tx() as s:
            self._visible(s, actor, registration_id)
            stages = repo.list_stage_results(s, registration_id=registration_id)
        return sum(1 for o in stages if o.stage == stage and not o.passed)

    def language_of(self, *, registration_id: str) -> str | None:
        with self._tx() as s:
            return repo.registration_language(s, registration_id=registration_id)

    # --- evidence ---

    def _data_key(self, s: Session, registration_id: str) -> tuple[str, bytes]:
        row = repo.get_data_key(s, registration_id=registration_id)
        if row.wrapped_key is None:
            raise EvidenceKeyDestroyedError(
                f"the data key of registration {registration_id} was destroyed")
        return row.key_id, crypto.unwrap_key(self._master_key, row.wrapped_key, row.key_id)

    def _write_evidence(self, s: Session, reg: Registration,
                        items: Sequence[NewEvidence]) -> list[EvidenceRef]:
        key_id, key = self._data_key(s, reg.id)
        refs = []
        for item in items:
            ev_id = self._new_id()
            digest = self.store.write(registration_id=reg.id, evidence_id=ev_id, data_key=key,
                                      plaintext=item.data)
            refs.append(EvidenceRef(id=ev_id, registration_id=reg.id, kind=item.kind,
                                    content_type=item.content_type, size=len(item.data),
                                    sha256=digest, key_id=key_id, created_at=self.clock()))
        return refs

    def record_stage(
        self,
        *,
        actor: Agent,
        registration_id: str,
        outcome: StageOutcome | None,
        on_pass: RegistrationStatus | None = None,
        on_fail: RegistrationStatus | None = None,
        evidence: Sequence[NewEvidence] = (),
        subject_document_number: str | None = None,
    ) -> tuple[Registration, list[EvidenceRef]]:
        """Store a stage's evidence and outcome and move the registration, atomically.

        ``on_pass`` / ``on_fail``: the status to move to (``None``: stay, e.g. a
        retry is allowed). ``outcome=None`` attaches evidence only. Illegal moves raise
        :class:`~simkyc.domain.errors.IllegalTransitionError` and change nothing.
        """
        require(actor, CAN_RUN_REGISTRATIONS, "run registration steps")
        now = self.clock()
        written: list[EvidenceRef] = []
        try:
            with self._tx() as s:
                reg = self._visible(s, actor, registration_id, for_update=True)
                if reg.is_terminal:
                    raise IllegalTransitionError(reg.status.value, "a further step")
                passed = outcome.passed if outcome else True
                target = on_pass if passed else on_fail
                moved = reg
                if target is not None:
                    moved = reg.moved_to(target, at=now,
                                         reasons=outcome.reasons if outcome else ())
                written = self._write_evidence(s, reg, evidence)
                for ref in written:
                    repo.add_evidence(s, ref=ref)
                if outcome is not None and written:
                    # Bind the evidence to the step that produced it: later steps use
                    # exactly these items (bound_evidence), never "the latest of a kind".
                    outcome = replace(outcome, details={
                        **outcome.details,
                        "evidence": {ref.kind.value: ref.id for ref in written}})
                if outcome is not None:
                    repo.add_stage_result(s, registration_id=reg.id, outcome=outcome, now=now)
                if subject_document_number:
                    moved = replace(moved, subject_id_hash=self.subject_hash(
                        subject_document_number))
                if moved is not reg:
                    repo.save_registration(s, registration=moved)
                repo.append_audit(
                    s, at=now, actor_id=actor.id,
                    action=f"stage.{outcome.stage}" if outcome else "evidence.attach",
                    registration_id=reg.id,
                    detail=f"passed={passed} status={moved.status.value} "
                           f"evidence={','.join(r.id for r in written)}")
                if self._before_commit is not None:
                    self._before_commit()
        except BaseException:
            for ref in written:  # the rows were rolled back: drop the files too
                self.store.delete(registration_id=ref.registration_id, evidence_id=ref.id)
            raise
        return moved, written

    def transition(self, *, actor: Agent, registration_id: str, to: RegistrationStatus,
                   reasons: tuple[str, ...] = (), action: str = "registration.transition",
                   allowed: frozenset[Role] = CAN_RUN_REGISTRATIONS,
                   detail: str = "") -> Registration:
        require(actor, allowed, f"move registrations to {to.value}")
        now = self.clock()
        with self._tx() as s:
            reg = self._visible(s, actor, registration_id, for_update=True)
            moved = reg.moved_to(to, at=now, reasons=reasons)
            repo.save_registration(s, registration=moved)
            repo.append_audit(s, at=now, actor_id=actor.id, action=action,
                              registration_id=reg.id, detail=detail or to.value)
        return moved

    def complete_registration(self, *, actor: Agent, registration_id: str,
                              service_kind: str | None = None,
                              service_id: str | None = None) -> Registration:
        """Register the service to the verified identity (``face_matched → registered``).

        Rules: the service (kind and id) is known; the identity holds fewer than
        ``policy.registration.max_numbers_per_identity`` registered services with
        this operator. A broken rule rejects the registration with its reason.
        """
        require(actor, CAN_RUN_REGISTRATIONS, "complete registrations")
        now = self.clock()
        with self._tx() as s:
            reg = self._visible(s, actor, registration_id, for_update=True)
            if reg.status is not RegistrationStatus.FACE_MATCHED:
                raise IllegalTransitionError(reg.status.value, RegistrationStatus.REGISTERED.value)
            reg = replace(reg, service_kind=service_kind or reg.service_kind,
                          service_id=service_id or reg.service_id)
            if not (reg.service_kind and reg.service_id):
                raise InputError("service_kind and service_id are needed to register a service")
            reasons: tuple[str, ...] = ()
            if not reg.subject_id_hash:
                reasons = ("identity_unknown",)
            elif repo.count_registered_for_subject(
                    s, subject_id_hash=reg.subject_id_hash, operator_id=reg.operator_id,
            ) >= self.policy.registration.max_numbers_per_identity:
                reasons = ("too_many_numbers_for_identity",)
            target = RegistrationStatus.REJECTED if reasons else RegistrationStatus.REGISTERED
            moved = reg.moved_to(target, at=now, reasons=reasons)
            repo.save_registration(s, registration=moved)
            repo.append_audit(s, at=now, actor_id=actor.id, action="registration.complete",
                              registration_id=reg.id,
                              detail=f"{target.value} {reg.service_kind} {' '.join(reasons)}")
        return moved

    def bound_evidence(self, *, actor: Agent, registration_id: str, stage: str,
                       kind: EvidenceKind) -> tuple[EvidenceRef, bytes] | None:
        """The evidence of ``kind`` that the passing outcome of ``stage`` produced (audited).

        This is how a later step finds its input: the document photo is the one the
        accepted document step extracted, the live face the one the passed liveness
        step chose. Anything attached afterwards, of whatever kind, cannot take their
        place. None if no passing outcome of ``stage`` produced such an item.
        """
        require(actor, CAN_RUN_REGISTRATIONS, "run registration steps")
        with self._tx() as s:
            reg = self._visible(s, actor, registration_id)
            evidence_id = None
            for o in repo.list_stage_results(s, registration_id=reg.id):
                if o.stage == stage and o.passed:
                    evidence_id = (o.details.get("evidence") or {}).get(kind.value) or evidence_id
            if evidence_id is None:
                return None
            ref = repo.get_evidence(s, evidence_id=evidence_id)
            if ref.registration_id != reg.id or ref.kind is not kind:
                return None
            _, key = self._data_key(s, reg.id)
            data = self.store.read(registration_id=reg.id, evidence_id=ref.id, data_key=key,
                                   sha256=ref.sha256)
            repo.append_audit(s, at=self.clock(), actor_id=actor.id, action="evidence.use",
                              registration_id=reg.id, detail=ref.id)
        return ref, data

    def evidence_bytes(self, *, actor: Agent, registration_id: str,
                       kind: EvidenceKind) -> tuple[EvidenceRef, bytes] | None:
        """The latest evidence of ``kind`` for a stage to work on (audited), or None."""
        with self._tx() as s:
            reg = self._visible(s, actor, registration_id)
            refs = repo.list_evidence(s, registration_id=reg.id, kind=kind)
            if not refs:
                return None
            ref = refs[-1]
            _, key = self._data_key(s, reg.id)
            data = self.store.read(registration_id=reg.id, evidence_id=ref.id, data_key=key,
                                   sha256=ref.sha256)
            repo.append_audit(s, at=self.clock(), actor_id=actor.id, action="evidence.use",
                              registration_id=reg.id, detail=ref.id)
        return ref, data

    def read_evidence(self, *, actor: Agent, evidence_id: str) -> tuple[EvidenceRef, bytes]:
        """Decrypt one evidence item for a reviewer (audited)."""
        require(actor, CAN_READ_EVIDENCE, "read evidence")
        with self._tx() as s:
            ref = repo.get_evidence(s, evidence_id=evidence_id)
            _, key = self._data_key(s, ref.registration_id)
            data = self.store.read(registration_id=ref.registration_id, evidence_id=ref.id,
                                   data_key=key, sha256=ref.sha256)
            repo.append_audit(s, at=self.clock(), actor_id=actor.id, action="evidence.read",
                              registration_id=ref.registration_id, detail=ref.id)
        return ref, data

    def destroy_evidence_key(self, *, actor: Agent, registration_id: str, reason: str) -> None:
        """Crypto-shred a registration's evidence: its data key is erased (audited)."""
        require(actor, CAN_DESTROY_KEYS, "destroy evidence keys")
        with self._tx() as s:
            repo.get_registration(s, registration_id=registration_id)
            repo.destroy_data_key(s, registration_id=registration_id, now=self.clock())
            repo.append_audit(s, at=self.clock(), actor_id=actor.id, action="evidence.destroy_key",
                              registration_id=registration_id, detail=reason)
        self.store.delete_registration(registration_id)

    def sweep_orphans(self, *, older_than_seconds: float = 300.0) -> int:
        """Delete evidence files whose rows were never committed (after a crash)."""
        with self._tx() as s:
            known = repo.all_evidence_ids(s)
        return self.store.sweep_orphans(known, older_than_seconds=older_than_seconds)

    def subject_hash(self, document_number: str) -> str:
        """Keyed hash of a document number: lets rules count per identity without storing it."""
        norm = document_number.strip().upper().encode()
        return hmac.new(self._subject_key, norm, "sha256").hexdigest()

    # --- challenges ---

    def issue_challenge(self, *, actor: Agent, registration_id: str, kind: str, nonce: str,
                        payload: dict[str, Any], ttl_seconds: float) -> datetime:
        """Record a single-use challenge for a session; returns its expiry."""
        require(actor, CAN_RUN_REGISTRATIONS, "issue challenges")
        now = self.clock()
        expires = now + timedelta(seconds=ttl_seconds)
        with self._tx() as s:
            self._visible(s, actor, registration_id)
            repo.add_challenge(s, nonce=nonce, registration_id=registration_id, kind=kind,
                               payload=payload, issued_at=now, expires_at=expires)
            repo.append_audit(s, at=now, actor_id=actor.id, action=f"challenge.{kind}",
                              registration_id=registration_id)
        return expires

    def consume_challenge(self, *, actor: Agent, registration_id: str, kind: str,
                          nonce: str) -> dict[str, Any]:
        """Use a challenge once; a second use, an expired or unknown nonce raises ChallengeError."""
        require(actor, CAN_RUN_REGISTRATIONS, "answer challenges")
        with self._tx() as s:
            self._visible(s, actor, registration_id)
            return repo.consume_challenge(s, nonce=nonce, registration_id=registration_id,
                                          kind=kind, now=self.clock())

    # --- audit ---

    def verify_audit(self, *, actor: Agent) -> dict[str, Any]:
        require(actor, CAN_READ_AUDIT, "read the audit log")
        with self._tx() as s:
            intact, n, bad = repo.verify_audit_chain(s)
        return {"intact": intact, "entries": n, "first_bad_seq": bad}


__all__ = [
    "NewEvidence",
    "PermissionDenied",
    "RegistrationService",
    "require",
    "token_hash",
    "utc_now",
]
