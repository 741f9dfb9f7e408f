"""Why the action matcher fails on two faces (issue 12): per-session action signals.

For genuine sessions made exactly as ``bench_liveness.py`` makes them (its
``genuine_session``, the same seeds and recording conditions), prints the
challenge, the verdict of the full ``check_liveness``, the session's neutral
baseline and, per challenged action, the event peak the matcher saw against
its policy threshold: for ``blink`` the lowest EAR / open-eye EAR (threshold
``blink_ear_ratio``), for ``open_mouth`` the largest rise of the mouth ratio
(``open_mouth_increase``); and every event found, with its frames, so that a
broken-up or spurious event shows.

    PYTHONPATH=src .venv/bin/python bench/study_action_faces.py --set tuning \
        --photo deepface-pairs/img1.jpg [--sessions 50] [--draws 0 1 2]

Sessions are those of ``--set`` whose photo (``PHOTOS[i % 14]``) is
``--photo`` (``all``: every session); ``--draws`` adds fresh seeds under
the same conditions. One JSON line per session on stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import bench_liveness as bl  # noqa: E402

from simkyc.domain.policy import DEFAULT_POLICY  # noqa: E402
from simkyc.face.models import open_face_mesh  # noqa: E402
from simkyc.liveness import check_liveness  # noqa: E402
from simkyc.liveness.actions import baseline, find_events, match_challenge  # noqa: E402
from simkyc.liveness.signals import measure_frames  # noqa: E402
from simkyc.media.video import read_video  # noqa: E402


def study(i: int, photo: str, which: str, draw: int, quick: bool = False,
          full_check: bool = True) -> dict[str, Any]:
    """One genuine session's verdict and action signals."""
    p = DEFAULT_POLICY.liveness
    rec, _, _, ch, light, capture, _, clip = bl.genuine_session(i, photo, which, quick, draw)
    data = bl.gen.encode_video(clip, rec.encoding)
    video = read_video(data)
    r = (check_liveness(video, ch.actions, face_models=bl._models(),
                        mesh_factory=open_face_mesh, screen_light=light)
         if full_check else None)
    mesh = open_face_mesh()
    try:
        sig = measure_frames(video.frames, video.timestamps_ms, mesh)
    finally:
        mesh.close()
    b = baseline(sig)
    assert b is not None
    events = find_events(sig, b, p)
    steps, reasons = match_challenge(sig, ch.actions, p)
    ears = [f.ear for f in sig if f.faces]
    mouths = [f.mouth for f in sig if f.faces]
    # The generator's own poses say which frames blink (eyes > 0) and which do
    # not: the blink's depth as the mesh reads it, and the lowest EAR ratio of
    # frames with open eyes (how near a non-blink comes to the threshold).
    ratio = [f.ear / b.ear_open if f.faces else float("nan") for f in sig]
    poses = clip.poses
    closing = [k for k, q in enumerate(poses) if q.eyes > 0.5 and ratio[k] == ratio[k]]
    open_ = [k for k, q in enumerate(poses) if q.eyes == 0 and ratio[k] == ratio[k]]
    k_open = min(open_, key=lambda k: ratio[k]) if open_ else None
    by_pose: dict[str, list[float]] = {}
    for k in open_:
        q = poses[k]
        what = ("look_up" if q.pitch > 5 else "turn" if abs(q.yaw) > 5
                else "open_mouth" if q.mouth > 0.1 else "neutral")
        by_pose.setdefault(what, []).append(ratio[k])
    neutral = np.array(by_pose.get("neutral", [np.nan]))
    return {
        "set": which, "session": i, "draw": draw, "photo": photo, "condition": rec.name,
        "noise": round(capture["noise"], 2), "challenge": list(ch.actions),
        "passed": r.passed if r else None, "reasons": list(r.reasons) if r else None,
        "blink_ratio_min": round(min(ratio[k] for k in closing), 3) if closing else None,
        "blink_eyes_max": round(max(q.eyes for q in poses), 3),
        "open_eye_ratio_min": round(ratio[k_open], 3) if k_open is not None else None,
        "open_eye_ratio_min_pose": ({"frame": k_open, "yaw": round(poses[k_open].yaw, 1),
                                     "pitch": round(poses[k_open].pitch, 1),
                                     "mouth": round(poses[k_open].mouth, 2)}
                                    if k_open is not None else None),
        "open_eye_ratio_min_by_pose": {k: round(min(v), 3) for k, v in sorted(by_pose.items())},
        "neutral_ratio_mad": round(float(np.nanmedian(np.abs(neutral - np.nanmedian(neutral)))),
                                   4),
        "baseline": {"ear_open": round(b.ear_open, 4), "mouth": round(b.mouth, 4)},
        "ear_ratio_min": round(min(ears) / b.ear_open, 3) if ears else None,
        "mouth_rise_max": round(max(mouths) - b.mouth, 3) if mouths else None,
        "thresholds": {"blink_ear_ratio": p.blink_ear_ratio,
                       "open_mouth_increase": p.open_mouth_increase,
                       "closed_mouth_increase": p.closed_mouth_increase,
                       "open_eye_ratio": p.open_eye_ratio},
        "steps": [{"action": s.action, "passed": s.passed, "peak": s.peak} for s in steps],
        "match_reasons": reasons,
        "events": [{"action": e.action, "frames": [e.start, e.end], "peak": round(e.peak, 3)}
                   for e in events],
        "frames": len(video),
        # Per frame: EAR / open-eye EAR, yaw and pitch from neutral, mouth rise,
        # and the generator's eye closure (0 open .. 1 closed); null without a face.
        "per_frame": [[round(ratio[k], 4), round(f.yaw_deg - b.yaw_deg, 2),
                       round(f.pitch_deg - b.pitch_deg, 2), round(f.mouth - b.mouth, 4),
                       round(poses[k].eyes, 3)] if f.faces else None
                      for k, f in enumerate(sig)],
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", choices=("tuning", "held-out"), default="tuning")
    ap.add_argument("--photo", required=True,
                    help="photo under ../shared/data/faces/, or all")
    ap.add_argument("--sessions", type=int, default=50, help="sessions of the set to scan")
    ap.add_argument("--draws", type=int, nargs="+", default=[0])
    ap.add_argument("--quick", action="store_true", help="held-out quick layout")
    ap.add_argument("--signals-only", action="store_true",
                    help="skip the full check_liveness (signals and matcher only)")
    a = ap.parse_args(argv)
    photos = bl.gen.PHOTOS
    for draw in a.draws:
        for i in range(a.sessions):
            photo = photos[i % len(photos)]
            if a.photo != "all" and photo != a.photo:
                continue
            print(json.dumps(study(i, photo, a.set, draw, a.quick, not a.signals_only)),
                  flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
