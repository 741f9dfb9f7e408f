"""Is this image good enough to decide on? The face quality gate.

:func:`assess_face_quality` checks, in this order (reason code when it fails):

===============  =====================================================  ==================
check            measure                                                reason
===============  =====================================================  ==================
faces_found      faces found (HOG or YuNet: find_faces); exactly 1      ``no_face`` /
                                                                        ``multiple_faces``
face_size        face box width, px >= ``*_min_face_px``                ``face_too_small``
face_in_frame    share of the box width outside the image               ``face_cut_off``
brightness       mean grey level 0..255 of the chip, within a window   ``face_too_dark`` /
                                                                        ``face_too_bright``
sharpness        variance of the Laplacian, 150x150 aligned grey chip   ``face_blurry``
yaw (live)       degrees left/right, mediapipe mesh + ``cv2.solvePnP``  ``head_turned``
pitch (live)     degrees up/down                                        ``head_tilted``
eyes_open (live) eye aspect ratio from the mesh                         ``eyes_closed``
===============  =====================================================  ==================

``role="reference"`` (a document or chip photo, e.g. 102x126 px) is lenient:
smaller faces and softer images pass, and pose and eyes are not checked (the
photo was taken under ID-photo rules and the mesh is unreliable on tiny faded
prints). Thresholds come from :class:`~simkyc.domain.policy.FacePolicy`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

import cv2
import numpy as np

from simkyc.domain.policy import FacePolicy
from simkyc.domain.results import Check
from simkyc.face.detection import DetectedFace, as_rgb, detect_faces, face_chip
from simkyc.face.landmarks import measure_with_mesh
from simkyc.face.models import FaceModels, open_face_mesh
from simkyc.i18n import SUPPORTED_LANGUAGES, reason_text

FaceRole = Literal["live", "reference"]
ROLES: tuple[FaceRole, ...] = ("live", "reference")


@dataclass(frozen=True)
class FaceQuality:
    """The quality verdict on one image.

    ``passed`` is true when every check passed; ``reasons`` lists the failing
    checks' reason codes, most important first (show the first to the customer).
    ``face`` is the detected face when exactly one was found.
    """

    passed: bool
    role: str
    faces_found: int
    checks: tuple[Check, ...]
    reasons: tuple[str, ...]
    face: DetectedFace | None = None

    @property
    def decidable(self) -> bool:
        """True when exactly one face was found, so it can be compared at all."""
        return self.faces_found == 1

    def messages(self, lang: str = "en") -> list[str]:
        """The customer instructions for the failing checks, in ``lang`` (any BCP-47 tag;
        the message catalogue, :mod:`simkyc.i18n`)."""
        return [reason_text(r, lang, count=self.faces_found) for r in self.reasons]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: passed, faces_found, checks, reasons and messages per language."""
        return {
            "passed": self.passed,
            "role": self.role,
            "faces_found": self.faces_found,
            "checks": [c.to_dict() for c in self.checks],
            "reasons": list(self.reasons),
            "messages": {r: {lang: reason_text(r, lang, count=self.faces_found)
                             for lang in SUPPORTED_LANGUAGES} for r in self.reasons},
        }


def _round(x: float, nd: int = 1) -> float:
    return float(round(float(x), nd))


def _outside_fraction(face: DetectedFace, shape: tuple[int, ...]) -> float:
    h, w = shape[0], shape[1]
    b = face.box
    outside = max(0, -b.left) + max(0, b.right - w) + max(0, -b.top) + max(0, b.bottom - h)
    return outside / max(1, b.width)


def chip_sharpness(chip: np.ndarray) -> float:
    """Variance of the Laplacian of the grey chip (higher = sharper; blur drives it to ~0)."""
    grey = cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def chip_brightness(chip: np.ndarray) -> float:
    """Mean grey level of the chip, 0 (black) .. 255 (white)."""
    return float(cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY).mean())


def find_faces(image: np.ndarray, models: FaceModels, *, policy: FacePolicy,
               role: FaceRole) -> tuple[DetectedFace, ...]:
    """The faces that count, best first, with the detector of ``policy.detector``.

    A reference (a document portrait holds one face) accepts a weak detection
    (faded, printed photos score low: HOG >= ``reference_min_detection_score``,
    YuNet >= ``yunet_reference_min_score``) only when there is no ordinary one, and
    only ordinary detections count as extra faces. With YuNet, a face narrower than
    ``yunet_other_face_min_width_fraction`` of the best face is background, not
    another person at the counter.
    """
    live = role == "live"
    if policy.detector == "yunet":
        ordinary = policy.yunet_min_score
        weakest = ordinary if live else policy.yunet_reference_min_score
    else:
        ordinary, weakest = 0.0, 0.0 if live else policy.reference_min_detection_score
    faces = detect_faces(image, models, detector=policy.detector,
                         small_side=policy.yunet_small_image_side_px
                         if policy.detector == "yunet" else policy.small_image_side_px,
                         max_side=policy.detection_max_side_px, min_score=weakest)
    strong = tuple(f for f in faces if f.box.score >= ordinary)
    faces = strong or faces[:1]
    if policy.detector == "yunet" and faces:
        main = max(f.box.width for f in faces)
        faces = tuple(f for f in faces
                      if f.box.width >= policy.yunet_other_face_min_width_fraction * main)
        faces = tuple(sorted(faces, key=lambda f: -f.box.width))
    return faces


