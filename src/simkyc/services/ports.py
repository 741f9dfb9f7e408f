"""The ports of the application layer: what it needs from the outside, as Protocols.

Adapters implement them (``simkyc.adapters``: SQLAlchemy, the evidence
folder, AES-GCM keys); tests pass real-but-small ones (a SQLite file, a
temporary folder, a fixed clock). Nothing here imports FastAPI, SQLAlchemy
or Celery.

A :class:`UnitOfWork` is one database transaction: entered, it exposes one
repository per aggregate; it commits when the block ends normally and rolls
back when it raises. On SQLite every unit of work takes the write lock when
it begins (``BEGIN IMMEDIATE``), on PostgreSQL rows are locked ``FOR UPDATE``
and per-identity rules take an advisory lock (:meth:`UnitOfWork.lock_subject`),
so every read-check-write holds under concurrency.
"""

from __future__ import annotations

import random
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from simkyc.domain.evidence import EvidenceKind, EvidenceRef
from simkyc.domain.jobs import Job
from simkyc.domain.parties import Agent, Outlet, ReaderDevice, Role
from simkyc.domain.registration import Registration
from simkyc.domain.results import StageOutcome
from simkyc.services.records_ports import Outbox, Records, Services, Tombstones

Clock = Callable[[], datetime]
IdSource = Callable[[], str]
#: ``rng(purpose)``: a fresh generator for a challenge of ``purpose`` (``liveness``, ``voice``).
RandomSource = Callable[[str], random.Random]


@dataclass(frozen=True)
class TokenInfo:
    """An API token's record (never the token itself)."""

    id: str
    agent_id: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


@dataclass(frozen=True)
class AuditEntry:
    seq: int
    at: datetime
    actor_id: str | None
    action: str
    registration_id: str | None
    detail: str
    prev_hash: str
    entry_hash: str


@dataclass(frozen=True)
class AuditVerification:
    """``intact``; ``entries`` checked; ``first_bad_seq``: the first entry that fails, if any."""

    intact: bool
    entries: int
    first_bad_seq: int | None
    problem: str | None = None


class Accounts(Protocol):
    def get_or_create_outlet(self, *, outlet_name: str, operator_name: str,
                             new_id: str) -> Outlet: ...
    def get_outlet(self, *, outlet_id: str) -> Outlet: ...
    def find_outlet(self, *, name_or_id: str) -> Outlet | None: ...
    def add_agent(self, *, agent_id: str, name: str, role: Role, outlet_id: str | None,
                  now: datetime) -> Agent: ...
    def get_agent(self, *, agent_id: str) -> Agent: ...
    def list_agents(self) -> list[Agent]: ...
    def set_active(self, *, agent_id: str, active: bool) -> None: ...
    def add_token(self, *, token_id: str, agent_id: str, token_sha256: str, label: str,
                  now: datetime, expires_at: datetime | None) -> None: ...
    def agent_for_token(self, *, token_sha256: str, now: datetime) -> Agent | None: ...
    def list_tokens(self, *, agent_id: str | None = None) -> list[TokenInfo]: ...
    def revoke_token(self, *, token_id: str, now: datetime) -> TokenInfo: ...


class Registrations(Protocol):
    def add(self, *, registration: Registration) -> None: ...
    def get(self, *, registration_id: str, for_update: bool = False) -> Registration: ...
    def save(self, *, registration: Registration) -> None: ...
    def count_registered_for_subject(self, *, subject_id_hash: str,
                                     operator_id: str) -> int: ...


class EvidenceRows(Protocol):
    def add(self, *, ref: EvidenceRef) -> None: ...
    def list(self, *, registration_id: str,
             kind: EvidenceKind | None = None) -> list[EvidenceRef]: ...
    def get(self, *, evidence_id: str) -> EvidenceRef: ...
    def all_ids(self) -> set[str]: ...


