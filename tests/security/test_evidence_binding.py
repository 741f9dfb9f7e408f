"""Evidence substitution (issue 11, critical): the faces compared are the ones the steps made.

The attack that was seen: a registration whose card-reader record belongs to
person A, performed at the counter by person B. The agent uploaded a photo of
B as ``document_photo`` (or a still of A as ``live_face``) and the match
compared "the latest item of each kind", so B was registered in A's name.
Now (1) no step-produced kind can be uploaded, and (2) even evidence that gets
into the store some other way cannot take the place of the bound items: the
match uses the document photo the document step extracted and the frame the
liveness step chose.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "api"))

from test_full_flow import BASE, FACES, _ok, _through_voice  # noqa: E402

from simkyc.domain.evidence import EvidenceKind  # noqa: E402
from simkyc.services.evidence import NewEvidence, write_items  # noqa: E402


def _jpeg(name: str) -> bytes:
    buf = io.BytesIO()
    Image.open(FACES / name).convert("RGB").save(buf, "JPEG", quality=90)
    return buf.getvalue()


@pytest.mark.parametrize("kind", ["document_photo", "live_face", "liveness_video",
                                  "voice_audio", "voice_video", "reader_record",
                                  "document_image"])
def test_step_evidence_cannot_be_uploaded(api: Any, new_registration: Any, kind: str) -> None:
    rid = new_registration()
    r = api.post(f"{BASE}/{rid}/evidence/{kind}", headers=api.hdr("agent"),
                 files={"file": ("p.jpg", _jpeg("face_recognition/obama.jpg"), "image/jpeg")})
    assert r.status_code in (400, 422), r.text
    view = _ok(api.get(f"{BASE}/{rid}", headers=api.hdr("agent")))
    assert view["evidence"] == []


@pytest.mark.parametrize("kind,photo", [
    # B (Obama, at the counter) as the "document photo" of A's (Biden's) registration.
    (EvidenceKind.DOCUMENT_PHOTO, "face_recognition/obama2.jpg"),
    # A still photo of A as the "live face".
    (EvidenceKind.LIVE_FACE, "face_recognition/biden.jpg"),
])
def test_substituted_face_does_not_decide_the_match(api: Any, new_registration: Any,
                                                    kind: EvidenceKind, photo: str) -> None:
    rid = new_registration(service_kind="mobile", service_id="+8613800138009", language="en")
    _through_voice(api, rid, "face_recognition/biden.jpg")  # A's card, B at the counter
    # Evidence of the decisive kind slipped into the store after the steps, by whatever path.
    with api.ctx.uow() as tx:
        reg = tx.registrations.get(registration_id=rid)
        write_items(api.ctx, tx, reg, [NewEvidence(kind, "image/jpeg", _jpeg(photo))], [])
    m = _ok(api.post(f"{BASE}/{rid}/face-match", headers=api.hdr("agent")))
    assert not m["passed"] and m["status"] == "rejected", m
    assert "face_mismatch" in m["reasons"]
