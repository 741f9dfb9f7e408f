"""The document lockout and the attempt caps (issue 11, high), on both databases.

Seen before: 7 failed document attempts in 0.3 s, then the 8th passed; 12 failed
liveness attempts on one registration. Now: after 5 failed verifications within
3 minutes for one document number (by its keyed hash, across registrations and
outlets) every further attempt is refused with ``locked_out`` (423, and ``until``) for
30 minutes, unless a supervisor lifts it (audited); and each step that may be
retried has a cap per registration.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any

from abuse import cn_id_number, reader_record

from simkyc.services import audit
from simkyc.services.context import system_random

BASE = "/api/v1/registrations"
ID = cn_id_number(777)


def _attempt(api: Any, who: str = "agent", *, expired: bool = True) -> Any:
    from reader_keys import signed

    rid = api.post(BASE, json={"consent": True}, headers=api.hdr(who)).json()["id"]
    record = reader_record(ID, valid_until="2020-06-01" if expired else "2040-01-01",
                           outlet=None)
    # read by the agent's outlet's reader, at the time the service's clock says it is
    outlet = "Outlet B" if who == "other_agent" else "Outlet A"
    record = signed(record, outlet, read_at=api.app.state.context.clock())
    return rid, api.post(f"{BASE}/{rid}/document/reader-record", json=record,
                         headers=api.hdr(who))


def _lock(api: Any) -> list[str]:
    failures = api.ctx.policy.registration.lockout_failures
    rids = []
    for i in range(failures):  # across two outlets: one document number
        rid, r = _attempt(api, "agent" if i % 2 else "other_agent")
        assert r.status_code == 200 and r.json()["passed"] is False, r.text
        rids.append(rid)
    return rids


def test_five_failures_lock_the_document_number(api: Any) -> None:
    rids = _lock(api)
    for _ in range(3):  # the 6th, 7th and 8th: refused, even a valid card
        rid, r = _attempt(api, expired=False)
        assert r.status_code == 423, r.text
        body = r.json()
        assert body["error"] == "locked_out" and body["until"] and "locked" in body["detail"]
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert view["status"] == "started" and view["evidence"] == []
    lock = api.get(f"{BASE}/{rids[1]}/lockout", headers=api.hdr("agent")).json()
    assert lock["locked"] is True


def test_the_lockout_ends_after_its_period(api: Any) -> None:
    _lock(api)
    base = api.ctx.clock
    seconds = api.ctx.policy.registration.lockout_seconds
    api.app.state.context = replace(api.ctx, clock=lambda: base() + timedelta(seconds=seconds
                                                                              + 5))
    _, r = _attempt(api, expired=False)
    assert r.status_code == 200 and r.json()["passed"] is True, r.text


def test_failures_outside_the_window_do_not_add_up(api: Any) -> None:
    base = api.ctx.clock
    window = api.ctx.policy.registration.lockout_window_seconds
    for i in range(api.ctx.policy.registration.lockout_failures):
        at = base() + timedelta(seconds=i * (window / 2 + 1))
        api.app.state.context = replace(api.ctx, clock=lambda at=at: at)
        _, r = _attempt(api)
        assert r.status_code == 200, r.text
    _, r = _attempt(api, expired=False)
    assert r.status_code == 200 and r.json()["passed"], r.text


def test_a_supervisor_lifts_it_and_it_is_audited(api: Any) -> None:
    rids = _lock(api)
    reason = {"reason": "customer's card checked by hand"}
    r = api.post(f"{BASE}/{rids[1]}/lockout/lift", json=reason, headers=api.hdr("agent"))
    assert r.status_code == 403
    r = api.post(f"{BASE}/{rids[1]}/lockout/lift", json=reason, headers=api.hdr("supervisor"))
    assert r.status_code == 200 and r.json()["locked"] is False, r.text
    entries = audit.audit_entries(api.ctx, actor=api.actor("auditor"))
    lifts = [e for e in entries if e.action == "lockout.lift"]
    assert len(lifts) == 1 and lifts[0].actor_id == api.actor("supervisor").id
    assert any(e.action == "lockout.set" for e in entries)
    _, r = _attempt(api, expired=False)
    assert r.status_code == 200 and r.json()["passed"] is True, r.text


def test_liveness_attempts_are_capped_per_registration(api: Any, new_registration: Any,
                                                       advance: Any) -> None:
    cap = api.ctx.policy.registration.max_liveness_attempts
    rid = new_registration()
    agent = api.actor("agent")
    advance(api.ctx, agent, rid, "document", subject=f"CHN/{rid}")
    advance(api.ctx, agent, rid, "live_face")
    statuses = []
    for _ in range(cap):
        rec = advance(api.ctx, agent, rid, "liveness", passed=False,
                      reasons=("challenge_not_performed",))
        statuses.append(rec.registration.status.value)
    assert statuses[:-1] == ["live_face_captured"] * (cap - 1)
    assert statuses[-1] == "rejected" and "too_many_attempts" in rec.registration.reasons
    r = api.post(f"{BASE}/{rid}/liveness/challenge", headers=api.hdr("agent"))
    assert r.status_code == 409, r.text


def test_voice_attempts_are_capped_then_only_a_supervisor_continues(
        api: Any, new_registration: Any, advance: Any) -> None:
    cap = api.ctx.policy.voice.max_attempts
    rid = new_registration(language="en")
    agent = api.actor("agent")
    for step in ("document", "live_face", "liveness"):
        advance(api.ctx, agent, rid, step, subject=f"CHN/{rid}" if step == "document" else None)
    for _ in range(cap):
        advance(api.ctx, agent, rid, "voice", passed=False, reasons=("digits_mismatch",))
    r = api.post(f"{BASE}/{rid}/voice/challenge", headers=api.hdr("agent"), json={})
    assert r.status_code == 409, r.text


def test_challenges_are_capped_and_not_issued_in_the_wrong_status(
        api: Any, new_registration: Any, advance: Any) -> None:
    rid = new_registration()
    assert api.post(f"{BASE}/{rid}/liveness/challenge",
                    headers=api.hdr("agent")).status_code == 409  # still ``started``
    agent = api.actor("agent")
    advance(api.ctx, agent, rid, "document", subject=f"CHN/{rid}")
    advance(api.ctx, agent, rid, "live_face")
    api.app.state.context = replace(api.ctx, rng=system_random)  # fresh nonces, not seeded
    cap = api.ctx.policy.registration.max_challenges
    codes = [api.post(f"{BASE}/{rid}/liveness/challenge", headers=api.hdr("agent")).status_code
             for _ in range(cap + 2)]
    assert codes[:cap] == [201] * cap and codes[cap:] == [409, 409]
