"""Shared liveness test cases: the genuine session and a cache of encoded videos.

Videos are generated on demand and cached in tests/media/out/ (git-ignored);
bump ``CACHE_VERSION`` when the generator changes.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import liveness_generate as gen
import numpy as np

from simkyc.liveness import ScreenLight

#: Bump when the generator changes so cached videos are rebuilt.
CACHE_VERSION = 4
GENUINE_ACTIONS = ("turn_left", "blink", "turn_right")
GENUINE_PHOTO = gen.PHOTOS[0]
OTHER_PHOTO = gen.PHOTOS[1]
LIGHT = ScreenLight(("red", "blue", "green", "magenta", "yellow", "cyan", "red", "green",
                     "blue", "yellow"), 400.0)


def cached_video(name: str, build: Callable[[], gen.Clip], fmt: str = "mp4") -> Path:
    """Encode ``build()`` once into tests/media/out/ and return the path."""
    path = gen.OUT / f"liveness_v{CACHE_VERSION}_{name}.{fmt}"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(gen.write_video(None, build(), fmt=fmt))
        tmp.replace(path)  # atomic: parallel runs never read a half-written file
    return path


def cached_encoding(name: str, build: Callable[[], gen.Clip], encoding: str) -> Path:
    """Like :func:`cached_video`, encoded with ``gen.encode_video(clip, encoding)``."""
    path = gen.OUT / f"liveness_v{CACHE_VERSION}_{name}.{gen.ENCODINGS[encoding]}"
    if not path.exists():
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(gen.encode_video(build(), encoding))
        tmp.replace(path)
    return path


def still_customer_poses(seed: int = 7, fps: float = 15.0) -> list[gen.Pose]:
    """The genuine challenge performed by a customer on a steady camera who holds
    still between actions (no shake, no head jitter), under the LIGHT sequence."""
    poses = gen.timeline(GENUINE_ACTIONS, np.random.default_rng(seed), fps=fps, shake=0.0,
                         jitter=0.0)
    return gen.with_screen_light(poses, LIGHT.colours, LIGHT.colour_ms, fps=fps)


def genuine_poses(seed: int = 7) -> list[gen.Pose]:
    poses = gen.timeline(GENUINE_ACTIONS, np.random.default_rng(seed))
    return gen.with_screen_light(poses, LIGHT.colours, LIGHT.colour_ms)
