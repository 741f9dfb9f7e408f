"""check_spoken_digits: genuine answers pass; every reason code is reported when it applies."""

from __future__ import annotations

import numpy as np
import pytest

from simkyc.domain.errors import InputError
from simkyc.media.audio import Audio
from simkyc.media.video import Video
from simkyc.voice import REASONS, check_spoken_digits


def _check(x, digits, lang, models, policy, **kw):
    return check_spoken_digits(Audio(samples=np.asarray(x, np.float32)), digits, lang,
                               models=models, policy=policy, **kw)


@pytest.mark.parametrize("lang, digits, rate", [("cmn", "372905", "normal"),
                                                ("yue", "480362", "slow"),
                                                ("ug", "205813", "fast")])
def test_genuine_without_recogniser_passes(generator, models, policy, lang, digits, rate):
    r = _check(generator.speak(lang, digits, rate=rate, seed=3), digits, lang, models, policy)
    assert r.passed, r.checks
    assert r.heard is None and r.reasons == ()
    names = [c.name for c in r.checks]
    assert names == ["speech_present", "unit_count", "speech_after_prompt"]


def test_genuine_english_is_recognised(generator, models, policy):
    r = _check(generator.speak("en", "372905", seed=4), "372905", "en", models, policy)
    assert r.passed, r.checks
    assert r.heard == "372905"
    assert "pocketsphinx" in r.models["recognizer"]


def test_natural_english_piper_voice_passes(generator, models, policy):
    r = _check(generator.speak_piper("418263", seed=5), "418263", "en", models, policy)
    assert r.passed, r.checks
    assert r.heard == "418263"


# From `bench/bench_voice.py` (seed 2026), both rejected under policy 2026.11-2.
def test_whisper_free_text_hears_a_slow_recurring_digit(generator, models, policy):
    # Decoding restricted to digit tokens, Whisper heard 74937 (and PocketSphinx 798493).
    x = generator.speak("en", "794937", voice="en-us", rate="slow", seed=330452)
    r = _check(x, "794937", "en", models, policy)
    assert r.passed, r.checks
    assert r.heard == "794937" and "pocketsphinx" in r.models["recognizer"]


def test_natural_zero_and_seven_may_count_one_nucleus_each(generator, models, policy):
    # Piper says ze-ro and se-ven as one nucleus each: 6 counted for 8 expected (7 since
    # the pitch split parts one of the two; the strict count still fails). Whisper heard
    # the six digits, so one nucleus per digit is enough; the same voice with a digit
    # left out is still a wrong count.
    r = _check(generator.speak_piper("498076", seed=330481, length_scale=1.25), "498076", "en",
               models, policy)
    by = {c.name: c for c in r.checks}
    assert r.passed, r.checks
    assert (by["unit_count"].value, by["unit_count"].threshold) == (7, 8)
    bad = _check(generator.speak_piper("49076", seed=330481, length_scale=1.25), "498076", "en",
                 models, policy)
    assert not bad.passed and "wrong_digit_count" in bad.reasons


@pytest.mark.parametrize("kind", ["silence", "noise"])
def test_no_speech(generator, models, policy, kind):
    rng = np.random.default_rng(0)
    x = (rng.normal(0, 0.002, 4 * 16000).astype(np.float32) if kind == "silence"
         else generator.noise(4.0, kind="pink", seed=1, gain_db=-6))
    r = _check(x, "372905", "cmn", models, policy)
    assert not r.passed and r.reasons == ("no_speech",)
    assert r.checks[0].value < policy.min_speech_seconds


@pytest.mark.parametrize("lang, digits", [("en", "315470"), ("cmn", "372905")])
def test_digital_silence_around_the_answer_is_not_background(generator, models, policy, lang,
                                                             digits):
    """Exact zeros before and after the speech (a microphone gate, a recorder's first and
    last frames) used to make every answer ``no_speech``; now they are left out of the
    background, and the answer is judged as without them. Zeros alone are still no speech;
    a wrong count is still a wrong count."""
    from simkyc.voice.units import background, speech_envelope

    x = (generator.speak_piper(digits, seed=3) if lang == "en"
         else generator.speak(lang, digits, seed=3))
    lead, tail = np.zeros(int(0.6 * 16000), np.float32), np.zeros(int(0.4 * 16000), np.float32)
    gated = np.concatenate([lead, np.asarray(x, np.float32), tail])
    r = _check(gated, digits, lang, models, policy)
    assert r.passed, r.checks
    plain, zeroed = background(speech_envelope(x)), background(speech_envelope(gated))
    assert abs(plain.level_db - zeroed.level_db) < 1.5 and zeroed.spread_db < plain.spread_db + 1.5
    assert _check(np.zeros(4 * 16000, np.float32), digits, lang, models,
                  policy).reasons == ("no_speech",)
    if lang == "cmn":
        short = np.concatenate([lead, generator.speak("cmn", "37290", seed=6), tail])
        assert "wrong_digit_count" in _check(short, digits, lang, models, policy).reasons


