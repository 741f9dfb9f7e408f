"""Same person throughout, and the best frame for the 1:1 match.

The face is embedded (dlib 5-point alignment + 128-d ResNet, from
:func:`simkyc.face.models.load_face_models`) on ``policy.identity_samples``
near-frontal frames spread over the video and on the best frame; any two
further apart than ``policy.same_person_max_distance`` mean the face changed
mid-video. The face box comes from the mesh, so dlib's detector
is not run again.

The best frame: neutral frames (frontal, eyes open, mouth at rest) ranked by
sharpness (variance of the Laplacian of the grey face crop, 128 px wide), the
first that passes the face stage's quality gate
(:func:`simkyc.face.quality.assess_face_quality`).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np

from simkyc.domain.policy import FacePolicy, LivenessPolicy
from simkyc.liveness.actions import Baseline, is_neutral
from simkyc.liveness.signals import FrameSignals


def sharpness(frame: np.ndarray, box: tuple[float, float, float, float]) -> float:
    """Variance of the Laplacian of the grey face crop scaled to 128 px wide."""
    x0, y0, x1, y1 = (int(round(v)) for v in box)
    h, w = frame.shape[:2]
    crop = frame[max(0, y0):min(h, y1), max(0, x0):min(w, x1)]
    if crop.size == 0 or crop.shape[1] < 8:
        return 0.0
    scale = 128.0 / crop.shape[1]
    crop = cv2.resize(crop, (128, max(8, round(crop.shape[0] * scale))),
                      interpolation=cv2.INTER_AREA)
    return float(cv2.Laplacian(cv2.cvtColor(crop, cv2.COLOR_RGB2GRAY), cv2.CV_64F).var())


def ranked_neutral_frames(frames: Sequence[np.ndarray], signals: Sequence[FrameSignals],
                          b: Baseline, policy: LivenessPolicy) -> list[int]:
    """Neutral single-face frames (frontal, eyes open, mouth at rest), sharpest first."""
    scored = [(sharpness(frames[i], f.box), i) for i, f in enumerate(signals)
              if f.faces == 1 and f.box is not None and is_neutral(f, b, policy)]
    return [i for _, i in sorted(scored, reverse=True)]


def best_frame(frames: Sequence[np.ndarray], signals: Sequence[FrameSignals], b: Baseline,
               policy: LivenessPolicy, face_models: Any, face_policy: FacePolicy,
               tries: int = 3) -> tuple[int | None, tuple[str, ...]]:
    """The live face for the 1:1 match and the face stage's quality verdict on it.

    The sharpest neutral frames are put, in order, through the face stage's
    quality gate (:func:`simkyc.face.quality.assess_face_quality`, role
    ``live``); the first that passes is chosen. If none of ``tries`` passes,
    the sharpest is returned with the gate's reason codes.
    """
    from simkyc.face.quality import assess_face_quality

    ranked = ranked_neutral_frames(frames, signals, b, policy)
    if not ranked:
        return None, ()
    first_reasons: tuple[str, ...] = ()
    for k, i in enumerate(ranked[:tries]):
        q = assess_face_quality(frames[i], face_models, policy=face_policy, role="live")
        if q.passed:
            return i, ()
        if k == 0:
            first_reasons = q.reasons
    return ranked[0], first_reasons


def sample_indices(signals: Sequence[FrameSignals], b: Baseline, k: int) -> list[int]:
    """``k`` frames spread evenly over the video: in each of ``k`` equal spans, the
    face frame nearest to frontal with open eyes."""
    idx = [i for i, f in enumerate(signals) if f.faces > 0 and not math.isnan(f.yaw_deg)]
    if not idx:
        return []
    chunks = np.array_split(np.array(idx), min(k, len(idx)))

    def cost(i: int) -> float:
        f = signals[i]
        closed = max(0.0, 1.0 - f.ear / b.ear_open) if b.ear_open > 0 else 0.0
        return abs(f.yaw_deg - b.yaw_deg) + abs(f.pitch_deg - b.pitch_deg) + 30.0 * closed

    return [int(min(c, key=cost)) for c in chunks if len(c)]


def embed(frame: np.ndarray, box: tuple[float, float, float, float], face_models: Any
          ) -> np.ndarray:
    """128-d dlib embedding of the face in ``box`` (pixels; the mesh's box)."""
    import dlib

    x0, y0, x1, y1 = box
    # The mesh box runs from forehead to chin; dlib's boxes are a little tighter on top.
    top = y0 + 0.12 * (y1 - y0)
    rect = dlib.rectangle(int(x0), int(top), int(x1), int(y1))
    shape = face_models.shape_predictor(frame, rect)
    return np.asarray(face_models.encoder.compute_face_descriptor(frame, shape), np.float64)


def identity_distance(frames: Sequence[np.ndarray], signals: Sequence[FrameSignals],
                      indices: Sequence[int], face_models: Any) -> float | None:
    """Largest Euclidean distance (0..~1.5) between the faces of any two of the
    frames ``indices`` (``None`` for fewer than two)."""
    embs = [embed(frames[i], box, face_models) for i in dict.fromkeys(indices)
            if (box := signals[i].box) is not None]
    if len(embs) < 2:
        return None
    e = np.stack(embs)
    d = np.linalg.norm(e[:, None, :] - e[None, :, :], axis=2)
    return float(d.max())


__all__ = ["best_frame", "embed", "identity_distance", "ranked_neutral_frames", "sample_indices",
           "sharpness"]
