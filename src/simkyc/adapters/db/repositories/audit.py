"""The hash-chained audit log: ``entry_hash = sha256(prev_hash || canonical entry)``.

Appends are serialised (SQLite: the unit of work holds the write lock;
PostgreSQL: an advisory transaction lock), so two transactions never take
the same ``seq``. ``audit_head`` holds the last entry, updated with each
append, so removing the newest entries is noticed by :meth:`SqlAuditLog.verify`.
"""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

from sqlalchemy import select, text

from simkyc.adapters.db.repositories._base import Repository, utc_required
from simkyc.adapters.db.tables import AuditHeadRow, AuditRow
from simkyc.services.ports import AuditEntry, AuditVerification

GENESIS_HASH = "0" * 64
#: The advisory lock that serialises appends on PostgreSQL.
AUDIT_LOCK_KEY = 7426


def entry_hash(prev_hash: str, seq: int, at: datetime, actor_id: str | None, action: str,
               registration_id: str | None, detail: str) -> str:
    canonical = json.dumps([seq, at.astimezone(UTC).isoformat(), actor_id, action,
                            registration_id, detail], separators=(",", ":"))
    return hashlib.sha256((prev_hash + canonical).encode()).hexdigest()


def _entry(row: AuditRow) -> AuditEntry:
    return AuditEntry(seq=row.seq, at=utc_required(row.at), actor_id=row.actor_id,
                      action=row.action, registration_id=row.registration_id,
                      detail=row.detail, prev_hash=row.prev_hash, entry_hash=row.entry_hash)


class SqlAuditLog(Repository):
    def append(self, *, at: datetime, actor_id: str | None, action: str,
               registration_id: str | None = None, detail: str = "") -> str:
        s = self.session
        if s.get_bind().dialect.name == "postgresql":
            s.execute(text(f"SELECT pg_advisory_xact_lock({AUDIT_LOCK_KEY})"))
        last = s.scalar(select(AuditRow).order_by(AuditRow.seq.desc()).limit(1))
        seq = (last.seq + 1) if last else 1
        prev = last.entry_hash if last else GENESIS_HASH
        at = at.astimezone(UTC).replace(microsecond=(at.microsecond // 1000) * 1000)
        h = entry_hash(prev, seq, at, actor_id, action, registration_id, detail)
        s.add(AuditRow(seq=seq, at=at, actor_id=actor_id, action=action,
                       registration_id=registration_id, detail=detail, prev_hash=prev,
                       entry_hash=h))
        head = s.get(AuditHeadRow, 1)
        if head is None:
            s.add(AuditHeadRow(id=1, seq=seq, entry_hash=h))
        else:
            head.seq, head.entry_hash = seq, h
        s.flush()
        return h

    def verify(self) -> AuditVerification:
        prev = GENESIS_HASH
        n = 0
        expected_seq = 1
        for row in self.session.scalars(select(AuditRow).order_by(AuditRow.seq)):
            n += 1
            if row.seq != expected_seq:
                return AuditVerification(False, n, row.seq, f"entry {expected_seq} is missing")
            expected = entry_hash(prev, row.seq, utc_required(row.at), row.actor_id,
                                  row.action, row.registration_id, row.detail)
            if row.prev_hash != prev or row.entry_hash != expected:
                return AuditVerification(False, n, row.seq, f"entry {row.seq} was altered")
            prev = row.entry_hash
            expected_seq += 1
        head = self.session.get(AuditHeadRow, 1)
        if head is not None and (head.seq != n or head.entry_hash != prev):
            return AuditVerification(False, n, n + 1,
                                     f"entries after {n} were removed (head is {head.seq})")
        return AuditVerification(True, n, None)

    def entries(self, *, registration_id: str | None = None,
                limit: int = 200) -> list[AuditEntry]:
        stmt = select(AuditRow).order_by(AuditRow.seq.desc()).limit(limit)
        if registration_id is not None:
            stmt = stmt.where(AuditRow.registration_id == registration_id)
        return [_entry(r) for r in self.session.scalars(stmt)]

    def entry(self, *, seq: int) -> AuditEntry | None:
        row = self.session.get(AuditRow, seq)
        return _entry(row) if row is not None else None

    def between(self, *, since: datetime | None = None, until: datetime | None = None,
                limit: int = 100_000) -> list[AuditEntry]:
        """Entries with ``since <= at < until``, oldest first."""
        stmt = select(AuditRow).order_by(AuditRow.seq).limit(limit)
        if since is not None:
            stmt = stmt.where(AuditRow.at >= since)
        if until is not None:
            stmt = stmt.where(AuditRow.at < until)
        return [_entry(r) for r in self.session.scalars(stmt)]
