"""API: health, authentication, role enforcement, and bad input (nothing stored)."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image

from simkyc import __version__


def png_bytes(size: tuple[int, int] = (64, 64)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", size, (120, 90, 60)).save(buf, "PNG")
    return buf.getvalue()


def test_healthz(api: Any, db_url: str) -> None:
    r = api.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok", "database": db_url.split(":")[0].split("+")[0],
                        "version": __version__}


def test_openapi_and_docs(api: Any) -> None:
    spec = api.get("/openapi.json").json()
    assert "/api/v1/registrations" in spec["paths"]
    assert api.get("/docs").status_code == 200


@pytest.mark.parametrize("headers", [{}, {"Authorization": "Bearer sk_nope"},
                                     {"Authorization": "Basic abc"}])
def test_authentication_required(api: Any, headers: dict) -> None:
    r = api.post("/api/v1/registrations", json={"consent": True}, headers=headers)
    assert r.status_code == 401


@pytest.mark.parametrize("who,expected", [
    ("agent", 201), ("supervisor", 201), ("other_agent", 201),
    ("compliance", 403), ("auditor", 403), ("admin", 403),
])
def test_who_may_start_registrations(api: Any, who: str, expected: int) -> None:
    r = api.post("/api/v1/registrations", json={"consent": True}, headers=api.hdr(who))
    assert r.status_code == expected, r.text


@pytest.mark.parametrize("who,expected", [
    ("agent", 200), ("supervisor", 200), ("other_agent", 404),
    ("compliance", 200), ("auditor", 200), ("admin", 200),
])
def test_who_may_read_a_registration(api: Any, new_registration: Any, who: str,
                                     expected: int) -> None:
    rid = new_registration()
    r = api.get(f"/api/v1/registrations/{rid}", headers=api.hdr(who))
    assert r.status_code == expected
    if expected == 200:
        assert r.json()["status"] == "started"


@pytest.mark.parametrize("who,expected", [
    ("agent", 201), ("supervisor", 201), ("other_agent", 404),
    ("compliance", 403), ("auditor", 403), ("admin", 403),
])
def test_who_may_upload_evidence(api: Any, new_registration: Any, who: str,
                                 expected: int) -> None:
    rid = new_registration()
    r = api.post(f"/api/v1/registrations/{rid}/evidence/upper_body",
                 files={"file": ("p.png", png_bytes(), "image/png")}, headers=api.hdr(who))
    assert r.status_code == expected, r.text


@pytest.mark.parametrize("who,expected", [
    ("agent", 403), ("supervisor", 403), ("compliance", 200), ("auditor", 403), ("admin", 403),
])
def test_who_may_read_evidence(api: Any, new_registration: Any, who: str, expected: int) -> None:
    rid = new_registration()
    data = png_bytes()
    up = api.post(f"/api/v1/registrations/{rid}/evidence/upper_body",
                  files={"file": ("p.png", data, "image/png")}, headers=api.hdr("agent"))
    r = api.get(f"/api/v1/evidence/{up.json()['id']}", headers=api.hdr(who))
    assert r.status_code == expected
    if expected == 200:
        assert r.content == data and r.headers["content-type"] == "image/png"


@pytest.mark.parametrize("who,expected", [
    ("agent", 403), ("supervisor", 403), ("compliance", 403), ("auditor", 403), ("admin", 201),
])
def test_who_may_create_accounts(api: Any, who: str, expected: int) -> None:
    r = api.post("/api/v1/agents", json={"name": "n", "role": "agent", "outlet": "Outlet C"},
                 headers=api.hdr(who))
    assert r.status_code == expected
    if expected == 201:
        token = r.json()["token"]
        ok = api.post("/api/v1/registrations", json={"consent": True},
                      headers={"Authorization": f"Bearer {token}"})
        assert ok.status_code == 201


@pytest.mark.parametrize("who,expected", [
    ("agent", 403), ("supervisor", 403), ("compliance", 200), ("auditor", 200), ("admin", 200),
])
def test_who_may_verify_audit(api: Any, who: str, expected: int) -> None:
    r = api.get("/api/v1/audit/verify", headers=api.hdr(who))
    assert r.status_code == expected
    if expected == 200:
        assert r.json()["intact"] is True


def test_admin_destroys_evidence_key(api: Any, new_registration: Any) -> None:
    rid = new_registration()
    up = api.post(f"/api/v1/registrations/{rid}/evidence/upper_body",
                  files={"file": ("p.png", png_bytes(), "image/png")}, headers=api.hdr("agent"))
    url = f"/api/v1/registrations/{rid}/destroy-evidence"
    assert api.post(url, json={"reason": "erasure request"},
                    headers=api.hdr("compliance")).status_code == 403
    assert api.post(url, json={"reason": "erasure request"},
                    headers=api.hdr("admin")).status_code == 204
    r = api.get(f"/api/v1/evidence/{up.json()['id']}", headers=api.hdr("compliance"))
    assert r.status_code == 410 and r.json()["error"] == "evidence_destroyed"


def _nothing_stored(api: Any, rid: str) -> None:
    view = api.get(f"/api/v1/registrations/{rid}", headers=api.hdr("agent")).json()
    assert view["evidence"] == []
    assert not any(api.ctx.store.iter_items())


def test_oversized_upload_is_413_and_stores_nothing(api: Any, new_registration: Any,
                                                     api_settings: Any) -> None:
    rid = new_registration()
    big = png_bytes() + b"\0" * (api_settings.max_image_bytes + 10)
    r = api.post(f"/api/v1/registrations/{rid}/evidence/upper_body",
                 files={"file": ("big.png", big, "image/png")}, headers=api.hdr("agent"))
    assert r.status_code == 413 and "limit" in r.json()["detail"]
    _nothing_stored(api, rid)


def test_body_beyond_global_limit_is_refused_before_parsing(api: Any, new_registration: Any,
                                                            api_settings: Any) -> None:
    rid = new_registration()
    huge = b"\0" * (api_settings.max_video_bytes + 2 * api_settings.max_audio_bytes)
    r = api.post(f"/api/v1/registrations/{rid}/evidence/liveness_video",
                 files={"file": ("v.mp4", huge, "video/mp4")}, headers=api.hdr("agent"))
    assert r.status_code == 413 and r.json()["error"] == "payload_too_large"
    _nothing_stored(api, rid)


@pytest.mark.parametrize("payload,name", [
    (b"%PDF-1.4 not an image", "x.pdf"),
    (b"GIF89a" + b"\0" * 100, "x.png"),  # declared png, really not accepted
    (b"RIFF\0\0\0\0WAVEfmt ", "x.png"),  # audio where an image is expected
])
def test_wrong_content_type_is_415(api: Any, new_registration: Any, payload: bytes,
                                   name: str) -> None:
    rid = new_registration()
    r = api.post(f"/api/v1/registrations/{rid}/evidence/upper_body",
                 files={"file": (name, payload, "image/png")}, headers=api.hdr("agent"))
    assert r.status_code == 415, r.text
    _nothing_stored(api, rid)


def test_truncated_image_is_400(api: Any, new_registration: Any, faces_dir: Any) -> None:
    rid = new_registration()
    data = (faces_dir / "face_recognition" / "biden.jpg").read_bytes()[:5000]
    r = api.post(f"/api/v1/registrations/{rid}/evidence/upper_body",
                 files={"file": ("b.jpg", data, "image/jpeg")}, headers=api.hdr("agent"))
    assert r.status_code == 400 and "truncated" in r.json()["detail"]
    _nothing_stored(api, rid)


def test_decompression_bomb_is_413(api: Any, new_registration: Any) -> None:
    rid = new_registration()
    buf = io.BytesIO()
    Image.new("L", (20000, 20000)).save(buf, "PNG")  # ~400 MB of pixels in a small file
    r = api.post(f"/api/v1/registrations/{rid}/evidence/upper_body",
                 files={"file": ("bomb.png", buf.getvalue(), "image/png")},
                 headers=api.hdr("agent"))
    assert r.status_code == 413 and "pixels" in r.json()["detail"]
    _nothing_stored(api, rid)


def test_empty_file_is_400(api: Any, new_registration: Any) -> None:
    rid = new_registration()
    r = api.post(f"/api/v1/registrations/{rid}/evidence/upper_body",
                 files={"file": ("e.png", b"", "image/png")}, headers=api.hdr("agent"))
    assert r.status_code == 400


def test_malformed_json_is_400(api: Any) -> None:
    r = api.post("/api/v1/registrations", content=b'{"consent": tru',
                 headers={**api.hdr("agent"), "content-type": "application/json"})
    assert r.status_code == 400 and r.json()["error"] == "malformed_json"


def test_invalid_fields_are_422_with_reason(api: Any) -> None:
    r = api.post("/api/v1/registrations", json={"consent": True, "service_kind": "fax"},
                 headers=api.hdr("agent"))
    assert r.status_code == 422 and "service_kind" in r.json()["detail"]


def test_missing_consent_is_400(api: Any) -> None:
    r = api.post("/api/v1/registrations", json={"consent": False}, headers=api.hdr("agent"))
    assert r.status_code == 400 and "consent" in r.json()["detail"]


def test_unknown_kind_and_bad_id(api: Any, new_registration: Any) -> None:
    rid = new_registration()
    r = api.post(f"/api/v1/registrations/{rid}/evidence/selfie",
                 files={"file": ("p.png", png_bytes(), "image/png")}, headers=api.hdr("agent"))
    assert r.status_code == 422
    r = api.get("/api/v1/registrations/..%2Fetc", headers=api.hdr("agent"))
    assert r.status_code in (404, 422)
    r = api.get("/api/v1/registrations/" + "0" * 32, headers=api.hdr("agent"))
    assert r.status_code == 404
