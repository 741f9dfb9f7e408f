"""Audit you can prove outside the database: a signed chain head, and checking against it.

``simkyc audit head --sign`` gives an external notary a JWS of the chain's
last entry (``seq``, ``entry_hash``, ``at``), signed with the operator's
record key. Later, :func:`check_against_head` proves the chain still holds
that entry unchanged: a chain cut short after the export (its newest
entries removed *and* the ``audit_head`` row rewritten to match) no longer
has entry ``seq``, or has another hash there. :func:`verify_audit` (in
:mod:`simkyc.services.audit`) checks the chain itself: altered, removed and
reordered entries.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import ConfigurationError, InputError
from simkyc.domain.parties import Agent
from simkyc.services.context import ServiceContext
from simkyc.services.ports import AuditEntry

HEAD_TYP = "simkyc-audit-head+json"


def chain_head(ctx: ServiceContext, *, actor: Agent) -> dict[str, Any]:
    """The chain's last entry: ``{"seq", "entry_hash", "at", "exported_at"}`` (audited)."""
    require(actor, Permission.READ_AUDIT, "read the audit log")
    with ctx.uow() as tx:
        newest = tx.audit.entries(limit=1)
        now = ctx.clock()
        head: dict[str, Any] = {"seq": newest[0].seq if newest else 0,
                "entry_hash": newest[0].entry_hash if newest else "0" * 64,
                "at": newest[0].at.astimezone(UTC).isoformat() if newest else None,
                "exported_at": now.astimezone(UTC).isoformat(timespec="seconds")}
        tx.audit.append(at=now, actor_id=actor.id, action="audit.head_export",
                        detail=f"seq={head['seq']} hash={head['entry_hash'][:16]}")
    return head


def signed_head(ctx: ServiceContext, *, actor: Agent) -> str:
    """:func:`chain_head` as a compact JWS signed with the record key."""
    if ctx.signer is None:
        raise ConfigurationError("no signing key is configured")
    head = chain_head(ctx, actor=actor)
    return ctx.signer.sign(json.dumps(head, sort_keys=True, separators=(",", ":")).encode(),
                           typ=HEAD_TYP)


@dataclass(frozen=True)
class HeadCheck:
    intact: bool
    seq: int
    problem: str | None = None


def check_against_head(ctx: ServiceContext, *, actor: Agent, head: dict[str, Any]) -> HeadCheck:
    """Whether entry ``head["seq"]`` still exists with ``head["entry_hash"]`` (audited)."""
    require(actor, Permission.READ_AUDIT, "read the audit log")
    try:
        seq, digest = int(head["seq"]), str(head["entry_hash"])
    except (KeyError, TypeError, ValueError) as exc:
        raise InputError("the exported head needs seq and entry_hash") from exc
    with ctx.uow() as tx:
        newest = tx.audit.entries(limit=1)
        last = newest[0].seq if newest else 0
        entry = tx.audit.entry(seq=seq) if seq else None
        if seq and entry is None:
            result = HeadCheck(False, seq, f"the chain was cut short: it ends at entry {last}, "
                                           f"the exported head is entry {seq}")
        elif seq and entry is not None and entry.entry_hash != digest:
            result = HeadCheck(False, seq, f"entry {seq} differs from the exported head")
        else:
            result = HeadCheck(True, seq)
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="audit.head_check",
                        detail=f"seq={seq} intact={result.intact}")
    return result


def export_entries(ctx: ServiceContext, *, actor: Agent, since: datetime | None,
                   until: datetime | None) -> list[AuditEntry]:
    """Entries with ``since <= at < until``, oldest first, with their hashes (audited): an
    auditor recomputes each ``entry_hash`` from the ``prev_hash`` of the first."""
    require(actor, Permission.READ_AUDIT, "read the audit log")
    with ctx.uow() as tx:
        rows = tx.audit.between(since=since, until=until)
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="audit.export",
                        detail=f"from={since} to={until} entries={len(rows)}")
    return rows


def entry_dict(e: AuditEntry) -> dict[str, Any]:
    return {"seq": e.seq, "at": e.at.astimezone(UTC).isoformat(), "actor_id": e.actor_id,
            "action": e.action, "registration_id": e.registration_id, "detail": e.detail,
            "prev_hash": e.prev_hash, "entry_hash": e.entry_hash}


__all__ = ["HEAD_TYP", "HeadCheck", "chain_head", "check_against_head", "entry_dict",
           "export_entries", "signed_head"]
