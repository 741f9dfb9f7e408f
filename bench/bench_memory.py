"""Peak memory per step on a large upload: a 20 s 1080p liveness video and a 1080p voice video.

Run: ``simkyc bench memory`` (or ``python bench/bench_memory.py [--quick]``).

A genuine demo bundle (``simkyc demo``'s generator) is made and copied twice
with its videos scaled to 1920x1080 (H.264 CRF 23; the voice recording VP8
2 Mbit/s): once as it is (about 6 s at 15 fps), once with the liveness challenge
performed slowly over 20 s at 30 fps (600 frames). The pipeline runs through the same steps as
``simkyc verify`` on a throw-away SQLite context: first on the small bundle
(models loaded, caches warm), then on each large one. A thread samples the
process's resident set (``/proc/self/statm``) every 5 ms; for each step of the
second run it reports the peak above the resident set at the step's start and
the absolute peak. Target (application-layer issue): under 300 MB above the
start for the 20 s 1080p liveness upload. ``--quick`` uses a 10 s video.
Writes ``bench/out/memory.json``.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

OUT = Path(__file__).resolve().parent / "out"
PAGE = os.sysconf("SC_PAGE_SIZE")
MB = 1024 * 1024


def rss() -> int:
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * PAGE


class Sampler:
    """The peak resident set since the last :meth:`reset`, sampled every ``period`` s."""

    def __init__(self, period: float = 0.005) -> None:
        self.period, self.peak, self._stop = period, rss(), threading.Event()
        self._t = threading.Thread(target=self._run, daemon=True)
        self._t.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, rss())
            time.sleep(self.period)

    def reset(self) -> int:
        self.peak = now = rss()
        return now

    def stop(self) -> None:
        self._stop.set()
        self._t.join()


def _ffmpeg(*args: str) -> None:
    subprocess.run(["ffmpeg", "-loglevel", "error", "-y", *args], check=True)


def _duration(path: Path) -> float:
    out = subprocess.run(["ffprobe", "-v", "error", "-show_entries", "format=duration",
                          "-of", "csv=p=0", str(path)], check=True, capture_output=True,
                         text=True).stdout
    return float(out.strip())


def long_liveness(bundle: Path, dest: Path, seconds: float, seed: int = 7) -> None:
    """A genuine liveness video of about ``seconds`` at 30 fps: the bundle's challenge
    performed slowly (the demo generator, the photo of ``simkyc demo``)."""
    import numpy as np

    from simkyc.cli.demo_bundle import _generators
    from simkyc.demo import demo_photo

    lgen, _ = _generators()
    c = json.loads((bundle / "challenge.json").read_text())
    fps = 30.0
    natural = len(lgen.timeline(c["actions"], np.random.default_rng(seed), fps=fps)) / fps
    poses = lgen.timeline(c["actions"], np.random.default_rng(seed), fps=fps,
                          speed=natural / seconds)
    poses = lgen.with_screen_light(poses, c["screen_colours"], c["colour_ms"], fps=fps)
    clip = lgen.make_clip(str(demo_photo()), c["actions"], seed, fps=fps, poses=poses)
    lgen.write_video(dest, clip)


def enlarge(bundle: Path, dest: Path, seconds: float | None) -> None:
    """Copy ``bundle`` to ``dest`` with the videos scaled to 1080p (frame rate kept); with
    ``seconds``, the liveness video is first made again, performed slowly over that time."""
    import shutil

    shutil.copytree(bundle, dest)
    src = bundle / "liveness.mp4"
    if seconds:
        src = dest / "liveness-long.mp4"
        long_liveness(bundle, src, seconds)
    scale = "scale=1920:1080:force_original_aspect_ratio=decrease,pad=1920:1080:(ow-iw)/2:(oh-ih)/2"
    _ffmpeg("-i", str(src), "-vf", scale, "-c:v", "libx264", "-crf", "23",
            "-pix_fmt", "yuv420p", str(dest / "liveness.mp4"))
    src.unlink() if seconds else None
    _ffmpeg("-i", str(bundle / "voice.webm"), "-vf", scale, "-c:v", "libvpx", "-b:v", "2M",
            "-c:a", "copy", str(dest / "voice.webm"))


def run(folder: Path, models: Any, sampler: Sampler | None) -> list[dict[str, Any]]:
    """Verify ``folder`` through the steps; per-step memory when ``sampler`` is given."""
    import simkyc.services.offline as offline
    from simkyc.cli.verify import load_bundle
    from simkyc.config import Settings
    from simkyc.domain.parties import Role
    from simkyc.runtime import build_runtime
    from simkyc.services.accounts import create_account

    rows: list[dict[str, Any]] = []
    originals = {n: getattr(offline, n) for n in
                 ("run_document", "run_live_face", "run_liveness", "run_voice", "run_face_match")}

    def measured(fn: Any) -> Any:
        def call(*a: Any, **k: Any) -> Any:
            start = sampler.reset() if sampler else 0
            t = time.perf_counter()
            result = fn(*a, **k)
            if sampler:
                rows.append({"step": result.step, "passed": result.passed,
                             "reasons": list(result.reasons),
                             "seconds": round(time.perf_counter() - t, 2),
                             "start_mb": round(start / MB), "peak_mb": round(sampler.peak / MB),
                             "above_start_mb": round((sampler.peak - start) / MB)})
            return result
        return call

    for n, fn in originals.items():
        setattr(offline, n, measured(fn))
    bundle = load_bundle(folder)
    try:
        with tempfile.TemporaryDirectory(prefix="simkyc-bench-memory-") as tmp:
            key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
            rt = build_runtime(Settings(data_dir=Path(tmp), database_url=None, master_key=key))
            try:
                actor = create_account(rt.context, name="bench", role=Role.AGENT,
                                       outlet_name="bench").agent
                offline.verify_bundle(rt.context, models, actor=actor, bundle=bundle)
            finally:
                rt.close()
    finally:
        for n, fn in originals.items():
            setattr(offline, n, fn)
    return rows


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    seconds = 10.0 if "--quick" in argv else 20.0
    from simkyc.cli.demo_bundle import make_bundle
    from simkyc.runtime import ModelRegistry

    models = ModelRegistry()
    with tempfile.TemporaryDirectory(prefix="simkyc-bench-memory-") as tmp:
        small = Path(tmp) / "small"
        print("making the demo bundle and its 1080p copies ...", file=sys.stderr)
        make_bundle(small, language="cmn")
        variants = {"1080p": Path(tmp) / "hd", f"1080p, {seconds:.0f} s": Path(tmp) / "long"}
        enlarge(small, variants["1080p"], None)
        enlarge(small, variants[f"1080p, {seconds:.0f} s"], seconds)
        print("warm-up run (small bundle: models loaded) ...", file=sys.stderr)
        run(small, models, None)
        sampler = Sampler()
        rows = []
        for name, folder in variants.items():
            print(f"measured run: {name} ...", file=sys.stderr)
            size = {f: (folder / f).stat().st_size for f in ("liveness.mp4", "voice.webm")}
            for r in run(folder, models, sampler):
                rows.append({"bundle": name, "liveness_seconds": round(
                    _duration(folder / "liveness.mp4"), 1), "upload_bytes": size, **r})
        sampler.stop()
    print(f"\n{'bundle':<14} {'step':<11} {'passed':<7} {'s':>6} {'start MB':>9} "
          f"{'peak MB':>8} {'above':>6}")
    for r in rows:
        print(f"{r['bundle']:<14} {r['step']:<11} {r['passed']!s:<7} {r['seconds']:>6} "
              f"{r['start_mb']:>9} {r['peak_mb']:>8} {r['above_start_mb']:>6}")
    worst = max((r["above_start_mb"] for r in rows if r["step"] in ("liveness", "voice")),
                default=0)
    result = {"video_size": "1920x1080@30", "steps": rows, "target_above_start_mb": 300,
              "worst_media_step_above_start_mb": worst, "within_target": worst < 300}
    OUT.mkdir(exist_ok=True)
    (OUT / f"memory{'-quick' if seconds < 20 else ''}.json").write_text(
        json.dumps(result, indent=1))
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
