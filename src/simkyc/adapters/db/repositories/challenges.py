"""Single-use challenges."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from simkyc.adapters.db.repositories._base import Repository, utc_required
from simkyc.adapters.db.tables import ChallengeRow
from simkyc.domain.errors import ChallengeError


class SqlChallenges(Repository):
    def add(self, *, nonce: str, registration_id: str, kind: str, payload: dict[str, Any],
            issued_at: datetime, expires_at: datetime) -> None:
        self.session.add(ChallengeRow(nonce=nonce, registration_id=registration_id, kind=kind,
                                      payload=payload, issued_at=issued_at,
                                      expires_at=expires_at))
        self.session.flush()

    def consume(self, *, nonce: str, registration_id: str, kind: str,
                now: datetime) -> dict[str, Any]:
        """Mark a challenge used and return its payload (with ``issued_at``).

        Raises :class:`ChallengeError` if unknown, for another registration or
        kind, expired or used.
        """
        row = self.session.scalar(select(ChallengeRow).where(ChallengeRow.nonce == nonce)
                                  .with_for_update())
        if row is None or row.registration_id != registration_id or row.kind != kind:
            raise ChallengeError("unknown challenge")
        if row.used_at is not None:
            raise ChallengeError("challenge already used")
        if utc_required(row.expires_at) < now:
            raise ChallengeError("challenge expired")
        row.used_at = now
        self.session.flush()
        payload = dict(row.payload or {})
        payload["issued_at"] = utc_required(row.issued_at).isoformat()
        return payload

    def count(self, *, registration_id: str, kind: str | None = None) -> int:
        stmt = select(func.count()).select_from(ChallengeRow).where(
            ChallengeRow.registration_id == registration_id)
        if kind is not None:
            stmt = stmt.where(ChallengeRow.kind == kind)
        return int(self.session.scalar(stmt) or 0)
