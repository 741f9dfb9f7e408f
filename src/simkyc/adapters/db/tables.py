"""SQLAlchemy table mappings. Portable between SQLite and PostgreSQL.

Personal data kept in rows is minimal: the subscriber's document number is
stored only as a keyed hash (``subject_id_hash``); images, video and audio
live encrypted in the evidence store.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

UTCDateTime = DateTime(timezone=True)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class OperatorRow(Base):
    __tablename__ = "operators"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)


class OutletRow(Base):
    __tablename__ = "outlets"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operators.id"))
    name: Mapped[str] = mapped_column(String(200), unique=True)


class AgentRow(Base):
    __tablename__ = "agents"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    outlet_id: Mapped[str | None] = mapped_column(ForeignKey("outlets.id"), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class TokenRow(Base):
    """An API token, stored only as its SHA-256; it may expire and be revoked."""

    __tablename__ = "api_tokens"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    label: Mapped[str] = mapped_column(String(100), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class RegistrationRow(Base):
    __tablename__ = "registrations"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operators.id"))
    outlet_id: Mapped[str] = mapped_column(ForeignKey("outlets.id"))
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"))
    status: Mapped[str] = mapped_column(String(32), index=True)
    policy_version: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    language: Mapped[str | None] = mapped_column(String(16), nullable=True)
    flow_version: Mapped[str] = mapped_column(String(32), default="")
    service_kind: Mapped[str | None] = mapped_column(String(20), nullable=True)
    service_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    subject_id_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, index=True)
    assisted_override: Mapped[bool] = mapped_column(Boolean, default=False)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    # Optimistic concurrency: every update bumps it.
    row_version: Mapped[int] = mapped_column(Integer, default=1)
    __mapper_args__ = {"version_id_col": row_version}


class DataKeyRow(Base):
    """A registration's data key, wrapped by the master key. NULL once destroyed."""

    __tablename__ = "data_keys"
    key_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), unique=True)
    wrapped_key: Mapped[bytes | None] = mapped_column(LargeBinary, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    destroyed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class EvidenceRow(Base):
    __tablename__ = "evidence"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(32))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class StageResultRow(Base):
    """One stage's outcome. ``details`` (scores) is for the server-side record only."""

    __tablename__ = "stage_results"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    passed: Mapped[bool] = mapped_column(Boolean)
    reasons: Mapped[list[str]] = mapped_column(JSON, default=list)
    model: Mapped[str | None] = mapped_column(String(400), nullable=True)
    policy_version: Mapped[str | None] = mapped_column(String(32), nullable=True)
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class ChallengeRow(Base):
    """A single-use challenge (liveness actions, voice digits) bound to a session."""

    __tablename__ = "challenges"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class AuditRow(Base):
    """Hash-chained audit log: ``entry_hash = sha256(prev_hash || canonical entry)``."""

    __tablename__ = "audit_log"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    action: Mapped[str] = mapped_column(String(64))
    registration_id: Mapped[str | None] = mapped_column(String(32), nullable=True, index=True)
    detail: Mapped[str] = mapped_column(Text, default="")
    prev_hash: Mapped[str] = mapped_column(String(64))
    entry_hash: Mapped[str] = mapped_column(String(64))


class AuditHeadRow(Base):
    """The chain's last entry, updated with every append: a cut tail no longer matches it."""

    __tablename__ = "audit_head"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    seq: Mapped[int] = mapped_column(Integer)
    entry_hash: Mapped[str] = mapped_column(String(64))


class VerificationFailureRow(Base):
    """A failed verification attempt (``kind`` ``failure``) or a refusal while locked
    (``refused``) for one document, by its keyed hash."""

    __tablename__ = "verification_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    subject_id_hash: Mapped[str] = mapped_column(String(64), index=True)
    registration_id: Mapped[str] = mapped_column(String(32), index=True)
    stage: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(16), default="failure")
    at: Mapped[datetime] = mapped_column(UTCDateTime)


class LockoutRow(Base):
    __tablename__ = "lockouts"
    subject_id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    locked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    until: Mapped[datetime] = mapped_column(UTCDateTime)
    lifted_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    lifted_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class IdempotencyRow(Base):
    """The stored answer to a request sent with an ``Idempotency-Key``."""

    __tablename__ = "idempotency_keys"
    actor_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class JobRow(Base):
    """A step submission run by a worker (celery mode); see :mod:`simkyc.domain.jobs`.

    ``challenge_nonce`` is unique: one job per challenge. ``(actor_id, client_key)``
    is unique: a client's Idempotency-Key names one job.
    """

    __tablename__ = "jobs"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), index=True)
    actor_id: Mapped[str] = mapped_column(String(32))
    step: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)
    request_sha256: Mapped[str] = mapped_column(String(64))
    inputs: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    params: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    client_key: Mapped[str | None] = mapped_column(String(100), nullable=True)
    challenge_nonce: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)
    started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    recorded: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    error: Mapped[dict[str, Any] | None] = mapped_column(JSON, nullable=True)
    __table_args__ = (UniqueConstraint("actor_id", "client_key",
                                       name="uq_jobs_actor_id_client_key"),)


Index("ix_registrations_outlet_created", RegistrationRow.outlet_id, RegistrationRow.created_at)
Index("ix_verification_failures_subject_at", VerificationFailureRow.subject_id_hash,
      VerificationFailureRow.at)


