"""Tokens and sessions (issue 11, medium): revocable, listable, expiring; failures throttled
and audited; a registration session times out.

Seen before: tokens could not be revoked, listed or expired from any interface;
failed authentications were neither throttled nor audited; sessions never
expired (``session_ttl_seconds`` was never read): a three-day-old session
still took evidence.
"""

from __future__ import annotations

import io
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from PIL import Image

BASE = "/api/v1/registrations"


def _jpeg() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 90, 60)).save(buf, "JPEG")
    return buf.getvalue()


def _later(api: Any, **delta: float) -> None:
    base = api.ctx.clock
    api.app.state.context = replace(api.ctx, clock=lambda: base() + timedelta(**delta))


def test_tokens_are_listed_revoked_and_expire_over_http(api: Any) -> None:
    agent_id = api.actor("agent").id
    r = api.post(f"/api/v1/agents/{agent_id}/tokens", json={"label": "tablet", "days": 1},
                 headers=api.hdr("admin"))
    assert r.status_code == 201, r.text
    new = r.json()
    token = new["token"]
    hdr = {"Authorization": f"Bearer {token}"}
    assert api.post(BASE, json={"consent": True}, headers=hdr).status_code == 201
    listed = api.get("/api/v1/tokens", headers=api.hdr("admin")).json()
    mine = [t for t in listed if t["label"] == "tablet"]
    assert len(mine) == 1 and mine[0]["expires_at"] and mine[0]["last_used_at"]
    assert all("token" not in t and "token_sha256" not in t for t in listed)
    # Expired a day later (the other token of the account still works).
    _later(api, days=1, seconds=5)
    assert api.get("/api/v1/tokens", headers=hdr).status_code == 401
    assert api.post(BASE, json={"consent": True}, headers=api.hdr("agent")).status_code == 201
    # Revoked: refused at once.
    api.app.state.context = replace(api.ctx, clock=api.ctx.clock)
    agent_tokens = [t for t in api.get("/api/v1/tokens", headers=api.hdr("admin")).json()
                    if t["agent_id"] == agent_id and t["label"] == "initial"]
    r = api.post(f"/api/v1/tokens/{agent_tokens[0]['id']}/revoke", headers=api.hdr("admin"))
    assert r.status_code == 200 and r.json()["revoked_at"]
    assert api.post(BASE, json={"consent": True}, headers=api.hdr("agent")).status_code == 401
    # Only an admin manages tokens.
    assert api.get("/api/v1/tokens", headers=api.hdr("supervisor")).status_code == 403


def test_failed_sign_ins_are_audited_and_throttled(api: Any) -> None:
    from simkyc.services import audit

    throttle = api.app.state.auth_throttle
    codes = [api.get("/api/v1/tokens", headers={"Authorization": f"Bearer sk_guess{i}"})
             .status_code for i in range(throttle.max_failures)]
    assert codes == [401] * throttle.max_failures
    r = api.get("/api/v1/tokens", headers={"Authorization": "Bearer sk_guess_more"})
    assert r.status_code == 429 and r.json()["error"] == "too_many_requests"
    assert int(r.headers["retry-after"]) >= 1 and r.json()["retry_after_s"] > 0
    # While throttled, this client's guesses are not even checked.
    r = api.get("/api/v1/tokens", headers=api.hdr("admin"))
    assert r.status_code == 429
    entries = audit.audit_entries(api.ctx, actor=api.actor("auditor"))
    failed = [e for e in entries if e.action == "auth.failed"]
    assert len(failed) == throttle.max_failures
    assert not any("sk_guess" in e.detail for e in failed)  # the guess is never stored


def test_a_stale_session_takes_no_evidence(api: Any, new_registration: Any,
                                           advance: Any) -> None:
    rid = new_registration()
    advance(api.ctx, api.actor("agent"), rid, "document", subject=f"CHN/{rid}")
    _later(api, days=3)
    r = api.post(f"{BASE}/{rid}/evidence/upper_body", headers=api.hdr("agent"),
                 files={"file": ("u.jpg", _jpeg(), "image/jpeg")})
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition", r.text
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert view["status"] == "expired" and view["evidence"] == []


@pytest.mark.parametrize("path", ["liveness/challenge", "voice/challenge", "face-match"])
def test_a_stale_session_runs_no_step(api: Any, new_registration: Any, advance: Any,
                                      path: str) -> None:
    rid = new_registration()
    ttl = api.ctx.policy.registration.session_ttl_seconds
    _later(api, seconds=ttl + 1)
    r = api.post(f"{BASE}/{rid}/{path}", headers=api.hdr("agent"), json={})
    assert r.status_code == 409, r.text
    assert api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()["status"] == "expired"


def test_a_session_within_its_time_still_works(api: Any, new_registration: Any,
                                               advance: Any) -> None:
    rid = new_registration()
    advance(api.ctx, api.actor("agent"), rid, "document", subject=f"CHN/{rid}")
    _later(api, seconds=api.ctx.policy.registration.session_ttl_seconds - 60)
    r = api.post(f"{BASE}/{rid}/evidence/upper_body", headers=api.hdr("agent"),
                 files={"file": ("u.jpg", _jpeg(), "image/jpeg")})
    assert r.status_code == 201, r.text
