"""Test card readers: one Ed25519 key per outlet (derived from the outlet's name, so the
same in every process), enrolled like any reader, and records signed as a reader signs.

``enroll_test_readers(ctx, outlets)`` enrolls the readers of the outlets that exist;
``signed(record, outlet)`` returns the record signed by that outlet's reader with
``reader.read_at`` now (so two calls never give the same signature: a signed record is
accepted once).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from simkyc.document.reader_signature import raw_public_key, sign_record, simulated_reader_key


def reader_key(outlet: str) -> Ed25519PrivateKey:
    return simulated_reader_key(f"simkyc test reader {outlet}")


def public_key(outlet: str) -> bytes:
    return raw_public_key(reader_key(outlet))


def device_id(outlet: str) -> str:
    return "test-reader-" + hashlib.sha256(outlet.encode()).hexdigest()[:8]


def enroll_test_readers(ctx: Any, outlets: Iterable[str]) -> None:
    """Enroll each outlet's test reader (through the service, as the local CLI does)."""
    from simkyc.services.readers import enroll_reader

    for outlet in outlets:
        enroll_reader(ctx, outlet=outlet, public_key=public_key(outlet),
                      device_id=device_id(outlet))


def signed(record: dict[str, Any], outlet: str = "Outlet A", *,
           read_at: datetime | None = None) -> dict[str, Any]:
    """``record`` signed by ``outlet``'s test reader, read at ``read_at`` (default now)."""
    return sign_record(record, reader_key(outlet), device_id(outlet), read_at=read_at)


__all__ = ["device_id", "enroll_test_readers", "public_key", "reader_key", "signed"]
