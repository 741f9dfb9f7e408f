"""The quality gate on real photos (and variants made from them by tests/media/face_generate.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simkyc.face.quality import FaceQuality, assess_face_quality
from simkyc.i18n import SUPPORTED_LANGUAGES, reason_text
from simkyc.media.images import read_image_file

FACE_DATA = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"
FR = FACE_DATA / "face_recognition"
DF = FACE_DATA / "deepface-pairs"


def _assess(img: np.ndarray, models: Any, policy: Any, mesh: Any,
            role: str = "live") -> FaceQuality:
    return assess_face_quality(img, models, policy=policy, mesh=mesh,
                               role=role)  # type: ignore[arg-type]


def _check(q: FaceQuality, name: str) -> Any:
    return next(c for c in q.checks if c.name == name)


def test_good_frontal_photo_passes_every_check(face_models, face_policy, face_mesh, fr_photo):
    q = _assess(fr_photo("obama.jpg"), face_models, face_policy, face_mesh)
    assert q.passed and q.reasons == ()
    assert q.faces_found == 1 and q.face is not None
    names = [c.name for c in q.checks]
    assert names == ["faces_found", "face_size", "face_in_frame", "brightness", "sharpness",
                     "yaw", "pitch", "eyes_open"]
    assert all(c.passed for c in q.checks)
    assert _check(q, "face_size").value >= face_policy.live_min_face_px
    assert abs(_check(q, "yaw").value) < 10


def test_two_people_refused_with_the_reason(face_models, face_policy, face_mesh, fr_photo):
    q = _assess(fr_photo("two_people.jpg"), face_models, face_policy, face_mesh)
    assert not q.passed and not q.decidable
    assert q.faces_found == 2
    assert q.reasons == ("multiple_faces",)
    assert "one face" in q.messages("en")[0] and "人脸" in q.messages("zh-Hans")[0]
    assert "人脸" in q.to_dict()["messages"]["multiple_faces"]["zh-Hans"]


def test_many_people_selfie_counts_them(face_models, face_policy, face_mesh):
    q = _assess(read_image_file(DF / "selfie-many-people.jpg"), face_models, face_policy, face_mesh)
    assert q.reasons == ("multiple_faces",) and q.faces_found >= 3


def test_no_face(face_models, face_policy, face_mesh, fr_photo):
    flag_and_suit = np.ascontiguousarray(fr_photo("obama.jpg")[650:, :400])
    q = _assess(flag_and_suit, face_models, face_policy, face_mesh)
    assert q.faces_found == 0 and q.reasons == ("no_face",) and q.face is None


def test_partial_face_is_cut_off(face_models, face_policy, face_mesh, fr_photo):
    q = _assess(fr_photo("obama_partial_face.jpg"), face_models, face_policy, face_mesh)
    assert "face_cut_off" in q.reasons
    assert _check(q, "face_in_frame").value > face_policy.max_face_outside_fraction


@pytest.mark.parametrize(
    ("variant", "reason"),
    [
        ("obama_tiny.png", "face_too_small"),
        ("obama_dark.png", "face_too_dark"),
        ("obama_overexposed.png", "face_too_bright"),
        ("obama_blurred.png", "face_blurry"),
        ("obama_eyes_closed.png", "eyes_closed"),
    ],
)
def test_generated_variant_fails_with_its_reason(variant, reason, face_models, face_policy,
                                                 face_mesh, face_gen):
    q = _assess(read_image_file(face_gen.variant(variant)), face_models, face_policy, face_mesh)
    assert q.faces_found == 1
    assert reason in q.reasons, q.to_dict()
    assert q.reasons[0] == reason  # the most useful instruction comes first


def test_turned_head(face_models, face_policy, face_mesh, fr_photo):
    q = _assess(fr_photo("kit_harington_john2.jpeg"), face_models, face_policy,
                face_mesh)
    assert "head_turned" in q.reasons
    assert abs(_check(q, "yaw").value) > face_policy.max_yaw_deg


def test_tilted_head(face_models, face_policy, face_mesh):
    """No photo in the data is tilted past the default 25 deg, so the check is shown on
    img23.jpg (a real photo, chin raised about 16 deg) under a stricter 10 deg policy."""
    import dataclasses

    img = read_image_file(DF / "img23.jpg")
    relaxed = _assess(img, face_models, face_policy, face_mesh)
    assert "head_tilted" not in relaxed.reasons
    pitch = _check(relaxed, "pitch").value
    assert 10 < abs(pitch) <= face_policy.max_pitch_deg
    strict = dataclasses.replace(face_policy, max_pitch_deg=10.0)
    q = _assess(img, face_models, strict, face_mesh)
    assert "head_tilted" in q.reasons and "head_turned" not in q.reasons


def test_reference_role_is_lenient_for_chip_photos(face_models, face_policy, face_mesh, face_gen):
    chip = read_image_file(face_gen.id_card_reference(FR / "obama.jpg"))
    assert chip.shape == (126, 102, 3)
    as_reference = _assess(chip, face_models, face_policy, face_mesh, role="reference")
    assert as_reference.passed, as_reference.to_dict()
    assert {c.name for c in as_reference.checks}.isdisjoint({"yaw", "pitch", "eyes_open"})
    as_live = _assess(chip, face_models, face_policy, face_mesh, role="live")
    assert "face_too_small" in as_live.reasons


def test_without_a_mesh_one_is_opened(face_models, face_policy, fr_photo):
    q = assess_face_quality(fr_photo("obama.jpg"), face_models, policy=face_policy)
    assert q.passed and any(c.name == "eyes_open" for c in q.checks)


def test_video_mesh_reused_across_frames(face_models, face_policy, face_gen):
    """Liveness reuses the gate on video frames with one tracking mesh per video."""
    from simkyc.face.models import open_face_mesh

    frame = read_image_file(face_gen.variant("obama_640x480.png"))
    with open_face_mesh(static_image_mode=False) as mesh:
        results = [assess_face_quality(frame, face_models, policy=face_policy, mesh=mesh)
                   for _ in range(3)]
    assert all(r.passed for r in results)


def test_unknown_role_is_a_programming_error(face_models, face_policy, fr_photo):
    with pytest.raises(ValueError, match="role"):
        assess_face_quality(fr_photo("obama.jpg"), face_models, policy=face_policy,
                            role="passport")  # type: ignore[arg-type]


def test_every_reason_has_a_customer_message():
    reasons = {"no_face", "multiple_faces", "face_too_small", "face_cut_off", "face_blurry",
               "face_too_dark", "face_too_bright", "head_turned", "head_tilted", "eyes_closed",
               "face_not_clear"}
    for code in reasons:  # from the one message catalogue, in every language
        for lang in SUPPORTED_LANGUAGES:
            assert reason_text(code, lang) != code, (code, lang)


def test_quality_is_frozen(face_models, face_policy, face_mesh, fr_photo):
    q = _assess(fr_photo("obama_small.jpg"), face_models, face_policy, face_mesh)
    with pytest.raises(AttributeError):
        q.passed = False  # type: ignore[misc]


def test_grey_frame_is_assessed_like_colour(face_models, face_policy, face_mesh, fr_photo):
    grey = fr_photo("obama_small.jpg").mean(axis=2).astype(np.uint8)
    q = _assess(grey, face_models, face_policy, face_mesh)
    assert q.passed and q.faces_found == 1


def test_not_an_image_array_is_a_programming_error(face_models, face_policy):
    with pytest.raises(ValueError, match="RGB"):
        assess_face_quality(np.zeros((40, 40, 4), np.float32), face_models, policy=face_policy)
