"""Who takes part: operators, outlets, agents and their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class Role(enum.StrEnum):
    """What a signed-in person may do.

    - ``agent``: runs registrations at an outlet.
    - ``supervisor``: an agent who may also approve assisted overrides.
    - ``compliance``: reviews registrations, spot checks and statistics.
    - ``auditor``: read-only verification of records and the audit chain.
    - ``admin``: manages operators, outlets and accounts.
    """

    AGENT = "agent"
    SUPERVISOR = "supervisor"
    COMPLIANCE = "compliance"
    AUDITOR = "auditor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Operator:
    id: str
    name: str


@dataclass(frozen=True)
class Outlet:
    id: str
    operator_id: str
    name: str


@dataclass(frozen=True)
class Agent:
    id: str
    name: str
    role: Role
    outlet_id: str | None
    active: bool = True


@dataclass(frozen=True)
class ReaderDevice:
    """An enrolled identity-card reader: it signs its records with an Ed25519 key whose
    public half (``public_key``, raw 32 bytes) is kept here; bound to one outlet."""

    device_id: str
    outlet_id: str
    public_key: bytes
    enrolled_at: datetime
    enrolled_by: str | None = None
    revoked_at: datetime | None = None
    revoked_by: str | None = None
    outlet_name: str | None = None

    def is_revoked(self, now: datetime) -> bool:
        """Whether the device is revoked at ``now``."""
        return self.revoked_at is not None and self.revoked_at <= now


__all__ = ["Agent", "Operator", "Outlet", "ReaderDevice", "Role"]
