"""Profiling pass (issue 15): where one verification session spends its time.

Runs ``py-spy`` (a sampling profiler, no code changes) over a process that warms the
models, then runs ``--sessions`` inline sessions through the application layer (the code
a worker runs), and folds the samples: the share of the session's samples under each
step's verb, and the simkyc functions with the most samples (inclusive and self).

    .venv/bin/simkyc bench profile [--quick]

Writes ``bench/out/profile.folded`` (py-spy's raw stacks) and ``bench/out/profile.json``.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_support as sup  # noqa: E402

VERBS = {"run_document": "document", "run_live_face": "live_face", "run_liveness": "liveness",
         "run_voice": "voice", "run_face_match": "face_match", "run_register": "register"}


def simkyc_profiled_sessions(n: int) -> None:
    """Warm the models and one session (not counted), then ``n`` sessions: the samples
    under :func:`simkyc_profiled_sessions_body` are the ones counted."""
    import bench_scale

    from simkyc.domain.parties import Role
    from simkyc.runtime import ModelRegistry
    from simkyc.services.accounts import create_account

    media = sup.session_media()
    models = ModelRegistry()
    models.warm()
    with tempfile.TemporaryDirectory() as d:
        ctx = bench_scale._memory_ctx(Path(d))
        agent = create_account(ctx, name="p", role=Role.AGENT, outlet_name="P").agent
        sup.run_session(ctx, models, agent, media, 0, sup.inline_runner(ctx, models, agent))
        for i in range(1, n + 1):
            simkyc_profiled_sessions_body(ctx, models, agent, media, i)


def simkyc_profiled_sessions_body(ctx: Any, models: Any, agent: Any, media: Any, i: int) -> None:
    t = sup.run_session(ctx, models, agent, media, i, sup.inline_runner(ctx, models, agent))
    print(json.dumps({k: round(v) for k, v in t.items()}), file=sys.stderr, flush=True)


def summarise(folded: Path) -> dict[str, Any]:
    steps: Counter[str] = Counter()
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = 0
    for line in folded.read_text().splitlines():
        stack, _, count = line.rpartition(" ")
        frames = stack.split(";")
        if not any("simkyc_profiled_sessions_body" in f for f in frames):
            continue
        c = int(count)
        total += c
        names = [f.split(" (")[0].strip() for f in frames]
        where = [f for f in frames if "simkyc/" in f or "simkyc\\" in f]
        for verb, step in VERBS.items():
            if verb in names:
                steps[step] += c
                break
        else:
            steps["other"] += c
        for f in set(where):
            inclusive[f] += c
        if frames:
            own[frames[-1]] += c

    def pct(x: int) -> float:
        return round(100.0 * x / max(total, 1), 1)

    return {"samples": total, "step_share_pct": {k: pct(v) for k, v in steps.most_common()},
            "top_inclusive_pct": [(f, pct(v)) for f, v in inclusive.most_common(30)],
            "top_self_pct": [(f, pct(v)) for f, v in own.most_common(25)]}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="simkyc profiling pass (issue 15)")
    ap.add_argument("--quick", action="store_true", help="2 sessions instead of 5")
    ap.add_argument("--child", type=int, default=None, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.child is not None:
        simkyc_profiled_sessions(a.child)
        return 0
    n = 2 if a.quick else 5
    sup.OUT.mkdir(parents=True, exist_ok=True)
    folded = sup.OUT / "profile.folded"
    spy = Path(sys.executable).parent / "py-spy"
    t0 = time.perf_counter()
    r = subprocess.run([str(spy), "record", "--format", "raw", "-r", "100", "-o", str(folded),
                        "--", sys.executable, __file__, "--child", str(n)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        print(r.stderr[-3000:], file=sys.stderr)
        return 2
    sessions = [json.loads(line) for line in r.stderr.splitlines() if line.startswith("{")]
    out = {"sessions": sessions, "seconds": round(time.perf_counter() - t0, 1),
           **summarise(folded)}
    (sup.OUT / "profile.json").write_text(json.dumps(out, indent=2) + "\n")
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
