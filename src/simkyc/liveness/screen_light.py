"""Screen-light challenge: the face must reflect the colours the screen flashed.

The capture page fills the screen with a random sequence of colours, each for
``colour_ms`` from the start of recording. Skin lit by the screen shifts its
chromaticity (r, g, b divided by their sum) toward each colour. The check
correlates the face's chromaticity over time (forehead and cheek patches from
the mesh, each channel centred) with the chromaticity of the colour on screen,
searching the camera/display latency 0..``screen_light_max_lag_ms``; it passes
when Pearson's r reaches ``screen_light_min_correlation``. A replayed or
injected video recorded under another sequence (or none) does not correlate.

Language-free and cheap: it reuses the per-frame colours already measured.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simkyc.domain.policy import LivenessPolicy
from simkyc.liveness.signals import FrameSignals

#: RGB (0..1) the capture page shows for each colour name.
SCREEN_RGB: dict[str, tuple[float, float, float]] = {
    "red": (1.0, 0.15, 0.15), "green": (0.15, 1.0, 0.15), "blue": (0.2, 0.3, 1.0),
    "yellow": (1.0, 1.0, 0.2), "magenta": (1.0, 0.2, 1.0), "cyan": (0.2, 1.0, 1.0),
}


@dataclass(frozen=True)
class ScreenLight:
    """The flashed sequence: colour names (keys of :data:`SCREEN_RGB`), each ``colour_ms`` long."""

    colours: tuple[str, ...]
    colour_ms: float = 400.0

    def __post_init__(self) -> None:
        unknown = [c for c in self.colours if c not in SCREEN_RGB]
        if unknown:
            raise ValueError(f"unknown screen colour(s): {', '.join(unknown)}")
        if len(self.colours) < 2 or self.colour_ms <= 0:
            raise ValueError("a screen-light sequence needs >= 2 colours and colour_ms > 0")


def _chroma(rgb: np.ndarray) -> np.ndarray:
    s = rgb.sum(axis=-1, keepdims=True)
    return rgb / np.where(s > 0, s, 1.0)


def screen_light_correlation(signals: Sequence[FrameSignals], light: ScreenLight,
                             policy: LivenessPolicy) -> float:
    """Best Pearson r (-1..1) between face chromaticity and the flashed colours."""
    rows = [(f.t_ms, f.skin_rgb) for f in signals if f.skin_rgb is not None
            and not math.isnan(f.skin_rgb[0])]
    if len(rows) < 4:
        return math.nan
    t0 = signals[0].t_ms
    t = np.array([r[0] for r in rows]) - t0
    measured = _chroma(np.array([r[1] for r in rows], np.float64))
    palette = _chroma(np.array([SCREEN_RGB[c] for c in light.colours], np.float64))
    best = -1.0
    for lag in np.arange(0.0, policy.screen_light_max_lag_ms + 1, 20.0):
        k = np.floor((t - lag) / light.colour_ms).astype(int)
        inside = (k >= 0) & (k < len(light.colours))
        if inside.sum() < 4 or len(set(k[inside])) < 2:
            continue
        m = measured[inside]
        e = palette[k[inside]]
        m = m - m.mean(axis=0)
        e = e - e.mean(axis=0)
        denom = math.sqrt(float((m * m).sum()) * float((e * e).sum()))
        if denom > 0:
            best = max(best, float((m * e).sum()) / denom)
    return best


__all__ = ["SCREEN_RGB", "ScreenLight", "screen_light_correlation"]
