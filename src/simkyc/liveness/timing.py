"""Frame timing: timestamps and frames must be those of a live camera.

A camera delivers frames at a steady rate, so frame intervals are regular;
edited or injected video shows up as duplicated or reordered timestamps, or
intervals far off the median (frames dropped, sped up or re-timed):
``inconsistent_timestamps``.

Frames copied to stretch time (``duplicate_frames``) are told apart from a
customer who simply holds still by *where the stop is*: a copied frame is a
stop in the middle of a movement. For every pair of consecutive frames the
face's motion is measured (mean absolute grey difference inside the face box,
full resolution). A pair counts as **copied** when (1) the face moves clearly
in the pair before and the pair after it, (2) it moves hardly at all in this
pair, relative to those neighbours, and (3) the movement carries on through
it: the frames either side of the pair differ at least as much as the larger
neighbouring step, which a real head stopping to turn back (the end of a
turn, where the motion reverses) does not do. A still customer, a camera's
temporal denoising or an encoder that skips static blocks makes frames
nearly identical where nothing moves, never in the middle of a head turn.
Earlier versions counted near-identical consecutive frames anywhere, and
rejected every still, denoised or heavily compressed genuine session (issue 12).

"The face moves" is decided by two signals together: the grey-level step in
the face box *and* the motion of the face-mesh landmarks (mean displacement
of the 478 points, as a fraction of the face width). Grey levels alone cannot
tell a head movement from noise: an encoder that refreshes the noise of a
still face every other frame (VP8 realtime) makes steps of 1-2 grey levels
with a near-copy between them, which looks like a stop in a movement. The
landmarks do not move with noise, so those frames are not "in motion".

Limits: frames copied where the face does not move cannot be seen (and stretch
nothing the challenge measures); a whole recording uniformly re-timed (every
interval scaled alike) looks regular; the challenge's timeouts and the
screen-light sequence catch what timing alone cannot.
"""

from __future__ import annotations

from collections.abc import Sequence

import cv2
import numpy as np

from simkyc.domain.policy import LivenessPolicy

Box = tuple[float, float, float, float]

#: The face box is widened by this fraction of its size on every side.
BOX_MARGIN = 0.1


def _grey(frame: np.ndarray) -> np.ndarray:
    return cv2.cvtColor(frame, cv2.COLOR_RGB2GRAY)


def _region(boxes: Sequence[Box | None], shape: tuple[int, ...]
            ) -> tuple[int, int, int, int] | None:
    known = [b for b in boxes if b is not None]
    if not known:
        return None
    x0, y0 = min(b[0] for b in known), min(b[1] for b in known)
    x1, y1 = max(b[2] for b in known), max(b[3] for b in known)
    mx, my = BOX_MARGIN * (x1 - x0), BOX_MARGIN * (y1 - y0)
    h, w = shape[:2]
    r = (max(0, int(x0 - mx)), max(0, int(y0 - my)), min(w, int(x1 + mx) + 1),
         min(h, int(y1 + my) + 1))
    return r if r[2] - r[0] >= 4 and r[3] - r[1] >= 4 else None


def _mad(a: np.ndarray, b: np.ndarray, region: tuple[int, int, int, int] | None) -> float:
    if region is None:
        return float("nan")
    x0, y0, x1, y1 = region
    return float(cv2.absdiff(a[y0:y1, x0:x1], b[y0:y1, x0:x1]).mean())


def face_motion(frames: Sequence[np.ndarray], boxes: Sequence[Box | None]) -> np.ndarray:
    """Motion of the face between consecutive frames: for each pair (i, i+1),
    the mean absolute grey-level difference (0..255, full resolution) inside
    the union of both frames' face boxes widened by :data:`BOX_MARGIN`;
    ``nan`` where neither frame has a face. ``boxes``: (x0, y0, x1, y1) pixels
    per frame, or ``None``."""
    grey = [_grey(f) for f in frames]
    return np.array([_mad(grey[i], grey[i + 1], _region(boxes[i:i + 2], grey[i].shape))
                     for i in range(len(grey) - 1)], dtype=np.float64)


