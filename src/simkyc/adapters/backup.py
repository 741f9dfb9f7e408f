"""Copying a deployment's three parts out to a backup folder and back in.

- **Database.** SQLite: the online backup API (``sqlite3.Connection.backup``),
  a consistent copy taken while the service runs, into ``simkyc.db``.
  PostgreSQL: a logical copy of every table (``database.jsonl``: one JSON row
  per line, bytes in base64, timestamps in ISO 8601) read in one
  ``REPEATABLE READ`` transaction, so it is one consistent snapshot; restored
  by inserting the rows into a database migrated to the backup's revision,
  then migrated to the newest. A backup restores into the same kind of
  database it was taken from.
- **Evidence** (the local store): every ``.sk`` file, with its SHA-256 in the
  manifest. The files are copied *after* the database snapshot, so every row
  in the snapshot has its file (files are written before their rows commit).
- **Keys**: the key file (``master.key`` or ``SIMKYC_KEY_FILE``) and the record
  signing keys, copied last (a rotation keeps the old master keys, so the copy
  holds every key the snapshot's data keys are under), into ``keys/`` or a
  folder of their own (``--keys-dir``: keep them apart from the evidence).
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import shutil
import sqlite3
from collections.abc import Iterator
from datetime import date, datetime
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, LargeBinary, MetaData, func, select, text
from sqlalchemy import types as sqltypes
from sqlalchemy.engine import make_url

from simkyc.adapters.crypto import KeyMaterial, MasterKeyring, key_fingerprint
from simkyc.adapters.db.engine import make_engine
from simkyc.adapters.keyfile import KeyFile, key_file_path, read_key_file
from simkyc.config import Settings
from simkyc.domain.errors import ConfigurationError, InputError

DB_FILE = "simkyc.db"
JSONL_FILE = "database.jsonl"
KEY_FILE = "master.key"
SIGNING_DIR = "signing"


def _sqlite_copy(source: Path, target: Path) -> None:
    """Copy the SQLite database ``source`` into ``target`` with SQLite's online backup
    (a consistent copy even while another connection writes)."""
    src = sqlite3.connect(source)
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


def _sqlite_path(url: str) -> Path:
    database = make_url(url).database
    if not database or database == ":memory:":
        raise ConfigurationError("an in-memory SQLite database cannot be backed up")
    return Path(database)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _fsync_tree(root: Path) -> None:
    for p in [*root.rglob("*"), root]:
        fd = os.open(p, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def _encode(value: Any) -> Any:
    if isinstance(value, (bytes, memoryview)):
        return base64.b64encode(bytes(value)).decode()
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return value


def _decoder(column_type: Any) -> Any:
    if isinstance(column_type, LargeBinary):
        return lambda v: None if v is None else base64.b64decode(v)
    if isinstance(column_type, sqltypes.DateTime):
        return lambda v: None if v is None else datetime.fromisoformat(v)
    if isinstance(column_type, sqltypes.Date):
        return lambda v: None if v is None else date.fromisoformat(v)
    return lambda v: v


def _counts(engine: Engine) -> dict[str, int]:
    meta = MetaData()
    with engine.connect() as conn:
        meta.reflect(conn)
        return {t.name: int(conn.scalar(select(func.count()).select_from(t)) or 0)
                for t in meta.sorted_tables if t.name != "alembic_version"}


class DeploymentParts:
    """The database, evidence folder and keys of the deployment ``settings`` describe."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.url = settings.resolved_database_url
        self.dialect = settings.database_dialect
        if settings.evidence_backend != "local":
            raise ConfigurationError(
                "evidence on S3 is not copied by `simkyc backup`: back the bucket up with its "
                "own versioning or replication, or use the local evidence folder")
        if self.dialect not in ("sqlite", "postgresql"):
            raise ConfigurationError(f"cannot back up a {self.dialect} database")

    # ----- database -----

    def dump_database(self, folder: Path) -> dict[str, Any]:
        """A consistent copy of the database in ``folder``; what it holds."""
        if self.dialect == "sqlite":
            source = _sqlite_path(self.url)
            if not source.exists():
                raise ConfigurationError(f"there is no database at {source}")
            target = folder / DB_FILE
            _sqlite_copy(source, target)
            engine = make_engine(f"sqlite:///{target}")
            try:
                with engine.connect() as conn:
                    revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
                copied = _counts(engine)
            finally:
                engine.dispose()
            return {"dialect": "sqlite", "format": "sqlite-backup", "file": DB_FILE,
                    "revision": revision, "tables": copied, "sha256": _sha256(target)}
        engine = make_engine(self.url)
        tables: dict[str, int] = {}
        target = folder / JSONL_FILE
        try:
            with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn, \
                    open(target, "w", encoding="utf-8") as out:
                conn.execute(text("SET TRANSACTION READ ONLY"))
                meta = MetaData()
                meta.reflect(conn)
                revision = conn.scalar(text("SELECT version_num FROM alembic_version"))
                for table in meta.sorted_tables:
                    if table.name == "alembic_version":
                        continue
                    n = 0
                    order = list(table.primary_key.columns) or list(table.columns)
                    for row in conn.execute(select(table).order_by(*order)):
                        out.write(json.dumps({"t": table.name, "r": {
                            k: _encode(v) for k, v in row._mapping.items()}}) + "\n")
                        n += 1
                    tables[table.name] = n
                out.flush()
                os.fsync(out.fileno())
        finally:
            engine.dispose()
        return {"dialect": "postgresql", "format": "jsonl", "file": JSONL_FILE,
                "revision": revision, "tables": tables, "sha256": _sha256(target)}

    def source_problem(self) -> str | None:
        """Why there is nothing to back up, or None."""
        if self.dialect == "sqlite" and not _sqlite_path(self.url).exists():
            return f"there is no database at {_sqlite_path(self.url)}"
        return None

    def backed_up_data_keys(self, folder: Path, info: dict[str, Any]
                            ) -> Iterator[tuple[str, bytes | None]]:
        """The (key id, wrapped key) rows of a dumped database."""
        if info["format"] == "sqlite-backup":
            con = sqlite3.connect(folder / info["file"])
            try:
                yield from con.execute("SELECT key_id, wrapped_key FROM data_keys")
            finally:
                con.close()
            return
        with open(folder / info["file"], encoding="utf-8") as fh:
            for line in fh:
                doc = json.loads(line)
                if doc["t"] == "data_keys":
                    w = doc["r"]["wrapped_key"]
                    yield doc["r"]["key_id"], None if w is None else base64.b64decode(w)

    def database_problem(self, revision: str | None = None) -> str | None:
        """Why the database cannot take a restore of a backup at ``revision`` (it holds
        data; PostgreSQL: it is migrated to another revision), or None."""
        if self.dialect == "sqlite" and not _sqlite_path(self.url).exists():
            return None
        if self.dialect == "postgresql" and revision is not None:
            from simkyc.adapters.db.migrate import current

            try:
                at = current(self.url)
            except Exception as exc:  # noqa: BLE001 - any driver error, in one line
                return f"cannot reach the postgresql database: {str(exc).splitlines()[0]}"
            if at is not None and at != revision:
                return (f"the database is migrated to revision {at} and the backup is at "
                        f"{revision}: restore into a database (schema) with no tables")
        engine = make_engine(self.url)
        try:
            counts = _counts(engine)
        except Exception as exc:  # noqa: BLE001 - any driver error, in one line
            return f"cannot reach the {self.dialect} database: {str(exc).splitlines()[0]}"
        finally:
            engine.dispose()
        full = sorted(t for t, n in counts.items() if n)
        return f"the database is not empty ({', '.join(full[:5])} hold rows)" if full else None

    def restore_database(self, folder: Path, info: dict[str, Any]) -> None:
        from simkyc.adapters.db.migrate import upgrade

        if info["dialect"] != self.dialect:
            raise InputError(f"the backup holds a {info['dialect']} database; this deployment "
                             f"uses {self.dialect} (restore into the same kind)")
        source = folder / info["file"]
        if _sha256(source) != info["sha256"]:
            raise InputError(f"{source} does not match the SHA-256 in the manifest")
        if self.dialect == "sqlite":
            target = _sqlite_path(self.url)
            target.parent.mkdir(parents=True, exist_ok=True)
            _sqlite_copy(source, target)
            upgrade(self.url)
            return
        upgrade(self.url, info["revision"])
        engine = make_engine(self.url)
        try:
            with engine.begin() as conn:
                meta = MetaData()
                meta.reflect(conn)
                decoders = {t.name: {c.name: _decoder(c.type) for c in t.columns}
                            for t in meta.sorted_tables}
                batch: list[dict[str, Any]] = []
                current: str | None = None

                def flush() -> None:
                    if batch and current is not None:
                        conn.execute(meta.tables[current].insert(), batch)
                    batch.clear()

                with open(source, encoding="utf-8") as fh:
                    for line in fh:
                        doc = json.loads(line)
                        if doc["t"] != current or len(batch) >= 500:
                            flush()
                            current = doc["t"]
                        dec = decoders[doc["t"]]
                        batch.append({k: dec[k](v) for k, v in doc["r"].items()})
                flush()
                for table in meta.sorted_tables:  # serial columns continue after the rows
                    for col in table.primary_key.columns:
                        if isinstance(col.type, sqltypes.Integer):
                            conn.execute(text(
                                f"SELECT setval(pg_get_serial_sequence(:t, :c), "
                                f"COALESCE(MAX({col.name}), 1), MAX({col.name}) IS NOT NULL) "
                                f"FROM {table.name}"), {"t": table.name, "c": col.name})
        finally:
            engine.dispose()
        upgrade(self.url)

    def restored_counts(self) -> dict[str, int]:
        engine = make_engine(self.url)
        try:
            return _counts(engine)
        finally:
            engine.dispose()

    # ----- evidence -----

    def copy_evidence_out(self, folder: Path) -> dict[str, str]:
        """Copy every evidence file; relative path -> SHA-256 of the (encrypted) file."""
        root = self.settings.evidence_dir
        out = folder / "evidence"
        out.mkdir()
        files: dict[str, str] = {}
        for path in sorted(root.rglob("*.sk")) if root.exists() else []:
            rel = path.relative_to(root)
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                shutil.copy2(path, target)
            except FileNotFoundError:  # deleted (crypto-shred, purge) since the snapshot
                continue
            files[str(rel)] = _sha256(target)
        return files

    def evidence_problem(self) -> str | None:
        root = self.settings.evidence_dir
        if root.exists() and any(root.rglob("*.sk")):
            return f"the evidence folder {root} is not empty"
        return None

    def restore_evidence(self, folder: Path, files: dict[str, str]) -> None:
        root = self.settings.evidence_dir
        for rel, digest in files.items():
            source = folder / "evidence" / rel
            if _sha256(source) != digest:
                raise InputError(f"{source} does not match the SHA-256 in the manifest")
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
        if root.exists():
            _fsync_tree(root)

    # ----- keys -----

    def copy_keys_out(self, keys_dir: Path) -> dict[str, Any]:
        """Copy the key file (unless the key comes from the environment) and the signing
        keys; what was copied (fingerprints only)."""
        keys_dir.mkdir(parents=True, exist_ok=True)
        os.chmod(keys_dir, 0o700)
        path = key_file_path(self.settings)
        from_env = bool(self.settings.master_key) and (
            self.settings.key_file is None or not path.exists())
        info: dict[str, Any] = {"source": "environment" if from_env else "file"}
        if not from_env:
            if not path.exists():
                raise ConfigurationError(f"no master key: {path} does not exist")
            shutil.copy2(path, keys_dir / KEY_FILE)
            os.chmod(keys_dir / KEY_FILE, 0o600)
        material = self.backup_key_material(keys_dir, info)
        info["fingerprints"] = [key_fingerprint(k).hex()
                                for k in (material.current, *material.previous)]
        signing = self.settings.resolved_signing_keys_dir
        info["signing"] = signing.exists()
        if signing.exists():
            shutil.copytree(signing, keys_dir / SIGNING_DIR)
        _fsync_tree(keys_dir)
        return info

    def backup_key_material(self, keys_dir: Path, info: dict[str, Any]) -> KeyMaterial:
        """The keyring a backup was taken with (the environment's when it was not a file)."""
        if info["source"] == "file":
            path = keys_dir / KEY_FILE
            if not path.exists():
                raise InputError(f"the backup's key file {path} is missing (--keys-dir?)")
            return KeyFile(path).load()
        env = self.settings
        if not env.master_key:
            raise InputError("the backup's master key came from SIMKYC_MASTER_KEY: set it")
        return KeyFile(Path("/nonexistent"), env_current=env.master_key_bytes,
                       env_previous=env.previous_master_keys_bytes).load()

    def backup_keyring(self, keys_dir: Path, info: dict[str, Any]) -> MasterKeyring:
        m = self.backup_key_material(keys_dir, info)
        return MasterKeyring(m.current, m.previous, subject_hash_key=m.subject_hash_key)

    def keys_problem(self) -> str | None:
        path = key_file_path(self.settings)
        if path.exists():
            return f"the key file {path} exists (restore into a fresh data folder)"
        return None

    def restore_keys(self, keys_dir: Path, info: dict[str, Any]) -> None:
        if info["source"] == "file":
            read_key_file(keys_dir / KEY_FILE)  # a readable key, or refused before copying
            path = key_file_path(self.settings)
            path.parent.mkdir(parents=True, exist_ok=True)
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write((keys_dir / KEY_FILE).read_bytes())
                fh.flush()
                os.fsync(fh.fileno())
        if info.get("signing"):
            target = self.settings.resolved_signing_keys_dir
            if not target.exists():
                shutil.copytree(keys_dir / SIGNING_DIR, target)


__all__ = ["DeploymentParts"]
