"""Decode untrusted video safely (PyAV / FFmpeg).

Every video simkyc sees comes from a browser (WebM/VP8 or VP9), a phone or a
shop camera (MP4/H.264, MPEG-4 Part 2), a USB webcam (Motion JPEG, in
Matroska or MP4), or Chromium's fake camera (Y4M). :func:`read_video`
refuses, with an :class:`~simkyc.domain.errors.InputError`, anything that is
not a decodable video of sane size: empty or truncated files, other
containers or codecs, too many bytes, too long, too many frames, frames too
large. Dimensions and duration are checked from the container header *before*
decoding and again per decoded frame (headers can lie).

Frames come back as RGB ``uint8`` arrays with the presentation timestamp of
each frame in milliseconds, exactly as the container states it (no
re-timing), so callers can check timing consistency themselves.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from fractions import Fraction
from pathlib import Path

import numpy as np

from simkyc.domain.errors import InputError, MediaTooLargeError, UnsupportedMediaError
from simkyc.media.files import one_line, read_limited

#: Containers accepted (FFmpeg demuxer names, as PyAV reports them).
ACCEPTED_CONTAINERS: frozenset[str] = frozenset(
    {"mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "yuv4mpegpipe"}
)
#: Video codecs accepted (FFmpeg decoder names). ``mjpeg``: Motion JPEG, what
#: USB webcams and shop cameras send; every frame is a JPEG with its own header,
#: so each one's size is checked before it is decoded (:func:`jpeg_size`).
ACCEPTED_CODECS: frozenset[str] = frozenset(
    {"h264", "vp8", "vp9", "av1", "mpeg4", "mjpeg", "rawvideo"})

#: Defaults: 50 MB of bytes, 60 s, 1,800 frames, 1,920 px on the longer side.
MAX_BYTES = 50 * 1024 * 1024
MAX_SECONDS = 60.0
MAX_FRAMES = 1800
MAX_SIDE = 1920


@dataclass(frozen=True)
class Video:
    """Decoded frames of one video stream.

    ``frames``: RGB ``uint8`` arrays (height, width, 3), in decoding order.
    ``timestamps_ms``: presentation time of each frame in milliseconds, from
    the container (frame 0 is usually 0). ``fps``: the stream's declared
    average frame rate (frames per second), or the measured one if none is
    declared. ``codec`` / ``container``: FFmpeg names.
    """

    frames: tuple[np.ndarray, ...]
    timestamps_ms: tuple[float, ...]
    fps: float
    codec: str = ""
    container: str = ""

    @property
    def duration_ms(self) -> float:
        """Time from the first to the last frame plus one frame period, in ms."""
        if not self.timestamps_ms:
            return 0.0
        period = 1000.0 / self.fps if self.fps > 0 else 0.0
        return self.timestamps_ms[-1] - self.timestamps_ms[0] + period

    @property
    def size(self) -> tuple[int, int]:
        """(width, height) in pixels of the (possibly downscaled) frames."""
        if not self.frames:
            return (0, 0)
        h, w = self.frames[0].shape[:2]
        return (w, h)

    def __len__(self) -> int:
        return len(self.frames)


def read_video(
    source: str | Path | bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_seconds: float = MAX_SECONDS,
    max_frames: int = MAX_FRAMES,
    max_side: int = MAX_SIDE,
    resize_to: int | None = None,
    max_total_pixels: int | None = None,
    min_side: int = 160,
) -> Video:
    """Decode the first video stream of a file path or of in-memory bytes.

    Limits: ``max_bytes`` of input, ``max_seconds`` of duration, ``max_frames``
    decoded frames, ``max_side`` pixels on the longer side of a frame; any
    excess raises :class:`MediaTooLargeError` (the video is refused, never
    silently truncated). ``resize_to``: if given, frames whose longer side
    exceeds it are downscaled (area interpolation) so it equals ``resize_to``;
    processing cost depends on it. Raises :class:`UnsupportedMediaError` for
    other containers or codecs and :class:`InputError` for unreadable input.

    ``max_total_pixels`` bounds the memory the decoded frames take (frames ×
    width × height after downscaling; 3 bytes each): before decoding, the
    frames are downscaled further (never below ``min_side`` on the longer side)
    so that the frame count the header declares fits; while decoding, a video
    whose frames exceed the bound anyway (headers can lie) is refused.
    """
    import av  # imported here: nothing heavy at import time

    data = _load_bytes(source, max_bytes=max_bytes)
    name = source.name if isinstance(source, Path) else (
        Path(source).name if isinstance(source, str) else "video")
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise UnsupportedMediaError(f"{name}: not a readable video ({one_line(exc)})") from exc
    try:
        return _decode(container, name, max_seconds=max_seconds, max_frames=max_frames,
                       max_side=max_side, resize_to=resize_to,
                       max_total_pixels=max_total_pixels, min_side=min_side)
    finally:
        container.close()


def _load_bytes(source: str | Path | bytes, *, max_bytes: int) -> bytes:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data = bytes(source)
    else:
        data = read_limited(source, max_bytes=max_bytes)
    if not data:
        raise InputError("empty video")
    if len(data) > max_bytes:
        raise MediaTooLargeError(f"video: {len(data)} bytes exceeds the {max_bytes}-byte limit")
    return data


def _budget_side(w: int, h: int, frames: int, budget: int, min_side: int) -> int:
    """The longer side at which ``frames`` frames of ``w``x``h`` fit ``budget`` pixels."""
    long_side, short_side = max(w, h), max(1, min(w, h))
    per_frame = budget / max(1, frames)
    side = int((per_frame * long_side / short_side) ** 0.5)
    return max(min_side, min(long_side, side))


def _decode(container, name: str, *, max_seconds: float, max_frames: int, max_side: int,
            resize_to: int | None, max_total_pixels: int | None = None,
            min_side: int = 160) -> Video:
    import av
    import cv2

    fmt = container.format.name
    if fmt not in ACCEPTED_CONTAINERS:
        raise UnsupportedMediaError(f"{name}: container {fmt!r} is not accepted")
    if not container.streams.video:
        raise UnsupportedMediaError(f"{name}: no video stream")
    stream = container.streams.video[0]
    if stream.codec_context is None:  # a codec id FFmpeg has no decoder for
        raise UnsupportedMediaError(f"{name}: video codec not recognised")
    codec = stream.codec_context.name
    if codec not in ACCEPTED_CODECS:
        raise UnsupportedMediaError(f"{name}: video codec {codec!r} is not accepted")
    w, h = stream.codec_context.width, stream.codec_context.height
    if max(w, h) > max_side:
        raise MediaTooLargeError(f"{name}: {w}x{h} exceeds {max_side} px on a side")
    if stream.duration is not None and stream.time_base is not None:
        declared = float(stream.duration * stream.time_base)
        if declared > max_seconds + 0.5:
            raise MediaTooLargeError(
                f"{name}: {declared:.1f} s exceeds the {max_seconds:g}-s limit")
    rate = stream.average_rate or stream.guessed_rate
    declared_fps = float(rate) if rate else 0.0
    if max_total_pixels is not None:
        expected = int(stream.frames or 0)
        if not expected and declared_fps > 0:
            seconds = (float(stream.duration * stream.time_base)
                       if stream.duration is not None and stream.time_base is not None
                       else float(container.duration or 0) / 1e6)
            expected = int(seconds * declared_fps) + 1
        side = _budget_side(w, h, min(max(expected, 1), max_frames), max_total_pixels,
                            min_side)
        resize_to = side if resize_to is None else min(resize_to, side)
    kept_pixels = 0

    frames: list[np.ndarray] = []
    stamps: list[float] = []
    try:
        for frame in _frames(container, stream, codec, name, max_side=max_side):
            if len(frames) >= max_frames:
                raise MediaTooLargeError(f"{name}: more than {max_frames} frames")
            if max(frame.width, frame.height) > max_side:
                raise MediaTooLargeError(
                    f"{name}: frame {frame.width}x{frame.height} exceeds {max_side} px on a side")
            ts = _timestamp_ms(frame, len(frames), declared_fps)
            if stamps and ts - stamps[0] > max_seconds * 1000.0:
                raise MediaTooLargeError(f"{name}: longer than the {max_seconds:g}-s limit")
            rgb = frame.to_ndarray(format="rgb24")
            if resize_to is not None and max(rgb.shape[:2]) > resize_to:
                scale = resize_to / max(rgb.shape[:2])
                size = (round(rgb.shape[1] * scale), round(rgb.shape[0] * scale))
                rgb = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
            kept_pixels += rgb.shape[0] * rgb.shape[1]
            if max_total_pixels is not None and kept_pixels > max_total_pixels:
                raise MediaTooLargeError(
                    f"{name}: decoded frames exceed {max_total_pixels} pixels "
                    f"({len(frames) + 1} frames of {rgb.shape[1]}x{rgb.shape[0]})")
            frames.append(rgb)
            stamps.append(ts)
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        if not frames:
            raise InputError(f"{name}: cannot decode video ({one_line(exc)})") from exc
        # A corrupt tail: deciding on the frames decoded so far is unsafe (a
        # challenge may be cut off), so refuse.
        raise InputError(f"{name}: video is truncated or corrupt after "
                         f"{len(frames)} frames ({one_line(exc)})") from exc
    if not frames:
        raise InputError(f"{name}: no decodable video frames")
    fps = declared_fps
    if fps <= 0 and len(stamps) > 1 and stamps[-1] > stamps[0]:
        fps = 1000.0 * (len(stamps) - 1) / (stamps[-1] - stamps[0])
    return Video(frames=tuple(frames), timestamps_ms=tuple(stamps), fps=fps,
                 codec=codec, container=fmt)


#: JPEG start-of-frame markers (baseline, extended, progressive, lossless, ...).
_SOF_MARKERS = frozenset({0xC0, 0xC1, 0xC2, 0xC3, 0xC5, 0xC6, 0xC7, 0xC9, 0xCA, 0xCB, 0xCD,
                          0xCE, 0xCF})


def jpeg_size(data: bytes) -> tuple[int, int] | None:
    """(width, height) from the start-of-frame header of one JPEG image (a
    Motion JPEG packet), or ``None`` if no such header comes before the scan."""
    i, n = 2, len(data)
    if data[:2] != b"\xff\xd8":
        return None
    while i + 4 <= n:
        if data[i] != 0xFF:
            return None
        marker = data[i + 1]
        if marker == 0xFF:  # fill byte
            i += 1
            continue
        if marker in (0x01, *range(0xD0, 0xD8)):  # markers without a length
            i += 2
            continue
        length = int.from_bytes(data[i + 2:i + 4], "big")
        if marker in _SOF_MARKERS:
            if i + 9 > n:
                return None
            h = int.from_bytes(data[i + 5:i + 7], "big")
            w = int.from_bytes(data[i + 7:i + 9], "big")
            return (w, h)
        if marker == 0xDA or length < 2:  # start of scan: no frame header before it
            return None
        i += 2 + length
    return None


def _frames(container, stream, codec: str, name: str, *, max_side: int):
    """Decoded frames of ``stream``. A Motion JPEG packet is a whole JPEG whose
    own header sets the frame size (the container's says nothing binding), so
    its size is read and refused above ``max_side`` *before* the decoder
    allocates the frame."""
    if codec != "mjpeg":
        yield from container.decode(stream)
        return
    for packet in container.demux(stream):
        if packet.size:
            size = jpeg_size(bytes(packet))
            if size is not None and max(size) > max_side:
                raise MediaTooLargeError(
                    f"{name}: frame {size[0]}x{size[1]} exceeds {max_side} px on a side")
        yield from packet.decode()


def _timestamp_ms(frame, index: int, fps: float) -> float:
    if frame.pts is not None and frame.time_base is not None:
        return float(Fraction(frame.pts) * frame.time_base * 1000)
    if frame.time is not None:
        return float(frame.time) * 1000.0
    return index * 1000.0 / fps if fps > 0 else float(index)


__all__ = [
    "ACCEPTED_CODECS",
    "ACCEPTED_CONTAINERS",
    "MAX_BYTES",
    "MAX_FRAMES",
    "MAX_SECONDS",
    "MAX_SIDE",
    "Video",
    "jpeg_size",
    "read_video",
]
