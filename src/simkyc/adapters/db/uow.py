"""The SQLAlchemy unit of work: one transaction, one repository per aggregate.

On SQLite the transaction begins with ``BEGIN IMMEDIATE`` (see
:func:`simkyc.adapters.db.engine.make_engine`), so it holds the database's
write lock from its first statement: every read-check-write is serialised,
and a second writer waits (busy timeout) instead of failing. On PostgreSQL
rows are locked ``FOR UPDATE`` where a rule reads before it writes, and
:meth:`SqlUnitOfWork.lock_subject` takes an advisory transaction lock per
identity (the per-identity number limit spans registrations).
"""

from __future__ import annotations

import hashlib
from types import TracebackType

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from simkyc.adapters.db.repositories import (
    SqlAccounts,
    SqlAuditLog,
    SqlChallenges,
    SqlDataKeys,
    SqlEvidence,
    SqlIdempotency,
    SqlJobs,
    SqlLockouts,
    SqlRegistrations,
    SqlSessions,
    SqlStageResults,
)
from simkyc.adapters.db.repositories.compliance import SqlCompliance
from simkyc.adapters.db.repositories.readers import SqlReaderDevices
from simkyc.adapters.db.repositories.records import (
    SqlOutbox,
    SqlRecords,
    SqlServices,
    SqlTombstones,
)


class SqlUnitOfWork:
    """Use as ``with SqlUnitOfWork(sessions) as tx: ...``; commits unless the block raises."""

    def __init__(self, sessions: sessionmaker[Session]) -> None:
        self._sessions = sessions
        self._session: Session | None = None

    def __enter__(self) -> SqlUnitOfWork:
        s = self._sessions()
        s.begin()
        self._session = s
        self.accounts = SqlAccounts(s)
        self.registrations = SqlRegistrations(s)
        self.evidence = SqlEvidence(s)
        self.keys = SqlDataKeys(s)
        self.stages = SqlStageResults(s)
        self.challenges = SqlChallenges(s)
        self.lockouts = SqlLockouts(s)
        self.idempotency = SqlIdempotency(s)
        self.audit = SqlAuditLog(s)
        self.services = SqlServices(s)
        self.records = SqlRecords(s)
        self.outbox = SqlOutbox(s)
        self.tombstones = SqlTombstones(s)
        self.jobs = SqlJobs(s)
        self.compliance = SqlCompliance(s)
        self.sessions = SqlSessions(s)
        self.readers = SqlReaderDevices(s)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        s = self._session
        assert s is not None
        try:
            if exc_type is None:
                s.commit()
            else:
                s.rollback()
        finally:
            s.close()
            self._session = None

    @property
    def session(self) -> Session:
        assert self._session is not None, "the unit of work is not open"
        return self._session

    def lock_subject(self, subject_id_hash: str) -> None:
        if self.session.get_bind().dialect.name == "postgresql":
            key = int.from_bytes(hashlib.sha256(subject_id_hash.encode()).digest()[:8],
                                 "big", signed=True)
            self.session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def unit_of_work_factory(sessions: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    """A callable that opens a fresh :class:`SqlUnitOfWork` each time."""
    return lambda: SqlUnitOfWork(sessions)


__all__ = ["SqlUnitOfWork", "unit_of_work_factory"]
