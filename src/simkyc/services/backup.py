"""Backup and restore of a deployment: the database, the evidence store, the keys.

:func:`create_backup` copies, in this order, the database (one consistent
snapshot), the evidence files (after the snapshot: every row in it has its
file) and the keys (last: a rotation keeps old master keys, so the copy holds
every key the snapshot's data keys are under), then checks that the copied
keys unwrap every data key in the copied database, and writes
``manifest.json`` last (a folder without one is not a backup).

:func:`restore_backup` puts the three parts into an empty deployment (keys
first, then the database, then the evidence); :func:`verify_restore` is the
drill: row counts match the manifest, every evidence item decrypts and
matches its recorded SHA-256, every data key unwraps, the audit chain
verifies. Both ends are audited.

The adapters that read and write the parts are passed in (:class:`BackupParts`).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from simkyc import __version__
from simkyc.domain.errors import EvidenceError, InputError
from simkyc.services.context import ServiceContext
from simkyc.services.ports import Keyring

MANIFEST = "manifest.json"
FORMAT = "simkyc-backup"


class BackupParts(Protocol):
    """The deployment's database, evidence folder and keys, as files."""

    def dump_database(self, folder: Path) -> dict[str, Any]: ...
    def backed_up_data_keys(self, folder: Path, info: dict[str, Any]
                            ) -> Iterator[tuple[str, bytes | None]]: ...
    def copy_evidence_out(self, folder: Path) -> dict[str, str]: ...
    def copy_keys_out(self, keys_dir: Path) -> dict[str, Any]: ...
    def backup_keyring(self, keys_dir: Path, info: dict[str, Any]) -> Keyring: ...
    def database_problem(self, revision: str | None = None) -> str | None: ...
    def evidence_problem(self) -> str | None: ...
    def keys_problem(self) -> str | None: ...
    def restore_keys(self, keys_dir: Path, info: dict[str, Any]) -> None: ...
    def restore_database(self, folder: Path, info: dict[str, Any]) -> None: ...
    def restore_evidence(self, folder: Path, files: dict[str, str]) -> None: ...
    def restored_counts(self) -> dict[str, int]: ...


def _empty_or_new(path: Path, what: str) -> None:
    if path.exists() and (not path.is_dir() or any(path.iterdir())):
        raise InputError(f"the {what} {path} exists and is not an empty folder")


@dataclass(frozen=True)
class BackupReport:
    folder: str
    keys_dir: str
    manifest: dict[str, Any]

    def as_dict(self) -> dict[str, object]:
        m = self.manifest
        return {"folder": self.folder, "keys_dir": self.keys_dir,
                "database": m["database"]["dialect"], "revision": m["database"]["revision"],
                "rows": sum(m["database"]["tables"].values()),
                "registrations": m["database"]["tables"].get("registrations", 0),
                "evidence_files": len(m["evidence"]["files"]),
                "data_keys_checked": m["keys"]["data_keys_unwrapped"],
                "keys": m["keys"]["source"]}


def create_backup(ctx: ServiceContext, parts: BackupParts, folder: Path,
                  keys_dir: Path | None = None) -> BackupReport:
    """Back the deployment up into ``folder`` (new or empty); the keys into ``keys_dir``
    (default ``folder/keys``; keep them apart from the evidence they protect)."""
    _empty_or_new(folder, "backup folder")
    keys_at = keys_dir if keys_dir is not None else folder / "keys"
    if keys_dir is not None:
        _empty_or_new(keys_dir, "keys folder")
    folder.mkdir(parents=True, exist_ok=True)
    folder.chmod(0o700)  # the database copy holds personal data
    started = ctx.clock()
    with ctx.uow() as tx:
        tx.audit.append(at=started, actor_id=None, action="backup.create", detail=str(folder))
    database = parts.dump_database(folder)
    files = parts.copy_evidence_out(folder)
    keys = parts.copy_keys_out(keys_at)
    keyring = parts.backup_keyring(keys_at, keys)
    unwrapped = destroyed = 0
    for key_id, wrapped in parts.backed_up_data_keys(folder, database):
        if wrapped is None:
            destroyed += 1
            continue
        try:
            keyring.unwrap(wrapped, key_id)
        except EvidenceError as exc:
            raise InputError(f"the copied keys do not unwrap data key {key_id} ({exc}): "
                             "was a master key retired during the backup?") from exc
        unwrapped += 1
    keys.update(data_keys_unwrapped=unwrapped, data_keys_destroyed=destroyed)
    manifest = {"format": FORMAT, "version": 1, "simkyc": __version__,
                "created_at": started.isoformat(), "finished_at": ctx.clock().isoformat(),
                "database": database, "evidence": {"files": files}, "keys": keys}
    tmp = folder / (MANIFEST + ".tmp")
    tmp.write_text(json.dumps(manifest, indent=1) + "\n")
    tmp.replace(folder / MANIFEST)
    return BackupReport(folder=str(folder), keys_dir=str(keys_at), manifest=manifest)


