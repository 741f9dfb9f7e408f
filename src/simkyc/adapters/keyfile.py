"""The master key file: where the keyring lives, and how a rotation changes it.

The file is ``SIMKYC_KEY_FILE`` (default ``<data dir>/master.key``, mode 0600).
Two formats are read:

- *legacy*: one line, the base64 master key (what development generates on
  first run). The keyed hash of identities is derived from that key.
- *keyring* (written by ``simkyc keys rotate``), JSON::

    {"format": "simkyc-keyring", "version": 1,
     "current": "<b64>", "previous": ["<b64>", ...],
     "subject_hash_key": "<b64>",
     "rotation": {"state": "in_progress" | "done", "to": "<fingerprint>",
                  "started_at": "...", "finished_at": "..."}}

  ``subject_hash_key`` is derived once from the first master key and copied
  into every later version of the file, so rotation never changes the keyed
  hashes that per-identity rules count by.

With ``SIMKYC_MASTER_KEY`` set and no ``SIMKYC_KEY_FILE``, the keyring is the
environment's and cannot be rotated here (there is nowhere to write the new
key). With both set, the file (once a rotation wrote it) is the keyring, and
the environment's key must be one of its keys.

Every write goes to a temporary file (0600), is fsync'd and renamed into
place: a crash leaves the old file or the new one, never half of one.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import secrets
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from simkyc.adapters.crypto import (
    KEY_BYTES,
    KeyMaterial,
    MasterKeyring,
    key_fingerprint,
    subject_hash_key,
)
from simkyc.config import Settings, _decode_key
from simkyc.domain.errors import ConfigurationError
from simkyc.services.keys import KeyringState

FORMAT = "simkyc-keyring"


def _b64(key: bytes) -> str:
    return base64.urlsafe_b64encode(key).decode()


@dataclass(frozen=True)
class KeyFileContent:
    material: KeyMaterial
    rotation: dict[str, Any] | None
    legacy: bool


def read_key_file(path: Path) -> KeyFileContent:
    """Parse either format; a clear :class:`ConfigurationError` for anything else."""
    try:
        text = path.read_text().strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot read the key file {path}: {exc.strerror}") from exc
    if not text.startswith("{"):
        try:
            key = _decode_key(text)
        except ConfigurationError as exc:
            raise ConfigurationError(
                f"the key file {path} is not a base64 32-byte key nor a keyring") from exc
        return KeyFileContent(KeyMaterial(key, (), subject_hash_key(key)), None, legacy=True)
    try:
        doc = json.loads(text)
        if doc.get("format") != FORMAT or doc.get("version") != 1:
            raise ValueError("unknown format")
        current = _decode_key(doc["current"])
        previous = tuple(_decode_key(k) for k in doc.get("previous", []))
        subject = base64.urlsafe_b64decode(doc["subject_hash_key"])
        if len(subject) != KEY_BYTES:
            raise ValueError("subject_hash_key is not 32 bytes")
    except (ValueError, KeyError, TypeError, AttributeError, ConfigurationError) as exc:
        raise ConfigurationError(f"the key file {path} is not a valid keyring: {exc}") from exc
    return KeyFileContent(KeyMaterial(current, previous, subject), doc.get("rotation"),
                          legacy=False)


def write_key_file(path: Path, material: KeyMaterial, rotation: dict[str, Any] | None) -> None:
    """Write the keyring format atomically and durably (0600)."""
    assert material.subject_hash_key is not None
    doc = {"format": FORMAT, "version": 1, "current": _b64(material.current),
           "previous": [_b64(k) for k in material.previous],
           "subject_hash_key": _b64(material.subject_hash_key), "rotation": rotation}
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{secrets.token_hex(4)}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(json.dumps(doc, indent=1) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            tmp.unlink()
        raise
    dir_fd = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(dir_fd)
    finally:
        os.close(dir_fd)


def _dedupe(keys: tuple[bytes, ...], *, without: bytes) -> tuple[bytes, ...]:
    out: list[bytes] = []
    for k in keys:
        if k != without and k not in out:
            out.append(k)
    return tuple(out)


class KeyFile:
    """A :class:`~simkyc.adapters.crypto.KeySource` on the key file (and the environment)."""

    def __init__(self, path: Path, *, env_current: bytes | None = None,
                 env_previous: tuple[bytes, ...] = ()) -> None:
        self.path = path
        self.env_current = env_current
        self.env_previous = env_previous

    def stamp(self) -> object:
        try:
            st = self.path.stat()
        except FileNotFoundError:
            return None
        return (st.st_mtime_ns, st.st_size, st.st_ino)

    def content(self) -> KeyFileContent | None:
        """The file's content, or None when there is no file (the keyring is the env's)."""
        if not self.path.exists():
            return None
        found = read_key_file(self.path)
        if found.legacy and self.env_current is not None:
            return None  # a development key file beside an environment key: the env wins
        if not found.legacy and self.env_current is not None:
            held = (found.material.current, *found.material.previous)
            if self.env_current not in held:
                raise ConfigurationError(
                    f"SIMKYC_MASTER_KEY is not one of the keys in the key file {self.path} "
                    "(a rotation replaced it): unset it or set it to a key the file holds")
        return found

    def load(self) -> KeyMaterial:
        found = self.content()
        if found is None:
            if self.env_current is None:
                raise ConfigurationError(f"no master key: {self.path} does not exist and "
                                         "SIMKYC_MASTER_KEY is not set")
            return KeyMaterial(self.env_current, self.env_previous,
                               subject_hash_key(self.env_current))
        m = found.material
        return KeyMaterial(m.current, _dedupe((*m.previous, *self.env_previous),
                                              without=m.current), m.subject_hash_key)


def key_file_path(settings: Settings) -> Path:
    return settings.key_file or settings.data_dir / "master.key"


def _env_keys(settings: Settings) -> tuple[bytes | None, tuple[bytes, ...]]:
    env_current = settings.master_key_bytes if settings.master_key else None
    return env_current, settings.previous_master_keys_bytes


def load_keyring(settings: Settings) -> MasterKeyring:
    """The process's keyring. It follows the key file, so a rotation made by
    ``simkyc keys rotate`` in another process reaches a running service."""
    env_current, env_previous = _env_keys(settings)
    if env_current is not None and settings.key_file is None:
        return MasterKeyring(env_current, env_previous)  # the environment's; no file
    path = key_file_path(settings)
    source = KeyFile(path, env_current=env_current, env_previous=env_previous)
    if source.content() is None or source.content().legacy:  # type: ignore[union-attr]
        settings.master_key_bytes  # noqa: B018 - generates (development) or refuses (production)
    return MasterKeyring.from_source(source)


class FileKeyStore:
    """The master keys as ``simkyc keys`` changes them: the key file, written atomically.

    Refuses (``ConfigurationError``) when there is no key, or when the key comes
    from ``SIMKYC_MASTER_KEY`` and ``SIMKYC_KEY_FILE`` names no place to write the
    new one. Nothing is created by merely opening it.
    """

    def __init__(self, settings: Settings) -> None:
        env_current, env_previous = _env_keys(settings)
        self.path = key_file_path(settings)
        self._env_previous = env_previous
        if env_current is not None and settings.key_file is None:
            raise ConfigurationError(
                "the master key comes from SIMKYC_MASTER_KEY and there is nowhere to write a "
                "new one: set SIMKYC_KEY_FILE to a path on protected storage (created, 0600, "
                "by the first rotation, and read by every process from then on)")
        if env_current is None and not self.path.exists():
            raise ConfigurationError(f"no master key: {self.path} does not exist and "
                                     "SIMKYC_MASTER_KEY is not set")
        if env_current is None and settings.environment == "production":
            found = read_key_file(self.path)
            if found.legacy:
                raise ConfigurationError(
                    f"{self.path} is a development key file; production reads "
                    "SIMKYC_MASTER_KEY or a keyring written by `simkyc keys rotate`")
        self.source = KeyFile(self.path, env_current=env_current, env_previous=env_previous)
        self.source.load()  # a corrupt file or a foreign env key: refused now

    @contextlib.contextmanager
    def exclusive(self) -> Iterator[None]:
        """Hold the rotation lock (one ``keys`` command changing the keyring at a time)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(self.path.with_name(self.path.name + ".lock"), os.O_RDWR | os.O_CREAT,
                     0o600)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError as exc:
                raise ConfigurationError(
                    f"another `simkyc keys` command holds {self.path}.lock") from exc
            yield
        finally:
            os.close(fd)

    def keyring(self) -> MasterKeyring:
        return MasterKeyring.from_source(self.source)

    def state(self) -> KeyringState:
        m = self.source.load()
        found = self.source.content()
        rotation = (found.rotation or {}) if found is not None else {}
        return KeyringState(
            location=str(self.path) if found is not None else "SIMKYC_MASTER_KEY",
            current=key_fingerprint(m.current).hex(),
            previous=tuple(key_fingerprint(k).hex() for k in m.previous),
            from_environment=tuple(key_fingerprint(k).hex() for k in self._env_previous),
            rotation=rotation.get("state"), rotation_to=rotation.get("to"))

    def begin_rotation(self, now: datetime) -> str:
        """Persist a new current master key (the old ones kept as previous) before any
        data key is re-wrapped; return its fingerprint."""
        m = self.source.load()
        new = secrets.token_bytes(KEY_BYTES)
        fp = key_fingerprint(new).hex()
        write_key_file(self.path, KeyMaterial(new, _dedupe((m.current, *m.previous),
                                                           without=new), m.subject_hash_key),
                       {"state": "in_progress", "to": fp, "started_at": now.isoformat()})
        return fp

    def finish_rotation(self, now: datetime) -> None:
        found = self.source.content()
        assert found is not None and not found.legacy
        rotation = dict(found.rotation or {})
        rotation.update(state="done", finished_at=now.isoformat())
        write_key_file(self.path, found.material, rotation)

    def retire(self, fingerprints: set[str]) -> list[str]:
        """Drop the named previous keys from the file; the ones dropped (env keys stay)."""
        found = self.source.content()
        if found is None or found.legacy:
            return []
        m = found.material
        keep = tuple(k for k in m.previous if key_fingerprint(k).hex() not in fingerprints)
        dropped = [key_fingerprint(k).hex() for k in m.previous if k not in keep]
        if dropped:
            write_key_file(self.path, KeyMaterial(m.current, keep, m.subject_hash_key),
                           found.rotation)
        return dropped


__all__ = ["FileKeyStore", "KeyFile", "KeyringState", "key_file_path", "load_keyring",
           "read_key_file", "write_key_file"]
