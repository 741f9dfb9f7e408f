"""Signed card-reader records: proof that an enrolled reader produced the record.

A reader signs the **canonical JSON** of its record (RFC 8785-style:
``json.dumps(sort_keys=True, separators=(",", ":"), ensure_ascii=False)``,
UTF-8, the ``signature`` member left out) with its Ed25519 key, and adds

    "signature": {"device_id": "...", "alg": "EdDSA", "sig": "<base64url of 64 bytes>"}

:func:`verify_record` checks the signature against the enrolled device's public
key and the freshness of ``reader.read_at`` (within the policy's window of the
server clock, and not ahead of it beyond the allowed skew). Each refusal is a
:class:`~simkyc.domain.errors.ReaderRecordRefusedError` with its reason code.
Pure: no database; the caller looks the device up and keeps the used signatures.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from simkyc.domain.errors import InputError, ReaderRecordRefusedError

ALG = "EdDSA"


@dataclass(frozen=True)
class ReaderSignature:
    """The ``signature`` member of a record, decoded."""

    device_id: str
    alg: str
    sig: bytes

    @property
    def sha256(self) -> str:
        """Hex SHA-256 of the signature bytes: what is kept to refuse a replay."""
        return hashlib.sha256(self.sig).hexdigest()


@dataclass(frozen=True)
class VerifiedRecord:
    """A record whose signature and freshness were checked."""

    device_id: str
    read_at: datetime | None
    signature_sha256: str


def b64url_decode(text: str) -> bytes:
    """Unpadded base64url (RFC 4648 section 5) to bytes."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def b64url(data: bytes) -> str:
    """Bytes as unpadded base64url (how signatures and reader keys are written)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def canonical_bytes(record: dict[str, Any]) -> bytes:
    """The bytes a reader signs: the canonical JSON of ``record`` without ``signature``."""
    body = {k: v for k, v in record.items() if k != "signature"}
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=False,
                      allow_nan=False).encode("utf-8")


def signature_of(record: dict[str, Any]) -> ReaderSignature:
    """The record's signature member, decoded.

    Raises:
        ReaderRecordRefusedError: ``reader_unsigned`` (none) or ``reader_bad_signature``
            (not an ``EdDSA`` signature of 64 bytes in base64url).
    """
    member = record.get("signature")
    if member is None:
        raise ReaderRecordRefusedError("the card-reader record is not signed by a reader",
                                       reason="reader_unsigned")
    if not isinstance(member, dict) or not isinstance(member.get("device_id"), str) \
            or not isinstance(member.get("sig"), str) or not member["device_id"]:
        raise ReaderRecordRefusedError("the card-reader record's signature is malformed",
                                       reason="reader_bad_signature")
    if member.get("alg") != ALG:
        raise ReaderRecordRefusedError(f"the card-reader record's signature is not {ALG}",
                                       reason="reader_bad_signature")
    try:
        sig = b64url_decode(member["sig"])
    except (binascii.Error, ValueError):
        sig = b""
    if len(sig) != 64:
        raise ReaderRecordRefusedError("the card-reader record's signature is not 64 bytes "
                                       "of base64url", reason="reader_bad_signature")
    return ReaderSignature(device_id=member["device_id"], alg=ALG, sig=sig)


def read_at_of(record: dict[str, Any]) -> datetime | None:
    """``reader.read_at`` as an aware datetime (naive: UTC), or None when absent or unreadable."""
    reader = record.get("reader")
    raw = reader.get("read_at") if isinstance(reader, dict) else None
    if not isinstance(raw, str):
        return None
    try:
        at = datetime.fromisoformat(raw.replace("Z", "+00:00").replace("z", "+00:00"))
    except ValueError:
        return None
    return at if at.tzinfo is not None else at.replace(tzinfo=UTC)


def check_fresh(record: dict[str, Any], *, now: datetime, max_age_seconds: int,
                skew_seconds: int) -> datetime:
    """``reader.read_at``, checked against ``now``.

    Raises:
        ReaderRecordRefusedError: ``reader_stale`` (missing, unreadable or older than
            ``max_age_seconds``) or ``reader_clock_ahead`` (later than ``now`` by more
            than ``skew_seconds``).
    """
    at = read_at_of(record)
    if at is None:
        raise ReaderRecordRefusedError("the card-reader record has no readable reader.read_at",
                                       reason="reader_stale")
    if at > now + timedelta(seconds=skew_seconds):
        raise ReaderRecordRefusedError("the card-reader record was read in the future: the "
                                       "reader's clock is ahead", reason="reader_clock_ahead")
    if at < now - timedelta(seconds=max_age_seconds):
        raise ReaderRecordRefusedError(f"the card-reader record was read more than "
                                       f"{max_age_seconds} s ago", reason="reader_stale")
    return at


def load_public_key(data: bytes | str) -> bytes:
    """A reader's Ed25519 public key as its raw 32 bytes, from PEM (SubjectPublicKeyInfo),
    base64 / base64url of the raw 32 bytes, or the raw bytes themselves.

    Raises:
        InputError: anything else.
    """
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    raw = data.encode() if isinstance(data, str) else bytes(data)
    if b"-----BEGIN" in raw:
        try:
            key = serialization.load_pem_public_key(raw)
        except ValueError as exc:
            raise InputError(f"not a PEM public key: {exc}") from None
        if not isinstance(key, Ed25519PublicKey):
            raise InputError("the public key is not an Ed25519 key")
        return _raw(key)
    if len(raw) == 32:
        return raw
    text = raw.decode("ascii", "replace").strip()
    try:
        out = b64url_decode(text.replace("+", "-").replace("/", "_"))
    except (binascii.Error, ValueError):
        out = b""
    if len(out) == 32:
        return out
    raise InputError("the public key is neither PEM nor the base64 of 32 raw Ed25519 bytes")


def _raw(public_key: Any) -> bytes:
    from cryptography.hazmat.primitives import serialization

    return bytes(public_key.public_bytes(serialization.Encoding.Raw,
                                         serialization.PublicFormat.Raw))


def raw_public_key(private_key: Any) -> bytes:
    """The raw 32 bytes of an ``Ed25519PrivateKey``'s public key (what is enrolled)."""
    return _raw(private_key.public_key())


