"""Outlet settings compliance relies on: opening hours, spot-check rate, UTC offset."""

from __future__ import annotations

from simkyc.domain.access import Permission, require
from simkyc.domain.compliance import OpeningHours
from simkyc.domain.errors import InputError
from simkyc.domain.parties import Agent
from simkyc.services.compliance._common import repo
from simkyc.services.compliance.ports import OutletSettings
from simkyc.services.context import ServiceContext


def set_opening_hours(ctx: ServiceContext, *, actor: Agent, outlet_id: str,
                      hours: list[OpeningHours]) -> None:
    """Replace an outlet's opening hours (one span per weekday; audited)."""
    require(actor, Permission.MANAGE_COMPLIANCE, "set opening hours")
    days = [h.weekday for h in hours]
    if len(days) != len(set(days)):
        raise InputError("one opening span per weekday")
    if any(h.outlet_id != outlet_id for h in hours):
        raise InputError("hours of another outlet")
    with ctx.uow() as tx:
        repo(tx).set_opening_hours(outlet_id=outlet_id, hours=hours)
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="compliance.hours",
                        detail=f"{outlet_id} " + " ".join(
                            f"{h.weekday}:{h.opens_minute}-{h.closes_minute}" for h in hours))


def set_outlet_settings(ctx: ServiceContext, *, actor: Agent, outlet_id: str,
                        spot_check_rate: float | None,
                        utc_offset_minutes: int | None) -> None:
    """An outlet's own spot-check rate (0..1) and UTC offset (minutes); None: defaults."""
    require(actor, Permission.MANAGE_COMPLIANCE, "set outlet compliance settings")
    if spot_check_rate is not None and not 0.0 <= spot_check_rate <= 1.0:
        raise InputError("a spot-check rate is between 0 and 1")
    if utc_offset_minutes is not None and not -14 * 60 <= utc_offset_minutes <= 14 * 60:
        raise InputError("a UTC offset is between -14 h and +14 h")
    with ctx.uow() as tx:
        repo(tx).set_outlet_settings(outlet_id=outlet_id, settings=OutletSettings(
            spot_check_rate, utc_offset_minutes))
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="compliance.outlet",
                        detail=f"{outlet_id} rate={spot_check_rate} offset={utc_offset_minutes}")


__all__ = ["set_opening_hours", "set_outlet_settings"]
