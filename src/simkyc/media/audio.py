"""Decode untrusted audio safely (PyAV / FFmpeg) into mono float32 at 16 kHz.

Audio comes from a browser (WebM/Opus or Ogg/Opus from ``MediaRecorder``), a
phone (MP3, M4A/AAC) or a file (WAV, FLAC). :func:`decode_audio` refuses, with
an :class:`~simkyc.domain.errors.InputError`, anything that is not decodable
audio of sane size: empty or truncated files, images and other containers,
files with no audio stream, too many bytes, too long (checked from the header
*before* decoding and again while decoding, since headers can lie).

A video file with an audio track (a browser's WebM recording, an MP4) is
accepted: its first audio stream is decoded. Resampling to 16 kHz mono is done
by FFmpeg's resampler (``av.AudioResampler``).
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from simkyc.domain.errors import InputError, MediaTooLargeError, UnsupportedMediaError
from simkyc.media.files import one_line, read_limited

#: The sample rate every voice check works at (samples per second).
SAMPLE_RATE = 16_000

#: Containers accepted (FFmpeg demuxer names, as PyAV reports them).
ACCEPTED_CONTAINERS: frozenset[str] = frozenset(
    {"wav", "ogg", "mp3", "matroska,webm", "flac", "mov,mp4,m4a,3gp,3g2,mj2"}
)
#: Audio codecs accepted (FFmpeg decoder names).
ACCEPTED_CODECS: frozenset[str] = frozenset(
    {"pcm_s16le", "pcm_s24le", "pcm_s32le", "pcm_f32le", "pcm_u8", "pcm_mulaw", "pcm_alaw",
     "opus", "libopus", "vorbis", "libvorbis", "mp3", "mp3float", "flac", "aac"}
)

#: Defaults: 20 MB of bytes, 120 s of audio.
MAX_BYTES = 20 * 1024 * 1024
MAX_SECONDS = 120.0
#: Shorter than this (seconds) is refused: nothing could be said in it.
MIN_SECONDS = 0.25


@dataclass(frozen=True)
class Audio:
    """Decoded audio: ``samples`` mono float32 in -1..1 at ``sample_rate`` Hz.

    ``codec`` / ``container``: FFmpeg names of what was decoded. ``start_s``:
    the time of the first sample on the container's clock (a recording's audio
    and video tracks share that clock, and need not both start at 0).
    """

    samples: np.ndarray
    sample_rate: int = SAMPLE_RATE
    codec: str = ""
    container: str = ""
    start_s: float = 0.0

    @property
    def duration_s(self) -> float:
        """Length in seconds."""
        return len(self.samples) / float(self.sample_rate)


def decode_audio(
    source: str | Path | bytes,
    *,
    max_bytes: int = MAX_BYTES,
    max_seconds: float = MAX_SECONDS,
    min_seconds: float = MIN_SECONDS,
) -> Audio:
    """Decode the first audio stream of a file path or in-memory bytes to 16 kHz mono.

    Limits: ``max_bytes`` of input and ``max_seconds`` of audio raise
    :class:`MediaTooLargeError` (refused, never silently truncated); less than
    ``min_seconds`` raises :class:`InputError`. Containers and codecs outside
    :data:`ACCEPTED_CONTAINERS` / :data:`ACCEPTED_CODECS`, or input with no audio
    stream, raise :class:`UnsupportedMediaError`; unreadable or corrupt input
    raises :class:`InputError`.
    """
    import av  # imported here: nothing heavy at import time

    data, name = _load_bytes(source, max_bytes=max_bytes)
    _check_wav_complete(data, name)
    try:
        container = av.open(io.BytesIO(data), mode="r")
    except (av.error.FFmpegError, ValueError, OSError, UnicodeDecodeError) as exc:
        raise UnsupportedMediaError(f"{name}: not readable audio ({one_line(exc)})") from exc
    try:
        return _decode(container, name, max_seconds=max_seconds, min_seconds=min_seconds)
    finally:
        container.close()


def _load_bytes(source: str | Path | bytes, *, max_bytes: int) -> tuple[bytes, str]:
    if isinstance(source, (bytes, bytearray, memoryview)):
        data, name = bytes(source), "audio"
    else:
        name = Path(source).name
        data = read_limited(source, max_bytes=max_bytes)
    if not data:
        raise InputError(f"{name}: empty audio")
    if len(data) > max_bytes:
        raise MediaTooLargeError(f"{name}: {len(data)} bytes exceeds the {max_bytes}-byte limit")
    return data, name


def _check_wav_complete(data: bytes, name: str) -> None:
    """A WAV whose ``data`` chunk declares more bytes than the file holds was cut off.

    FFmpeg silently decodes what is there; a cut-off recording could hide the
    end of the answer, so it is refused. Streaming writers put 0 or 0xFFFFFFFF
    there (unknown length); those are accepted.
    """
    if data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        return
    pos = 12
    while pos + 8 <= len(data) and pos < 1 << 16:
        chunk, size = data[pos:pos + 4], int.from_bytes(data[pos + 4:pos + 8], "little")
        if chunk == b"data":
            have = len(data) - pos - 8
            if size not in (0, 0xFFFFFFFF) and have < size:
                raise InputError(f"{name}: WAV is truncated ({have} of the {size} data bytes "
                                 "its header declares)")
            return
        pos += 8 + size + (size & 1)


def _decode(container, name: str, *, max_seconds: float, min_seconds: float) -> Audio:
    import av

    fmt = container.format.name
    if fmt not in ACCEPTED_CONTAINERS:
        raise UnsupportedMediaError(f"{name}: container {fmt!r} is not accepted")
    if not container.streams.audio:
        raise UnsupportedMediaError(f"{name}: no audio stream")
    stream = container.streams.audio[0]
    if stream.codec_context is None:  # a codec id FFmpeg has no decoder for
        raise UnsupportedMediaError(f"{name}: audio codec not recognised")
    codec = stream.codec_context.name
    if codec not in ACCEPTED_CODECS:
        raise UnsupportedMediaError(f"{name}: audio codec {codec!r} is not accepted")
    declared = None
    if stream.duration is not None and stream.time_base is not None:
        declared = float(stream.duration * stream.time_base)
        if declared > max_seconds + 0.5:
            raise MediaTooLargeError(
                f"{name}: {declared:.1f} s exceeds the {max_seconds:g}-s limit")
    resampler = av.AudioResampler(format="flt", layout="mono", rate=SAMPLE_RATE)
    limit = int((max_seconds + 0.5) * SAMPLE_RATE)
    chunks: list[np.ndarray] = []
    total = 0
    start_s: float | None = None

    def take(frames) -> None:
        nonlocal total
        for out in frames:
            arr = out.to_ndarray().reshape(-1).astype(np.float32, copy=False)
            total += len(arr)
            if total > limit:
                raise MediaTooLargeError(f"{name}: longer than the {max_seconds:g}-s limit")
            chunks.append(arr)

    try:
        for frame in container.decode(stream):
            if start_s is None:
                start_s = float(frame.time) if frame.time is not None else 0.0
            take(resampler.resample(frame))
        take(resampler.resample(None))  # flush
    except (av.error.FFmpegError, ValueError, OSError) as exc:
        raise InputError(f"{name}: audio is truncated or corrupt after "
                         f"{total / SAMPLE_RATE:.2f} s ({one_line(exc)})") from exc
    samples = np.concatenate(chunks) if chunks else np.zeros(0, np.float32)
    if not np.all(np.isfinite(samples)):
        raise InputError(f"{name}: audio contains invalid samples")
    if len(samples) < min_seconds * SAMPLE_RATE:
        raise InputError(f"{name}: {len(samples) / SAMPLE_RATE:.2f} s of audio is too short "
                         f"(minimum {min_seconds:g} s)")
    return Audio(samples=np.clip(samples, -1.0, 1.0), sample_rate=SAMPLE_RATE,
                 codec=codec, container=fmt, start_s=max(0.0, start_s or 0.0))


__all__ = ["ACCEPTED_CODECS", "ACCEPTED_CONTAINERS", "Audio", "MAX_BYTES", "MAX_SECONDS",
           "SAMPLE_RATE", "decode_audio"]
