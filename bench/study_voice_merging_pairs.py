"""Which digit pairs run together into one syllable nucleus (docs/voice.md, "Digits that merge").

For every ordered pair of different digits ``ab`` of a language, the tuning set's voice
variants (``bench/voice_conditions.py``: base, +m3, +f2, +klatt, +m1, +f3) read ``a b``
as one run of speech (no pause) at each tuning rate (0.7x, 1.0x, 1.3x), pitch 45; the
policy's counter counts the nuclei. A pair *merges* when the count falls short of the
expected in at least ``--min-short`` of those 18 readings (default 4, 22 %); such pairs
are :attr:`simkyc.voice.languages.DigitLanguage.merging`, never drawn next to each other
in that order. Only the tuning set is read, never the held-out one.

The count is the checker's, with the pitch split of merged nuclei (policy
``syllable_split_*``); ``--no-pitch-split`` counts as policy 2026.12-4 did, which chose
the merging pairs. The last line totals the readings counted short, right and over, for
the pairs a challenge may draw and for the others (merging pairs, and Mandarin 0).

    python bench/study_voice_merging_pairs.py --lang cmn [--no-pitch-split]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tests" / "media"))
sys.path.insert(0, str(ROOT / "bench"))


def study(code: str, pitch_split: bool = True) -> dict[str, list[int]]:
    """``{"ab": [count - expected for each of the 18 readings]}``."""
    import dataclasses

    import voice_conditions as vc
    import voice_generate as gen

    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.voice import get_language, load_voice_models
    from simkyc.voice.check import count_units, customer_speech
    from simkyc.voice.pitch import pitch_track
    from simkyc.voice.units import speech_envelope

    models = load_voice_models(from_environment=False)
    policy = DEFAULT_POLICY.voice
    if not pitch_split:
        policy = dataclasses.replace(policy, syllable_split=False)
    lang = get_language(code)
    out: dict[str, list[int]] = {}
    for a, b in itertools.product(range(10), range(10)):
        if a == b:
            continue
        digits = f"{a}{b}"
        diffs = []
        for i, variant in enumerate(vc.TUNING.variants):
            for factor in vc.TUNING.rate_factors:
                x = gen.speak(code, digits, voice=lang.espeak_voices[0] + variant,
                              rate=round(gen.ESPEAK_DEFAULT_WPM * factor), seed=7000 + i,
                              pitch=45, pause="none")
                env = speech_envelope(x)
                segments = customer_speech(env, models.vad.probabilities(x), policy)
                diffs.append(count_units(env, segments, lang, policy, pitch_track(x)).count
                             - lang.expected_syllables(digits))
        out[digits] = diffs
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lang", required=True)
    parser.add_argument("--min-short", type=int, default=4)
    parser.add_argument("--json", help="write every pair's counts to this file")
    parser.add_argument("--no-pitch-split", action="store_true",
                        help="count without the pitch split (policy 2026.12-4)")
    args = parser.parse_args(argv)
    res = study(args.lang, pitch_split=not args.no_pitch_split)
    if args.json:
        Path(args.json).write_text(json.dumps(res, indent=1))
    merging = []
    for pair, diffs in res.items():
        short, over = sum(d < 0 for d in diffs), sum(d > 0 for d in diffs)
        if short or over:
            print(f"{pair}: short {short}/{len(diffs)}, over {over}/{len(diffs)}")
        if short >= args.min_short:
            merging.append((int(pair[0]), int(pair[1])))
    print("merging:", merging)
    from simkyc.voice import get_language

    lang = get_language(args.lang)
    totals: dict[str, dict[str, int]] = {}
    for pair, diffs in res.items():
        a, b = int(pair[0]), int(pair[1])
        drawable = (a, b) not in lang.merging and not {a, b} & lang.never_drawn
        t = totals.setdefault("drawable" if drawable else "not drawn", {
            "short": 0, "right": 0, "over": 0})
        for d in diffs:
            t["short" if d < 0 else "over" if d > 0 else "right"] += 1
    print(json.dumps({"study": "voice-merging-pairs", "lang": args.lang,
                      "pitch_split": not args.no_pitch_split, "readings": totals}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
