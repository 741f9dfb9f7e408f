"""Sign-in for people: the session cookie, CSRF, idle time-out, sign-out, throttling,
and the supervisor's signature at the counter (override, lockout lift), the consent
receipt and the service check, through the HTTP API (SQLite and PostgreSQL)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest

from simkyc.services.sessions import set_password

BASE = "/api/v1/registrations"
PASSWORDS = {"agent": "agent-password-1", "supervisor": "supervisor-pass-2",
             "other_agent": "other-password-3"}


@pytest.fixture
def web(api: Any) -> Any:
    """The API client with user names and passwords for agent, supervisor and other_agent."""
    for name, password in PASSWORDS.items():
        set_password(api.ctx, agent_id=api.actor(name).id, username=name, password=password)
    return api


def sign_in(api: Any, name: str, password: str | None = None) -> str:
    r = api.post("/api/v1/session", json={"username": name,
                                          "password": password or PASSWORDS[name]})
    assert r.status_code == 200, r.text
    return str(r.json()["csrf_token"])


def test_sign_in_sets_a_strict_http_only_cookie_that_every_route_accepts(web: Any) -> None:
    r = web.post("/api/v1/session", json={"username": " Agent ", "password": PASSWORDS["agent"]})
    assert r.status_code == 200, r.text
    cookie = r.headers["set-cookie"]
    assert "simkyc_session=ss_" in cookie
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie.replace("Strict", "strict")
    assert "no-store" in r.headers["cache-control"]
    body = r.json()
    assert body["role"] == "agent" and body["name"] == "agent" and len(body["csrf_token"]) == 64
    assert "ss_" not in r.text  # the cookie value is not in the body
    me = web.get("/api/v1/session")
    assert me.status_code == 200 and me.json()["csrf_token"] == body["csrf_token"]
    # An existing route, authenticated by the cookie with the CSRF header.
    created = web.post(BASE, json={"consent": True, "language": "cmn"},
                       headers={"X-CSRF-Token": body["csrf_token"]})
    assert created.status_code == 201, created.text
    assert web.get(f"{BASE}/{created.json()['id']}").status_code == 200  # GET: no token


def test_cookie_changes_need_the_csrf_token(web: Any) -> None:
    csrf = sign_in(web, "agent")
    missing = web.post(BASE, json={"consent": True})
    assert missing.status_code == 403 and missing.json()["error"] == "csrf_failed"
    wrong = web.post(BASE, json={"consent": True}, headers={"X-CSRF-Token": "0" * 64})
    assert wrong.status_code == 403 and wrong.json()["error"] == "csrf_failed"
    # Another session's token does not fit this one.
    other = web.post("/api/v1/session", json={"username": "supervisor",
                                              "password": PASSWORDS["supervisor"]})
    assert other.json()["csrf_token"] != csrf
    # A bearer token needs no CSRF token (it is not sent by a browser on its own).
    web.cookies.clear()
    assert web.post(BASE, json={"consent": True}, headers=web.hdr("agent")).status_code == 201
    with web.ctx.uow() as tx:
        entries = tx.audit.entries(limit=500)
    assert sum(e.action == "csrf.failed" for e in entries) == 2


def test_wrong_passwords_unknown_names_and_throttling(web: Any) -> None:
    bad = web.post("/api/v1/session", json={"username": "agent", "password": "wrong-password"})
    assert bad.status_code == 401 and bad.json()["error"] == "unauthorized"
    assert "simkyc_session" not in bad.headers.get("set-cookie", "")
    unknown = web.post("/api/v1/session", json={"username": "nobody", "password": "x" * 12})
    assert unknown.status_code == 401
    assert unknown.json()["detail"] == bad.json()["detail"]  # the name's existence is not told
    for _ in range(4):
        assert web.post("/api/v1/session", json={"username": "agent",
                                                 "password": "wrong"}).status_code == 401
    # Five failures for the name: even the right password is refused for a while.
    locked = web.post("/api/v1/session", json={"username": "agent",
                                                "password": PASSWORDS["agent"]})
    assert locked.status_code == 429 and locked.json()["retry_after_s"] > 0
    assert "retry-after" in locked.headers
    # Another name is not affected.
    sign_in(web, "supervisor")
    # When the window has passed, the right password works again.
    ctx = web.app.state.context
    later = ctx.clock() + timedelta(minutes=16)
    web.app.state.context = replace(ctx, clock=lambda: later)
    sign_in(web, "agent")


def test_idle_time_out_and_sign_out(web: Any) -> None:
    csrf = sign_in(web, "agent")
    ctx = web.app.state.context
    t0 = ctx.clock()
    web.app.state.context = replace(ctx, clock=lambda: t0 + timedelta(minutes=14))
    assert web.get("/api/v1/session").status_code == 200  # used: the idle clock restarts
    web.app.state.context = replace(ctx, clock=lambda: t0 + timedelta(minutes=28))
    assert web.get("/api/v1/session").status_code == 200
    web.app.state.context = replace(ctx, clock=lambda: t0 + timedelta(minutes=44))
    idle = web.get("/api/v1/session")
    assert idle.status_code == 401 and "inactivity" in idle.json()["detail"]
    # Sign in again, then sign out: the cookie is cleared and its value no longer works.
    csrf = sign_in(web, "agent")
    cookie = web.cookies.get("simkyc_session")
    assert web.delete("/api/v1/session").status_code == 403  # sign-out needs the token too
    out = web.delete("/api/v1/session", headers={"X-CSRF-Token": csrf})
    assert out.status_code == 204
    assert 'simkyc_session=""' in out.headers["set-cookie"] or \
        "Max-Age=0" in out.headers["set-cookie"]
    web.cookies.set("simkyc_session", cookie)
    assert web.get("/api/v1/session").status_code == 401
    assert web.post(BASE, json={"consent": True},
                    headers={"X-CSRF-Token": csrf}).status_code == 401


def test_an_account_without_a_password_cannot_sign_in(web: Any) -> None:
    r = web.post("/api/v1/session", json={"username": "compliance", "password": "x" * 12})
    assert r.status_code == 401


def test_passwords_are_argon2id_and_short_ones_are_refused(web: Any) -> None:
    from simkyc.domain.errors import InputError

    with web.ctx.uow() as tx:
        record = tx.sessions.password_for(username="agent")
    assert record is not None and record.password_hash.startswith("$argon2id$")
    with pytest.raises(InputError):
        set_password(web.ctx, agent_id=web.actor("auditor").id, username="auditor",
                     password="short")


def _fail_voice(web: Any, rid: str, advance: Any) -> None:
    agent = web.actor("agent")
    for step in ("document", "live_face", "liveness"):
        advance(web.ctx, agent, rid, step, subject="110101196108040018")
    for _ in range(3):
        advance(web.ctx, agent, rid, "voice", passed=False, reasons=("wrong_digits",))


def test_supervisor_signs_the_override_at_the_agents_counter(web: Any, new_registration: Any,
                                                             advance: Any) -> None:
    rid = new_registration(language="cmn")
    _fail_voice(web, rid, advance)
    csrf = sign_in(web, "agent")
    h = {"X-CSRF-Token": csrf}
    url = f"{BASE}/{rid}/voice/override/signed"
    reason = "customer has a speech impairment, identity checked"
    # The agent's own credentials do not sign an override (an agent may not approve).
    r = web.post(url, json={"username": "agent", "password": PASSWORDS["agent"],
                            "reason": reason}, headers=h)
    assert r.status_code == 403, r.text
    wrong = web.post(url, json={"username": "supervisor", "password": "not-the-password",
                                "reason": reason}, headers=h)
    assert wrong.status_code == 403 and "supervisor" in wrong.json()["detail"]
    assert web.get("/api/v1/session").status_code == 200  # the agent is still signed in
    ok = web.post(url, json={"username": "supervisor", "password": PASSWORDS["supervisor"],
                             "reason": reason}, headers=h)
    assert ok.status_code == 200, ok.text
    assert ok.json()["status"] == "assisted_override"
    assert ok.json()["approved_by"] == web.actor("supervisor").id
    with web.ctx.uow() as tx:
        actions = [(e.action, e.actor_id) for e in tx.audit.entries(registration_id=rid)]
    assert ("voice_override.cosigned", web.actor("agent").id) in actions
    # Without the CSRF token the same request is refused before anything is checked.
    assert web.post(url, json={"username": "supervisor", "password": PASSWORDS["supervisor"],
                               "reason": reason}).status_code == 403


def test_lockout_is_shown_and_a_supervisor_lifts_it_from_the_counter(
        web: Any, new_registration: Any, advance: Any) -> None:
    doc = "110101196108040018"
    agent = web.actor("agent")
    for _ in range(5):
        rid = new_registration()
        advance(web.ctx, agent, rid, "document", passed=False, reasons=("face_mismatch",),
                subject=doc)
    from simkyc.domain.errors import LockedOutError
    from simkyc.services.lockouts import refuse_if_locked

    rid = new_registration(language="ug")
    with pytest.raises(LockedOutError):  # what the document step does with this document
        refuse_if_locked(web.ctx, actor=agent, registration_id=rid, subject=doc)
    csrf = sign_in(web, "agent")
    h = {"X-CSRF-Token": csrf}
    status = web.get(f"{BASE}/{rid}/lockout")
    assert status.status_code == 200 and status.json()["locked"] is True
    # The customer-language text of the lockout is in the catalogue the page reads.
    ug = web.get("/api/v1/i18n/ug").json()
    assert ug["direction"] == "rtl" and ug["messages"]["error.locked_out"]
    # A wrong or non-supervisor signature does not lift it; the supervisor's does.
    url = f"{BASE}/{rid}/lockout/lift/signed"
    reason = "checked the document in person with the customer"
    assert web.post(url, json={"username": "other_agent", "password": PASSWORDS["other_agent"],
                               "reason": reason}, headers=h).status_code in (403, 404)
    lifted = web.post(url, json={"username": "supervisor", "password": PASSWORDS["supervisor"],
                                 "reason": reason}, headers=h)
    assert lifted.status_code == 200, lifted.text
    assert lifted.json()["locked"] is False
    assert web.get(f"{BASE}/{rid}/lockout").json()["locked"] is False


def test_consent_receipt_json_and_pdf(web: Any, new_registration: Any) -> None:
    rid = new_registration(language="yue")
    sign_in(web, "agent")
    r = web.get(f"{BASE}/{rid}/consent-receipt")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["receipt_id"].startswith("SK-") and body["registration_id"] == rid
    assert body["language"] == "zh-Hant" and body["lines"] and body["retention"]
    assert body["outlet_name"] == "Outlet A"
    pdf = web.get(f"{BASE}/{rid}/consent-receipt.pdf", params={"lang": "ug"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert pdf.headers["content-type"] == "application/pdf"
    zh = web.get(f"{BASE}/{rid}/consent-receipt.pdf", params={"lang": "zh-Hans"})
    assert zh.status_code == 200 and b"NotoSansCJK" in zh.content
    # Another outlet's agent cannot read it.
    other = web.get(f"{BASE}/{rid}/consent-receipt", headers=web.hdr("other_agent"))
    assert other.status_code == 404


def test_service_check(web: Any) -> None:
    h = web.hdr("agent")
    ok = web.post("/api/v1/service-check", headers=h,
                  json={"kind": "mobile", "number": "138 0013 8000",
                        "iccid": "89860012345678901238"})
    assert ok.json() == {"valid": True, "number": "+8613800138000",
                         "iccid": "89860012345678901238", "reasons": [], "messages": []}
    bad = web.post("/api/v1/service-check", headers=h,
                   json={"kind": "mobile", "number": "12345", "iccid": "89860012345678901234",
                         "language": "zh-Hans"})
    assert bad.json()["reasons"] == ["phone_number_invalid", "iccid_checksum"]
    assert all(bad.json()["messages"])
