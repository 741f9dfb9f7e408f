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
from datetime import datetime, timedelta

from simkyc.domain.access import Permission, require
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


#: An item's check result: it decrypts and matches its hash, it does not, or its data
#: key was destroyed (retention or erasure), so it cannot be read by design.
OK, UNREADABLE, DESTROYED = "ok", "unreadable", "destroyed"


def item_results(ctx: ServiceContext, items: list[EvidenceToCheck]) -> list[str]:
    """Decrypt each item and compare its hash: its result, in order."""
    keys: dict[str, bytes | None] = {}
    out = []
    for item in items:
        ref = item.ref
        if item.wrapped_key is None:
            out.append(DESTROYED)
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
            out.append(OK)
        except (EvidenceError, OSError):
            out.append(UNREADABLE)
    return out


def count_results(items: list[EvidenceToCheck], results: dict[str, str]) -> IntegrityCounts:
    """Per outlet and per agent (keys ``outlet:<id>`` and ``agent:<id>``): items checked,
    unreadable and destroyed, from ``{evidence id: result}``."""
    checked: Counter[str] = Counter()
    unreadable: Counter[str] = Counter()
    destroyed: Counter[str] = Counter()
    for item in items:
        scopes = (f"outlet:{item.outlet_id}", f"agent:{item.agent_id}")
        checked.update(scopes)
        result = results.get(item.ref.id)
        if result == DESTROYED:
            destroyed.update(scopes)
        elif result == UNREADABLE:
            unreadable.update(scopes)
    return IntegrityCounts(checked, unreadable, destroyed)


def check_evidence(ctx: ServiceContext, items: list[EvidenceToCheck]) -> IntegrityCounts:
    """Decrypt each item and compare its hash; count per outlet and per agent (keys
    ``outlet:<id>`` and ``agent:<id>``)."""
    results = item_results(ctx, items)
    return count_results(items, {i.ref.id: r for i, r in zip(items, results, strict=True)})


@dataclass(frozen=True)
class EvidenceCheckRun:
    """One run of the evidence check: what was read now, what was stored already."""

    period: Period
    started_at: datetime
    finished_at: datetime
    items: int
    checked: int
    skipped_recent: int
    ok: int
    unreadable: tuple[EvidenceToCheck, ...]
    destroyed: int

    def as_dict(self) -> dict[str, object]:
        """The output contract of ``simkyc compliance check-evidence`` (and the task's)."""
        return {"from": self.period.start.isoformat(), "to": self.period.end.isoformat(),
                "outlet_id": self.period.outlet_id, "items": self.items,
                "checked": self.checked, "skipped_recent": self.skipped_recent,
                "ok": self.ok, "unreadable": len(self.unreadable), "destroyed": self.destroyed,
                "unreadable_items": [{"evidence_id": i.ref.id,
                                      "registration_id": i.ref.registration_id,
                                      "kind": i.ref.kind.value, "outlet_id": i.outlet_id,
                                      "agent_id": i.agent_id} for i in self.unreadable],
                "started_at": self.started_at.isoformat(),
                "finished_at": self.finished_at.isoformat()}


def run_evidence_check(ctx: ServiceContext, *, actor: Agent, period: Period,
                       skip_checked_within: timedelta | None = None) -> EvidenceCheckRun:
    """Decrypt and hash-check the period's evidence items and store each result (the
    scheduled job: ``simkyc compliance check-evidence``, the worker's beat task);
    ``skip_checked_within``: leave out items checked that recently. Compliance officers
    only (it decrypts evidence); audited ``compliance.evidence_check``."""
    require(actor, Permission.MANAGE_COMPLIANCE, "check evidence")
    started = ctx.clock()
    with ctx.uow() as tx:
        r = repo(tx)
        items = r.evidence_to_check(period=period)
        recent = r.stored_checks(period=period, since=started - skip_checked_within) \
            if skip_checked_within is not None else {}
    todo = [i for i in items if i.ref.id not in recent]
    results = item_results(ctx, todo)
    finished = ctx.clock()
    with ctx.uow() as tx:
        repo(tx).store_checks(results=[(i.ref.id, i.ref.registration_id, res)
                                       for i, res in zip(todo, results, strict=True)],
                              at=finished)
        bad = [i for i, res in zip(todo, results, strict=True) if res == UNREADABLE]
        tx.audit.append(at=finished, actor_id=actor.id, action="compliance.evidence_check",
                        detail=f"job items={len(todo)} skipped={len(items) - len(todo)} "
                               f"unreadable={len(bad)}")
    return EvidenceCheckRun(period=period, started_at=started, finished_at=finished,
                            items=len(items), checked=len(todo),
                            skipped_recent=len(items) - len(todo),
                            ok=sum(res == OK for res in results), unreadable=tuple(bad),
                            destroyed=sum(res == DESTROYED for res in results))


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
        stored = r.stored_checks(period=period, since=ctx.clock() - timedelta(
            hours=rules.evidence_check_max_age_hours)) if rules.verify_evidence else {}
    if rules.verify_evidence:
        # Stored checks (the scheduled job's) stand; the items without one are read now.
        todo = [i for i in items if i.ref.id not in stored]
        fresh = dict(zip((i.ref.id for i in todo), item_results(ctx, todo), strict=True))
        counts = count_results(items, {**stored, **fresh})

        def with_counts(p: PeriodStats) -> PeriodStats:
            k = f"{p.scope}:{p.id}"
            return replace(p, checked=counts.checked[k], unreadable=counts.unreadable[k],
                           destroyed=counts.destroyed[k])

        outlets = [with_counts(p) for p in outlets]
        agents = [with_counts(p) for p in agents]
        with ctx.uow() as tx:
            repo(tx).store_checks(results=[(i.ref.id, i.ref.registration_id, fresh[i.ref.id])
                                           for i in todo], at=ctx.clock())
            tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="compliance.evidence_check",
                            detail=f"items={len(items)} stored={len(items) - len(todo)} "
                                   f"unreadable={sum(p.unreadable for p in outlets)}")
    return Statistics(period=period, outlets=tuple(outlets), agents=tuple(agents),
                      every_outlet=every, evidence_checked=rules.verify_evidence)


__all__ = ["DESTROYED", "OK", "UNREADABLE", "EvidenceCheckRun", "IntegrityCounts", "Statistics",
           "check_evidence", "count_results", "item_results", "period_statistics",
           "run_evidence_check"]
