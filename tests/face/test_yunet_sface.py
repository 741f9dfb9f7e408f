"""YuNet detection and SFace embeddings with the real packaged models."""

from __future__ import annotations

import numpy as np
import pytest

from simkyc.face.detection import detect_faces, face_distance
from simkyc.face.pipelines import (
    DEFAULT_PREPROCESSING,
    Preprocessing,
    check_pipeline,
    embed_for_match,
    pipeline_id,
)
from simkyc.face.sface import SFACE_SIZE, sface_crop, sface_embedding
from simkyc.face.yunet import detect_yunet, hog_like_box


def test_yunet_row_has_box_five_landmarks_and_score(face_models, fr_photo):
    img = fr_photo("obama.jpg")
    rows = detect_yunet(img, face_models, min_score=0.8)
    assert rows.shape == (1, 15)
    x, y, w, h = rows[0, :4]
    assert 150 < w < 350 and 0.8 <= rows[0, 14] <= 1.0
    for px, py in rows[0, 4:14].reshape(5, 2):
        assert x <= px <= x + w and y <= py <= y + h


def test_hog_like_box_agrees_with_hog(face_models, fr_photo):
    img = fr_photo("obama.jpg")
    (hog,) = detect_faces(img, face_models, detector="hog")
    (yn,) = detect_faces(img, face_models, detector="yunet", min_score=0.8)
    a, b = hog.box, yn.box
    inter = (max(0, min(a.right, b.right) - max(a.left, b.left))
             * max(0, min(a.bottom, b.bottom) - max(a.top, b.top)))
    assert inter / (a.width * a.height + b.width * b.height - inter) > 0.7
    assert yn.yunet is not None and len(yn.yunet) == 15 and hog.yunet is None
    assert len(yn.landmarks) == 5  # dlib's five points, run on the HOG-like box
    assert (b.left, b.top, b.right, b.bottom) == hog_like_box(np.array(yn.yunet))


def test_yunet_finds_the_face_of_a_chip_photo(face_models, fr_photo):
    from simkyc.face.degrade import id_photo_crop

    (hog,) = detect_faces(fr_photo("obama.jpg"), face_models)
    chip = id_photo_crop(fr_photo("obama.jpg"), hog.box)
    for small_side in (0, 400):  # native size and upsampled x2
        (face,) = detect_faces(chip, face_models, detector="yunet", small_side=small_side,
                               min_score=0.8)
        assert 45 <= face.box.width <= 85


def test_unknown_detector_is_refused(face_models, fr_photo):
    with pytest.raises(ValueError, match="detector"):
        detect_faces(fr_photo("obama_small.jpg"), face_models, detector="mtcnn")


def test_sface_same_person_close_different_far(face_models, fr_photo):
    def emb(name: str) -> np.ndarray:
        img = fr_photo(name)
        face = detect_faces(img, face_models, detector="yunet", min_score=0.8)[0]
        crop = sface_crop(img, face, face_models)
        assert crop.shape == (SFACE_SIZE, SFACE_SIZE, 3) and crop.dtype == np.uint8
        return sface_embedding([crop], face_models)

    obama, obama3, biden = emb("obama.jpg"), emb("obama3.jpg"), emb("biden.jpg")
    assert obama.shape == (128,) and abs(np.linalg.norm(obama) - 1) < 1e-9
    assert face_distance(obama, obama3) < face_distance(obama, biden)
    assert face_distance(obama, biden) > 1.1


def test_sface_needs_a_yunet_face(face_models, fr_photo):
    img = fr_photo("obama.jpg")
    (hog,) = detect_faces(img, face_models, detector="hog")
    with pytest.raises(ValueError, match="YuNet"):
        sface_crop(img, hog, face_models)
    with pytest.raises(ValueError, match="YuNet"):
        check_pipeline("sface", "hog")


def test_reference_preprocessing_changes_the_reference_only(face_models, fr_photo):
    img = fr_photo("obama_small.jpg")
    face = detect_faces(img, face_models, detector="yunet", min_score=0.8)[0]
    plain = Preprocessing(grey=True)
    mirrored = Preprocessing(grey=True, reference_mirror=True, reference_blur_sigma=0.6)
    live_a = embed_for_match(img, face, face_models, model="sface", role="live", prep=plain)
    live_b = embed_for_match(img, face, face_models, model="sface", role="live", prep=mirrored)
    ref_b = embed_for_match(img, face, face_models, model="sface", role="reference",
                            prep=mirrored)
    assert face_distance(live_a, live_b) < 1e-9
    assert 1e-6 < face_distance(live_a, ref_b) < 0.5


def test_pipeline_ids_name_model_detector_and_preprocessing():
    assert pipeline_id("sface", "yunet", Preprocessing(grey=True, reference_mirror=True)) == (
        "sface_2021dec_int8bq+yunet_2023mar_int8bq+grey-refmirror")
    assert pipeline_id("dlib", "hog", DEFAULT_PREPROCESSING["dlib"]) == (
        "dlib_face_recognition_resnet_model_v1+hog+grey-refup150-refblur0.8-refmirror")
    assert Preprocessing(grey=False, live_mirror=True).id == "colour-livemirror"