def test_wrong_digit_count(generator, models, policy):
    short = _check(generator.speak("cmn", "37290", seed=6), "372905", "cmn", models, policy)
    long = _check(generator.speak("yue", "4803621", seed=6), "480362", "yue", models, policy)
    for r in (short, long):
        assert not r.passed and "wrong_digit_count" in r.reasons
    assert short.checks[1].value == 5 and long.checks[1].value == 7


# Answers from `simkyc bench voice` that the counter got wrong at a 25-dB floor and a 5-dB
# dip in every language: a stop burst of toqquz counted as a syllable (Uyghur), the -ng of
# 零 líng counted as a second syllable (Mandarin, female voice, slow). Each pair: the
# genuine answer passes, the same voice with one digit dropped is a wrong count.
@pytest.mark.parametrize("lang, asked, dropped, voice, rate, seed", [
    ("ug", "161695", "16169", "ug+f3", "fast", 133),
    ("cmn", "206291", "20629", "cmn+f3", "slow", 508518),
    ("cmn", "506197", "50697", "cmn+f3", "slow", 508520),
])
def test_bursts_and_syllable_wobbles_are_not_syllables(generator, models, policy, lang, asked,
                                                       dropped, voice, rate, seed):
    ok = _check(generator.speak(lang, asked, voice=voice, rate=rate, seed=seed), asked, lang,
                models, policy)
    assert ok.passed, ok.checks
    bad = _check(generator.speak(lang, dropped, voice=voice, rate=rate, seed=seed + 5000),
                 asked, lang, models, policy)
    assert not bad.passed and bad.reasons == ("wrong_digit_count",)
    assert bad.checks[1].value == bad.checks[1].threshold - 1


def test_stop_bursts_do_not_add_syllables(generator, models, policy):
    # Slow Uyghur 494029: the releases of töt and toqquz stand 24 dB below the vowels.
    r = _check(generator.speak("ug", "494029", rate="slow", seed=758683), "494029", "ug",
               models, policy)
    assert r.passed, r.checks
    assert r.checks[1].value == 9


def test_extra_trailing_digit_is_a_wrong_count(generator, models, policy):
    # Fast espeak merges a syllable, so "6056414" has the syllable count of "605641"
    # and a recogniser hears the six digits asked: only the trailing-digit check sees it.
    x = generator.speak("en", "605641" + "4", rate="fast", seed=5004)
    r = _check(x, "605641", "en", models, policy)
    by = {c.name: c for c in r.checks}
    assert r.heard == "605641" and by["unit_count"].passed and by["digits_match"].passed
    assert not r.passed and r.reasons == ("wrong_digit_count",)
    assert by["no_trailing_digit"].value >= policy.trailing_digit_min_seconds
    ok = _check(generator.speak("en", "605641", rate="fast", seed=5004), "605641", "en",
                models, policy)
    assert ok.passed, ok.checks
    assert {c.name: c for c in ok.checks}["no_trailing_digit"].value == 0.0


def test_speech_before_prompt(generator, models, policy):
    x = generator.speak("cmn", "372905", seed=7, lead_s=0.8)
    r = _check(x, "372905", "cmn", models, policy, prompt_shown_at_s=1.5)
    assert r.reasons == ("speech_before_prompt",)
    assert r.checks[2].value < 0
    ok = _check(x, "372905", "cmn", models, policy, prompt_shown_at_s=0.3)
    assert ok.passed


def test_wrong_digits_where_a_recogniser_exists(generator, models, policy):
    # four and five are both one syllable, so only the recogniser can tell.
    r = _check(generator.speak("en", "372905", seed=8), "372904", "en", models, policy)
    assert not r.passed and r.reasons == ("wrong_digits",)
    assert r.heard == "372905"


