"""check_liveness on generated genuine sessions and on each attack (real models)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import liveness_attacks as atk
import liveness_generate as gen
import pytest
from liveness_cases import GENUINE_ACTIONS, GENUINE_PHOTO, LIGHT, OTHER_PHOTO, cached_video

from simkyc.domain.policy import DEFAULT_POLICY
from simkyc.liveness import ScreenLight
from simkyc.media.video import read_video

P = DEFAULT_POLICY.liveness
FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"
Check = Callable[..., Any]


def test_genuine_session_passes_with_ordered_steps(check: Check, genuine_path: Path) -> None:
    r = check(genuine_path, GENUINE_ACTIONS, screen_light=LIGHT)
    assert r.passed, r.reasons
    assert [s.action for s in r.steps] == list(GENUINE_ACTIONS)
    assert all(s.passed for s in r.steps)
    starts = [s.start_ms for s in r.steps]
    assert starts == sorted(starts) and all(s.end_ms > s.start_ms for s in r.steps
                                            if s.action != "blink")
    left, blink, right = r.steps
    assert left.peak >= P.turn_yaw_deg and right.peak >= P.turn_yaw_deg
    assert blink.peak <= P.blink_ear_ratio
    assert r.identity_distance is not None and r.identity_distance < P.same_person_max_distance
    assert r.screen_light_r >= P.screen_light_min_correlation
    assert r.best_frame is not None and r.best_frame.shape == (480, 640, 3)
    assert r.best_frame_quality == ()  # it passes the face stage's quality gate
    assert r.frames == len(read_video(genuine_path)) and r.fps == pytest.approx(15, abs=0.01)


def test_genuine_webm_vp8_passes(check: Check, genuine_clip: gen.Clip) -> None:
    path = cached_video("genuine_vp8", lambda: genuine_clip, fmt="webm")
    v = read_video(path)
    assert v.codec == "vp8"
    r = check(v, GENUINE_ACTIONS)
    assert r.passed, r.reasons


def test_still_photo_fails(check: Check) -> None:
    path = cached_video("still", lambda: atk.still_photo(GENUINE_PHOTO, 3, shake=False))
    r = check(path, GENUINE_ACTIONS)
    assert not r.passed
    assert "action_missing" in r.reasons
    assert not any(s.passed for s in r.steps)


def test_still_photo_with_hand_shake_fails(check: Check) -> None:
    path = cached_video("still_shake", lambda: atk.still_photo(GENUINE_PHOTO, 4, shake=True))
    r = check(path, ("blink", "turn_left", "turn_right"))
    assert not r.passed and "action_missing" in r.reasons


def test_wrong_order_fails(check: Check, genuine_path: Path) -> None:
    r = check(genuine_path, ("turn_right", "blink", "turn_left"))
    assert not r.passed and r.reasons == ("wrong_order",)


def test_too_few_actions_fails(check: Check, genuine_clip: gen.Clip) -> None:
    path = cached_video("too_few", lambda: atk.cut_after(genuine_clip, 2))
    r = check(path, GENUINE_ACTIONS)
    assert not r.passed and "action_missing" in r.reasons
    assert [s.passed for s in r.steps] == [True, True, False]


def test_replay_of_another_challenge_fails(check: Check, genuine_path: Path) -> None:
    r = check(genuine_path, ("look_up", "open_mouth", "turn_left"))
    assert not r.passed and ("unexpected_action" in r.reasons or "wrong_order" in r.reasons)


def test_replay_under_another_screen_light_sequence_fails(check: Check,
                                                          genuine_path: Path) -> None:
    other = ScreenLight(("green", "red", "cyan", "blue", "yellow", "magenta", "green", "blue",
                         "red", "cyan"), 400.0)
    r = check(genuine_path, GENUINE_ACTIONS, screen_light=other)
    assert not r.passed and r.reasons == ("screen_light_mismatch",)
    assert r.screen_light_r < P.screen_light_min_correlation


def test_two_faces_fail(check: Check, genuine_clip: gen.Clip) -> None:
    path = cached_video("two_faces", lambda: atk.two_faces(genuine_clip, OTHER_PHOTO))
    r = check(path, GENUINE_ACTIONS)
    assert not r.passed and "multiple_faces" in r.reasons


def test_face_leaving_the_frame_fails(check: Check, genuine_clip: gen.Clip) -> None:
    path = cached_video("face_leaves", lambda: atk.face_leaves(genuine_clip, at=0.45))
    r = check(path, GENUINE_ACTIONS)
    assert not r.passed and "face_lost" in r.reasons


def test_face_swap_mid_video_fails(check: Check) -> None:
    path = cached_video("swap", lambda: atk.face_swap(GENUINE_PHOTO, OTHER_PHOTO,
                                                      GENUINE_ACTIONS, 7))
    r = check(path, GENUINE_ACTIONS)
    assert not r.passed and "face_changed" in r.reasons
    assert r.identity_distance > P.same_person_max_distance


def test_duplicated_frames_fail(check: Check, genuine_clip: gen.Clip) -> None:
    path = cached_video("duplicated", lambda: atk.duplicate_frames(genuine_clip))
    r = check(path, GENUINE_ACTIONS)
    assert not r.passed and "duplicate_frames" in r.reasons


def test_retimed_frames_fail(check: Check, genuine_clip: gen.Clip) -> None:
    path = cached_video("retimed", lambda: atk.retime(genuine_clip, 5))
    r = check(path, GENUINE_ACTIONS)
    assert not r.passed and "inconsistent_timestamps" in r.reasons


def test_real_hamilton_clip_is_rejected_for_the_right_reasons(check: Check) -> None:
    # Several people on a stage, nobody performing a challenge: no face for the
    # first seconds, then a different person, and no challenged action in place.
    r = check(FACES / "face_recognition" / "short_hamilton_clip.mp4", GENUINE_ACTIONS)
    assert not r.passed
    assert {"face_lost", "face_changed"} <= set(r.reasons)
    assert not any(s.passed for s in r.steps)
