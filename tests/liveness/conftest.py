"""Liveness fixtures: models loaded once, generated sessions cached under tests/media/out/."""

from __future__ import annotations

import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

MEDIA = Path(__file__).resolve().parents[1] / "media"
if str(MEDIA) not in sys.path:
    sys.path.insert(0, str(MEDIA))

import liveness_generate as gen  # noqa: E402
from liveness_cases import GENUINE_ACTIONS, GENUINE_PHOTO, cached_video, genuine_poses  # noqa: E402

from simkyc.face.models import load_face_models, open_face_mesh  # noqa: E402
from simkyc.liveness import check_liveness  # noqa: E402
from simkyc.media.video import Video, read_video  # noqa: E402


@pytest.fixture(scope="session")
def face_models() -> Any:
    return load_face_models()


@pytest.fixture(scope="session")
def genuine_path() -> Path:
    """Obama performing turn_left, blink, turn_right under the LIGHT colour sequence."""
    return cached_video("genuine", lambda: gen.make_clip(GENUINE_PHOTO, GENUINE_ACTIONS, 7,
                                                         poses=genuine_poses()))


@pytest.fixture(scope="session")
def genuine_clip(genuine_path: Path) -> gen.Clip:
    v = read_video(genuine_path)
    return gen.Clip(list(v.frames), list(v.timestamps_ms), v.fps, genuine_poses())


@pytest.fixture(scope="session")
def check(face_models: Any) -> Callable[..., Any]:
    def run(video: Video | Path, actions: Sequence[str], **kw: Any) -> Any:
        if not isinstance(video, Video):
            video = read_video(video)
        return check_liveness(video, actions, face_models=face_models,
                              mesh_factory=open_face_mesh, **kw)
    return run
