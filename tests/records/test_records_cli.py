"""The remaining commands on a real database: ``service end``, ``outbox list|retry``,
``subject export|erase`` and ``record rotate-key`` (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import io
import json
import secrets
import zipfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from typer.testing import CliRunner

from simkyc.adapters.jose import SigningKeys
from simkyc.adapters.sinks import DirectorySink
from simkyc.cli.main import app
from simkyc.domain.policy import DeliveryPolicy, DeliverySink
from simkyc.services.outbox import deliver_due
from simkyc.services.steps import ServiceToRegister, run_register


def test_commands(db_url: str, tmp_path: Path, make_context: Any, walk: Any) -> None:
    from simkyc.domain.parties import Role
    from simkyc.services.accounts import create_account

    key = secrets.token_bytes(32)
    signing = tmp_path / "signing"
    drop = tmp_path / "drop"
    sink = DeliverySink(name="drop", kind="directory", target=str(drop), profile="regulator")
    ctx = make_context(db_url, tmp_path / "cli" / "evidence", master_key=key,
                       signer=SigningKeys(signing))
    ctx = replace(ctx, policy=replace(ctx.policy, delivery=DeliveryPolicy(sinks=(sink,))))
    agent = create_account(ctx, name="a", role=Role.AGENT, outlet_name="Outlet A").agent
    officer = create_account(ctx, name="c", role=Role.COMPLIANCE, outlet_name=None).agent
    rid = walk(ctx, agent)
    run_register(ctx, actor=agent, registration_id=rid, submission=ServiceToRegister())
    env = {"SIMKYC_DATABASE_URL": db_url, "SIMKYC_DATA_DIR": str(tmp_path / "cli"),
           "SIMKYC_SIGNING_KEYS_DIR": str(signing),
           "SIMKYC_MASTER_KEY": base64.urlsafe_b64encode(key).decode()}

    def run(*args: str) -> Any:
        return CliRunner().invoke(app, list(args), env=env)

    r = run("outbox", "list", "--json")
    assert r.exit_code == 0, r.output
    (item,) = json.loads(r.output)["deliveries"]
    assert item["status"] == "pending" and item["sink"] == "drop"
    assert run("outbox", "retry", item["id"]).exit_code == 0
    assert deliver_due(ctx, {"drop": DirectorySink("drop", drop)}).delivered == 1
    r = run("outbox", "retry", item["id"])
    assert r.exit_code == 2 and "already delivered" in r.output

    out = tmp_path / "subject.zip"
    r = run("subject", "export", "--number", "11010519491231002x", "--officer", officer.id,
            "--out", str(out))
    assert r.exit_code == 0, r.output
    manifest = json.loads(zipfile.ZipFile(io.BytesIO(out.read_bytes())).read("manifest.json"))
    assert [x["registration_id"] for x in manifest["registrations"]] == [rid]
    r = run("subject", "export", "--number", "1", "--officer", agent.id, "--out", str(out))
    assert r.exit_code == 2 and "may not" in r.output

    r = run("subject", "erase", "--number", "11010519491231002X", "--officer", officer.id,
            "--reason", "req-1")
    assert r.exit_code == 0 and rid in json.loads(r.output)["held"]
    assert run("service", "end", rid, "--reason", "stolen").exit_code == 2
    assert run("service", "end", rid, "--reason", "ported_out").exit_code == 0
    assert run("service", "end", rid, "--reason", "ported_out").exit_code == 2  # already

    old = SigningKeys(signing).kid
    r = run("record", "rotate-key")
    assert r.exit_code == 0 and old in r.output
    assert len(SigningKeys(signing).jwks()["keys"]) == 2
