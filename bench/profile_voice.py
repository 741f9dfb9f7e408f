"""Where the English voice check spends its CPU (issue 16, item 5), part by part.

The answer is the browser test's English one (``tests/web/test_counter_app.py``,
``stage_voice``): Piper reading the challenge the test's seeded server issues, the
talking face of ``obama.jpg`` (``tests/media/voice_generate.py``), 0.4 s of room noise
after the speech (the test presses "I have finished" then; not digital zeros: a
stretch of exact zeros makes the background estimate of
:func:`simkyc.voice.units.background` spread so wide that no speech stands above it,
``no_speech``, which a browser's capture does not produce), muxed into one WebM
(VP8 + Opus) as the browser records it. Each run times, with CPU (``time.process_time``,
the whole process: CTranslate2 and onnxruntime compute in their own threads) and wall
seconds:

- the server's decoding: the audio (``audio_input``) and the video (``video_input``);
- the audio checks one after the other, on this thread only (no mouth track running):
  envelope, VAD, every recogniser call, the trailing-digit decode, the syllable count;
- the mouth track alone (face mesh over the frames) and the AV score;
- the whole check as the server runs it (mouth track in its second thread).

    python bench/profile_voice.py [--runs 5] [--window-min-s N | --full-window]

Prints a table (median of the runs) and a JSON line; writes ``bench/out/profile-voice.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import statistics
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "media"))

PHOTO = "face_recognition/obama.jpg"
VOICE_SEED = 78  # tests/web/test_counter_app.py SEEDS["voice"]


def browser_digits(language: str = "en") -> str:
    """The digits the browser test's seeded server asks first (its ``predicted_digits``)."""
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.services.context import utc_now
    from simkyc.voice import new_challenge

    ch = new_challenge(language, "0" * 32, rng=random.Random(VOICE_SEED), now=utc_now(),
                       policy=DEFAULT_POLICY.voice, attempt=1)
    return "".join(ch.digits)


def browser_recording(digits: str, tail_s: float = 0.4) -> bytes:
    """The WebM a browser would upload for the English answer (see the module doc)."""
    import voice_generate as vg

    speech = vg.speak_piper(digits, seed=3)
    room = np.random.default_rng(3).normal(0, 0.002, int(tail_s * vg.SR)).astype(np.float32)
    x = np.concatenate([speech, room])
    return vg.recording(PHOTO, x, seed=3)


class Parts:
    """CPU and wall seconds per named part, summed per run."""

    def __init__(self) -> None:
        self.run: dict[str, list[float]] = defaultdict(lambda: [0.0, 0.0])
        self.runs: list[dict[str, list[float]]] = []

    def wrap(self, name: str, fn: Callable[..., Any]) -> Callable[..., Any]:
        def timed(*args: Any, **kwargs: Any) -> Any:
            c, t = time.process_time(), time.perf_counter()
            try:
                return fn(*args, **kwargs)
            finally:
                self.run[name][0] += time.process_time() - c
                self.run[name][1] += time.perf_counter() - t
        return timed

    def next_run(self) -> None:
        self.runs.append(dict(self.run))
        self.run = defaultdict(lambda: [0.0, 0.0])

    def medians(self) -> dict[str, dict[str, float]]:
        names = list(dict.fromkeys(k for r in self.runs for k in r))
        return {k: {"cpu_s": round(statistics.median(r.get(k, [0, 0])[0] for r in self.runs), 3),
                    "wall_s": round(statistics.median(r.get(k, [0, 0])[1] for r in self.runs), 3)}
                for k in names}


