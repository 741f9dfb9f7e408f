"""Checking a spoken-digit answer: :func:`check_spoken_digits`.

Checks, with the reason code each reports when it fails:

==================  ==========================  ==================================================
check               reason                      value / threshold
==================  ==========================  ==================================================
speech_present      ``no_speech``               seconds of speech (VAD speech standing above the
                                                background: :func:`customer_speech`) /
                                                ``min_speech_seconds``
unit_count          ``wrong_digit_count``       syllable nuclei counted / syllables expected
                                                (± ``unit_count_tolerance``; see below)
speech_after_prompt ``speech_before_prompt``    first speech minus prompt time (s) /
                                                ``min_reaction_seconds``
no_trailing_digit   ``wrong_digit_count``       seconds of an extra digit after the ones asked /
                                                ``trailing_digit_min_seconds`` (see below)
digits_match        ``wrong_digits``            digits heard / digits asked (only with a recogniser)
face_visible        ``face_not_visible``        share of frames with a face /
                                                ``av_min_face_fraction``
av_sync             ``audio_video_mismatch``    mouth-envelope correlation (levels and changes) /
                                                ``av_min_correlation``
==================  ==========================  ==================================================

The first three always run (language-independent); ``digits_match`` when a
recogniser exists for the language (with several, the digits match when any
of them hears exactly the digits asked; when the one that did can hear any
number of digits, it has counted them too and the syllable count may fall
short of the expected by ``unit_count_tolerance_with_recognizer``, or, with
``digit_words_may_merge_with_recognizer``, down to one nucleus per digit); when a
recogniser heard exactly the digits asked, ``no_trailing_digit`` runs (with a
fixed-length recogniser, PocketSphinx, for the language): it decodes
one digit more than asked and the answer fails when the digits asked come
first followed by a word of at least ``trailing_digit_min_seconds``. The last
two when a video is given. When no speech is found the others are not run
(there is nothing to measure).
"""

from __future__ import annotations

import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from simkyc.domain.errors import InputError
from simkyc.domain.policy import VoicePolicy
from simkyc.domain.results import Check, StageOutcome
from simkyc.media.audio import Audio
from simkyc.voice.avsync import MouthTrack, mouth_track, sync_score
from simkyc.voice.languages import DigitLanguage, require_language
from simkyc.voice.models import VoiceModels
from simkyc.voice.pitch import Pitch, pitch_track
from simkyc.voice.units import (
    Envelope,
    UnitCount,
    background,
    count_syllable_nuclei,
    foreground_segments,
    speech_envelope,
)
from simkyc.voice.vad import SpeechSegment, speech_segments

REASONS = ("no_speech", "wrong_digit_count", "speech_before_prompt", "wrong_digits",
           "face_not_visible", "audio_video_mismatch")


@dataclass(frozen=True)
class VoiceResult:
    """The decision on one spoken answer.

    ``heard``: digits the recogniser heard, ``None`` when no recogniser exists
    for the language. ``models``: ids of the models used. ``cpu_seconds``:
    processing CPU time.
    """

    passed: bool
    language: str
    digits: str
    heard: str | None
    checks: tuple[Check, ...]
    reasons: tuple[str, ...]
    audio_seconds: float
    speech_seconds: float
    models: dict[str, str] = field(default_factory=dict)
    cpu_seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """The CLI's JSON: passed, language, checks (passed/value/threshold), heard, reasons."""
        return {
            "passed": self.passed,
            "language": self.language,
            "checks": {c.name: {"passed": c.passed, "value": c.value, "threshold": c.threshold}
                       for c in self.checks},
            "heard": self.heard,
            "reasons": list(self.reasons),
            "audio_seconds": round(self.audio_seconds, 3),
            "models": dict(self.models),
        }

    def outcome(self, policy_version: str | None = None) -> StageOutcome:
        """The workflow's :class:`StageOutcome` (scores kept in ``details``, server side)."""
        return StageOutcome(stage="voice", passed=self.passed, reasons=self.reasons,
                            model=", ".join(sorted(set(self.models.values()))),
                            policy_version=policy_version,
                            details={"checks": [c.to_dict() for c in self.checks],
                                     "heard": self.heard, "language": self.language})


def _validate_digits(digits: str) -> str:
    digits = digits.strip()
    if not digits or not digits.isascii() or not digits.isdigit():
        raise InputError(f"digits must be a non-empty string of 0-9, not {digits!r}")
    return digits


