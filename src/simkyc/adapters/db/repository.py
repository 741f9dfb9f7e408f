"""Keyword-only data-access functions over a SQLAlchemy ``Session``.

They map rows to domain objects and never commit: the caller owns the
transaction (see :mod:`simkyc.workflow`).
"""

from __future__ import annotations

import hashlib
import json
import math
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from simkyc.adapters.db.tables import (
    AgentRow,
    AuditRow,
    ChallengeRow,
    DataKeyRow,
    EvidenceRow,
    OperatorRow,
    OutletRow,
    RegistrationRow,
    StageResultRow,
)
from simkyc.domain.errors import ChallengeError, NotFoundError
from simkyc.domain.evidence import EvidenceKind, EvidenceRef
from simkyc.domain.parties import Agent, Outlet, Role
from simkyc.domain.registration import Registration, RegistrationStatus
from simkyc.domain.results import StageOutcome

GENESIS_HASH = "0" * 64


def _utc(dt: datetime | None) -> datetime | None:
    # SQLite returns naive datetimes; everything we store is UTC.
    if dt is not None and dt.tzinfo is None:
        return dt.replace(tzinfo=UTC)
    return dt


# --- operators, outlets, agents ------------------------------------------------------------

def get_or_create_outlet(session: Session, *, outlet_name: str, operator_name: str,
                         new_id: str) -> Outlet:
    row = session.scalar(select(OutletRow).where(OutletRow.name == outlet_name))
    if row is None:
        op = session.scalar(select(OperatorRow).where(OperatorRow.name == operator_name))
        if op is None:
            op = OperatorRow(id=new_id, name=operator_name)
            session.add(op)
            session.flush()
        row = OutletRow(id=new_id, operator_id=op.id, name=outlet_name)
        session.add(row)
        session.flush()
    return Outlet(id=row.id, operator_id=row.operator_id, name=row.name)


def get_outlet(session: Session, *, outlet_id: str) -> Outlet:
    row = session.get(OutletRow, outlet_id)
    if row is None:
        raise NotFoundError(f"outlet {outlet_id} not found")
    return Outlet(id=row.id, operator_id=row.operator_id, name=row.name)


def add_agent(session: Session, *, agent_id: str, name: str, role: Role, outlet_id: str | None,
              token_sha256: str, now: datetime) -> Agent:
    session.add(AgentRow(id=agent_id, name=name, role=role.value, outlet_id=outlet_id,
                         token_sha256=token_sha256, active=True, created_at=now))
    session.flush()
    return Agent(id=agent_id, name=name, role=role, outlet_id=outlet_id)


def agent_by_token_hash(session: Session, *, token_sha256: str) -> Agent | None:
    row = session.scalar(select(AgentRow).where(AgentRow.token_sha256 == token_sha256))
    if row is None or not row.active:
        return None
    return Agent(id=row.id, name=row.name, role=Role(row.role), outlet_id=row.outlet_id,
                 active=row.active)


# --- registrations ---

def _to_registration(row: RegistrationRow) -> Registration:
    return Registration(
        id=row.id, operator_id=row.operator_id, outlet_id=row.outlet_id, agent_id=row.agent_id,
        status=RegistrationStatus(row.status), policy_version=row.policy_version,
        created_at=_utc(row.created_at), updated_at=_utc(row.updated_at),  # type: ignore[arg-type]
        consent_at=_utc(row.consent_at), service_kind=row.service_kind,
        service_id=row.service_id, subject_id_hash=row.subject_id_hash,
        assisted_override=row.assisted_override, reasons=tuple(row.reasons or ()),
    )


def add_registration(session: Session, *, registration: Registration,
                     language: str | None = None) -> None:
    r = registration
    session.add(RegistrationRow(
        id=r.id, operator_id=r.operator_id, outlet_id=r.outlet_id, agent_id=r.agent_id,
        status=r.status.value, policy_version=r.policy_version, created_at=r.created_at,
        updated_at=r.updated_at, consent_at=r.consent_at, language=language,
        service_kind=r.service_kind, service_id=r.service_id,
        subject_id_hash=r.subject_id_hash, assisted_override=r.assisted_override,
        reasons=list(r.reasons),
    ))
    session.flush()


