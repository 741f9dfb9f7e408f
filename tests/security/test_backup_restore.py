"""Backup and restore of the database, the evidence and the keys, and the restore drill
(issue 11, "Key management"), on SQLite and PostgreSQL.

The drill: registrations with evidence (one registered, with its signed record; one
crypto-shredded; the master key rotated once), backed up, restored into a fresh data
folder and a fresh database; then every evidence item decrypts and matches its hash,
the audit chain verifies, the row counts match, the keyed hash of identities is the same.
"""

from __future__ import annotations

import base64
import hashlib
import itertools
import json
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from abuse import advance_to, start
from deploy_support import Deployment, in_background
from deploy_support import run_cli as run
from sqlalchemy import text

from simkyc.adapters.backup import DeploymentParts
from simkyc.adapters.db.engine import make_engine
from simkyc.adapters.keyfile import FileKeyStore
from simkyc.config import Settings
from simkyc.domain.errors import InputError
from simkyc.domain.registration import RegistrationStatus as S
from simkyc.runtime import build_runtime
from simkyc.services import audit
from simkyc.services.backup import create_backup, restore_backup, verify_restore
from simkyc.services.evidence import destroy_evidence_key, read_evidence
from simkyc.services.keys import rotate_keys
from simkyc.services.registrations import view_registration
from simkyc.services.steps import ServiceToRegister, run_register

