"""SFace embeddings (OpenCV Zoo, 128-d) of faces that YuNet found.

The face is aligned by ``cv2.FaceRecognizerSF.alignCrop`` from YuNet's five
landmarks onto the 112x112 ArcFace template, and embedded by
``FaceRecognizerSF.feature`` (which takes BGR). Same-person pairs have a cosine
similarity of about 0.36 or more in OpenCV's own evaluation, i.e. a Euclidean
distance of unit-length embeddings of about 1.13 or less; simkyc's threshold is
its own (``FacePolicy.sface_match_threshold``).
"""

from __future__ import annotations

import cv2
import numpy as np

from simkyc.domain.errors import ConfigurationError
from simkyc.face.detection import DetectedFace, as_rgb, unit_mean
from simkyc.face.models import FaceModels

#: Side of SFace's aligned input, pixels.
SFACE_SIZE = 112


def _yunet_row(face: DetectedFace) -> np.ndarray:
    if face.yunet is None:
        raise ValueError("SFace needs a face found by YuNet (detector='yunet')")
    return np.asarray(face.yunet, np.float32)


def sface_crop(image: np.ndarray, face: DetectedFace, models: FaceModels, *,
               upscale_face_px: int = 0) -> np.ndarray:
    """The 112x112 RGB crop of ``face`` aligned on YuNet's landmarks.

    A face whose YuNet box is narrower than ``upscale_face_px`` (0: never) is
    first cut out with a margin of one face width and upscaled bicubically to that
    width (landmarks scaled with it), so the alignment warp does not stretch a
    ~54 px chip-photo face bilinearly.
    """
    if models.sface is None:
        raise ConfigurationError("the policy needs SFace, but the models were loaded without "
                                 "it: use load_face_models(opencv_models=True)")
    rgb = as_rgb(image)
    row = _yunet_row(face).copy()
    w = max(1.0, float(row[2]))
    if w < upscale_face_px:
        k = upscale_face_px / w
        x0, y0 = max(0, int(row[0] - w)), max(0, int(row[1] - w))
        x1 = min(rgb.shape[1], int(row[0] + 2 * w) + 1)
        y1 = min(rgb.shape[0], int(row[1] + float(row[3]) + w) + 1)
        crop = rgb[y0:y1, x0:x1]
        rgb = cv2.resize(crop, (round(crop.shape[1] * k), round(crop.shape[0] * k)),
                         interpolation=cv2.INTER_CUBIC)
        row[0:14:2] = (row[0:14:2] - x0 + 0.5) * k - 0.5
        row[1:14:2] = (row[1:14:2] - y0 + 0.5) * k - 0.5
        row[2:4] = row[2:4] * k
    with models.lock:
        aligned = models.sface.alignCrop(np.ascontiguousarray(rgb), row.reshape(1, 15))
    return np.asarray(aligned, np.uint8)


def sface_embedding(crops: list[np.ndarray], models: FaceModels, *,
                    grey: bool = False) -> np.ndarray:
    """The matching embedding: the 112x112 RGB crops (their luminance when ``grey``)
    embedded, each scaled to unit length, averaged and scaled again (float64;
    distances 0..2)."""
    feats = []
    for c in crops:
        if c.shape != (SFACE_SIZE, SFACE_SIZE, 3):
            raise ValueError(f"expected {SFACE_SIZE}x{SFACE_SIZE} RGB crops, got {c.shape}")
        if grey:
            bgr = cv2.cvtColor(cv2.cvtColor(c, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2BGR)
        else:
            bgr = cv2.cvtColor(c, cv2.COLOR_RGB2BGR)
        with models.lock:
            feat = models.sface.feature(np.ascontiguousarray(bgr))
        feats.append(unit_mean(np.asarray(feat, np.float64).reshape(1, -1)))
    return unit_mean(np.stack(feats))


__all__ = ["SFACE_SIZE", "sface_crop", "sface_embedding"]
