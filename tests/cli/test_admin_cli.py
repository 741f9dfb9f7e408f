"""CLI: version, migrations, accounts, serve, and the output contract for usage errors."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from simkyc import __version__
from simkyc.adapters.db.migrate import head as migrate_head

SIMKYC = [sys.executable, "-m", "simkyc.cli.main"]


def run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(SIMKYC + args, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **env})


def test_version() -> None:
    p = run(["--version"], {})
    assert p.returncode == 0 and p.stdout.strip() == f"simkyc {__version__}"


def test_usage_error_is_exit_2_with_json_error() -> None:
    p = run(["agent", "create", "--name", "x", "--role", "janitor"], {})
    assert p.returncode == 2
    assert "janitor" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    p = run(["agent", "create", "--name", "x", "--role", "agent", "--bogus", "--json"], {})
    assert p.returncode == 2 and "--bogus" in p.stderr
    assert "--bogus" in json.loads(p.stdout)["error"]


def test_db_upgrade_and_agent_create(tmp_path: Path, db_url: str) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path), "SIMKYC_DATABASE_URL": db_url}
    p = run(["db", "upgrade"], env)
    assert p.returncode == 0 and f"revision {migrate_head()}" in p.stdout
    p = run(["db", "upgrade"], env)  # idempotent
    assert p.returncode == 0
    p = run(["agent", "create", "--name", "Li Wei", "--role", "agent", "--outlet", "Shop 7"], env)
    assert p.returncode == 0, p.stderr
    token = p.stdout.strip()
    assert token.startswith("sk_") and "\n" not in token
    p = run(["agent", "create", "--name", "No Shop", "--role", "agent"], env)
    assert p.returncode == 2 and "needs an outlet" in p.stderr


def test_master_key_generated_once_in_development(tmp_path: Path) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path)}
    assert run(["db", "upgrade"], env).returncode == 0
    assert run(["agent", "create", "--name", "a", "--role", "admin"], env).returncode == 0
    key = tmp_path / "master.key"
    assert key.exists() and oct(key.stat().st_mode & 0o777) == "0o600"
    first = key.read_text()
    assert run(["agent", "create", "--name", "b", "--role", "admin"], env).returncode == 0
    assert key.read_text() == first


@pytest.mark.parametrize("key", [None, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="])
def test_production_refuses_missing_or_example_key(tmp_path: Path, key: str | None) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path), "SIMKYC_ENVIRONMENT": "production"}
    if key:
        env["SIMKYC_MASTER_KEY"] = key
    else:
        os.environ.pop("SIMKYC_MASTER_KEY", None)
    assert run(["db", "upgrade"], env).returncode == 0
    p = run(["serve", "--port", "1"], env)
    assert p.returncode == 2 and "SIMKYC_MASTER_KEY" in p.stderr
    assert not (tmp_path / "master.key").exists()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_healthz(tmp_path: Path, db_url: str) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path), "SIMKYC_DATABASE_URL": db_url}
    assert run(["db", "upgrade"], env).returncode == 0
    port = _free_port()
    proc = subprocess.Popen(SIMKYC + ["serve", "--port", str(port)], env={**os.environ, **env},
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    try:
        body = None
        for _ in range(100):
            try:
                r = httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1)
                body = r.json()
                break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert body == {"status": "ok", "database": db_url.split(":")[0].split("+")[0],
                        "version": __version__}
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_json_output_is_one_object() -> None:
    from simkyc.cli.output import dumps

    assert json.loads(dumps({"a": Path("x"), "b": (1, 2)})) == {"a": "x", "b": [1, 2]}


def _healthz(port: int, proc: subprocess.Popen[bytes]) -> dict[str, str] | None:
    for _ in range(150):
        if proc.poll() is not None:
            return None
        try:
            return dict(httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=1).json())
        except httpx.HTTPError:
            time.sleep(0.2)
    return None


def test_serve_on_a_fresh_data_dir_migrates_sqlite_itself(tmp_path: Path) -> None:
    """No ``db upgrade`` first: the embedded default brings its schema up to date."""
    env = {"SIMKYC_DATA_DIR": str(tmp_path / "fresh")}
    port = _free_port()
    proc = subprocess.Popen(SIMKYC + ["serve", "--port", str(port)],
                            env={**os.environ, **env}, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)
    try:
        body = _healthz(port, proc)
        assert body is not None and body["status"] == "ok", proc.stderr and proc.stderr.read()
    finally:
        proc.terminate()
        proc.communicate(timeout=20)


def test_agent_create_on_a_fresh_data_dir(tmp_path: Path) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path / "fresh")}
    p = run(["agent", "create", "--name", "Li Wei", "--role", "agent", "--outlet", "Shop 7"],
            env)
    assert p.returncode == 0, p.stderr
    assert p.stdout.strip().startswith("sk_")


def test_unmigrated_postgresql_is_refused_in_one_line(pg_url: str, tmp_path: Path) -> None:
    """Any database but the embedded SQLite must be migrated first: one line, exit 2."""
    from sqlalchemy import text

    from simkyc.adapters.db.engine import make_engine

    schema = "t_fresh_" + os.urandom(4).hex()
    base = pg_url.split("?")[0]
    admin = make_engine(base)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    try:
        url = f"{base}?options=-csearch_path%3D{schema}"
        env = {"SIMKYC_DATA_DIR": str(tmp_path), "SIMKYC_DATABASE_URL": url}
        for args in (["serve", "--port", "1"], ["agent", "create", "--name", "a", "--role",
                                                 "admin"]):
            p = run(args, env)
            assert p.returncode == 2, p.stderr
            assert "simkyc db upgrade" in p.stderr and len(p.stderr.strip().splitlines()) == 1
    finally:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()


def test_unreachable_database_is_one_line(tmp_path: Path) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path),
           "SIMKYC_DATABASE_URL": "postgresql+psycopg://nobody@127.0.0.1:1/none"}
    p = run(["agent", "create", "--name", "a", "--role", "admin"], env)
    assert p.returncode == 2 and len(p.stderr.strip().splitlines()) == 1, p.stderr
    assert "Traceback" not in p.stderr


def test_tokens_listed_issued_and_revoked(tmp_path: Path) -> None:
    env = {"SIMKYC_DATA_DIR": str(tmp_path)}
    assert run(["agent", "create", "--name", "a", "--role", "admin"], env).returncode == 0
    agent_id = run(["agent", "list"], env).stdout.split()[0]
    p = run(["token", "issue", "--agent", agent_id, "--label", "integration", "--days", "30"],
            env)
    assert p.returncode == 0 and p.stdout.strip().startswith("sk_")
    listed = run(["token", "list"], env).stdout.splitlines()
    assert len(listed) == 2 and any("integration" in line for line in listed)
    token_id = next(line.split()[0] for line in listed if "integration" in line)
    assert run(["token", "revoke", token_id], env).returncode == 0
    assert "revoked" in next(line for line in run(["token", "list"], env).stdout.splitlines()
                             if line.startswith(token_id))
    p = run(["token", "revoke", "0" * 32], env)
    assert p.returncode == 2 and "not found" in p.stderr
