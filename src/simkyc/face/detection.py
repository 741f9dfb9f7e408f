"""Find faces, align them and embed them: one detection and one embedding per image.

- :func:`detect_faces`: dlib's HOG detector (``detector="hog"``) on a working
  copy of the image (downscaled when large, upsampled x2 when small, e.g. a
  102x126 px chip photo), or YuNet (``detector="yunet"``, :mod:`simkyc.face.yunet`,
  its box turned into a HOG-like one); then dlib's 5-point shape predictor on the
  full-resolution image, so every face has the same box and landmarks whichever
  detector found it (a YuNet face also keeps YuNet's own row for SFace).
- :func:`face_chip`: the 150x150 aligned crop (``dlib.get_face_chip``, padding
  0.25, exactly what the ResNet encoder was trained on).
- :func:`embed_chip`: the 128-d ResNet embedding of that chip. Two embeddings of
  the same person are usually within 0.6 of each other (Euclidean distance).
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from simkyc.face.models import FaceModels

#: Side of the aligned face chip, pixels (the ResNet's input size).
CHIP_SIZE = 150
#: Chip padding around the 5 landmarks (``compute_face_descriptor`` uses 0.25).
CHIP_PADDING = 0.25


@dataclass(frozen=True)
class FaceBox:
    """A detected face in image pixels (may extend past the image border)."""

    left: int
    top: int
    right: int
    bottom: int
    #: Detector score (HOG: about -0.5..3.5; YuNet: 0..1; higher is more face-like).
    score: float

    @property
    def width(self) -> int:
        return self.right - self.left

    @property
    def height(self) -> int:
        return self.bottom - self.top

    def to_dict(self) -> dict[str, int | float]:
        return {
            "left": self.left,
            "top": self.top,
            "right": self.right,
            "bottom": self.bottom,
            "score": round(self.score, 3),
        }


@dataclass(frozen=True)
class DetectedFace:
    """One face: its box and the 5 landmarks (x, y) in image pixels.

    Landmark order (dlib 5-point model): right-eye outer and inner corner of the
    person's left eye, then of the other eye, then the base of the nose.
    """

    box: FaceBox
    landmarks: tuple[tuple[int, int], ...]
    #: YuNet's 15 numbers (box, 5 landmarks, score; image pixels) when YuNet found it.
    yunet: tuple[float, ...] | None = None


def as_rgb(image: np.ndarray) -> np.ndarray:
    """``image`` as a contiguous RGB ``uint8`` array (a grey 2-D image is stacked to 3
    channels); ``ValueError`` for anything else."""
    if image.ndim == 2:
        return np.ascontiguousarray(np.stack([image] * 3, axis=-1), dtype=np.uint8)
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise ValueError("expected an RGB uint8 image of shape (height, width, 3)")
    return np.ascontiguousarray(image)


def detection_scale(shape: tuple[int, ...], *, small_side: int, max_side: int) -> float:
    """Scale factor of the working copy used for detection.

    ``2.0`` for images whose longer side is under ``small_side`` px (the HOG
    detector misses faces narrower than about 80 px, and a chip photo's face is
    about 70 px), ``max_side / longer side`` for larger images, else ``1.0``.
    """
    longer = max(shape[0], shape[1])
    if longer < small_side:
        return 2.0
    if longer > max_side:
        return max_side / longer
    return 1.0


def detect_faces(
    image: np.ndarray,
    models: FaceModels,
    *,
    detector: str = "hog",
    small_side: int = 400,
    max_side: int = 960,
    min_score: float = 0.0,
) -> tuple[DetectedFace, ...]:
    """Every face the detector finds, with its 5 dlib landmarks, best score first.

    Args:
        image: RGB ``uint8`` array (height, width, 3), e.g. from ``decode_image``.
        models: the loaded face models.
        detector: ``"hog"`` (dlib) or ``"yunet"`` (OpenCV Zoo; its working copy has
            a longer side of at most :data:`~simkyc.face.yunet.YUNET_MAX_SIDE` px).
        small_side / max_side: see :func:`detection_scale` (pixels; for YuNet only
            ``small_side`` is used: images under it are upsampled x2).
        min_score: score a detection needs (HOG: dlib's default 0.0; negative values
            accept weaker faces, e.g. on faded document photos; YuNet: 0..1).
    """
    rgb = as_rgb(image)
    if detector == "yunet":
        return _detect_yunet(rgb, models, small_side=small_side, min_score=min_score)
    if detector != "hog":
        raise ValueError(f"detector must be 'hog' or 'yunet', not {detector!r}")
    scale = detection_scale(rgb.shape, small_side=small_side, max_side=max_side)
    if scale == 1.0:
        work = rgb
    else:
        size = (max(1, round(rgb.shape[1] * scale)), max(1, round(rgb.shape[0] * scale)))
        interp = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        work = cv2.resize(rgb, size, interpolation=interp)
    rects, scores, _ = models.detector.run(work, 0, float(min_score))
    faces = []
    for rect, score in sorted(zip(rects, scores, strict=True), key=lambda rs: -rs[1]):
        box = FaceBox(
            left=round(rect.left() / scale),
            top=round(rect.top() / scale),
            right=round(rect.right() / scale),
            bottom=round(rect.bottom() / scale),
            score=float(score),
        )
        faces.append(DetectedFace(box=box, landmarks=_dlib_landmarks(rgb, box, models)))
    return tuple(faces)


def _dlib_landmarks(rgb: np.ndarray, box: FaceBox, models: FaceModels
                    ) -> tuple[tuple[int, int], ...]:
    import dlib

    shape = models.shape_predictor(rgb, dlib.rectangle(box.left, box.top, box.right, box.bottom))
    return tuple((p.x, p.y) for p in shape.parts())


def _detect_yunet(rgb: np.ndarray, models: FaceModels, *, small_side: int,
                  min_score: float) -> tuple[DetectedFace, ...]:
    from simkyc.face.yunet import detect_yunet, hog_like_box

    faces = []
    for row in detect_yunet(rgb, models, small_side=small_side, min_score=min_score):
        box = FaceBox(*hog_like_box(row), score=float(row[14]))
        faces.append(DetectedFace(box=box, landmarks=_dlib_landmarks(rgb, box, models),
                                  yunet=tuple(float(v) for v in row)))
    return tuple(faces)


def face_chip(image: np.ndarray, face: DetectedFace, models: FaceModels) -> np.ndarray:
    """The 150x150 RGB chip of ``face``, rotated and scaled so the eyes are level."""
    import dlib

    rgb = as_rgb(image)
    b = face.box
    rect = dlib.rectangle(b.left, b.top, b.right, b.bottom)
    parts = [dlib.point(x, y) for x, y in face.landmarks]
    shape = dlib.full_object_detection(rect, parts)
    chip = dlib.get_face_chip(rgb, shape, size=CHIP_SIZE, padding=CHIP_PADDING)
    return np.asarray(chip, dtype=np.uint8)


def embed_chip(chip: np.ndarray, models: FaceModels) -> np.ndarray:
    """The 128-d embedding (float64, unit-ish length) of a 150x150 aligned chip."""
    if chip.shape != (CHIP_SIZE, CHIP_SIZE, 3):
        raise ValueError(f"expected a {CHIP_SIZE}x{CHIP_SIZE} RGB chip, got {chip.shape}")
    return np.asarray(models.encoder.compute_face_descriptor(np.ascontiguousarray(chip)))


def embed_face(image: np.ndarray, face: DetectedFace, models: FaceModels) -> np.ndarray:
    """The 128-d embedding of one detected face (aligns it first)."""
    return embed_chip(face_chip(image, face, models), models)


#: Reference faces narrower than this (pixels) are upscaled (bicubic) to it before
#: alignment, so the 150 px chip is not stretched out of a ~63 px chip-photo face.
REFERENCE_UPSCALE_FACE_PX = 150
#: Gaussian sigma (pixels, on the 150x150 chip) smoothing the reference chip:
#: suppresses JPEG blocks, halftone and resampling artefacts of document photos.
REFERENCE_CHIP_BLUR_SIGMA = 0.8


def grey_chip(chip: np.ndarray) -> np.ndarray:
    """The chip's luminance, stacked to 3 channels (the encoder takes RGB)."""
    return cv2.cvtColor(cv2.cvtColor(chip, cv2.COLOR_RGB2GRAY), cv2.COLOR_GRAY2RGB)


