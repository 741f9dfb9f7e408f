"""Over HTTP: a registration's records are readable by its outlet and by reviewers, not by
another outlet's agent; the API process's own loop delivers to a directory sink."""

from __future__ import annotations

import time
from dataclasses import replace
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

from simkyc.adapters.record_check import check_record
from simkyc.api.app import create_app
from simkyc.domain.policy import DeliveryPolicy, DeliverySink
from simkyc.runtime import build_runtime
from simkyc.services.steps import ServiceToRegister, run_register


def test_records_visible_to_the_outlet_only(api: Any, walk: Any) -> None:
    agent = api.actor("agent")
    rid = walk(api.ctx, agent)
    run_register(api.ctx, actor=agent, registration_id=rid, submission=ServiceToRegister())
    url = f"/api/v1/registrations/{rid}/records"
    r = api.get(url, headers=api.hdr("agent"))
    assert r.status_code == 200 and {x["profile"] for x in r.json()} == {"regulator",
                                                                        "operator"}
    assert all(x["policy_current"] for x in r.json())
    assert api.get(url, headers=api.hdr("auditor")).status_code == 200
    assert api.get(url, headers=api.hdr("other_agent")).status_code == 404
    jwks = api.get("/.well-known/jwks.json").json()
    assert all(check_record(x["jws"], jwks).valid for x in r.json())


def test_the_app_loop_delivers(api_settings: Any, tmp_path: Path, walk: Any) -> None:
    from simkyc.domain.parties import Role
    from simkyc.services.accounts import create_account

    drop = tmp_path / "drop"
    rt = build_runtime(api_settings)
    sink = DeliverySink(name="drop", kind="directory", target=str(drop), profile="regulator")
    ctx = replace(rt.context, policy=replace(rt.context.policy, delivery=DeliveryPolicy(
        sinks=(sink,), poll_seconds=0.1)))
    rt = replace(rt, context=ctx)
    app = create_app(api_settings, runtime=rt)
    agent = create_account(ctx, name="a", role=Role.AGENT, outlet_name="Outlet A").agent
    with TestClient(app):
        rid = walk(ctx, agent)
        run_register(ctx, actor=agent, registration_id=rid, submission=ServiceToRegister())
        end = time.monotonic() + 20
        while time.monotonic() < end and not list(drop.glob("*.jws")):
            time.sleep(0.05)
    rt.close()
    (path,) = drop.glob("*.jws")
    check = check_record(path.read_text(), ctx.signer.jwks())  # type: ignore[union-attr]
    assert check.valid and check.payload["registration_id"] == rid  # type: ignore[index]
