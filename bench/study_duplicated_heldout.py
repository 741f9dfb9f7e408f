"""The duplicated-frame attack alone on the held-out quick layout (issue 12).

Builds, for each of the 18 sessions of ``bench_liveness.py --set held-out
--quick``, the genuine clip and its duplicated-frame attack exactly as the
bench does (same seeds, the random draws consumed in the same order) and
runs the full check on the attack only: a fast check that the copied-frame
rule still catches copies under every held-out encoder and noise treatment.

    .venv/bin/python bench/study_duplicated_heldout.py   # one JSON line per session
"""

import json
import sys
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import bench_liveness as bl  # noqa: E402
from bench_liveness import NOW, atk, gen, issue_challenge  # noqa: E402


def one(i: int) -> dict:
    rec, _, rng, ch, _, _, _, clip = bl.genuine_session(i, gen.PHOTOS[i % len(gen.PHOTOS)],
                                                        "held-out", quick=True)
    # The draws run_session makes before the duplicated-frame attack, in order.
    bl._permuted(ch.actions, rng)
    bl._other_actions(ch.actions, rng)
    issue_challenge(rng, now=NOW, screen_colours=12)
    for lo, hi in ((0.6, 0.9), (0.3, 0.6), (0.8, 1.5), (0.3, 0.7)):
        rng.uniform(lo, hi)
    every = rng.choice((1, 2, 3))
    data = gen.encode_video(atk.duplicate_frames(clip, every=every), rec.encoding)
    row = bl._check(data, rec.encoding, ch.actions, None)
    row.update(session=i, rec=rec.name, every=every)
    return row

if __name__ == "__main__":
    with ProcessPoolExecutor(2) as ex:
        for r in ex.map(one, range(18)):
            print(json.dumps(r), flush=True)