def get_registration(session: Session, *, registration_id: str,
                     for_update: bool = False) -> Registration:
    stmt = select(RegistrationRow).where(RegistrationRow.id == registration_id)
    if for_update:
        stmt = stmt.with_for_update()
    row = session.scalar(stmt)
    if row is None:
        raise NotFoundError(f"registration {registration_id} not found")
    return _to_registration(row)


def registration_language(session: Session, *, registration_id: str) -> str | None:
    row = session.get(RegistrationRow, registration_id)
    return row.language if row else None


def save_registration(session: Session, *, registration: Registration) -> None:
    row = session.get(RegistrationRow, registration.id)
    if row is None:
        raise NotFoundError(f"registration {registration.id} not found")
    row.status = registration.status.value
    row.updated_at = registration.updated_at
    row.reasons = list(registration.reasons)
    row.assisted_override = registration.assisted_override
    row.subject_id_hash = registration.subject_id_hash
    row.service_kind = registration.service_kind
    row.service_id = registration.service_id
    session.flush()


def list_registrations(session: Session, *, outlet_id: str | None = None,
                       status: RegistrationStatus | None = None,
                       limit: int = 100) -> list[Registration]:
    stmt = select(RegistrationRow).order_by(RegistrationRow.created_at.desc()).limit(limit)
    if outlet_id is not None:
        stmt = stmt.where(RegistrationRow.outlet_id == outlet_id)
    if status is not None:
        stmt = stmt.where(RegistrationRow.status == status.value)
    return [_to_registration(r) for r in session.scalars(stmt)]


def count_registered_for_subject(session: Session, *, subject_id_hash: str,
                                 operator_id: str) -> int:
    return int(session.scalar(
        select(func.count()).select_from(RegistrationRow).where(
            RegistrationRow.subject_id_hash == subject_id_hash,
            RegistrationRow.operator_id == operator_id,
            RegistrationRow.status == RegistrationStatus.REGISTERED.value,
        )
    ) or 0)


# --- data keys ---

def add_data_key(session: Session, *, key_id: str, registration_id: str, wrapped_key: bytes,
                 now: datetime) -> None:
    session.add(DataKeyRow(key_id=key_id, registration_id=registration_id,
                           wrapped_key=wrapped_key, created_at=now))
    session.flush()


def get_data_key(session: Session, *, registration_id: str) -> DataKeyRow:
    row = session.scalar(select(DataKeyRow).where(DataKeyRow.registration_id == registration_id))
    if row is None:
        raise NotFoundError(f"no data key for registration {registration_id}")
    return row


def destroy_data_key(session: Session, *, registration_id: str, now: datetime) -> None:
    row = get_data_key(session, registration_id=registration_id)
    row.wrapped_key = None
    row.destroyed_at = now
    session.flush()


# --- evidence ---

def _to_ref(row: EvidenceRow) -> EvidenceRef:
    return EvidenceRef(id=row.id, registration_id=row.registration_id,
                       kind=EvidenceKind(row.kind), content_type=row.content_type,
                       size=row.size, sha256=row.sha256, key_id=row.key_id,
                       created_at=_utc(row.created_at))  # type: ignore[arg-type]


def add_evidence(session: Session, *, ref: EvidenceRef) -> None:
    session.add(EvidenceRow(id=ref.id, registration_id=ref.registration_id, kind=ref.kind.value,
                            content_type=ref.content_type, size=ref.size, sha256=ref.sha256,
                            key_id=ref.key_id, created_at=ref.created_at))
    session.flush()


def list_evidence(session: Session, *, registration_id: str,
                  kind: EvidenceKind | None = None) -> list[EvidenceRef]:
    stmt = select(EvidenceRow).where(EvidenceRow.registration_id == registration_id)
    if kind is not None:
        stmt = stmt.where(EvidenceRow.kind == kind.value)
    stmt = stmt.order_by(EvidenceRow.created_at, EvidenceRow.id)
    return [_to_ref(r) for r in session.scalars(stmt)]


def get_evidence(session: Session, *, evidence_id: str) -> EvidenceRef:
    row = session.get(EvidenceRow, evidence_id)
    if row is None:
        raise NotFoundError(f"evidence {evidence_id} not found")
    return _to_ref(row)


def all_evidence_ids(session: Session) -> set[str]:
    return set(session.scalars(select(EvidenceRow.id)))


# --- stage results ---

