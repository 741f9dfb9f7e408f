"""Liveness benchmark: genuine pass rate per recording condition, attack
acceptance per attack type, speed (issues 5 and 12).

Generates, reproducibly (seeded), genuine sessions from real photos in
``../shared/data/faces/`` (``tests/media/liveness_generate.py``: mesh warp,
random challenge from ``issue_challenge``, random speed, amplitude, blur,
lighting, screen-light tint, camera lag) under the recording conditions of
two sets (``tests/media/liveness_conditions.py``), reported apart:

- **tuning** (the thresholds were chosen on it): H.264 CRF 23 veryfast/zerolatency
  and (every 4th) VP8 1 Mbit/s, 15 fps, sensor noise σ 1-4, hand-held or (every
  3rd) on a stand with a still customer;
- **held-out** (nothing tuned on it): H.264 CRF 23 and 32, VP8 0.5 and 2.5
  Mbit/s, MPEG-4 Part 2 (OpenCV ``mp4v``), MJPEG; mild noise, temporal
  denoising, no noise; 10, 15 and 30 fps; hand-held or still.

Per genuine session, one attack of each kind (``tests/media/liveness_attacks.py``)
made and encoded under the same condition; the full ``check_liveness`` on
each (decoding included). Reported, as ISO/IEC 30107-3 does:

- BPCER: genuine sessions rejected / genuine sessions, overall and per
  encoding, noise treatment, frame rate and still / hand-held;
- APCER per attack type: attacks accepted / attacks of that type (and per
  encoding in the JSON);
- the screen-light detection rate, the copied-frame check's margins, CPU time
  (``time.process_time``, this process, all threads) per second of video.

    .venv/bin/python bench/bench_liveness.py [--quick] [--set both|tuning|held-out]
        [--sessions N] [--held-out-sessions N] [--jobs N] [--genuine-only]

``--quick``: 6 tuning sessions and the 18-session held-out layout (every
encoder with every noise treatment once); default 50 and 54 (every encoder ×
noise × frame rate). Prints a table per set and, last, one JSON line; writes
``bench/out/liveness.json``, ``bench/out/liveness_rows.csv`` / ``.jsonl`` and
``bench/out/liveness_cpu.png``.
"""

from __future__ import annotations

import argparse
import csv
import json
import random
import sys
import time
from collections import defaultdict
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "media"))
OUT = ROOT / "bench" / "out"

import liveness_attacks as atk  # noqa: E402
import liveness_conditions as lc  # noqa: E402
import liveness_generate as gen  # noqa: E402

from simkyc.domain.policy import DEFAULT_POLICY  # noqa: E402
from simkyc.liveness import ScreenLight, check_liveness, issue_challenge  # noqa: E402
from simkyc.media.video import Video, read_video  # noqa: E402

ATTACKS = ("still_photo", "still_photo_shake", "wrong_order", "too_few_actions",
           "replay_other_challenge", "replay_other_screen_light", "two_faces", "face_leaves",
           "face_swap", "duplicated_frames", "retimed_frames")
NOW = datetime(2026, 11, 29, tzinfo=UTC)
_MODELS: dict[str, Any] = {}


def _models() -> Any:
    if "face" not in _MODELS:
        from simkyc.face.models import load_face_models

        _MODELS["face"] = load_face_models()
    return _MODELS["face"]


def _check(data: bytes, encoding: str, actions: tuple[str, ...], light: ScreenLight | None
           ) -> dict[str, Any]:
    from simkyc.face.models import open_face_mesh

    c0, w0 = time.process_time(), time.perf_counter()
    video = _read(data, encoding)
    r = check_liveness(video, actions, face_models=_models(), mesh_factory=open_face_mesh,
                       screen_light=light)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    return {"passed": r.passed, "reasons": "|".join(r.reasons), "cpu_s": cpu, "wall_s": wall,
            "video_s": video.duration_ms / 1000.0, "frames": len(video),
            "size": f"{video.size[0]}x{video.size[1]}", "codec": video.codec,
            "screen_light_r": r.screen_light_r, "identity_distance": r.identity_distance,
            "copied_pairs": r.timing.get("copied_pairs"),
            "moving_pairs": r.timing.get("moving_pairs"),
            "duplicate_fraction": r.timing.get("duplicate_fraction")}