def reference_chip(image: np.ndarray, face: DetectedFace, models: FaceModels, *,
                   upscale_face_px: int = REFERENCE_UPSCALE_FACE_PX,
                   blur_sigma: float = REFERENCE_CHIP_BLUR_SIGMA) -> np.ndarray:
    """The chip used to embed a reference (document) face with dlib.

    A face narrower than ``upscale_face_px`` (0: never) is cut out with a margin
    of one face width, upscaled bicubically to that width (landmarks scaled with
    it) and aligned there; the chip is then smoothed with a Gaussian of sigma
    ``blur_sigma`` px (0: not smoothed).
    """
    rgb = as_rgb(image)
    b = face.box
    w = max(1, b.width)
    if w < upscale_face_px:
        k = upscale_face_px / w
        x0, y0 = max(0, b.left - w), max(0, b.top - w)
        x1, y1 = min(rgb.shape[1], b.right + w), min(rgb.shape[0], b.bottom + w)
        crop = rgb[y0:y1, x0:x1]
        big = cv2.resize(crop, (round(crop.shape[1] * k), round(crop.shape[0] * k)),
                         interpolation=cv2.INTER_CUBIC)
        scaled = DetectedFace(
            FaceBox(round((b.left - x0) * k), round((b.top - y0) * k),
                    round((b.right - x0) * k), round((b.bottom - y0) * k), b.score),
            tuple((round((x - x0 + 0.5) * k - 0.5), round((y - y0 + 0.5) * k - 0.5))
                  for x, y in face.landmarks),
        )
        chip = face_chip(np.ascontiguousarray(big), scaled, models)
    else:
        chip = face_chip(rgb, face, models)
    return cv2.GaussianBlur(chip, (0, 0), blur_sigma) if blur_sigma > 0 else chip


