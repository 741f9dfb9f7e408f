"""Envelope encryption with AES-256-GCM (the ``cryptography`` library).

Each registration has its own random 256-bit *data key*; the data key is
stored only *wrapped* (encrypted) by the master key. Evidence is encrypted
with the data key. Destroying the wrapped data key (crypto-shredding) makes
that registration's evidence unreadable while leaving every other record
intact.

Sealed format: ``b"SK1" || nonce (12 bytes) || ciphertext+tag``. The
associated data binds a ciphertext to its purpose (registration and evidence
ids), so a blob moved to another record fails authentication.
"""

from __future__ import annotations

import secrets

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from simkyc.domain.errors import EvidenceTamperedError

MAGIC = b"SK1"
NONCE_BYTES = 12
KEY_BYTES = 32


def new_data_key() -> bytes:
    """A fresh random 256-bit key."""
    return secrets.token_bytes(KEY_BYTES)


def seal(key: bytes, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt and authenticate ``plaintext`` under ``key`` bound to ``aad``."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return MAGIC + nonce + AESGCM(key).encrypt(nonce, plaintext, aad)


def open_sealed(key: bytes, blob: bytes, aad: bytes) -> bytes:
    """Decrypt ``blob``; raise :class:`EvidenceTamperedError` if it was altered or moved."""
    if len(blob) < len(MAGIC) + NONCE_BYTES + 16 or not blob.startswith(MAGIC):
        raise EvidenceTamperedError("sealed data is truncated or not in simkyc format")
    nonce = blob[len(MAGIC) : len(MAGIC) + NONCE_BYTES]
    try:
        return AESGCM(key).decrypt(nonce, blob[len(MAGIC) + NONCE_BYTES :], aad)
    except InvalidTag as exc:
        raise EvidenceTamperedError("authentication failed: the data was altered or moved") from exc


def wrap_key(master_key: bytes, data_key: bytes, key_id: str) -> bytes:
    """Wrap a data key with the master key (AES-256-GCM, bound to ``key_id``)."""
    return seal(master_key, data_key, b"simkyc-data-key:" + key_id.encode())


def unwrap_key(master_key: bytes, wrapped: bytes, key_id: str) -> bytes:
    return open_sealed(master_key, wrapped, b"simkyc-data-key:" + key_id.encode())


__all__ = ["new_data_key", "open_sealed", "seal", "unwrap_key", "wrap_key"]
