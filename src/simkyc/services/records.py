"""The signed registration record: what each recipient receives, and reading it back.

When a registration reaches ``registered`` the register step calls
:func:`issue_records` inside the same unit of work: one record per delivery
profile of the policy, each a JWS signed with the operator's key, and one
outbox row per configured sink (:mod:`simkyc.services.outbox` delivers them).
So a record exists exactly when the registration committed, and a sink that
is down never blocks it.

A record's payload (JSON, UTF-8) always carries the envelope ``record_id``,
``profile``, ``issued_at``, ``policy_sha256`` and ``kid`` (the signing key), then
only the fields its profile names (:data:`~simkyc.domain.policy.RECORD_FIELDS`).
Evidence is referred to by kind and SHA-256 of its plaintext; its content is
embedded (``content_b64``) only for the kinds the profile lists in
``embed_evidence``. No stage details are carried (no scores, no face
templates: only stage, passed, reasons).
"""

from __future__ import annotations

import base64
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simkyc.domain.access import Permission, require, require_visible
from simkyc.domain.errors import InputError
from simkyc.domain.parties import Agent
from simkyc.domain.registration import Registration
from simkyc.domain.rules import ServiceEnd
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import data_key
from simkyc.services.policy_doc import policy_sha256
from simkyc.services.ports import UnitOfWork
from simkyc.services.records_ports import DeliveryStatus, OutboxItem, StoredRecord

#: The JWS ``typ`` header of a record.
RECORD_TYP = "simkyc-record+json"
ENVELOPE = ("record_id", "profile", "issued_at", "policy_sha256", "kid")


def _iso(dt: datetime | None) -> str | None:
    return dt.astimezone(UTC).isoformat(timespec="seconds") if dt else None


def record_facts(ctx: ServiceContext, tx: UnitOfWork, reg: Registration,
                 identity: dict[str, Any], *, iccid: str | None) -> dict[str, Any]:
    """Every field a record may carry (:data:`RECORD_FIELDS`), for one registration."""
    outlet = tx.accounts.get_outlet(outlet_id=reg.outlet_id)
    purged = tx.tombstones.purged_ids(registration_id=reg.id)
    evidence = [{"id": e.id, "kind": e.kind.value, "sha256": e.sha256,
                 "content_type": e.content_type, "size": e.size}
                for e in tx.evidence.list(registration_id=reg.id) if e.id not in purged]
    stages = [{"stage": o.stage, "passed": o.passed, "reasons": list(o.reasons)}
              for o in tx.stages.list(registration_id=reg.id)]
    return {
        "registration_id": reg.id, "registered_at": _iso(reg.updated_at),
        "consent_at": _iso(reg.consent_at), "operator_id": reg.operator_id,
        "operator_name": tx.records.operator_name(operator_id=reg.operator_id),
        "outlet_id": reg.outlet_id, "outlet_name": outlet.name, "agent_id": reg.agent_id,
        "service_kind": reg.service_kind, "service_id": reg.service_id, "iccid": iccid,
        "subject_name": identity.get("name"), "subject_id_number": identity.get("id_number"),
        "subject_document_kind": identity.get("document_kind"),
        "subject_issuing_state": identity.get("issuing_state"),
        "subject_nationality": identity.get("nationality"),
        "subject_birth_date": identity.get("birth_date"), "subject_sex": identity.get("sex"),
        "subject_ethnicity": identity.get("ethnicity"),
        "subject_address": identity.get("address"),
        "document_valid_until": identity.get("valid_until"),
        "assisted_override": reg.assisted_override, "stages": stages, "evidence": evidence,
        "policy_version": reg.policy_version, "flow_version": reg.flow_version,
    }


def project(facts: dict[str, Any], profile: Any, *, embedded: dict[str, bytes]) -> dict[str, Any]:
    """The profile's fields of ``facts``; ``embedded``: evidence id -> plaintext to embed."""
    out = {k: facts[k] for k in profile.fields}
    if "evidence" in out:
        items = []
        for e in out["evidence"]:
            item = {k: e[k] for k in ("kind", "sha256", "content_type", "size")}
            if e["kind"] in profile.embed_evidence and e["id"] in embedded:
                item["content_b64"] = base64.b64encode(embedded[e["id"]]).decode()
            items.append(item)
        out["evidence"] = items
    return out


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode()


