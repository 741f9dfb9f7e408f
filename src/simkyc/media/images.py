"""Decode untrusted image bytes safely.

Every image simkyc sees comes from outside (a camera, an upload, a file), so
decoding refuses, with an :class:`~simkyc.domain.errors.InputError`, anything
that is not a complete JPEG/PNG/WebP/BMP image of sane size: empty or
truncated files, other formats, decompression bombs (the header's dimensions
are checked *before* pixels are decoded), and images too large to process.
"""

from __future__ import annotations

import io
import warnings
from pathlib import Path

import numpy as np
from PIL import Image, UnidentifiedImageError

from simkyc.domain.errors import InputError, MediaTooLargeError, UnsupportedMediaError
from simkyc.media.files import read_limited

#: Formats accepted (Pillow names) and their MIME types.
ACCEPTED_FORMATS: dict[str, str] = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "BMP": "image/bmp",
    # Multi-Picture Format (CIPA DC-007): a JPEG followed by more JPEGs (a
    # preview, a depth map, a second eye), written by many phones. The first
    # image is the photo; Pillow decodes only it unless asked to seek.
    "MPO": "image/jpeg",
}

#: Defaults: 20 MB of bytes, 40 megapixels, 12,000 px on a side.
MAX_BYTES = 20 * 1024 * 1024
MAX_PIXELS = 40_000_000
MAX_SIDE = 12_000
MIN_SIDE = 16


def read_image_file(path: str | Path, **limits: int) -> np.ndarray:
    """Read and decode an image file; see :func:`decode_image`."""
    data = read_limited(path, max_bytes=limits.get("max_bytes", MAX_BYTES))
    return decode_image(data, **limits)


def encode_png(rgb: np.ndarray) -> bytes:
    """PNG bytes of an RGB ``uint8`` array (lossless, for evidence crops and frames)."""
    buf = io.BytesIO()
    Image.fromarray(rgb).save(buf, format="PNG")
    return buf.getvalue()


def sniff_image_type(data: bytes) -> str | None:
    """The MIME type of ``data`` from its header, or ``None`` if it is not an accepted image."""
    try:
        with Image.open(io.BytesIO(data)) as im:
            return ACCEPTED_FORMATS.get(im.format or "")
    except (UnidentifiedImageError, OSError, ValueError):
        return None


def decode_image(
    data: bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_pixels: int = MAX_PIXELS,
    max_side: int = MAX_SIDE,
) -> np.ndarray:
    """Decode image bytes to an RGB ``uint8`` array of shape (height, width, 3).

    EXIF orientation is applied, so the array is upright as a person sees it.
    A multi-picture JPEG (MPO, from phones) gives its first picture.

    Raises:
        InputError: empty, truncated or corrupt data.
        UnsupportedMediaError: not JPEG, PNG, WebP or BMP.
        MediaTooLargeError: more than ``max_bytes`` bytes, ``max_pixels`` pixels or
            ``max_side`` pixels on a side (checked from the header, before decoding).
    """
    if not data:
        raise InputError("empty image")
    if len(data) > max_bytes:
        raise MediaTooLargeError(f"image of {len(data)} bytes exceeds the {max_bytes}-byte limit")
    try:
        with warnings.catch_warnings():
            # Pillow warns (DecompressionBombWarning) before it errors; we check ourselves.
            warnings.simplefilter("ignore", Image.DecompressionBombWarning)
            im = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise MediaTooLargeError(f"image exceeds the pixel limit ({max_pixels} pixels): "
                                 "possible decompression bomb") from exc
    except UnidentifiedImageError as exc:
        raise UnsupportedMediaError(
            "not an image simkyc can read (JPEG, PNG, WebP or BMP)"
        ) from exc
    except (OSError, ValueError) as exc:
        raise InputError(f"truncated or corrupt image: {exc}") from exc
    with im:
        if im.format not in ACCEPTED_FORMATS:
            raise UnsupportedMediaError(
                f"image format {im.format} is not accepted (JPEG, PNG, WebP or BMP)"
            )
        width, height = im.size
        if width > max_side or height > max_side or width * height > max_pixels:
            raise MediaTooLargeError(
                f"image of {width}x{height} pixels exceeds the limit "
                f"({max_side} px a side, {max_pixels} pixels)"
            )
        if width < MIN_SIDE or height < MIN_SIDE:
            raise InputError(f"image of {width}x{height} pixels is too small to check")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", Image.DecompressionBombWarning)
                im.load()
                from PIL import ImageOps

                upright = ImageOps.exif_transpose(im)
                rgb = upright.convert("RGB")
        except (OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
            raise InputError(f"truncated or corrupt image: {exc}") from exc
    return np.asarray(rgb, dtype=np.uint8).copy()


__all__ = [
    "ACCEPTED_FORMATS",
    "MAX_BYTES",
    "MAX_PIXELS",
    "MAX_SIDE",
    "decode_image",
    "encode_png",
    "read_image_file",
    "sniff_image_type",
]
