"""Every reason code the liveness stage can emit (declarations only).

Each code has a text in every language of the message catalogue
(:mod:`simkyc.i18n`, key ``reason.<code>``); ``tests/i18n`` checks that every
reason literal in this package is declared here. The best frame's quality
verdict (``best_frame_quality``) uses the face stage's codes
(:mod:`simkyc.face.reasons`).
"""

from __future__ import annotations

#: The challenge (:func:`simkyc.liveness.actions.match_challenge`).
ACTION_REASONS: tuple[str, ...] = (
    "action_missing", "wrong_order", "unexpected_action", "no_return_to_neutral",
    "step_timeout")
#: One face, present throughout, the same person (``check.py``, ``identity.py``).
FACE_REASONS: tuple[str, ...] = (
    "no_face", "face_lost", "multiple_faces", "face_changed", "no_neutral_frame")
#: Frame timing (:func:`simkyc.liveness.timing.timing_problems`).
TIMING_REASONS: tuple[str, ...] = ("inconsistent_timestamps", "duplicate_frames", "too_few_frames")
#: Screen-light reflection (:mod:`simkyc.liveness.screen_light`).
SCREEN_LIGHT_REASONS: tuple[str, ...] = ("screen_light_mismatch",)

REASONS: tuple[str, ...] = ACTION_REASONS + FACE_REASONS + TIMING_REASONS + SCREEN_LIGHT_REASONS

__all__ = ["ACTION_REASONS", "FACE_REASONS", "REASONS", "SCREEN_LIGHT_REASONS", "TIMING_REASONS"]
