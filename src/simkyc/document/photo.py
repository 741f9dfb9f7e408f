"""Locate a document's face photo (dlib HOG face detector) and cut it out."""

from __future__ import annotations

from typing import Any

import numpy as np

#: Portrait proportions around the detected face: width = 1.9 x face width,
#: height = 1.28 x portrait width, face centre at 45 % of the height.
PORTRAIT_WIDTH = 1.9
PORTRAIT_ASPECT = 1.28


def find_photo(image: np.ndarray, detector: Any) -> tuple[int, int, int, int] | None:
    """The portrait box ``(x0, y0, x1, y1)`` around the largest face, or ``None``.

    The detector (dlib HOG) finds faces of about 80 px and larger; the image is
    upsampled once when nothing is found at the original size.
    """
    h, w = image.shape[:2]
    dets = detector(image, 0)
    if len(dets) == 0:
        dets = detector(image, 1)
    if len(dets) == 0:
        return None
    d = max(dets, key=lambda r: r.width() * r.height())
    cx, cy = (d.left() + d.right()) / 2, (d.top() + d.bottom()) / 2
    pw = d.width() * PORTRAIT_WIDTH
    ph = pw * PORTRAIT_ASPECT
    x0, y0 = max(0, int(cx - pw / 2)), max(0, int(cy - ph * 0.45))
    x1, y1 = min(w, int(cx + pw / 2)), min(h, int(cy + ph * 0.55))
    if x1 - x0 < 16 or y1 - y0 < 16:
        return None
    return (x0, y0, x1, y1)


def crop(image: np.ndarray, box: tuple[int, int, int, int]) -> np.ndarray:
    """A copy of ``image`` inside ``box``."""
    x0, y0, x1, y1 = box
    return image[y0:y1, x0:x1].copy()


__all__ = ["crop", "find_photo"]