class DataKeys(Protocol):
    def add(self, *, key_id: str, registration_id: str, wrapped_key: bytes,
            now: datetime) -> None: ...
    def get(self, *, registration_id: str) -> tuple[str, bytes | None]: ...
    def destroy(self, *, registration_id: str, now: datetime) -> None: ...
    def page(self, *, after: str, limit: int) -> list[tuple[str, bytes | None]]: ...
    def rewrap(self, *, key_id: str, old: bytes, new: bytes) -> bool: ...
    def census(self) -> dict[bytes | None, int]: ...


class StageResults(Protocol):
    def add(self, *, registration_id: str, outcome: StageOutcome, now: datetime) -> None: ...
    def list(self, *, registration_id: str) -> list[StageOutcome]: ...


class Challenges(Protocol):
    def add(self, *, nonce: str, registration_id: str, kind: str, payload: dict[str, Any],
            issued_at: datetime, expires_at: datetime) -> None: ...
    def consume(self, *, nonce: str, registration_id: str, kind: str,
                now: datetime) -> dict[str, Any]: ...
    def count(self, *, registration_id: str, kind: str | None = None) -> int: ...


class Lockouts(Protocol):
    def add_failure(self, *, subject_id_hash: str, at: datetime, registration_id: str,
                    stage: str) -> None: ...
    def failures_since(self, *, subject_id_hash: str, since: datetime) -> int: ...
    def lock(self, *, subject_id_hash: str, at: datetime, until: datetime) -> None: ...
    def active_until(self, *, subject_id_hash: str, now: datetime) -> datetime | None: ...
    def lift(self, *, subject_id_hash: str, at: datetime, by: str) -> bool: ...
    def add_refusal(self, *, subject_id_hash: str, at: datetime,
                    registration_id: str) -> None: ...
    def subject_seen_on(self, *, registration_id: str) -> str | None: ...


class Idempotency(Protocol):
    def get(self, *, actor_id: str, key: str) -> tuple[str, dict[str, Any]] | None: ...
    def put(self, *, actor_id: str, key: str, request_sha256: str, response: dict[str, Any],
            now: datetime) -> None: ...


class AuditLog(Protocol):
    def append(self, *, at: datetime, actor_id: str | None, action: str,
               registration_id: str | None = None, detail: str = "") -> str: ...
    def verify(self) -> AuditVerification: ...
    def entries(self, *, registration_id: str | None = None,
                limit: int = 200) -> list[AuditEntry]: ...
    def entry(self, *, seq: int) -> AuditEntry | None: ...
    def between(self, *, since: datetime | None = None, until: datetime | None = None,
                limit: int = 100_000) -> list[AuditEntry]: ...


class Jobs(Protocol):
    """Step submissions run by workers (:mod:`simkyc.services.jobs`)."""

    def add(self, *, job: Job) -> None: ...
    def get(self, *, job_id: str, for_update: bool = False) -> Job: ...
    def by_client_key(self, *, actor_id: str, key: str) -> Job | None: ...
    def save(self, *, job: Job) -> None: ...
    def mark_recorded(self, *, job_id: str, outcome: dict[str, Any], now: datetime) -> bool: ...
    def challenge(self, *, nonce: str) -> dict[str, Any] | None: ...
    def hold_challenge(self, *, nonce: str, registration_id: str, expires_at: datetime,
                       release: bool) -> None: ...
    def unfinished(self, *, older_than: datetime, limit: int = 500) -> list[Job]: ...


@dataclass(frozen=True)
class PasswordRecord:
    """An account's user name and password hash (argon2id, PHC string)."""

    agent_id: str
    username: str
    password_hash: str


@dataclass(frozen=True)
class WebSession:
    """A browser session's record (never its cookie)."""

    id: str
    agent_id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None