class ServiceRow(Base):
    """A registered service (number, SIM) held by an identity; ``active`` until it ends."""

    __tablename__ = "services"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), unique=True)
    operator_id: Mapped[str] = mapped_column(ForeignKey("operators.id"))
    subject_id_hash: Mapped[str] = mapped_column(String(64), index=True)
    service_kind: Mapped[str] = mapped_column(String(20))
    service_id: Mapped[str] = mapped_column(String(64))
    iccid: Mapped[str | None] = mapped_column(String(32), nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    started_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    end_reason: Mapped[str | None] = mapped_column(String(20), nullable=True)


class RecordRow(Base):
    """A signed registration record for one delivery profile (the JWS; NULL once purged)."""

    __tablename__ = "records"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), index=True)
    profile: Mapped[str] = mapped_column(String(64))
    kid: Mapped[str] = mapped_column(String(64))
    policy_sha256: Mapped[str] = mapped_column(String(64))
    payload_sha256: Mapped[str] = mapped_column(String(64))
    jws: Mapped[str | None] = mapped_column(Text, nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class OutboxRow(Base):
    """One record to deliver to one sink: ``pending`` -> ``delivered`` or ``parked``."""

    __tablename__ = "outbox"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    record_id: Mapped[str] = mapped_column(ForeignKey("records.id"), index=True)
    sink: Mapped[str] = mapped_column(String(64))
    idempotency_key: Mapped[str] = mapped_column(String(100))
    status: Mapped[str] = mapped_column(String(16), index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    lease_until: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    last_error: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class TombstoneRow(Base):
    """What a purge or an erasure destroyed: the item's kind, id and hash, when and why."""

    __tablename__ = "tombstones"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    registration_id: Mapped[str] = mapped_column(String(32), index=True)
    item_kind: Mapped[str] = mapped_column(String(32))
    item_id: Mapped[str] = mapped_column(String(32))
    sha256: Mapped[str] = mapped_column(String(64))
    purged_at: Mapped[datetime] = mapped_column(UTCDateTime)
    reason: Mapped[str] = mapped_column(String(32))


Index("uq_services_active_number", ServiceRow.operator_id, ServiceRow.service_id, unique=True,
      sqlite_where=text("active"), postgresql_where=text("active"))
Index("uq_services_active_iccid", ServiceRow.operator_id, ServiceRow.iccid, unique=True,
      sqlite_where=text("active AND iccid IS NOT NULL"),
      postgresql_where=text("active AND iccid IS NOT NULL"))
Index("uq_outbox_record_sink", OutboxRow.record_id, OutboxRow.sink, unique=True)
class PasswordRow(Base):
    """An account's user name and argon2id password hash (sign-in for people)."""

    __tablename__ = "account_passwords"
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime)


class WebSessionRow(Base):
    """A browser session: its cookie stored only as SHA-256; idle and absolute expiry."""

    __tablename__ = "web_sessions"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    agent_id: Mapped[str] = mapped_column(ForeignKey("agents.id"), index=True)
    token_sha256: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class SignInFailureRow(Base):
    """A failed sign-in, by the SHA-256 of the (case-folded) user name tried."""

    __tablename__ = "sign_in_failures"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    username_sha256: Mapped[str] = mapped_column(String(64))
    at: Mapped[datetime] = mapped_column(UTCDateTime)


Index("ix_sign_in_failures_user_at", SignInFailureRow.username_sha256, SignInFailureRow.at)

class ReaderDeviceRow(Base):
    """An enrolled card reader: its Ed25519 public key (raw 32 bytes, base64url) and the
    outlet it reads cards at; a revoked reader's records are refused from ``revoked_at``."""

    __tablename__ = "reader_devices"
    device_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    outlet_id: Mapped[str] = mapped_column(ForeignKey("outlets.id"), index=True)
    public_key: Mapped[str] = mapped_column(String(64), unique=True)
    enrolled_at: Mapped[datetime] = mapped_column(UTCDateTime)
    enrolled_by: Mapped[str | None] = mapped_column(String(32), nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_by: Mapped[str | None] = mapped_column(String(32), nullable=True)


class ReaderRecordUseRow(Base):
    """A signed reader record accepted once: its signature's SHA-256 (the primary key
    refuses a second use, also between concurrent requests)."""

    __tablename__ = "reader_record_uses"
    signature_sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    device_id: Mapped[str] = mapped_column(String(64))
    registration_id: Mapped[str] = mapped_column(String(32), index=True)
    used_at: Mapped[datetime] = mapped_column(UTCDateTime)


__all__ = [
    "AgentRow",
    "AuditHeadRow",
    "AuditRow",
    "Base",
    "ChallengeRow",
    "DataKeyRow",
    "EvidenceRow",
    "IdempotencyRow",
    "JobRow",
    "LockoutRow",
    "OperatorRow",
    "OutboxRow",
    "OutletRow",
    "PasswordRow",
    "ReaderDeviceRow",
    "ReaderRecordUseRow",
    "RecordRow",
    "RegistrationRow",
    "ServiceRow",
    "SignInFailureRow",
    "StageResultRow",
    "TokenRow",
    "TombstoneRow",
    "VerificationFailureRow",
    "WebSessionRow",
]

# Compliance tables (issue 17) live in their own module, on the same metadata.
from simkyc.adapters.db import tables_compliance as _compliance  # noqa: E402,F401
