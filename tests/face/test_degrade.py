"""ID-photo degradations used by the benchmark: sizes, determinism, and that they degrade."""

from __future__ import annotations

import numpy as np
import pytest

from simkyc.face.degrade import CHIP_PHOTO_SIZE, DEGRADATIONS, id_photo_crop, jpeg
from simkyc.face.detection import detect_faces


@pytest.fixture(scope="module")
def obama_box(face_models, fr_photo):
    return detect_faces(fr_photo("obama.jpg"), face_models)[0].box


@pytest.mark.parametrize("name", sorted(DEGRADATIONS))
def test_degradation_is_seeded_and_keeps_one_face(name, obama_box, fr_photo, face_models):
    img = fr_photo("obama.jpg")
    a = DEGRADATIONS[name](img, obama_box, np.random.default_rng(7))
    b = DEGRADATIONS[name](img, obama_box, np.random.default_rng(7))
    assert a.dtype == np.uint8 and a.ndim == 3
    assert np.array_equal(a, b)
    assert len(detect_faces(a, face_models)) == 1


def test_chip_crop_has_the_chip_photo_size_and_pads_outside(obama_box, fr_photo):
    chip = id_photo_crop(fr_photo("obama.jpg"), obama_box)
    assert chip.shape[1::-1] == CHIP_PHOTO_SIZE
    edge = id_photo_crop(fr_photo("obama_partial_face.jpg"), obama_box)  # box runs off the image
    assert edge.shape == chip.shape


def test_strong_jpeg_loses_detail(fr_photo):
    img = fr_photo("obama_small.jpg")
    assert np.abs(jpeg(img, 10).astype(int) - img).mean() > 2
