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

Read as one run of speech, two syllables that meet without a consonant (Mandarin
jiǔ-èr, Uyghur alte-ikki) leave a dip of only 2-5 dB, too shallow for the prominence
test. Given the recording's :class:`~simkyc.voice.pitch.Pitch`, a shallower peak
next to a nucleus is counted too when the pitch jumps at the dip between them: each
syllable has its own tone or pitch reset, and a wobble inside one vowel does not
change it (``split_*`` arguments of :func:`count_syllable_nuclei`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from simkyc.voice.vad import SpeechSegment

if TYPE_CHECKING:
    from simkyc.voice.pitch import Pitch

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
class Background:
    """The level a recording returns to between and around the words, in dB.

    ``level_db``: the 10th percentile of the smoothed 250-2,000 Hz contour over the
    whole recording (room noise, or the noise and other talkers around the customer;
    it assumes at least a tenth of the recording is not the customer speaking, true
    of an answer with a lead-in or a tail). ``spread_db``: its 30th minus its 5th
    percentile, how much the background itself goes up and down: about 1 dB for
    steady (pink) noise, 4-7 dB for babble (other voices), in the bench's media.
    """

    level_db: float
    spread_db: float

    def margin_db(self, min_db: float, spread_factor: float) -> float:
        """dB above ``level_db`` speech must stand: ``max(min_db, spread_factor * spread_db)``."""
        return max(min_db, spread_factor * self.spread_db)


@dataclass(frozen=True)
class UnitCount:
    """Syllable nuclei found: ``count`` and their times in seconds."""

    count: int
    times: tuple[float, ...]


def smoothed_db(env: Envelope, smooth_s: float = 0.04) -> np.ndarray:
    """``env.db`` smoothed with a Hann window of ``smooth_s`` seconds."""
    k = max(1, round(smooth_s / env.hop_s))
    kernel = np.hanning(k + 2)[1:-1]
    return np.convolve(env.db, kernel / kernel.sum(), mode="same")


#: A 10-ms frame at or below this level (dB of the band energy) is *digital silence*:
#: exact zeros, as a microphone gate or a recorder's first and last frames write them.
#: Real room noise, even through a 16-bit converter, stays tens of dB above it.
DIGITAL_SILENCE_DB = -99.0


def _sounding(env: Envelope, smooth_s: float) -> np.ndarray:
    """Frames not touched by digital silence (within the smoothing window of one)."""
    silent = env.db <= DIGITAL_SILENCE_DB
    if not silent.any():
        return ~silent
    k = max(1, round(smooth_s / env.hop_s))
    near = np.convolve(silent.astype(float), np.ones(2 * k + 1), mode="same") > 0
    return ~near


def background(env: Envelope, smooth_s: float = 0.04) -> Background:
    """The :class:`Background` of ``env`` (see there).

    Digital silence (:data:`DIGITAL_SILENCE_DB`) is not background: its frames are left
    out, so an answer with a stretch of exact zeros before or after it is judged as the
    same answer without them. Before, 0.4 s of zeros after the speech put the 5th
    percentile at -100 dB and the spread near 60 dB, and every answer failed
    ``no_speech`` (``tests/voice/test_check.py``). When almost nothing else is left (under
    a tenth of the frames), all frames are used.
    """
    if len(env.db) == 0:
        return Background(-100.0, 0.0)
    db = smoothed_db(env, smooth_s)
    sounding = _sounding(env, smooth_s)
    if sounding.sum() >= max(1, len(db) // 10):
        db = db[sounding]
    p5, p10, p30 = np.percentile(db, [5, 10, 30])
    return Background(float(p10), float(p30 - p5))


def foreground_segments(env: Envelope, segments: list[SpeechSegment], above_db: float, *,
                        smooth_s: float = 0.04, min_silence_s: float = 0.25,
                        min_speech_s: float = 0.06) -> list[SpeechSegment]:
    """The parts of the VAD ``segments`` where the contour stands ``above_db`` over the
    :func:`background`: the customer's voice, not the noise or other talkers the VAD
    also calls speech (babble at 10-20 dB SNR was one segment over the whole recording).

    Gaps shorter than ``min_silence_s`` are bridged and parts shorter than
    ``min_speech_s`` dropped, as :func:`simkyc.voice.vad.speech_segments` does.
    """
    if not segments or len(env.db) == 0:
        return []
    db = smoothed_db(env, smooth_s)
    loud = db >= background(env, smooth_s).level_db + above_db
    inside = _mask(segments, len(db), env.hop_s) & loud
    runs: list[list[int]] = []
    for i in np.flatnonzero(inside):
        if runs and (i - runs[-1][1]) * env.hop_s < min_silence_s:
            runs[-1][1] = i + 1
        else:
            runs.append([int(i), int(i) + 1])
    return [SpeechSegment(a * env.hop_s, b * env.hop_s) for a, b in runs
            if (b - a) * env.hop_s >= min_speech_s]


def _mask(segments: list[SpeechSegment], n: int, hop_s: float) -> np.ndarray:
    inside = np.zeros(n, bool)
    for s in segments:
        inside[int(s.start / hop_s):int(np.ceil(s.end / hop_s)) + 1] = True
    return inside


def count_syllable_nuclei(env: Envelope, segments: list[SpeechSegment], *,
                          floor_db: float = 20.0, min_prominence_db: float = 5.0,
                          min_gap_s: float = 0.12, smooth_s: float = 0.04,
                          min_above_background_db: float | None = None,
                          background_spread_factor: float = 2.0,
                          deep_peak_db: float | None = None,
                          deep_peak_min_prominence_db: float = 10.0,
                          pitch: Pitch | None = None,
                          split_min_prominence_db: float | None = None,
                          split_min_jump_semitones: float = 0.7,
                          split_min_voicing: float = 0.5) -> UnitCount:
    """Count syllable nuclei of ``env`` inside the speech ``segments`` (see module doc).

    ``floor_db``: peaks more than this below the loudest are ignored;
    ``min_prominence_db``: dip depth needed on both sides (dB);
    ``min_gap_s``: minimum distance between nuclei (seconds);
    ``min_above_background_db``: when given, a peak must also stand at least
    ``max(min_above_background_db, background_spread_factor * spread)`` dB above the
    recording's :func:`background` (so the peaks of noise and of other voices in the
    pauses are not counted); ``None``: no such test (policy 2026.12-1 and before);
    ``deep_peak_db``: when given, a peak more than this many dB below the loudest needs a
    dip of ``deep_peak_min_prominence_db`` (a wobble inside a quiet syllable, not a
    syllable of its own).

    ``pitch`` (of the same samples) and ``split_min_prominence_db``: when both are
    given, a peak with a dip of at least ``split_min_prominence_db`` (below
    ``min_prominence_db``), at least ``SPLIT_MIN_GAP_S`` from its neighbours, that
    passes the other tests (and, with ``deep_peak_db``, lies within it of the loudest)
    is a nucleus too when the median pitch of the voiced frames (voicing at least
    ``split_min_voicing``) in the ``SPLIT_WINDOW_S`` before the dip that parts it
    from the nearest nucleus and in as long after it differ by at least
    ``split_min_jump_semitones``: two syllables met there (see module doc).
    """
    from scipy.signal import find_peaks

    if not segments or len(env.db) == 0:
        return UnitCount(0, ())
    db = smoothed_db(env, smooth_s)
    inside = _mask(segments, len(db), env.hop_s)
    if not inside.any():
        return UnitCount(0, ())
    # Outside speech, pull the contour down to the quietest level so that a
    # segment's edges count as dips.
    contour = np.where(inside, db, db[inside].min() - 10.0)
    peaks, props = find_peaks(contour, prominence=min_prominence_db,
                              distance=max(1, round(min_gap_s / env.hop_s)))
    prominence = props["prominences"][inside[peaks]]
    peaks = peaks[inside[peaks]]
    if len(peaks) == 0:
        return UnitCount(0, ())
    top = contour[peaks].max()
    above: float | None = None  # the level a nucleus must reach over the background
    if min_above_background_db is not None:
        bg = background(env, smooth_s)
        above = bg.level_db + bg.margin_db(min_above_background_db, background_spread_factor)

    def loud_enough(idx: np.ndarray) -> np.ndarray:
        """Within ``floor_db`` of the loudest, and over the background when asked."""
        ok = contour[idx] >= top - floor_db
        if above is not None:
            ok &= db[idx] >= above
        return ok

    keep = loud_enough(peaks)
    if deep_peak_db is not None:
        keep &= (contour[peaks] >= top - deep_peak_db) | (prominence >= deep_peak_min_prominence_db)
    peaks = peaks[keep]
    if pitch is not None and split_min_prominence_db is not None and len(peaks):
        shallow, _ = find_peaks(contour, prominence=split_min_prominence_db,
                                distance=max(1, round(SPLIT_MIN_GAP_S / env.hop_s)))
        shallow = shallow[inside[shallow]]
        keep = loud_enough(shallow)
        if deep_peak_db is not None:
            keep &= contour[shallow] >= top - deep_peak_db
        extra = _pitch_splits(contour, inside, peaks, shallow[keep], pitch,
                              split_min_jump_semitones, split_min_voicing, env.hop_s)
        peaks = np.sort(np.concatenate([peaks, np.asarray(extra, dtype=peaks.dtype)]))
    return UnitCount(len(peaks), tuple(float((p + 0.5) * env.hop_s) for p in peaks))


#: Shallow peaks considered by the pitch split lie at least this far from their
#: neighbours (s); the dip that parts one from its nucleus is at most
#: ``SPLIT_MAX_SPAN_S`` from it; the pitch is compared over ``SPLIT_WINDOW_S`` on
#: either side of that dip.
SPLIT_MIN_GAP_S = 0.04
SPLIT_MAX_SPAN_S = 0.35
SPLIT_WINDOW_S = 0.04


def _pitch_splits(contour: np.ndarray, inside: np.ndarray, peaks: np.ndarray,
                  shallow: np.ndarray, pitch: Pitch, min_jump_st: float, min_voicing: float,
                  hop_s: float) -> list[int]:
    """The ``shallow`` peaks (frame indices) parted from their nearest nucleus in
    ``peaks`` by a dip at which the pitch jumps (see :func:`count_syllable_nuclei`)."""
    st, voiced = pitch.semitones(), pitch.voicing >= min_voicing
    n = min(len(contour), len(st))
    w = max(1, round(SPLIT_WINDOW_S / hop_s))
    out: list[int] = []
    parted: set[tuple[int, int]] = set()
    for c in shallow:
        c = int(c)
        b = int(peaks[np.argmin(np.abs(peaks - c))])
        lo, hi = min(b, c), max(b, c)
        if hi - lo < 2 or (hi - lo) * hop_s > SPLIT_MAX_SPAN_S or hi >= n:
            continue
        if not inside[lo:hi + 1].all() or (lo, hi) in parted:
            continue
        dip = lo + int(np.argmin(contour[lo:hi + 1]))
        before, after = slice(max(0, dip - w), dip), slice(dip + 1, min(n, dip + 1 + w))
        vb, va = voiced[before], voiced[after]
        if vb.sum() < 2 or va.sum() < 2:
            continue
        jump = abs(float(np.median(st[after][va]) - np.median(st[before][vb])))
        if jump >= min_jump_st:
            parted.add((lo, hi))
            out.append(c)
    return out


__all__ = ["Background", "Envelope", "UnitCount", "background", "count_syllable_nuclei",
           "foreground_segments", "smoothed_db", "speech_envelope"]
