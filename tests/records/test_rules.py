"""Registration rules: each refuses with its reason (pure functions, and through the step
on SQLite and PostgreSQL); an ended service frees its count and its number."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from simkyc.domain.rules import RuleFacts, RuleLimits, age_on, broken_rules
from simkyc.services.context import ServiceContext
from simkyc.services.records import end_service
from simkyc.services.steps import ServiceToRegister, run_register

ON = date(2026, 12, 2)
OK = RuleFacts(on=ON, identity_known=True, upper_body_required=True, upper_body_kept=True,
               birth_date=date(1990, 1, 1), valid_until=date(2030, 1, 1), active_services=0,
               service_id_active=False, iccid_active=False)


@pytest.mark.parametrize(("change", "reason"), [
    ({"identity_known": False}, "identity_unknown"),
    ({"upper_body_kept": False}, "upper_body_missing"),
    ({"valid_until": date(2026, 12, 1)}, "document_expired"),
    ({"birth_date": date(2010, 12, 3)}, "under_minimum_age"),
    ({"active_services": 5}, "too_many_numbers_for_identity"),
    ({"service_id_active": True}, "service_id_in_use"),
    ({"iccid_active": True}, "iccid_in_use"),
])
def test_each_rule_refuses_with_its_reason(change: dict[str, Any], reason: str) -> None:
    from dataclasses import replace

    assert broken_rules(OK, RuleLimits()) == ()
    assert broken_rules(replace(OK, **change), RuleLimits()) == (reason,)


def test_boundaries() -> None:
    from dataclasses import replace

    # Valid through its last day; 16 on the birthday itself.
    assert broken_rules(replace(OK, valid_until=ON), RuleLimits()) == ()
    assert broken_rules(replace(OK, birth_date=date(2010, 12, 2)), RuleLimits()) == ()
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert broken_rules(replace(OK, active_services=4), RuleLimits()) == ()
    assert broken_rules(replace(OK, active_services=2),
                        RuleLimits(max_active_services=2)) == ("too_many_numbers_for_identity",)


def _register(ctx: ServiceContext, agent: Any, rid: str, **kw: Any) -> Any:
    return run_register(ctx, actor=agent, registration_id=rid,
                        submission=ServiceToRegister(**kw))


def test_rules_through_the_step(rctx: ServiceContext, people: dict, walk: Any) -> None:
    agent = people["agent"][0]
    r = _register(rctx, agent, walk(rctx, agent, identity={"valid_until": "2020-01-01"}))
    assert (r.status.value, r.reasons) == ("rejected", ("document_expired",))
    young = rctx.clock().date().replace(year=rctx.clock().year - 15).isoformat()
    r = _register(rctx, agent, walk(rctx, agent, identity={"birth_date": young}))
    assert (r.status.value, r.reasons) == ("rejected", ("under_minimum_age",))
    r = _register(rctx, agent, walk(rctx, agent, upper_body=False))
    assert r.reasons == ("upper_body_missing",)

    iccid = "8986001234567890120"  # 19 digits, its Luhn check digit last
    r = _register(rctx, agent, walk(rctx, agent, service_id="+8613800000001"), iccid=iccid)
    assert r.status.value == "registered", r
    r = _register(rctx, agent, walk(rctx, agent, service_id="+8613800000001",
                                    identity={"id_number": "440524188001010014"}))
    assert r.reasons == ("service_id_in_use",)
    r = _register(rctx, agent, walk(rctx, agent, service_id="+8613800000002"), iccid=iccid)
    assert r.reasons == ("iccid_in_use",)


def test_ending_a_service_frees_its_count_and_number(rctx: ServiceContext, people: dict,
                                                     walk: Any) -> None:
    from dataclasses import replace

    from simkyc.domain.policy import RegistrationPolicy

    ctx = replace(rctx, policy=replace(rctx.policy, registration=RegistrationPolicy(
        max_numbers_per_identity=2)))
    agent = people["agent"][0]
    done = []
    for i in range(2):
        rid = walk(ctx, agent, service_id=f"+861390000000{i}")
        assert _register(ctx, agent, rid).status.value == "registered"
        done.append(rid)
    r = _register(ctx, agent, walk(ctx, agent, service_id="+8613900000009"))
    assert r.reasons == ("too_many_numbers_for_identity",)
    end_service(ctx, actor=agent, registration_id=done[0], reason="ported_out")
    assert _register(ctx, agent, walk(ctx, agent, service_id="+8613900000009")
                     ).status.value == "registered"
    # The ended number is free again, for another identity.
    r = _register(ctx, agent, walk(ctx, agent, service_id="+8613900000000",
                                   identity={"id_number": "440524188001010014"}))
    assert r.status.value == "registered"


def test_concurrent_registrations_of_one_number(rctx: ServiceContext, people: dict,
                                                walk: Any) -> None:
    """Two identities registering the same number at once: exactly one gets it."""
    from concurrent.futures import ThreadPoolExecutor

    agent = people["agent"][0]
    rids = [walk(rctx, agent, service_id="+8613700000000", identity={"id_number": n})
            for n in ("11010519491231002X", "440524188001010014")]
    with ThreadPoolExecutor(2) as pool:
        results = list(pool.map(lambda rid: _register(rctx, agent, rid), rids))
    assert sorted(r.status.value for r in results) == ["registered", "rejected"]
    assert [r.reasons for r in results if r.reasons] == [("service_id_in_use",)]