def simulated_reader_key(label: str) -> Any:
    """A fixed Ed25519 key derived from the public ``label``: a *simulated* reader for the
    demo, the benchmarks and the tests. Anyone can derive it: never enroll one on a
    service that registers real customers."""
    import hashlib

    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    return Ed25519PrivateKey.from_private_bytes(hashlib.sha256(label.encode()).digest())


def verify_signature(record: dict[str, Any], public_key: bytes) -> ReaderSignature:
    """Check the record's Ed25519 signature against ``public_key`` (raw 32 bytes).

    Raises:
        ReaderRecordRefusedError: ``reader_unsigned`` or ``reader_bad_signature``.
    """
    from cryptography.exceptions import InvalidSignature
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

    signature = signature_of(record)
    try:
        Ed25519PublicKey.from_public_bytes(public_key).verify(signature.sig,
                                                             canonical_bytes(record))
    except (InvalidSignature, ValueError):
        raise ReaderRecordRefusedError("the card-reader record's signature does not verify "
                                       "under its reader's key: it was altered or not made "
                                       "by that reader", reason="reader_bad_signature") from None
    return signature


def verify_record(record: dict[str, Any], public_key: bytes, *, now: datetime,
                  max_age_seconds: int = 600, skew_seconds: int = 60,
                  check_freshness: bool = True) -> VerifiedRecord:
    """Signature, then freshness of ``reader.read_at`` (unless ``check_freshness`` is off:
    a recorded bundle verified offline).

    Raises:
        ReaderRecordRefusedError: with the reason code of the first check that fails.
    """
    signature = verify_signature(record, public_key)
    at = check_fresh(record, now=now, max_age_seconds=max_age_seconds,
                     skew_seconds=skew_seconds) if check_freshness else read_at_of(record)
    return VerifiedRecord(device_id=signature.device_id, read_at=at,
                          signature_sha256=signature.sha256)


def sign_record(record: dict[str, Any], private_key: Any, device_id: str, *,
                read_at: datetime | None = None) -> dict[str, Any]:
    """A copy of ``record`` signed as a reader does (tests, the demo, a simulated reader).

    ``private_key``: an ``Ed25519PrivateKey``. ``read_at`` (default: now, UTC) is written
    into ``reader.read_at`` before signing.
    """
    out = {k: v for k, v in record.items() if k != "signature"}
    reader = dict(out.get("reader") or {})
    at = read_at or datetime.now(UTC)
    reader["read_at"] = at.isoformat(timespec="microseconds")
    out["reader"] = reader
    sig = private_key.sign(canonical_bytes(out))
    out["signature"] = {"device_id": device_id, "alg": ALG, "sig": b64url(sig)}
    return out


__all__ = ["ALG", "ReaderSignature", "VerifiedRecord", "b64url", "b64url_decode",
           "canonical_bytes", "check_fresh", "load_public_key", "raw_public_key", "read_at_of",
           "sign_record", "signature_of", "simulated_reader_key", "verify_record",
           "verify_signature"]
