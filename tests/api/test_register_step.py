"""The final step: register the service once every stage passed, under the per-identity rule."""

from __future__ import annotations

from typing import Any

from simkyc.domain.registration import RegistrationStatus as S
from simkyc.domain.results import StageOutcome

PATH = [S.DOCUMENT_CHECKED, S.LIVE_FACE_CAPTURED, S.LIVENESS_PASSED, S.VOICE_PASSED,
        S.FACE_MATCHED]


def _walk_to_face_matched(api: Any, rid: str, id_number: str) -> None:
    """Drive the status machine through the service (the stages' own tests cover the stages)."""
    svc = api.service
    agent = svc.authenticate(api.tokens["agent"])
    for i, status in enumerate(PATH):
        svc.record_stage(actor=agent, registration_id=rid,
                         outcome=StageOutcome(stage=status.value, passed=True), on_pass=status,
                         subject_document_number=id_number if i == 0 else None)


def test_register_after_all_stages(api: Any, new_registration: Any) -> None:
    rid = new_registration(service_kind="mobile", service_id="+8613800138000")
    r = api.post(f"/api/v1/registrations/{rid}/register", json={}, headers=api.hdr("agent"))
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"
    _walk_to_face_matched(api, rid, "11010519491231002X")
    r = api.post(f"/api/v1/registrations/{rid}/register", json={}, headers=api.hdr("agent"))
    assert r.status_code == 200 and r.json()["status"] == "registered"


def test_service_id_required(api: Any, new_registration: Any) -> None:
    rid = new_registration()
    _walk_to_face_matched(api, rid, "11010519491231002X")
    r = api.post(f"/api/v1/registrations/{rid}/register", json={}, headers=api.hdr("agent"))
    assert r.status_code == 400 and "service_id" in r.json()["detail"]
    r = api.post(f"/api/v1/registrations/{rid}/register",
                 json={"service_kind": "mobile", "service_id": "+8613900000000"},
                 headers=api.hdr("agent"))
    assert r.json()["status"] == "registered"


def test_numbers_per_identity_limit(api: Any, new_registration: Any) -> None:
    limit = api.service.policy.registration.max_numbers_per_identity
    statuses = []
    for i in range(limit + 1):
        rid = new_registration(service_kind="mobile", service_id=f"+86139000000{i:02d}")
        _walk_to_face_matched(api, rid, "11010519491231002X")
        r = api.post(f"/api/v1/registrations/{rid}/register", json={}, headers=api.hdr("agent"))
        statuses.append((r.json()["status"], r.json()["reasons"]))
    assert statuses[:limit] == [("registered", [])] * limit
    assert statuses[limit] == ("rejected", ["too_many_numbers_for_identity"])
    # Another identity is unaffected.
    rid = new_registration(service_kind="mobile", service_id="+8613911111111")
    _walk_to_face_matched(api, rid, "440524188001010014")
    r = api.post(f"/api/v1/registrations/{rid}/register", json={}, headers=api.hdr("agent"))
    assert r.json()["status"] == "registered"
