"""The accessible path: retries, then a recorded supervisor override."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from simkyc.domain.errors import InputError
from simkyc.domain.parties import Role
from simkyc.voice import NextStep, approve_override, next_step

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def test_retry_until_attempts_run_out(policy):
    assert next_step(passed=True, attempts_used=1, policy=policy) is NextStep.DONE
    steps = [next_step(passed=False, attempts_used=n, policy=policy)
             for n in range(1, policy.max_attempts + 1)]
    assert steps[:-1] == [NextStep.RETRY] * (policy.max_attempts - 1)
    assert steps[-1] is NextStep.SUPERVISOR_OVERRIDE


def test_override_records_who_and_why(policy):
    o = approve_override(supervisor_id="sup-7", role=Role.SUPERVISOR,
                         reason="customer is hard of hearing; identity confirmed in person",
                         attempts_used=policy.max_attempts, language="ug", now=NOW,
                         policy=policy)
    assert (o.supervisor_id, o.attempts_used, o.language, o.approved_at) == \
        ("sup-7", policy.max_attempts, "ug", NOW)
    assert "hard of hearing" in o.reason


@pytest.mark.parametrize("kw, message", [
    ({"role": Role.AGENT}, "only a supervisor"),
    ({"supervisor_id": " "}, "name the approving supervisor"),
    ({"reason": "ok"}, "reason"),
    ({"attempts_used": 1}, "only after"),
])
def test_override_refused(policy, kw, message):
    args = {"supervisor_id": "sup-7", "role": Role.SUPERVISOR,
            "reason": "speech impairment, checked in person", "attempts_used": 3,
            "language": "cmn", "now": NOW, "policy": policy} | kw
    with pytest.raises(InputError, match=message):
        approve_override(**args)
