"""Presentation attacks on the liveness check, made from generated sessions.

Each function returns a :class:`~liveness_generate.Clip` (frames + timestamps)
that a correct check must reject:

- :func:`still_photo`: a printed photo held to the camera: the same picture in
  every frame with fresh sensor noise; with ``shake`` a hand-held photo
  (random-walk shift and roll of a few pixels, small scale changes).
- wrong order / too few / replay of another challenge: a genuine session
  (:func:`liveness_generate.make_clip`) performing other actions than asked,
  or :func:`cut_after` to stop after some actions.
- :func:`two_faces`: a second person's face pasted beside the customer.
- :func:`face_leaves`: the picture slides so the face leaves the frame for a while.
- :func:`face_swap`: person A until mid-video, then person B doing the same movements.
- :func:`duplicate_frames` / :func:`retime`: frames repeated to stretch time, or
  timestamps of a stretch of frames rewritten (sped up with gaps).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import cv2
import numpy as np
from liveness_generate import (
    Clip,
    H,
    Pose,
    W,
    make_clip,
    noise_bank,
    prepare_face,
    render,
    temporal_denoise,
)


def still_photo(photo: str, seed: int, *, shake: bool, seconds: float = 5.0,
                fps: float = 15.0, noise: float = 2.0, denoise: float = 0.0) -> Clip:
    """A photo held in front of the camera (``shake``: by a slightly moving hand).

    ``noise``: sensor noise σ; ``denoise``: the camera's temporal denoising
    (``liveness_generate.temporal_denoise``), as in the session it stands in for."""
    rng = np.random.default_rng(seed)
    face = prepare_face(photo)
    base = render(face, Pose(), rng, noise=0.0)
    bank = noise_bank(rng)
    n = round(seconds * fps)
    walk = np.zeros(4)
    frames = []
    for _ in range(n):
        img = base.astype(np.float32)
        if shake:
            walk = 0.85 * walk + rng.normal(0, (1.5, 1.5, 0.4, 0.004))
            m = cv2.getRotationMatrix2D((W / 2, H / 2), walk[2], 1.0 + walk[3])
            m[:, 2] += walk[:2]
            img = cv2.warpAffine(img, m, (W, H), borderMode=cv2.BORDER_REFLECT)
        k, dy, dx = int(rng.integers(3)), int(rng.integers(H)), int(rng.integers(W))
        img = img + np.roll(bank[k], (dy, dx), axis=(0, 1)) * noise
        frames.append(np.clip(img, 0, 255).astype(np.uint8))
    if denoise > 0:
        frames = temporal_denoise(frames, denoise)
    return Clip(frames, [i * 1000.0 / fps for i in range(n)], fps)


def cut_after(clip: Clip, actions_done: int, *, tail_s: float = 0.5) -> Clip:
    """Keep the clip until ``tail_s`` after its ``actions_done``-th action ends."""
    active = [p.yaw != 0 and abs(p.yaw) > 3 or p.pitch > 3 or p.eyes > 0 or p.mouth > 0
              for p in clip.poses]
    ends = [i for i in range(1, len(active)) if active[i - 1] and not active[i]]
    stop = min(len(clip.frames), ends[actions_done - 1] + round(tail_s * clip.fps))
    return Clip(clip.frames[:stop], clip.timestamps_ms[:stop], clip.fps, clip.poses[:stop])


def two_faces(clip: Clip, other_photo: str, *, scale: float = 0.75, side: int = 1) -> Clip:
    """Paste a second person's face (from ``other_photo``) beside the customer's."""
    other = prepare_face(other_photo)
    x0, y0 = other.points[:, :2].min(axis=0) - 25
    x1, y1 = other.points[:, :2].max(axis=0) + 25
    crop = other.image[int(max(0, y0)):int(y1), int(max(0, x0)):int(x1)]
    crop = cv2.resize(crop, None, fx=scale, fy=scale, interpolation=cv2.INTER_AREA)
    ch, cw = crop.shape[:2]
    px = W - cw - 4 if side > 0 else 4
    py = H - ch - 10
    mask = np.zeros((ch, cw), np.float32)
    cv2.ellipse(mask, (cw // 2, ch // 2), (cw // 2 - 2, ch // 2 - 2), 0, 0, 360, 1.0, -1)
    mask = cv2.GaussianBlur(mask, (0, 0), 4)[..., None]
    frames = []
    for f in clip.frames:
        g = f.copy()
        region = g[py:py + ch, px:px + cw].astype(np.float32)
        g[py:py + ch, px:px + cw] = (region * (1 - mask) + crop * mask).astype(np.uint8)
        frames.append(g)
    return Clip(frames, list(clip.timestamps_ms), clip.fps, list(clip.poses))


def face_leaves(clip: Clip, *, at: float = 0.5, seconds: float = 1.2) -> Clip:
    """Between actions (near fraction ``at`` of the clip) the face slides out of
    the frame, stays out for ``seconds``, and comes back."""
    n = len(clip.frames)
    start = int(at * n)
    ramp = max(2, round(0.3 * clip.fps))
    hold = round(seconds * clip.fps)
    frames = list(clip.frames)
    for k in range(2 * ramp + hold):
        i = start + k
        if i >= n:
            break
        u = min(k / ramp, 1.0, (2 * ramp + hold - k) / ramp)
        m = np.float32([[1, 0, u * 0.75 * W], [0, 1, 0]])
        frames[i] = cv2.warpAffine(clip.frames[i], m, (W, H), borderMode=cv2.BORDER_REPLICATE)
    return Clip(frames, list(clip.timestamps_ms), clip.fps, list(clip.poses))


def face_swap(photo_a: str, photo_b: str, actions: Sequence[str], seed: int, *,
              at: float = 0.5, base: Clip | None = None, **clip_kw: Any) -> Clip:
    """Person A, then from fraction ``at`` on person B making the same movements.

    ``base``: A's clip if already rendered (with its poses). ``clip_kw``: for
    ``make_clip`` (noise, denoise, fps...: B recorded as A was)."""
    a = base if base is not None else make_clip(photo_a, actions, seed, **clip_kw)
    k = int(at * len(a.frames))
    b = make_clip(photo_b, actions, seed + 1, poses=a.poses[k:], **clip_kw)
    return Clip(a.frames[:k] + b.frames, list(a.timestamps_ms), a.fps, list(a.poses))


def duplicate_frames(clip: Clip, *, every: int = 2) -> Clip:
    """Each ``every``-th frame shown twice (time stretched by repeating frames)."""
    frames: list[np.ndarray] = []
    for i, f in enumerate(clip.frames):
        frames.append(f)
        if i % every == 0:
            frames.append(f)
    return Clip(frames, [i * 1000.0 / clip.fps for i in range(len(frames))], clip.fps)


def retime(clip: Clip, seed: int) -> Clip:
    """Rewrite the timestamps of a stretch of frames: a third of the video sped
    up threefold, then a gap (what splicing and re-timing an edit leaves)."""
    rng = np.random.default_rng(seed)
    n = len(clip.frames)
    period = 1000.0 / clip.fps
    start = int(rng.integers(n // 6, n // 2))
    stop = min(n - 1, start + n // 3)
    ts, t = [], 0.0
    for i in range(n):
        ts.append(t)
        t += period / 3 if start <= i < stop else period
        if i == stop:
            t += 2 * period * (stop - start) / 3  # the time saved, as one gap
    return Clip(list(clip.frames), ts, clip.fps, list(clip.poses))


__all__ = ["cut_after", "duplicate_frames", "face_leaves", "face_swap", "retime", "still_photo",
           "two_faces"]