def test_audio_video_in_sync_passes_and_swapped_faces_fail(models, policy, talking_pair):
    xa, da, va = talking_pair["a"]
    xb, db, vb = talking_pair["b"]
    same = _check(xa, da, "en", models, policy, video=va)
    assert same.passed, same.checks
    sync = {c.name: c for c in same.checks}["av_sync"]
    assert sync.value >= policy.av_min_correlation
    dubbed = _check(xa, da, "en", models, policy, video=vb)
    assert dubbed.reasons == ("audio_video_mismatch",)
    assert {c.name: c for c in dubbed.checks}["av_sync"].value < sync.value


def test_a_dub_accepted_under_the_previous_policy_is_rejected(generator, models, policy):
    # bench/study_av_sync.py, seed 2: this Mandarin voice on the same person's face
    # saying other digits (English, fast) scored 0.73 under 2026.11-3 (min of the two
    # correlations, threshold 0.6: accepted). The voice on its own face passes with
    # the exact mouth and with the less obedient "natural" one.
    from simkyc.media.video import read_video

    x = generator.speak("cmn", "782825", voice="cmn", rate="normal", seed=149922)
    other = generator.speak("en", "189296", voice="en-us+f3", rate="fast", seed=245361)
    photo = "deepface-pairs/img1.jpg"
    for mouth in ("exact", "natural"):
        own = read_video(generator.talking_video(photo, x, seed=149922, mouth=mouth))
        r = _check(x, "782825", "cmn", models, policy, video=own)
        assert r.passed, (mouth, r.checks)
    dub = read_video(generator.talking_video(photo, other, seed=245361))
    r = _check(x, "782825", "cmn", models, policy, video=dub)
    assert r.reasons == ("audio_video_mismatch",)


def test_one_recording_whose_camera_starts_late_is_aligned_on_its_clock(generator, models,
                                                                          policy):
    # A browser's WebM: the video track starts 0.6 s after the audio track. The
    # mouth is compared with the sound at the same container time, not from each
    # track's own first frame (that would shift the mouth 0.6 s and fail a genuine answer).
    from simkyc.media.audio import decode_audio
    from simkyc.media.video import read_video

    x = generator.speak("en", "372905", seed=11)
    data = generator.recording("face_recognition/obama.jpg", x, seed=11, video_delay_s=0.6)
    audio, video = decode_audio(data), read_video(data)
    assert video.timestamps_ms[0] == pytest.approx(600.0) and audio.start_s < 0.05
    r = check_spoken_digits(audio, "372905", "en", models=models, policy=policy, video=video)
    assert r.passed, r.checks
    from simkyc.voice.avsync import mouth_track, sync_score
    from simkyc.voice.units import speech_envelope

    own_start = sync_score(mouth_track(video.frames, video.timestamps_ms, models.open_mesh),
                           speech_envelope(audio.samples))
    assert own_start < policy.av_min_correlation  # the misalignment the clock avoids


def test_face_not_visible(models, policy, talking_pair):
    xa, da, va = talking_pair["a"]
    blank = Video(frames=tuple(np.full_like(f, 90) for f in va.frames),
                  timestamps_ms=va.timestamps_ms, fps=va.fps)
    r = _check(xa, da, "en", models, policy, video=blank)
    assert set(r.reasons) == {"face_not_visible", "audio_video_mismatch"}


def test_every_reason_code_is_tested():
    from pathlib import Path

    text = Path(__file__).read_text(encoding="utf-8")
    assert all(f'"{code}"' in text.replace("'", '"') for code in REASONS if code != "no_speech")
    assert '"no_speech",' in text


def test_bad_digits_or_language_cannot_be_checked(generator, models, policy):
    x = generator.speak("cmn", "372905", seed=3)
    with pytest.raises(InputError):
        _check(x, "37a905", "cmn", models, policy)
    with pytest.raises(InputError):
        _check(x, "372905", "klingon", models, policy)


def test_result_outcome_hides_scores(generator, models, policy):
    r = _check(generator.speak("cmn", "372905", seed=3), "372905", "cmn", models, policy)
    view = r.outcome("v1").public_view()
    assert view == {"stage": "voice", "passed": True, "reasons": []}
    d = r.to_dict()
    assert set(d) >= {"passed", "language", "checks", "heard", "reasons"}
    assert set(d["checks"]["unit_count"]) == {"passed", "value", "threshold"}


