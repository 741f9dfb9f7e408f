"""The ports of records, delivery and retention (issue 14), as Protocols.

Kept apart from :mod:`simkyc.services.ports` (which lists them on the unit of
work) so that module stays small. Adapters: :mod:`simkyc.adapters.db.repositories.records`
(rows), :mod:`simkyc.adapters.jose` (the signer), :mod:`simkyc.adapters.sinks` (sinks).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class ActiveService:
    id: str
    registration_id: str
    operator_id: str
    subject_id_hash: str
    service_kind: str
    service_id: str
    iccid: str | None
    active: bool
    started_at: datetime
    ended_at: datetime | None = None
    end_reason: str | None = None


@dataclass(frozen=True)
class StoredRecord:
    """A signed record; ``jws`` is None once purged (the row stays as its tombstone)."""

    id: str
    registration_id: str
    profile: str
    kid: str
    policy_sha256: str
    payload_sha256: str
    jws: str | None
    created_at: datetime
    purged_at: datetime | None = None


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    PARKED = "parked"


@dataclass(frozen=True)
class OutboxItem:
    id: str
    record_id: str
    sink: str
    idempotency_key: str
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime
    last_error: str
    created_at: datetime
    delivered_at: datetime | None = None


@dataclass(frozen=True)
class Tombstone:
    registration_id: str
    item_kind: str
    item_id: str
    sha256: str
    purged_at: datetime
    reason: str


class Services(Protocol):
    def add(self, *, service: ActiveService) -> None: ...
    def count_active(self, *, subject_id_hash: str, operator_id: str) -> int: ...
    def is_active(self, *, operator_id: str, service_id: str | None = None,
                  iccid: str | None = None) -> bool: ...
    def get(self, *, registration_id: str, for_update: bool = False) -> ActiveService: ...
    def end(self, *, registration_id: str, at: datetime, reason: str) -> None: ...
    def for_subject(self, *, subject_id_hash: str) -> list[ActiveService]: ...
    def registrations_of_subject(self, *, subject_id_hash: str) -> list[str]: ...
    def holding_data(self, *, limit: int = 10_000) -> list[str]: ...


class Records(Protocol):
    def add(self, *, record: StoredRecord) -> None: ...
    def get(self, *, record_id: str) -> StoredRecord: ...
    def for_registration(self, *, registration_id: str) -> list[StoredRecord]: ...
    def operator_name(self, *, operator_id: str) -> str: ...
    def purge(self, *, record_id: str, at: datetime) -> None: ...


class Outbox(Protocol):
    def add(self, *, item: OutboxItem) -> None: ...
    def claim_due(self, *, now: datetime, lease_seconds: float,
                  limit: int) -> list[OutboxItem]: ...
    def mark_delivered(self, *, item_id: str, at: datetime) -> None: ...
    def mark_failed(self, *, item_id: str, error: str, next_attempt_at: datetime,
                    park: bool) -> OutboxItem: ...
    def retry(self, *, item_id: str, now: datetime) -> OutboxItem: ...
    def list(self, *, status: DeliveryStatus | None = None,
             limit: int = 200) -> list[OutboxItem]: ...


class Tombstones(Protocol):
    def add(self, *, tombstone: Tombstone) -> None: ...
    def for_registration(self, *, registration_id: str) -> list[Tombstone]: ...
    def purged_ids(self, *, registration_id: str) -> set[str]: ...


class RecordSigner(Protocol):
    """Signs records with the operator's current Ed25519 key; publishes every key it
    ever signed with (a JWKS), so older records stay verifiable after a rotation."""

    @property
    def kid(self) -> str: ...
    def sign(self, payload: bytes, *, typ: str) -> str: ...
    def jwks(self) -> dict[str, Any]: ...


class DeliverySink(Protocol):
    """One destination of records. ``deliver`` returns when the record is accepted and
    raises :class:`DeliveryFailed` otherwise (the outbox retries later)."""

    name: str

    def deliver(self, *, idempotency_key: str, record_id: str, jws: str) -> None: ...


class DeliveryFailed(Exception):
    """A sink did not accept a record (down, refused, timed out)."""


__all__ = [
    "ActiveService",
    "DeliveryFailed",
    "DeliverySink",
    "DeliveryStatus",
    "Outbox",
    "OutboxItem",
    "RecordSigner",
    "Records",
    "Services",
    "StoredRecord",
    "Tombstone",
    "Tombstones",
]
