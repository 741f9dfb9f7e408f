"""The pitch (F0) contour of a recording, frame by frame with the speech envelope.

Syllables that meet without a consonant between them (Mandarin 九二 jiǔ-èr, Uyghur
alte-ikki) can leave only a shallow dip in the energy contour, but each syllable
carries its own pitch (its tone, or the reset of the intonation at a new word), so
the pitch jumps where one syllable gives way to the next.
:func:`simkyc.voice.units.count_syllable_nuclei` uses that jump to tell such a dip
from a wobble inside one syllable (docs/voice.md, "A pitch jump splits a merged
nucleus").

The estimate is the classic autocorrelation one (Rabiner 1977; Boersma 1993 for the
normalisation by the window's own autocorrelation): the recording is low-passed at
1 kHz, cut into 40-ms frames every 10 ms centred as the 30-ms frames of
:func:`simkyc.voice.units.speech_envelope`, and each frame's F0 is the lag of the
highest normalised autocorrelation between 60 and 400 Hz. That peak's height is the
voicing strength: near 1 for a steady vowel, low for noise and silence.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simkyc.voice.units import HOP_S, WIN_S

PITCH_WIN_S = 0.04
F0_RANGE_HZ = (60.0, 400.0)
LOWPASS_HZ = 1000.0


@dataclass(frozen=True)
class Pitch:
    """``f0_hz`` (Hz) and ``voicing`` (0..1, the normalised autocorrelation at that
    lag) for each frame of the envelope of the same samples (same hop, same centres)."""

    f0_hz: np.ndarray
    voicing: np.ndarray

    def semitones(self) -> np.ndarray:
        """``f0_hz`` in semitones (12 per octave; 0 = 1 Hz)."""
        return 12.0 * np.log2(np.maximum(self.f0_hz, 1.0))


def pitch_track(samples: np.ndarray, sample_rate: int = 16_000) -> Pitch:
    """The :class:`Pitch` of ``samples`` (see the module doc), one value per frame of
    :func:`simkyc.voice.units.speech_envelope` of the same samples."""
    from scipy.signal import butter, sosfiltfilt

    x = np.asarray(samples, dtype=np.float64)
    hop, env_win = int(HOP_S * sample_rate), int(WIN_S * sample_rate)
    win = int(PITCH_WIN_S * sample_rate)
    n = max(1, 1 + (len(x) - env_win) // hop)
    if len(x) > 27:  # sosfiltfilt's minimum length for this filter
        x = sosfiltfilt(butter(4, LOWPASS_HZ, fs=sample_rate, output="sos"), x)
    # A 40-ms frame centred on each 30-ms envelope frame.
    x = np.pad(x, ((win - env_win) // 2, win + hop * n))
    frames = x[np.arange(win)[None, :] + hop * np.arange(n)[:, None]]
    frames = frames - frames.mean(axis=1, keepdims=True)
    spec = np.fft.rfft(frames, 2 * win, axis=1)
    ac = np.fft.irfft(np.abs(spec) ** 2, 2 * win, axis=1)[:, :win]
    ac = ac * (win / (win - np.arange(win)))[None, :]  # unbiased: fewer samples at a long lag
    lo, hi = int(sample_rate / F0_RANGE_HZ[1]), int(sample_rate / F0_RANGE_HZ[0])
    lag = lo + np.argmax(ac[:, lo:hi], axis=1)
    best = ac[np.arange(n), lag]
    energy = ac[:, 0]
    voicing = np.where(energy > 1e-12, best / np.maximum(energy, 1e-12), 0.0)
    return Pitch(f0_hz=sample_rate / lag.astype(np.float64),
                 voicing=np.clip(voicing, 0.0, 1.0))


__all__ = ["Pitch", "pitch_track"]