def check_spoken_digits(audio: Audio, digits: str, language: str, *, models: VoiceModels,
                        policy: VoicePolicy, prompt_shown_at_s: float = 0.0,
                        video: Any | None = None) -> VoiceResult:
    """Check that ``audio`` is someone reading ``digits`` in ``language``.

    ``audio``: 16-kHz mono (:func:`simkyc.media.audio.decode_audio`).
    ``prompt_shown_at_s``: when the prompt appeared, in seconds from the start
    of the recording (0 = shown as recording started; speech must start at
    least ``policy.min_reaction_seconds`` later). ``video``: a
    :class:`simkyc.media.video.Video` recorded together with the audio, for the
    audio-visual synchrony check; its frame timestamps and ``audio.start_s``
    are on the same clock (true of the two tracks of one recording, and of two
    files that both start at 0). Thresholds come from
    ``policy``. A failed check is a result; :class:`InputError` means the
    inputs could not be checked (bad digits, unknown language).

    With a video, the mouth is tracked (face mesh over every frame) in a second thread
    while the audio is checked (VAD, recognisers: both release the GIL), so the verdict
    comes in about the longer of the two rather than their sum; the checks and their
    inputs are the same. ``cpu_seconds`` counts both threads.
    """
    cpu0 = time.process_time()
    digits = _validate_digits(digits)
    lang = require_language(language)
    if video is None:
        return _check(audio, digits, lang, models, policy, prompt_shown_at_s, None, cpu0)
    stop = threading.Event()
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="simkyc-mouth") as pool:
        track = pool.submit(mouth_track, video.frames, video.timestamps_ms, models.open_mesh,
                            origin_ms=audio.start_s * 1000.0, stop=stop)
        try:
            return _check(audio, digits, lang, models, policy, prompt_shown_at_s, track, cpu0)
        finally:
            stop.set()  # no speech (or an error): the track is not needed


def _check(audio: Audio, digits: str, lang: DigitLanguage, models: VoiceModels,
           policy: VoicePolicy, prompt_shown_at_s: float,
           track: Future[MouthTrack] | None, cpu0: float) -> VoiceResult:
    x = audio.samples
    used = {"vad": models.vad.model_id}
    checks: list[Check] = []

    env = speech_envelope(x, audio.sample_rate)
    segments = customer_speech(env, models.vad.probabilities(x), policy)
    speech_s = float(sum(s.duration for s in segments))
    present = speech_s >= policy.min_speech_seconds
    checks.append(Check("speech_present", present, round(speech_s, 3),
                        policy.min_speech_seconds, None if present else "no_speech"))
    heard: str | None = None
    by = None
    recognizers = models.recognizers_for(lang.code)
    if present:
        if recognizers:
            margin = policy.recognizer_margin_seconds
            a = max(0, int((segments[0].start - margin) * audio.sample_rate))
            b = int((segments[-1].end + margin) * audio.sample_rate)
            heard, by = _recognize(recognizers, x[a:b], lang.code, digits)
            used["recognizer"] = " + ".join(r.model_id for r in recognizers)
        pitch = (pitch_track(x, audio.sample_rate)
                 if policy.syllable_split else None)
        units = count_units(env, segments, lang, policy, pitch)
        expected = lang.expected_syllables(digits)
        # A free-length recogniser that heard exactly the digits asked has also
        # counted them; fluent speech merges syllables, so the count may then fall
        # short by the looser tolerance (never exceed: an extra digit adds syllables).
        counted = heard == digits and by is not None and not by.fixed_length
        lowest = expected - policy.unit_count_tolerance
        if counted:
            lowest = expected - policy.unit_count_tolerance_with_recognizer
            if policy.digit_words_may_merge_with_recognizer:
                lowest = min(lowest, len(digits))  # ze-ro, se-ven said as one nucleus
        ok = lowest <= units.count <= expected + policy.unit_count_tolerance
        checks.append(Check("unit_count", ok, units.count, expected,
                            None if ok else "wrong_digit_count"))
        if heard == digits:
            extra = _trailing_digit_seconds(recognizers, x[a:b], digits)
            if extra is not None:
                ok = extra < policy.trailing_digit_min_seconds
                checks.append(Check("no_trailing_digit", ok, round(extra, 3),
                                    policy.trailing_digit_min_seconds,
                                    None if ok else "wrong_digit_count"))
        onset = segments[0].start - prompt_shown_at_s
        ok = onset >= policy.min_reaction_seconds
        checks.append(Check("speech_after_prompt", ok, round(onset, 3),
                            policy.min_reaction_seconds, None if ok else "speech_before_prompt"))
        if recognizers:
            ok = heard == digits
            checks.append(Check("digits_match", ok, heard, digits,
                                None if ok else "wrong_digits"))
        if track is not None:
            checks.extend(_av_checks(track.result(), env, policy))
            used["face_mesh"] = "mediapipe-0.10 face mesh"
    elif recognizers:
        heard = ""
    reasons = tuple(dict.fromkeys(c.reason for c in checks if not c.passed and c.reason))
    return VoiceResult(passed=not reasons, language=lang.code, digits=digits, heard=heard,
                       checks=tuple(checks), reasons=reasons, audio_seconds=audio.duration_s,
                       speech_seconds=speech_s, models=used,
                       cpu_seconds=time.process_time() - cpu0)


