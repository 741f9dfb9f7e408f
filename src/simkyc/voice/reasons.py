"""Every reason code the voice stage can emit (declarations only).

Each code has a text in every language of the message catalogue
(:mod:`simkyc.i18n`, key ``reason.<code>``); ``tests/i18n`` checks that every
reason literal in this package is declared here.
"""

from __future__ import annotations

#: The checks of :func:`simkyc.voice.check.check_spoken_digits`.
CHECK_REASONS: tuple[str, ...] = (
    "no_speech", "wrong_digit_count", "speech_before_prompt", "wrong_digits",
    "face_not_visible", "audio_video_mismatch")
#: The accessible path: a supervisor approved the step (:mod:`simkyc.voice.accessibility`).
OVERRIDE_REASONS: tuple[str, ...] = ("assisted_override",)

REASONS: tuple[str, ...] = CHECK_REASONS + OVERRIDE_REASONS

__all__ = ["CHECK_REASONS", "OVERRIDE_REASONS", "REASONS"]
