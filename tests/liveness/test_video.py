"""Safe video decoding (simkyc.media.video)."""

from __future__ import annotations

import io
from pathlib import Path

import av
import numpy as np
import pytest

from simkyc.domain.errors import InputError, MediaTooLargeError, UnsupportedMediaError
from simkyc.media.video import read_video

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
