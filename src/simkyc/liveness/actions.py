"""Which challenge actions a video performs, when, and in what order.

The neutral pose is the session's median (each action moves one measure and
takes well under half the video, so the median is the resting face). A frame
*performs* an action when its measure passes the policy threshold relative to
neutral (a blink with the head and mouth otherwise at rest needs less: the
mesh reads some faces' closed eyes as only partly closed); consecutive such
frames form an event. The challenge passes when its actions appear as events
in order, each preceded by a neutral frame, each starting within
``step_timeout_ms`` of the previous one, with no other head or mouth action in
between. Spontaneous blinks are ignored (people blink every
few seconds), and so is a repeat of the action just performed.

Peak values: turns and look_up in degrees from neutral; blink as the lowest
EAR / open-eye EAR (0..1, lower = more closed); open_mouth as the largest
increase of inner-lip gap / mouth width over neutral.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from simkyc.domain.policy import LivenessPolicy
from simkyc.liveness.signals import FrameSignals


@dataclass(frozen=True)
class Baseline:
    """The session's neutral face: yaw/pitch in degrees, open-eye EAR, mouth ratio."""

    yaw_deg: float
    pitch_deg: float
    ear_open: float
    mouth: float


@dataclass(frozen=True)
class Step:
    """One challenged action: whether it was performed in its place, when (ms), its peak."""

    action: str
    passed: bool
    start_ms: float | None = None
    end_ms: float | None = None
    peak: float | None = None


@dataclass(frozen=True)
class Event:
    action: str
    start: int  # frame indices, inclusive
    end: int
    peak: float


def baseline(signals: Sequence[FrameSignals]) -> Baseline | None:
    """Median pose, EAR and mouth ratio over the frames with a face (``None`` if none)."""
    s = [f for f in signals if f.faces > 0 and not math.isnan(f.yaw_deg)]
    if not s:
        return None
    return Baseline(yaw_deg=float(np.median([f.yaw_deg for f in s])),
                    pitch_deg=float(np.median([f.pitch_deg for f in s])),
                    ear_open=float(np.median([f.ear for f in s])),
                    mouth=float(np.median([f.mouth for f in s])))


def _measures(f: FrameSignals, b: Baseline) -> dict[str, float]:
    return {"turn_left": f.yaw_deg - b.yaw_deg, "turn_right": b.yaw_deg - f.yaw_deg,
            "look_up": f.pitch_deg - b.pitch_deg,
            "blink": f.ear / b.ear_open if b.ear_open > 0 else math.nan,
            "open_mouth": f.mouth - b.mouth}


def _active(m: dict[str, float], p: LivenessPolicy) -> set[str]:
    out = {a for a in ("turn_left", "turn_right") if m[a] >= p.turn_yaw_deg}
    if m["look_up"] >= p.look_up_pitch_deg:
        out.add("look_up")
    at_rest = (abs(m["turn_left"]) <= p.neutral_yaw_deg
               and abs(m["look_up"]) <= p.neutral_pitch_deg
               and m["open_mouth"] <= p.closed_mouth_increase)
    if m["blink"] <= p.blink_ear_ratio or (at_rest and m["blink"] <= p.blink_ear_ratio_at_rest):
        out.add("blink")
    if m["open_mouth"] >= p.open_mouth_increase:
        out.add("open_mouth")
    return out


def is_neutral(f: FrameSignals, b: Baseline, p: LivenessPolicy) -> bool:
    """Facing as at rest: pose near neutral, eyes open, mouth as at rest."""
    if f.faces == 0 or math.isnan(f.yaw_deg):
        return False
    return (abs(f.yaw_deg - b.yaw_deg) <= p.neutral_yaw_deg
            and abs(f.pitch_deg - b.pitch_deg) <= p.neutral_pitch_deg
            and f.ear >= p.open_eye_ratio * b.ear_open
            and f.mouth - b.mouth <= p.closed_mouth_increase)