def match_embedding(chips: list[np.ndarray], models: FaceModels, *,
                    grey: bool = True) -> np.ndarray:
    """The dlib matching embedding: the chips (their luminance when ``grey``) embedded
    in one batch, averaged and scaled to unit length (so distances are 0..2 and
    independent of the raw norm).

    Grey because reference photos are often grey, faded or colour-cast; one chip for a
    live frame, the chip and its mirror image for a reference (test-time augmentation).
    """
    batch = [np.ascontiguousarray(grey_chip(c) if grey else c) for c in chips]
    for c in batch:
        if c.shape != (CHIP_SIZE, CHIP_SIZE, 3):
            raise ValueError(f"expected {CHIP_SIZE}x{CHIP_SIZE} RGB chips, got {c.shape}")
    vecs = np.asarray(models.encoder.compute_face_descriptor(batch), dtype=np.float64)
    return unit_mean(vecs)


def unit_mean(vectors: np.ndarray) -> np.ndarray:
    """The mean of the rows of ``vectors``, scaled to unit length (float64)."""
    mean = np.asarray(vectors, np.float64).reshape(len(vectors), -1).mean(axis=0)
    return mean / max(float(np.linalg.norm(mean)), 1e-12)


def face_distance(a: np.ndarray, b: np.ndarray) -> float:
    """Euclidean distance between two embeddings (0 = identical; ~0.6 = typical limit)."""
    return float(np.linalg.norm(np.asarray(a, dtype=np.float64) - np.asarray(b, dtype=np.float64)))


__all__ = [
    "CHIP_PADDING",
    "CHIP_SIZE",
    "DetectedFace",
    "FaceBox",
    "REFERENCE_CHIP_BLUR_SIGMA",
    "REFERENCE_UPSCALE_FACE_PX",
    "as_rgb",
    "detect_faces",
    "detection_scale",
    "embed_chip",
    "embed_face",
    "face_chip",
    "face_distance",
    "grey_chip",
    "match_embedding",
    "reference_chip",
    "unit_mean",
]
