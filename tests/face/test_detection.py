"""Detection, alignment and embedding with the real dlib models."""

from __future__ import annotations

import numpy as np
import pytest

from simkyc.face.detection import (
    CHIP_SIZE,
    detect_faces,
    detection_scale,
    embed_chip,
    embed_face,
    face_chip,
    face_distance,
)


def test_detection_scale_upsamples_small_and_shrinks_large_images():
    assert detection_scale((126, 102, 3), small_side=400, max_side=960) == 2.0
    assert detection_scale((480, 640, 3), small_side=400, max_side=960) == 1.0
    assert detection_scale((3000, 2000, 3), small_side=400, max_side=960) == pytest.approx(0.32)


def test_one_face_with_five_landmarks_in_image_pixels(face_models, fr_photo):
    img = fr_photo("obama.jpg")
    (face,) = detect_faces(img, face_models)
    assert len(face.landmarks) == 5
    b = face.box
    assert 200 < b.width < 320 and b.score > 0
    for x, y in face.landmarks:
        assert b.left <= x <= b.right and b.top <= y <= b.bottom


def test_large_image_box_is_mapped_back_to_full_resolution(face_models):
    from pathlib import Path

    from simkyc.media.images import read_image_file

    img = read_image_file(Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
                          / "faces" / "deepface-pairs" / "img13.jpg")  # 2048x1364
    (face,) = detect_faces(img, face_models, max_side=960)
    assert face.box.width > 400  # measured on a 960 px copy, reported in source pixels


def test_tiny_chip_photo_found_thanks_to_upsampling(face_models, fr_photo):
    from simkyc.face.degrade import id_photo_crop

    (face,) = detect_faces(fr_photo("obama.jpg"), face_models)
    chip_photo = id_photo_crop(fr_photo("obama.jpg"), face.box)  # 102x126, face ~63 px wide
    assert chip_photo.shape == (126, 102, 3)
    (upsampled,) = detect_faces(chip_photo, face_models)
    assert 50 <= upsampled.box.width <= 80


def test_embedding_of_the_chip_equals_dlibs_own_alignment(face_models, fr_photo):
    import dlib

    img = fr_photo("obama.jpg")
    (face,) = detect_faces(img, face_models)
    chip = face_chip(img, face, face_models)
    assert chip.shape == (CHIP_SIZE, CHIP_SIZE, 3)
    b = face.box
    shape = face_models.shape_predictor(img, dlib.rectangle(b.left, b.top, b.right, b.bottom))
    direct = np.asarray(face_models.encoder.compute_face_descriptor(img, shape))
    assert face_distance(embed_chip(chip, face_models), direct) < 1e-6


def test_same_person_is_close_and_different_people_are_far(face_models, fr_photo):
    def emb(name: str) -> np.ndarray:
        img = fr_photo(name)
        return embed_face(img, detect_faces(img, face_models)[0], face_models)

    obama, obama3, biden = emb("obama.jpg"), emb("obama3.jpg"), emb("biden.jpg")
    assert obama.shape == (128,)
    assert face_distance(obama, obama3) < 0.5
    assert face_distance(obama, biden) > 0.7


def test_embed_chip_refuses_wrong_shape(face_models):
    with pytest.raises(ValueError, match="150x150"):
        embed_chip(np.zeros((100, 100, 3), np.uint8), face_models)


def test_grey_input_accepted(face_models, fr_photo):
    grey = fr_photo("obama_small.jpg").mean(axis=2).astype(np.uint8)
    assert len(detect_faces(grey, face_models)) == 1
