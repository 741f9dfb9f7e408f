"""Every reason code the face stage can emit (declarations only).

Each code has a text in every language of the message catalogue
(:mod:`simkyc.i18n`, key ``reason.<code>``); ``tests/i18n`` checks that every
reason literal in this package is declared here. The match prefixes a quality
code with the image it concerns (``reference:face_blurry``, ``live:no_face``):
:func:`simkyc.i18n.reason_text` reads the part after the last colon.
"""

from __future__ import annotations

#: The quality gate (:func:`simkyc.face.quality.assess_face_quality`), most important first.
QUALITY_REASONS: tuple[str, ...] = (
    "no_face", "multiple_faces", "face_too_small", "face_cut_off", "face_too_dark",
    "face_too_bright", "face_blurry", "face_not_clear", "head_turned", "head_tilted",
    "eyes_closed",
)
#: The 1:1 match (:func:`simkyc.face.matching.match_faces` and the face-match step).
MATCH_REASONS: tuple[str, ...] = ("face_mismatch", "reference_unusable")
#: Prefixes the match puts before a quality code.
PREFIXES: tuple[str, ...] = ("reference", "live")

REASONS: tuple[str, ...] = QUALITY_REASONS + MATCH_REASONS

__all__ = ["MATCH_REASONS", "PREFIXES", "QUALITY_REASONS", "REASONS"]