PG_BASE = os.environ.get("SIMKYC_TEST_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SUBJECT = "CHN/110101196108040011"


@pytest.fixture
def fresh_db(db_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind (the restore target)."""
    if db_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored' / 'simkyc.db'}"
        return
    schema = "r_" + secrets.token_hex(6)
    admin = make_engine(PG_BASE)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    yield f"{PG_BASE}?options=-csearch_path%3D{schema}"
    with admin.begin() as c:
        c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
    admin.dispose()


@pytest.fixture
def source(deployment: Deployment, advance: Any) -> Any:
    """A deployment with evidence, a registered service, a shredded registration and a
    rotated master key."""
    settings, ctx, people = deployment.settings, deployment.ctx, deployment.people
    agent = people["agent"]
    rids = []
    for i in range(3):
        rid = start(ctx, agent, service_id=f"+86139000{i:05d}")
        advance_to(ctx, agent, rid, "attach", subject=SUBJECT, advance=advance)
        rids.append(rid)
    assert run_register(ctx, actor=agent, registration_id=rids[0],
                        submission=ServiceToRegister()).passed
    assert rotate_keys(ctx, FileKeyStore(settings)).complete
    rid = start(ctx, agent, service_id="+8613900000099")  # under the rotated key
    advance_to(ctx, agent, rid, "attach", subject=SUBJECT, advance=advance)
    rids.append(rid)
    shredded = start(ctx, agent)
    advance_to(ctx, agent, shredded, "document", subject="CHN/shredded", advance=advance)
    destroy_evidence_key(ctx, actor=people["admin"], registration_id=shredded, reason="test")
    evidence = {}
    for r in rids:
        for e in view_registration(ctx, actor=agent, registration_id=r).evidence:
            ref, data = read_evidence(ctx, actor=people["compliance"], evidence_id=e.id)
            evidence[e.id] = data
    return type("Source", (), {"settings": settings, "ctx": ctx, "people": people,
                               "open": staticmethod(deployment.open), "rids": rids,
                               "shredded": shredded, "evidence": evidence})


def _target(tmp_path: Path, url: str) -> Settings:
    return Settings(data_dir=tmp_path / "restored-data", database_url=url)


def test_restore_drill(source: Any, fresh_db: str, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    report = create_backup(source.ctx, DeploymentParts(source.settings), folder)
    d = report.as_dict()
    assert d["registrations"] == 5 and d["evidence_files"] == len(source.evidence) == 8
    assert d["data_keys_checked"] == 4 and d["keys"] == "file"
    assert oct(folder.stat().st_mode & 0o777) == "0o700"
    assert oct((folder / "keys").stat().st_mode & 0o777) == "0o700"

    target = _target(tmp_path, fresh_db)
    parts = DeploymentParts(target)
    manifest = restore_backup(parts, folder)
    rt = build_runtime(target)
    try:
        ctx = rt.context
        drill = verify_restore(ctx, parts, manifest)
        assert drill.ok, drill.as_dict()
        assert drill.evidence_read == 8 and drill.data_keys_unwrapped == 4
        assert drill.audit_intact and drill.audit_entries > 20
        people = source.people
        for ev_id, data in source.evidence.items():  # the same bytes, through the service
            ref, restored = read_evidence(ctx, actor=people["compliance"], evidence_id=ev_id)
            assert restored == data and hashlib.sha256(restored).hexdigest() == ref.sha256
        views = [view_registration(ctx, actor=people["agent"], registration_id=r)
                 for r in source.rids]
        originals = [view_registration(source.ctx, actor=people["agent"], registration_id=r)
                     for r in source.rids]
        assert views[0].status is S.REGISTERED
        assert [(v.status, v.evidence) for v in views] == \
            [(v.status, v.evidence) for v in originals]
        assert ctx.keys.subject_hash(SUBJECT) == source.ctx.keys.subject_hash(SUBJECT)
        assert audit.verify_audit(ctx, actor=people["auditor"]).intact
        with ctx.uow() as tx:
            assert tx.keys.get(registration_id=source.shredded)[1] is None  # still shredded
            assert "backup.restore" in [e.action for e in tx.audit.entries(limit=100)]
        again = start(ctx, people["agent"])  # the restored deployment works on
        assert view_registration(ctx, actor=people["agent"], registration_id=again).status \
            is S.STARTED
    finally:
        rt.close()


def test_restore_refuses_a_deployment_that_is_not_empty(source: Any, tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    create_backup(source.ctx, DeploymentParts(source.settings), folder)
    with pytest.raises(InputError, match="not an empty folder"):
        create_backup(source.ctx, DeploymentParts(source.settings), folder)
    before = sorted(p.name for p in source.settings.evidence_dir.rglob("*"))
    with pytest.raises(InputError, match="empty deployment.*key file.*database is not empty"):
        restore_backup(DeploymentParts(source.settings), folder)
    assert sorted(p.name for p in source.settings.evidence_dir.rglob("*")) == before


def test_a_damaged_backup_or_missing_keys_is_refused(source: Any, fresh_db: str,
                                                     tmp_path: Path) -> None:
    folder, keys = tmp_path / "backup", tmp_path / "offline-keys"
    create_backup(source.ctx, DeploymentParts(source.settings), folder, keys)
    assert not (folder / "keys").exists() and (keys / "master.key").exists()
    target = _target(tmp_path, fresh_db)
    with pytest.raises(InputError, match="key file .* is missing"):
        restore_backup(DeploymentParts(target), folder)  # the keys were kept apart
    assert not target.data_dir.exists()

    item = next((folder / "evidence").rglob("*.sk"))
    blob = bytearray(item.read_bytes())
    blob[-1] ^= 1
    item.write_bytes(bytes(blob))
    with pytest.raises(InputError, match="does not match the SHA-256"):
        restore_backup(DeploymentParts(target), folder, keys)


def test_the_drill_finds_a_missing_evidence_file(source: Any, fresh_db: str,
                                                 tmp_path: Path) -> None:
    folder = tmp_path / "backup"
    create_backup(source.ctx, DeploymentParts(source.settings), folder)
    target = _target(tmp_path, fresh_db)
    parts = DeploymentParts(target)
    manifest = restore_backup(parts, folder)
    next(target.evidence_dir.rglob("*.sk")).unlink()
    rt = build_runtime(target)
    try:
        drill = verify_restore(rt.context, parts, manifest)
    finally:
        rt.close()
    assert not drill.ok and len(drill.evidence_failed) == 1 and drill.evidence_read == 7


# ----- the command line (SQLite) -----

def test_cli_backup_and_restore(tmp_path: Path) -> None:
    src = {"SIMKYC_DATA_DIR": str(tmp_path / "a")}
    p = run(["backup", "create", str(tmp_path / "bk"), "--json"], src)  # nothing to back up
    assert p.returncode == 2 and json.loads(p.stdout)["error"].startswith("no master key")
    assert not (tmp_path / "a").exists()
    assert run(["agent", "create", "--name", "a", "--role", "admin"], src).returncode == 0
    p = run(["backup", "create", str(tmp_path / "bk"), "--json"], src)
    assert p.returncode == 0, p.stderr
    out = json.loads(p.stdout)
    assert out["database"] == "sqlite" and out["keys"] == "file" and out["rows"] > 0
    p = run(["backup", "restore", str(tmp_path / "bk"), "--json"], src)  # not empty
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1
    assert "empty deployment" in json.loads(p.stdout)["error"]

    dst = {"SIMKYC_DATA_DIR": str(tmp_path / "b")}
    p = run(["backup", "restore", str(tmp_path / "bk"), "--json"], dst)
    assert p.returncode == 0, p.stderr
    drill = json.loads(p.stdout)
    assert drill["ok"] and drill["counts_match"] and drill["audit_intact"]
    assert (tmp_path / "b" / "master.key").read_bytes() == \
        (tmp_path / "a" / "master.key").read_bytes()
    p = run(["backup", "restore", str(tmp_path / "nothing")], {"SIMKYC_DATA_DIR": str(
        tmp_path / "c")})
    assert p.returncode == 2 and "manifest.json is missing" in p.stderr


def test_cli_backup_of_an_environment_key_says_it_is_not_copied(tmp_path: Path) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path / "a"),
           "SIMKYC_MASTER_KEY": base64.urlsafe_b64encode(os.urandom(32)).decode()}
    assert run(["agent", "create", "--name", "a", "--role", "admin"], env).returncode == 0
    p = run(["backup", "create", str(tmp_path / "bk"), "--json"], env)
    assert p.returncode == 0 and json.loads(p.stdout)["keys"] == "environment"
    assert not (tmp_path / "bk" / "keys" / "master.key").exists()
    p = run(["backup", "restore", str(tmp_path / "bk"), "--json"],
            {"SIMKYC_DATA_DIR": str(tmp_path / "b")})  # without the key: refused
    assert p.returncode == 2 and "SIMKYC_MASTER_KEY" in json.loads(p.stdout)["error"]
    p = run(["backup", "restore", str(tmp_path / "bk"), "--json"],
            {**env, "SIMKYC_DATA_DIR": str(tmp_path / "b")})
    assert p.returncode == 0 and json.loads(p.stdout)["ok"], p.stderr


def test_a_backup_taken_while_the_service_writes_restores_whole(
        source: Any, fresh_db: str, tmp_path: Path, advance: Any) -> None:
    """Online: registrations with evidence are made during the backup; the snapshot is
    consistent and every evidence row in it has its file (files are copied after it)."""
    service = source.open().context  # the running service: its own engine and keyring

    made = itertools.count()

    def work() -> str:
        rid = start(service, source.people["agent"])
        advance_to(service, source.people["agent"], rid, "attach",
                   subject=f"CHN/online{next(made)}", advance=advance)
        return rid

    with in_background(work, times=30, join=120) as worker:
        worker.wait_for(2)
        create_backup(source.ctx, DeploymentParts(source.settings), tmp_path / "backup")
    assert not worker.problems, worker.problems
    target = _target(tmp_path, fresh_db)
    parts = DeploymentParts(target)
    manifest = restore_backup(parts, tmp_path / "backup")
    rt = build_runtime(target)
    try:
        drill = verify_restore(rt.context, parts, manifest)
    finally:
        rt.close()
    assert drill.ok, drill.as_dict()
    assert manifest["database"]["tables"]["registrations"] >= 5 + 2
    assert drill.evidence_read == manifest["database"]["tables"]["evidence"] - 1  # 1 shredded
