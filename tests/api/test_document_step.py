"""The document step over HTTP: image or reader record, evidence, status, bad input."""

from __future__ import annotations

import base64
import io
from pathlib import Path
from typing import Any

import pytest
from reader_keys import signed
from testkit import load_test_module

from simkyc.domain.evidence import EvidenceKind

BASE = "/api/v1/registrations"
REPO = Path(__file__).resolve().parents[2]
FACES = REPO / ".." / "shared" / "data" / "faces"


def _generator() -> Any:
    return load_test_module("media/doc_generate.py", "doc_generate")


@pytest.fixture(scope="session")
def document_models() -> Any:
    from simkyc.document import load_document_models

    return load_document_models()


@pytest.fixture
def doc_api(api: Any, document_models: Any) -> Any:
    """The API client with the document models already in its cache (loaded once a session)."""
    api.app.state.models.put("document", document_models)
    return api


@pytest.fixture(scope="session")
def unsigned_record() -> dict[str, Any]:
    from PIL import Image

    im = Image.open(FACES / "face_recognition" / "obama_small.jpg").convert("RGB")
    im.thumbnail((102, 126))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return {
        "name": "王伟", "sex": "女", "ethnicity": "汉", "birth_date": "1949-12-31",
        "address": "北京市朝阳区建国路88号", "id_number": "11010519491231002X",
        "issuing_authority": "北京市公安局朝阳分局", "valid_from": "2015-03-01",
        "valid_until": "2035-03-01", "photo": base64.b64encode(buf.getvalue()).decode(),
    }


def _view(api: Any, rid: str) -> dict[str, Any]:
    return dict(api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json())


