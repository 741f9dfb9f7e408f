"""Frame timing: timestamps must be those of a live camera.

A camera delivers frames at a steady rate with fresh sensor noise in each, so
frame intervals are regular and no two consecutive frames are identical.
Edited or injected video shows up as duplicated or reordered timestamps,
intervals far off the median (frames dropped, sped up or re-timed), or
pixel-identical consecutive frames (frames duplicated to stretch time).

Limit: a whole recording uniformly re-timed (every interval scaled alike)
looks regular; the challenge's timeouts and the screen-light sequence catch
what timing alone cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from simkyc.domain.policy import LivenessPolicy

#: Mean absolute grey difference (0..255) at or below which two consecutive
#: frames count as duplicates (live frames differ by sensor noise and motion).
DUPLICATE_MAD = 0.5


def _small_grey(frame: np.ndarray) -> np.ndarray:
    small = cv2.resize(frame, None, fx=0.25, fy=0.25, interpolation=cv2.INTER_AREA)
    return cv2.cvtColor(small, cv2.COLOR_RGB2GRAY)


def frame_difference(a: np.ndarray, b: np.ndarray) -> float:
    """Mean absolute grey-level difference (0..255) of two RGB frames at 1/4 scale."""
    return float(cv2.absdiff(_small_grey(a), _small_grey(b)).mean())


def timing_problems(timestamps_ms: Sequence[float], frames: Sequence[np.ndarray],
                    policy: LivenessPolicy) -> tuple[list[str], dict[str, float]]:
    """Reason codes (``inconsistent_timestamps``, ``duplicate_frames``,
    ``too_few_frames``) and the figures behind them."""
    ts = np.asarray(timestamps_ms, dtype=np.float64)
    if len(ts) < 3:
        return ["too_few_frames"], {}
    d = np.diff(ts)
    reasons: list[str] = []
    positive = d[d > 0]
    med = float(np.median(positive)) if len(positive) else 0.0
    irregular = (d <= 0) | (d > policy.max_interval_ratio * med) | (
        d < policy.min_interval_ratio * med)
    irregular_fraction = float(irregular.mean())
    if (d <= 0).any() or irregular_fraction > policy.max_irregular_fraction or (
            d > max(policy.max_interval_ratio * med, 1000.0)).any():
        reasons.append("inconsistent_timestamps")
    grey = [_small_grey(f) for f in frames]
    diffs = np.array([float(cv2.absdiff(grey[i], grey[i + 1]).mean())
                      for i in range(len(grey) - 1)])
    duplicate_fraction = float((diffs <= DUPLICATE_MAD).mean())
    if duplicate_fraction > policy.max_duplicate_fraction:
        reasons.append("duplicate_frames")
    return reasons, {"median_interval_ms": med, "irregular_fraction": irregular_fraction,
                     "duplicate_fraction": duplicate_fraction}


__all__ = ["DUPLICATE_MAD", "frame_difference", "timing_problems"]
