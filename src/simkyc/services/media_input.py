"""Submitted media, checked and decoded before a step uses anything up.

Every blob a step receives is identified by its bytes (never by a name or a
declared type), held to its size limit, and fully decoded within bounds
*before* a challenge is consumed or anything is stored: random bytes behind
a valid magic number, a truncated file or a video too large to analyse are
refused here, with the step's challenge still unused.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from simkyc.domain.errors import InputError, MediaTooLargeError, UnsupportedMediaError
from simkyc.media.sniff import family, sniff_media_type
from simkyc.services.context import MediaLimits


@dataclass(frozen=True)
class Blob:
    """Bytes as submitted, with their sniffed MIME type."""

    data: bytes
    mime: str


def identify(data: bytes, *, families: tuple[str, ...], max_bytes: int,
             what: str = "file") -> Blob:
    """``data`` as a :class:`Blob` of one of ``families`` (``image``, ``video``, ``audio``).

    Raises :class:`MediaTooLargeError` beyond ``max_bytes``, :class:`InputError`
    when empty, :class:`UnsupportedMediaError` for any other type.
    """
    if len(data) > max_bytes:
        raise MediaTooLargeError(f"{what} exceeds the {max_bytes}-byte limit")
    if not data:
        raise InputError(f"{what} is empty")
    mime = sniff_media_type(data)
    fam = family(mime)
    ok = fam in families or (mime == "video/webm" and "audio" in families)
    if not ok or mime is None:
        raise UnsupportedMediaError(f"{what}: expected {' or '.join(families)}; got "
                                    f"{mime or 'an unrecognised format'}")
    return Blob(data, mime)


def image_input(data: bytes, limits: MediaLimits, *, what: str = "image"
                ) -> tuple[Blob, np.ndarray]:
    """An image identified and decoded (RGB, upright), with bomb and size checks."""
    from simkyc.media.images import decode_image

    blob = identify(data, families=("image",), max_bytes=limits.max_image_bytes, what=what)
    return blob, decode_image(blob.data, max_bytes=limits.max_image_bytes)


def video_input(data: bytes, limits: MediaLimits, *, max_seconds: float,
                resize_to: int | None = None, what: str = "video") -> tuple[Blob, Any]:
    """A video identified and decoded within the pixel budget (frames downscaled to fit).

    ``resize_to`` (default ``limits.analysis_video_side``): longer side of the
    frames the checks get. Raises as :func:`simkyc.media.video.read_video`.
    """
    from simkyc.media.video import read_video

    blob = identify(data, families=("video",), max_bytes=limits.max_video_bytes, what=what)
    clip = read_video(blob.data, max_bytes=limits.max_video_bytes, max_seconds=max_seconds,
                      resize_to=resize_to or limits.analysis_video_side,
                      max_total_pixels=limits.max_video_pixels,
                      min_side=limits.min_video_side)
    return blob, clip


def audio_input(data: bytes, limits: MediaLimits, *, what: str = "audio") -> tuple[Blob, Any]:
    """Audio (WAV, Ogg, MP3, FLAC, or the sound of a WebM) identified and decoded."""
    from simkyc.media.audio import decode_audio

    blob = identify(data, families=("audio", "video"), max_bytes=limits.max_audio_bytes,
                    what=what)
    return blob, decode_audio(blob.data, max_bytes=limits.max_audio_bytes)


__all__ = ["Blob", "audio_input", "identify", "image_input", "video_input"]
