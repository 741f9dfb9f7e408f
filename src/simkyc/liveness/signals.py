"""Per-frame measurements from the mediapipe face mesh.

For every frame: how many faces the mesh sees and, for the main (largest)
face, head yaw and pitch (``cv2.solvePnP`` of 40 mesh points against the
session's own most frontal mesh, with mediapipe's depth), the eye aspect
ratio (EAR) and the mouth opening ratio,
the face box, and the mean colour of the cheeks and forehead (for the
screen-light check).

Conventions (unmirrored camera image): ``yaw_deg`` > 0 when the customer turns
to their own left (nose toward the image's right edge); ``pitch_deg`` > 0 when
the chin goes up. Both are relative to the session's most frontal frame;
compare them with the session's neutral pose.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from simkyc.face.landmarks import eye_aspect_ratio

# Mesh points for the pose fit: spread over the face (nose, brows, eyes, cheeks,
# jaw line, chin, forehead), so the fit is well conditioned (six points of a
# generic face flip between two mirror solutions near frontal).
_POSE_POINTS = (1, 4, 5, 6, 9, 10, 33, 50, 58, 61, 70, 93, 105, 127, 132, 133, 148, 151, 152,
                168, 172, 175, 197, 199, 205, 234, 263, 280, 288, 291, 300, 323, 334, 356, 361,
                362, 377, 397, 425, 454)
# Inner lips (upper 13, lower 14) and mouth corners (61, 291).
_MOUTH = (13, 14, 61, 291)
# Skin patches for the screen-light colour: forehead, both cheeks.
_SKIN_POINTS = (151, 50, 280, 205, 425)


@dataclass(frozen=True)
class FrameSignals:
    """Measurements of one frame. ``faces``: faces the mesh found (0..2).

    The other fields describe the main face and are ``nan`` / ``None`` when
    ``faces == 0``. ``box``: (x0, y0, x1, y1) pixels of the mesh points.
    ``ear``: eye aspect ratio (lid gap / eye width, open ~0.25-0.35,
    closed < 0.15). ``mouth``: inner-lip gap / mouth width (closed ~0-0.05,
    wide open > 0.4). ``skin_rgb``: mean RGB (0..255) of the skin patches.
    """

    t_ms: float
    faces: int
    yaw_deg: float = math.nan
    pitch_deg: float = math.nan
    ear: float = math.nan
    mouth: float = math.nan
    box: tuple[float, float, float, float] | None = None
    skin_rgb: tuple[float, float, float] | None = None
    points: np.ndarray | None = None  # (478, 2) pixels; kept for the identity check


def reference_model(points3d: np.ndarray) -> np.ndarray:
    """The 3-D model for :func:`head_pose`: a frame's mesh points (x, y, z in pixels,
    z from mediapipe, same scale as x), centred, in OpenCV camera axes."""
    m = np.asarray(points3d, dtype=np.float64)[list(_POSE_POINTS)]
    return m - m.mean(axis=0)


def head_pose(points: np.ndarray, model: np.ndarray, size: tuple[int, int]
              ) -> tuple[float, float]:
    """(yaw_deg, pitch_deg) of mesh ``points`` (pixels) relative to ``model``
    (:func:`reference_model` of a reference frame) in an image of ``size``
    (height, width): ``cv2.solvePnP`` of 40 mesh points, focal length = width."""
    h, w = size
    camera = np.array([[w, 0, w / 2], [0, w, h / 2], [0, 0, 1]], dtype=np.float64)
    image_pts = np.ascontiguousarray(points[list(_POSE_POINTS), :2], dtype=np.float64)
    # distCoeffs=None means no distortion (OpenCV docs); the cv2 stubs leave out None.
    ok, rvec, _ = cv2.solvePnP(model, image_pts, camera, None,  # type: ignore[call-overload]
                               flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        return math.nan, math.nan
    rot, _ = cv2.Rodrigues(rvec)
    # Where the face points: the model's "toward the camera" axis (-z) in camera axes.
    d = rot @ np.array([0.0, 0.0, -1.0])
    yaw = math.degrees(math.atan2(d[0], -d[2]))
    pitch = math.degrees(math.atan2(-d[1], -d[2]))
    return yaw, pitch


def _frontal_score(p3: np.ndarray) -> float:
    # Depth asymmetry of the face outline (cheeks 234/454, forehead 10 / chin 152), pixels.
    return abs(p3[234, 2] - p3[454, 2]) + 0.5 * abs(p3[10, 2] - p3[152, 2])


def mouth_ratio(points: np.ndarray) -> float:
    """Inner-lip gap / mouth width (dimensionless)."""
    up, lo, left, right = _MOUTH
    width = np.linalg.norm(points[left, :2] - points[right, :2])
    return float(np.linalg.norm(points[up, :2] - points[lo, :2]) / width) if width > 0 else 0.0


def skin_colour(frame: np.ndarray, points: np.ndarray, box_w: float) -> tuple[float, float, float]:
    """Mean RGB of small square patches on the forehead and cheeks."""
    h, w = frame.shape[:2]
    r = max(2, int(box_w * 0.05))
    vals = []
    for i in _SKIN_POINTS:
        x, y = int(points[i, 0]), int(points[i, 1])
        patch = frame[max(0, y - r):min(h, y + r), max(0, x - r):min(w, x + r)]
        if patch.size:
            vals.append(patch.reshape(-1, 3).mean(axis=0))
    if not vals:
        return (math.nan, math.nan, math.nan)
    m = np.mean(vals, axis=0)
    return (float(m[0]), float(m[1]), float(m[2]))


def measure_frames(frames: tuple[np.ndarray, ...] | list[np.ndarray],
                   timestamps_ms: tuple[float, ...] | list[float], mesh: Any) -> list[FrameSignals]:
    """Run ``mesh`` (a mediapipe FaceMesh in video mode, ``max_num_faces=2``)
    over ``frames`` (RGB) and measure each one.

    Head pose is fitted against the session's own face: the mesh (with depth)
    of its most frontal frame is the 3-D model, so angles are relative to that
    frame and need no generic head.
    """
    raw: list[tuple[float, int, np.ndarray | None, np.ndarray | None]] = []
    for frame, t in zip(frames, timestamps_ms, strict=True):
        h, w = frame.shape[:2]
        res = mesh.process(frame)
        faces = res.multi_face_landmarks or []
        if not faces:
            raw.append((t, 0, None, None))
            continue
        meshes = [np.array([(p.x * w, p.y * h, p.z * w) for p in lm.landmark]) for lm in faces]
        sizes = [float(np.ptp(m[:, 0]) * np.ptp(m[:, 1])) for m in meshes]
        largest = meshes[int(np.argmax(sizes))]
        rgb = skin_colour(frame, largest, float(np.ptp(largest[:, 0])))
        raw.append((t, len(faces), largest, np.array(rgb)))
    with_face = [r[2] for r in raw if r[2] is not None]
    model = (reference_model(min(with_face, key=_frontal_score)) if with_face else None)
    out: list[FrameSignals] = []
    for (t, n, p3, skin), frame in zip(raw, frames, strict=True):
        if p3 is None or model is None or skin is None:
            out.append(FrameSignals(t_ms=t, faces=0))
            continue
        yaw, pitch = head_pose(p3, model, (frame.shape[0], frame.shape[1]))
        pts = p3[:, :2]
        x0, y0 = pts.min(axis=0)
        x1, y1 = pts.max(axis=0)
        out.append(FrameSignals(
            t_ms=t, faces=n, yaw_deg=yaw, pitch_deg=pitch,
            ear=eye_aspect_ratio(pts), mouth=mouth_ratio(pts),
            box=(float(x0), float(y0), float(x1), float(y1)),
            skin_rgb=(float(skin[0]), float(skin[1]), float(skin[2])), points=pts))
    return out


__all__ = ["FrameSignals", "eye_aspect_ratio", "head_pose", "measure_frames", "mouth_ratio",
           "reference_model", "skin_colour"]