def instrument(models: Any, parts: Parts) -> Any:
    """``models`` with every recogniser and the VAD timed (new objects, same loaded models);
    patches :mod:`simkyc.voice.check`'s envelope, count and AV score functions."""
    import copy
    import dataclasses

    import simkyc.voice.check as check

    for fn in ("speech_envelope", "count_units", "sync_score"):
        setattr(check, fn, parts.wrap(fn, getattr(check, fn)))
    recs = {}
    for lang, rs in models.recognizers.items():
        timed = []
        for r in rs:
            r2 = copy.copy(r)
            r2.recognize = parts.wrap(f"recognize: {r.model_id}", r.recognize)
            if hasattr(r, "trailing_digit_seconds"):
                r2.trailing_digit_seconds = parts.wrap(f"trailing digit: {r.model_id}",
                                                       r.trailing_digit_seconds)
            timed.append(r2)
        recs[lang] = tuple(timed)
    vad = copy.copy(models.vad)
    vad.probabilities = parts.wrap("vad", models.vad.probabilities)
    return dataclasses.replace(models, vad=vad, recognizers=recs)


def main(argv: list[str] | None = None) -> int:
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.services.context import MediaLimits
    from simkyc.services.media_input import audio_input, video_input
    from simkyc.voice import check_spoken_digits
    from simkyc.voice.avsync import mouth_track
    from simkyc.voice.models import load_voice_models
    from simkyc.voice.recognizers import ENCODER_WINDOW_MIN_S, PocketsphinxDigits, WhisperDigits

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--full-window", action="store_true",
                    help="Whisper's encoder on the full 30-s window (before the change)")
    ap.add_argument("--window-min-s", type=int, default=ENCODER_WINDOW_MIN_S)
    a = ap.parse_args(argv)
    policy, limits = DEFAULT_POLICY.voice, MediaLimits()
    whisper = WhisperDigits({"en"}, window_min_s=None if a.full_window else a.window_min_s)
    models = load_voice_models(recognizers={"en": (whisper, whisper.with_vocabulary_prompt(),
                                                   PocketsphinxDigits())})
    digits = browser_digits()
    webm = browser_recording(digits)
    parts = Parts()
    timed = instrument(models, parts)
    max_s = DEFAULT_POLICY.liveness.max_video_seconds
    results = []
    decode_audio = parts.wrap("decode audio (webm)", audio_input)
    decode_video = parts.wrap("decode video (webm)", video_input)
    audio_checks = parts.wrap("audio checks (sum of the parts below)", check_spoken_digits)
    track_alone = parts.wrap("mouth track (alone)", mouth_track)
    whole_check = parts.wrap("whole check with video (server)", check_spoken_digits)
    for i in range(a.runs + 1):  # the first run warms up (first-use imports), not counted
        _, audio = decode_audio(webm, limits)
        _, clip = decode_video(webm, limits, max_seconds=max_s)
        r = audio_checks(audio, digits, "en", models=timed, policy=policy)
        track = track_alone(clip.frames, clip.timestamps_ms, models.open_mesh,
                            origin_ms=audio.start_s * 1000)
        whole = whole_check(audio, digits, "en", models=models, policy=policy, video=clip)
        results.append({"passed": whole.passed, "heard": whole.heard,
                        "reasons": list(whole.reasons), "audio_only_passed": r.passed,
                        "face_fraction": round(track.face_fraction, 3)})
        if i == 0:
            parts.run.clear()
        else:
            parts.next_run()
    med = parts.medians()

    out = {"digits": digits, "audio_s": round(audio.duration_s, 2), "frames": len(clip.frames),
           "frame_shape": list(clip.frames[0].shape), "runs": a.runs,
           "window_min_s": None if a.full_window else a.window_min_s,
           "load_average": os.getloadavg(), "results": results[1:], "median": med}
    print(f"English answer {digits}: {out['audio_s']} s of audio, {out['frames']} frames "
          f"{out['frame_shape']}; encoder window floor {out['window_min_s']}; "
          f"load {out['load_average'][0]:.1f}")
    print(f"{'part (median of ' + str(a.runs) + ' runs)':56} {'CPU s':>7} {'wall s':>7}")
    for k, v in med.items():
        print(f"{k[:56]:56} {v['cpu_s']:7.3f} {v['wall_s']:7.3f}")
    print(f"decisions: {results[1:]}")
    dest = ROOT / "bench" / "out"
    dest.mkdir(parents=True, exist_ok=True)
    tag = "full" if a.full_window else f"floor{a.window_min_s}"
    (dest / f"profile-voice-{tag}.json").write_text(json.dumps(out, indent=1))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
