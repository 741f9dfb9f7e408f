"""The action matcher on the two faces it failed on held out (issue 12), from the generator.

alex_lacamoire: the mesh loses his wide-open mouth behind the beard for a few
frames and finds it again; when ``open_mouth`` was the last challenged step the
second opening was read as ``unexpected_action``. deepface img1: the mesh
reads her closed eyes as only partly closed (EAR 0.67-0.74 of the open eye on
the tuning conditions, against 0.25-0.58 for the other 13 faces), so the blink
was missed and the next action came ``wrong_order``.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import liveness_generate as gen
import numpy as np
from liveness_cases import cached_video

from simkyc.domain.policy import DEFAULT_POLICY

Check = Callable[..., Any]
P = DEFAULT_POLICY.liveness

BEARD = "face_recognition/alex_lacamoire_img1.jpg"
SHALLOW_BLINK = "deepface-pairs/img1.jpg"


def test_beard_mouth_lost_and_found_as_the_last_step_passes(check: Check) -> None:
    # Seed 8: the mesh reads this opening as two events (frames 80-85 and 88-95,
    # tuning conditions: H.264 CRF 23, hand-held, σ 2).
    actions = ("turn_left", "turn_right", "open_mouth")
    path = cached_video("beard_mouth_last", lambda: gen.make_clip(
        BEARD, actions, 8, noise=2.0, poses=gen.timeline(actions, np.random.default_rng(8))))
    r = check(path, actions)
    assert r.passed, r.reasons
    assert [s.passed for s in r.steps] == [True, True, True]


def test_shallow_blink_at_rest_passes(check: Check) -> None:
    # Seed 1, tuning conditions (H.264 CRF 23, hand-held, σ 2): the blink never
    # reaches blink_ear_ratio (0.72) and was missed (``wrong_order``).
    actions = ("turn_left", "blink", "look_up")
    path = cached_video("shallow_blink", lambda: gen.make_clip(
        SHALLOW_BLINK, actions, 1, noise=2.0, poses=gen.timeline(actions,
                                                                np.random.default_rng(1))))
    r = check(path, actions)
    assert r.passed, r.reasons
    blink = r.steps[1]
    assert blink.passed and blink.peak is not None
    assert P.blink_ear_ratio < blink.peak <= P.blink_ear_ratio_at_rest
