"""Failed verification attempts per document (keyed hash) and the locks they set."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from simkyc.adapters.db.repositories._base import Repository, utc_required
from simkyc.adapters.db.tables import LockoutRow, VerificationFailureRow


class SqlLockouts(Repository):
    def add_failure(self, *, subject_id_hash: str, at: datetime, registration_id: str,
                    stage: str) -> None:
        self.session.add(VerificationFailureRow(subject_id_hash=subject_id_hash,
                                                registration_id=registration_id, stage=stage,
                                                kind="failure", at=at))
        self.session.flush()

    def add_refusal(self, *, subject_id_hash: str, at: datetime,
                    registration_id: str) -> None:
        self.session.add(VerificationFailureRow(subject_id_hash=subject_id_hash,
                                                registration_id=registration_id,
                                                stage="document", kind="refused", at=at))
        self.session.flush()

    def failures_since(self, *, subject_id_hash: str, since: datetime) -> int:
        return int(self.session.scalar(
            select(func.count()).select_from(VerificationFailureRow).where(
                VerificationFailureRow.subject_id_hash == subject_id_hash,
                VerificationFailureRow.kind == "failure",
                VerificationFailureRow.at >= since)) or 0)

    def lock(self, *, subject_id_hash: str, at: datetime, until: datetime) -> None:
        row = self.session.get(LockoutRow, subject_id_hash)
        if row is None:
            self.session.add(LockoutRow(subject_id_hash=subject_id_hash, locked_at=at,
                                        until=until))
        else:
            row.locked_at, row.until, row.lifted_at, row.lifted_by = at, until, None, None
        self.session.flush()

    def active_until(self, *, subject_id_hash: str, now: datetime) -> datetime | None:
        row = self.session.get(LockoutRow, subject_id_hash)
        if row is None or row.lifted_at is not None:
            return None
        until = utc_required(row.until)
        return until if until > now else None

    def lift(self, *, subject_id_hash: str, at: datetime, by: str) -> bool:
        row = self.session.get(LockoutRow, subject_id_hash)
        if row is None or row.lifted_at is not None or utc_required(row.until) <= at:
            return False
        row.lifted_at, row.lifted_by = at, by
        # The failures that set it no longer count: the window starts afresh.
        self.session.execute(update(VerificationFailureRow).where(
            VerificationFailureRow.subject_id_hash == subject_id_hash,
            VerificationFailureRow.kind == "failure").values(kind="lifted"))
        self.session.flush()
        return True

    def subject_seen_on(self, *, registration_id: str) -> str | None:
        return self.session.scalar(
            select(VerificationFailureRow.subject_id_hash)
            .where(VerificationFailureRow.registration_id == registration_id)
            .order_by(VerificationFailureRow.id.desc()).limit(1))
