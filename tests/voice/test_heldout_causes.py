"""Issue 12, held-out conditions: the causes found and fixed, each on generated speech.

- Digits whose words run together into one nucleus (Mandarin 二 after a vowel,
  Cantonese 五 after a vowel or nasal, Uyghur vowel meeting vowel) are counted as
  one syllable when read as one run of speech; the challenge never draws them in
  that order (``DigitLanguage.merging``, ``bench/study_voice_merging_pairs.py``).
  Where the pitch jumps at a dip of 4 dB or more between them, the counter now
  parts them (``tests/voice/test_pitch.py``); these four dip less.
- English in noise: Whisper base decoded without a prompt loses or mis-writes
  digits ("1-5-0-0-8" for 150908, "for" for four); decoded again with the ten digit
  words as its prompt it hears them, and exact homophones are read as digits.
"""

from __future__ import annotations

import dataclasses
import random

import numpy as np
import pytest

from simkyc.media.audio import Audio
from simkyc.voice import check_spoken_digits, get_language
from simkyc.voice.challenge import random_digits
from simkyc.voice.check import count_units, customer_speech
from simkyc.voice.pitch import pitch_track
from simkyc.voice.units import speech_envelope


def _count(x, lang, models, policy, *, pitch_split: bool = True) -> int:
    """The checker's count (with the pitch split of merged nuclei, unless told not to)."""
    env = speech_envelope(x)
    segments = customer_speech(env, models.vad.probabilities(x), policy)
    if not pitch_split:
        policy = dataclasses.replace(policy, syllable_split=False)
    return count_units(env, segments, get_language(lang), policy, pitch_track(x)).count


@pytest.mark.parametrize("lang, voice, merged, apart", [
    ("cmn", "cmn", "92", "29"),        # jiǔ-èr: one nucleus; èr-jiǔ: two
    ("cmn", "cmn+f3", "42", "24"),     # sì-èr
    ("yue", "yue", "95", "59"),        # gau2-ng5
    ("ug", "ug", "62", "36"),          # alte-ikki; üch-alte has a consonant between
])
def test_merging_digits_count_as_one_and_are_never_drawn(generator, models, policy, lang,
                                                         voice, merged, apart):
    def read(digits, pitch_split=True):
        x = generator.speak(lang, digits, voice=voice, rate=228, seed=7000, pitch=45,
                            pause="none")
        return _count(x, lang, models, policy, pitch_split=pitch_split)

    expected = get_language(lang).expected_syllables
    # the cause: no dip of 5 dB between them, nor of the pitch split's 4 dB (jiǔ-èr and
    # gau-ng here dip less; a 3-dB split parted them, but it also split slow syllables
    # of the standard draws: docs/voice.md)
    assert read(merged, pitch_split=False) == read(merged) == expected(merged) - 1
    assert read(apart) == expected(apart)
    rng = random.Random(5)
    draws = "|".join(random_digits(6, get_language(lang), rng) for _ in range(1000))
    assert merged not in draws and apart in draws


@pytest.mark.parametrize("digits, voice, rate, pitch, seed", [
    ("150908", "en-us+m3", 122, 36, 3082262),   # tuning: 0.7x, no pause, pink 10 dB
])
def test_english_in_pink_noise_heard_with_the_digit_word_prompt(generator, models, policy,
                                                                digits, voice, rate, pitch,
                                                                seed):
    x = generator.add_noise(generator.speak("en", digits, voice=voice, rate=rate, seed=seed,
                                            pitch=pitch, pause="none"),
                            snr_db=10.0, seed=seed, kind="pink")
    plain, prompted, sphinx = models.recognizers_for("en")
    r = check_spoken_digits(Audio(samples=np.asarray(x, np.float32)), digits, "en",
                            models=models, policy=policy)
    assert r.passed, r.checks
    assert r.heard == digits
    # What the checker gives the recognisers: its speech, with the policy's margin.
    segments = customer_speech(speech_envelope(x), models.vad.probabilities(x), policy)
    m = policy.recognizer_margin_seconds
    y = x[max(0, int((segments[0].start - m) * 16000)):int((segments[-1].end + m) * 16000)]
    # Neither the plain decoding nor PocketSphinx hears it; the prompted decoding does.
    assert plain.recognize(y, "en", 6) != digits
    assert sphinx.recognize(y, "en", 6) != digits
    assert prompted.recognize(y, "en", 6) == digits