class Sessions(Protocol):
    def set_password(self, *, agent_id: str, username: str, password_hash: str,
                     now: datetime) -> None: ...
    def password_for(self, *, username: str) -> PasswordRecord | None: ...
    def add_failure(self, *, username_sha256: str, at: datetime) -> None: ...
    def failures_since(self, *, username_sha256: str, since: datetime) -> list[datetime]: ...
    def clear_failures(self, *, username_sha256: str) -> None: ...
    def add_session(self, *, session_id: str, agent_id: str, token_sha256: str, now: datetime,
                    expires_at: datetime) -> None: ...
    def session_for(self, *, token_sha256: str) -> WebSession | None: ...
    def touch(self, *, session_id: str, now: datetime) -> None: ...
    def end(self, *, session_id: str, now: datetime) -> None: ...
    def count_open(self, *, agent_id: str, now: datetime) -> int: ...


class ReaderDevices(Protocol):
    """Enrolled card readers and the signed records already used."""

    def add(self, *, device: ReaderDevice) -> None: ...
    def get(self, *, device_id: str) -> ReaderDevice | None: ...
    def all(self) -> list[ReaderDevice]: ...
    def revoke(self, *, device_id: str, now: datetime, by: str | None) -> ReaderDevice: ...
    def used(self, *, signature_sha256: str) -> bool: ...
    def use(self, *, signature_sha256: str, device_id: str, registration_id: str,
            now: datetime) -> bool: ...


class UnitOfWork(Protocol):
    """One transaction with a repository per aggregate (see the module docstring)."""

    accounts: Accounts
    registrations: Registrations
    evidence: EvidenceRows
    keys: DataKeys
    stages: StageResults
    challenges: Challenges
    lockouts: Lockouts
    idempotency: Idempotency
    audit: AuditLog
    services: Services
    records: Records
    outbox: Outbox
    tombstones: Tombstones
    jobs: Jobs
    sessions: Sessions
    readers: ReaderDevices

    def lock_subject(self, subject_id_hash: str) -> None:
        """Serialise every transaction that applies a rule to this identity until commit."""

    def __enter__(self) -> UnitOfWork: ...
    def __exit__(self, *exc: object) -> bool | None: ...


class EvidenceStore(Protocol):
    """Encrypted evidence blobs (a local folder, an S3 bucket)."""

    def write(self, *, registration_id: str, evidence_id: str, data_key: bytes,
              plaintext: bytes) -> str: ...
    def read(self, *, registration_id: str, evidence_id: str, data_key: bytes,
             sha256: str) -> bytes: ...
    def delete(self, *, registration_id: str, evidence_id: str) -> None: ...
    def delete_registration(self, registration_id: str) -> None: ...
    def sweep_orphans(self, known_evidence_ids: Iterable[str], *,
                      older_than_seconds: float = 0.0) -> int: ...


class Keyring(Protocol):
    """Wraps registrations' data keys under the master key; keyed hashes of identities."""

    def new_data_key(self) -> bytes: ...
    def wrap(self, data_key: bytes, key_id: str) -> bytes: ...
    def unwrap(self, wrapped: bytes, key_id: str) -> bytes: ...
    def subject_hash(self, document_number: str) -> str: ...


class StageModels(Protocol):
    """The loaded models a step may need, each loaded once per process on first use."""

    def face(self) -> Any: ...
    def document(self) -> Any: ...
    def voice(self) -> Any: ...
    def mesh_factory(self) -> Callable[..., AbstractContextManager[Any]]: ...


UnitOfWorkFactory = Callable[[], UnitOfWork]

__all__ = [
    "Accounts",
    "AuditEntry",
    "AuditLog",
    "AuditVerification",
    "Challenges",
    "Clock",
    "DataKeys",
    "EvidenceRows",
    "EvidenceStore",
    "IdSource",
    "Idempotency",
    "Jobs",
    "Keyring",
    "Lockouts",
    "PasswordRecord",
    "RandomSource",
    "ReaderDevices",
    "Registrations",
    "StageModels",
    "Sessions",
    "StageResults",
    "TokenInfo",
    "UnitOfWork",
    "UnitOfWorkFactory",
    "WebSession",
]
