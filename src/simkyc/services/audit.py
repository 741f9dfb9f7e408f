"""The hash-chained audit log: verifying it, reading it.

Entries are appended inside the unit of work of the change they record
(``tx.audit.append``), so an entry exists exactly when its change committed.
"""

from __future__ import annotations

from simkyc.domain.access import Permission, require
from simkyc.domain.parties import Agent
from simkyc.services.context import ServiceContext
from simkyc.services.ports import AuditEntry, AuditVerification


def verify_audit(ctx: ServiceContext, *, actor: Agent) -> AuditVerification:
    """Recompute the whole chain; the first entry that was altered, removed or reordered."""
    require(actor, Permission.READ_AUDIT, "read the audit log")
    with ctx.uow() as tx:
        result = tx.audit.verify()
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="audit.verify",
                        detail=f"intact={result.intact} entries={result.entries}")
    return result


def audit_entries(ctx: ServiceContext, *, actor: Agent, registration_id: str | None = None,
                  limit: int = 200) -> list[AuditEntry]:
    """The newest ``limit`` entries (of one registration, if given), newest first."""
    require(actor, Permission.READ_AUDIT, "read the audit log")
    with ctx.uow() as tx:
        return tx.audit.entries(registration_id=registration_id, limit=limit)


__all__ = ["audit_entries", "verify_audit"]
