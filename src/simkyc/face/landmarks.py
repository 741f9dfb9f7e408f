"""Head pose and eye openness from the mediapipe face mesh (478 points).

The mesh runs on a crop around the dlib face box, so it measures the same face
the detector found, and the crop is small (fast). Pose comes from
``cv2.solvePnP`` of six mesh points against a generic 3-D face; eye openness is
the eye aspect ratio (EAR: mean lid gap / eye width; open eyes ~0.25-0.35,
closed < 0.12).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import cv2
import numpy as np

from simkyc.face.detection import FaceBox

# Mesh indices: nose tip, chin, outer eye corners (image left, right), mouth corners.
_POSE_POINTS = (1, 152, 33, 263, 61, 291)
# A generic face in millimetre-like units, OpenCV camera axes (x right, y down,
# z away from the camera), nose tip at the origin.
_MODEL_3D = np.array(
    [
        (0.0, 0.0, 0.0),
        (0.0, 330.0, 65.0),
        (-225.0, -170.0, 135.0),
        (225.0, -170.0, 135.0),
        (-150.0, 150.0, 125.0),
        (150.0, 150.0, 125.0),
    ],
    dtype=np.float64,
)
# (corner, corner, upper1, lower1, upper2, lower2) per eye.
_EYES = ((33, 133, 160, 144, 158, 153), (362, 263, 385, 380, 387, 373))
#: Margin added around the face box before the mesh runs, as a fraction of its width.
CROP_MARGIN = 0.6
#: Longer side of the crop handed to the mesh, pixels.
CROP_SIDE = 256


@dataclass(frozen=True)
class MeshMeasures:
    """What the mesh measured on one face. Angles in degrees, 0 = facing the camera."""

    yaw_deg: float
    pitch_deg: float
    eye_aspect_ratio: float


def _crop(image: np.ndarray, box: FaceBox) -> np.ndarray:
    h, w = image.shape[:2]
    m = CROP_MARGIN * box.width
    x0, y0 = max(0, int(box.left - m)), max(0, int(box.top - m))
    x1, y1 = min(w, int(box.right + m)), min(h, int(box.bottom + m))
    crop = image[y0:y1, x0:x1]
    longer = max(crop.shape[:2])
    if longer > CROP_SIDE:
        f = CROP_SIDE / longer
        crop = cv2.resize(crop, (round(crop.shape[1] * f), round(crop.shape[0] * f)),
                          interpolation=cv2.INTER_AREA)
    elif longer < CROP_SIDE // 2:
        f = (CROP_SIDE // 2) / longer
        crop = cv2.resize(crop, (round(crop.shape[1] * f), round(crop.shape[0] * f)),
                          interpolation=cv2.INTER_LINEAR)
    return np.ascontiguousarray(crop)


def _pose(points: np.ndarray, size: tuple[int, int]) -> tuple[float, float]:
    h, w = size
    camera = np.array([[w, 0, w / 2], [0, w, h / 2], [0, 0, 1]], dtype=np.float64)
    image_pts = points[list(_POSE_POINTS), :2].astype(np.float64)
    ok, rvec, _ = cv2.solvePnP(_MODEL_3D, image_pts, camera, np.zeros(4),
                               flags=cv2.SOLVEPNP_SQPNP)
    if not ok:
        return float("nan"), float("nan")
    rot, _ = cv2.Rodrigues(rvec)
    angles = cv2.RQDecomp3x3(rot)[0]  # (about x = pitch, about y = yaw, about z = roll)
    return float(angles[1]), float(angles[0])


def eye_aspect_ratio(points: np.ndarray) -> float:
    """Mean eye aspect ratio (lid gap / eye width) of both eyes from mesh points (dimensionless)."""
    ratios: list[float] = []
    for c1, c2, u1, l1, u2, l2 in _EYES:
        width = np.linalg.norm(points[c1, :2] - points[c2, :2])
        gap = np.linalg.norm(points[u1, :2] - points[l1, :2]) + np.linalg.norm(
            points[u2, :2] - points[l2, :2]
        )
        ratios.append(float(gap / (2.0 * width)) if width > 0 else 0.0)
    return float(np.mean(ratios))


def measure_with_mesh(image: np.ndarray, box: FaceBox, mesh: Any) -> MeshMeasures | None:
    """Yaw, pitch and eye aspect ratio of the face in ``box``; ``None`` if the mesh finds none.

    ``mesh`` is a mediapipe FaceMesh from :func:`simkyc.face.models.open_face_mesh`.
    """
    crop = _crop(image, box)
    if crop.size == 0:
        return None
    result = mesh.process(crop)
    if not result.multi_face_landmarks:
        return None
    h, w = crop.shape[:2]
    # Several meshes in the crop: take the one nearest the crop centre (the dlib face).
    best = None
    for lm in result.multi_face_landmarks:
        pts = np.array([(p.x * w, p.y * h, p.z * w) for p in lm.landmark], dtype=np.float64)
        d = float(np.hypot(pts[1, 0] - w / 2, pts[1, 1] - h / 2))
        if best is None or d < best[0]:
            best = (d, pts)
    assert best is not None
    pts = best[1]
    yaw, pitch = _pose(pts, (h, w))
    return MeshMeasures(yaw_deg=yaw, pitch_deg=pitch, eye_aspect_ratio=eye_aspect_ratio(pts))


__all__ = ["CROP_MARGIN", "CROP_SIDE", "MeshMeasures", "eye_aspect_ratio", "measure_with_mesh"]
