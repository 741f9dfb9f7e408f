"""Safe video decoding (simkyc.media.video)."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest

from simkyc.domain.errors import InputError, MediaTooLargeError, UnsupportedMediaError
from simkyc.media.video import jpeg_size, read_video

FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"


def _encode(fmt: str, codec: str, *, n: int = 10, w: int = 64, h: int = 48, fps: int = 15) -> bytes:
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=fmt) as out:
        s = out.add_stream(codec, rate=fps)
        s.width, s.height = w, h
        s.pix_fmt = "yuv420p"
        for i in range(n):
            img = np.full((h, w, 3), (i * 20) % 255, dtype=np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    return buf.getvalue()


@pytest.mark.parametrize("fmt,codec", [("mp4", "libx264"), ("webm", "libvpx"),
                                       ("yuv4mpegpipe", "rawvideo")])
def test_reads_browser_and_camera_formats_with_timestamps(fmt: str, codec: str) -> None:
    v = read_video(_encode(fmt, codec))
    assert len(v) == 10
    assert v.frames[0].shape == (48, 64, 3) and v.frames[0].dtype == np.uint8
    steps = np.diff(v.timestamps_ms)
    assert np.allclose(steps, 1000 / 15, atol=1.5)
    assert v.fps == pytest.approx(15, abs=0.1)


def test_reads_generated_y4m_fake_camera_file(tmp_path: Path) -> None:
    import liveness_generate as gen

    frames = [np.full((48, 64, 3), 10 * i, np.uint8) for i in range(5)]
    path = tmp_path / "fake.y4m"
    gen.write_video(path, gen.Clip(frames, [i * 66.7 for i in range(5)], 15.0))
    assert path.read_bytes().startswith(b"YUV4MPEG2")
    v = read_video(path)
    assert v.container == "yuv4mpegpipe" and len(v) == 5


def test_real_clip_decodes() -> None:
    v = read_video(FACES / "face_recognition" / "short_hamilton_clip.mp4", resize_to=320)
    assert v.codec == "h264" and len(v) > 200
    assert max(v.size) == 320
    assert all(b > a for a, b in zip(v.timestamps_ms, v.timestamps_ms[1:], strict=False))


def test_refuses_non_video_and_empty() -> None:
    with pytest.raises(InputError):
        read_video(b"")
    with pytest.raises(UnsupportedMediaError):
        read_video(b"this is not a video at all" * 10)
    jpeg = (FACES / "face_recognition" / "obama_small.jpg").read_bytes()
    with pytest.raises(UnsupportedMediaError):
        read_video(jpeg)


def test_refuses_truncated() -> None:
    data = _encode("mp4", "libx264", n=30)
    with pytest.raises(InputError):
        read_video(data[: len(data) // 3])


def test_limits_refuse_rather_than_truncate() -> None:
    data = _encode("mp4", "libx264", n=30)
    with pytest.raises(MediaTooLargeError):
        read_video(data, max_bytes=100)
    with pytest.raises(MediaTooLargeError):
        read_video(data, max_frames=10)
    with pytest.raises(MediaTooLargeError):
        read_video(data, max_seconds=1.0)
    with pytest.raises(MediaTooLargeError):
        read_video(data, max_side=32)


def _mjpeg_with(jpegs: list[bytes], *, w: int = 64, h: int = 48) -> bytes:
    """Motion JPEG in Matroska from ready-made JPEG packets (a stream header
    says ``w``x``h``; each JPEG carries its own size)."""
    from fractions import Fraction

    buf = io.BytesIO()
    with av.open(buf, mode="w", format="matroska") as out:
        s = out.add_stream("mjpeg", rate=15)
        s.width, s.height, s.pix_fmt = w, h, "yuvj420p"
        for i, data in enumerate(jpegs):
            p = av.Packet(data)
            p.stream, p.time_base, p.pts, p.dts = s, Fraction(1, 15), i, i
            out.mux(p)
    return buf.getvalue()


def test_reads_motion_jpeg_from_a_webcam() -> None:
    """Issue 12: USB webcams send Motion JPEG; it is read like the others."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="matroska") as out:
        s = out.add_stream("mjpeg", rate=15)
        s.width, s.height, s.pix_fmt = 64, 48, "yuvj420p"
        for i in range(10):
            img = np.full((48, 64, 3), (i * 20) % 255, dtype=np.uint8)
            for p in s.encode(av.VideoFrame.from_ndarray(img, format="rgb24")):
                out.mux(p)
        for p in s.encode():
            out.mux(p)
    v = read_video(buf.getvalue())
    assert v.codec == "mjpeg" and len(v) == 10 and v.size == (64, 48)
    assert np.allclose(np.diff(v.timestamps_ms), 1000 / 15, atol=1.5)
    assert abs(float(v.frames[3].mean()) - 60) < 3


def test_jpeg_size_reads_the_frame_header() -> None:
    import cv2

    jpeg = cv2.imencode(".jpg", np.zeros((30, 70, 3), np.uint8))[1].tobytes()
    assert jpeg_size(jpeg) == (70, 30)
    assert jpeg_size(b"not a jpeg") is None
    assert jpeg_size(jpeg[:4]) is None


def test_motion_jpeg_frame_larger_than_its_header_is_refused_before_decoding() -> None:
    """Each Motion JPEG frame sets its own size: a frame far larger than the
    stream's header says is refused from its JPEG header, before the decoder
    allocates it (here 60000x60000, 10.8 GB as RGB, with no image data)."""
    import cv2

    small = cv2.imencode(".jpg", np.full((48, 64, 3), 100, np.uint8))[1].tobytes()
    i = small.index(b"\xff\xc0")
    huge = bytearray(small)
    huge[i + 5:i + 9] = (60000).to_bytes(2, "big") * 2  # height, width
    data = _mjpeg_with([small] * 30 + [bytes(huge)])
    with pytest.raises(MediaTooLargeError, match="60000x60000"):
        read_video(data)
    assert len(read_video(_mjpeg_with([small] * 30))) == 30
