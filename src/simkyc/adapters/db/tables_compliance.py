"""Compliance tables (issue 17): outlet opening hours and sample rates, findings, spot
checks and the append-only penalties ledger.

The ledger has no update or delete path anywhere: the repository only inserts,
and database triggers (SQLite and PostgreSQL, migration 0008) refuse
``UPDATE`` and ``DELETE`` on ``penalty_ledger``. A correction is a new
``reversal`` entry naming the entry it reverses (at most one reversal each:
``reverses`` is unique).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, Float, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from simkyc.adapters.db.tables import Base, EvidenceRow, RegistrationRow, UTCDateTime


class OutletHoursRow(Base):
    """An outlet's opening hours on one weekday (0 = Monday), local minutes from midnight."""

    __tablename__ = "outlet_hours"
    outlet_id: Mapped[str] = mapped_column(ForeignKey("outlets.id"), primary_key=True)
    weekday: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    opens_minute: Mapped[int] = mapped_column(Integer)
    closes_minute: Mapped[int] = mapped_column(Integer)


class OutletComplianceRow(Base):
    """An outlet's own spot-check rate and UTC offset (NULL: the policy's defaults)."""

    __tablename__ = "outlet_compliance"
    outlet_id: Mapped[str] = mapped_column(ForeignKey("outlets.id"), primary_key=True)
    spot_check_rate: Mapped[float | None] = mapped_column(Float, nullable=True)
    utc_offset_minutes: Mapped[int | None] = mapped_column(Integer, nullable=True)


class FindingRow(Base):
    """An abnormal pattern found; ``id`` is its fingerprint (pattern, subject, evidence)."""

    __tablename__ = "compliance_findings"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    pattern: Mapped[str] = mapped_column(String(40))
    subject_kind: Mapped[str] = mapped_column(String(16))
    subject_id: Mapped[str] = mapped_column(String(64))
    outlet_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    agent_ids: Mapped[list[str]] = mapped_column(JSON, default=list)
    evidence: Mapped[list[str]] = mapped_column(JSON, default=list)
    summary: Mapped[str] = mapped_column(Text)
    detail: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    first_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    detected_at: Mapped[datetime] = mapped_column(UTCDateTime)
    detected_by: Mapped[str] = mapped_column(String(32))


class FindingOutletRow(Base):
    """Which outlets a finding concerns (for "outlets with findings")."""

    __tablename__ = "compliance_finding_outlets"
    finding_id: Mapped[str] = mapped_column(ForeignKey("compliance_findings.id"),
                                            primary_key=True)
    outlet_id: Mapped[str] = mapped_column(String(32), primary_key=True, index=True)


class SpotCheckRow(Base):
    """A completed registration queued for a compliance officer's review."""

    __tablename__ = "spot_checks"
    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registration_id: Mapped[str] = mapped_column(ForeignKey("registrations.id"), unique=True)
    outlet_id: Mapped[str] = mapped_column(String(32), index=True)
    agent_id: Mapped[str] = mapped_column(String(32))
    sample_rate: Mapped[float] = mapped_column(Float)
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime)
    queued_by: Mapped[str] = mapped_column(String(32))
    status: Mapped[str] = mapped_column(String(16), index=True)  # queued, reviewed
    reviewer_id: Mapped[str | None] = mapped_column(String(32), nullable=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    outcome: Mapped[str | None] = mapped_column(String(16), nullable=True)
    defect_category: Mapped[str | None] = mapped_column(String(32), nullable=True)
    note: Mapped[str] = mapped_column(Text, default="")


class PenaltyRow(Base):
    """One penalties-ledger entry: insert only (triggers refuse UPDATE and DELETE)."""

    __tablename__ = "penalty_ledger"
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor_id: Mapped[str] = mapped_column(String(32))
    kind: Mapped[str] = mapped_column(String(24))
    target_kind: Mapped[str] = mapped_column(String(8))
    target_id: Mapped[str] = mapped_column(String(32))
    outlet_id: Mapped[str] = mapped_column(String(32), index=True)
    amount_minor: Mapped[int | None] = mapped_column(Integer, nullable=True)
    currency: Mapped[str | None] = mapped_column(String(3), nullable=True)
    suspended_from: Mapped[date | None] = mapped_column(Date, nullable=True)
    suspended_to: Mapped[date | None] = mapped_column(Date, nullable=True)
    reason: Mapped[str] = mapped_column(Text)
    links: Mapped[dict[str, list[str]]] = mapped_column(JSON, default=dict)
    reverses: Mapped[str | None] = mapped_column(String(32), unique=True, nullable=True)


# What the report's aggregations read by: an agent's registrations in a period, evidence
# of one kind per registration, a registration's stage results of one stage.
Index("ix_registrations_agent_created", RegistrationRow.agent_id, RegistrationRow.created_at)
Index("ix_registrations_subject_created", RegistrationRow.subject_id_hash,
      RegistrationRow.created_at)
Index("ix_evidence_registration_kind", EvidenceRow.registration_id, EvidenceRow.kind)

__all__ = [
    "EvidenceCheckRow",
    "FindingOutletRow",
    "FindingRow",
    "OutletComplianceRow",
    "OutletHoursRow",
    "PenaltyRow",
    "SpotCheckRow",
]


class EvidenceCheckRow(Base):
    """The latest decrypt-and-hash check of one evidence item (migration 0009):
    ``result`` ``ok``, ``unreadable`` or ``destroyed`` (its data key was destroyed)."""

    __tablename__ = "evidence_checks"
    evidence_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    registration_id: Mapped[str] = mapped_column(String(32), index=True)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime)
    result: Mapped[str] = mapped_column(String(16))
