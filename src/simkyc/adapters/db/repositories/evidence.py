"""Evidence rows and the registrations' wrapped data keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select, update

from simkyc.adapters.db.repositories._base import Repository, utc_required
from simkyc.adapters.db.tables import DataKeyRow, EvidenceRow
from simkyc.domain.errors import NotFoundError
from simkyc.domain.evidence import EvidenceKind, EvidenceRef


def _ref(row: EvidenceRow) -> EvidenceRef:
    return EvidenceRef(id=row.id, registration_id=row.registration_id,
                       kind=EvidenceKind(row.kind), content_type=row.content_type,
                       size=row.size, sha256=row.sha256, key_id=row.key_id,
                       created_at=utc_required(row.created_at))


class SqlEvidence(Repository):
    def add(self, *, ref: EvidenceRef) -> None:
        self.session.add(EvidenceRow(id=ref.id, registration_id=ref.registration_id,
                                     kind=ref.kind.value, content_type=ref.content_type,
                                     size=ref.size, sha256=ref.sha256, key_id=ref.key_id,
                                     created_at=ref.created_at))
        self.session.flush()

    def list(self, *, registration_id: str,
             kind: EvidenceKind | None = None) -> list[EvidenceRef]:
        stmt = select(EvidenceRow).where(EvidenceRow.registration_id == registration_id)
        if kind is not None:
            stmt = stmt.where(EvidenceRow.kind == kind.value)
        stmt = stmt.order_by(EvidenceRow.created_at, EvidenceRow.id)
        return [_ref(r) for r in self.session.scalars(stmt)]

    def get(self, *, evidence_id: str) -> EvidenceRef:
        row = self.session.get(EvidenceRow, evidence_id)
        if row is None:
            raise NotFoundError(f"evidence {evidence_id} not found")
        return _ref(row)

    def all_ids(self) -> set[str]:
        return set(self.session.scalars(select(EvidenceRow.id)))


class SqlDataKeys(Repository):
    def add(self, *, key_id: str, registration_id: str, wrapped_key: bytes,
            now: datetime) -> None:
        self.session.add(DataKeyRow(key_id=key_id, registration_id=registration_id,
                                    wrapped_key=wrapped_key, created_at=now))
        self.session.flush()

    def _row(self, registration_id: str) -> DataKeyRow:
        row = self.session.scalar(select(DataKeyRow)
                                  .where(DataKeyRow.registration_id == registration_id))
        if row is None:
            raise NotFoundError(f"no data key for registration {registration_id}")
        return row

    def get(self, *, registration_id: str) -> tuple[str, bytes | None]:
        row = self._row(registration_id)
        return row.key_id, row.wrapped_key

    def destroy(self, *, registration_id: str, now: datetime) -> None:
        row = self._row(registration_id)
        row.wrapped_key = None
        row.destroyed_at = now
        self.session.flush()

    def page(self, *, after: str, limit: int) -> list[tuple[str, bytes | None]]:
        """Data keys in key-id order after ``after`` (a resumable scan): (key id, wrapped)."""
        rows = self.session.execute(
            select(DataKeyRow.key_id, DataKeyRow.wrapped_key)
            .where(DataKeyRow.key_id > after).order_by(DataKeyRow.key_id).limit(limit))
        return [(k, w) for k, w in rows]

    def rewrap(self, *, key_id: str, old: bytes, new: bytes) -> bool:
        """Replace a wrapped data key only if it is still exactly ``old`` (a concurrent
        destruction or re-wrap wins); True if this call replaced it."""
        result = self.session.execute(
            update(DataKeyRow).where(DataKeyRow.key_id == key_id,
                                     DataKeyRow.wrapped_key == old)
            .values(wrapped_key=new).execution_options(synchronize_session=False))
        return bool(result.rowcount)  # type: ignore[attr-defined]

    def census(self) -> dict[bytes | None, int]:
        """How many data keys start with each 11-byte prefix (``MK1`` + master key
        fingerprint; a legacy wrap has another prefix); None: destroyed."""
        prefix = func.substr(DataKeyRow.wrapped_key, 1, 11)
        rows = self.session.execute(select(prefix, func.count()).group_by(prefix))
        out: dict[bytes | None, int] = {}
        for p, n in rows:
            key = bytes(p) if p is not None else None
            out[key] = out.get(key, 0) + int(n)
        return out