def _other_actions(actions: tuple[str, ...], rng: random.Random) -> tuple[str, ...]:
    while True:
        c = issue_challenge(rng, now=NOW).actions
        if c != actions:
            return c


def _permuted(actions: tuple[str, ...], rng: random.Random) -> tuple[str, ...]:
    while True:
        p = list(actions)
        rng.shuffle(p)
        if tuple(p) != actions:
            return tuple(p)


def recording_for(i: int, which: str, quick: bool) -> lc.Recording:
    """The recording condition of session ``i`` of set ``which``."""
    return lc.tuning(i) if which == "tuning" else lc.held_out(i, quick=quick)


def _read(data: bytes, encoding: str) -> Video:
    """The video as the upload path decodes it (Motion JPEG included since issue 12)."""
    return read_video(data)


def genuine_session(i: int, photo: str, which: str = "tuning", quick: bool = False,
                    draw: int = 0) -> tuple[lc.Recording, int, random.Random, Any, ScreenLight,
                                            dict[str, Any], dict[str, Any], gen.Clip]:
    """Session ``i`` of set ``which``, genuine, of ``photo``: (its recording condition,
    its seed base, its random draws (left where the genuine clip ends: the attacks go
    on drawing), the challenge, the screen light, the capture and clip parameters, the
    clip). Deterministic: the same arguments give the same session."""
    rec = recording_for(i, which, quick)
    # Held-out sessions are other draws than the tuning ones; ``draw`` > 0 makes
    # fresh sessions (seeds) under the same conditions.
    base = (0 if which == "tuning" else 500_000) + 1_000_000 * draw
    rng = random.Random(base + 10_000 + i)
    nrng = np.random.default_rng(base + 20_000 + i)
    ch = issue_challenge(rng, now=NOW, screen_colours=12)
    light = ScreenLight(ch.screen_colours, float(ch.colour_ms))
    kw = {"speed": rng.uniform(0.75, 1.35), "amplitude": rng.uniform(0.85, 1.2)}
    poses = gen.timeline(ch.actions, nrng, fps=rec.fps, **kw, **rec.motion())
    poses = gen.with_screen_light(poses, light.colours, light.colour_ms, fps=rec.fps,
                                  lag_ms=rng.uniform(30, 200))
    capture = rec.capture_params(nrng)
    params = {"blur": rng.uniform(0.0, 1.0), "light": rng.uniform(0.75, 1.15), **capture}
    clip = gen.make_clip(photo, ch.actions, base + 30_000 + i, poses=poses, fps=rec.fps,
                         **params)
    return rec, base, rng, ch, light, capture, params, clip