def add_stage_result(session: Session, *, registration_id: str, outcome: StageOutcome,
                     now: datetime) -> None:
    session.add(StageResultRow(
        registration_id=registration_id, stage=outcome.stage, passed=outcome.passed,
        reasons=list(outcome.reasons), model=outcome.model,
        policy_version=outcome.policy_version,
        details=_json_safe(outcome.details), created_at=now))
    session.flush()


def _json_safe(value: Any) -> Any:
    """Plain JSON for any dialect: NaN and infinities (which PostgreSQL refuses) become null."""
    if isinstance(value, float):
        return value if math.isfinite(value) else None
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, (str, int, bool)):
        return value
    if hasattr(value, "item"):  # numpy scalars
        return _json_safe(value.item())
    return str(value)


def list_stage_results(session: Session, *, registration_id: str) -> list[StageOutcome]:
    rows = session.scalars(select(StageResultRow)
                           .where(StageResultRow.registration_id == registration_id)
                           .order_by(StageResultRow.id))
    return [StageOutcome(stage=r.stage, passed=r.passed, reasons=tuple(r.reasons or ()),
                         model=r.model, policy_version=r.policy_version,
                         details=dict(r.details or {})) for r in rows]


# --- challenges ---

def add_challenge(session: Session, *, nonce: str, registration_id: str, kind: str,
                  payload: dict[str, Any], issued_at: datetime, expires_at: datetime) -> None:
    session.add(ChallengeRow(nonce=nonce, registration_id=registration_id, kind=kind,
                             payload=payload, issued_at=issued_at, expires_at=expires_at))
    session.flush()


def consume_challenge(session: Session, *, nonce: str, registration_id: str, kind: str,
                      now: datetime) -> dict[str, Any]:
    """Mark a challenge used and return its payload (with ``issued_at``).

    Raises :class:`ChallengeError` if unknown, for another session or kind, expired or used.
    """
    row = session.scalar(select(ChallengeRow).where(ChallengeRow.nonce == nonce)
                         .with_for_update())
    if row is None or row.registration_id != registration_id or row.kind != kind:
        raise ChallengeError("unknown challenge")
    if row.used_at is not None:
        raise ChallengeError("challenge already used")
    if _utc(row.expires_at) < now:  # type: ignore[operator]
        raise ChallengeError("challenge expired")
    row.used_at = now
    session.flush()
    payload = dict(row.payload or {})
    payload["issued_at"] = _utc(row.issued_at).isoformat()  # type: ignore[union-attr]
    return payload


# --- audit log ---

def _entry_hash(prev_hash: str, seq: int, at: datetime, actor_id: str | None, action: str,
                registration_id: str | None, detail: str) -> str:
    canonical = json.dumps([seq, at.astimezone(UTC).isoformat(), actor_id, action,
                            registration_id, detail], separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def append_audit(session: Session, *, at: datetime, actor_id: str | None, action: str,
                 registration_id: str | None = None, detail: str = "") -> str:
    """Append one entry to the hash chain; returns its hash."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appends so two transactions cannot take the same seq.
        session.execute(text("SELECT pg_advisory_xact_lock(7426)"))
    last = session.scalar(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1))
    seq = (last.seq + 1) if last else 1
    prev = last.entry_hash if last else GENESIS_HASH
    at = at.astimezone(UTC).replace(microsecond=(at.microsecond // 1000) * 1000)
    h = _entry_hash(prev, seq, at, actor_id, action, registration_id, detail)
    session.add(AuditRow(seq=seq, at=at, actor_id=actor_id, action=action,
                         registration_id=registration_id, detail=detail, prev_hash=prev,
                         entry_hash=h))
    session.flush()
    return h


def verify_audit_chain(session: Session) -> tuple[bool, int, int | None]:
    """Recompute the chain. Returns ``(intact, entries, first bad seq or None)``."""
    prev = GENESIS_HASH
    n = 0
    for row in session.scalars(select(AuditRow).order_by(AuditRow.seq)):
        n += 1
        expected = _entry_hash(prev, row.seq, _utc(row.at), row.actor_id,  # type: ignore[arg-type]
                               row.action, row.registration_id, row.detail)
        if row.prev_hash != prev or row.entry_hash != expected:
            return False, n, row.seq
        prev = row.entry_hash
    return True, n, None


def list_audit(session: Session, *, registration_id: str | None = None,
               limit: int = 200) -> list[AuditRow]:
    stmt = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
    if registration_id is not None:
        stmt = stmt.where(AuditRow.registration_id == registration_id)
    return list(session.scalars(stmt))