def test_document_image_checked_and_stored(doc_api: Any, new_registration: Any) -> None:
    path, _ = _generator().write_document("cn-id-front", 0)
    rid = new_registration()
    r = doc_api.post(f"{BASE}/{rid}/document", headers=doc_api.hdr("agent"),
                     files={"file": ("front.jpg", path.read_bytes(), "image/jpeg")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body == {"stage": "document", "kind": "cn-id-front", "passed": True, "reasons": [],
                    "messages": [], "photo_found": True, "status": "document_checked"}
    view = _view(doc_api, rid)
    assert view["status"] == "document_checked"
    assert view["stages"] == [{"stage": "document", "passed": True, "reasons": []}]
    kinds = sorted(e["kind"] for e in view["evidence"])
    assert kinds == [EvidenceKind.DOCUMENT_IMAGE.value, EvidenceKind.DOCUMENT_PHOTO.value,
                     EvidenceKind.IDENTITY_FIELDS.value]
    # Stored encrypted: the evidence file does not contain the image bytes in clear.
    photo_id = next(e["id"] for e in view["evidence"]
                    if e["kind"] == EvidenceKind.DOCUMENT_PHOTO.value)
    ref_photo = doc_api.get(f"/api/v1/evidence/{photo_id}", headers=doc_api.hdr("compliance"))
    assert ref_photo.status_code == 200 and ref_photo.content[:8] == b"\x89PNG\r\n\x1a\n"
    stored = list(Path(doc_api.app.state.settings.evidence_dir).rglob("*"))
    blobs = [p.read_bytes() for p in stored if p.is_file()]
    assert blobs and not any(path.read_bytes()[:64] in b for b in blobs)


def test_wrong_check_digit_rejects_registration(doc_api: Any, new_registration: Any) -> None:
    path, _ = _generator().write_document("cn-id-front", 0, tamper=True)
    rid = new_registration()
    r = doc_api.post(f"{BASE}/{rid}/document", headers=doc_api.hdr("agent"),
                     data={"kind": "cn-id-front"},
                     files={"file": ("front.jpg", path.read_bytes(), "image/jpeg")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passed"] is False and body["status"] == "rejected"
    assert "id_number_checksum" in body["reasons"]
    assert _view(doc_api, rid)["reasons"] == body["reasons"]


@pytest.fixture
def record(unsigned_record: dict[str, Any]) -> dict[str, Any]:
    """The record signed now by Outlet A's test reader (each test gets a fresh signature)."""
    return signed(unsigned_record)


def test_reader_record(doc_api: Any, new_registration: Any, record: dict[str, Any]) -> None:
    rid = new_registration()
    r = doc_api.post(f"{BASE}/{rid}/document/reader-record", headers=doc_api.hdr("agent"),
                     json=record)
    assert r.status_code == 200, r.text
    assert r.json()["passed"] is True and r.json()["status"] == "document_checked"
    kinds = sorted(e["kind"] for e in _view(doc_api, rid)["evidence"])
    assert kinds == [EvidenceKind.DOCUMENT_PHOTO.value, EvidenceKind.IDENTITY_FIELDS.value,
                     EvidenceKind.READER_RECORD.value]
    # A second document for a checked registration is an illegal move (409), nothing stored.
    r = doc_api.post(f"{BASE}/{rid}/document/reader-record", headers=doc_api.hdr("agent"),
                     json=record)
    assert r.status_code == 409


def test_expired_reader_record_rejected(doc_api: Any, new_registration: Any,
                                        unsigned_record: dict[str, Any]) -> None:
    rid = new_registration()
    expired = signed({**unsigned_record, "valid_from": "2005-01-01", "valid_until": "2015-01-01"})
    r = doc_api.post(f"{BASE}/{rid}/document/reader-record", headers=doc_api.hdr("agent"),
                     json=expired)
    assert r.status_code == 200
    assert r.json()["status"] == "rejected" and r.json()["reasons"] == ["document_expired"]


@pytest.mark.parametrize(
    ("change", "status", "message"),
    [
        ({"photo": None}, 400, "no chip photo"),
        ({"photo": base64.b64encode(b"GIF89a not really an image").decode()}, 400, "chip photo"),
        ({"id_number": "12"}, 400, "id_number"),
    ],
)
def test_bad_reader_records_change_nothing(doc_api: Any, new_registration: Any,
                                           unsigned_record: dict[str, Any],
                                           change: dict[str, Any],
                                           status: int, message: str) -> None:
    rid = new_registration()
    body = signed({k: v for k, v in {**unsigned_record, **change}.items() if v is not None})
    r = doc_api.post(f"{BASE}/{rid}/document/reader-record", headers=doc_api.hdr("agent"),
                     json=body)
    assert r.status_code == status and message in r.json()["detail"]
    view = _view(doc_api, rid)
    assert view["status"] == "started" and view["evidence"] == []


def test_bad_images(doc_api: Any, new_registration: Any) -> None:
    from PIL import Image

    rid = new_registration()
    hdr = doc_api.hdr("agent")
    r = doc_api.post(f"{BASE}/{rid}/document", headers=hdr,
                     files={"file": ("a.txt", b"plain text, not an image", "image/jpeg")})
    assert r.status_code == 415
    path, _ = _generator().write_document("cn-id-front", 0)
    data = path.read_bytes()
    r = doc_api.post(f"{BASE}/{rid}/document", headers=hdr,
                     files={"file": ("t.jpg", data[: len(data) // 3], "image/jpeg")})
    assert r.status_code == 400 and "truncated" in r.json()["detail"]
    buf = io.BytesIO()
    Image.new("RGB", (640, 400), (190, 190, 190)).save(buf, "PNG")
    r = doc_api.post(f"{BASE}/{rid}/document", headers=hdr,
                     files={"file": ("blank.png", buf.getvalue(), "image/png")})
    assert r.status_code == 400 and "no text" in r.json()["detail"]
    r = doc_api.post(f"{BASE}/{rid}/document", headers=hdr, data={"kind": "visa"},
                     files={"file": ("blank.png", buf.getvalue(), "image/png")})
    assert r.status_code == 422
    view = _view(doc_api, rid)
    assert view["status"] == "started" and view["evidence"] == []


def test_other_outlet_cannot_use_the_step(doc_api: Any, new_registration: Any,
                                          record: dict[str, Any]) -> None:
    rid = new_registration()
    r = doc_api.post(f"{BASE}/{rid}/document/reader-record",
                     headers=doc_api.hdr("other_agent"), json=record)
    assert r.status_code == 404
    r = doc_api.post(f"{BASE}/{rid}/document/reader-record", json=record)
    assert r.status_code == 401
