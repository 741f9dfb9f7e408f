"""One customer through every real stage over HTTP, start to registered.

Real models, real generated media, one person throughout (Barack Obama's photos
from ../shared/data/faces/): a card-reader record whose chip photo comes from
one photo, a live capture, liveness and voice videos synthesised from another.
An impostor (someone else's chip photo) is rejected at the 1:1 match.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))

import liveness_generate as lgen  # noqa: E402
import voice_generate as vgen  # noqa: E402
from liveness_cases import cached_video  # noqa: E402
from testkit import chip_photo  # noqa: E402

BASE = "/api/v1/registrations"
FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"


def reader_record(photo: str, outlet: str = "Outlet A") -> dict[str, Any]:
    """A record whose chip photo is cut from ``photo``, signed now by ``outlet``'s test
    reader (``tests/support/reader_keys.py``)."""
    from reader_keys import signed

    return signed({"name": "欧巴马", "sex": "男", "ethnicity": "汉", "birth_date": "1961-08-04",
                   "address": "北京市东城区正义路2号", "id_number": "110101196108040018",
                   "issuing_authority": "北京市公安局东城分局", "valid_from": "2020-01-01",
                   "valid_until": "2040-01-01", "photo": chip_photo(photo)}, outlet)


def liveness_video(actions: list[str], colours: list[str], colour_ms: int) -> bytes:
    name = "flow_" + "_".join(actions) + "_" + "_".join(colours)

    def build() -> lgen.Clip:
        poses = lgen.timeline(actions, np.random.default_rng(5))
        poses = lgen.with_screen_light(poses, colours, colour_ms)
        return lgen.make_clip("face_recognition/obama.jpg", actions, 5, poses=poses)

    return cached_video(name, build).read_bytes()


def live_capture() -> bytes:
    clip = lgen.make_clip("face_recognition/obama.jpg", [], 9, poses=[lgen.Pose()])
    buf = io.BytesIO()
    Image.fromarray(clip.frames[0]).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def flow_api(api: Any) -> Any:
    """The API client (its challenges are seeded, so the generated media are cached)."""
    return api


def upper_body_photo() -> bytes:
    buf = io.BytesIO()
    Image.open(FACES / "face_recognition" / "obama.jpg").convert("RGB").save(buf, "JPEG")
    return buf.getvalue()


def _ok(r: Any, status: int = 200) -> dict[str, Any]:
    assert r.status_code == status, r.text
    return dict(r.json())


def _through_voice(api: Any, rid: str, chip_source: str) -> None:
    h = api.hdr("agent")
    doc = _ok(api.post(f"{BASE}/{rid}/document/reader-record", json=reader_record(chip_source),
                       headers=h))
    assert doc["status"] == "document_checked", doc

    live = _ok(api.post(f"{BASE}/{rid}/live-face", headers=h,
                        files={"file": ("live.png", live_capture(), "image/png")}))
    assert live["passed"] and live["status"] == "live_face_captured", live

    c = _ok(api.post(f"{BASE}/{rid}/liveness/challenge", headers=h), 201)
    video = liveness_video(c["actions"], c["screen_colours"], c["colour_ms"])
    lv = _ok(api.post(f"{BASE}/{rid}/liveness", headers=h, data={"nonce": c["nonce"]},
                      files={"video": ("l.mp4", video, "video/mp4")}))
    assert lv["passed"] and lv["status"] == "liveness_passed", lv

    v = _ok(api.post(f"{BASE}/{rid}/voice/challenge", json={"language": "en"}, headers=h), 201)
    digits = v["numerals"].replace(" ", "")
    speech = vgen.speak("en", digits, seed=3)
    talking = vgen.talking_video("face_recognition/obama.jpg", speech, seed=3).read_bytes()
    vr = _ok(api.post(f"{BASE}/{rid}/voice", headers=h, data={"nonce": v["nonce"]},
                      files={"audio": ("a.wav", vgen.encode(speech, "wav"), "audio/wav"),
                             "video": ("v.mp4", talking, "video/mp4")}))
    assert vr["passed"] and vr["status"] == "voice_passed", vr
    up = api.post(f"{BASE}/{rid}/evidence/upper_body", headers=h,
                  files={"file": ("u.jpg", upper_body_photo(), "image/jpeg")})
    assert up.status_code == 201, up.text


def test_genuine_customer_is_registered(flow_api: Any, new_registration: Any) -> None:
    api = flow_api
    rid = new_registration(service_kind="mobile", service_id="+8613800138000", language="en")
    _through_voice(api, rid, "face_recognition/obama2.jpg")
    m = _ok(api.post(f"{BASE}/{rid}/face-match", headers=api.hdr("agent")))
    assert m["passed"] and m["status"] == "face_matched", m
    assert "distance" not in str(m)
    reg = _ok(api.post(f"{BASE}/{rid}/register", json={}, headers=api.hdr("agent")))
    assert reg["status"] == "registered"

    # The record: every stage passed, evidence of each kind stored and readable by compliance.
    assert [s["stage"] for s in reg["stages"]] == ["document", "live_face", "liveness", "voice",
                                                   "face_match", "register"]
    kinds = {e["kind"] for e in reg["evidence"]}
    assert {"reader_record", "document_photo", "live_face", "liveness_video", "voice_audio",
            "voice_video", "upper_body"} <= kinds
    first = reg["evidence"][0]["id"]
    assert api.get(f"/api/v1/evidence/{first}", headers=api.hdr("compliance")).status_code == 200
    assert _ok(api.get("/api/v1/audit/verify", headers=api.hdr("auditor")))["intact"]


def test_impostor_is_rejected_at_the_match(flow_api: Any, new_registration: Any) -> None:
    api = flow_api
    rid = new_registration(service_kind="mobile", service_id="+8613800138001", language="en")
    _through_voice(api, rid, "face_recognition/biden.jpg")  # someone else's card
    m = _ok(api.post(f"{BASE}/{rid}/face-match", headers=api.hdr("agent")))
    assert not m["passed"] and m["status"] == "rejected", m
    r = api.post(f"{BASE}/{rid}/register", json={}, headers=api.hdr("agent"))
    assert r.status_code == 409
