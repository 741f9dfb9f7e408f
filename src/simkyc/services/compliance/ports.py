"""What compliance needs from storage: one repository, reached from the unit of work.

The SQL adapter (:class:`simkyc.adapters.db.repositories.compliance.SqlCompliance`)
aggregates in the database: a report over 100,000 registrations reads
counts and candidate rows, never every row into Python.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from simkyc.domain.compliance import (
    AgentNoFlash,
    AgentOverrides,
    DefectCategory,
    DocumentAttempt,
    Finding,
    OpeningHours,
    PenaltyEntry,
    PeriodStats,
    RegistrationEvent,
    SpotCheck,
    SpotCheckOutcome,
)
from simkyc.domain.evidence import EvidenceRef
from simkyc.services.ports import UnitOfWork


@dataclass(frozen=True)
class Period:
    """``[start, end)`` in UTC; ``outlet_id`` narrows to one outlet."""

    start: datetime
    end: datetime
    outlet_id: str | None = None


@dataclass(frozen=True)
class EvidenceToCheck:
    """An evidence item and its registration's wrapped data key (None: destroyed)."""

    ref: EvidenceRef
    outlet_id: str
    agent_id: str
    wrapped_key: bytes | None


@dataclass(frozen=True)
class OutletSettings:
    spot_check_rate: float | None
    utc_offset_minutes: int | None


class ComplianceRepository(Protocol):
    # statistics
    def period_stats(self, *, period: Period, scope: str,
                     required: tuple[str, ...]) -> list[PeriodStats]: ...
    def period_stats_by_outlet_and_agent(
            self, *, period: Period, required: tuple[str, ...]
    ) -> tuple[list[PeriodStats], list[PeriodStats]]: ...
    def evidence_to_check(self, *, period: Period) -> list[EvidenceToCheck]: ...
    def stored_checks(self, *, period: Period, since: datetime | None) -> dict[str, str]: ...
    def store_checks(self, *, results: list[tuple[str, str, str]], at: datetime) -> None: ...
    def names(self) -> tuple[dict[str, str], dict[str, str]]: ...
    # pattern candidates
    def identity_candidates(self, *, period: Period, min_registrations: int,
                            min_outlets: int) -> list[RegistrationEvent]: ...
    def burst_candidates(self, *, period: Period, more_than: int,
                         window_seconds: float) -> list[RegistrationEvent]: ...
    def outside_hours_candidates(self, *, period: Period,
                                 default_offset_minutes: int) -> list[RegistrationEvent]: ...
    def agent_overrides(self, *, period: Period,
                        quick_voice_failures: int) -> list[AgentOverrides]: ...
    def agent_no_flash(self, *, period: Period) -> list[AgentNoFlash]: ...
    def document_attempts(self, *, period: Period,
                          window_hours: float) -> list[DocumentAttempt]: ...
    # outlets
    def opening_hours(self) -> dict[str, list[OpeningHours]]: ...
    def set_opening_hours(self, *, outlet_id: str, hours: list[OpeningHours]) -> None: ...
    def outlet_settings(self) -> dict[str, OutletSettings]: ...
    def set_outlet_settings(self, *, outlet_id: str, settings: OutletSettings) -> None: ...
    # findings
    def add_finding(self, *, finding: Finding, now: datetime, by: str) -> bool: ...
    def findings(self, *, period: Period) -> list[Finding]: ...
    def finding_ids_exist(self, ids: list[str]) -> set[str]: ...
    def outlets_with_findings(self, *, period: Period) -> set[str]: ...
    # spot checks
    def completed_unsampled(self, *, period: Period) -> list[tuple[str, str, str]]: ...
    def add_spot_check(self, *, check: SpotCheck, by: str) -> None: ...
    def spot_checks(self, *, status: str | None, outlet_id: str | None,
                    limit: int) -> list[SpotCheck]: ...
    def get_spot_check(self, *, check_id: str, for_update: bool = False) -> SpotCheck: ...
    def record_review(self, *, check_id: str, reviewer_id: str, at: datetime,
                      outcome: SpotCheckOutcome, category: DefectCategory | None,
                      note: str) -> SpotCheck: ...
    def spot_check_summary(self, *, period: Period) -> dict[str, int]: ...
    def spot_check_ids_exist(self, ids: list[str]) -> set[str]: ...
    # penalties ledger (insert and read only: there is no update or delete)
    def append_penalty(self, *, entry: PenaltyEntry) -> PenaltyEntry: ...
    def penalties(self, *, outlet_id: str | None = None,
                  limit: int = 1000) -> list[PenaltyEntry]: ...
    def get_penalty(self, *, entry_id: str) -> PenaltyEntry: ...
    def registration_ids_exist(self, ids: list[str]) -> set[str]: ...


class ComplianceUnitOfWork(UnitOfWork, Protocol):
    compliance: ComplianceRepository


__all__ = ["ComplianceRepository", "ComplianceUnitOfWork", "EvidenceToCheck",
           "OutletSettings", "Period"]
