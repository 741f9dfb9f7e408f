"""Abnormal patterns: SQL finds the candidates, the domain rules decide, findings are kept.

A compliance officer's detection stores each new finding (its id is a
fingerprint, so the same pattern found again is the same finding) and audits
the run; an auditor sees the same findings computed, nothing stored.
"""

from __future__ import annotations

from datetime import timedelta

from simkyc.domain import compliance as rules_
from simkyc.domain.access import Permission, may, require
from simkyc.domain.compliance import ComplianceRules, Finding
from simkyc.domain.parties import Agent
from simkyc.services.compliance._common import repo
from simkyc.services.compliance.ports import ComplianceRepository, Period
from simkyc.services.context import ServiceContext


def find_patterns(r: ComplianceRepository, period: Period,
                  rules: ComplianceRules) -> list[Finding]:
    """Every rule of :mod:`simkyc.domain.compliance` over ``period`` (no access check)."""
    found: list[Finding] = []
    found += rules_.find_identity_many_registrations(
        r.identity_candidates(period=period, min_registrations=rules.identity_min_registrations,
                              min_outlets=rules.identity_min_outlets), rules)
    found += rules_.find_bursts(
        r.burst_candidates(period=period, more_than=rules.burst_max_registrations,
                           window_seconds=timedelta(minutes=rules.burst_window_minutes)
                           .total_seconds()), rules)
    settings = r.outlet_settings()
    offsets = {k: v.utc_offset_minutes for k, v in settings.items()
               if v.utc_offset_minutes is not None}
    found += rules_.find_outside_hours(
        r.outside_hours_candidates(period=period,
                                   default_offset_minutes=rules.default_utc_offset_minutes),
        r.opening_hours(), offsets, rules)
    # The median is the operator's, whatever outlet the report is narrowed to.
    overrides = r.agent_overrides(period=Period(period.start, period.end),
                                  quick_voice_failures=rules.quick_override_voice_failures)
    found += [f for f in rules_.find_override_outliers(overrides, rules)
              if period.outlet_id is None or period.outlet_id in f.outlet_ids]
    found += [f for f in rules_.find_no_flash_outliers(
        r.agent_no_flash(period=Period(period.start, period.end)), rules)
        if period.outlet_id is None or period.outlet_id in f.outlet_ids]
    found += rules_.find_rejected_then_passed(
        r.document_attempts(period=period, window_hours=rules.document_retry_window_hours),
        rules)
    return sorted(found, key=lambda f: (f.first_at, f.pattern.value, f.id))


def detect_patterns(ctx: ServiceContext, *, actor: Agent, period: Period,
                    rules: ComplianceRules | None = None) -> list[Finding]:
    """The findings of ``period``; stored (and audited) when the actor manages compliance."""
    require(actor, Permission.READ_COMPLIANCE, "read compliance findings")
    rules = rules or ctx.policy.compliance
    with ctx.uow() as tx:
        r = repo(tx)
        found = find_patterns(r, period, rules)
        if may(actor, Permission.MANAGE_COMPLIANCE):
            tx.lock_subject("compliance:findings")  # concurrent runs store each finding once
            now = ctx.clock()
            new = sum(r.add_finding(finding=f, now=now, by=actor.id) for f in found)
            tx.audit.append(at=now, actor_id=actor.id, action="compliance.detect",
                            detail=f"{period.start.isoformat()}..{period.end.isoformat()} "
                                   f"outlet={period.outlet_id or '*'} found={len(found)} "
                                   f"new={new}")
    return found


__all__ = ["detect_patterns", "find_patterns"]
