"""Challenges: random digits bound to the session, per-language prompts, slower retries."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest

from simkyc.domain.errors import ChallengeError
from simkyc.media.audio import decode_audio
from simkyc.voice import LANGUAGES, get_language, make_prompt, new_challenge, prompt_audio
from simkyc.voice.challenge import random_digits

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


@pytest.mark.parametrize("code", sorted(LANGUAGES))
def test_digits_never_repeat_or_confuse_neighbours(code):
    lang = get_language(code)
    rng = random.Random(7)
    seen = set()
    for _ in range(400):
        d = random_digits(6, lang, rng)
        assert len(d) == 6 and d.isdigit()
        for a, b in zip(d, d[1:], strict=False):
            assert a != b
            assert frozenset((int(a), int(b))) not in lang.confusable
            assert (int(a), int(b)) not in lang.merging
        seen.update(d)
    assert seen == set("0123456789") - {str(d) for d in lang.never_drawn}  # all others used


@pytest.mark.parametrize("code, pair", [("cmn", "72"), ("cmn", "92"), ("yue", "95"),
                                        ("ug", "23"), ("ug", "63")])
def test_digits_that_merge_are_never_drawn_in_that_order(code, pair):
    # 七二 qī-èr, 九二 jiǔ-èr, Cantonese gau2-ng5, Uyghur ikki-üch, alte-üch run
    # together into one nucleus (bench/study_voice_merging_pairs.py); the other order
    # has a consonant or a nasal between them and is drawn.
    lang = get_language(code)
    rng = random.Random(11)
    draws = "|".join(random_digits(6, lang, rng) for _ in range(2000))
    assert pair not in draws
    assert pair[::-1] in draws


def test_same_seed_same_digits_and_system_random_varies():
    lang = get_language("cmn")
    assert random_digits(6, lang, random.Random(3)) == random_digits(6, lang, random.Random(3))
    import secrets

    draws = {random_digits(6, lang, secrets.SystemRandom()) for _ in range(20)}
    assert len(draws) > 15


def test_challenge_is_bound_to_nonce_and_expires(policy):
    ch = new_challenge("yue", "nonce-1", rng=random.Random(1), now=NOW, policy=policy)
    assert len(ch.digits) == policy.digits and ch.attempt == 1
    ch.check_usable("nonce-1", NOW + timedelta(seconds=10))
    with pytest.raises(ChallengeError, match="another session"):
        ch.check_usable("nonce-2", NOW)
    with pytest.raises(ChallengeError, match="expired"):
        ch.check_usable("nonce-1", NOW + timedelta(seconds=policy.challenge_ttl_seconds))
    other = new_challenge("yue", "nonce-2", rng=random.Random(1), now=NOW, policy=policy)
    assert other.digits == ch.digits and other.binding != ch.binding


def test_no_nonce_no_challenge_and_attempts_are_limited(policy):
    with pytest.raises(ChallengeError):
        new_challenge("en", "", rng=random.Random(1), now=NOW, policy=policy)
    with pytest.raises(ChallengeError, match="supervisor"):
        new_challenge("en", "n", rng=random.Random(1), now=NOW, policy=policy,
                      attempt=policy.max_attempts + 1)
    with pytest.raises(ValueError, match="choose one of"):
        new_challenge("xx", "n", rng=random.Random(1), now=NOW, policy=policy)


def test_prompt_shows_numerals_and_words(policy):
    ch = new_challenge("cmn", "n", rng=random.Random(5), now=NOW, policy=policy)
    p = make_prompt(ch, policy)
    assert p.numerals.replace(" ", "") == ch.digits
    assert [get_language("cmn").words.index(w) for w in p.words.split("，")] == \
        [int(d) for d in ch.digits]
    assert p.has_audio and p.rate_wpm == policy.prompt_rate_wpm


def test_retries_are_slower_and_repeat(policy):
    rates, lengths = [], []
    for attempt in range(1, policy.max_attempts + 1):
        ch = new_challenge("en", "n", rng=random.Random(9), now=NOW, policy=policy,
                           attempt=attempt)
        p = make_prompt(ch, policy)
        rates.append(p.rate_wpm)
        lengths.append(decode_audio(prompt_audio(ch, policy)).duration_s)
        assert p.repeats == attempt
    assert rates == sorted(rates, reverse=True) and rates[0] > rates[-1]
    assert lengths[0] < lengths[1] < lengths[2]


@pytest.mark.parametrize("code", ["cmn", "yue", "en", "ug"])
def test_prompt_audio_is_speech(code, policy, models):
    ch = new_challenge(code, "n", rng=random.Random(2), now=NOW, policy=policy)
    audio = decode_audio(prompt_audio(ch, policy))
    assert 1.0 < audio.duration_s < 15
    speech = (models.vad.probabilities(audio.samples) > 0.5).mean()
    assert speech > 0.3


def test_tibetan_prompt_is_text_only(policy):
    ch = new_challenge("bo", "n", rng=random.Random(2), now=NOW, policy=policy)
    p = make_prompt(ch, policy)
    assert not p.has_audio and prompt_audio(ch, policy) is None
    assert "གཅིག" in get_language("bo").words and p.words