def landmark_motion(points: Sequence[np.ndarray | None], boxes: Sequence[Box | None]
                    ) -> np.ndarray:
    """Motion of the face-mesh landmarks between consecutive frames: for each
    pair (i, i+1), the mean displacement of the points, divided by frame i's
    face-box width (so 0.01 = 1 % of the face width); ``nan`` where either
    frame has no points. ``points``: (n, 2) pixels per frame, or ``None``."""
    out = np.full(max(0, len(points) - 1), np.nan)
    for i in range(len(out)):
        a, b, box = points[i], points[i + 1], boxes[i]
        if a is None or b is None or box is None or box[2] <= box[0] or a.shape != b.shape:
            continue
        out[i] = float(np.linalg.norm(a[:, :2] - b[:, :2], axis=1).mean()) / (box[2] - box[0])
    return out


def copied_pairs(frames: Sequence[np.ndarray], boxes: Sequence[Box | None],
                 policy: LivenessPolicy, points: Sequence[np.ndarray | None] | None = None
                 ) -> tuple[np.ndarray, np.ndarray]:
    """(copied, moving): boolean arrays over consecutive-frame pairs.

    ``moving``: the face moves by at least ``policy.copied_frame_min_motion``
    in both neighbouring pairs and, when ``points`` (face-mesh landmarks per
    frame) are given, its landmarks move by at least
    ``policy.copied_frame_min_landmark_motion`` of the face width in both.
    ``copied``: moving, this pair's motion at most
    ``policy.copied_frame_motion_ratio`` × the smaller neighbour's, and the
    frames either side (i-1 and i+2) at least ``policy.copied_frame_carry_ratio``
    × the larger neighbour's motion apart (the movement carries on)."""
    m = face_motion(frames, boxes)
    n = len(m)
    lm = landmark_motion(points, boxes) if points is not None else None
    copied = np.zeros(n, dtype=bool)
    moving = np.zeros(n, dtype=bool)
    grey: dict[int, np.ndarray] = {}
    for i in range(1, n - 1):
        lo, hi = np.fmin(m[i - 1], m[i + 1]), np.fmax(m[i - 1], m[i + 1])
        if not lo >= policy.copied_frame_min_motion:  # also false for nan
            continue
        if lm is not None and not (np.fmin(lm[i - 1], lm[i + 1])
                                   >= policy.copied_frame_min_landmark_motion):
            continue  # grey levels changed, the face did not move: noise
        moving[i] = True
        if not m[i] <= policy.copied_frame_motion_ratio * lo:
            continue
        for k in (i - 1, i + 2):
            if k not in grey:
                grey[k] = _grey(frames[k])
        region = _region([boxes[i - 1], boxes[i + 2]], grey[i - 1].shape)
        across = _mad(grey[i - 1], grey[i + 2], region)
        copied[i] = bool(across >= policy.copied_frame_carry_ratio * hi)
    return copied, moving


def timing_problems(timestamps_ms: Sequence[float], frames: Sequence[np.ndarray],
                    policy: LivenessPolicy, boxes: Sequence[Box | None] | None = None,
                    points: Sequence[np.ndarray | None] | None = None
                    ) -> tuple[list[str], dict[str, float]]:
    """Reason codes (``inconsistent_timestamps``, ``duplicate_frames``,
    ``too_few_frames``) and the figures behind them.

    ``boxes``: the face box of each frame (from the face mesh), or ``None``
    per frame without a face; without them the whole frame is the region.
    ``points``: the face-mesh landmarks of each frame (pixels), or ``None`` per
    frame; without them only grey levels decide what is in motion.
    ``duplicate_frames`` when more than ``policy.max_copied_frames`` pairs are
    copied (:func:`copied_pairs`) and they are more than
    ``policy.max_duplicate_fraction`` of the pairs in motion. Figures:
    ``median_interval_ms``, ``irregular_fraction``, ``copied_pairs``,
    ``moving_pairs``, ``duplicate_fraction`` (copied / moving)."""
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
    if boxes is None:
        h, w = frames[0].shape[:2]
        boxes = [(0.0, 0.0, float(w - 1), float(h - 1))] * len(frames)
    copied, moving = copied_pairs(frames, boxes, policy, points)
    n_copied, n_moving = int(copied.sum()), int(moving.sum())
    duplicate_fraction = n_copied / n_moving if n_moving else 0.0
    if n_copied > policy.max_copied_frames and duplicate_fraction > policy.max_duplicate_fraction:
        reasons.append("duplicate_frames")
    return reasons, {"median_interval_ms": med, "irregular_fraction": irregular_fraction,
                     "copied_pairs": float(n_copied), "moving_pairs": float(n_moving),
                     "duplicate_fraction": duplicate_fraction}


__all__ = ["BOX_MARGIN", "copied_pairs", "face_motion", "landmark_motion", "timing_problems"]
