"""``check_liveness``: did one live person perform this challenge in this video?"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simkyc.domain.errors import InputError, MediaTooLargeError
from simkyc.domain.policy import DEFAULT_POLICY, FacePolicy, LivenessPolicy
from simkyc.face.models import FaceModels
from simkyc.liveness.actions import Step, baseline, match_challenge
from simkyc.liveness.challenge import ACTIONS
from simkyc.liveness.identity import best_frame, identity_distance, sample_indices
from simkyc.liveness.screen_light import ScreenLight, screen_light_correlation
from simkyc.liveness.signals import measure_frames
from simkyc.liveness.timing import timing_problems
from simkyc.media.video import Video

MESH_MODEL_ID = "mediapipe-face-mesh-0.10.21"


@dataclass(frozen=True)
class LivenessResult:
    """The decision and how it was reached.

    ``passed``: every check passed. ``reasons``: reason codes of the failed
    checks (empty when passed): ``action_missing``, ``wrong_order``,
    ``unexpected_action``, ``no_return_to_neutral``, ``step_timeout``,
    ``no_face``, ``face_lost``, ``multiple_faces``, ``face_changed``,
    ``inconsistent_timestamps``, ``duplicate_frames``, ``too_few_frames``,
    ``screen_light_mismatch``, ``no_neutral_frame``. ``steps``: per challenged action. ``frames``,
    ``fps``, ``duration_ms``: of the video. ``identity_distance``: the largest
    embedding distance between any two sampled frames (threshold
    ``identity_threshold``). ``screen_light_r``: Pearson r, ``None`` if no
    screen light was checked. ``best_frame``: RGB array of the sharpest
    frontal eyes-open frame that passes the face quality gate (the live face
    for the 1:1 match), or ``None``; ``best_frame_quality``: the gate's reason
    codes when no candidate passed (empty when it did).
    """

    passed: bool
    challenge: tuple[str, ...]
    steps: tuple[Step, ...]
    reasons: tuple[str, ...]
    frames: int
    fps: float
    duration_ms: float
    face_frames: int
    identity_distance: float | None
    identity_threshold: float
    screen_light_r: float | None
    screen_light_threshold: float
    best_frame_ms: float | None
    best_frame_quality: tuple[str, ...]
    model_id: str
    timing: dict[str, float] = field(default_factory=dict)
    best_frame: np.ndarray | None = field(default=None, repr=False, compare=False)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready payload (without the best-frame pixels)."""
        return {
            "passed": self.passed,
            "challenge": list(self.challenge),
            "steps": [{"action": s.action, "passed": s.passed, "start_ms": _r(s.start_ms),
                       "end_ms": _r(s.end_ms), "peak": s.peak} for s in self.steps],
            "frames": self.frames,
            "fps": round(self.fps, 3),
            "duration_ms": round(self.duration_ms, 1),
            "face_frames": self.face_frames,
            "reasons": list(self.reasons),
            "identity_distance": _r(self.identity_distance, 4),
            "identity_threshold": self.identity_threshold,
            "screen_light_r": _r(self.screen_light_r, 4),
            "screen_light_threshold": self.screen_light_threshold,
            "best_frame_ms": _r(self.best_frame_ms),
            "best_frame_quality": list(self.best_frame_quality),
            "timing": {k: round(v, 4) for k, v in self.timing.items()},
            "model_id": self.model_id,
        }


def _r(v: float | None, nd: int = 1) -> float | None:
    return None if v is None or math.isnan(v) else round(v, nd)


