"""Make the face stage's test images from the real photos in ``../shared/data/faces/``.

Each variant is derived from one real photograph by one deterministic
operation (seeded where random), written as PNG into ``tests/media/out/face/``
(git-ignored) on first use. See ``tests/media/README-face.md``.

Run ``python tests/media/face_generate.py`` to (re)write all of them.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path

import cv2
import numpy as np

REPO = Path(__file__).resolve().parents[2]
FACES = REPO / ".." / "shared" / "data" / "faces"
FR = FACES / "face_recognition"
DF = FACES / "deepface-pairs"
OUT = REPO / "tests" / "media" / "out" / "face"


def _read(path: Path) -> np.ndarray:
    from simkyc.media.images import read_image_file

    return read_image_file(path)


def _write(img: np.ndarray, path: Path) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    cv2.imwrite(str(path), cv2.cvtColor(img, cv2.COLOR_RGB2BGR))
    return path


def darken(img: np.ndarray, factor: float = 0.25) -> np.ndarray:
    """Under-exposed: every pixel scaled by ``factor`` (linear in 8-bit values)."""
    return np.clip(img.astype(np.float32) * factor, 0, 255).astype(np.uint8)


def overexpose(img: np.ndarray, gain: float = 2.2) -> np.ndarray:
    """Over-exposed: pixels multiplied by ``gain`` and clipped at white."""
    return np.clip(img.astype(np.float32) * gain + 40, 0, 255).astype(np.uint8)


def blur(img: np.ndarray, sigma: float = 4.0) -> np.ndarray:
    """Out of focus: Gaussian blur with ``sigma`` pixels."""
    return cv2.GaussianBlur(img, (0, 0), sigma)


def downscale(img: np.ndarray, factor: float = 0.3) -> np.ndarray:
    """A small face: the whole image scaled by ``factor`` (INTER_AREA)."""
    return cv2.resize(img, None, fx=factor, fy=factor, interpolation=cv2.INTER_AREA)


def frame_640x480(img: np.ndarray) -> np.ndarray:
    """A 640x480 'webcam frame': the photo scaled to 480 px high, centred on grey."""
    h, w = img.shape[:2]
    f = 480 / h
    small = cv2.resize(img, (min(640, round(w * f)), 480), interpolation=cv2.INTER_AREA)
    canvas = np.full((480, 640, 3), 90, np.uint8)
    x0 = (640 - small.shape[1]) // 2
    canvas[:, x0 : x0 + small.shape[1]] = small
    return canvas


def close_eyes(img: np.ndarray) -> np.ndarray:
    """Closed eyes, painted over a real face: each eye (mediapipe mesh contour) is
    filled with the skin colour of the lid just above it, and a dark lash line is
    drawn along its lower contour. A retouch, not a photo of a blink."""
    from simkyc.face.models import open_face_mesh

    out = img.copy()
    with open_face_mesh(static_image_mode=True, max_num_faces=1) as mesh:
        res = mesh.process(img)
    if not res.multi_face_landmarks:
        raise RuntimeError("no mesh on the source image")
    h, w = img.shape[:2]
    pts = np.array([(p.x * w, p.y * h) for p in res.multi_face_landmarks[0].landmark])
    contours = {
        # eye contour (upper lid then lower lid), brow-side point above the lid
        "right": ([33, 246, 161, 160, 159, 158, 157, 173, 133, 155, 154, 153, 145, 144, 163, 7],
                  [33, 7, 163, 144, 145, 153, 154, 155, 133], 223),
        "left": ([362, 398, 384, 385, 386, 387, 388, 466, 263, 249, 390, 373, 374, 380, 381, 382],
                 [362, 382, 381, 380, 374, 373, 390, 249, 263], 443),
    }
    for ring, lower, lid in contours.values():
        poly = pts[ring].astype(np.int32)
        x, y = pts[lid]
        patch = img[int(y) - 2 : int(y) + 3, int(x) - 2 : int(x) + 3].reshape(-1, 3)
        skin = tuple(int(c) for c in np.median(patch, axis=0))
        hull = cv2.convexHull(poly)
        grown = cv2.dilate(
            cv2.fillConvexPoly(np.zeros((h, w), np.uint8), hull, 255), np.ones((5, 5), np.uint8)
        )
        out[grown > 0] = skin
        cv2.polylines(out, [pts[lower].astype(np.int32)], False, (40, 30, 30), 3, cv2.LINE_AA)
    return cv2.GaussianBlur(out, (3, 3), 0)


#: name -> (source photo, operation)
VARIANTS: dict[str, tuple[Path, Callable[[np.ndarray], np.ndarray]]] = {
    "obama_dark.png": (FR / "obama.jpg", darken),
    "obama_overexposed.png": (FR / "obama.jpg", overexpose),
    "obama_blurred.png": (FR / "obama.jpg", blur),
    "obama_tiny.png": (FR / "obama.jpg", downscale),
    "obama_eyes_closed.png": (FR / "obama.jpg", close_eyes),
    "obama_640x480.png": (FR / "obama.jpg", frame_640x480),
    "obama2_640x480.png": (FR / "obama2.jpg", frame_640x480),
    "biden_640x480.png": (FR / "biden.jpg", frame_640x480),
}


def variant(name: str) -> Path:
    """The path of generated image ``name``, making it first if needed."""
    path = OUT / name
    if not path.exists():
        src, op = VARIANTS[name]
        _write(op(_read(src)), path)
    return path


def id_card_reference(src: Path, seed: int = 0) -> Path:
    """``src`` degraded like an ID-card portrait (``simkyc.face.degrade.id_card_reference``)."""
    path = OUT / f"{src.stem}_idcard_s{seed}.png"
    if not path.exists():
        from simkyc.face.degrade import id_card_reference as degrade
        from simkyc.face.detection import detect_faces
        from simkyc.face.models import load_face_models

        img = _read(src)
        box = detect_faces(img, load_face_models())[0].box
        _write(degrade(img, box, np.random.default_rng(seed)), path)
    return path


def chip_reference(src: Path) -> Path:
    """``src`` as a reader's chip photo: 102x126 ID-photo crop, grey, JPEG quality 40."""
    path = OUT / f"{src.stem}_chip.jpg"
    if not path.exists():
        from simkyc.face.degrade import grayscale, id_photo_crop
        from simkyc.face.detection import detect_faces
        from simkyc.face.models import load_face_models

        img = _read(src)
        box = detect_faces(img, load_face_models())[0].box
        chip = grayscale(id_photo_crop(img, box))
        path.parent.mkdir(parents=True, exist_ok=True)
        cv2.imwrite(str(path), cv2.cvtColor(chip, cv2.COLOR_RGB2BGR),
                    [cv2.IMWRITE_JPEG_QUALITY, 40])
    return path


def main(argv: list[str] | None = None) -> int:
    for name in VARIANTS:
        (OUT / name).unlink(missing_ok=True)
        print(variant(name))
    for src in (FR / "obama.jpg", FR / "biden.jpg"):
        print(id_card_reference(src))
        print(chip_reference(src))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
