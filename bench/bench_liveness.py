"""Liveness benchmark: genuine pass rate, attack acceptance per attack type, speed (issue 5).

Generates, reproducibly (seeded), genuine sessions from real photos in
``../shared/data/faces/`` (``tests/media/liveness_generate.py``: mesh warp,
random challenge from ``issue_challenge``, random speed, amplitude, noise,
blur, lighting, screen-light tint, camera lag; every 4th session VP8/webm, the
rest H.264/mp4, 640x480 at 15 fps) and, per genuine session, one attack of
each kind (``tests/media/liveness_attacks.py``), then runs the full
``check_liveness`` on each (decoding included) and reports, as ISO/IEC
30107-3 does:

- BPCER: genuine sessions rejected / genuine sessions;
- APCER per attack type: attacks accepted / attacks of that type;
- the screen-light detection rate (replays of the right actions recorded
  under another colour sequence that the screen-light check rejects);
- CPU time (``time.process_time``, this process, all threads) per second of
  video, and wall time.

    .venv/bin/python bench/bench_liveness.py [--quick] [--sessions N] [--jobs N]

Prints a table and, last, one JSON line; writes ``bench/out/liveness.json``,
``bench/out/liveness_rows.csv`` and ``bench/out/liveness_cpu.png``.
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
import liveness_generate as gen  # noqa: E402

from simkyc.domain.policy import DEFAULT_POLICY  # noqa: E402
from simkyc.liveness import ScreenLight, check_liveness, issue_challenge  # noqa: E402
from simkyc.media.video import read_video  # noqa: E402

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


def _check(data: bytes, actions: tuple[str, ...], light: ScreenLight | None) -> dict[str, Any]:
    from simkyc.face.models import open_face_mesh

    c0, w0 = time.process_time(), time.perf_counter()
    video = read_video(data)
    r = check_liveness(video, actions, face_models=_models(), mesh_factory=open_face_mesh,
                       screen_light=light)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    return {"passed": r.passed, "reasons": "|".join(r.reasons), "cpu_s": cpu, "wall_s": wall,
            "video_s": video.duration_ms / 1000.0, "frames": len(video),
            "size": f"{video.size[0]}x{video.size[1]}", "codec": video.codec,
            "screen_light_r": r.screen_light_r, "identity_distance": r.identity_distance}


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


def run_session(i: int, photos: tuple[str, ...], genuine_only: bool = False
                ) -> list[dict[str, Any]]:
    """One genuine session and one attack of each kind derived from it."""
    rng = random.Random(10_000 + i)
    nrng = np.random.default_rng(20_000 + i)
    photo = photos[i % len(photos)]
    other = photos[(i + 1 + i // len(photos)) % len(photos)]
    if other == photo:
        other = photos[(i + 2) % len(photos)]
    ch = issue_challenge(rng, now=NOW, screen_colours=12)
    light = ScreenLight(ch.screen_colours, float(ch.colour_ms))
    fmt = "webm" if i % 4 == 3 else "mp4"
    kw = {"speed": rng.uniform(0.75, 1.35), "amplitude": rng.uniform(0.85, 1.2)}
    poses = gen.timeline(ch.actions, nrng, **kw)
    poses = gen.with_screen_light(poses, light.colours, light.colour_ms,
                                  lag_ms=rng.uniform(30, 200))
    params = {"noise": rng.uniform(1.0, 4.0), "blur": rng.uniform(0.0, 1.0),
              "light": rng.uniform(0.75, 1.15)}
    clip = gen.make_clip(photo, ch.actions, 30_000 + i, poses=poses, **params)
    rows: list[dict[str, Any]] = []

    def add(kind: str, c: gen.Clip, actions: tuple[str, ...], lt: ScreenLight | None,
            f: str = fmt) -> None:
        row = _check(gen.write_video(None, c, fmt=f), actions, lt)
        row.update(kind=kind, session=i, photo=photo, challenge=",".join(actions))
        rows.append(row)

    add("genuine", clip, ch.actions, light)
    if genuine_only:
        return rows
    add("still_photo", atk.still_photo(photo, 40_000 + i, shake=False), ch.actions, None)
    add("still_photo_shake", atk.still_photo(photo, 50_000 + i, shake=True), ch.actions, None)
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
    add("face_swap", atk.face_swap(photo, other, ch.actions, 60_000 + i,
                                   at=rng.uniform(0.3, 0.7), base=clip), ch.actions, None)
    add("duplicated_frames", atk.duplicate_frames(clip, every=rng.choice((1, 2, 3))),
        ch.actions, None)
    add("retimed_frames", atk.retime(clip, 70_000 + i), ch.actions, None)
    return rows


def _summary(rows: list[dict[str, Any]]) -> dict[str, Any]:
    by: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        by[r["kind"]].append(r)
    gen_rows = by["genuine"]
    cpu_per_s = [r["cpu_s"] / r["video_s"] for r in gen_rows]
    all_cpu_per_s = [r["cpu_s"] / r["video_s"] for r in rows]
    reasons: dict[str, int] = defaultdict(int)
    for r in gen_rows:
        for x in filter(None, r["reasons"].split("|")):
            reasons[x] += 1
    s: dict[str, Any] = {
        "genuine_sessions": len(gen_rows),
        "faces": len({r["photo"] for r in gen_rows}),
        "bpcer": sum(not r["passed"] for r in gen_rows) / max(1, len(gen_rows)),
        "bpcer_reasons": dict(reasons),
        "apcer": {k: sum(r["passed"] for r in by[k]) / max(1, len(by[k])) for k in ATTACKS},
        "attacks_per_type": {k: len(by[k]) for k in ATTACKS},
        "screen_light_detection_rate": 1.0 - sum(r["passed"] for r in
                                                 by["replay_other_screen_light"])
        / max(1, len(by["replay_other_screen_light"])),
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
    gl = [r["screen_light_r"] for r in gen_rows if r["screen_light_r"] is not None]
    al = [r["screen_light_r"] for r in by["replay_other_screen_light"]
          if r["screen_light_r"] is not None]
    s["screen_light_r_genuine_min"] = min(gl) if gl else None
    s["screen_light_r_replay_max"] = max(al) if al else None
    return s


def _plot(rows: list[dict[str, Any]]) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(7, 4))
    ax.hist([r["cpu_s"] / r["video_s"] for r in rows if r["kind"] == "genuine"], bins=20)
    ax.axvline(0.3, color="r", linestyle="--", label="target 0.3 s/s")
    ax.set_xlabel("CPU seconds per second of 640x480 15 fps video (genuine sessions)")
    ax.set_ylabel("sessions")
    ax.legend()
    fig.tight_layout()
    fig.savefig(OUT / "liveness_cpu.png", dpi=100)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="simkyc liveness benchmark (issue 5)")
    ap.add_argument("--quick", action="store_true", help="8 sessions (8 faces) instead of 50")
    ap.add_argument("--sessions", type=int, default=None, help="genuine sessions (default 50)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--genuine-only", action="store_true", help="genuine sessions only (BPCER)")
    ap.add_argument("--summarize", type=Path, default=None,
                    help="only summarise a liveness_rows.jsonl from an earlier run")
    a = ap.parse_args(argv)
    n = a.sessions or (8 if a.quick else 50)
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

    if a.jobs > 1:
        with ProcessPoolExecutor(a.jobs) as ex:
            for k, part in enumerate(ex.map(run_session, range(n), [photos] * n,
                                            [a.genuine_only] * n)):
                keep(part)
                print(f"session {k + 1}/{n} done [{time.perf_counter() - t0:.0f} s]",
                      file=sys.stderr, flush=True)
    else:
        for i in range(n):
            keep(run_session(i, photos, a.genuine_only))
            g = [r for r in rows if r["kind"] == "genuine"]
            accepted = [r["kind"] for r in rows[-len(ATTACKS):]
                        if r["passed"] and r["kind"] != "genuine"]
            print(f"session {i + 1}/{n}: genuine {'pass' if g[-1]['passed'] else 'FAIL '}"
                  f"{g[-1]['reasons']}  accepted attacks: {accepted}  "
                  f"[{time.perf_counter() - t0:.0f} s]", file=sys.stderr, flush=True)
    return _report(rows, time.perf_counter() - t0)


def _report(rows: list[dict[str, Any]], runtime_s: float) -> int:
    s = _summary(rows)
    s["runtime_s"] = round(runtime_s, 1)
    with (OUT / "liveness_rows.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    (OUT / "liveness.json").write_text(json.dumps(s, indent=2))
    _plot(rows)

    print(f"Liveness: {s['genuine_sessions']} genuine sessions from {s['faces']} faces, "
          f"640x480 @ 15 fps, mean {s['genuine_video_s_mean']:.1f} s each")
    print(f"{'type':<28}{'n':>5}{'accepted':>10}{'rate':>9}")
    print(f"{'genuine (BPCER = rejected)':<28}{s['genuine_sessions']:>5}"
          f"{s['genuine_sessions'] - round(s['bpcer'] * s['genuine_sessions']):>10}"
          f"{s['bpcer']:>9.1%}")
    for k in ATTACKS:
        acc = round(s["apcer"][k] * s["attacks_per_type"][k])
        print(f"{'APCER ' + k:<28}{s['attacks_per_type'][k]:>5}{acc:>10}{s['apcer'][k]:>9.1%}")
    print(f"screen-light detection rate: {s['screen_light_detection_rate']:.1%} "
          f"(r genuine min {s['screen_light_r_genuine_min']}, replay max "
          f"{s['screen_light_r_replay_max']})")
    print(f"CPU per second of video (genuine): mean {s['cpu_s_per_video_s_genuine_mean']:.3f} s, "
          f"p95 {s['cpu_s_per_video_s_genuine_p95']:.3f} s (target <= 0.3); wall mean "
          f"{s['wall_s_per_video_s_genuine_mean']:.3f} s; all checks mean "
          f"{s['cpu_s_per_video_s_all_mean']:.3f} s")
    print(f"genuine rejections by reason: {s['bpcer_reasons']}  runtime {s['runtime_s']} s")
    print(json.dumps({"bench": "liveness", **s}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
