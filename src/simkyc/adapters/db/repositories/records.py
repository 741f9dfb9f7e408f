"""Active services, signed records, the delivery outbox and tombstones (issue 14)."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, or_, select

from simkyc.adapters.db.repositories._base import Repository, utc, utc_required
from simkyc.adapters.db.tables import (
    DataKeyRow,
    OperatorRow,
    OutboxRow,
    RecordRow,
    RegistrationRow,
    ServiceRow,
    TombstoneRow,
)
from simkyc.domain.errors import ConflictError, NotFoundError
from simkyc.services.records_ports import (
    ActiveService,
    DeliveryStatus,
    OutboxItem,
    StoredRecord,
    Tombstone,
)


def _service(r: ServiceRow) -> ActiveService:
    return ActiveService(id=r.id, registration_id=r.registration_id, operator_id=r.operator_id,
                         subject_id_hash=r.subject_id_hash, service_kind=r.service_kind,
                         service_id=r.service_id, iccid=r.iccid, active=r.active,
                         started_at=utc_required(r.started_at), ended_at=utc(r.ended_at),
                         end_reason=r.end_reason)


class SqlServices(Repository):
    def add(self, *, service: ActiveService) -> None:
        s = service
        self.session.add(ServiceRow(
            id=s.id, registration_id=s.registration_id, operator_id=s.operator_id,
            subject_id_hash=s.subject_id_hash, service_kind=s.service_kind,
            service_id=s.service_id, iccid=s.iccid, active=s.active, started_at=s.started_at))
        self.session.flush()

    def count_active(self, *, subject_id_hash: str, operator_id: str) -> int:
        return int(self.session.scalar(
            select(func.count()).select_from(ServiceRow).where(
                ServiceRow.subject_id_hash == subject_id_hash,
                ServiceRow.operator_id == operator_id, ServiceRow.active.is_(True))) or 0)

    def is_active(self, *, operator_id: str, service_id: str | None = None,
                  iccid: str | None = None) -> bool:
        stmt = select(ServiceRow.id).where(ServiceRow.operator_id == operator_id,
                                           ServiceRow.active.is_(True))
        if service_id is not None:
            stmt = stmt.where(ServiceRow.service_id == service_id)
        if iccid is not None:
            stmt = stmt.where(ServiceRow.iccid == iccid)
        return self.session.scalar(stmt.limit(1)) is not None

    def get(self, *, registration_id: str, for_update: bool = False) -> ActiveService:
        stmt = select(ServiceRow).where(ServiceRow.registration_id == registration_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.session.scalar(stmt)
        if row is None:
            raise NotFoundError(f"no service was registered by registration {registration_id}")
        return _service(row)

    def end(self, *, registration_id: str, at: datetime, reason: str) -> None:
        row = self.session.scalar(select(ServiceRow).where(
            ServiceRow.registration_id == registration_id).with_for_update())
        if row is None:
            raise NotFoundError(f"no service was registered by registration {registration_id}")
        if not row.active:
            raise ConflictError(f"the service of registration {registration_id} already ended")
        row.active, row.ended_at, row.end_reason = False, at, reason
        self.session.flush()

    def registrations_of_subject(self, *, subject_id_hash: str) -> list[str]:
        """Every registration (any status) that established this identity, oldest first."""
        return list(self.session.scalars(select(RegistrationRow.id).where(
            RegistrationRow.subject_id_hash == subject_id_hash)
            .order_by(RegistrationRow.created_at)))

    def holding_data(self, *, limit: int = 10_000) -> list[str]:
        """Registrations whose data key still exists or that keep a record's JWS (purge
        candidates), oldest first."""
        keyed = select(DataKeyRow.registration_id).where(DataKeyRow.wrapped_key.is_not(None))
        signed = select(RecordRow.registration_id).where(RecordRow.jws.is_not(None))
        return list(self.session.scalars(
            select(RegistrationRow.id).where(or_(RegistrationRow.id.in_(keyed),
                                                 RegistrationRow.id.in_(signed)))
            .order_by(RegistrationRow.created_at).limit(limit)))

    def for_subject(self, *, subject_id_hash: str) -> list[ActiveService]:
        return [_service(r) for r in self.session.scalars(
            select(ServiceRow).where(ServiceRow.subject_id_hash == subject_id_hash)
            .order_by(ServiceRow.started_at))]


def _record(r: RecordRow) -> StoredRecord:
    return StoredRecord(id=r.id, registration_id=r.registration_id, profile=r.profile, kid=r.kid,
                        policy_sha256=r.policy_sha256, payload_sha256=r.payload_sha256,
                        jws=r.jws, created_at=utc_required(r.created_at),
                        purged_at=utc(r.purged_at))


class SqlRecords(Repository):
    def add(self, *, record: StoredRecord) -> None:
        r = record
        self.session.add(RecordRow(id=r.id, registration_id=r.registration_id, profile=r.profile,
                                   kid=r.kid, policy_sha256=r.policy_sha256,
                                   payload_sha256=r.payload_sha256, jws=r.jws,
                                   created_at=r.created_at))
        self.session.flush()

    def get(self, *, record_id: str) -> StoredRecord:
        row = self.session.get(RecordRow, record_id)
        if row is None:
            raise NotFoundError(f"record {record_id} not found")
        return _record(row)

    def for_registration(self, *, registration_id: str) -> list[StoredRecord]:
        return [_record(r) for r in self.session.scalars(
            select(RecordRow).where(RecordRow.registration_id == registration_id)
            .order_by(RecordRow.created_at, RecordRow.profile))]

    def operator_name(self, *, operator_id: str) -> str:
        return str(self.session.scalar(select(OperatorRow.name).where(
            OperatorRow.id == operator_id)) or "")

    def purge(self, *, record_id: str, at: datetime) -> None:
        row = self.session.get(RecordRow, record_id)
        if row is None:
            raise NotFoundError(f"record {record_id} not found")
        row.jws, row.purged_at = None, at
        self.session.flush()


def _item(r: OutboxRow) -> OutboxItem:
    return OutboxItem(id=r.id, record_id=r.record_id, sink=r.sink,
                      idempotency_key=r.idempotency_key, status=DeliveryStatus(r.status),
                      attempts=r.attempts, next_attempt_at=utc_required(r.next_attempt_at),
                      last_error=r.last_error, created_at=utc_required(r.created_at),
                      delivered_at=utc(r.delivered_at))


class SqlOutbox(Repository):
    def add(self, *, item: OutboxItem) -> None:
        i = item
        self.session.add(OutboxRow(id=i.id, record_id=i.record_id, sink=i.sink,
                                   idempotency_key=i.idempotency_key, status=i.status.value,
                                   attempts=i.attempts, next_attempt_at=i.next_attempt_at,
                                   last_error=i.last_error, created_at=i.created_at))
        self.session.flush()

    def claim_due(self, *, now: datetime, lease_seconds: float,
                  limit: int) -> list[OutboxItem]:
        """Pending items due now and not leased by another loop; leased to this one.

        PostgreSQL skips rows another transaction holds (``SKIP LOCKED``); on SQLite
        the unit of work holds the write lock. A loop that dies mid-delivery leaves
        its lease to run out, and the item is delivered again (at least once)."""
        stmt = (select(OutboxRow)
                .where(OutboxRow.status == DeliveryStatus.PENDING.value,
                       OutboxRow.next_attempt_at <= now,
                       or_(OutboxRow.lease_until.is_(None), OutboxRow.lease_until <= now))
                .order_by(OutboxRow.next_attempt_at).limit(limit)
                .with_for_update(skip_locked=True))
        rows = list(self.session.scalars(stmt))
        for r in rows:
            r.lease_until = now + timedelta(seconds=lease_seconds)
        self.session.flush()
        return [_item(r) for r in rows]

    def _row(self, item_id: str) -> OutboxRow:
        row = self.session.get(OutboxRow, item_id, with_for_update=True)
        if row is None:
            raise NotFoundError(f"delivery {item_id} not found")
        return row

    def mark_delivered(self, *, item_id: str, at: datetime) -> None:
        row = self._row(item_id)
        row.status, row.delivered_at, row.lease_until = DeliveryStatus.DELIVERED.value, at, None
        row.attempts += 1
        self.session.flush()

    def mark_failed(self, *, item_id: str, error: str, next_attempt_at: datetime,
                    park: bool) -> OutboxItem:
        row = self._row(item_id)
        row.attempts += 1
        row.last_error = error[:2000]
        row.lease_until = None
        row.next_attempt_at = next_attempt_at
        if park:
            row.status = DeliveryStatus.PARKED.value
        self.session.flush()
        return _item(row)

    def retry(self, *, item_id: str, now: datetime) -> OutboxItem:
        row = self._row(item_id)
        if row.status == DeliveryStatus.DELIVERED.value:
            raise ConflictError(f"delivery {item_id} was already delivered")
        row.status, row.next_attempt_at, row.lease_until = DeliveryStatus.PENDING.value, now, None
        row.attempts = 0
        self.session.flush()
        return _item(row)

    def list(self, *, status: DeliveryStatus | None = None,
             limit: int = 200) -> list[OutboxItem]:
        stmt = select(OutboxRow).order_by(OutboxRow.created_at.desc(), OutboxRow.id).limit(limit)
        if status is not None:
            stmt = stmt.where(OutboxRow.status == status.value)
        return [_item(r) for r in self.session.scalars(stmt)]


class SqlTombstones(Repository):
    def add(self, *, tombstone: Tombstone) -> None:
        t = tombstone
        self.session.add(TombstoneRow(registration_id=t.registration_id, item_kind=t.item_kind,
                                      item_id=t.item_id, sha256=t.sha256,
                                      purged_at=t.purged_at, reason=t.reason))
        self.session.flush()

    def for_registration(self, *, registration_id: str) -> list[Tombstone]:
        return [Tombstone(registration_id=r.registration_id, item_kind=r.item_kind,
                          item_id=r.item_id, sha256=r.sha256,
                          purged_at=utc_required(r.purged_at), reason=r.reason)
                for r in self.session.scalars(select(TombstoneRow).where(
                    TombstoneRow.registration_id == registration_id).order_by(TombstoneRow.id))]

    def purged_ids(self, *, registration_id: str) -> set[str]:
        return set(self.session.scalars(select(TombstoneRow.item_id).where(
            TombstoneRow.registration_id == registration_id)))


__all__ = ["SqlOutbox", "SqlRecords", "SqlServices", "SqlTombstones"]
