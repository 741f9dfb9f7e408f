"""``simkyc reader keygen|enroll|list|revoke|sign`` and migration 0010 (both databases)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import inspect

from simkyc.adapters.db.engine import make_engine

SIMKYC = [sys.executable, "-m", "simkyc.cli.main"]


def run(args: list[str], env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(SIMKYC + args, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env}, cwd=cwd)


def test_migration_0010_creates_the_reader_tables(db_url: str) -> None:
    from simkyc.adapters.db.migrate import current, head

    assert head() == "0010" and current(db_url) == "0010"
    engine = make_engine(db_url)
    try:
        names = set(inspect(engine).get_table_names())
        assert {"reader_devices", "reader_record_uses"} <= names
        cols = {c["name"] for c in inspect(engine).get_columns("reader_devices")}
        assert cols == {"device_id", "outlet_id", "public_key", "enrolled_at", "enrolled_by",
                        "revoked_at", "revoked_by"}
        pk = inspect(engine).get_pk_constraint("reader_record_uses")["constrained_columns"]
        assert pk == ["signature_sha256"]
    finally:
        engine.dispose()


def test_keygen_enroll_list_sign_revoke(tmp_path: Path, db_url: str) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path / "data"), "SIMKYC_DATABASE_URL": db_url}
    assert run(["db", "upgrade"], env, tmp_path).returncode == 0
    p = run(["agent", "create", "--name", "Li", "--role", "agent", "--outlet", "Shop 3"], env,
            tmp_path)
    assert p.returncode == 0, p.stderr
    p = run(["reader", "keygen", "--out", "r1.pem", "--json"], env, tmp_path)
    assert p.returncode == 0, p.stderr
    made = json.loads(p.stdout)
    key = tmp_path / "r1.pem"
    assert oct(key.stat().st_mode & 0o777) == "0o600"
    assert (tmp_path / "r1.pem.pub").read_text().startswith("-----BEGIN PUBLIC KEY-----")
    p = run(["reader", "keygen", "--out", "r1.pem"], env, tmp_path)  # never overwritten
    assert p.returncode == 2 and "exists" in p.stderr

    p = run(["reader", "enroll", "--outlet", "Shop 3", "--public-key", "r1.pem.pub"], env,
            tmp_path)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip() == made["device_id"]
    p = run(["reader", "enroll", "--outlet", "Shop 3", "--public-key", "r1.pem.pub",
             "--device-id", "again", "--json"], env, tmp_path)
    assert p.returncode == 2 and "already enrolled" in json.loads(p.stdout)["error"]
    p = run(["reader", "enroll", "--outlet", "Nowhere", "--public-key", "r1.pem.pub"], env,
            tmp_path)
    assert p.returncode == 2 and "Nowhere" in p.stderr
    assert len(p.stderr.strip().splitlines()) == 1
    (tmp_path / "junk.pub").write_text("hello")
    p = run(["reader", "enroll", "--outlet", "Shop 3", "--public-key", "junk.pub"], env,
            tmp_path)
    assert p.returncode == 2 and "public key" in p.stderr

    p = run(["reader", "list", "--json"], env, tmp_path)
    assert p.returncode == 0, p.stderr
    (listed,) = json.loads(p.stdout)["readers"]
    assert listed["device_id"] == made["device_id"] and listed["outlet"] == "Shop 3"
    assert listed["state"] == "active"

    (tmp_path / "rec.json").write_text(json.dumps({"name": "王伟", "reader": {"model": "x"}},
                                                  ensure_ascii=False), encoding="utf-8")
    p = run(["reader", "sign", "rec.json", "--key", "r1.pem"], env, tmp_path)
    assert p.returncode == 0, p.stderr
    signed = json.loads(p.stdout)
    from simkyc.document.reader_signature import load_public_key, verify_record

    pub = load_public_key((tmp_path / "r1.pem.pub").read_bytes())
    out = verify_record(signed, pub, now=datetime.now(UTC))
    assert out.device_id == made["device_id"] and signed["reader"]["model"] == "x"

    p = run(["reader", "revoke", made["device_id"]], env, tmp_path)
    assert p.returncode == 0 and made["device_id"] in p.stdout, p.stderr
    p = run(["reader", "list"], env, tmp_path)
    assert p.returncode == 0 and "revoked" in p.stdout
    p = run(["reader", "revoke", "no-such-reader", "--json"], env, tmp_path)
    assert p.returncode == 2 and "not found" in json.loads(p.stdout)["error"]


def test_policy_show_and_validate_warn_about_unsigned_records(tmp_path: Path) -> None:
    policy = tmp_path / "policy.toml"
    policy.write_text('[document]\nreader_records = "unsigned"\n')
    env = {"SIMKYC_DATA_DIR": str(tmp_path / "data")}
    p = run(["policy", "validate", str(policy), "--json"], env, tmp_path)
    assert p.returncode == 0, p.stderr
    assert any("unsigned" in w for w in json.loads(p.stdout)["warnings"])
    p = run(["policy", "show", "--file", str(policy)], env, tmp_path)
    assert p.returncode == 0 and 'reader_records = "unsigned"' in p.stdout
    assert "warning:" in p.stderr and "production" in p.stderr
    policy.write_text('[document]\nreader_records = "sometimes"\n')
    p = run(["policy", "validate", str(policy)], env, tmp_path)
    assert p.returncode == 1 and "document.reader_records must be one of" in p.stdout
