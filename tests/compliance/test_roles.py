"""Who may do what, over the API: compliance officers everything, auditors read only,
agents and supervisors their own outlet's statistics and nothing else."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from .seed import FULL, T0, World

Q = "from=2026-11-01&to=2026-11-09"
C = "/api/v1/compliance"


def _world(api: Any) -> tuple[World, str]:
    w = World(ctx=api.ctx, officer=api.actor("compliance"),
              agents={n: api.actor(n) for n in ("agent", "supervisor", "other_agent")})
    rid = w.registration("agent", T0 + timedelta(hours=3), subject="a", evidence=FULL)
    w.registration("other_agent", T0 + timedelta(hours=4), subject="b")
    return w, rid


def _writes(api: Any, who: str, rid: str, check_id: str) -> list[int]:
    h = api.hdr(who)
    return [
        api.post(f"{C}/spot-checks/sample", headers=h,
                 json={"from": "2026-11-01", "to": "2026-11-09"}).status_code,
        api.post(f"{C}/spot-checks/{check_id}/outcome", headers=h,
                 json={"outcome": "ok"}).status_code,
        api.post(f"{C}/ledger", headers=h, json={
            "kind": "warning", "target_kind": "agent", "target_id": api.actor("agent").id,
            "reason": "x", "registration_ids": [rid]}).status_code,
        api.put(f"{C}/outlets/{api.actor('agent').outlet_id}", headers=h,
                json={"spot_check_rate": 0.1}).status_code,
    ]


def test_roles(api: Any) -> None:
    w, rid = _world(api)
    outlet_a = api.actor("agent").outlet_id
    outlet_b = api.actor("other_agent").outlet_id
    h = api.hdr("compliance")
    # compliance officers: everything
    r = api.post(f"{C}/spot-checks/sample", headers=h, json={"from": "2026-11-01",
                                                             "to": "2026-11-09"})
    assert r.status_code == 201
    api.put(f"{C}/outlets/{outlet_a}", headers=h, json={"spot_check_rate": 1.0})
    r = api.post(f"{C}/spot-checks/sample", headers=h, json={"from": "2026-11-01",
                                                             "to": "2026-11-09"})
    queue = api.get(f"{C}/spot-checks", headers=h).json()
    check_id = next(c["id"] for c in queue if c["registration_id"] == rid)
    assert api.get(f"{C}/spot-checks/{check_id}/evidence/document_photo",
                   headers=h).status_code == 200
    report = api.get(f"{C}/report?{Q}", headers=h).json()
    assert {o["id"] for o in report["outlets"]} == {outlet_a, outlet_b}
    assert "findings" in report and "ledger_totals" in report

    # auditors: read everything but evidence; write nothing
    ha = api.hdr("auditor")
    assert api.get(f"{C}/report?{Q}", headers=ha).status_code == 200
    assert api.get(f"{C}/findings?{Q}", headers=ha).status_code == 200
    assert api.get(f"{C}/spot-checks", headers=ha).status_code == 200
    assert api.get(f"{C}/spot-checks/{check_id}", headers=ha).status_code == 200
    assert api.get(f"{C}/ledger", headers=ha).status_code == 200
    assert api.get(f"{C}/spot-checks/{check_id}/evidence/document_photo",
                   headers=ha).status_code == 403
    assert _writes(api, "auditor", rid, check_id) == [403, 403, 403, 403]

    # agents and supervisors: their outlet's statistics, nothing else
    for who in ("agent", "supervisor"):
        hx = api.hdr(who)
        mine = api.get(f"{C}/report?{Q}", headers=hx)
        assert mine.status_code == 200
        body = mine.json()
        assert [o["id"] for o in body["outlets"]] == [outlet_a]
        assert "findings" not in body and "ledger_totals" not in body
        assert {a["outlet_id"] for a in body["agents"]} == {outlet_a}
        assert api.get(f"{C}/report?{Q}&outlet={outlet_b}", headers=hx).status_code == 404
        assert api.get(f"{C}/charts/outcomes?{Q}", headers=hx).status_code == 200
        for path in (f"{C}/findings?{Q}", f"{C}/spot-checks", f"{C}/spot-checks/{check_id}",
                     f"{C}/ledger", f"{C}/ledger/totals"):
            assert api.get(path, headers=hx).status_code == 403, (who, path)
        assert _writes(api, who, rid, check_id) == [403, 403, 403, 403]
    # the admin manages accounts, not compliance
    assert api.get(f"{C}/report?{Q}", headers=api.hdr("admin")).status_code == 403
    assert api.get(f"{C}/report?{Q}").status_code == 401
    # the officer's writes work
    assert _writes(api, "compliance", rid, check_id) == [201, 200, 201, 204]
    csv_ = api.get(f"{C}/report?{Q}&format=csv", headers=h)
    assert csv_.headers["content-type"].startswith("text/csv")
    assert api.get(f"{C}/report?{Q}&format=pdf", headers=h).content[:5] == b"%PDF-"
    assert api.get(f"{C}/report?from=2026-11-09&to=2026-11-01", headers=h).status_code == 400


def _sign_in(api: Any, name: str) -> str:
    api.cookies.clear()
    r = api.post("/api/v1/session", json={"username": name, "password": f"{name}-password-9"})
    assert r.status_code == 200, r.text
    assert "simkyc_session=" in r.headers["set-cookie"]
    return str(r.json()["csrf_token"])


def test_the_pages_sign_in_meets_the_same_role_checks(api: Any) -> None:
    """The compliance pages sign in as the counter app does (user name and password, the
    session cookie, the CSRF token on every change): the server's role checks hold for
    the cookie just as for a bearer token."""
    from simkyc.services.sessions import set_password

    page = api.get("/compliance").text
    assert 'id="password"' in page and 'id="token"' not in page
    for name in ("compliance", "auditor", "supervisor", "agent"):
        set_password(api.ctx, agent_id=api.actor(name).id, username=name,
                     password=f"{name}-password-9")
    w, rid = _world(api)
    outlet_a = api.actor("agent").outlet_id
    outlet_b = api.actor("other_agent").outlet_id
    sample = {"from": "2026-11-01", "to": "2026-11-09"}

    csrf = _sign_in(api, "compliance")
    report = api.get(f"{C}/report?{Q}")
    assert report.status_code == 200
    assert {o["id"] for o in report.json()["outlets"]} == {outlet_a, outlet_b}
    missing = api.post(f"{C}/spot-checks/sample", json=sample)
    assert missing.status_code == 403 and missing.json()["error"] == "csrf_failed"
    assert api.post(f"{C}/spot-checks/sample", json=sample,
                    headers={"X-CSRF-Token": csrf}).status_code == 201
    entry = api.post(f"{C}/ledger", headers={"X-CSRF-Token": csrf}, json={
        "kind": "warning", "target_kind": "agent", "target_id": api.actor("agent").id,
        "reason": "skipped the upper-body photo", "registration_ids": [rid]})
    assert entry.status_code == 201, entry.text
    assert api.delete("/api/v1/session", headers={"X-CSRF-Token": csrf}).status_code == 204
    assert api.get(f"{C}/report?{Q}").status_code == 401

    csrf = _sign_in(api, "auditor")
    assert api.get(f"{C}/ledger").status_code == 200
    assert api.post(f"{C}/ledger/{entry.json()['id']}/reverse", json={"reason": "x"},
                    headers={"X-CSRF-Token": csrf}).status_code == 403

    for who in ("supervisor", "agent"):
        _sign_in(api, who)
        mine = api.get(f"{C}/report?{Q}").json()
        assert [o["id"] for o in mine["outlets"]] == [outlet_a]
        assert "findings" not in mine
        assert api.get(f"{C}/report?{Q}&outlet={outlet_b}").status_code == 404
        for path in (f"{C}/spot-checks", f"{C}/ledger", f"{C}/findings?{Q}"):
            assert api.get(path).status_code == 403, (who, path)
    api.cookies.clear()