def read_manifest(folder: Path) -> dict[str, Any]:
    path = folder / MANIFEST
    try:
        manifest = json.loads(path.read_text())
    except FileNotFoundError as exc:
        raise InputError(f"{path} is missing: not a finished simkyc backup") from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"{path} is unreadable: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT \
            or manifest.get("version") != 1:
        raise InputError(f"{path} is not a simkyc backup manifest (version 1)")
    return manifest


def restore_backup(parts: BackupParts, folder: Path,
                   keys_dir: Path | None = None) -> dict[str, Any]:
    """Restore a backup into an empty deployment (keys, database, evidence); the manifest.
    Refused, with nothing written, when the deployment already holds any part."""
    manifest = read_manifest(folder)
    problems = [p for p in (parts.keys_problem(),
                            parts.database_problem(manifest["database"].get("revision")),
                            parts.evidence_problem()) if p]
    if problems:
        raise InputError("restore goes into an empty deployment: " + "; ".join(problems))
    keys_at = keys_dir if keys_dir is not None else folder / "keys"
    parts.backup_keyring(keys_at, manifest["keys"])  # the keys are there and readable
    parts.restore_keys(keys_at, manifest["keys"])
    parts.restore_database(folder, manifest["database"])
    parts.restore_evidence(folder, manifest["evidence"]["files"])
    return manifest


@dataclass
class DrillReport:
    counts_match: bool = True
    count_mismatches: dict[str, tuple[int, int]] = field(default_factory=dict)
    evidence_read: int = 0
    evidence_destroyed: int = 0
    evidence_failed: list[str] = field(default_factory=list)
    data_keys_unwrapped: int = 0
    data_keys_failed: list[str] = field(default_factory=list)
    audit_intact: bool = False
    audit_entries: int = 0

    @property
    def ok(self) -> bool:
        return (self.counts_match and not self.evidence_failed and not self.data_keys_failed
                and self.audit_intact)

    def as_dict(self) -> dict[str, object]:
        return {"ok": self.ok, "counts_match": self.counts_match,
                "count_mismatches": {k: list(v) for k, v in self.count_mismatches.items()},
                "evidence_read": self.evidence_read,
                "evidence_destroyed": self.evidence_destroyed,
                "evidence_failed": self.evidence_failed,
                "data_keys_unwrapped": self.data_keys_unwrapped,
                "data_keys_failed": self.data_keys_failed,
                "audit_intact": self.audit_intact, "audit_entries": self.audit_entries}


def verify_restore(ctx: ServiceContext, parts: BackupParts,
                   manifest: dict[str, Any]) -> DrillReport:
    """The restore drill on the restored deployment (``ctx`` is built on it)."""
    report = DrillReport()
    counts = parts.restored_counts()
    for table, expected in manifest["database"]["tables"].items():
        if counts.get(table, 0) != expected:
            report.count_mismatches[table] = (expected, counts.get(table, 0))
    report.counts_match = not report.count_mismatches
    after = ""
    while True:
        with ctx.uow() as tx:
            rows = tx.keys.page(after=after, limit=500)
        if not rows:
            break
        for key_id, wrapped in rows:
            if wrapped is None:
                continue
            try:
                ctx.keys.unwrap(wrapped, key_id)
                report.data_keys_unwrapped += 1
            except EvidenceError:
                report.data_keys_failed.append(key_id)
        after = rows[-1][0]
    with ctx.uow() as tx:
        for ev_id in sorted(tx.evidence.all_ids()):
            ref = tx.evidence.get(evidence_id=ev_id)
            _, wrapped = tx.keys.get(registration_id=ref.registration_id)
            if wrapped is None:
                report.evidence_destroyed += 1
                continue
            try:
                key = ctx.keys.unwrap(wrapped, ref.key_id)
                ctx.store.read(registration_id=ref.registration_id, evidence_id=ref.id,
                               data_key=key, sha256=ref.sha256)  # checks the SHA-256
                report.evidence_read += 1
            except EvidenceError:
                report.evidence_failed.append(ev_id)
        verification = tx.audit.verify()
        report.audit_intact, report.audit_entries = verification.intact, verification.entries
        tx.audit.append(at=ctx.clock(), actor_id=None, action="backup.restore",
                        detail=f"from={manifest['created_at']} ok={report.ok}")
    return report


__all__ = ["BackupParts", "BackupReport", "DrillReport", "create_backup", "read_manifest",
           "restore_backup", "verify_restore"]