def run_session(i: int, photos: tuple[str, ...], genuine_only: bool = False,
                which: str = "tuning", quick: bool = False, draw: int = 0
                ) -> list[dict[str, Any]]:
    """One genuine session of set ``which`` and one attack of each kind derived
    from it, all recorded and encoded under the session's condition."""
    photo = photos[i % len(photos)]
    other = photos[(i + 1 + i // len(photos)) % len(photos)]
    if other == photo:
        other = photos[(i + 2) % len(photos)]
    rec, base, rng, ch, light, capture, params, clip = genuine_session(i, photo, which,
                                                                       quick, draw)
    rows: list[dict[str, Any]] = []
    genuine_video = gen.encode_video(clip, rec.encoding)  # replays re-use the same file

    def add(kind: str, c: gen.Clip, actions: tuple[str, ...], lt: ScreenLight | None) -> None:
        data = genuine_video if c is clip else gen.encode_video(c, rec.encoding)
        row = _check(data, rec.encoding, actions, lt)
        row.update(kind=kind, session=i, photo=photo, challenge=",".join(actions), set=which,
                   encoding=rec.encoding, fps_recorded=rec.fps, capture=rec.capture,
                   still=rec.still, noise=round(capture["noise"], 2),
                   denoise=round(capture["denoise"], 2), draw=draw)
        rows.append(row)

    add("genuine", clip, ch.actions, light)
    if genuine_only:
        return rows
    seconds = len(clip.frames) / rec.fps
    add("still_photo", atk.still_photo(photo, base + 40_000 + i, shake=False, fps=rec.fps,
                                       seconds=seconds, **capture), ch.actions, None)
    add("still_photo_shake", atk.still_photo(photo, base + 50_000 + i, shake=True, fps=rec.fps,
                                             seconds=seconds, **capture), ch.actions, None)
    add("wrong_order", clip, _permuted(ch.actions, rng), None)
    add("too_few_actions", atk.cut_after(clip, len(ch.actions) - 1), ch.actions, None)
    add("replay_other_challenge", clip, _other_actions(ch.actions, rng), None)
    fresh = issue_challenge(rng, now=NOW, screen_colours=12)
    add("replay_other_screen_light", clip, ch.actions,
        ScreenLight(fresh.screen_colours, float(fresh.colour_ms)))
    add("two_faces", atk.two_faces(clip, other, scale=rng.uniform(0.6, 0.9),
                                   side=1 if i % 2 else -1), ch.actions, None)
    add("face_leaves", atk.face_leaves(clip, at=rng.uniform(0.3, 0.6),
                                       seconds=rng.uniform(0.8, 1.5)), ch.actions, None)
    add("face_swap", atk.face_swap(photo, other, ch.actions, base + 60_000 + i,
                                   at=rng.uniform(0.3, 0.7), base=clip, fps=rec.fps,
                                   **params), ch.actions, None)
    add("duplicated_frames", atk.duplicate_frames(clip, every=rng.choice((1, 2, 3))),
        ch.actions, None)
    add("retimed_frames", atk.retime(clip, base + 70_000 + i), ch.actions, None)
    return rows


def _rate(rows: list[dict[str, Any]], accepted: bool) -> float:
    """Fraction of ``rows`` accepted (``accepted``) or rejected (not)."""
    return sum(r["passed"] == accepted for r in rows) / max(1, len(rows))


def _by(rows: list[dict[str, Any]], key: str) -> dict[str, list[dict[str, Any]]]:
    out: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        out[str(r[key])].append(r)
    return dict(sorted(out.items()))


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """BPCER overall and per condition, APCER per attack type (and per encoding)."""
    by = _by(rows, "kind")
    gen_rows = by.get("genuine", [])
    cpu_per_s = [r["cpu_s"] / r["video_s"] for r in gen_rows]
    all_cpu_per_s = [r["cpu_s"] / r["video_s"] for r in rows]
    reasons: dict[str, int] = defaultdict(int)
    for r in gen_rows:
        for x in filter(None, r["reasons"].split("|")):
            reasons[x] += 1
    attacks = [k for k in ATTACKS if k in by]
    s: dict[str, Any] = {
        "genuine_sessions": len(gen_rows),
        "faces": len({r["photo"] for r in gen_rows}),
        "bpcer": _rate(gen_rows, False),
        "bpcer_reasons": dict(reasons),
        "bpcer_by": {key: {k: {"n": len(v), "rejected": sum(not r["passed"] for r in v),
                               "bpcer": _rate(v, False)}
                           for k, v in _by(gen_rows, key).items()}
                     for key in ("encoding", "capture", "fps_recorded", "still")},
        "apcer": {k: _rate(by[k], True) for k in attacks},
        "attacks_per_type": {k: len(by[k]) for k in attacks},
        "apcer_by_encoding": {k: {e: {"n": len(v), "accepted": sum(r["passed"] for r in v)}
                                  for e, v in _by(by[k], "encoding").items()}
                              for k in attacks},
        "cpu_s_per_video_s_genuine_mean": float(np.mean(cpu_per_s)) if cpu_per_s else None,
        "cpu_s_per_video_s_genuine_p95": float(np.percentile(cpu_per_s, 95)) if cpu_per_s
        else None,
        "cpu_s_per_video_s_all_mean": float(np.mean(all_cpu_per_s)) if all_cpu_per_s else None,
        "wall_s_per_video_s_genuine_mean": float(np.mean([r["wall_s"] / r["video_s"]
                                                          for r in gen_rows])) if gen_rows
        else None,
        "genuine_video_s_mean": float(np.mean([r["video_s"] for r in gen_rows])) if gen_rows
        else None,
        "policy_version": DEFAULT_POLICY.version,
    }
    if "replay_other_screen_light" in by:
        s["screen_light_detection_rate"] = _rate(by["replay_other_screen_light"], False)
    gl = [r["screen_light_r"] for r in gen_rows if r["screen_light_r"] is not None]
    al = [r["screen_light_r"] for r in by.get("replay_other_screen_light", [])
          if r["screen_light_r"] is not None]
    s["screen_light_r_genuine_min"] = min(gl) if gl else None
    s["screen_light_r_replay_max"] = max(al) if al else None
    # Margins of the copied-frame check (duplicate_fraction = copied / moving pairs).
    gf = [r["duplicate_fraction"] for r in gen_rows if r.get("duplicate_fraction") is not None]
    df = [r["duplicate_fraction"] for r in by.get("duplicated_frames", [])
          if r.get("duplicate_fraction") is not None]
    s["duplicate_fraction_genuine_max"] = max(gf) if gf else None
    s["duplicate_fraction_duplicated_min"] = min(df) if df else None
    return s


def _plot(rows: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist([r["cpu_s"] / r["video_s"] for r in rows if r["kind"] == "genuine"], bins=20)
    ax.axvline(0.3, color="r", linestyle="--", label="target 0.3 s/s")
    ax.set_xlabel("CPU seconds per second of 640x480 video (genuine sessions)")
    ax.set_ylabel("sessions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "liveness_cpu.png", dpi=100)
    plt.close(fig)


SETS = ("tuning", "held-out")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="simkyc liveness benchmark (issues 5 and 12)")
    ap.add_argument("--quick", action="store_true",
                    help="6 tuning sessions and the 18-session held-out layout "
                         "(instead of 50 and 54)")
    ap.add_argument("--sessions", type=int, default=None,
                    help="genuine sessions of the tuning set (default 50, quick 6)")
    ap.add_argument("--held-out-sessions", type=int, default=None,
                    help="genuine sessions of the held-out set (default 54, quick 18)")
    ap.add_argument("--set", choices=("both", *SETS), default="both",
                    help="which condition set(s) to run")
    ap.add_argument("--draw", type=int, default=0,
                    help="fresh sessions (other seeds) under the same conditions (default 0)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--genuine-only", action="store_true", help="genuine sessions only (BPCER)")
    ap.add_argument("--summarize", type=Path, default=None,
                    help="only summarise a liveness_rows.jsonl from an earlier run")
    a = ap.parse_args(argv)
    counts = {"tuning": a.sessions or (6 if a.quick else 50),
              "held-out": a.held_out_sessions or (18 if a.quick else 54)}
    sets = SETS if a.set == "both" else (a.set,)
    photos = gen.PHOTOS
    OUT.mkdir(parents=True, exist_ok=True)
    t0 = time.perf_counter()
    rows: list[dict[str, Any]] = []
    if a.summarize is not None:  # re-summarise rows written by an earlier (partial) run
        rows = [json.loads(line) for line in a.summarize.read_text().splitlines() if line]
        return _report(rows, 0.0)
    partial = OUT / "liveness_rows.jsonl"  # one line per check, as they finish
    partial.write_text("")

    def keep(part: list[dict[str, Any]]) -> None:
        rows.extend(part)
        with partial.open("a") as fh:
            fh.writelines(json.dumps(r) + "\n" for r in part)
        g = part[0]
        accepted = [r["kind"] for r in part if r["passed"] and r["kind"] != "genuine"]
        print(f"{g['set']} session {g['session'] + 1}/{counts[g['set']]} "
              f"({lc.Recording(g['encoding'], g['fps_recorded'], g['capture'], g['still']).name})"
              f": genuine {'pass' if g['passed'] else 'FAIL ' + g['reasons']}  "
              f"accepted attacks: {accepted}  [{time.perf_counter() - t0:.0f} s]",
              file=sys.stderr, flush=True)

    jobs = [(i, w) for w in sets for i in range(counts[w])]
    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            futures = [ex.submit(run_session, i, photos, a.genuine_only, w, a.quick, a.draw)
                       for i, w in jobs]
            for f in futures:
                keep(f.result())
    else:
        for i, w in jobs:
            keep(run_session(i, photos, a.genuine_only, w, a.quick, a.draw))
    return _report(rows, time.perf_counter() - t0)


def _print_set(name: str, s: dict[str, Any]) -> None:
    print(f"\n== {name} set: {s['genuine_sessions']} genuine sessions from {s['faces']} faces, "
          f"640x480, mean {s['genuine_video_s_mean']:.1f} s each ==")
    print(f"{'genuine (BPCER = rejected)':<34}{'n':>5}{'rejected':>10}{'rate':>9}")
    print(f"{'all':<34}{s['genuine_sessions']:>5}"
          f"{round(s['bpcer'] * s['genuine_sessions']):>10}{s['bpcer']:>9.1%}")
    for key, groups in s["bpcer_by"].items():
        for k, g in groups.items():
            print(f"{'  ' + key + ' = ' + k:<34}{g['n']:>5}{g['rejected']:>10}{g['bpcer']:>9.1%}")
    print(f"{'attack (APCER = accepted)':<34}{'n':>5}{'accepted':>10}{'rate':>9}")
    for k, rate in s["apcer"].items():
        n = s["attacks_per_type"][k]
        print(f"{'  ' + k:<34}{n:>5}{round(rate * n):>10}{rate:>9.1%}")
    print(f"genuine rejections by reason: {s['bpcer_reasons']}")
    if "screen_light_detection_rate" in s:
        print(f"screen-light detection rate: {s['screen_light_detection_rate']:.1%} "
              f"(r genuine min {s['screen_light_r_genuine_min']}, replay max "
              f"{s['screen_light_r_replay_max']})")
    print(f"copied-frame check: copied/moving pairs genuine max "
          f"{s['duplicate_fraction_genuine_max']}, duplicated-frame attacks min "
          f"{s['duplicate_fraction_duplicated_min']} (threshold "
          f"{DEFAULT_POLICY.liveness.max_duplicate_fraction})")
    if s["cpu_s_per_video_s_genuine_mean"] is not None:
        print(f"CPU per second of video (genuine): mean "
              f"{s['cpu_s_per_video_s_genuine_mean']:.3f} s, p95 "
              f"{s['cpu_s_per_video_s_genuine_p95']:.3f} s; wall mean "
              f"{s['wall_s_per_video_s_genuine_mean']:.3f} s")


def _report(rows: list[dict[str, Any]], runtime_s: float) -> int:
    by_set = _by([{**r, "set": r.get("set", "tuning")} for r in rows], "set")
    s: dict[str, Any] = {name: _summary(part) for name, part in by_set.items()}
    s["runtime_s"] = round(runtime_s, 1)
    fields = list(dict.fromkeys(k for r in rows for k in r))
    with (OUT / "liveness_rows.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)
    (OUT / "liveness.json").write_text(json.dumps(s, indent=2))
    _plot(rows)
    for name in SETS:
        if name in s:
            _print_set(name + (" (thresholds chosen here)" if name == "tuning"
                               else " (nothing tuned on it)"), s[name])
    print(f"runtime {s['runtime_s']} s")
    print(json.dumps({"bench": "liveness", **s}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
