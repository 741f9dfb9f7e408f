"""Study: would a count tolerance corroborated by syllable durations help? (not adopted)

Where no recogniser exists (cmn, yue, ug) the syllable count is the only check of how
many digits were said, and it has no margin: a one-syllable digit changes it by one.
Read as one run of speech, two syllables that meet without a consonant can merge into
one nucleus, and the genuine answer counts one short. This study asks whether the
answer's own timing can tell such a merge from a digit left out: it accepts a count
short of the expected by ``k`` when ``k`` nuclei are at least ``ratio`` times as
long as the answer's median nucleus (a nucleus's length: the time, between the dips
on either side, that the 250-2,000 Hz contour stays within 8 dB of its peak).

For each condition set of ``bench/voice_conditions.py`` it prints, per language, the
genuine pass rate and the wrong-count rejection with the strict count (the checker of
policy 2026.12-2) and with the corroborated tolerance at each ratio.

Run: ``python bench/study_voice_count_tolerance.py [--sets tuning,held-out] [--quick]``
(the speech is the bench's, cached in ``tests/media/out/voice/``).
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

import voice_conditions as vc  # noqa: E402

RATIOS = (1.5, 1.7, 2.0)
LANGS = ("cmn", "yue", "ug")


def nuclei(x: np.ndarray, language: str, vad, policy) -> tuple[int, np.ndarray]:
    """The checker's nucleus count of ``x`` and each nucleus's length in seconds."""
    from simkyc.voice import get_language
    from simkyc.voice.check import count_units, customer_speech
    from simkyc.voice.units import smoothed_db, speech_envelope

    env = speech_envelope(x)
    segs = customer_speech(env, vad.probabilities(x), policy)
    units = count_units(env, segs, get_language(language), policy)
    db = smoothed_db(env)
    peaks = [int(t / env.hop_s) for t in units.times]
    lengths = []
    for j, p in enumerate(peaks):
        seg = next(s for s in segs if s.start - 0.02 <= p * env.hop_s <= s.end + 0.02)
        prev_in = j > 0 and peaks[j - 1] * env.hop_s >= seg.start
        next_in = j + 1 < len(peaks) and peaks[j + 1] * env.hop_s <= seg.end
        lo = peaks[j - 1] + int(np.argmin(db[peaks[j - 1]:p + 1])) if prev_in else int(
            seg.start / env.hop_s)
        hi = p + int(np.argmin(db[p:peaks[j + 1] + 1])) if next_in else int(
            seg.end / env.hop_s)
        lengths.append(float(np.sum(db[lo:hi + 1] >= db[p] - 8.0) * env.hop_s))
    return units.count, np.array(lengths)


def study(sets: tuple[str, ...], quick: bool) -> dict[str, Any]:
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.voice import get_language
    from simkyc.voice.vad import SileroVad

    vad, policy = SileroVad(), DEFAULT_POLICY.voice
    out: dict[str, Any] = {}
    for name in sets:
        out[name] = {}
        for code in LANGS:
            lang = get_language(code)
            tally: dict[str, dict[str, list[bool]]] = {}
            for group in vc.answers(vc.SETS[name], code, quick=quick):
                for a in group:
                    n, lengths = nuclei(vc.speech(a), code, vad, policy)
                    expected = lang.expected_syllables(a.asked)
                    med = float(np.median(lengths)) if len(lengths) else 0.0
                    kind = "genuine" if a.kind == "genuine" else "wrong_count"
                    for rule in ("strict", *(f"x{r:g}" for r in RATIOS)):
                        long = 0 if rule == "strict" or not med else int(
                            np.sum(lengths >= float(rule[1:]) * med))
                        accepted = n == expected or (n < expected <= n + long)
                        ok = accepted if kind == "genuine" else not accepted
                        tally.setdefault(rule, {}).setdefault(kind, []).append(ok)
            out[name][code] = {rule: {k: round(sum(v) / len(v), 4) for k, v in kinds.items()}
                               for rule, kinds in tally.items()}
            out[name][code]["n"] = len(tally["strict"]["genuine"])
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sets", default="tuning,held-out")
    ap.add_argument("--quick", action="store_true")
    a = ap.parse_args(argv)
    res = study(tuple(s for s in a.sets.split(",") if s), a.quick)
    for name, langs in res.items():
        for code, rules in langs.items():
            cells = [f"{rule}: genuine {100 * v['genuine']:.1f}% wrong count rejected "
                     f"{100 * v['wrong_count']:.1f}%" for rule, v in rules.items() if rule != "n"]
            print(f"{name:9} {code:4} ({rules['n']} genuine)  " + " | ".join(cells))
    print(json.dumps({"study": "voice-count-tolerance", **res}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
