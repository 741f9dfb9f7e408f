"""The pitch track, and the split of syllables merged into one nucleus where the pitch jumps.

Issue 12: read as one run of speech, Mandarin 二 èr after a vowel (liù-èr, wǔ-èr) can leave
a dip of 4-5 dB in the energy contour, too shallow for the counter's 5-dB (10-dB low
down) test, so a six-digit string read by espeak-ng ``cmn`` at its normal rate counted
one short; the same merge hid an added digit. Each syllable keeps its own tone, so the
pitch jumps at the dip (policy ``syllable_split_*``, docs/voice.md).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from simkyc.media.audio import Audio
from simkyc.voice import check_spoken_digits, get_language
from simkyc.voice.check import count_units, customer_speech
from simkyc.voice.pitch import pitch_track
from simkyc.voice.units import speech_envelope

SR = 16_000


def _tone(f0: float, seconds: float) -> np.ndarray:
    t = np.arange(int(seconds * SR)) / SR
    return sum(np.sin(2 * np.pi * k * f0 * t) / k for k in range(1, 6)).astype(np.float32)


def test_pitch_track_follows_the_f0_frame_by_frame_with_the_envelope():
    x = np.concatenate([_tone(110.0, 0.3), _tone(165.0, 0.3)]) * 0.3
    p = pitch_track(x)
    assert len(p.f0_hz) == len(p.voicing) == len(speech_envelope(x).db)
    assert np.median(p.f0_hz[3:25]) == pytest.approx(110.0, rel=0.02)
    assert np.median(p.f0_hz[33:55]) == pytest.approx(165.0, rel=0.02)
    assert np.all(p.voicing[3:25] > 0.9)
    # a fifth up is 7 semitones
    assert np.median(p.semitones()[33:55]) - np.median(p.semitones()[3:25]) == pytest.approx(
        7.0, abs=0.3)


def test_noise_is_not_voiced():
    x = np.random.default_rng(0).normal(0, 0.1, SR).astype(np.float32)
    assert np.median(pitch_track(x).voicing) < 0.5
    assert len(pitch_track(np.zeros(100, np.float32)).f0_hz) == 1  # shorter than a frame


def _counts(generator, models, policy, lang, digits, **how):
    """(expected, counted without the pitch split, counted with it) and the samples."""
    x = generator.speak(lang, digits, rate=175, pause="none", **how)
    env = speech_envelope(x)
    segments = customer_speech(env, models.vad.probabilities(x), policy)
    before = dataclasses.replace(policy, syllable_split=False)
    language = get_language(lang)
    return (language.expected_syllables(digits), count_units(env, segments, language, before).count,
            count_units(env, segments, language, policy, pitch_track(x)).count, x)


@pytest.mark.parametrize("asked, voice, pitch, dropped, added", [
    ("625851", "cmn", 45, "62581", "6258571"),  # liù-èr; espeak's normal rate (175 wpm)
    ("958351", "cmn+m1", 28, None, None),       # a low-pitched, older-sounding voice
])
def test_mandarin_read_as_one_run_counts_the_merged_pair(generator, models, policy, asked, voice,
                                                         pitch, dropped, added):
    expected, before, now, x = _counts(generator, models, policy, "cmn", asked, voice=voice,
                                       seed=1, pitch=pitch)
    assert (expected, before, now) == (6, 5, 6)
    r = check_spoken_digits(Audio(samples=x), asked, "cmn", models=models, policy=policy)
    assert r.passed, r.checks
    if dropped is None:
        return
    # Still rejected: a digit left out; and an added digit that the merge used to hide
    # (6 nuclei for 6 asked before the split).
    for spoken, seed, was, counted in ((dropped, 101, 4, 5), (added, 201, 6, 7)):
        e, b, n, y = _counts(generator, models, policy, "cmn", spoken, voice=voice, seed=seed,
                             pitch=pitch)
        assert (b, n) == (was, counted)
        bad = check_spoken_digits(Audio(samples=y), asked, "cmn", models=models, policy=policy)
        assert bad.reasons == ("wrong_digit_count",)


def test_a_syllable_with_a_smooth_pitch_is_not_split(generator, models, policy):
    # 九 jiǔ is a diphthong whose third tone dips and rises inside the syllable; read as
    # one run where consonants part the digits, every digit is one nucleus, with the
    # split as without it.
    expected, before, now, _ = _counts(generator, models, policy, "cmn", "294321", voice="cmn",
                                       seed=1, pitch=45)
    assert expected == before == now == 6