def find_events(signals: Sequence[FrameSignals], b: Baseline, p: LivenessPolicy) -> list[Event]:
    """Runs of frames performing each action (one-frame gaps bridged), by start time."""
    n = len(signals)
    flags: dict[str, np.ndarray] = {a: np.zeros(n, bool) for a in
                                    ("turn_left", "turn_right", "look_up", "blink", "open_mouth")}
    values: dict[str, np.ndarray] = {a: np.full(n, math.nan) for a in flags}
    for i, f in enumerate(signals):
        if f.faces == 0 or math.isnan(f.yaw_deg):
            continue
        m = _measures(f, b)
        for a in _active(m, p):
            flags[a][i] = True
        for a in flags:
            values[a][i] = m[a]
    events: list[Event] = []
    for a, fl in flags.items():
        fl = fl.copy()
        gap = (~fl[1:-1]) & fl[:-2] & fl[2:]
        fl[1:-1] |= gap
        i = 0
        while i < n:
            if not fl[i]:
                i += 1
                continue
            j = i
            while j + 1 < n and fl[j + 1]:
                j += 1
            if a == "blink" or j > i:  # a blink may last one frame at 15 fps
                seg = values[a][i:j + 1]
                peak = float(np.nanmin(seg) if a == "blink" else np.nanmax(seg))
                events.append(Event(a, i, j, peak))
            i = j + 1
    events.sort(key=lambda e: (e.start, e.end))
    return events


def match_challenge(signals: Sequence[FrameSignals], challenge: Sequence[str],
                    p: LivenessPolicy) -> tuple[list[Step], list[str]]:
    """Match the challenge against the video's events: (steps, reason codes).

    Reasons: ``action_missing``, ``wrong_order``, ``unexpected_action``,
    ``no_return_to_neutral``, ``step_timeout``, ``no_face``.
    """
    b = baseline(signals)
    if b is None:
        return [Step(a, False) for a in challenge], ["no_face"]
    events = find_events(signals, b, p)
    neutral = np.array([is_neutral(f, b, p) for f in signals])
    t = [f.t_ms for f in signals]
    steps: list[Step] = []
    reasons: list[str] = []
    k = 0
    prev_end = -1  # frame index where the previous step ended
    for e in events:
        repeat = bool(steps) and e.action == steps[-1].action
        if k >= len(challenge) and not repeat:
            if e.action != "blink":
                reasons.append("unexpected_action")
            continue
        if e.start <= prev_end:
            continue  # overlaps the step just matched (e.g. a blink during a turn)
        if repeat:
            # The same movement again, or dipping under the threshold for a moment
            # (the mesh loses a wide-open mouth now and then): still that step, the
            # last one too (until issue 12 a repeat after the last step was
            # ``unexpected_action``: the beard case, docs/liveness.md).
            last = steps[-1]
            assert last.peak is not None  # every step matched in this loop has its peak
            peak = min(last.peak, e.peak) if e.action == "blink" else max(last.peak, e.peak)
            steps[-1] = Step(last.action, True, last.start_ms, t[e.end], round(peak, 3))
            prev_end = e.end
            continue
        if e.action != challenge[k]:
            if e.action == "blink":
                continue  # spontaneous
            reasons.append("wrong_order" if e.action in challenge[k:] else "unexpected_action")
            break
        if not neutral[prev_end + 1:e.start].any():
            reasons.append("no_return_to_neutral")
            break
        since = t[e.start] - (t[prev_end] if prev_end >= 0 else t[0])
        if since > p.step_timeout_ms:
            reasons.append("step_timeout")
            break
        steps.append(Step(e.action, True, t[e.start], t[e.end], round(e.peak, 3)))
        prev_end = e.end
        k += 1
    if not reasons and k < len(challenge):
        reasons.append("action_missing")
    steps += [Step(a, False) for a in challenge[len(steps):]]
    return steps, reasons


__all__ = ["Baseline", "Event", "Step", "baseline", "find_events", "is_neutral",
           "match_challenge"]
