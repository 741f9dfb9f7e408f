"""Encrypted evidence files on the local disk.

Layout: ``<root>/<registration id>/<evidence id>.sk``. Files are written to a
temporary name, flushed and fsync'd, then renamed into place, so a crash
leaves either the whole file or nothing under the final name. A file whose
database row was never committed (the process died in between) is an orphan;
:meth:`EvidenceStore.sweep_orphans` removes them.

The store knows nothing about keys' provenance: callers pass the data key.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import time
from collections.abc import Iterable, Iterator
from pathlib import Path

from simkyc.adapters.crypto import open_sealed, seal
from simkyc.domain.errors import EvidenceError, EvidenceTamperedError

_ID = re.compile(r"^[0-9a-f]{32}$")


def _aad(registration_id: str, evidence_id: str) -> bytes:
    return f"simkyc-evidence:{registration_id}:{evidence_id}".encode()


class EvidenceStore:
    """Evidence blobs, AES-256-GCM encrypted, under ``root``."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def _path(self, registration_id: str, evidence_id: str) -> Path:
        if not (_ID.match(registration_id) and _ID.match(evidence_id)):
            raise EvidenceError("malformed evidence identifier")
        return self.root / registration_id / f"{evidence_id}.sk"

    def write(self, *, registration_id: str, evidence_id: str, data_key: bytes,
              plaintext: bytes) -> str:
        """Encrypt and store ``plaintext``; return its SHA-256 (hex) for the database row."""
        digest = hashlib.sha256(plaintext).hexdigest()
        path = self._path(registration_id, evidence_id)
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_suffix(".tmp")
        blob = seal(data_key, plaintext, _aad(registration_id, evidence_id))
        with open(tmp, "wb") as fh:
            fh.write(blob)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
        dir_fd = os.open(path.parent, os.O_RDONLY)
        try:
            os.fsync(dir_fd)
        finally:
            os.close(dir_fd)
        return digest

    def read(self, *, registration_id: str, evidence_id: str, data_key: bytes,
             sha256: str) -> bytes:
        """Decrypt one item; :class:`EvidenceTamperedError` if it was altered."""
        path = self._path(registration_id, evidence_id)
        try:
            blob = path.read_bytes()
        except FileNotFoundError as exc:
            raise EvidenceError(f"evidence {evidence_id} is missing from the store") from exc
        plaintext = open_sealed(data_key, blob, _aad(registration_id, evidence_id))
        if hashlib.sha256(plaintext).hexdigest() != sha256:
            raise EvidenceTamperedError(f"evidence {evidence_id} does not match its recorded hash")
        return plaintext

    def delete(self, *, registration_id: str, evidence_id: str) -> None:
        self._path(registration_id, evidence_id).unlink(missing_ok=True)

    def delete_registration(self, registration_id: str) -> None:
        if not _ID.match(registration_id):
            raise EvidenceError("malformed registration identifier")
        shutil.rmtree(self.root / registration_id, ignore_errors=True)

    def iter_items(self) -> Iterator[tuple[str, str, Path]]:
        """Every stored (registration id, evidence id, path), including temp files."""
        if not self.root.exists():
            return
        for reg_dir in self.root.iterdir():
            if not reg_dir.is_dir() or not _ID.match(reg_dir.name):
                continue
            for f in reg_dir.iterdir():
                yield reg_dir.name, f.name.split(".", 1)[0], f

    def sweep_orphans(self, known_evidence_ids: Iterable[str], *,
                      older_than_seconds: float = 0.0) -> int:
        """Delete files with no committed database row (and stale temp files).

        ``older_than_seconds`` protects writes still in flight in a running
        service. Returns the number of files removed.
        """
        known = set(known_evidence_ids)
        cutoff = time.time() - older_than_seconds
        removed = 0
        for _reg, ev_id, path in list(self.iter_items()):
            orphan = path.suffix == ".tmp" or ev_id not in known
            if orphan and path.stat().st_mtime <= cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        for reg_dir in list(self.root.iterdir()) if self.root.exists() else []:
            if reg_dir.is_dir() and not any(reg_dir.iterdir()):
                reg_dir.rmdir()
        return removed


__all__ = ["EvidenceStore"]
