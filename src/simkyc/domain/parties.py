"""Who takes part: operators, outlets, agents and their roles."""

from __future__ import annotations

import enum
from dataclasses import dataclass


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


__all__ = ["Agent", "Operator", "Outlet", "Role"]
