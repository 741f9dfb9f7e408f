"""The voice stage's condition sets: one the counter was tuned on, one held out.

Each set is a list of spoken answers per language (cmn, yue, en, ug), every one
drawn from a fixed seed, so a run of the bench measures the same speech again.
An answer is read by an espeak-ng voice variant at a pitch, a rate given as a
factor of espeak's default 175 words per minute, with pauses between the digits
(none, short, long, irregular: ``tests/media/voice_generate.py``), clean or with
pink noise or babble (six espeak talkers in other languages) at 20 or 10 dB SNR.
For every genuine answer the same voice, pitch, rate, pauses and noise also read
the digits with one dropped, with one added (each at a random position) and, where a
recogniser exists (English), other digits with the same syllable count.

The two sets share no voice variant, no rate and no seed:

- ``tuning`` (what the syllable counter of policy 2026.12-2 was chosen on):
  variants base, +m3, +f2, +klatt, +m1 (older male), +f3; rates 0.7x, 1.0x, 1.3x;
  English on the en-us voice;
- ``held-out`` (measured only after the counter was fixed, nothing chosen on it):
  variants +m2, +f4, +klatt3, +croak (older male), +grandma (older female), +m7;
  rates 0.8x, 1.15x, 1.5x; English on the en-gb voice; other seeds (other digits,
  pitches, pause lengths, noise and babble draws).

In both, every variant is read at each rate with each kind of pause (72 answers per
language; ``quick``: 12, two per variant, each pause 3 times, each rate 4); the pitch
is low (20-34, older-sounding) for every other rate of a variant and espeak's usual
35-65 otherwise, and the noise cycles through clean, pink 20 dB, babble 20 dB, pink
10 dB, babble 10 dB.
"""

from __future__ import annotations

import hashlib
import random
import sys
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "media"))

from voice_generate import ESPEAK_DEFAULT_WPM, PAUSES  # noqa: E402

NOISES: tuple[tuple[str, float] | None, ...] = (None, ("pink", 20.0), ("babble", 20.0),
                                                 ("pink", 10.0), ("babble", 10.0))


@dataclass(frozen=True)
class ConditionSet:
    """Voice variants, rate factors and a seed base (see the module doc)."""

    name: str
    variants: tuple[str, ...]
    rate_factors: tuple[float, ...]
    english_voice: str
    seed_base: int


TUNING = ConditionSet("tuning", ("", "+m3", "+f2", "+klatt", "+m1", "+f3"),
                      (0.7, 1.0, 1.3), "en-us", 3_000_000)
HELD_OUT = ConditionSet("held-out", ("+m2", "+f4", "+klatt3", "+croak", "+grandma", "+m7"),
                        (0.8, 1.15, 1.5), "en-gb", 5_000_000)
SETS = {s.name: s for s in (TUNING, HELD_OUT)}


@dataclass(frozen=True)
class Answer:
    """One spoken answer: what is asked and how it is read (``noise``: kind, SNR dB)."""

    language: str
    asked: str
    spoken: str
    kind: str  # "genuine", "dropped", "added", "other_digits"
    voice: str
    rate_factor: float
    pitch: int
    pause: str
    noise: tuple[str, float] | None
    seed: int

    @property
    def rate_wpm(self) -> int:
        return round(ESPEAK_DEFAULT_WPM * self.rate_factor)

    @property
    def noise_label(self) -> str:
        return "clean" if self.noise is None else f"{self.noise[0]} {self.noise[1]:g} dB"

    def conditions(self) -> dict[str, str]:
        """The factors this answer is reported under."""
        variant = self.voice.partition("+")[2] or "base"
        return {"variant": variant, "rate": f"x{self.rate_factor:g}",
                "pitch": "low" if self.pitch < 35 else "normal", "pause": self.pause,
                "noise": self.noise_label}


def _seed(*parts: object) -> int:
    text = "/".join(str(p) for p in parts)
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


def answers(cset: ConditionSet, language: str, *, quick: bool = False) -> list[list[Answer]]:
    """The answers of ``cset`` in ``language``: one list per genuine answer, the genuine
    answer first, then its wrong-count (dropped, added) and wrong-digit variants."""
    from simkyc.voice import get_language
    from simkyc.voice.challenge import random_digits

    lang = get_language(language)
    base_voice = cset.english_voice if language == "en" else lang.espeak_voices[0]
    rng = random.Random(_seed("voice-conditions", cset.name, language))
    seed0 = cset.seed_base + _seed(cset.name, language) % 100_000 * 10
    out: list[list[Answer]] = []
    i = 0
    for variant in cset.variants:
        for factor in cset.rate_factors:
            for pause in PAUSES:
                i += 1
                digits = random_digits(6, lang, rng)
                low = ((i - 1) // len(PAUSES)) % 2 == 0  # per variant and rate, not per pause
                pitch = rng.randint(20, 34) if low else rng.randint(35, 65)
                noise = NOISES[i % len(NOISES)]
                dropped = drop_digit(digits, rng)
                added = add_digit(digits, rng)
                other = other_digits(digits, lang, rng)
                # quick: two answers per variant, every pause 3 times, every rate 4 times
                block = len(cset.rate_factors) * len(PAUSES)
                if quick and ((i - 1) % block - 5 * ((i - 1) // block)) % 6:
                    continue
                voice = base_voice + variant
                seed = seed0 + 4 * i
                how = {"voice": voice, "rate_factor": factor, "pitch": pitch, "pause": pause,
                       "noise": noise}
                group = [Answer(language, digits, spoken, kind, seed=seed + k, **how)
                         for k, (spoken, kind) in enumerate(
                             [(digits, "genuine"), (dropped, "dropped"), (added, "added")]
                             + ([(other, "other_digits")] if language == "en" else []))]
                out.append(group)
    return out


def speech(answer: Answer):
    """16-kHz float32 samples of ``answer`` (generated once, then cached on disk)."""
    import voice_generate as gen

    x = gen.speak(answer.language, answer.spoken, voice=answer.voice, rate=answer.rate_wpm,
                  seed=answer.seed, pitch=answer.pitch, pause=answer.pause)
    if answer.noise is not None:
        kind, snr = answer.noise
        x = gen.add_noise(x, snr_db=snr, seed=answer.seed, kind=kind)
    return x


def drop_digit(digits: str, rng: random.Random) -> str:
    """``digits`` with the digit at a random position left out."""
    i = rng.randrange(len(digits))
    return digits[:i] + digits[i + 1:]


def add_digit(digits: str, rng: random.Random) -> str:
    """``digits`` with one more digit at a random position (not equal to its neighbours)."""
    i = rng.randrange(len(digits) + 1)
    near = {digits[j] for j in (i - 1, i) if 0 <= j < len(digits)}
    extra = rng.choice([str(k) for k in range(10) if str(k) not in near])
    return digits[:i] + extra + digits[i:]


def other_digits(digits: str, lang, rng: random.Random) -> str:
    """Different digits with the same syllable count (so only a recogniser can tell)."""
    from simkyc.voice.challenge import random_digits

    for _ in range(1000):
        d = random_digits(len(digits), lang, rng)
        if d != digits and lang.expected_syllables(d) == lang.expected_syllables(digits):
            return d
    return random_digits(len(digits), lang, rng)


__all__ = ["HELD_OUT", "SETS", "TUNING", "Answer", "ConditionSet", "add_digit", "answers",
           "drop_digit", "other_digits", "speech"]
