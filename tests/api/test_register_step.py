"""The final step: register the service once every stage passed, under the rules."""

from __future__ import annotations

import io
import json
from typing import Any

from PIL import Image

from simkyc.domain.evidence import EvidenceKind as K

STEPS = ("document", "live_face", "liveness", "voice", "face_match")


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 90, 60)).save(buf, "PNG")
    return buf.getvalue()


def walk_to_face_matched(api: Any, advance: Any, rid: str, id_number: str, *,
                         upper_body: bool = True) -> None:
    """Every step's outcome recorded through the application layer (their own tests run them)."""
    agent = api.actor("agent")
    fields = json.dumps({"document_kind": "cn-id-reader", "id_number": id_number,
                         "birth_date": "1949-12-31", "valid_until": "2040-01-01"}).encode()
    for step in STEPS:
        ev = ((K.IDENTITY_FIELDS, "application/json", fields),) if step == "document" else ()
        advance(api.ctx, agent, rid, step, subject=f"CHN/{id_number}", evidence=ev)
    if upper_body:
        advance(api.ctx, agent, rid, "attach", evidence=((K.UPPER_BODY, "image/png", _png()),))


def _register(api: Any, rid: str, **body: Any) -> Any:
    return api.post(f"/api/v1/registrations/{rid}/register", json=body, headers=api.hdr("agent"))


def test_register_after_all_stages(api: Any, new_registration: Any, advance: Any) -> None:
    rid = new_registration(service_kind="mobile", service_id="+8613800138000")
    r = _register(api, rid)
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"
    walk_to_face_matched(api, advance, rid, "11010519491231002X")
    r = _register(api, rid)
    assert r.status_code == 200 and r.json()["status"] == "registered"


def test_upper_body_photo_is_required(api: Any, new_registration: Any, advance: Any) -> None:
    """The omission the article's agent was fined for cannot reach ``registered``."""
    rid = new_registration(service_kind="mobile", service_id="+8613800138001")
    walk_to_face_matched(api, advance, rid, "11010519491231002X", upper_body=False)
    r = _register(api, rid)
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "rejected" and r.json()["reasons"] == ["upper_body_missing"]


def test_service_id_required(api: Any, new_registration: Any, advance: Any) -> None:
    rid = new_registration()
    walk_to_face_matched(api, advance, rid, "11010519491231002X")
    r = _register(api, rid)
    assert r.status_code == 400 and "service_id" in r.json()["detail"]
    r = _register(api, rid, service_kind="mobile", service_id="+8613900000000")
    assert r.json()["status"] == "registered"


def test_numbers_per_identity_limit(api: Any, new_registration: Any, advance: Any) -> None:
    limit = api.ctx.policy.registration.max_numbers_per_identity
    statuses = []
    for i in range(limit + 1):
        rid = new_registration(service_kind="mobile", service_id=f"+86139000000{i:02d}")
        walk_to_face_matched(api, advance, rid, "11010519491231002X")
        r = _register(api, rid)
        statuses.append((r.json()["status"], r.json()["reasons"]))
    assert statuses[:limit] == [("registered", [])] * limit
    assert statuses[limit] == ("rejected", ["too_many_numbers_for_identity"])
    # Another identity is unaffected.
    rid = new_registration(service_kind="mobile", service_id="+8613911111111")
    walk_to_face_matched(api, advance, rid, "440524188001010014")
    assert _register(api, rid).json()["status"] == "registered"
