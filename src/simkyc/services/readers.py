"""Card readers: enroll, list, revoke; and the proof of origin of a reader record.

A reader is enrolled at one outlet with its Ed25519 public key (admin, or a
supervisor of that outlet; the local CLI is trusted). Under the policy
``document.reader_records = "signed"`` (the default) the document step calls
:func:`check_origin`: the record must carry a valid signature of an enrolled,
unrevoked reader of the registration's outlet, be fresh (``reader.read_at``
within the policy's window) and never used before (its signature's SHA-256 is
kept when the step records it, in the same transaction: a second use, on this
or any registration, is refused). Enrolment, revocation and every refused
record are audited.
"""

from __future__ import annotations

import hashlib
from datetime import datetime

from simkyc.domain.access import Permission, require
from simkyc.domain.errors import (
    InputError,
    NotFoundError,
    PermissionDenied,
    ReaderRecordRefusedError,
)
from simkyc.domain.parties import Agent, ReaderDevice, Role
from simkyc.domain.registration import Registration
from simkyc.services.context import ServiceContext
from simkyc.services.ports import UnitOfWork

MAX_DEVICE_ID = 64


def default_device_id(public_key: bytes) -> str:
    """``reader-`` and 12 hex digits of the key's SHA-256 (stable for one key)."""
    return "reader-" + hashlib.sha256(public_key).hexdigest()[:12]


def _check_scope(actor: Agent | None, outlet_id: str, what: str) -> None:
    """A supervisor manages the readers of their own outlet only (the permission itself
    is required before)."""
    if actor is not None and actor.role is Role.SUPERVISOR and actor.outlet_id != outlet_id:
        raise PermissionDenied(f"a supervisor may {what} at their own outlet only")


def enroll_reader(ctx: ServiceContext, *, outlet: str, public_key: bytes,
                  device_id: str | None = None, actor: Agent | None = None) -> ReaderDevice:
    """Enroll a reader at ``outlet`` (its name or id) with its raw 32-byte public key.

    Raises InputError (bad id or key), NotFoundError (no such outlet), ConflictError
    (the id or the key is already enrolled), PermissionDenied.
    """
    if actor is not None:
        require(actor, Permission.MANAGE_READERS, "enroll card readers")
    if len(public_key) != 32:
        raise InputError("a reader's public key is 32 raw Ed25519 bytes")
    device_id = (device_id or default_device_id(public_key)).strip()
    if not device_id or len(device_id) > MAX_DEVICE_ID or not device_id.isprintable() \
            or " " in device_id:
        raise InputError(f"a device id is 1 to {MAX_DEVICE_ID} printable characters "
                         "without spaces")
    now = ctx.clock()
    with ctx.uow() as tx:
        found = tx.accounts.find_outlet(name_or_id=outlet)
        if found is None:
            raise NotFoundError(f"outlet {outlet!r} not found")
        _check_scope(actor, found.id, "enroll card readers")
        device = ReaderDevice(device_id=device_id, outlet_id=found.id, public_key=public_key,
                              enrolled_at=now, enrolled_by=actor.id if actor else None,
                              outlet_name=found.name)
        tx.readers.add(device=device)
        tx.audit.append(at=now, actor_id=actor.id if actor else None, action="reader.enroll",
                        detail=f"{device_id} outlet={found.id} "
                               f"key_sha256={hashlib.sha256(public_key).hexdigest()[:16]}")
    return device


def list_readers(ctx: ServiceContext, *, actor: Agent | None = None) -> list[ReaderDevice]:
    """Every enrolled reader (a supervisor: their outlet's)."""
    if actor is not None:
        require(actor, Permission.MANAGE_READERS, "list card readers")
    with ctx.uow() as tx:
        devices = tx.readers.all()
    if actor is not None and actor.role is Role.SUPERVISOR:
        devices = [d for d in devices if d.outlet_id == actor.outlet_id]
    return devices


