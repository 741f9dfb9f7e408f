"""Study: does a threshold per reference quality band lower FNMR at zero false matches?

Each reference is put in a band from the reference alone (the bands and their
limits were fixed before any match result was looked at):

- ``large``: face box at least ``LARGE_FACE_PX`` wide (a photo, not a chip);
- ``small_clean``: smaller, not blocky (8x8 block-border ratio <= ``BLOCKY``) and
  with contrast (sd of the grey face box) >= ``LOW_CONTRAST``;
- ``small_degraded``: the rest (JPEG blocks or faded).

For each band the zero-false-match threshold is chosen on the tuning people's
impostor pairs whose reference is in that band (every condition pooled); then
false matches and FNMR are counted on the held-out pairs with each pair's band
threshold, next to the single tuning threshold. Adopted only if it lowers the
held-out FNMR without a held-out false match.
"""

from __future__ import annotations

from typing import Any

import cv2
import numpy as np
from face_bench_metrics import zero_fm_threshold

#: Face box width (pixels, HOG-like box) from which a reference counts as large.
LARGE_FACE_PX = 100
#: 8x8 block-border ratio above which a reference is blocky (chips 0.85-1.16, JPEG q15
#: chips 1.47-2.12: bench/study_face_preprocessing.py).
BLOCKY = 1.4
#: sd of the grey face box below which a reference counts as faded (grey levels 0..255).
LOW_CONTRAST = 30.0
BANDS = ("large", "small_clean", "small_degraded")


def blockiness(grey: np.ndarray) -> float:
    """Mean grey step across 8-px block borders over the mean step elsewhere (1 = none)."""
    g = grey.astype(np.float32)

    def ratio(steps: np.ndarray) -> float:
        on = (np.arange(len(steps)) % 8) == 7
        if not on.any() or on.all():
            return 1.0
        return float(steps[on].mean() / max(float(steps[~on].mean()), 1e-6))

    return (ratio(np.abs(np.diff(g, axis=1)).mean(axis=0))
            + ratio(np.abs(np.diff(g, axis=0)).mean(axis=1))) / 2


def reference_measures(a: Any) -> dict[str, float] | None:
    """Face width (px), blockiness and contrast of one analysed reference (``None``: no face).

    Blockiness is measured on the face box snapped outwards to the 8-px grid of the
    image (where JPEG's blocks are); contrast is the sd of its grey levels.
    """
    if a is None or a.quality.face is None:
        return None
    b = a.quality.face.box
    grey = cv2.cvtColor(a.rgb, cv2.COLOR_RGB2GRAY)
    h, w = grey.shape
    x0, y0 = max(0, b.left) // 8 * 8, max(0, b.top) // 8 * 8
    x1, y1 = min(w, b.right), min(h, b.bottom)
    face = grey[y0:y1, x0:x1]
    if face.shape[0] < 16 or face.shape[1] < 16:
        face = grey
    return {"face_px": float(b.width), "blockiness": blockiness(face),
            "contrast": float(face.std())}


def band_of(m: dict[str, float] | None) -> str:
    if m is None:
        return "small_degraded"
    if m["face_px"] >= LARGE_FACE_PX:
        return "large"
    if m["blockiness"] > BLOCKY or m["contrast"] < LOW_CONTRAST:
        return "small_degraded"
    return "small_clean"


def band_study(dist: dict[str, np.ndarray], refs: dict[str, list[Any]],
               masks: dict[str, np.ndarray], conditions: list[str],
               single: dict[str, Any]) -> dict[str, Any]:
    """Per-band thresholds (tuning people) against the single tuning threshold, on the
    held-out pairs; ``single`` is the variant's ``evaluate`` result."""
    measures = {c: [reference_measures(a) for a in refs[c]] for c in conditions}
    bands = {c: np.array([band_of(m) for m in measures[c]]) for c in conditions}
    g, i = masks["genuine"], masks["impostor"]
    thresholds: dict[str, float] = {}
    for b in BANDS:
        imp = [dist[c][(bands[c] == b)[:, None] & i & masks["tuning"]] for c in conditions]
        t = zero_fm_threshold(np.concatenate(imp))
        thresholds[b] = round(t if np.isfinite(t) else single["tuning_threshold"], 4)
    per_cond: dict[str, Any] = {}
    tot = {"banded_fnm": 0, "single_fnm": 0, "genuine": 0, "banded_fm": 0, "single_fm": 0}
    for c in conditions:
        t_pair = np.vectorize(thresholds.get)(bands[c])[:, None] * np.ones_like(dist[c])
        d = dist[c]
        gh, ih = g & masks["held_out"], i & masks["held_out"]
        fnm = int(np.sum(~(d[gh] <= t_pair[gh])))
        fm = int(np.sum(d[ih] <= t_pair[ih]))
        s = single["conditions"][c]["held_out"]
        found = [m for m in measures[c] if m is not None]
        per_cond[c] = {"band_counts": {b: int(np.sum(bands[c] == b)) for b in BANDS},
                       "median_measures": {k: round(float(np.median([m[k] for m in found])), 2)
                                           for k in ("face_px", "blockiness", "contrast")}
                       if found else None,
                       "banded_fnmr": fnm / max(1, int(gh.sum())), "banded_false_matches": fm,
                       "single_fnmr": s["fnmr"], "single_false_matches": s["false_matches"]}
        if c != "as_is":
            tot["banded_fnm"] += fnm
            tot["single_fnm"] += s["false_non_matches"]
            tot["genuine"] += int(gh.sum())
        tot["banded_fm"] += fm
        tot["single_fm"] += s["false_matches"]
    adopt = tot["banded_fm"] == 0 and tot["banded_fnm"] < tot["single_fnm"]
    return {"thresholds": thresholds, "single_threshold": single["tuning_threshold"],
            "conditions": per_cond, "degraded_totals": tot, "adopt": adopt}


def print_band_study(name: str, b: dict[str, Any]) -> None:
    print(f"\nquality bands, {name}: thresholds {b['thresholds']} (tuning people; single "
          f"{b['single_threshold']}); held out FNMR % / false matches, banded vs single:")
    for c, r in b["conditions"].items():
        print(f"  {c:<26} {100 * r['banded_fnmr']:>6.1f} /{r['banded_false_matches']:>3}   "
              f"{100 * (r['single_fnmr'] or 0):>6.1f} /{r['single_false_matches']:>3}   "
              f"bands {r['band_counts']} medians {r['median_measures']}")
    t = b["degraded_totals"]
    print(f"  degraded totals: banded {t['banded_fnm']}/{t['genuine']} non-matches, "
          f"{t['banded_fm']} false matches; single {t['single_fnm']}/{t['genuine']}, "
          f"{t['single_fm']}; adopt: {b['adopt']}")


__all__ = ["BANDS", "band_of", "band_study", "blockiness", "print_band_study",
           "reference_measures"]
