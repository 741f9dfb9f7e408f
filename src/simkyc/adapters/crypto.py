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

import hmac
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


def key_fingerprint(master_key: bytes) -> bytes:
    """8 bytes naming a master key (HMAC-SHA-256 of a fixed label; reveals nothing of it)."""
    return hmac.new(master_key, b"simkyc-master-key-id", "sha256").digest()[:8]


#: Prefix of a data key wrapped under a named master key: ``MK1`` + fingerprint + sealed.
WRAP_PREFIX = b"MK1"


class MasterKeyring:
    """The master key that wraps every registration's data key, and the ones it replaced.

    New data keys are wrapped under ``current``; ``previous`` keys still unwrap
    what they wrapped, so ``simkyc keys rotate`` can re-wrap every data key
    under a new master key while the service keeps running (evidence itself is
    never re-encrypted). The keyed hash of identities is derived from
    ``subject_key`` (by default the first master key the deployment used: it
    must not change, or per-identity rules would stop counting older records).
    """

    def __init__(self, current: bytes, previous: tuple[bytes, ...] = (), *,
                 subject_key: bytes | None = None) -> None:
        if len(current) != KEY_BYTES or any(len(k) != KEY_BYTES for k in previous):
            raise ValueError("master keys are 32 bytes")
        self.current = current
        self._by_id = {key_fingerprint(k): k for k in (current, *previous)}
        self._subject_key = hmac.new(subject_key or current, b"simkyc-subject-id",
                                     "sha256").digest()

    @property
    def current_id(self) -> str:
        return key_fingerprint(self.current).hex()

    def new_data_key(self) -> bytes:
        return new_data_key()

    def wrap(self, data_key: bytes, key_id: str) -> bytes:
        return WRAP_PREFIX + key_fingerprint(self.current) + wrap_key(self.current, data_key,
                                                                       key_id)

    def wrapped_under(self, wrapped: bytes) -> str | None:
        """The fingerprint (hex) of the master key ``wrapped`` is under (None: legacy format)."""
        return wrapped[3:11].hex() if wrapped.startswith(WRAP_PREFIX) else None

    def unwrap(self, wrapped: bytes, key_id: str) -> bytes:
        if wrapped.startswith(WRAP_PREFIX):
            master = self._by_id.get(wrapped[3:11])
            if master is None:
                raise EvidenceTamperedError(
                    "the data key is wrapped under a master key this service does not hold")
            return unwrap_key(master, wrapped[11:], key_id)
        last: EvidenceTamperedError | None = None
        for master in self._by_id.values():  # legacy: no key id recorded
            try:
                return unwrap_key(master, wrapped, key_id)
            except EvidenceTamperedError as exc:
                last = exc
        assert last is not None
        raise last

    def subject_hash(self, document_number: str) -> str:
        """Keyed hash of a document number: rules count per identity without storing it."""
        norm = document_number.strip().upper().encode()
        return hmac.new(self._subject_key, norm, "sha256").hexdigest()


__all__ = ["MasterKeyring", "key_fingerprint", "new_data_key", "open_sealed", "seal",
           "unwrap_key", "wrap_key"]