def _face_presence(signals: Sequence[Any], policy: LivenessPolicy) -> list[str]:
    reasons = []
    has = np.array([s.faces > 0 for s in signals])
    if not has.any():
        return ["no_face"]
    longest_gap, gap_start = 0.0, None
    for s, h in zip(signals, has, strict=True):
        if not h and gap_start is None:
            gap_start = s.t_ms
        if h and gap_start is not None:
            longest_gap, gap_start = max(longest_gap, s.t_ms - gap_start), None
    if gap_start is not None:
        longest_gap = max(longest_gap, signals[-1].t_ms - gap_start)
    if has.mean() < policy.min_face_fraction or longest_gap > policy.max_face_gap_ms:
        reasons.append("face_lost")
    if sum(s.faces > 1 for s in signals) > policy.max_second_face_frames:
        reasons.append("multiple_faces")
    return reasons


def check_liveness(video: Video, challenge_actions: Sequence[str], *, face_models: FaceModels,
                   mesh_factory: Callable[[], Any],
                   policy: LivenessPolicy = DEFAULT_POLICY.liveness,
                   screen_light: ScreenLight | None = None,
                   face_policy: FacePolicy = DEFAULT_POLICY.face) -> LivenessResult:
    """Check that ``video`` shows one live person performing ``challenge_actions`` in order.

    ``face_models``: from :func:`simkyc.face.models.load_face_models`.
    ``mesh_factory``: returns a fresh mediapipe FaceMesh for video with
    ``max_num_faces=2`` (e.g. :func:`simkyc.face.models.open_face_mesh`); it is
    closed here. ``screen_light``: the colours flashed during recording, if any.
    ``face_policy``: the face stage's quality gate, applied to the best frame
    (its failures are reported in ``best_frame_quality``, not as liveness reasons).
    Thresholds come from ``policy`` (:class:`LivenessPolicy`). A failed check
    is a result with ``passed=False`` and reason codes; :class:`InputError` is
    raised only for an unusable challenge or a video over the length limit.
    """
    actions = tuple(challenge_actions)
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown or not actions:
        raise InputError(f"bad challenge: {', '.join(unknown) or 'no actions'}")
    if video.duration_ms > policy.max_video_seconds * 1000.0:
        raise MediaTooLargeError(f"video longer than {policy.max_video_seconds:g} s")

    mesh = mesh_factory()
    try:
        signals = measure_frames(video.frames, video.timestamps_ms, mesh)
    finally:
        mesh.close()

    reasons, timing = timing_problems(video.timestamps_ms, video.frames, policy,
                                      [s.box for s in signals], [s.points for s in signals])
    reasons += [r for r in _face_presence(signals, policy) if r not in reasons]
    steps, action_reasons = match_challenge(signals, actions, policy)
    reasons += [r for r in action_reasons if r not in reasons]

    b = baseline(signals)
    best, best_quality = (best_frame(video.frames, signals, b, policy, face_models, face_policy)
                          if b is not None else (None, ()))
    distance = None
    if b is not None:
        samples = sample_indices(signals, b, policy.identity_samples)
        chosen = ([best] if best is not None else []) + samples
        distance = identity_distance(video.frames, signals, chosen, face_models)
        if distance is not None and distance > policy.same_person_max_distance:
            reasons.append("face_changed")
        if best is None:
            reasons.append("no_neutral_frame")

    r = None
    if screen_light is not None:
        r = screen_light_correlation(signals, screen_light, policy)
        if math.isnan(r) or r < policy.screen_light_min_correlation:
            reasons.append("screen_light_mismatch")

    return LivenessResult(
        passed=not reasons, challenge=actions, steps=tuple(steps), reasons=tuple(reasons),
        frames=len(video), fps=video.fps, duration_ms=video.duration_ms,
        face_frames=sum(s.faces > 0 for s in signals), identity_distance=distance,
        identity_threshold=policy.same_person_max_distance, screen_light_r=r,
        screen_light_threshold=policy.screen_light_min_correlation,
        best_frame_ms=video.timestamps_ms[best] if best is not None else None,
        best_frame_quality=best_quality,
        model_id=f"{MESH_MODEL_ID}+{face_models.model_id}", timing=timing,
        best_frame=video.frames[best] if best is not None else None)


__all__ = ["MESH_MODEL_ID", "LivenessResult", "check_liveness"]
