"""A compliance report for a period: statistics, findings, spot checks, ledger totals.

What it holds depends on the reader: compliance officers and auditors get
everything (an officer's run also stores the findings it finds); agents and
supervisors get their own outlet's statistics and nothing else. Rendering
(JSON, CSV, PDF with charts) is :mod:`simkyc.adapters.reports`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from simkyc.domain.access import Permission, may
from simkyc.domain.compliance import ComplianceRules, Finding
from simkyc.domain.parties import Agent
from simkyc.services.compliance._common import repo
from simkyc.services.compliance.ledger import penalty_totals
from simkyc.services.compliance.patterns import detect_patterns
from simkyc.services.compliance.ports import Period
from simkyc.services.compliance.stats import Statistics, period_statistics
from simkyc.services.context import ServiceContext


@dataclass(frozen=True)
class ComplianceReport:
    period: Period
    generated_at: datetime
    generated_by: str  # the reader's role
    statistics: Statistics
    findings: tuple[Finding, ...] = ()
    spot_checks: dict[str, int] = field(default_factory=dict)
    ledger: dict[str, dict[str, int]] = field(default_factory=dict)
    outlet_names: dict[str, str] = field(default_factory=dict)

    @property
    def full(self) -> bool:
        """Findings, spot checks and ledger included (not an outlet-only report)."""
        return self.statistics.every_outlet


def build_report(ctx: ServiceContext, *, actor: Agent, period: Period,
                 rules: ComplianceRules | None = None) -> ComplianceReport:
    """The report of ``period`` as ``actor`` may see it (audited ``compliance.report``)."""
    stats = period_statistics(ctx, actor=actor, period=period, rules=rules)
    findings: list[Finding] = []
    checks: dict[str, int] = {}
    ledger: dict[str, dict[str, int]] = {}
    if may(actor, Permission.READ_COMPLIANCE):
        findings = detect_patterns(ctx, actor=actor, period=stats.period, rules=rules)
        ledger = penalty_totals(ctx, actor=actor, outlet_id=stats.period.outlet_id)
    with ctx.uow() as tx:
        r = repo(tx)
        if may(actor, Permission.READ_COMPLIANCE):
            checks = r.spot_check_summary(period=stats.period)
        outlets, _ = r.names()
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="compliance.report",
                        detail=f"{period.start.isoformat()}..{period.end.isoformat()} "
                               f"outlet={stats.period.outlet_id or '*'}")
    return ComplianceReport(period=stats.period, generated_at=ctx.clock(),
                            generated_by=actor.role.value, statistics=stats,
                            findings=tuple(findings), spot_checks=checks, ledger=ledger,
                            outlet_names=outlets)


__all__ = ["ComplianceReport", "build_report"]
