"""The face steps over HTTP: live capture quality gate, then the 1:1 match with the
document photo."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from testkit import load_test_module

from simkyc.domain.evidence import EvidenceKind

BASE = "/api/v1/registrations"
REPO = Path(__file__).resolve().parents[2]
FR = REPO / ".." / "shared" / "data" / "faces" / "face_recognition"


def _gen() -> Any:
    return load_test_module("media/face_generate.py", "face_generate")


@pytest.fixture(scope="session")
def face_models_api() -> Any:
    from simkyc.face.models import load_face_models

    return load_face_models()


@pytest.fixture
def face_api(api: Any, face_models_api: Any) -> Any:
    api.app.state.models.put("face", face_models_api)
    return api


def _png(path: Path) -> bytes:
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.asarray(Image.open(path).convert("RGB"))).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def with_document_photo(api: Any, advance: Any) -> Any:
    """The document step's result (its own tests run it): ``photo`` as the reference."""

    def record(rid: str, photo: Path) -> None:
        advance(api.ctx, api.actor("agent"), rid, "document", subject=f"CHN/{rid}",
                evidence=((EvidenceKind.DOCUMENT_PHOTO, "image/png", _png(photo)),))

    return record


@pytest.fixture
def through_voice(api: Any, advance: Any) -> Any:
    """Liveness (whose chosen frame, ``live_frame``, is the match's live face) and voice."""

    def record(rid: str, live_frame: Path) -> None:
        agent = api.actor("agent")
        advance(api.ctx, agent, rid, "liveness",
                evidence=((EvidenceKind.LIVE_FACE, "image/png", _png(live_frame)),))
        advance(api.ctx, agent, rid, "voice")

    return record


def _live(api: Any, rid: str, path: Path) -> Any:
    return api.post(f"{BASE}/{rid}/live-face", headers=api.hdr("agent"),
                    files={"file": (path.name, path.read_bytes(), "image/jpeg")})


def test_live_face_gate_then_match(face_api: Any, new_registration: Any,
                                   with_document_photo: Any, through_voice: Any) -> None:
    rid = new_registration(language="cmn")
    with_document_photo(rid, _gen().chip_reference(FR / "obama.jpg"))

    r = _live(face_api, rid, FR / "two_people.jpg")
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passed"] is False and body["reasons"] == ["multiple_faces"]
    assert body["status"] == "document_checked"  # the customer may try again
    assert "人脸" in body["messages"][0]  # in the customer's language (cmn: zh-Hans)
    assert "distance" not in r.text and "value" not in r.text

    r = _live(face_api, rid, FR / "obama_small.jpg")
    body = r.json()
    assert body["passed"] is True and body["status"] == "live_face_captured", body

    r = face_api.post(f"{BASE}/{rid}/face-match", headers=face_api.hdr("agent"))
    assert r.status_code == 409  # the match comes after liveness and voice

    through_voice(rid, FR / "obama_small.jpg")
    r = face_api.post(f"{BASE}/{rid}/face-match", headers=face_api.hdr("agent"))
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {"stage": "face_match", "passed": True, "reasons": [], "messages": [],
                    "status": "face_matched"}
    view = face_api.get(f"{BASE}/{rid}", headers=face_api.hdr("agent")).json()
    kinds = [e["kind"] for e in view["evidence"]]
    # The refused capture was not kept: the accepted capture and the liveness frame.
    assert kinds.count("live_face") == 2


def test_face_of_someone_else_rejects(face_api: Any, new_registration: Any,
                                      with_document_photo: Any, through_voice: Any) -> None:
    rid = new_registration(language="en")
    with_document_photo(rid, _gen().chip_reference(FR / "biden.jpg"))
    assert _live(face_api, rid, FR / "obama_small.jpg").json()["passed"] is True
    through_voice(rid, FR / "obama_small.jpg")
    r = face_api.post(f"{BASE}/{rid}/face-match", headers=face_api.hdr("agent"))
    body = r.json()
    assert body["passed"] is False and body["status"] == "rejected"
    assert body["reasons"] == ["face_mismatch"]
    assert body["messages"] == ["The face does not match the document photo."]
    assert "distance" not in r.text and "threshold" not in r.text


def test_live_face_refuses_non_images_and_wrong_status(face_api: Any, new_registration: Any,
                                                       with_document_photo: Any) -> None:
    rid = new_registration()
    r = _live(face_api, rid, FR / "obama_small.jpg")  # no document yet
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"
    with_document_photo(rid, _gen().chip_reference(FR / "obama.jpg"))
    r = face_api.post(f"{BASE}/{rid}/live-face", headers=face_api.hdr("agent"),
                      files={"file": ("x.jpg", b"plain text, not a picture", "image/jpeg")})
    assert r.status_code == 415 and r.json()["error"] == "unsupported_media_type"
