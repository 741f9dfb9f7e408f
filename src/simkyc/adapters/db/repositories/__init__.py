"""SQLAlchemy repositories, one module per aggregate, returning domain objects.

Each class wraps the unit of work's ``Session``; none commits (the unit of
work does). They implement the Protocols of :mod:`simkyc.services.ports`.
"""

from simkyc.adapters.db.repositories.accounts import SqlAccounts
from simkyc.adapters.db.repositories.audit import GENESIS_HASH, SqlAuditLog
from simkyc.adapters.db.repositories.challenges import SqlChallenges
from simkyc.adapters.db.repositories.evidence import SqlDataKeys, SqlEvidence
from simkyc.adapters.db.repositories.idempotency import SqlIdempotency
from simkyc.adapters.db.repositories.jobs import SqlJobs
from simkyc.adapters.db.repositories.lockouts import SqlLockouts
from simkyc.adapters.db.repositories.registrations import SqlRegistrations
from simkyc.adapters.db.repositories.sessions import SqlSessions
from simkyc.adapters.db.repositories.stages import SqlStageResults

__all__ = [
    "GENESIS_HASH",
    "SqlAccounts",
    "SqlAuditLog",
    "SqlChallenges",
    "SqlDataKeys",
    "SqlEvidence",
    "SqlIdempotency",
    "SqlJobs",
    "SqlLockouts",
    "SqlRegistrations",
    "SqlSessions",
    "SqlStageResults",
]
