"""Safe audio decoding: every accepted format decodes to 16-kHz mono; bad input is refused."""

from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from simkyc.domain.errors import InputError, MediaTooLargeError, UnsupportedMediaError
from simkyc.media.audio import SAMPLE_RATE, decode_audio


@pytest.fixture(scope="module")
def speech(generator) -> np.ndarray:
    return generator.speak("cmn", "372905", seed=1)


@pytest.mark.parametrize("fmt, codec", [("wav", "pcm_s16le"), ("ogg", "vorbis"),
                                        ("webm", "opus"), ("mp3", "mp3float")])
def test_every_format_decodes_to_16k_mono(generator, speech, fmt, codec):
    audio = decode_audio(generator.encode(speech, fmt))
    assert audio.sample_rate == SAMPLE_RATE
    assert audio.samples.ndim == 1 and audio.samples.dtype == np.float32
    assert audio.codec == codec
    # Lossy codecs add a little padding; the length stays within 0.1 s.
    assert abs(audio.duration_s - len(speech) / SAMPLE_RATE) < 0.1
    assert np.abs(audio.samples).max() > 0.1


def test_file_path_and_bytes_agree(generator, speech, tmp_path):
    p = tmp_path / "a.wav"
    p.write_bytes(generator.encode(speech, "wav"))
    assert np.allclose(decode_audio(p).samples, decode_audio(p.read_bytes()).samples)


def test_refuses_empty_and_missing(tmp_path):
    with pytest.raises(InputError, match="empty"):
        decode_audio(b"")
    with pytest.raises(InputError, match="cannot read"):
        decode_audio(tmp_path / "missing.wav")


def test_refuses_text_and_images():
    with pytest.raises(UnsupportedMediaError):
        decode_audio(b"hello, this is not audio at all" * 20)
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), "red").save(buf, format="PNG")
    with pytest.raises(UnsupportedMediaError):
        decode_audio(buf.getvalue())


def test_refuses_truncated_wav(generator, speech):
    data = generator.encode(speech, "wav")
    with pytest.raises(InputError, match="truncated"):
        decode_audio(data[: len(data) // 3])


def test_refuses_too_many_bytes_and_too_long(generator, speech):
    data = generator.encode(speech, "wav")
    with pytest.raises(MediaTooLargeError, match="byte"):
        decode_audio(data, max_bytes=1000)
    with pytest.raises(MediaTooLargeError, match="limit"):
        decode_audio(data, max_seconds=1.0)
    with pytest.raises(MediaTooLargeError, match="limit"):
        decode_audio(generator.encode(speech, "webm"), max_seconds=1.0)


def test_refuses_too_short(generator):
    with pytest.raises(InputError, match="too short"):
        decode_audio(generator.encode(np.zeros(800, np.float32), "wav"))


def test_refuses_video_without_audio_track(generator, talking_pair):
    # The talking-face videos are mp4 files with no sound track.
    path = generator.talking_video("face_recognition/obama.jpg", talking_pair["a"][0], seed=11)
    with pytest.raises(UnsupportedMediaError, match="no audio stream"):
        decode_audio(path)
