"""Counting spoken units (syllable nuclei) and measuring the speech envelope.

A syllable nucleus is a vowel: a peak of band-limited (250-2,000 Hz) energy
that stands out from the dips on both sides. This follows the intensity-peak
method of de Jong & Wempe (2009, "Praat script to detect syllable nuclei"):
the energy contour in dB (10-ms hop) is smoothed, and its peaks inside VAD
speech are counted when they are (a) within ``floor_db`` of the loudest peak
(de Jong & Wempe use 25 dB and drop unvoiced peaks; here 20 dB keeps out the
releases of stops, which stood 24-40 dB below the vowels in the bench's speech), (b) at least
``min_prominence_db`` above the deeper of the neighbouring dips (scipy's peak
prominence) and (c) at least ``min_gap_s`` apart. The policy
(:class:`simkyc.domain.policy.VoicePolicy`) sets the floor and prominence. It needs no
language model, so it works for every language; the expected count is the sum
of the syllables of the digit words (see :mod:`simkyc.voice.languages`).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from simkyc.voice.vad import SpeechSegment

HOP_S = 0.01
WIN_S = 0.03
BAND_HZ = (250.0, 2000.0)


@dataclass(frozen=True)
class Envelope:
    """Band-limited energy every ``hop_s`` seconds: ``energy`` (linear) and ``db``."""

    energy: np.ndarray
    db: np.ndarray
    hop_s: float = HOP_S

    @property
    def times(self) -> np.ndarray:
        """Centre time of each value, seconds."""
        return (np.arange(len(self.energy)) + 0.5) * self.hop_s


def speech_envelope(samples: np.ndarray, sample_rate: int = 16_000) -> Envelope:
    """The 250-2,000 Hz energy of ``samples`` in 30-ms Hann windows every 10 ms."""
    x = np.asarray(samples, dtype=np.float32)
    hop, win = int(HOP_S * sample_rate), int(WIN_S * sample_rate)
    if len(x) < win:
        x = np.pad(x, (0, win - len(x)))
    n = 1 + (len(x) - win) // hop
    idx = np.arange(win)[None, :] + hop * np.arange(n)[:, None]
    frames = x[idx] * np.hanning(win).astype(np.float32)
    spec = np.abs(np.fft.rfft(frames, axis=1)) ** 2
    freqs = np.fft.rfftfreq(win, 1.0 / sample_rate)
    band = (freqs >= BAND_HZ[0]) & (freqs <= BAND_HZ[1])
    energy = spec[:, band].sum(axis=1) / win
    return Envelope(energy=energy, db=10.0 * np.log10(energy + 1e-10))


@dataclass(frozen=True)
class UnitCount:
    """Syllable nuclei found: ``count`` and their times in seconds."""

    count: int
    times: tuple[float, ...]


def count_syllable_nuclei(env: Envelope, segments: list[SpeechSegment], *,
                          floor_db: float = 20.0, min_prominence_db: float = 5.0,
                          min_gap_s: float = 0.12, smooth_s: float = 0.04) -> UnitCount:
    """Count syllable nuclei of ``env`` inside the VAD ``segments`` (see module doc).

    ``floor_db``: peaks more than this below the loudest are ignored;
    ``min_prominence_db``: dip depth needed on both sides (dB);
    ``min_gap_s``: minimum distance between nuclei (seconds).
    """
    from scipy.signal import find_peaks

    if not segments or len(env.db) == 0:
        return UnitCount(0, ())
    k = max(1, round(smooth_s / env.hop_s))
    kernel = np.hanning(k + 2)[1:-1]
    db = np.convolve(env.db, kernel / kernel.sum(), mode="same")
    inside = np.zeros(len(db), bool)
    for s in segments:
        inside[int(s.start / env.hop_s):int(np.ceil(s.end / env.hop_s)) + 1] = True
    if not inside.any():
        return UnitCount(0, ())
    # Outside speech, pull the contour down to the quietest level so that a
    # segment's edges count as dips.
    contour = np.where(inside, db, db[inside].min() - 10.0)
    peaks, _ = find_peaks(contour, prominence=min_prominence_db,
                          distance=max(1, round(min_gap_s / env.hop_s)))
    peaks = peaks[inside[peaks]]
    if len(peaks) == 0:
        return UnitCount(0, ())
    top = contour[peaks].max()
    peaks = peaks[contour[peaks] >= top - floor_db]
    return UnitCount(len(peaks), tuple(float((p + 0.5) * env.hop_s) for p in peaks))


__all__ = ["Envelope", "UnitCount", "count_syllable_nuclei", "speech_envelope"]
