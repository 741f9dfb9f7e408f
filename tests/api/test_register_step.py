"""The final step: register the service once every stage passed, under the rules."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image
from testkit import walk_to


def _png() -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), (120, 90, 60)).save(buf, "PNG")
    return buf.getvalue()


def walk_to_face_matched(api: Any, advance: Any, rid: str, id_number: str, *,
                         upper_body: bool = True) -> None:
    """Every step's outcome recorded through the application layer (their own tests run
    them); the upper-body photo too unless ``upper_body`` is False."""
    walk_to(advance, api.ctx, api.actor("agent"), rid, "attach" if upper_body else "face_match",
            subject=f"CHN/{id_number}", birth_date="1949-12-31",
            upper_body=("image/png", _png()))


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


@pytest.mark.parametrize(("spoken", "ui"), [("cmn", "zh-Hans"), ("yue", "zh-Hant"),
                                            ("en", "en"), ("ug", "ug")])
def test_the_server_checks_the_number_and_iccid_whatever_the_page_did(
        api: Any, new_registration: Any, advance: Any, spoken: str, ui: str) -> None:
    """An agent can POST anything: a bad number or ICCID is refused with 422
    ``service_invalid``, its reasons and their texts in the customer's language, and the
    registration stays where it was; the corrected one registers."""
    from simkyc.i18n import catalogue

    texts = catalogue(ui)
    rid = new_registration(language=spoken)
    walk_to_face_matched(api, advance, rid, "11010519491231002X")
    cases = [
        ({"service_id": "12345"}, ["phone_number_invalid"]),
        ({"service_id": "+86 10 6552 9988"}, ["not_a_mobile_number"]),  # a Beijing landline
        ({"service_id": "13800138000", "iccid": "8986001234567890123"}, ["iccid_checksum"]),
        ({"service_id": "13800138000", "iccid": "8886001234567890123"}, ["iccid_format"]),
        ({"service_id": "999", "iccid": "12"}, ["phone_number_invalid", "iccid_format"]),
    ]
    for body, reasons in cases:
        r = _register(api, rid, service_kind="mobile", **body)
        assert r.status_code == 422, r.text
        out = r.json()
        assert out["error"] == "service_invalid" and out["reasons"] == reasons, out
        assert out["messages"] == [texts[f"reason.{x}"] for x in reasons]
        assert texts["error.service_invalid"] != "error.service_invalid"
    got = api.get(f"/api/v1/registrations/{rid}", headers=api.hdr("agent")).json()
    assert got["status"] == "face_matched" and "register" not in {s["stage"] for s in
                                                                  got["stages"]}
    r = _register(api, rid, service_kind="mobile", service_id="138 0013 8000",
                  iccid="89860012345678901238")
    assert r.status_code == 200 and r.json()["status"] == "registered", r.text


def test_a_number_written_another_way_is_the_same_number(api: Any, new_registration: Any,
                                                          advance: Any) -> None:
    """Kept in E.164, so ``138 0013 8000`` and ``+8613800138000`` cannot both be active,
    nor one ICCID twice with spaces."""
    rid = new_registration()
    walk_to_face_matched(api, advance, rid, "11010519491231002X")
    r = _register(api, rid, service_kind="mobile", service_id="138 0013 8000",
                  iccid="8986 0012 3456 7890 1238")
    assert r.json()["status"] == "registered", r.text
    rid2 = new_registration()
    walk_to_face_matched(api, advance, rid2, "440524188001010014")
    r = _register(api, rid2, service_kind="mobile", service_id="+8613800138000")
    assert (r.json()["status"], r.json()["reasons"]) == ("rejected", ["service_id_in_use"])
    rid3 = new_registration()
    walk_to_face_matched(api, advance, rid3, "440524188001010014")
    r = _register(api, rid3, service_kind="mobile", service_id="+8613800138002",
                  iccid="89860012345678901238")
    assert (r.json()["status"], r.json()["reasons"]) == ("rejected", ["iccid_in_use"])