def assess_with_chip(
    image: np.ndarray,
    models: FaceModels,
    *,
    policy: FacePolicy,
    mesh: Any = None,
    role: FaceRole = "live",
) -> tuple[FaceQuality, np.ndarray | None]:
    """:func:`assess_face_quality` plus the aligned 150x150 chip (``None`` unless one face).

    The chip is what the matcher embeds, so detection and alignment run once.
    """
    if role not in ROLES:
        raise ValueError(f"role must be one of {ROLES}, not {role!r}")
    live = role == "live"
    image = as_rgb(image)
    faces = find_faces(image, models, policy=policy, role=role)
    n = len(faces)
    count_check = Check(
        "faces_found", n == 1, n, 1, None if n == 1 else ("no_face" if n == 0 else "multiple_faces")
    )
    if n != 1:
        quality = FaceQuality(False, role, n, (count_check,), (count_check.reason or "",))
        return quality, None

    face = faces[0]
    checks = [count_check]
    min_px = policy.live_min_face_px if live else policy.reference_min_face_px
    width = face.box.width
    checks.append(Check("face_size", width >= min_px, width, min_px, "face_too_small"))
    outside = _outside_fraction(face, image.shape)
    checks.append(Check("face_in_frame", outside <= policy.max_face_outside_fraction,
                        _round(outside, 3), policy.max_face_outside_fraction, "face_cut_off"))
    chip = face_chip(image, face, models)
    bright = chip_brightness(chip)
    too_dark, too_bright = bright < policy.min_brightness, bright > policy.max_brightness
    checks.append(Check(
        "brightness", not (too_dark or too_bright), _round(bright),
        f"{policy.min_brightness:g}..{policy.max_brightness:g}",
        "face_too_dark" if too_dark else "face_too_bright",
    ))
    sharp = chip_sharpness(chip)
    min_sharp = policy.live_min_sharpness if live else policy.reference_min_sharpness
    checks.append(Check("sharpness", sharp >= min_sharp, _round(sharp), min_sharp, "face_blurry"))
    if live:
        checks.extend(_mesh_checks(image, face, policy, mesh))

    checks = [c if not c.passed else Check(c.name, True, c.value, c.threshold, None)
              for c in checks]
    reasons = tuple(c.reason for c in checks if not c.passed and c.reason)
    quality = FaceQuality(not reasons, role, 1, tuple(checks), reasons, face)
    return quality, chip


def _mesh_checks(image: np.ndarray, face: DetectedFace, policy: FacePolicy,
                 mesh: Any) -> list[Check]:
    if mesh is None:
        with open_face_mesh(static_image_mode=True, max_num_faces=1) as own:
            measures = measure_with_mesh(image, face.box, own)
    else:
        measures = measure_with_mesh(image, face.box, mesh)
    if measures is None:
        return [Check("face_landmarks", False, None, None, "face_not_clear")]
    yaw, pitch, ear = measures.yaw_deg, measures.pitch_deg, measures.eye_aspect_ratio
    return [
        Check("yaw", bool(abs(yaw) <= policy.max_yaw_deg), _round(yaw), policy.max_yaw_deg,
              "head_turned"),
        Check("pitch", bool(abs(pitch) <= policy.max_pitch_deg), _round(pitch),
              policy.max_pitch_deg, "head_tilted"),
        Check("eyes_open", bool(ear >= policy.min_eye_aspect_ratio), _round(ear, 3),
              policy.min_eye_aspect_ratio, "eyes_closed"),
    ]


def assess_face_quality(
    image: np.ndarray,
    models: FaceModels,
    *,
    policy: FacePolicy | None = None,
    mesh: Any = None,
    role: FaceRole = "live",
) -> FaceQuality:
    """Check that ``image`` holds exactly one usable face.

    Args:
        image: RGB ``uint8`` (height, width, 3), e.g. from
            :func:`simkyc.media.images.decode_image` or a decoded video frame.
        models: from :func:`simkyc.face.models.load_face_models`.
        policy: thresholds (default: ``DEFAULT_POLICY.face``).
        mesh: a mediapipe FaceMesh from :func:`~simkyc.face.models.open_face_mesh`
            (pass one per video with ``static_image_mode=False`` to reuse it across
            frames). ``None`` opens a temporary one (slower) for live checks.
        role: ``"live"`` (camera capture: every check) or ``"reference"``
            (document photo: lenient; no pose or eye checks).

    Returns:
        A :class:`FaceQuality`; a failed check is a result, not an exception.
    """
    quality, _ = assess_with_chip(image, models, policy=policy or FacePolicy(), mesh=mesh,
                                  role=role)
    return quality


__all__ = [
    "ROLES",
    "FaceQuality",
    "FaceRole",
    "assess_face_quality",
    "assess_with_chip",
    "find_faces",
    "chip_brightness",
    "chip_sharpness",
]
