"""Audio-visual synchrony: is the face on camera the one speaking?

The mouth opening of the face on camera is measured in every video frame with
mediapipe's face mesh (inner-lip gap, landmarks 13 and 14, divided by the
mouth width, landmarks 78 and 308), and compared with the speech envelope
(the amplitude of the 250-2,000 Hz band, see :mod:`simkyc.voice.units`)
sampled at the frame times. Speaking opens the mouth on vowels and closes it
between digits, so the two series rise and fall together; a voice recorded
elsewhere (a replay, a dub, someone off camera) does not follow this mouth.

The score (see :func:`sync_score`) is the mean of two correlations, of the
levels and of the frame-to-frame changes of the two series, each at its best
time shift in a window where the sound comes up to ``max_lag_s`` after the
mouth moves (the lips lead the sound) or up to ``-min_lag_s`` before it (camera
and microphone are not perfectly aligned).

What it cannot tell apart (``bench/study_av_sync.py``): a voice whose syllables
fall at the same moments as the mouth opens and closes, for example two
answers read by synthetic voices at the same even pace and started within a
few tens of ms of each other. Only the mouth's shape per syllable (which digit
it is saying) would separate those, and the mouth opening alone does not
carry it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from simkyc.voice.units import Envelope

_UPPER, _LOWER, _LEFT, _RIGHT = 13, 14, 78, 308


@dataclass(frozen=True)
class MouthTrack:
    """Mouth opening per frame (lip gap / mouth width, ``nan`` where no face was found)."""

    times_s: np.ndarray
    opening: np.ndarray

    @property
    def face_fraction(self) -> float:
        """Share of frames with a face (0..1)."""
        return float(np.isfinite(self.opening).mean()) if len(self.opening) else 0.0


def mouth_track(frames: Sequence[np.ndarray], timestamps_ms: Sequence[float],
                open_mesh: Callable[[], Any], *, origin_ms: float | None = None,
                stop: threading.Event | None = None) -> MouthTrack:
    """Measure the mouth opening in each RGB frame with a fresh face mesh from ``open_mesh``.

    ``open_mesh``: e.g. ``lambda: simkyc.face.models.open_face_mesh(max_num_faces=1)``.
    ``origin_ms``: the time of the audio's first sample on the frames' clock, so that
    track time 0 is audio time 0 (a recording's video track may start later
    than its audio); ``None`` takes the first frame as time 0. ``stop``: once set, the
    remaining frames are left unmeasured (``nan``): the caller no longer needs the track
    (it runs beside the audio checks, :func:`simkyc.voice.check.check_spoken_digits`).
    """
    out = np.full(len(frames), np.nan, np.float64)
    with open_mesh() as mesh:
        for i, frame in enumerate(frames):
            if stop is not None and stop.is_set():
                break
            res = mesh.process(np.ascontiguousarray(frame))
            if not res.multi_face_landmarks:
                continue
            lm = res.multi_face_landmarks[0].landmark
            h, w = frame.shape[:2]

            def pt(k: int, lm=lm, w=w, h=h) -> np.ndarray:
                return np.array([lm[k].x * w, lm[k].y * h])

            width = float(np.linalg.norm(pt(_LEFT) - pt(_RIGHT)))
            if width > 1e-3:
                out[i] = float(np.linalg.norm(pt(_UPPER) - pt(_LOWER))) / width
    t0 = origin_ms if origin_ms is not None else (
        timestamps_ms[0] if len(timestamps_ms) else 0.0)
    return MouthTrack(times_s=(np.asarray(timestamps_ms, np.float64) - t0) / 1000.0, opening=out)


def _envelope_at(env: Envelope, times_s: np.ndarray, smooth_s: float = 0.06) -> np.ndarray:
    amp = np.sqrt(env.energy)
    k = max(1, round(smooth_s / env.hop_s))
    amp = np.convolve(amp, np.ones(k) / k, mode="same")
    return np.interp(times_s, env.times, amp, left=0.0, right=0.0)


def sync_score(track: MouthTrack, env: Envelope, *, min_lag_s: float = -0.06,
               max_lag_s: float = 0.16) -> float:
    """Agreement of mouth opening and speech envelope, -1..1 (higher = in sync).

    The mean of two Pearson correlations, each maximised over lags from
    ``min_lag_s`` to ``max_lag_s`` in 20-ms steps (a lag > 0 compares the mouth
    with the sound that follows it): of the levels (mouth open while the sound
    is loud) and of the frame-to-frame changes (the mouth opens as each
    syllable starts, closes as it ends). Frames without a face are left out.
    Returns -1.0 when fewer than 8 frames with a face remain or a series is
    constant.
    """
    ok = np.isfinite(track.opening)
    if ok.sum() < 8:
        return -1.0
    t, mouth = track.times_s[ok], track.opening[ok]
    if np.ptp(mouth) < 1e-6:
        return -1.0
    lags = np.arange(min_lag_s, max_lag_s + 1e-9, 0.02)
    return 0.5 * (_best_corr(mouth, t, env, lags, np.asarray)
                  + _best_corr(mouth, t, env, lags, np.diff))


def _best_corr(mouth: np.ndarray, t: np.ndarray, env: Envelope, lags: np.ndarray,
               transform) -> float:
    m = transform(mouth)
    best = -1.0
    for lag in lags:
        sound = transform(_envelope_at(env, t + lag))
        if np.ptp(sound) < 1e-9 or np.ptp(m) < 1e-9:
            continue
        r = float(np.corrcoef(m, sound)[0, 1])
        if np.isfinite(r):
            best = max(best, r)
    return best


__all__ = ["MouthTrack", "mouth_track", "sync_score"]
