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
import threading
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from simkyc.domain.errors import ConfigurationError, EvidenceTamperedError

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


def subject_hash_key(first_master_key: bytes) -> bytes:
    """The key of the keyed hash of identities, derived once from the deployment's first
    master key (it reveals nothing of it, and it is kept when that key is rotated out)."""
    return hmac.new(first_master_key, b"simkyc-subject-id", "sha256").digest()


@dataclass(frozen=True)
class KeyMaterial:
    """What a keyring holds: the current master key, the previous ones, the subject key."""

    current: bytes
    previous: tuple[bytes, ...] = ()
    subject_hash_key: bytes | None = None  # None: derived from ``current`` (legacy)


class KeySource(Protocol):
    """Where a keyring's material lives (the key file), so a running process can reload it."""

    def stamp(self) -> object:
        """Changes whenever the material may have changed (e.g. the file's mtime)."""

    def load(self) -> KeyMaterial: ...


class MasterKeyring:
    """The master key that wraps every registration's data key, and the ones it replaced.

    New data keys are wrapped under ``current``; ``previous`` keys still unwrap
    what they wrapped, so ``simkyc keys rotate`` can re-wrap every data key
    under a new master key while the service keeps running (evidence itself is
    never re-encrypted). The keyed hash of identities uses ``subject_hash_key``
    (derived once from the first master key the deployment used, see
    :func:`subject_hash_key`, and kept in the key file): it never changes on
    rotation, or per-identity rules would stop counting older records.

    With a ``source`` (the key file) a running process follows a rotation made by
    another process: before wrapping it reloads the material when the source's
    stamp changed (new data keys go under the new master key), and a data key
    wrapped under a master key it does not hold makes it reload once and retry.
    """

    def __init__(self, current: bytes, previous: tuple[bytes, ...] = (), *,
                 subject_key: bytes | None = None, subject_hash_key: bytes | None = None,
                 source: KeySource | None = None) -> None:
        self._source = source
        self._lock = threading.Lock()
        self._stamp = source.stamp() if source is not None else None
        self._state = self._build(KeyMaterial(
            current, tuple(previous),
            subject_hash_key or _derive_subject(subject_key or current)))

    @classmethod
    def from_source(cls, source: KeySource) -> MasterKeyring:
        m = source.load()
        return cls(m.current, m.previous, subject_hash_key=m.subject_hash_key, source=source)

    @staticmethod
    def _build(m: KeyMaterial) -> tuple[bytes, dict[bytes, bytes], bytes]:
        if len(m.current) != KEY_BYTES or any(len(k) != KEY_BYTES for k in m.previous):
            raise ValueError("master keys are 32 bytes")
        by_id = {key_fingerprint(k): k for k in (m.current, *m.previous)}
        subject = m.subject_hash_key or _derive_subject(m.current)
        return m.current, by_id, subject

    def reload(self) -> bool:
        """Re-read the source; True if the material changed. The subject key must not."""
        if self._source is None:
            return False
        with self._lock:
            stamp = self._source.stamp()
            fresh = self._build(self._source.load())
            if fresh[2] != self._state[2]:
                raise ConfigurationError(
                    "the key file's subject key differs from the one this process started "
                    "with: the keyed hashes of identities would change; refusing to reload")
            changed = fresh[0] != self._state[0] or fresh[1].keys() != self._state[1].keys()
            self._state, self._stamp = fresh, stamp
            return changed

    def _follow(self) -> None:
        if self._source is not None and self._source.stamp() != self._stamp:
            self.reload()

    @property
    def current(self) -> bytes:
        return self._state[0]

    @property
    def current_id(self) -> str:
        return key_fingerprint(self.current).hex()

    @property
    def fingerprints(self) -> list[str]:
        """Every master key held, current first (hex fingerprints)."""
        return [fp.hex() for fp in self._state[1]]

    def new_data_key(self) -> bytes:
        return new_data_key()

    def wrap(self, data_key: bytes, key_id: str) -> bytes:
        self._follow()
        current = self._state[0]
        return WRAP_PREFIX + key_fingerprint(current) + wrap_key(current, data_key, key_id)

    def wrapped_under(self, wrapped: bytes) -> str | None:
        """The fingerprint (hex) of the master key ``wrapped`` is under (None: legacy format)."""
        return wrapped[3:11].hex() if wrapped.startswith(WRAP_PREFIX) else None

    def unwrap(self, wrapped: bytes, key_id: str) -> bytes:
        if wrapped.startswith(WRAP_PREFIX):
            master = self._state[1].get(wrapped[3:11])
            if master is None and self._source is not None:
                self.reload()  # re-wrapped by a rotation in another process
                master = self._state[1].get(wrapped[3:11])
            if master is None:
                raise EvidenceTamperedError(
                    "the data key is wrapped under a master key this service does not hold")
            return unwrap_key(master, wrapped[11:], key_id)
        last: EvidenceTamperedError | None = None
        for master in self._state[1].values():  # legacy: no key id recorded
            try:
                return unwrap_key(master, wrapped, key_id)
            except EvidenceTamperedError as exc:
                last = exc
        assert last is not None
        raise last

    def subject_hash(self, document_number: str) -> str:
        """Keyed hash of a document number: rules count per identity without storing it."""
        norm = document_number.strip().upper().encode()
        return hmac.new(self._state[2], norm, "sha256").hexdigest()


def _derive_subject(first_master_key: bytes) -> bytes:
    return subject_hash_key(first_master_key)


__all__ = ["KeyMaterial", "KeySource", "MasterKeyring", "key_fingerprint", "new_data_key",
           "open_sealed", "seal", "subject_hash_key", "unwrap_key", "wrap_key"]
