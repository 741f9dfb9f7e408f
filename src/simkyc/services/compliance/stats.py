"""Statistics per outlet and per agent for a period (aggregated by the database).

Started, completed, rejected and expired registrations; failed stage results
per stage and reason; assisted overrides and their rate; completed
registrations lacking required evidence (above all the upper-body photo);
evidence items that do not decrypt or match their hash (each item is read);
median and p95 seconds from start to registered.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, replace

from simkyc.domain.compliance import ComplianceRules, PeriodStats
from simkyc.domain.errors import EvidenceError
from simkyc.domain.parties import Agent
from simkyc.services.compliance._common import repo, statistics_scope
from simkyc.services.compliance.ports import EvidenceToCheck, Period
from simkyc.services.context import ServiceContext


@dataclass(frozen=True)
class Statistics:
    """``outlets`` and ``agents`` of the period; ``every_outlet``: not narrowed to one
    outlet by the reader's role."""

    period: Period
    outlets: tuple[PeriodStats, ...]
    agents: tuple[PeriodStats, ...]
    every_outlet: bool
    evidence_checked: bool


@dataclass(frozen=True)
class IntegrityCounts:
    checked: Counter[str]
    unreadable: Counter[str]
    destroyed: Counter[str]


def check_evidence(ctx: ServiceContext, items: list[EvidenceToCheck]) -> IntegrityCounts:
    """Decrypt each item and compare its hash; count per outlet and per agent (keys
    ``outlet:<id>`` and ``agent:<id>``)."""
    checked: Counter[str] = Counter()
    unreadable: Counter[str] = Counter()
    destroyed: Counter[str] = Counter()
    keys: dict[str, bytes | None] = {}
    for item in items:
        scopes = (f"outlet:{item.outlet_id}", f"agent:{item.agent_id}")
        checked.update(scopes)
        ref = item.ref
        if item.wrapped_key is None:
            destroyed.update(scopes)
            continue
        if ref.registration_id not in keys:
            try:
                keys[ref.registration_id] = ctx.keys.unwrap(item.wrapped_key, ref.key_id)
            except Exception:  # noqa: BLE001 - a key that does not unwrap: unreadable
                keys[ref.registration_id] = None
        key = keys[ref.registration_id]
        try:
            if key is None:
                raise EvidenceError("data key does not unwrap")
            ctx.store.read(registration_id=ref.registration_id, evidence_id=ref.id,
                           data_key=key, sha256=ref.sha256)
        except (EvidenceError, OSError):
            unreadable.update(scopes)
    return IntegrityCounts(checked, unreadable, destroyed)


def period_statistics(ctx: ServiceContext, *, actor: Agent, period: Period,
                      rules: ComplianceRules | None = None) -> Statistics:
    """Statistics of ``period`` as ``actor`` may see them (agents and supervisors: their
    own outlet); every evidence item is checked when ``rules.verify_evidence``."""
    rules = rules or ctx.policy.compliance
    period, every = statistics_scope(actor, period)
    with ctx.uow() as tx:
        r = repo(tx)
        outlets, agents = r.period_stats_by_outlet_and_agent(
            period=period, required=rules.required_evidence)
        items = r.evidence_to_check(period=period) if rules.verify_evidence else []
    if rules.verify_evidence:
        counts = check_evidence(ctx, items)

        def with_counts(p: PeriodStats) -> PeriodStats:
            k = f"{p.scope}:{p.id}"
            return replace(p, checked=counts.checked[k], unreadable=counts.unreadable[k],
                           destroyed=counts.destroyed[k])

        outlets = [with_counts(p) for p in outlets]
        agents = [with_counts(p) for p in agents]
        with ctx.uow() as tx:
            tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="compliance.evidence_check",
                            detail=f"items={len(items)} "
                                   f"unreadable={sum(p.unreadable for p in outlets)}")
    return Statistics(period=period, outlets=tuple(outlets), agents=tuple(agents),
                      every_outlet=every, evidence_checked=rules.verify_evidence)


__all__ = ["IntegrityCounts", "Statistics", "check_evidence", "period_statistics"]
