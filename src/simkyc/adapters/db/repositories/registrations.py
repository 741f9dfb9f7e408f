"""Registrations."""

from __future__ import annotations

from sqlalchemy import func, select

from simkyc.adapters.db.repositories._base import Repository, utc, utc_required
from simkyc.adapters.db.tables import RegistrationRow
from simkyc.domain.errors import NotFoundError
from simkyc.domain.registration import Registration, RegistrationStatus


def to_registration(row: RegistrationRow) -> Registration:
    return Registration(
        id=row.id, operator_id=row.operator_id, outlet_id=row.outlet_id, agent_id=row.agent_id,
        status=RegistrationStatus(row.status), policy_version=row.policy_version,
        created_at=utc_required(row.created_at), updated_at=utc_required(row.updated_at),
        consent_at=utc(row.consent_at), service_kind=row.service_kind,
        service_id=row.service_id, subject_id_hash=row.subject_id_hash,
        assisted_override=row.assisted_override, reasons=tuple(row.reasons or ()),
        flow_version=row.flow_version or "", language=row.language)


class SqlRegistrations(Repository):
    def add(self, *, registration: Registration) -> None:
        r = registration
        self.session.add(RegistrationRow(
            id=r.id, operator_id=r.operator_id, outlet_id=r.outlet_id, agent_id=r.agent_id,
            status=r.status.value, policy_version=r.policy_version, created_at=r.created_at,
            updated_at=r.updated_at, consent_at=r.consent_at, language=r.language,
            flow_version=r.flow_version, service_kind=r.service_kind,
            service_id=r.service_id, subject_id_hash=r.subject_id_hash,
            assisted_override=r.assisted_override, reasons=list(r.reasons)))
        self.session.flush()

    def get(self, *, registration_id: str, for_update: bool = False) -> Registration:
        stmt = select(RegistrationRow).where(RegistrationRow.id == registration_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.session.scalar(stmt)
        if row is None:
            raise NotFoundError(f"registration {registration_id} not found")
        return to_registration(row)

    def save(self, *, registration: Registration) -> None:
        r = registration
        row = self.session.get(RegistrationRow, r.id)
        if row is None:
            raise NotFoundError(f"registration {r.id} not found")
        row.status = r.status.value
        row.updated_at = r.updated_at
        row.reasons = list(r.reasons)
        row.assisted_override = r.assisted_override
        row.subject_id_hash = r.subject_id_hash
        row.service_kind = r.service_kind
        row.service_id = r.service_id
        row.language = r.language
        self.session.flush()

    def count_registered_for_subject(self, *, subject_id_hash: str, operator_id: str) -> int:
        return int(self.session.scalar(
            select(func.count()).select_from(RegistrationRow).where(
                RegistrationRow.subject_id_hash == subject_id_hash,
                RegistrationRow.operator_id == operator_id,
                RegistrationRow.status == RegistrationStatus.REGISTERED.value)) or 0)
