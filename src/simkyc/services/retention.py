"""Retention: destroying what the policy no longer allows to keep, leaving a tombstone.

:func:`purge` (``simkyc purge``, and the in-process loop on its schedule) walks
every registration that still holds data and, under ``policy.retention``:

- an open registration past its session time-out becomes ``expired`` first;
- a registration that never reached ``registered`` (rejected, expired) loses
  everything ``unfinished_days`` after its last change;
- a registered one loses each evidence item ``<kind>_days`` after its capture
  (raw video and audio), or after the service *ended* for the kinds in
  ``after_service_end`` (photos, the document, identity fields: kept while the
  service is active); the record's JWS ``record_days`` after the service ended.

An item's file is deleted and a tombstone (kind, id, SHA-256, when, why) and an
audit entry written; when nothing of a registration is left its data key is
destroyed too (crypto-shredding: copies of the files elsewhere, a backup of
the evidence folder, become unreadable). Rows that hold no content (the
registration, stage outcomes, evidence metadata and hashes) stay.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from simkyc.domain.access import Permission, require
from simkyc.domain.parties import Agent
from simkyc.domain.registration import Registration, RegistrationStatus
from simkyc.services.context import ServiceContext
from simkyc.services.ports import UnitOfWork
from simkyc.services.records_ports import Tombstone
from simkyc.services.registrations import expire_if_stale


@dataclass(frozen=True)
class PurgedItem:
    registration_id: str
    kind: str
    item_id: str
    due: datetime


@dataclass
class PurgeReport:
    dry_run: bool
    items: list[PurgedItem] = field(default_factory=list)
    keys_destroyed: list[str] = field(default_factory=list)
    expired: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"dry_run": self.dry_run, "purged": len(self.items),
                "items": [{"registration_id": i.registration_id, "kind": i.kind,
                           "item_id": i.item_id, "due": i.due.isoformat(timespec="seconds")}
                          for i in self.items],
                "keys_destroyed": self.keys_destroyed, "expired": self.expired}


def _due_items(ctx: ServiceContext, tx: UnitOfWork, reg: Registration,
               now: datetime) -> tuple[list[PurgedItem], bool]:
    """What of ``reg`` is due now, and whether nothing of it is left afterwards."""
    r = ctx.policy.retention
    purged = tx.tombstones.purged_ids(registration_id=reg.id)
    evidence = [e for e in tx.evidence.list(registration_id=reg.id) if e.id not in purged]
    records = [x for x in tx.records.for_registration(registration_id=reg.id) if x.jws]
    due: list[PurgedItem] = []
    if reg.status is not RegistrationStatus.REGISTERED:
        if not reg.is_terminal:
            return [], False
        when = reg.updated_at + timedelta(days=r.unfinished_days)
        if now < when:
            return [], False
        due = [PurgedItem(reg.id, e.kind.value, e.id, when) for e in evidence]
        due += [PurgedItem(reg.id, "record", x.id, when) for x in records]
        return due, True
    try:
        ended = tx.services.get(registration_id=reg.id).ended_at
    except Exception:  # noqa: BLE001 - a registration from before services were kept: active
        ended = None
    for e in evidence:
        days = getattr(r, f"{e.kind.value}_days", r.unfinished_days)
        anchor = ended if e.kind.value in r.after_service_end else e.created_at
        if anchor is not None and now >= anchor + timedelta(days=days):
            due.append(PurgedItem(reg.id, e.kind.value, e.id, anchor + timedelta(days=days)))
    for x in records:
        anchor = ended if "record" in r.after_service_end else x.created_at
        if anchor is not None and now >= anchor + timedelta(days=r.record_days):
            due.append(PurgedItem(reg.id, "record", x.id, anchor + timedelta(days=r.record_days)))
    left = len(evidence) + len(records) - len(due)
    return due, left == 0 and bool(evidence or records)


def destroy_items(ctx: ServiceContext, tx: UnitOfWork, reg_id: str, items: list[PurgedItem],
                  *, shred: bool, cause: str, actor_id: str | None, now: datetime) -> None:
    """Delete the items (files, record JWS), tombstone and audit them; ``shred``: destroy
    the data key as well. Runs in the caller's unit of work."""
    hashes = {e.id: e.sha256 for e in tx.evidence.list(registration_id=reg_id)}
    for item in items:
        if item.kind == "record":
            rec = tx.records.get(record_id=item.item_id)
            tx.records.purge(record_id=item.item_id, at=now)
            digest = rec.payload_sha256
        else:
            ctx.store.delete(registration_id=reg_id, evidence_id=item.item_id)
            digest = hashes.get(item.item_id, "")
        tx.tombstones.add(tombstone=Tombstone(registration_id=reg_id, item_kind=item.kind,
                                              item_id=item.item_id, sha256=digest,
                                              purged_at=now, reason=cause))
    if shred:
        tx.keys.destroy(registration_id=reg_id, now=now)
    tx.audit.append(at=now, actor_id=actor_id, action=f"{cause}.purge",
                    registration_id=reg_id,
                    detail=f"items={','.join(f'{i.kind}:{i.item_id}' for i in items)} "
                           f"key_destroyed={shred}")


def purge(ctx: ServiceContext, *, actor: Agent | None, dry_run: bool = False) -> PurgeReport:
    """Apply the retention schedule now (``actor`` None: the scheduled run)."""
    if actor is not None:
        require(actor, Permission.DESTROY_KEYS, "purge evidence")
    actor_id = actor.id if actor is not None else None
    report = PurgeReport(dry_run=dry_run)
    with ctx.uow() as tx:
        candidates = tx.services.holding_data()
    for reg_id in candidates:
        with ctx.uow() as tx:
            now = ctx.clock()
            reg = tx.registrations.get(registration_id=reg_id, for_update=not dry_run)
            if not dry_run:
                moved = expire_if_stale(ctx, tx, reg, actor_id=actor_id)
                if moved is not reg:
                    report.expired.append(reg.id)
                reg = moved
            items, nothing_left = _due_items(ctx, tx, reg, now)
            if not items:
                continue
            report.items.extend(items)
            if nothing_left:
                report.keys_destroyed.append(reg.id)
            if not dry_run:
                destroy_items(ctx, tx, reg.id, items, shred=nothing_left, cause="retention",
                              actor_id=actor_id, now=now)
        if nothing_left and not dry_run:
            ctx.store.delete_registration(reg_id)
    return report


__all__ = ["PurgeReport", "PurgedItem", "destroy_items", "purge"]