def revoke_reader(ctx: ServiceContext, *, device_id: str,
                  actor: Agent | None = None) -> ReaderDevice:
    """Revoke a reader at once (audited): its records are refused from now on."""
    if actor is not None:
        require(actor, Permission.MANAGE_READERS, "revoke card readers")
    now = ctx.clock()
    with ctx.uow() as tx:
        found = tx.readers.get(device_id=device_id)
        if found is None:
            raise NotFoundError(f"reader {device_id} not found")
        _check_scope(actor, found.outlet_id, "revoke card readers")
        device = tx.readers.revoke(device_id=device_id, now=now,
                                   by=actor.id if actor else None)
        tx.audit.append(at=now, actor_id=actor.id if actor else None, action="reader.revoke",
                        detail=device_id)
    return device


def check_origin(ctx: ServiceContext, record: object, registration: Registration, *,
                 actor_id: str | None, check_freshness: bool = True) -> tuple[str, str] | None:
    """Under the signed policy, prove ``record`` came from an enrolled reader of the
    registration's outlet; ``(device_id, signature_sha256)`` to keep when the step
    records it. None under ``unsigned`` (nothing to check).

    Raises:
        ReaderRecordRefusedError: with its reason code (audited as ``reader.refused``).
    """
    from simkyc.document.reader_signature import signature_of, verify_record

    rules = ctx.policy.document
    if rules.reader_records != "signed":
        return None
    now = ctx.clock()
    try:
        if not isinstance(record, dict):
            raise InputError("reader record must be a JSON object")
        signature = signature_of(record)
        with ctx.uow() as tx:
            device = tx.readers.get(device_id=signature.device_id)
            used = tx.readers.used(signature_sha256=signature.sha256)
        if device is None:
            raise ReaderRecordRefusedError("the card-reader record is signed by a reader that "
                                           "is not enrolled", reason="reader_unknown")
        if device.is_revoked(now):
            raise ReaderRecordRefusedError("the card-reader record is signed by a revoked "
                                           "reader", reason="reader_revoked")
        if device.outlet_id != registration.outlet_id:
            raise ReaderRecordRefusedError("the card-reader record is signed by a reader of "
                                           "another outlet", reason="reader_wrong_outlet")
        verified = verify_record(record, device.public_key, now=now,
                                 max_age_seconds=rules.reader_max_age_seconds,
                                 skew_seconds=rules.reader_clock_skew_seconds,
                                 check_freshness=check_freshness)
        if used:
            raise ReaderRecordRefusedError("this signed card-reader record was already used",
                                           reason="reader_replayed")
    except ReaderRecordRefusedError as exc:
        exc.language = registration.language
        refused(ctx, registration, exc, record, actor_id=actor_id)
        raise
    return verified.device_id, verified.signature_sha256


def refused(ctx: ServiceContext, registration: Registration, exc: ReaderRecordRefusedError,
            record: object, *, actor_id: str | None) -> None:
    """Audit a refused record (its own transaction: the step's was not committed)."""
    device = None
    if isinstance(record, dict) and isinstance(record.get("signature"), dict):
        device = str(record["signature"].get("device_id", ""))[:MAX_DEVICE_ID]
    with ctx.uow() as tx:
        tx.audit.append(at=ctx.clock(), actor_id=actor_id, action="reader.refused",
                        registration_id=registration.id,
                        detail=f"reason={exc.reason} device={device or '-'}")


def keep_use(tx: UnitOfWork, registration: Registration, origin: tuple[str, str],
             now: datetime) -> None:
    """Keep a signed record's use in the step's transaction; refuse a concurrent second use."""
    device_id, sig_sha256 = origin
    if not tx.readers.use(signature_sha256=sig_sha256, device_id=device_id,
                          registration_id=registration.id, now=now):
        raise ReaderRecordRefusedError("this signed card-reader record was already used",
                                       reason="reader_replayed",
                                       language=registration.language)


__all__ = ["check_origin", "default_device_id", "enroll_reader", "keep_use", "list_readers",
           "refused", "revoke_reader"]
