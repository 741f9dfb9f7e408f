"""Identify uploaded media by its bytes, not by the name or the declared type."""

from __future__ import annotations

from simkyc.media.images import ACCEPTED_FORMATS, sniff_image_type

#: Every MIME type :func:`sniff_media_type` can answer (what stored media evidence has).
MEDIA_TYPES: frozenset[str] = frozenset(
    {"video/mp4", "video/webm", "video/y4m", "audio/wav", "audio/ogg", "audio/flac",
     "audio/mpeg", *ACCEPTED_FORMATS.values()})


def sniff_media_type(data: bytes) -> str | None:
    """The MIME type of ``data`` from its magic bytes, or ``None`` if not accepted.

    Images: JPEG, PNG, WebP by signature (a truncated one is still recognised,
    so that decoding can say it is truncated), BMP via Pillow. Video: MP4/QuickTime,
    WebM/Matroska. Audio: WAV, Ogg, MP3, FLAC. (WebM is reported as
    ``video/webm``; an audio-only WebM is still WebM.)
    """
    head = data[:64]
    if head[4:8] == b"ftyp":
        return "video/mp4"
    if head[:4] == b"\x1a\x45\xdf\xa3":
        return "video/webm"
    if head[:4] == b"RIFF" and head[8:12] == b"WAVE":
        return "audio/wav"
    if head[:4] == b"OggS":
        return "audio/ogg"
    if head[:4] == b"fLaC":
        return "audio/flac"
    if head[:3] == b"ID3" or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return "audio/mpeg"
    if head.startswith(b"YUV4MPEG2"):
        return "video/y4m"
    if head[:3] == b"\xff\xd8\xff":
        return "image/jpeg"
    if head[:8] == b"\x89PNG\r\n\x1a\n":
        return "image/png"
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return "image/webp"
    return sniff_image_type(data)


def family(mime: str | None) -> str | None:
    """``image``, ``video`` or ``audio`` (WebM counts as both video and audio containers)."""
    return mime.split("/", 1)[0] if mime else None


__all__ = ["MEDIA_TYPES", "family", "sniff_media_type"]
