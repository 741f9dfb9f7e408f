"""The two matchers behind :func:`simkyc.face.match_faces`, and how each prepares a face.

A *pipeline* is an embedding model (``"dlib"``: the 128-d dlib ResNet on a
150x150 dlib chip; ``"sface"``: the 128-d SFace on a 112x112 crop aligned on
YuNet's landmarks), the detector that found the face (``"hog"`` or ``"yunet"``;
SFace needs YuNet's landmarks) and a :class:`Preprocessing`. Its id, e.g.
``dlib_face_recognition_resnet_model_v1+hog+grey-refup150-refblur0.8-refmirror``,
is the ``model`` of every :class:`~simkyc.face.matching.FaceMatch`: the
threshold in ``FacePolicy`` was measured for exactly that pipeline
(``simkyc bench faces``; docs/face.md).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simkyc.face.detection import DetectedFace, face_chip, match_embedding, reference_chip
from simkyc.face.models import EMBEDDING_MODEL_ID, SFACE_MODEL_ID, YUNET_MODEL_ID, FaceModels

MODELS = ("dlib", "sface")
DETECTORS = ("hog", "yunet")


@dataclass(frozen=True)
class Preprocessing:
    """How faces are prepared before embedding (the reference once per session, the
    live frame every time).

    - ``grey``: both sides embedded from their luminance (document photos are often
      grey, faded or colour-cast).
    - ``reference_upscale_face_px``: a reference face narrower than this (pixels; 0:
      never) is upscaled bicubically to it before alignment.
    - ``reference_blur_sigma``: Gaussian sigma (pixels, on the aligned chip) smoothing
      the reference (JPEG blocks, halftone); 0: none.
    - ``reference_mirror`` / ``live_mirror``: the embedding is the mean of the chip's
      and its mirror image's (test-time augmentation; on the live side it costs a
      second embedding per frame).
    """

    grey: bool = True
    reference_upscale_face_px: int = 0
    reference_blur_sigma: float = 0.0
    reference_mirror: bool = False
    live_mirror: bool = False

    @property
    def id(self) -> str:
        parts = ["grey" if self.grey else "colour"]
        if self.reference_upscale_face_px:
            parts.append(f"refup{self.reference_upscale_face_px}")
        if self.reference_blur_sigma:
            parts.append(f"refblur{self.reference_blur_sigma:g}")
        if self.reference_mirror:
            parts.append("refmirror")
        if self.live_mirror:
            parts.append("livemirror")
        return "-".join(parts)


#: dlib's tuned preparation (issue 4's calibration, docs/face.md).
DLIB_PREPROCESSING = Preprocessing(grey=True, reference_upscale_face_px=150,
                                   reference_blur_sigma=0.8, reference_mirror=True)
#: SFace's tuned preparation (chosen by ``simkyc bench faces`` on the 12 tuning people:
#: lowest FNMR on chip and JPEG-q15 references among 14 variants; docs/face.md).
SFACE_PREPROCESSING = Preprocessing(grey=True, reference_upscale_face_px=0,
                                    reference_blur_sigma=0.6, reference_mirror=True)
DEFAULT_PREPROCESSING = {"dlib": DLIB_PREPROCESSING, "sface": SFACE_PREPROCESSING}
_MODEL_IDS = {"dlib": EMBEDDING_MODEL_ID, "sface": SFACE_MODEL_ID}
_DETECTOR_IDS = {"hog": "hog", "yunet": YUNET_MODEL_ID}


def check_pipeline(model: str, detector: str) -> None:
    """``ValueError`` unless ``model`` and ``detector`` can work together."""
    if model not in MODELS:
        raise ValueError(f"face model must be one of {MODELS}, not {model!r}")
    if detector not in DETECTORS:
        raise ValueError(f"face detector must be one of {DETECTORS}, not {detector!r}")
    if model == "sface" and detector != "yunet":
        raise ValueError("the SFace matcher needs the YuNet detector (its five landmarks)")


def pipeline_id(model: str, detector: str, prep: Preprocessing) -> str:
    """``<embedding model>+<detector>+<preprocessing>``, e.g.
    ``sface_2021dec_int8bq+yunet_2023mar_int8bq+grey-refblur0.6-refmirror``."""
    check_pipeline(model, detector)
    return f"{_MODEL_IDS[model]}+{_DETECTOR_IDS[detector]}+{prep.id}"


def embed_for_match(image: np.ndarray, face: DetectedFace, models: FaceModels, *,
                    model: str, role: str, prep: Preprocessing,
                    chip: np.ndarray | None = None) -> np.ndarray:
    """The unit-length matching embedding (float64) of one detected face.

    Args:
        image: the RGB image the face was found in.
        face: from :func:`~simkyc.face.detection.detect_faces` (for ``"sface"``,
            found with ``detector="yunet"``).
        model: ``"dlib"`` or ``"sface"``.
        role: ``"reference"`` (the reference options of ``prep`` apply) or ``"live"``.
        chip: the face's 150x150 dlib chip if already made (the quality gate makes it).
    """
    from simkyc.face.sface import sface_crop, sface_embedding

    reference = role == "reference"
    mirror = prep.reference_mirror if reference else prep.live_mirror
    if model == "dlib":
        if reference:
            c = reference_chip(image, face, models, upscale_face_px=prep.reference_upscale_face_px,
                               blur_sigma=prep.reference_blur_sigma)
        else:
            c = chip if chip is not None else face_chip(image, face, models)
        chips = [c, c[:, ::-1]] if mirror else [c]
        return match_embedding(chips, models, grey=prep.grey)
    if model == "sface":
        import cv2

        c = sface_crop(image, face, models,
                       upscale_face_px=prep.reference_upscale_face_px if reference else 0)
        if reference and prep.reference_blur_sigma:
            c = cv2.GaussianBlur(c, (0, 0), prep.reference_blur_sigma)
        crops = [c, np.ascontiguousarray(c[:, ::-1])] if mirror else [c]
        return sface_embedding(crops, models, grey=prep.grey)
    raise ValueError(f"face model must be one of {MODELS}, not {model!r}")


__all__ = [
    "DEFAULT_PREPROCESSING",
    "DETECTORS",
    "DLIB_PREPROCESSING",
    "MODELS",
    "SFACE_PREPROCESSING",
    "Preprocessing",
    "check_pipeline",
    "embed_for_match",
    "pipeline_id",
]
