"""Who may do what: permissions per role, and the outlet scope of agents.

Every application service checks these itself (a worker or the CLI has no
HTTP layer in front of it). Agents and supervisors act on their own outlet's
registrations only; another outlet's registration is "not found" to them, so
its existence is not even confirmed.
"""

from __future__ import annotations

import enum
from collections.abc import Mapping

from simkyc.domain.errors import NotFoundError, PermissionDenied
from simkyc.domain.parties import Agent, Role
from simkyc.domain.registration import Registration


class Permission(enum.StrEnum):
    RUN_REGISTRATIONS = "run_registrations"
    """Open registrations and run their steps (own outlet only)."""
    READ_ANY_REGISTRATION = "read_any_registration"
    """See every outlet's registrations (status, outcomes, evidence list; no scores)."""
    READ_EVIDENCE = "read_evidence"
    """Decrypt evidence for a review (audited)."""
    APPROVE_OVERRIDE = "approve_override"
    """Approve an assisted override of the voice step."""
    LIFT_LOCKOUT = "lift_lockout"
    """Lift a document's verification lockout (audited)."""
    DESTROY_KEYS = "destroy_keys"
    """Crypto-shred a registration's evidence."""
    READ_AUDIT = "read_audit"
    """Verify and read the audit chain."""
    MANAGE_ACCOUNTS = "manage_accounts"
    """Create, list and revoke accounts and their tokens."""
    END_SERVICES = "end_services"
    """Record that a registered service ended (ported out, cancelled): it frees its count."""
    MANAGE_DELIVERY = "manage_delivery"
    """List record deliveries and retry parked ones."""
    SUBJECT_RIGHTS = "subject_rights"
    """Export a customer's records and evidence (access request) and erase them (audited)."""
    READ_COMPLIANCE = "read_compliance"
    """Compliance statistics of every outlet, findings, spot checks, the ledger, reports."""
    MANAGE_COMPLIANCE = "manage_compliance"
    """Detect patterns, queue and review spot checks, add ledger entries, outlet hours."""
    MANAGE_READERS = "manage_readers"
    """Enroll and revoke card readers (a supervisor: at their own outlet only)."""
    READ_OWN_OUTLET_STATS = "read_own_outlet_stats"
    """Compliance statistics of one's own outlet (nothing else of compliance)."""


P = Permission

ROLE_PERMISSIONS: Mapping[Role, frozenset[Permission]] = {
    Role.AGENT: frozenset({P.RUN_REGISTRATIONS, P.END_SERVICES}),
    Role.SUPERVISOR: frozenset({P.RUN_REGISTRATIONS, P.APPROVE_OVERRIDE, P.LIFT_LOCKOUT,
                                P.END_SERVICES, P.MANAGE_READERS}),
    Role.COMPLIANCE: frozenset({P.READ_ANY_REGISTRATION, P.READ_EVIDENCE, P.READ_AUDIT,
                                P.SUBJECT_RIGHTS}),
    Role.AUDITOR: frozenset({P.READ_ANY_REGISTRATION, P.READ_AUDIT}),
    Role.ADMIN: frozenset({P.READ_ANY_REGISTRATION, P.READ_AUDIT, P.DESTROY_KEYS,
                           P.MANAGE_ACCOUNTS, P.END_SERVICES, P.MANAGE_DELIVERY,
                           P.MANAGE_READERS}),
}

# Compliance (issue 17): officers everything, auditors read, registrars their outlet's figures.
_COMPLIANCE_GRANTS: Mapping[Role, frozenset[Permission]] = {
    Role.COMPLIANCE: frozenset({P.READ_COMPLIANCE, P.MANAGE_COMPLIANCE}),
    Role.AUDITOR: frozenset({P.READ_COMPLIANCE}),
    Role.AGENT: frozenset({P.READ_OWN_OUTLET_STATS}),
    Role.SUPERVISOR: frozenset({P.READ_OWN_OUTLET_STATS}),
}
ROLE_PERMISSIONS = {role: perms | _COMPLIANCE_GRANTS.get(role, frozenset())
                    for role, perms in ROLE_PERMISSIONS.items()}


def may(actor: Agent, permission: Permission) -> bool:
    """Whether ``actor`` (active) holds ``permission``."""
    return actor.active and permission in ROLE_PERMISSIONS.get(actor.role, frozenset())


def require(actor: Agent, permission: Permission, what: str | None = None) -> None:
    """Raise :class:`PermissionDenied` unless ``actor`` holds ``permission``."""
    if not may(actor, permission):
        raise PermissionDenied(f"role {actor.role.value} may not "
                               f"{what or permission.value.replace('_', ' ')}")


def require_visible(actor: Agent, registration: Registration) -> None:
    """Raise :class:`NotFoundError` unless ``actor`` may see ``registration``.

    Readers of any registration see all; agents and supervisors their outlet's.
    """
    if may(actor, P.READ_ANY_REGISTRATION):
        return
    if may(actor, P.RUN_REGISTRATIONS) and registration.outlet_id == actor.outlet_id:
        return
    raise NotFoundError(f"registration {registration.id} not found")


__all__ = ["Permission", "ROLE_PERMISSIONS", "may", "require", "require_visible"]
