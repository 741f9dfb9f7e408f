"""Action matching on hand-made per-frame signals (no models)."""

from __future__ import annotations

import math

from simkyc.domain.policy import DEFAULT_POLICY
from simkyc.liveness.actions import match_challenge
from simkyc.liveness.signals import FrameSignals

P = DEFAULT_POLICY.liveness


def _frames(script: str, fps: float = 15.0) -> list[FrameSignals]:
    """One character per frame: . neutral, L/R turn left/right, U look up,
    B eyes closed, M mouth open, - no face."""
    out = []
    for i, c in enumerate(script):
        t = i * 1000.0 / fps
        if c == "-":
            out.append(FrameSignals(t_ms=t, faces=0))
            continue
        out.append(FrameSignals(
            t_ms=t, faces=1, yaw_deg={"L": 25.0, "R": -25.0}.get(c, 0.0),
            pitch_deg=18.0 if c == "U" else 0.0, ear=0.08 if c == "B" else 0.28,
            mouth=0.5 if c == "M" else 0.02))
    return out


def test_in_order_with_neutral_between_passes() -> None:
    steps, reasons = match_challenge(_frames("....LLLLL....BB....RRRR...."),
                                     ("turn_left", "blink", "turn_right"), P)
    assert reasons == []
    assert [(s.action, s.passed) for s in steps] == [("turn_left", True), ("blink", True),
                                                      ("turn_right", True)]
    assert steps[0].start_ms == 4 * 1000 / 15 and steps[0].peak == 25.0


def test_spontaneous_blinks_are_tolerated_but_other_actions_are_not() -> None:
    ok = "..B..LLLLL..B..MMMM...RRRR..B.."
    assert match_challenge(_frames(ok), ("turn_left", "open_mouth", "turn_right"), P)[1] == []
    extra = "....LLLLL....UUUU....RRRR...."
    assert match_challenge(_frames(extra), ("turn_left", "blink", "turn_right"), P)[1] == [
        "unexpected_action"]
    after = "....LLLL....MMMM....RRRR....UUUU..."
    assert match_challenge(_frames(after), ("turn_left", "open_mouth", "turn_right"), P)[1] == [
        "unexpected_action"]


def test_wrong_order_and_missing() -> None:
    seq = "....RRRR....BB....LLLL...."
    assert match_challenge(_frames(seq), ("turn_left", "blink", "turn_right"), P)[1] == [
        "wrong_order"]
    steps, reasons = match_challenge(_frames("....LLLL....BB......"),
                                     ("turn_left", "blink", "turn_right"), P)
    assert reasons == ["action_missing"] and [s.passed for s in steps] == [True, True, False]


def test_neutral_required_between_and_before() -> None:
    # Straight from a left turn into looking up, never back to neutral.
    seq = "....LLLLLUUUUU...."
    assert match_challenge(_frames(seq), ("turn_left", "look_up", "blink"), P)[1] == [
        "no_return_to_neutral"]
    assert match_challenge(_frames("LLLL....BB....UUUU..."), ("turn_left", "blink", "look_up"),
                           P)[1] == ["no_return_to_neutral"]


def test_timeout_between_steps() -> None:
    seq = "..LLLL" + "." * 200 + "BB..MMM.."
    assert match_challenge(_frames(seq), ("turn_left", "blink", "open_mouth"), P)[1] == [
        "step_timeout"]


def test_no_face_at_all() -> None:
    steps, reasons = match_challenge(_frames("-----"), ("blink", "turn_left", "look_up"), P)
    assert reasons == ["no_face"] and not any(s.passed for s in steps)
    assert all(math.isnan(f.yaw_deg) for f in _frames("--"))


def test_repeating_the_step_just_done_is_one_step() -> None:
    seq = "....MMM..MMM....LLLL....RRRR...."
    steps, reasons = match_challenge(_frames(seq), ("open_mouth", "turn_left", "turn_right"), P)
    assert reasons == [] and steps[0].end_ms == 11 * 1000 / 15


def test_repeating_the_last_step_is_that_step_not_an_unexpected_action() -> None:
    # The mesh loses a wide-open mouth behind a beard for a few frames and finds
    # it again: when open_mouth is the last step that was ``unexpected_action``
    # (issue 12, alex_lacamoire); another action after the last step still is.
    seq = "....LLLL....RRRR....MMM..MMM...."
    steps, reasons = match_challenge(_frames(seq), ("turn_left", "turn_right", "open_mouth"), P)
    assert reasons == [] and steps[2].end_ms == 27 * 1000 / 15
    after = "....LLLL....RRRR....MMM..MMM....UUUU...."
    assert match_challenge(_frames(after), ("turn_left", "turn_right", "open_mouth"), P)[1] == [
        "unexpected_action"]


def _ear_frames(script: str, ear: float) -> list[FrameSignals]:
    """Like :func:`_frames`, with ``b`` an eye at ``ear`` (other frames 0.28) and
    ``u`` that eye while looking up."""
    out = _frames(script.replace("b", ".").replace("u", "U"))
    for i, c in enumerate(script):
        if c in "bu":
            f = out[i]
            out[i] = FrameSignals(t_ms=f.t_ms, faces=1, yaw_deg=f.yaw_deg, pitch_deg=f.pitch_deg,
                                  ear=ear, mouth=f.mouth)
    return out


def test_a_shallow_blink_counts_at_rest_only() -> None:
    # deepface img1 (issue 12): the mesh reads her closed eyes at 0.67-0.74 of
    # the open EAR. Between blink_ear_ratio and blink_ear_ratio_at_rest, a dip
    # is a blink with the head and mouth at rest, not while looking up.
    ear = 0.28 * (P.blink_ear_ratio + P.blink_ear_ratio_at_rest) / 2
    actions = ("turn_left", "blink", "look_up")
    steps, reasons = match_challenge(_ear_frames("....LLLL....bb....UUUU....", ear), actions, P)
    assert reasons == [] and steps[1].passed
    # The same dip during the look-up is no blink, so the challenge is not met.
    assert match_challenge(_ear_frames("....LLLL........UuuU....", ear), actions, P)[1] == [
        "wrong_order"]
