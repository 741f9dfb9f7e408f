"""YuNet face detection (OpenCV Zoo, five landmarks) on a working copy of the image.

YuNet is fed the photo shrunk to a 640-px longer side: on full-size photos it
gives weak or duplicate boxes. It returns, per face, one row of 15 numbers
(OpenCV's layout, which ``cv2.FaceRecognizerSF.alignCrop`` takes as is):

    x, y, w, h, right eye x, y, left eye x, y, nose tip x, y,
    right mouth corner x, y, left mouth corner x, y, score (0..1)

("right eye" is the person's right, on the image's left). Coordinates here are
in the source image's pixels.

YuNet's box runs from forehead to chin, taller than dlib's HOG box; the
quality gate's size limits and dlib's 5-point shape predictor were set on HOG
boxes, so :func:`hog_like_box` turns a YuNet face into the box HOG would have
drawn: square, centred on the five landmarks' centroid, as wide as the mean of
2.32 x the eye-to-mouth distance and 1.09 x YuNet's width (the mean ratios of
HOG's width to each on the 76 photos of the bench). Against HOG's own boxes on
those photos: IoU median 0.85 (min 0.65), width ratio 1.01 +- 0.08
(``simkyc bench faces``, detector study).
"""

from __future__ import annotations

import cv2
import numpy as np

from simkyc.domain.errors import ConfigurationError
from simkyc.face.models import FaceModels

#: Longer side (pixels) of YuNet's working copy for images larger than this.
YUNET_MAX_SIDE = 640
#: HOG box width per eye-to-mouth distance, and per YuNet box width (see module doc).
HOG_WIDTH_PER_EYE_MOUTH = 2.32
HOG_WIDTH_PER_YUNET_WIDTH = 1.09


def detect_yunet(rgb: np.ndarray, models: FaceModels, *, max_side: int = YUNET_MAX_SIDE,
                 small_side: int = 0, min_score: float = 0.5) -> np.ndarray:
    """YuNet faces as an (n, 15) float array in ``rgb``'s pixels, best score first.

    The working copy is downscaled (INTER_AREA) to ``max_side`` when larger, and
    upscaled x2 (bicubic) when its longer side is under ``small_side`` (0: never).
    Faces scoring below ``min_score`` are dropped.
    """
    if models.yunet is None:
        raise ConfigurationError("the policy needs YuNet, but the models were loaded without "
                                 "it: use load_face_models(opencv_models=True)")
    h, w = rgb.shape[:2]
    longer = max(h, w)
    scale = 1.0
    if longer > max_side:
        scale = max_side / longer
    elif small_side and longer < small_side:
        scale = 2.0
    bgr = cv2.cvtColor(rgb, cv2.COLOR_RGB2BGR)
    if scale != 1.0:
        size = (max(1, round(w * scale)), max(1, round(h * scale)))
        bgr = cv2.resize(bgr, size, interpolation=cv2.INTER_AREA if scale < 1
                         else cv2.INTER_CUBIC)
    with models.lock:
        models.yunet.setInputSize((bgr.shape[1], bgr.shape[0]))
        models.yunet.setScoreThreshold(float(min(min_score, 0.99)))
        _, faces = models.yunet.detect(bgr)
    if faces is None or len(faces) == 0:
        return np.zeros((0, 15), np.float32)
    faces = np.asarray(faces, np.float32).copy()
    faces = faces[faces[:, 14] >= min_score]
    faces[:, :14] /= scale
    return faces[np.argsort(-faces[:, 14], kind="stable")]


def eye_mouth_distance(row: np.ndarray) -> float:
    """Distance (pixels) between the midpoint of the eyes and of the mouth corners."""
    pts = np.asarray(row[4:14], np.float64).reshape(5, 2)
    return float(np.linalg.norm((pts[3] + pts[4]) / 2 - (pts[0] + pts[1]) / 2))


def hog_like_box(row: np.ndarray) -> tuple[int, int, int, int]:
    """(left, top, right, bottom): the square box dlib's HOG detector would draw."""
    pts = np.asarray(row[4:14], np.float64).reshape(5, 2)
    cx, cy = pts.mean(axis=0)
    width = (HOG_WIDTH_PER_EYE_MOUTH * eye_mouth_distance(row)
             + HOG_WIDTH_PER_YUNET_WIDTH * float(row[2])) / 2
    half = width / 2
    return round(cx - half), round(cy - half), round(cx + half), round(cy + half)


__all__ = [
    "HOG_WIDTH_PER_EYE_MOUTH",
    "HOG_WIDTH_PER_YUNET_WIDTH",
    "YUNET_MAX_SIDE",
    "detect_yunet",
    "eye_mouth_distance",
    "hog_like_box",
]
