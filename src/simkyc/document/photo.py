"""Locate a document's face photo (dlib HOG face detector) and cut it out.

Two ways in:

- :func:`find_photo`: the largest face anywhere in the image (Chinese ID card
  fronts, or when no MRZ places the page).
- :func:`find_portrait_by_mrz`: on an MRZ document the MRZ places the page:
  its slope gives the page's rotation and its width the page's scale, and the
  portrait is printed above it. The page area above the MRZ is cut out,
  turned upright and resampled to a fixed width before the detector runs, so a
  rotated page, a photo of any resolution and a portrait whose face is small
  in its frame (head and upper body) are searched alike; a face outside the
  page area (a bystander, a second photo) is not taken.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

#: Portrait proportions around the detected face: width = 1.9 x face width,
#: height = 1.28 x portrait width, face centre at 45 % of the height.
PORTRAIT_WIDTH = 1.9
PORTRAIT_ASPECT = 1.28
#: Width (px) the page area above an MRZ is resampled to before detection: a
#: TD3 page is then about 1,300 px wide and a standard portrait about 300 px,
#: a face small in its frame (a quarter of the portrait's width) about 75 px,
#: within reach of dlib's HOG detector upsampled once (faces from ~40 px).
NORMALISED_WIDTH = 1300
#: Page height above the MRZ, as a fraction of the MRZ width (ICAO 9303: TD3
#: 125 x 88 mm with a 2-line MRZ, TD1 85.6 x 54 mm with a 3-line MRZ), with a
#: margin.
PAGE_HEIGHT = {"TD3": 0.72, "TD2": 0.72, "TD1": 0.6}


@dataclass(frozen=True)
class Portrait:
    """A found portrait: ``box`` ``(x0, y0, x1, y1)`` bounds it in the
    submitted image; ``pixels`` is the RGB crop, upright (turned by the page's
    rotation when the page was rotated)."""

    box: tuple[int, int, int, int]
    pixels: np.ndarray


def _largest_face(image: np.ndarray, detector: Any) -> Any:
    dets = detector(image, 0)
    if len(dets) == 0:
        dets = detector(image, 1)
    if len(dets) == 0:
        return None
    return max(dets, key=lambda r: r.width() * r.height())


def _portrait_box(d: Any, w: int, h: int) -> tuple[int, int, int, int] | None:
    cx, cy = (d.left() + d.right()) / 2, (d.top() + d.bottom()) / 2
    pw = d.width() * PORTRAIT_WIDTH
    ph = pw * PORTRAIT_ASPECT
    x0, y0 = max(0, int(cx - pw / 2)), max(0, int(cy - ph * 0.45))
    x1, y1 = min(w, int(cx + pw / 2)), min(h, int(cy + ph * 0.55))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return (x0, y0, x1, y1)


def find_photo(image: np.ndarray, detector: Any) -> tuple[int, int, int, int] | None:
    """The portrait box ``(x0, y0, x1, y1)`` around the largest face, or ``None``.

    The detector (dlib HOG) finds faces of about 80 px and larger; the image is
    upsampled once when nothing is found at the original size.
    """
    d = _largest_face(image, detector)
    return None if d is None else _portrait_box(d, image.shape[1], image.shape[0])


def find_portrait_by_mrz(image: np.ndarray, detector: Any, mrz_boxes: list[Any], *,
                         fmt: str, scale: float = 1.0) -> Portrait | None:
    """The portrait printed above an MRZ, or ``None`` when the page area holds no face.

    Args:
        image: the full-resolution RGB image.
        detector: dlib's frontal face detector.
        mrz_boxes: the MRZ's OCR lines (:class:`~simkyc.document.ocr.OcrLine`,
            their ``box`` and ``slope``), in coordinates ``scale`` times the image's.
        fmt: ``TD1``, ``TD2`` or ``TD3`` (the page's proportions).
        scale: OCR-view pixels per image pixel (OCR runs on a downscaled copy).
    """
    import cv2

    if not mrz_boxes:
        return None
    slopes = [ln.slope for ln in mrz_boxes if ln.box[2] - ln.box[0] > 3 * ln.height]
    angle = math.degrees(math.atan(float(np.median(slopes)))) if slopes else 0.0
    corners = np.array([(x, y) for ln in mrz_boxes
                        for x in (ln.box[0], ln.box[2]) for y in (ln.box[1], ln.box[3])],
                       np.float64) / scale
    centre = corners.mean(axis=0)
    # Turn the image so the MRZ is level (about the MRZ's centre).
    rot = cv2.getRotationMatrix2D((float(centre[0]), float(centre[1])), angle, 1.0)
    level = (np.c_[corners, np.ones(len(corners))] @ rot.T)
    # Axis-aligned boxes of tilted lines overhang the line by its height x slope.
    tilt = abs(math.tan(math.radians(angle)))
    mx0, mx1 = level[:, 0].min(), level[:, 0].max()
    my0 = level[:, 1].min() + tilt * (mx1 - mx0) / 2
    width = (mx1 - mx0) / (1 + tilt * tilt) ** 0.5
    x0, x1 = mx0 - 0.06 * width, mx1 + 0.06 * width
    y0, y1 = my0 - PAGE_HEIGHT.get(fmt, 0.72) * width, my0
    if width < 50:
        return None
    f = NORMALISED_WIDTH / (x1 - x0)
    # One affine map: image -> level page area, resampled to NORMALISED_WIDTH.
    to_area = np.array([[f, 0, -f * x0], [0, f, -f * y0]]) @ np.vstack([rot, [0, 0, 1]])
    out_w, out_h = NORMALISED_WIDTH, int(round((y1 - y0) * f))
    area = cv2.warpAffine(image, to_area, (out_w, out_h), flags=cv2.INTER_AREA
                          if f < 1 else cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    d = _largest_face(area, detector)
    if d is None:
        return None
    box = _portrait_box(d, out_w, out_h)
    if box is None:
        return None
    bx0, by0, bx1, by1 = box
    # The crop, upright, at the image's own resolution where possible.
    back = cv2.invertAffineTransform(to_area)
    quad = np.array([(bx0, by0), (bx1, by0), (bx1, by1), (bx0, by1)], np.float64)
    in_image = np.c_[quad, np.ones(4)] @ back.T
    h, w = image.shape[:2]
    ix0, iy0 = np.clip(in_image.min(axis=0), 0, (w, h)).astype(int)
    ix1, iy1 = np.clip(in_image.max(axis=0), 0, (w, h)).astype(int)
    if ix1 - ix0 < 16 or iy1 - iy0 < 16:
        return None
    crop_scale = min(1.0 / f, 4.0)  # no more pixels than the image has
    cw, ch = int(round((bx1 - bx0) * crop_scale)), int(round((by1 - by0) * crop_scale))
    to_crop = np.array([[crop_scale, 0, -crop_scale * bx0], [0, crop_scale, -crop_scale * by0]])
    pixels = cv2.warpAffine(image, to_crop @ np.vstack([to_area, [0, 0, 1]]), (cw, ch),
                            flags=cv2.INTER_LINEAR, borderMode=cv2.BORDER_REPLICATE)
    return Portrait((int(ix0), int(iy0), int(ix1), int(iy1)), pixels)


def crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """A copy of ``image`` inside ``box``."""
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1].copy()


__all__ = ["Portrait", "crop", "find_photo", "find_portrait_by_mrz"]
