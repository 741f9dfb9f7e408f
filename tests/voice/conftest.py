"""Voice fixtures: models loaded once per session; speech cached in tests/media/out/voice/."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

MEDIA = Path(__file__).resolve().parents[1] / "media"
if str(MEDIA) not in sys.path:
    sys.path.insert(0, str(MEDIA))

import voice_generate as gen  # noqa: E402

from simkyc.domain.policy import DEFAULT_POLICY, VoicePolicy  # noqa: E402
from simkyc.voice import VoiceModels, load_voice_models  # noqa: E402


@pytest.fixture(scope="session")
def models() -> VoiceModels:
    """VAD + PocketSphinx (English); no operator Whisper model."""
    return load_voice_models(from_environment=False)


@pytest.fixture(scope="session")
def policy() -> VoicePolicy:
    return DEFAULT_POLICY.voice


@pytest.fixture(scope="session")
def generator() -> Any:
    return gen


@pytest.fixture(scope="session")
def talking_pair() -> dict[str, Any]:
    """Two talking-face videos (different people, different digits) and their speech."""
    from simkyc.media.video import read_video

    xa = gen.speak("en", "372905", seed=11)
    xb = gen.speak("en", "418263", seed=12, rate="slow")
    va = read_video(gen.talking_video("face_recognition/obama.jpg", xa, seed=11))
    vb = read_video(gen.talking_video("face_recognition/biden.jpg", xb, seed=12))
    return {"a": (xa, "372905", va), "b": (xb, "418263", vb)}