def customer_speech(env: Envelope, vad_probabilities: np.ndarray, policy: VoicePolicy
                    ) -> list[SpeechSegment]:
    """The customer's speech: VAD speech (frame ``vad_probabilities`` at
    ``policy.vad_threshold``) where the sound stands above the recording's background
    (babble is speech to the VAD too; see :func:`~simkyc.voice.units.foreground_segments`)."""
    above = background(env).margin_db(policy.syllable_min_above_background_db,
                                      policy.syllable_background_spread_factor)
    return foreground_segments(env, speech_segments(vad_probabilities, policy.vad_threshold),
                               above)


def count_units(env: Envelope, segments: list[SpeechSegment], lang: DigitLanguage,
                policy: VoicePolicy, pitch: Pitch | None = None) -> UnitCount:
    """Syllable nuclei of ``env`` in ``segments`` with ``policy``'s thresholds for ``lang``
    (``pitch`` of the same samples: nuclei merged at a shallow dip are split where the
    pitch jumps, when the policy asks for it)."""
    return count_syllable_nuclei(
        env, segments, floor_db=policy.syllable_floor_db,
        min_prominence_db=policy.syllable_min_prominence_db,
        deep_peak_db=policy.syllable_deep_peak_db if lang.one_syllable_digits else None,
        deep_peak_min_prominence_db=policy.syllable_min_prominence_db_one_syllable_digits,
        min_above_background_db=policy.syllable_min_above_background_db,
        background_spread_factor=policy.syllable_background_spread_factor,
        pitch=pitch, split_min_prominence_db=(policy.syllable_split_min_prominence_db
                                 if policy.syllable_split else None),
        split_min_jump_semitones=policy.syllable_split_min_jump_semitones,
        split_min_voicing=policy.syllable_split_min_voicing)


def _recognize(recognizers, samples: np.ndarray, language: str, digits: str
               ) -> tuple[str, Any]:
    """``(hypothesis, recogniser)``: the first that heard ``digits`` exactly, else the first's."""
    first: tuple[str, Any] | None = None
    for rec in recognizers:
        heard = rec.recognize(samples, language, len(digits))
        if heard == digits:
            return heard, rec
        first = (heard, rec) if first is None else first
    return first if first is not None else ("", None)


def _trailing_digit_seconds(recognizers, samples: np.ndarray, digits: str) -> float | None:
    """Seconds of an extra digit after ``digits`` by the first recogniser able to tell, else None.

    Whisper may drop a trailing extra digit, and fixed-length PocketSphinx cannot
    hear one, while fast speech merges a syllable so the count matches too: a
    fixed-length recogniser forced to one digit more then finds the digits asked
    followed by a full extra word.
    """
    for rec in recognizers:
        if hasattr(rec, "trailing_digit_seconds"):
            return float(rec.trailing_digit_seconds(samples, digits))
    return None


def _av_checks(track: MouthTrack, env, policy: VoicePolicy) -> list[Check]:
    frac = track.face_fraction
    seen = frac >= policy.av_min_face_fraction
    out = [Check("face_visible", seen, round(frac, 3), policy.av_min_face_fraction,
                 None if seen else "face_not_visible")]
    score = sync_score(track, env, min_lag_s=policy.av_min_lag_seconds,
                       max_lag_s=policy.av_max_lag_seconds) if seen else -1.0
    ok = seen and score >= policy.av_min_correlation
    out.append(Check("av_sync", ok, round(float(np.round(score, 4)), 4),
                     policy.av_min_correlation, None if ok else "audio_video_mismatch"))
    return out


__all__ = ["REASONS", "VoiceResult", "check_spoken_digits", "count_units", "customer_speech"]