def issue_records(ctx: ServiceContext, tx: UnitOfWork, reg: Registration,
                  identity: dict[str, Any], *, iccid: str | None, actor_id: str) -> list[str]:
    """Sign one record per profile and queue it for each sink (same unit of work)."""
    signer = ctx.signer
    if signer is None:
        return []
    now = ctx.clock()
    facts = record_facts(ctx, tx, reg, identity, iccid=iccid)
    embed = {k for p in ctx.policy.delivery.profiles for k in p.embed_evidence}
    embedded: dict[str, bytes] = {}
    if embed:
        _, key = data_key(ctx, tx, reg.id)
        for e in facts["evidence"]:
            if e["kind"] in embed:
                embedded[e["id"]] = ctx.store.read(registration_id=reg.id, evidence_id=e["id"],
                                                   data_key=key, sha256=e["sha256"])
    digest = policy_sha256(ctx.policy)
    ids = []
    by_profile: dict[str, str] = {}
    for profile in ctx.policy.delivery.profiles:
        record_id = ctx.new_id()
        payload = {"record_id": record_id, "profile": profile.name, "issued_at": _iso(now),
                   "policy_sha256": digest, "kid": signer.kid,
                   **project(facts, profile, embedded=embedded)}
        body = canonical(payload)
        token = signer.sign(body, typ=RECORD_TYP)
        tx.records.add(record=StoredRecord(
            id=record_id, registration_id=reg.id, profile=profile.name, kid=signer.kid,
            policy_sha256=digest, payload_sha256=hashlib.sha256(body).hexdigest(), jws=token,
            created_at=now))
        by_profile[profile.name] = record_id
        ids.append(record_id)
    for sink in ctx.policy.delivery.sinks:
        record_id = by_profile[sink.profile]
        tx.outbox.add(item=OutboxItem(
            id=ctx.new_id(), record_id=record_id, sink=sink.name, idempotency_key=record_id,
            status=DeliveryStatus.PENDING, attempts=0, next_attempt_at=now, last_error="",
            created_at=now))
    tx.audit.append(at=now, actor_id=actor_id, action="record.issue", registration_id=reg.id,
                    detail=f"records={','.join(ids)} kid={signer.kid} policy={digest[:16]} "
                           f"outbox={len(ctx.policy.delivery.sinks)}")
    return ids


@dataclass(frozen=True)
class RecordView:
    id: str
    registration_id: str
    profile: str
    kid: str
    policy_sha256: str
    policy_current: bool
    created_at: datetime
    jws: str | None
    purged_at: datetime | None


def registration_records(ctx: ServiceContext, *, actor: Agent,
                         registration_id: str) -> list[RecordView]:
    """A registration's signed records (audited read). Agents see their outlet's only;
    ``policy_current`` says whether it was decided under the policy in force now."""
    current = policy_sha256(ctx.policy)
    with ctx.uow() as tx:
        reg = tx.registrations.get(registration_id=registration_id)
        require_visible(actor, reg)
        rows = tx.records.for_registration(registration_id=reg.id)
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="record.read",
                        registration_id=reg.id, detail=f"records={len(rows)}")
    return [RecordView(id=r.id, registration_id=r.registration_id, profile=r.profile,
                       kid=r.kid, policy_sha256=r.policy_sha256,
                       policy_current=r.policy_sha256 == current, created_at=r.created_at,
                       jws=r.jws, purged_at=r.purged_at) for r in rows]


def end_service(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                reason: str) -> None:
    """Record that a registered service ended (``ported_out``, ``cancelled``): it no longer
    counts toward the identity's limit, its number and SIM are free, and the retention
    periods counted from the service's end start (audited)."""
    require(actor, Permission.END_SERVICES, "end services")
    try:
        why = ServiceEnd(reason)
    except ValueError:
        raise InputError(f"reason must be one of {', '.join(e.value for e in ServiceEnd)}"
                         ) from None
    now = ctx.clock()
    with ctx.uow() as tx:
        reg = tx.registrations.get(registration_id=registration_id)
        require_visible(actor, reg)
        tx.services.end(registration_id=reg.id, at=now, reason=why.value)
        tx.audit.append(at=now, actor_id=actor.id, action="service.end",
                        registration_id=reg.id, detail=why.value)


__all__ = ["ENVELOPE", "RECORD_TYP", "RecordView", "canonical", "end_service", "issue_records",
           "project", "record_facts", "registration_records"]
