"""Study: how well does the audio-visual synchrony score separate the speaker on
camera from a voice recorded elsewhere?

Run: ``python bench/study_av_sync.py [--seeds 2026,77] [--per-lang 6]`` (about
3 s of CPU per generated video; tracks are cached in ``bench/out/av-study/``).

For every seed and language (cmn, yue, en, ug) it draws ``--per-lang`` digit
answers (espeak-ng, voices and rates in turn, as ``bench_voice.py`` does),
renders each as a talking-face video twice, with the two mouth models of
``tests/media/voice_generate.py``:

- ``exact``: the mouth opening follows the loudness (what the benchmark uses);
- ``natural``: a less obedient mouth (varying lead, slow jaw, per-syllable
  opening unrelated to loudness, lips not always closed, landmark noise).

Then it scores every voice against every face of the same seed and mouth
model: a voice with its own face is genuine, with any other face a mismatch.
Each score function in :data:`SCORES` is reported at the policy threshold and
by its separation (lowest genuine, highest mismatch). The real clip
``../shared/data/faces/face_recognition/short_hamilton_clip.mp4`` (a rapper on
stage with a microphone at his mouth, piano behind) is scored too, as a
reality check of what a real mouth gives; it is not a shop-counter recording.
Last, on the first seed: the genuine pass rate when the microphone also picks
up pink noise or a second talker at 20, 10 and 5 dB below the customer.
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "media"))
sys.path.insert(0, str(ROOT / "bench"))
CACHE = ROOT / "bench" / "out" / "av-study"
SHARED = ROOT.parent / "shared" / "data" / "faces"
LANGS = ("cmn", "yue", "en", "ug")
MOUTHS = ("exact", "natural")


def _clips(seed: int, per: int) -> list[dict]:
    """The answers for one seed: language, digits, voice, rate, audio seed, photo."""
    from bench_voice import PHOTOS, lang_seed

    from simkyc.voice import get_language
    from simkyc.voice.challenge import random_digits

    out = []
    for code in LANGS:
        lang = get_language(code)
        rng = random.Random(lang_seed(code, seed) + 1)
        base = lang_seed(code, seed) % 1_000_000 + 80_000
        for i in range(per):
            out.append({"lang": code, "digits": random_digits(6, lang, rng),
                        "voice": lang.espeak_voices[i % len(lang.espeak_voices)],
                        "rate": ("slow", "normal", "fast")[i % 3], "seed": base + i,
                        "photo": PHOTOS[(i + LANGS.index(code)) % len(PHOTOS)]})
    return out


def _tracks(clip: dict, models) -> dict:
    """Speech envelope and both mouth tracks of ``clip`` (cached)."""
    import voice_generate as gen

    from simkyc.media.video import read_video
    from simkyc.voice.avsync import MouthTrack, mouth_track
    from simkyc.voice.units import Envelope, speech_envelope

    key = f"{clip['lang']}-{clip['digits']}-{clip['voice']}-{clip['rate']}-{clip['seed']}"
    path = CACHE / f"{key}.npz"
    if not path.exists():
        x = gen.speak(clip["lang"], clip["digits"], voice=clip["voice"], rate=clip["rate"],
                      seed=clip["seed"])
        env = speech_envelope(x)
        arrays = {"energy": env.energy, "db": env.db}
        for mouth in MOUTHS:
            video = read_video(gen.talking_video(clip["photo"], x, seed=clip["seed"],
                                                 mouth=mouth))
            tr = mouth_track(video.frames, video.timestamps_ms, models.open_mesh)
            arrays[f"{mouth}_t"], arrays[f"{mouth}_m"] = tr.times_s, tr.opening
        CACHE.mkdir(parents=True, exist_ok=True)
        np.savez(path, **arrays)
    z = np.load(path)
    return {"env": Envelope(energy=z["energy"], db=z["db"]),
            **{m: MouthTrack(times_s=z[f"{m}_t"], opening=z[f"{m}_m"]) for m in MOUTHS}}


def _hamilton(models) -> tuple | None:
    from simkyc.media.audio import decode_audio
    from simkyc.media.video import read_video
    from simkyc.voice.avsync import mouth_track
    from simkyc.voice.units import speech_envelope

    path = SHARED / "face_recognition" / "short_hamilton_clip.mp4"
    if not path.exists():
        return None
    video = read_video(path)
    audio = decode_audio(path, max_seconds=60)
    # frames 100-230: the speaker faces the camera (before and after: audience, profile);
    # on the container's clock, as the checker aligns a recording's two tracks
    track = mouth_track(video.frames[100:230], video.timestamps_ms[100:230], models.open_mesh,
                        origin_ms=audio.start_s * 1000.0)
    return track, speech_envelope(audio.samples)


def _scores() -> dict[str, tuple[Callable, float]]:
    """Score functions by name, each with its threshold: the policy's, and the one before."""
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.voice import avsync

    v = DEFAULT_POLICY.voice

    def previous(tr, env) -> float:  # policy 2026.11-3: min of the two, lags +-0.1 s
        ok = np.isfinite(tr.opening)
        if ok.sum() < 8 or np.ptp(tr.opening[ok]) < 1e-6:
            return -1.0
        t, m = tr.times_s[ok], tr.opening[ok]
        lags = np.arange(-0.1, 0.1 + 1e-9, 0.02)
        return min(avsync._best_corr(m, t, env, lags, np.asarray),
                   avsync._best_corr(m, t, env, lags, np.diff))

    return {"2026.11-3": (previous, 0.6),
            DEFAULT_POLICY.version: (lambda tr, env: avsync.sync_score(
                tr, env, min_lag_s=v.av_min_lag_seconds, max_lag_s=v.av_max_lag_seconds),
                v.av_min_correlation)}


