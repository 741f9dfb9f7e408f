"""Small parts: transcript parsing, syllable expectations, VAD segments, unit counting."""

from __future__ import annotations

import numpy as np
import pytest

from simkyc.voice import get_language
from simkyc.voice.recognizers import (
    DigitRecognizer,
    PocketsphinxDigits,
    WhisperDigits,
    digits_from_text,
)
from simkyc.voice.units import count_syllable_nuclei, speech_envelope
from simkyc.voice.vad import speech_segments


@pytest.mark.parametrize("text, digits", [("three seven oh nine", "3709"), (" 3 7 2", "372"),
                                          ("三七二九零五", "372905"), ("幺 两 3", "123"),
                                          ("hello", ""), ("7-3-8-3-9-0", "738390"),
                                          ("One, two, three.", "123"),
                                          ("bar nine eight zero", "980"),
                                          # Whisper's spellings of four, two, one, eight
                                          ("for three, four, seven, four, zero.", "434740"),
                                          ("Too, won, ate", "218"), ("I'm 0, I'm 864.", "0864")])
def test_digits_from_text(text, digits):
    assert digits_from_text(text) == digits


def test_expected_syllables():
    assert get_language("cmn").expected_syllables("372905") == 6
    assert get_language("en").expected_syllables("372905") == 8  # seven, zero
    assert get_language("ug").expected_syllables("26") == 4


def test_speech_segments_bridge_short_gaps():
    p = np.array([0] * 10 + [0.9] * 10 + [0.1] * 3 + [0.9] * 10 + [0] * 40, np.float32)
    segs = speech_segments(p, 0.5, pad_s=0.0)
    assert len(segs) == 1 and segs[0].start == pytest.approx(10 * 0.032)
    apart = speech_segments(p, 0.5, min_silence_s=0.05, pad_s=0.0)
    assert len(apart) == 2


@pytest.mark.parametrize("n", [3, 6])
def test_unit_count_on_synthetic_tones(n):
    # n voiced 180-ms bursts separated by 150-ms near-silence: n nuclei.
    sr, t = 16000, np.arange(int(0.18 * 16000)) / 16000
    burst = (0.3 * np.sin(2 * np.pi * 600 * t) * np.hanning(len(t))).astype(np.float32)
    gap = np.zeros(int(0.15 * sr), np.float32)
    x = np.concatenate([gap] + [np.concatenate([burst, gap]) for _ in range(n)])
    from simkyc.voice.vad import SpeechSegment

    units = count_syllable_nuclei(speech_envelope(x), [SpeechSegment(0, len(x) / sr)])
    assert units.count == n


def test_english_recognisers(models):
    whisper, prompted, ps = models.recognizers_for("en")
    assert isinstance(whisper, WhisperDigits) and isinstance(ps, PocketsphinxDigits)
    assert isinstance(prompted, WhisperDigits) and prompted.initial_prompt
    assert whisper.initial_prompt is None and prompted.model_id != whisper.model_id
    assert all(isinstance(r, DigitRecognizer) for r in (whisper, prompted, ps))
    assert models.recognizers_for("cmn") == ()


def test_each_english_recogniser_hears_digits(generator, models):
    x = generator.speak("en", "581406", seed=22)
    assert [r.recognize(x, "en", 6) for r in models.recognizers_for("en")] == ["581406"] * 3


def test_pocketsphinx_result_does_not_depend_on_earlier_audio(generator):
    # Before the front end was reset per utterance, this answer decoded as 363010
    # on a fresh decoder and as 363017 after loud brown noise had been decoded.
    x = generator.speak("en", "363017", voice="en-us", rate="slow", seed=400440)
    noise = generator.noise(4.0, kind="brown", seed=2, gain_db=-3)
    fresh = PocketsphinxDigits().recognize(x, "en", 6)
    used = PocketsphinxDigits()
    used.recognize(noise, "en", 6)
    assert used.recognize(x, "en", 6) == fresh
    assert used.trailing_digit_seconds(noise, "363017") == 0.0
    assert used.recognize(x, "en", 6) == fresh


def test_background_spread_tells_steady_noise_from_babble(generator):
    # The counter's margin above the background grows with how much the background
    # itself goes up and down: little for steady noise, several dB for other voices.
    from simkyc.voice.units import background

    x = generator.speak("cmn", "372905", seed=3)
    pink = background(speech_envelope(generator.add_noise(x, snr_db=10, seed=3)))
    babble = background(speech_envelope(generator.add_noise(x, snr_db=10, seed=3,
                                                            kind="babble")))
    assert pink.spread_db < 2.0 < 4.0 < babble.spread_db
    assert pink.margin_db(6.0, 2.0) == 6.0 and babble.margin_db(6.0, 2.0) > 8.0


def test_foreground_segments_keep_the_voice_not_the_babble(generator, models):
    # The VAD calls babble speech (one segment over the whole recording); the part
    # standing above the background starts with the answer.
    from simkyc.voice.units import background, foreground_segments

    x = generator.speak("cmn", "372905", seed=3, lead_s=1.0, pause="short")
    noisy = generator.add_noise(x, snr_db=10, seed=3, kind="babble")
    vad = speech_segments(models.vad.probabilities(noisy), 0.5)
    env = speech_envelope(noisy)
    fg = foreground_segments(env, vad, background(env).margin_db(6.0, 2.0))
    assert vad[0].start < 0.3
    assert fg and 0.9 < fg[0].start < 1.2


def test_pauses_between_digits(generator):
    lengths = {p: len(generator.speak("yue", "372905", seed=4, pause=p))
               for p in ("none", "short", "long")}
    assert lengths["none"] < lengths["short"] < lengths["long"]
    assert len(generator.speak("yue", "372905", seed=4)) != lengths["none"]  # commas
    with pytest.raises(ValueError):
        generator.speak("yue", "372905", seed=4, pause="sometimes")