# Issue 12: digits read as one run of speech at espeak's own normal rate (175 wpm, no
# pause between them), as a customer reading fluently does. Under policy 2026.12-1 every
# Mandarin peak needed a 10-dB dip, and syllables that meet without a consonant between
# them (qī-èr, jiǔ-èr, wǔ-jiǔ) dip 5-7 dB, so these counted one or two short
# (wrong_digit_count). Each: the genuine answer passes, and the same voice with one digit
# dropped and with one added is still a wrong count.
@pytest.mark.parametrize("asked, dropped, added, voice, pitch, old", [
    ("372905", "37905", "3712905", "cmn", None, 5),       # espeak cmn, its normal rate
    ("254616", "25616", "2514616", "cmn+m1", 25, 4),      # low-pitched older male voice
    ("245402", "24402", "2415402", "cmn+grandpa", 22, 5),  # the "grandpa" variant, low
])
def test_mandarin_at_its_natural_rate_counts_every_digit(generator, models, policy, asked,
                                                         dropped, added, voice, pitch, old):
    from simkyc.voice.units import count_syllable_nuclei, speech_envelope
    from simkyc.voice.vad import speech_segments

    def say(digits, seed):
        return generator.speak("cmn", digits, voice=voice, rate=175, seed=seed, pitch=pitch,
                               pause="none")

    x = say(asked, 1)
    r = _check(x, asked, "cmn", models, policy)
    assert r.passed, r.checks
    assert {c.name: c.value for c in r.checks}["unit_count"] == 6
    # the 2026.12-1 counter (10-dB dip, no background test) on the same speech
    segments = speech_segments(models.vad.probabilities(x), policy.vad_threshold)
    assert count_syllable_nuclei(speech_envelope(x), segments, min_prominence_db=10).count == old
    for spoken, seed, units in ((dropped, 101, 5), (added, 201, 7)):
        bad = _check(say(spoken, seed), asked, "cmn", models, policy)
        assert bad.reasons == ("wrong_digit_count",)
        assert {c.name: c.value for c in bad.checks}["unit_count"] == units


@pytest.mark.xfail(strict=True, reason="not fixed: espeak-ng's Uyghur runs a vowel-initial "
                   "word (ikki, üch) into the vowel before it with no dip in energy, and the "
                   "counter sees one syllable; the pitch split does not part them either (a "
                   "dip under 3 dB, or too little voicing around it; docs/voice.md, Limits)")
def test_uyghur_read_as_one_run_counts_every_syllable(generator, models, policy):
    # Issue 12: an Uyghur reading counted two short of ten. sekkiz yette besh alte ikki
    # üch (10 syllables) read as one run at 175 wpm counts 8: alte-ikki and ikki-üch merge.
    x = generator.speak("ug", "875623", rate=175, seed=1, pitch=40, pause="none")
    r = _check(x, "875623", "ug", models, policy)
    assert r.passed, r.checks


# Issue 12, noise: babble (six espeak talkers in other languages) under the answer. The
# VAD calls babble speech too, so under 2026.12-1 speech "began" with the recording and
# babble peaks in the pauses were counted (807567: 7 nuclei; 831083: 28 for 8). Counted
# only where the sound stands above the recording's background, the answer passes and
# a dropped or added digit is still a wrong count.
@pytest.mark.parametrize("lang, asked, dropped, added, voice, wpm, pitch, pause, snr, seed", [
    ("cmn", "807567", "80567", "8075674", "cmn", 122, 29, "short", 20, 3390538),
    ("ug", "831083", "83103", "8361083", "ug+m3", 175, 22, "long", 10, 3223146),
])
def test_babble_in_the_pauses_is_not_counted(generator, models, policy, lang, asked, dropped,
                                             added, voice, wpm, pitch, pause, snr, seed):
    def say(digits, s):
        x = generator.speak(lang, digits, voice=voice, rate=wpm, seed=s, pitch=pitch,
                            pause=pause)
        return generator.add_noise(x, snr_db=snr, seed=s, kind="babble")

    r = _check(say(asked, seed), asked, lang, models, policy)
    assert r.passed, r.checks
    for k, spoken in ((1, dropped), (2, added)):
        bad = _check(say(spoken, seed + k), asked, lang, models, policy)
        assert bad.reasons == ("wrong_digit_count",)
