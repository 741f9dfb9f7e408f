"""Signed card-reader records over HTTP (policy ``document.reader_records = "signed"``).

Every refusal is 422 ``reader_record_refused`` with one reason code and its text, leaves
the registration ``started`` with nothing stored, and is audited (``reader.refused``).
The test readers (``tests/support/reader_keys.py``) are enrolled at Outlet A and Outlet B.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from abuse import cn_id_number, reader_record
from reader_keys import device_id, signed

from simkyc.domain.errors import PermissionDenied

BASE = "/api/v1/registrations"


def _post(api: Any, rid: str, record: dict[str, Any], who: str = "agent") -> Any:
    return api.post(f"{BASE}/{rid}/document/reader-record", json=record, headers=api.hdr(who))


def _view(api: Any, rid: str) -> dict[str, Any]:
    return dict(api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json())


def _refused(api: Any, rid: str, record: dict[str, Any], reason: str) -> None:
    r = _post(api, rid, record)
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "reader_record_refused" and body["reasons"] == [reason], body
    assert len(body["messages"]) == 1 and body["messages"][0] != f"reason.{reason}"
    view = _view(api, rid)
    assert view["status"] == "started" and view["evidence"] == [] and view["stages"] == []
    with api.ctx.uow() as tx:
        entries = tx.audit.entries(registration_id=rid)
    assert any(e.action == "reader.refused" and f"reason={reason}" in e.detail
               for e in entries), entries


def test_a_properly_signed_record_is_accepted_once(api: Any, new_registration: Any) -> None:
    record = reader_record(cn_id_number(201))
    assert record["signature"]["device_id"] == device_id("Outlet A")
    first, second = new_registration(), new_registration()
    r = _post(api, first, record)
    assert r.status_code == 200 and r.json()["passed"], r.text
    assert _view(api, first)["status"] == "document_checked"
    # the same signed record on another registration (same outlet): a replay
    _refused(api, second, record, "reader_replayed")
    # a fresh read of the same card is fine
    r = _post(api, second, reader_record(cn_id_number(201)))
    assert r.status_code == 200 and r.json()["passed"], r.text


def test_a_field_changed_after_signing_is_refused(api: Any, new_registration: Any) -> None:
    record = reader_record(cn_id_number(203))
    _refused(api, new_registration(), {**record, "id_number": cn_id_number(205)},
             "reader_bad_signature")
    from abuse import chip_jpeg_b64

    _refused(api, new_registration(), {**record, "photo": chip_jpeg_b64("face_recognition/"
                                                                         "biden.jpg")},
             "reader_bad_signature")
    sig = dict(record["signature"])
    sig["sig"] = sig["sig"][:-4] + ("AAAA" if not sig["sig"].endswith("AAAA") else "BBBB")
    _refused(api, new_registration(), {**record, "signature": sig}, "reader_bad_signature")


def test_an_unsigned_or_unknown_readers_record_is_refused(api: Any,
                                                          new_registration: Any) -> None:
    _refused(api, new_registration(), reader_record(cn_id_number(207), outlet=None),
             "reader_unsigned")
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from simkyc.document.reader_signature import sign_record

    stranger = sign_record(reader_record(cn_id_number(207), outlet=None),
                           Ed25519PrivateKey.generate(), "reader-nobody-enrolled")
    _refused(api, new_registration(), stranger, "reader_unknown")


def test_another_outlets_reader_is_refused(api: Any, new_registration: Any) -> None:
    """Outlet B's enrolled reader signed it; the registration is Outlet A's."""
    _refused(api, new_registration(), reader_record(cn_id_number(209), outlet="Outlet B"),
             "reader_wrong_outlet")
    # ... and it is accepted on Outlet B's own registration
    rid = new_registration("other_agent")
    r = _post(api, rid, reader_record(cn_id_number(209), outlet="Outlet B"), who="other_agent")
    assert r.status_code == 200 and r.json()["passed"], r.text


def test_a_revoked_readers_record_is_refused(api: Any, new_registration: Any) -> None:
    from simkyc.services.readers import list_readers, revoke_reader

    record = reader_record(cn_id_number(211))  # read before the revocation
    device = revoke_reader(api.ctx, device_id=device_id("Outlet A"), actor=api.actor("admin"))
    assert device.revoked_at is not None
    _refused(api, new_registration(), record, "reader_revoked")
    _refused(api, new_registration(), reader_record(cn_id_number(211)), "reader_revoked")
    listed = {d.device_id: d for d in list_readers(api.ctx, actor=api.actor("admin"))}
    assert listed[device_id("Outlet A")].revoked_at is not None
    assert listed[device_id("Outlet B")].revoked_at is None
    with api.ctx.uow() as tx:
        actions = [e.action for e in tx.audit.entries(limit=500)]
    assert "reader.revoke" in actions and "reader.enroll" in actions


@pytest.mark.parametrize(("offset", "reason"), [
    (timedelta(minutes=-11), "reader_stale"),
    (timedelta(minutes=5), "reader_clock_ahead"),
])
def test_a_stale_or_future_read_is_refused(api: Any, new_registration: Any,
                                           offset: timedelta, reason: str) -> None:
    record = reader_record(cn_id_number(213), outlet=None)
    _refused(api, new_registration(), signed(record, read_at=datetime.now(UTC) + offset),
             reason)
    # within the window and the skew: accepted
    r = _post(api, new_registration(),
              signed(record, read_at=datetime.now(UTC) + offset / 20))
    assert r.status_code == 200 and r.json()["passed"], r.text


def test_a_record_without_read_at_is_refused(api: Any, new_registration: Any) -> None:
    from reader_keys import reader_key

    from simkyc.document.reader_signature import b64url, canonical_bytes

    record = reader_record(cn_id_number(215), outlet=None)  # no reader.read_at at all
    sig = reader_key("Outlet A").sign(canonical_bytes(record))
    record["signature"] = {"device_id": device_id("Outlet A"), "alg": "EdDSA",
                           "sig": b64url(sig)}
    _refused(api, new_registration(), record, "reader_stale")


def test_the_unsigned_policy_accepts_a_typed_record(api: Any, new_registration: Any) -> None:
    ctx = api.app.state.context
    policy = replace(ctx.policy, document=replace(ctx.policy.document,
                                                  reader_records="unsigned"))
    api.app.state.context = replace(ctx, policy=policy)
    try:
        r = _post(api, new_registration(), reader_record(cn_id_number(217), outlet=None))
        assert r.status_code == 200 and r.json()["passed"], r.text
    finally:
        api.app.state.context = ctx


def test_only_admins_and_the_outlets_supervisor_enroll_readers(api: Any) -> None:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from simkyc.services.readers import enroll_reader, list_readers, revoke_reader

    def key() -> bytes:
        return Ed25519PrivateKey.generate().public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw)

    for who in ("agent", "compliance", "auditor"):
        with pytest.raises(PermissionDenied):
            enroll_reader(api.ctx, outlet="Outlet A", public_key=key(), actor=api.actor(who))
        with pytest.raises(PermissionDenied):
            revoke_reader(api.ctx, device_id=device_id("Outlet A"), actor=api.actor(who))
    with pytest.raises(PermissionDenied):  # a supervisor of Outlet A, at Outlet B
        enroll_reader(api.ctx, outlet="Outlet B", public_key=key(),
                      actor=api.actor("supervisor"))
    with pytest.raises(PermissionDenied):
        revoke_reader(api.ctx, device_id=device_id("Outlet B"), actor=api.actor("supervisor"))
    mine = enroll_reader(api.ctx, outlet="Outlet A", public_key=key(),
                         actor=api.actor("supervisor"))
    assert mine.enrolled_by == api.actor("supervisor").id
    seen = {d.device_id for d in list_readers(api.ctx, actor=api.actor("supervisor"))}
    assert seen == {mine.device_id, device_id("Outlet A")}
    other = enroll_reader(api.ctx, outlet="Outlet B", public_key=key(), device_id="b-2",
                          actor=api.actor("admin"))
    assert other.device_id == "b-2"
