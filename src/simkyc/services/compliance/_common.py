"""What the compliance services share: the repository of a unit of work, who sees what."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, time, timedelta
from typing import cast

from simkyc.domain.access import Permission, may
from simkyc.domain.errors import InputError, NotFoundError, PermissionDenied
from simkyc.domain.parties import Agent
from simkyc.services.compliance.ports import ComplianceRepository, ComplianceUnitOfWork, Period
from simkyc.services.ports import UnitOfWork

#: The longest period one report covers (days): bounds the work a request can ask for.
MAX_PERIOD_DAYS = 400


def repo(tx: UnitOfWork) -> ComplianceRepository:
    return cast(ComplianceUnitOfWork, tx).compliance


def make_period(start: datetime, end: datetime, outlet_id: str | None = None) -> Period:
    """A checked period: ``start < end``, at most :data:`MAX_PERIOD_DAYS`, UTC."""
    start = start if start.tzinfo else start.replace(tzinfo=UTC)
    end = end if end.tzinfo else end.replace(tzinfo=UTC)
    if end <= start:
        raise InputError("the period's end must be after its start")
    if (end - start).days > MAX_PERIOD_DAYS:
        raise InputError(f"a period is at most {MAX_PERIOD_DAYS} days")
    return Period(start=start.astimezone(UTC), end=end.astimezone(UTC), outlet_id=outlet_id)


def parse_bound(value: str, *, end: bool) -> datetime:
    """``YYYY-MM-DD`` (``end``: the end of that day, so the day is included) or an ISO
    date-time (exact; UTC when it names no offset)."""
    try:
        if len(value) == 10:
            d = date.fromisoformat(value)
            return datetime.combine(d + timedelta(days=1) if end else d, time(), tzinfo=UTC)
        dt = datetime.fromisoformat(value)
    except ValueError:
        raise InputError(f"{value[:40]!r} is not a date (YYYY-MM-DD) or an ISO date-time")\
            from None
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)


def statistics_scope(actor: Agent, period: Period) -> tuple[Period, bool]:
    """The period the actor may see statistics of, and whether that is every outlet.

    Compliance officers and auditors: any outlet. Agents and supervisors: their
    own outlet only (another outlet is "not found" to them).
    """
    if may(actor, Permission.READ_COMPLIANCE):
        return period, True
    if may(actor, Permission.READ_OWN_OUTLET_STATS) and actor.outlet_id:
        if period.outlet_id not in (None, actor.outlet_id):
            raise NotFoundError(f"outlet {period.outlet_id} not found")
        return replace(period, outlet_id=actor.outlet_id), False
    raise PermissionDenied(f"role {actor.role.value} may not read compliance statistics")


__all__ = ["MAX_PERIOD_DAYS", "make_period", "parse_bound", "repo", "statistics_scope"]
