"""Issuing a spoken-digit challenge and making its prompt (text and audio).

A challenge is a random digit string bound to the session nonce: the server
keeps it and checks the answer against it; it is never derived from anything
the client sends. Randomness (``secrets.SystemRandom`` in production, a seeded
``random.Random`` in tests) and the clock are passed in.
"""

from __future__ import annotations

import hashlib
import random
import shutil
import subprocess
from dataclasses import dataclass
from datetime import datetime, timedelta

from simkyc.domain.errors import ChallengeError, ConfigurationError
from simkyc.domain.policy import VoicePolicy
from simkyc.voice.languages import DigitLanguage, get_language


@dataclass(frozen=True)
class DigitChallenge:
    """A digit string the customer must read aloud.

    ``nonce``: the registration session's nonce this challenge belongs to.
    ``attempt``: 1 for the first prompt; retries get slower, repeated prompts.
    ``issued_at`` / ``expires_at``: timezone-aware datetimes.
    """

    digits: str
    language: str
    nonce: str
    attempt: int
    issued_at: datetime
    expires_at: datetime

    @property
    def binding(self) -> str:
        """SHA-256 over nonce, language, attempt and digits: stored with the evidence."""
        text = f"{self.nonce}|{self.language}|{self.attempt}|{self.digits}"
        return hashlib.sha256(text.encode()).hexdigest()

    def check_usable(self, nonce: str, now: datetime) -> None:
        """Raise :class:`ChallengeError` if ``nonce`` is not this challenge's or it expired."""
        if nonce != self.nonce:
            raise ChallengeError("voice challenge belongs to another session")
        if now >= self.expires_at:
            raise ChallengeError("voice challenge expired; ask for a new one")


@dataclass(frozen=True)
class Prompt:
    """What the customer sees and hears: numerals, words, instruction, speaking rate."""

    numerals: str
    words: str
    instruction: str
    rate_wpm: int
    repeats: int
    has_audio: bool


def random_digits(n: int, language: DigitLanguage, rng: random.Random) -> str:
    """``n`` random digits, no digit equal or confusable with its neighbour, and no digit
    right after one it would merge with (``language.merging``: Mandarin 二 after a
    vowel, Cantonese 五 ng5 after a vowel or nasal, Uyghur vowel meeting vowel); digits
    in ``language.never_drawn`` (Mandarin 0) are not used.

    ``rng``: ``secrets.SystemRandom()`` in production. Every digit is drawn
    uniformly from those allowed after the previous one (6 to 9 choices).
    """
    if n < 1:
        raise ValueError("a challenge needs at least one digit")
    out: list[int] = []
    for _ in range(n):
        allowed = [d for d in range(10) if d not in language.never_drawn and (not out or (
            d != out[-1] and frozenset((d, out[-1])) not in language.confusable
            and (out[-1], d) not in language.merging))]
        out.append(rng.choice(allowed))
    return "".join(map(str, out))


def new_challenge(language: str, nonce: str, *, rng: random.Random, now: datetime,
                  policy: VoicePolicy, attempt: int = 1) -> DigitChallenge:
    """Issue a challenge of ``policy.digits`` digits for session ``nonce``.

    ``attempt`` > ``policy.max_attempts`` raises :class:`ChallengeError`: the
    accessible path then continues with a supervisor override, not more tries.
    """
    lang = get_language(language)
    if not nonce:
        raise ChallengeError("a voice challenge must be bound to a session nonce")
    if attempt > policy.max_attempts:
        raise ChallengeError(f"no attempts left ({policy.max_attempts}); a supervisor may "
                             "approve an assisted override")
    return DigitChallenge(
        digits=random_digits(policy.digits, lang, rng), language=lang.code, nonce=nonce,
        attempt=attempt, issued_at=now,
        expires_at=now + timedelta(seconds=policy.challenge_ttl_seconds))


def make_prompt(challenge: DigitChallenge, policy: VoicePolicy) -> Prompt:
    """The prompt for ``challenge``: retries are slower and say the digits more often.

    Rate: ``prompt_rate_wpm * retry_rate_factor ** (attempt - 1)`` (never below
    80 wpm); the digits are repeated ``attempt`` times (at most 3).
    """
    lang = get_language(challenge.language)
    rate = max(80, round(policy.prompt_rate_wpm * policy.retry_rate_factor
                         ** (challenge.attempt - 1)))
    return Prompt(numerals=" ".join(challenge.digits), words=lang.spoken_text(challenge.digits),
                  instruction=lang.instruction, rate_wpm=rate,
                  repeats=min(3, challenge.attempt), has_audio=bool(lang.espeak_voices))


def synthesize(text: str, voice: str, *, rate_wpm: int = 140, pitch: int = 50,
               word_gap_10ms: int = 0, ssml: bool = False) -> bytes:
    """Speak ``text`` with espeak-ng; returns WAV bytes (22,050 Hz mono, 16-bit).

    ``rate_wpm``: 80..450 words per minute; ``pitch``: 0..99; ``word_gap_10ms``:
    extra pause between words in units of 10 ms; ``ssml``: ``text`` is SSML
    (``<speak>...<break time="300ms"/>...</speak>``, espeak-ng ``-m``).
    """
    exe = shutil.which("espeak-ng")
    if exe is None:
        raise ConfigurationError("espeak-ng is not installed (Debian package espeak-ng)")
    cmd = [exe, "-v", voice, "-s", str(int(rate_wpm)), "-p", str(int(pitch)),
           "-g", str(int(word_gap_10ms)), *(["-m"] if ssml else []), "--stdout", text]
    proc = subprocess.run(cmd, capture_output=True, timeout=60, check=False)
    if proc.returncode != 0 or not proc.stdout.startswith(b"RIFF"):
        raise ConfigurationError(f"espeak-ng failed for voice {voice!r}: "
                                 f"{proc.stderr.decode(errors='replace').strip()[:200]}")
    return _fix_stream_header(proc.stdout)


def _fix_stream_header(wav: bytes) -> bytes:
    # espeak-ng --stdout cannot seek back, so it writes 0x7fffffff-ish sizes; fill in real ones.
    if len(wav) < 44 or wav[36:40] != b"data":
        return wav
    data_len = len(wav) - 44
    return (wav[:4] + (36 + data_len).to_bytes(4, "little") + wav[8:40]
            + data_len.to_bytes(4, "little") + wav[44:])


def prompt_audio(challenge: DigitChallenge, policy: VoicePolicy, *,
                 voice: str | None = None) -> bytes | None:
    """WAV bytes of the prompt (digits, repeated on retries), or ``None`` without a voice."""
    lang = get_language(challenge.language)
    prompt = make_prompt(challenge, policy)
    if not lang.espeak_voices:
        return None
    text = " ... ".join([lang.espeak_text(challenge.digits)] * prompt.repeats)
    return synthesize(text, voice or lang.espeak_voices[0], rate_wpm=prompt.rate_wpm,
                      word_gap_10ms=8 * challenge.attempt)


__all__ = ["DigitChallenge", "Prompt", "make_prompt", "new_challenge", "prompt_audio",
           "random_digits", "synthesize"]
