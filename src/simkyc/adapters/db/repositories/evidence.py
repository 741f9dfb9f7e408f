"""Evidence rows and the registrations' wrapped data keys."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select

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
