"""The penalties ledger: append-only entries against an agent or an outlet.

There is no update and no delete here, in the repository or over the API; the
database refuses both (triggers). A correction is a ``reversal``: a new entry
naming the one it reverses (each entry can be reversed once; a reversal cannot
be reversed: enter the penalty again instead). Totals leave reversed entries out.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from simkyc.domain.access import Permission, require
from simkyc.domain.compliance import PenaltyEntry, PenaltyKind, check_new_penalty, ledger_totals
from simkyc.domain.errors import ConflictError, InputError, NotFoundError
from simkyc.domain.parties import Agent
from simkyc.services.compliance._common import repo
from simkyc.services.context import ServiceContext

MAX_REASON = 2000
MAX_LINKS = 500


def add_penalty(ctx: ServiceContext, *, actor: Agent, kind: PenaltyKind, target_kind: str,
                target_id: str, reason: str, amount_minor: int | None = None,
                currency: str | None = None, suspended_from: date | None = None,
                suspended_to: date | None = None, registration_ids: Sequence[str] = (),
                finding_ids: Sequence[str] = (),
                spot_check_ids: Sequence[str] = ()) -> PenaltyEntry:
    """Append a warning, fine, deposit deduction or licence suspension (audited)."""
    require(actor, Permission.MANAGE_COMPLIANCE, "add ledger entries")
    links = [*registration_ids, *finding_ids, *spot_check_ids]
    try:
        check_new_penalty(kind=kind, target_kind=target_kind, amount_minor=amount_minor,
                          currency=currency, suspended_from=suspended_from,
                          suspended_to=suspended_to, reason=reason, links=len(links))
    except ValueError as exc:
        raise InputError(str(exc)) from None
    if len(reason) > MAX_REASON or len(links) > MAX_LINKS:
        raise InputError(f"a reason is at most {MAX_REASON} characters, links at most "
                         f"{MAX_LINKS}")
    with ctx.uow() as tx:
        r = repo(tx)
        if target_kind == "agent":
            target = tx.accounts.get_agent(agent_id=target_id)
            if target.outlet_id is None:
                raise InputError("the agent belongs to no outlet")
            outlet_id = target.outlet_id
        else:
            outlet_id = tx.accounts.get_outlet(outlet_id=target_id).id
        for name, ids, found in (
                ("registration", registration_ids,
                 r.registration_ids_exist(list(registration_ids))),
                ("finding", finding_ids, r.finding_ids_exist(list(finding_ids))),
                ("spot check", spot_check_ids, r.spot_check_ids_exist(list(spot_check_ids)))):
            unknown = sorted(set(ids) - found)
            if unknown:
                raise NotFoundError(f"{name} {unknown[0]} not found")
        entry = r.append_penalty(entry=PenaltyEntry(
            id=ctx.new_id(), seq=0, at=ctx.clock(), actor_id=actor.id, kind=kind,
            target_kind=target_kind, target_id=target_id, outlet_id=outlet_id,
            amount_minor=amount_minor, currency=currency, suspended_from=suspended_from,
            suspended_to=suspended_to, reason=reason.strip(),
            registration_ids=tuple(dict.fromkeys(registration_ids)),
            finding_ids=tuple(dict.fromkeys(finding_ids)),
            spot_check_ids=tuple(dict.fromkeys(spot_check_ids))))
        tx.audit.append(at=entry.at, actor_id=actor.id, action="ledger.append",
                        detail=f"{entry.id} {kind.value} {target_kind}:{target_id}")
    return entry


def reverse_penalty(ctx: ServiceContext, *, actor: Agent, entry_id: str,
                    reason: str) -> PenaltyEntry:
    """Append the reversal of ``entry_id`` (its amount, target and links; audited)."""
    require(actor, Permission.MANAGE_COMPLIANCE, "add ledger entries")
    if not reason.strip() or len(reason) > MAX_REASON:
        raise InputError(f"a reversal needs a reason (at most {MAX_REASON} characters)")
    with ctx.uow() as tx:
        r = repo(tx)
        tx.lock_subject(f"ledger:{entry_id}")  # concurrent reversals of one entry queue up
        original = r.get_penalty(entry_id=entry_id)
        if original.kind is PenaltyKind.REVERSAL:
            raise ConflictError("a reversal cannot be reversed; enter the penalty again")
        if any(e.reverses == entry_id for e in r.penalties(outlet_id=original.outlet_id,
                                                             limit=100_000)):
            raise ConflictError(f"ledger entry {entry_id} is already reversed")
        entry = r.append_penalty(entry=PenaltyEntry(
            id=ctx.new_id(), seq=0, at=ctx.clock(), actor_id=actor.id,
            kind=PenaltyKind.REVERSAL, target_kind=original.target_kind,
            target_id=original.target_id, outlet_id=original.outlet_id,
            amount_minor=original.amount_minor, currency=original.currency,
            suspended_from=original.suspended_from, suspended_to=original.suspended_to,
            reason=reason.strip(), registration_ids=original.registration_ids,
            finding_ids=original.finding_ids, spot_check_ids=original.spot_check_ids,
            reverses=original.id))
        tx.audit.append(at=entry.at, actor_id=actor.id, action="ledger.reverse",
                        detail=f"{entry.id} reverses {original.id}")
    return entry


def list_penalties(ctx: ServiceContext, *, actor: Agent, outlet_id: str | None = None,
                   limit: int = 1000) -> list[PenaltyEntry]:
    """Entries, newest first (of one outlet, if given)."""
    require(actor, Permission.READ_COMPLIANCE, "read the ledger")
    with ctx.uow() as tx:
        return repo(tx).penalties(outlet_id=outlet_id, limit=max(1, min(limit, 10_000)))


def penalty_totals(ctx: ServiceContext, *, actor: Agent,
                   outlet_id: str | None = None) -> dict[str, dict[str, int]]:
    """Per outlet: amounts per kind and currency (minor units), warnings, suspensions,
    reversals; reversed entries are left out."""
    require(actor, Permission.READ_COMPLIANCE, "read the ledger")
    with ctx.uow() as tx:
        return ledger_totals(repo(tx).penalties(outlet_id=outlet_id, limit=1_000_000))


__all__ = ["add_penalty", "list_penalties", "penalty_totals", "reverse_penalty"]
