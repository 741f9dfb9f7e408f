"""A customer's rights over their data: an access request (a ZIP) and erasure.

Both are for a compliance officer (``subject_rights``), both audited. The
customer is found by the identity the document step established (the keyed
hash of ``<issuing state>/<number>``, as the per-identity rules count it): the
officer types the number from the document the customer presents.

- :func:`export_subject`: a ZIP holding ``manifest.json`` (each registration's
  status, dates, stage pass/fail and reasons, evidence list with SHA-256,
  records, tombstones), ``records/<id>.jws`` and ``evidence/<registration>/<id>``
  (decrypted). Nothing of other people; no scores.
- :func:`erase_subject`: crypto-shreds what the law allows to erase: every
  registration that never reached ``registered``, and registered ones whose
  service ended and whose legal period has passed. A registered service
  still active, or within its legal period after it ended, is *held* (listed
  with the reason) and kept.
"""

from __future__ import annotations

import io
import json
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, timedelta
from typing import Any

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import EvidenceError, InputError, NotFoundError
from simkyc.domain.parties import Agent
from simkyc.domain.registration import RegistrationStatus
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import data_key
from simkyc.services.retention import PurgedItem, destroy_items


def subject_key(number: str, issuing_state: str = "CHN") -> str:
    """The identity key the document step uses (``CHN/<id number>``, ``<state>/<number>``)."""
    number = number.strip().upper()
    if not number or len(number) > 64:
        raise InputError("the document number is empty or too long")
    return f"{issuing_state.strip().upper()}/{number}"


def _registrations(ctx: ServiceContext, tx: Any, number: str, issuing_state: str) -> list[str]:
    digest = ctx.keys.subject_hash(subject_key(number, issuing_state))
    ids = tx.services.registrations_of_subject(subject_id_hash=digest)
    if not ids:
        raise NotFoundError("no registration of this identity")
    return list(ids)


def export_subject(ctx: ServiceContext, *, actor: Agent, number: str,
                   issuing_state: str = "CHN") -> bytes:
    """The access request's ZIP (see the module docstring); audited per registration."""
    require(actor, Permission.SUBJECT_RIGHTS, "export a customer's data")
    buf = io.BytesIO()
    manifest: list[dict[str, Any]] = []
    with ctx.uow() as tx, zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for reg_id in _registrations(ctx, tx, number, issuing_state):
            reg = tx.registrations.get(registration_id=reg_id)
            key_id, wrapped = tx.keys.get(registration_id=reg_id)
            key = data_key(ctx, tx, reg_id)[1] if wrapped is not None else None
            purged = tx.tombstones.purged_ids(registration_id=reg_id)
            items = []
            for e in tx.evidence.list(registration_id=reg_id):
                state = "purged" if e.id in purged or key is None else "included"
                if state == "included":
                    try:
                        data = ctx.store.read(registration_id=reg_id, evidence_id=e.id,
                                              data_key=key or b"", sha256=e.sha256)
                        zf.writestr(f"evidence/{reg_id}/{e.id}", data)
                    except EvidenceError:
                        state = "unreadable"
                items.append({"id": e.id, "kind": e.kind.value, "content_type": e.content_type,
                              "sha256": e.sha256, "state": state})
            records = []
            for r in tx.records.for_registration(registration_id=reg_id):
                if r.jws:
                    zf.writestr(f"records/{r.id}.jws", r.jws)
                records.append({"id": r.id, "profile": r.profile, "kid": r.kid,
                                "policy_sha256": r.policy_sha256, "purged": r.jws is None})
            manifest.append({
                "registration_id": reg.id, "status": reg.status.value,
                "created_at": reg.created_at.astimezone(UTC).isoformat(),
                "updated_at": reg.updated_at.astimezone(UTC).isoformat(),
                "service_kind": reg.service_kind, "service_id": reg.service_id,
                "reasons": list(reg.reasons),
                "stages": [{"stage": o.stage, "passed": o.passed, "reasons": list(o.reasons)}
                           for o in tx.stages.list(registration_id=reg_id)],
                "evidence": items, "records": records,
                "tombstones": [{"kind": t.item_kind, "id": t.item_id, "reason": t.reason,
                                "at": t.purged_at.astimezone(UTC).isoformat()}
                               for t in tx.tombstones.for_registration(registration_id=reg_id)]})
            tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="subject.export",
                            registration_id=reg_id, detail=f"evidence={len(items)}")
        zf.writestr("manifest.json", json.dumps({"registrations": manifest},
                                                ensure_ascii=False, indent=2))
    return buf.getvalue()


@dataclass
class ErasureReport:
    erased: list[str] = field(default_factory=list)
    held: dict[str, str] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"erased": self.erased, "held": self.held}


def erase_subject(ctx: ServiceContext, *, actor: Agent, number: str, reason: str,
                  issuing_state: str = "CHN") -> ErasureReport:
    """Crypto-shred what may be erased (see the module docstring); audited."""
    require(actor, Permission.SUBJECT_RIGHTS, "erase a customer's data")
    if not reason.strip():
        raise InputError("give the reason (the request's reference)")
    report = ErasureReport()
    with ctx.uow() as tx:
        ids = _registrations(ctx, tx, number, issuing_state)
    r = ctx.policy.retention
    for reg_id in ids:
        with ctx.uow() as tx:
            now = ctx.clock()
            reg = tx.registrations.get(registration_id=reg_id, for_update=True)
            if not reg.is_terminal:
                report.held[reg_id] = "the registration is still open"
                continue
            if reg.status is RegistrationStatus.REGISTERED:
                service = tx.services.get(registration_id=reg_id)
                if service.active:
                    report.held[reg_id] = "the service is active (legal retention)"
                    continue
                assert service.ended_at is not None
                keep_until = service.ended_at + timedelta(days=r.record_days)
                if now < keep_until:
                    report.held[reg_id] = ("legal retention after the service ended, until "
                                           f"{keep_until.date().isoformat()}")
                    continue
            purged = tx.tombstones.purged_ids(registration_id=reg_id)
            items = [PurgedItem(reg_id, e.kind.value, e.id, now)
                     for e in tx.evidence.list(registration_id=reg_id) if e.id not in purged]
            items += [PurgedItem(reg_id, "record", x.id, now)
                      for x in tx.records.for_registration(registration_id=reg_id) if x.jws]
            destroy_items(ctx, tx, reg_id, items, shred=True, cause="erasure",
                          actor_id=actor.id, now=now)
            tx.audit.append(at=now, actor_id=actor.id, action="subject.erase",
                            registration_id=reg_id, detail=reason.strip()[:500])
        ctx.store.delete_registration(reg_id)
        report.erased.append(reg_id)
    with ctx.uow() as tx:
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="subject.erase_request",
                        detail=f"erased={len(report.erased)} held={len(report.held)}")
    return report


__all__ = ["ErasureReport", "erase_subject", "export_subject", "subject_key"]