def _noise_robustness(clips: list[dict], tracks: list[dict]) -> list[dict]:
    """Genuine pass (policy score and threshold) when the microphone also picks up
    pink noise, or a second talker (another answer of the seed, 0.5 s later), at
    a signal-to-noise ratio; the face is the clean one (noise does not move lips)."""
    import voice_generate as gen

    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.voice.units import speech_envelope

    name = DEFAULT_POLICY.version
    score, th = _scores()[name]
    xs = [gen.speak(c["lang"], c["digits"], voice=c["voice"], rate=c["rate"], seed=c["seed"])
          for c in clips]

    def rms(v: np.ndarray) -> float:
        return float(np.sqrt(np.mean(v.astype(np.float64) ** 2)) + 1e-12)

    rows = []
    print(f"genuine under noise ({name}, seed's first {len(clips)} answers):")
    for kind in ("pink", "talker"):
        for snr in (20, 10, 5):
            for mouth in MOUTHS:
                s = []
                for i, x in enumerate(xs):
                    if kind == "pink":
                        y = gen.add_noise(x, snr_db=snr, seed=i)
                    else:
                        other = np.roll(np.resize(xs[(i + 7) % len(xs)], len(x)), 8000)
                        y = (x + other * (rms(x) / rms(other)) * 10 ** (-snr / 20))
                    s.append(score(tracks[i][mouth], speech_envelope(y.astype(np.float32))))
                g = np.array(s)
                rows.append({"kind": kind, "snr_db": snr, "mouth": mouth,
                             "genuine_pass": round(float((g >= th).mean()), 4),
                             "genuine_min": round(float(g.min()), 4)})
                print(f"  {kind:6} SNR {snr:2d} dB  {mouth:7}  pass "
                      f"{100 * (g >= th).mean():5.1f}%  lowest {g.min():.3f}")
    return rows


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", default="2026,77")
    ap.add_argument("--per-lang", type=int, default=6)
    a = ap.parse_args(argv)
    from simkyc.voice import load_voice_models

    models = load_voice_models(from_environment=False)
    seeds = [int(s) for s in a.seeds.split(",")]
    t = time.time()
    sets, all_clips = {}, {}
    for seed in seeds:
        clips = all_clips[seed] = _clips(seed, a.per_lang)
        sets[seed] = []
        for k, c in enumerate(clips):
            sets[seed].append(_tracks(c, models))
            print(f"\rseed {seed}: {k + 1}/{len(clips)} clips ({time.time() - t:.0f} s)",
                  end="", file=sys.stderr, flush=True)
        print(file=sys.stderr)
    ham = _hamilton(models)
    print(f"seeds {a.seeds}: {len(seeds) * len(LANGS) * a.per_lang} voices on their own face, "
          f"{len(seeds) * len(LANGS) * a.per_lang * (len(LANGS) * a.per_lang - 1)} "
          "on another's (same seed), per mouth model")
    print(f"{'score':<10} {'thresh':>6} {'mouth':<8} {'genuine min':>11} {'gen pass':>9} "
          f"{'mism max':>9} {'mism accepted':>14} {'Hamilton':>9}")
    results = []
    for name, (fn, th) in _scores().items():
        for mouth in MOUTHS:
            gen_s, mis_s = [], []
            for seed in seeds:
                tr = sets[seed]
                for i in range(len(tr)):
                    for j in range(len(tr)):
                        (gen_s if i == j else mis_s).append(fn(tr[j][mouth], tr[i]["env"]))
            g, m = np.array(gen_s), np.array(mis_s)
            real = round(float(fn(*ham)), 4) if ham and mouth == "exact" else None
            results.append({"score": name, "threshold": th, "mouth": mouth,
                            "genuine_min": round(float(g.min()), 4),
                            "genuine_pass": round(float((g >= th).mean()), 4),
                            "mismatch_max": round(float(m.max()), 4),
                            "mismatch_accepted": int((m >= th).sum()), "mismatch_n": len(m),
                            "hamilton": real})
            print(f"{name:<10} {th:6.2f} {mouth:<8} {g.min():11.3f} "
                  f"{100 * (g >= th).mean():8.1f}% {m.max():9.3f} "
                  f"{int((m >= th).sum()):6d}/{len(m):<7d} "
                  + (f"{real:9.3f}" if real is not None else ""))
    noisy = _noise_robustness(all_clips[seeds[0]], sets[seeds[0]])
    out = ROOT / "bench" / "out" / f"av-study-s{a.seeds.replace(',', '-')}.json"
    out.write_text(json.dumps({"seeds": seeds, "per_lang": a.per_lang, "results": results,
                               "noise": noisy}, indent=1))
    print(json.dumps({"seeds": seeds, "results": results, "noise": noisy}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
