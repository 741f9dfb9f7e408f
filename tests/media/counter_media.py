"""Fake camera and microphone files for the counter app's browser test (Chromium's
``--use-file-for-fake-video-capture`` / ``--use-file-for-fake-audio-capture``).

Chromium reads these files again each time the page opens the camera (and plays them
from their first frame), so the test writes, before each step, what the customer
does in it: a real photo from ``../shared/data/faces/`` rendered as a live face
(:mod:`liveness_generate`), performing the liveness challenge at the counter page's
prompt times under its screen-colour flash, or reading the digits
(:mod:`voice_generate`: espeak-ng / Piper speech, the mouth following the loudness).
A *still* photo camera is the same photo in every frame, unchanged.

Timings are the page's (``app.js``): 1.3 s "hold still", then each action prompted
for 2.6 s followed by 1.3 s neutral; the customer reacts ``REACTION_S`` after a
prompt. The flash starts when the recorder starts, shortly after the camera opens:
the face takes each colour ``LIGHT_LAG_MS`` after the file begins, which the check
sees as a camera/display latency of that minus the page's start-up delay (it
searches 0..300 ms).

Run ``python tests/media/counter_media.py OUTDIR`` to write one of each for a look.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from collections.abc import Sequence
from pathlib import Path

import numpy as np
import soundfile as sf

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import liveness_generate as lg  # noqa: E402

FPS = 15.0
HOLD_S, ACTION_S, NEUTRAL_S = 1.3, 2.6, 1.3
REACTION_S = 0.6
LIGHT_LAG_MS = 280.0
_DUR = {"blink": 0.4}


def _neutral(rng: np.random.Generator, n: int, walk: np.ndarray) -> list[lg.Pose]:
    out = []
    for _ in range(n):
        walk[:] = 0.8 * walk + rng.normal(0, 0.5, 3) * (1, 1, 0.3)
        out.append(lg.Pose(dx=float(walk[0]), dy=float(walk[1]), roll=float(walk[2]),
                           yaw=float(rng.normal(0, 0.6)), pitch=float(rng.normal(0, 0.5))))
    return out


def _action(rng: np.random.Generator, action: str, walk: np.ndarray) -> list[lg.Pose]:
    n = max(3, round(_DUR.get(action, 1.3) * FPS))
    target = lg._TARGETS[action]
    out = []
    for i in range(n):
        walk[:] = 0.8 * walk + rng.normal(0, 0.5, 3) * (1, 1, 0.3)
        s = math.sin(math.pi * (i + 0.5) / n) ** (1.0 if action == "blink" else 0.6)
        kw = {k: v * s for k, v in target.items()}
        out.append(lg.Pose(dx=float(walk[0]), dy=float(walk[1]), roll=float(walk[2]),
                           yaw=kw.get("yaw", 0.0) + float(rng.normal(0, 0.6)),
                           pitch=kw.get("pitch", 0.0) + float(rng.normal(0, 0.5)),
                           eyes=min(1.0, kw.get("eyes", 0.0)),
                           mouth=min(1.0, kw.get("mouth", 0.0))))
    return out


def challenge_poses(actions: Sequence[str], colours: Sequence[str], colour_ms: float, *,
                    seed: int = 0, tail_s: float = 4.0) -> list[lg.Pose]:
    """The customer following the page's prompts for ``actions``, lit by ``colours``."""
    rng = np.random.default_rng(seed)
    walk = np.zeros(3)
    poses = _neutral(rng, round((HOLD_S + REACTION_S) * FPS), walk)
    for a in actions:
        act = _action(rng, a, walk)
        poses += act
        poses += _neutral(rng, round((ACTION_S + NEUTRAL_S) * FPS) - len(act), walk)
    poses += _neutral(rng, round(tail_s * FPS), walk)
    if colours:
        poses = lg.with_screen_light(poses, list(colours), colour_ms, fps=FPS,
                                     lag_ms=LIGHT_LAG_MS)
    return poses


def _write_y4m(path: Path, clip: lg.Clip) -> None:
    tmp = path.with_suffix(".tmp.y4m")
    lg.write_video(tmp, clip, fmt="y4m")
    os.replace(tmp, path)  # the browser opens a whole file, never a half-written one


def write_live_camera(path: Path, photo: str, *, seconds: float = 6.0, seed: int = 1) -> None:
    """A live face looking at the camera (small natural movements), for guidance and photos."""
    rng = np.random.default_rng(seed)
    poses = _neutral(rng, round(seconds * FPS), np.zeros(3))
    _write_y4m(path, lg.make_clip(photo, [], seed, fps=FPS, poses=poses))


def write_still_photo_camera(path: Path, photo: str, *, seconds: float = 20.0) -> None:
    """A printed photo held in front of the camera: the same frame throughout."""
    clip = lg.make_clip(photo, [], 0, fps=FPS, poses=[lg.Pose()], noise=0.0)
    n = round(seconds * FPS)
    still = lg.Clip([clip.frames[0]] * n, [i * 1000.0 / FPS for i in range(n)], FPS)
    _write_y4m(path, still)


def write_liveness_camera(path: Path, photo: str, actions: Sequence[str],
                          colours: Sequence[str], colour_ms: float, *, seed: int = 2) -> None:
    poses = challenge_poses(actions, colours, colour_ms, seed=seed)
    _write_y4m(path, lg.make_clip(photo, list(actions), seed, fps=FPS, poses=poses))


def write_voice_media(video_path: Path, audio_path: Path, photo: str, language: str,
                      digits: str, *, seed: int = 3, tail_s: float = 2.0) -> float:
    """The customer reading ``digits`` (camera and microphone files); returns the speech's
    end in seconds from the start (the test presses "I have finished" after it)."""
    import voice_generate as vg
    from scipy.signal import resample_poly

    speech = vg.speak_piper(digits, seed=seed) if language == "en-piper" else \
        vg.speak(language.replace("-piper", ""), digits, seed=seed)
    x = np.concatenate([speech, np.zeros(int(tail_s * vg.SR), np.float32)])
    clip = vg.talking_clip(photo, x, seed=seed)
    _write_y4m(video_path, clip)
    tmp = audio_path.with_suffix(".tmp.wav")
    sf.write(tmp, resample_poly(x, 3, 1).astype(np.float32), 48000, subtype="PCM_16")
    os.replace(tmp, audio_path)
    return len(speech) / vg.SR


def write_silence(audio_path: Path, seconds: float = 2.0) -> None:
    sf.write(audio_path, np.zeros(int(48000 * seconds), np.float32), 48000, subtype="PCM_16")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--photo", default=lg.PHOTOS[0])
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    write_live_camera(args.out / "live.y4m", args.photo)
    write_still_photo_camera(args.out / "still.y4m", args.photo)
    write_liveness_camera(args.out / "liveness.y4m", args.photo, ["turn_left", "blink"],
                          ["red", "blue", "green"], 400)
    write_voice_media(args.out / "voice.y4m", args.out / "voice.wav", args.photo, "cmn",
                      "205813")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
