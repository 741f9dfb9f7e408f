"""Study: Whisper's encoder window and the English voice decisions (issue 16, item 5).

Every English answer of a condition set (``bench/voice_conditions.py``: genuine, one
digit dropped, one added, other digits) is checked by :func:`check_spoken_digits` with
the English recognisers decoding on the full 30-s window (faster-whisper's own) and on
the windows of :func:`~simkyc.voice.recognizers.encoder_window_frames` with each floor
of ``--floors``; one loaded Whisper serves every configuration. Prints, per
configuration, the decisions (genuine passed, attacks rejected), how many decisions
and plain-decode hypotheses differ from the full window's, which answers changed, and
the CPU seconds of the checks.

    python bench/study_whisper_window.py --set tuning [--quick] [--floors 10,0]

Writes ``bench/out/whisper-window-<set>[-quick].json``.
"""

from __future__ import annotations

import argparse
import copy
import json
import sys
import time
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

import voice_conditions as vc  # noqa: E402


def configurations(floors: list[int]) -> dict[str, Any]:
    """``{"full": VoiceModels, "floor N": VoiceModels, ...}`` sharing one Whisper base."""
    from simkyc.voice.models import VoiceModels
    from simkyc.voice.recognizers import PocketsphinxDigits, WhisperDigits
    from simkyc.voice.vad import SileroVad

    vad, ps = SileroVad(), PocketsphinxDigits()
    base = WhisperDigits({"en"})  # the full window
    out: dict[str, Any] = {}
    for name, floor in [("full", None), *((f"floor {f}", f) for f in floors)]:
        w = copy.copy(base)
        w.window_min_s = floor
        out[name] = VoiceModels(vad=vad, recognizers={"en": (w, w.with_vocabulary_prompt(), ps)})
    return out


class PlainHeard:
    """Wraps the first (plain) Whisper decode of a configuration and keeps what it heard."""

    def __init__(self, models: Any) -> None:
        import dataclasses

        first, *rest = models.recognizers["en"]
        self.last = ""
        timed = copy.copy(first)

        def recognize(samples: Any, language: str, n: int) -> str:
            self.last = first.recognize(samples, language, n)
            return self.last

        timed.recognize = recognize
        self.models = dataclasses.replace(models, recognizers={"en": (timed, *rest)})


def main(argv: list[str] | None = None) -> int:
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.media.audio import Audio
    from simkyc.voice import check_spoken_digits

    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--set", default="tuning", choices=sorted(vc.SETS))
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--floors", default="10,0", help="window floors (s) besides the full one")
    a = ap.parse_args(argv)
    policy = DEFAULT_POLICY.voice
    configs = {k: PlainHeard(m) for k, m in
               configurations([int(f) for f in a.floors.split(",") if f]).items()}
    tally: dict[str, dict[str, list[bool]]] = {k: {} for k in configs}
    cpu = {k: 0.0 for k in configs}
    changed: list[dict[str, Any]] = []
    hyp_diff: dict[str, list[dict[str, Any]]] = {k: [] for k in configs}
    n = 0
    t0 = time.perf_counter()
    for group in vc.answers(vc.SETS[a.set], "en", quick=a.quick):
        for ans in group:
            x = vc.speech(ans)
            n += 1
            res, heard = {}, {}
            for name, conf in configs.items():
                conf.last = ""  # no speech: no decode
                c = time.process_time()
                res[name] = check_spoken_digits(Audio(samples=x), ans.asked, "en",
                                                models=conf.models, policy=policy)
                cpu[name] += time.process_time() - c
                heard[name] = conf.last
                ok = res[name].passed if ans.kind == "genuine" else not res[name].passed
                tally[name].setdefault(ans.kind, []).append(ok)
            for name in configs:
                if heard[name] != heard["full"]:
                    hyp_diff[name].append({"kind": ans.kind, "asked": ans.asked,
                                           "spoken": ans.spoken, "full": heard["full"],
                                           "this": heard[name]})
                if (res[name].passed, res[name].reasons) != (res["full"].passed,
                                                             res["full"].reasons):
                    changed.append({"config": name, "kind": ans.kind, "asked": ans.asked,
                                    "spoken": ans.spoken, "voice": ans.voice,
                                    "rate": ans.rate_factor, "pause": ans.pause,
                                    "noise": ans.noise_label, "seed": ans.seed,
                                    "full": [res["full"].passed, list(res["full"].reasons),
                                             res["full"].heard],
                                    "this": [res[name].passed, list(res[name].reasons),
                                             res[name].heard],
                                    "plain_heard": {k: heard[k] for k in ("full", name)}})
        print(f"{n} answers, {time.perf_counter() - t0:.0f} s", file=sys.stderr, flush=True)
    out = {"set": a.set, "quick": a.quick, "answers": n,
           "configs": {name: {"decisions": {k: {"right": sum(v), "n": len(v)}
                                            for k, v in tally[name].items()},
                              "plain_hypotheses_differing": len(hyp_diff[name]),
                              "plain_hypotheses": hyp_diff[name],
                              "check_cpu_s": round(cpu[name], 2)}
                       for name in configs},
           "changed_decisions": changed, "wall_s": round(time.perf_counter() - t0, 1)}
    out_dir = ROOT / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    name = f"whisper-window-{a.set}{'-quick' if a.quick else ''}.json"
    (out_dir / name).write_text(json.dumps(out, indent=1))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
