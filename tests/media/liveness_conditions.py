"""Recording conditions for liveness sessions: the tuning set and the held-out set.

A :class:`Recording` says how a generated session is captured and encoded:
the encoder (:data:`liveness_generate.ENCODINGS`), the frame rate, the
camera's noise treatment and whether the customer is on a stand and holds
still between actions. Thresholds of the liveness check are chosen on
:data:`TUNING` only; :data:`HELD_OUT` is what the benchmark reports them on,
apart, and nothing is tuned on it:

- **tuning**: H.264 (libx264 CRF 23, veryfast, zerolatency) and VP8
  (1 Mbit/s realtime), 15 fps, sensor noise σ 1-4 grey levels, hand-held
  (random-walk shake) or on a stand with a still customer;
- **held-out**: H.264 CRF 23 and 32 at libx264's default preset, VP8 at 0.5
  and 2.5 Mbit/s, MPEG-4 Part 2 by OpenCV's ``mp4v`` writer at its default
  quality, Motion JPEG; mild sensor noise (σ 1), a camera's motion-adaptive
  temporal denoising (σ 2-4 then 3DNR of strength 0.6-0.9), or no added
  noise at all; 10, 15 and 30 fps; hand-held or still.

:func:`held_out` lays the conditions over session indices so that every
encoder meets every noise treatment (and, in the full set, every frame rate).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np

#: Encoders of the held-out set (names from ``liveness_generate.ENCODINGS``).
HELD_OUT_ENCODINGS: tuple[str, ...] = (
    "h264_crf23", "h264_crf32", "vp8_500k", "vp8_2500k", "mpeg4_opencv", "mjpeg")
#: Noise treatments of the held-out set.
HELD_OUT_CAPTURES: tuple[str, ...] = ("mild_noise", "denoised", "no_noise")
HELD_OUT_FPS: tuple[float, ...] = (10.0, 15.0, 30.0)


@dataclass(frozen=True)
class Recording:
    """How one session is captured and encoded.

    ``capture``: ``noisy`` (sensor noise σ 1-4, the tuning draw), ``mild_noise``
    (σ 1), ``denoised`` (σ 2-4, then the camera's temporal denoising of
    strength 0.6-0.9: :func:`liveness_generate.temporal_denoise`) or
    ``no_noise``. ``still``: camera on a stand and a customer who holds still
    between actions (no shake, no head jitter); otherwise hand-held.
    """

    encoding: str
    fps: float
    capture: str
    still: bool

    @property
    def name(self) -> str:
        return (f"{self.encoding}/{self.capture}/{self.fps:g}fps/"
                f"{'still' if self.still else 'hand-held'}")

    def capture_params(self, rng: np.random.Generator) -> dict[str, float]:
        """``noise`` and ``denoise`` for ``make_clip`` (drawn from ``rng``)."""
        if self.capture == "noisy":
            return {"noise": float(rng.uniform(1.0, 4.0)), "denoise": 0.0}
        if self.capture == "mild_noise":
            return {"noise": 1.0, "denoise": 0.0}
        if self.capture == "denoised":
            return {"noise": float(rng.uniform(2.0, 4.0)),
                    "denoise": float(rng.uniform(0.6, 0.9))}
        if self.capture == "no_noise":
            return {"noise": 0.0, "denoise": 0.0}
        raise ValueError(f"unknown capture {self.capture!r}")

    def motion(self) -> dict[str, float]:
        """``shake`` and ``jitter`` for ``liveness_generate.timeline``."""
        return {"shake": 0.0, "jitter": 0.0} if self.still else {"shake": 0.6, "jitter": 1.0}


def tuning(i: int) -> Recording:
    """Session ``i`` of the tuning set: every 4th VP8, the rest H.264; every
    3rd on a stand with a still customer; 15 fps, sensor noise σ 1-4."""
    return Recording("vp8_tuning" if i % 4 == 3 else "h264_tuning", 15.0, "noisy",
                     still=i % 3 == 2)


def held_out(i: int, *, quick: bool = False) -> Recording:
    """Session ``i`` of the held-out set.

    Full set: the 54 combinations of encoder × noise treatment × frame rate,
    in order, repeated; still or hand-held alternates between repeats and
    within them. Quick set: the 18 encoder × noise combinations, with the frame
    rate and still/hand-held balanced over them (each frame rate 6 times, 9
    still).
    """
    if quick:
        enc, cap = i % 6, (i // 6) % 3
        return Recording(HELD_OUT_ENCODINGS[enc], HELD_OUT_FPS[(enc + cap) % 3],
                         HELD_OUT_CAPTURES[cap], still=(i + i // 6) % 2 == 0)
    combos = list(itertools.product(HELD_OUT_FPS, HELD_OUT_CAPTURES, HELD_OUT_ENCODINGS))
    fps, cap, enc = combos[i % len(combos)]
    return Recording(enc, fps, cap, still=(i + i // 6 + i // len(combos)) % 2 == 0)


__all__ = ["HELD_OUT_CAPTURES", "HELD_OUT_ENCODINGS", "HELD_OUT_FPS", "Recording", "held_out",
           "tuning"]
