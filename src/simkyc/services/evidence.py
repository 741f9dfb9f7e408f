"""Evidence: encrypted items bound to the step that produced them.

Bytes are encrypted under the registration's data key and written to the
evidence store *before* the unit of work that records their rows commits; if
the process dies in between, no row exists, the registration is unchanged,
and :func:`sweep_orphans` deletes the file at the next start.

A later step finds its input with :func:`bound_evidence`: the item that the
passing outcome of a named step produced (recorded in that outcome), never
"the latest item of a kind", so nothing attached afterwards can take its place.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import EvidenceError, EvidenceKeyDestroyedError
from simkyc.domain.evidence import EvidenceKind, EvidenceRef
from simkyc.domain.parties import Agent
from simkyc.domain.registration import Registration
from simkyc.services.context import ServiceContext
from simkyc.services.ports import UnitOfWork


@dataclass(frozen=True)
class NewEvidence:
    """Evidence to store together with a step's outcome."""

    kind: EvidenceKind
    content_type: str
    data: bytes


def data_key(ctx: ServiceContext, tx: UnitOfWork, registration_id: str) -> tuple[str, bytes]:
    key_id, wrapped = tx.keys.get(registration_id=registration_id)
    if wrapped is None:
        raise EvidenceKeyDestroyedError(
            f"the data key of registration {registration_id} was destroyed")
    return key_id, ctx.keys.unwrap(wrapped, key_id)


def write_items(ctx: ServiceContext, tx: UnitOfWork, reg: Registration,
                items: Sequence[NewEvidence], written: list[EvidenceRef]) -> None:
    """Encrypt and store ``items``, add their rows; appends each ref to ``written``
    as soon as its file exists (so the caller can delete the files if the
    transaction fails)."""
    if not items:
        return
    key_id, key = data_key(ctx, tx, reg.id)
    for item in items:
        ev_id = ctx.new_id()
        digest = ctx.store.write(registration_id=reg.id, evidence_id=ev_id, data_key=key,
                                 plaintext=item.data)
        ref = EvidenceRef(id=ev_id, registration_id=reg.id, kind=item.kind,
                          content_type=item.content_type, size=len(item.data), sha256=digest,
                          key_id=key_id, created_at=ctx.clock())
        written.append(ref)
        tx.evidence.add(ref=ref)


def drop_files(ctx: ServiceContext, refs: Sequence[EvidenceRef]) -> None:
    """Delete the files of rows that were rolled back."""
    for ref in refs:
        ctx.store.delete(registration_id=ref.registration_id, evidence_id=ref.id)


def _read(ctx: ServiceContext, tx: UnitOfWork, ref: EvidenceRef, *, actor_id: str,
          action: str) -> bytes:
    """Decrypt one item and audit the read. A failed read raises :class:`UnreadableEvidence`
    (an :class:`EvidenceError`): the caller audits it *after* its unit of work ends (a unit
    of work must not be opened inside another: on SQLite it would wait for its own lock)."""
    _, key = data_key(ctx, tx, ref.registration_id)
    try:
        data = ctx.store.read(registration_id=ref.registration_id, evidence_id=ref.id,
                              data_key=key, sha256=ref.sha256)
    except EvidenceError as exc:
        raise UnreadableEvidence(str(exc), ref=ref, action=action) from exc
    tx.audit.append(at=ctx.clock(), actor_id=actor_id, action=action,
                    registration_id=ref.registration_id, detail=ref.id)
    return data


class UnreadableEvidence(EvidenceError):
    """An evidence item that failed authentication or its hash, with what was being done."""

    def __init__(self, message: str, *, ref: EvidenceRef, action: str) -> None:
        super().__init__(message)
        self.ref = ref
        self.action = action


def audit_failed_read(ctx: ServiceContext, exc: UnreadableEvidence, *, actor_id: str) -> None:
    """Record a failed evidence read (in a unit of work of its own)."""
    with ctx.uow() as tx:
        tx.audit.append(at=ctx.clock(), actor_id=actor_id, action=f"{exc.action}_failed",
                        registration_id=exc.ref.registration_id,
                        detail=f"{exc.ref.id} {type(exc.__cause__).__name__}")


def bound_evidence(ctx: ServiceContext, tx: UnitOfWork, reg: Registration, *, step: str,
                   kind: EvidenceKind, actor_id: str) -> tuple[EvidenceRef, bytes] | None:
    """The item of ``kind`` that the passing outcome of ``step`` produced (audited), or None."""
    evidence_id = None
    for o in tx.stages.list(registration_id=reg.id):
        if o.stage == step and o.passed:
            evidence_id = (o.details.get("evidence") or {}).get(kind.value) or evidence_id
    if evidence_id is None:
        return None
    ref = tx.evidence.get(evidence_id=evidence_id)
    if ref.registration_id != reg.id or ref.kind is not kind:
        return None
    return ref, _read(ctx, tx, ref, actor_id=actor_id, action="evidence.use")


def read_evidence(ctx: ServiceContext, *, actor: Agent,
                  evidence_id: str) -> tuple[EvidenceRef, bytes]:
    """Decrypt one evidence item for a reviewer (audited; a failed read is audited too)."""
    require(actor, Permission.READ_EVIDENCE, "read evidence")
    try:
        with ctx.uow() as tx:
            ref = tx.evidence.get(evidence_id=evidence_id)
            return ref, _read(ctx, tx, ref, actor_id=actor.id, action="evidence.read")
    except UnreadableEvidence as exc:
        audit_failed_read(ctx, exc, actor_id=actor.id)
        raise


def destroy_evidence_key(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                         reason: str) -> None:
    """Crypto-shred a registration's evidence: its data key is erased (audited)."""
    require(actor, Permission.DESTROY_KEYS, "destroy evidence keys")
    with ctx.uow() as tx:
        tx.registrations.get(registration_id=registration_id)
        tx.keys.destroy(registration_id=registration_id, now=ctx.clock())
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="evidence.destroy_key",
                        registration_id=registration_id, detail=reason[:500])
    ctx.store.delete_registration(registration_id)


def sweep_orphans(ctx: ServiceContext, *, older_than_seconds: float = 300.0) -> int:
    """Delete evidence files whose rows were never committed (after a crash)."""
    with ctx.uow() as tx:
        known = tx.evidence.all_ids()
    return ctx.store.sweep_orphans(known, older_than_seconds=older_than_seconds)


__all__ = [
    "NewEvidence",
    "UnreadableEvidence",
    "audit_failed_read",
    "bound_evidence",
    "data_key",
    "destroy_evidence_key",
    "drop_files",
    "read_evidence",
    "sweep_orphans",
    "write_items",
]
