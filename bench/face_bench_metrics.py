"""Error rates of a matcher from its distance matrices (lower distance = more alike).

``d[cond]`` is an (n, n) array of distances, reference i against live j, with
NaN where the pair cannot be decided (no single face on a side): an undecided
same-person pair counts as a false non-match, an undecided different-person pair
as a (correct) non-match.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

#: Threshold grid of the policy rule: the largest multiple of this below every impostor.
STEP = 0.01


def zero_fm_threshold(impostors: np.ndarray, step: float = STEP) -> float:
    """The largest multiple of ``step`` strictly below the lowest impostor distance."""
    imp = impostors[~np.isnan(impostors)]
    if not len(imp):
        return math.inf
    return math.floor((float(imp.min()) - 1e-9) / step) * step


def fnmr_fm(d: np.ndarray, genuine: np.ndarray, impostor: np.ndarray, threshold: float
            ) -> dict[str, Any]:
    """FNMR (undecided genuine pairs included) and false matches at ``threshold``."""
    g = d[genuine]
    i = d[impostor]
    fnm = int(np.sum(~(g <= threshold)))  # NaN counts as a non-match
    fm = int(np.sum(i <= threshold))
    return {"genuine": int(g.size), "impostor": int(i.size), "false_non_matches": fnm,
            "false_matches": fm, "fnmr": fnm / g.size if g.size else None,
            "fmr": fm / i.size if i.size else None, "undecided": int(np.isnan(g).sum()
                                                                    + np.isnan(i).sum())}


def eer(gen: np.ndarray, imp: np.ndarray) -> float | None:
    """Equal error rate over the decided pairs (mean of FMR and FNMR where closest)."""
    gen, imp = gen[~np.isnan(gen)], imp[~np.isnan(imp)]
    if not len(gen) or not len(imp):
        return None
    ts = np.unique(np.concatenate([gen, imp]))
    gs, is_ = np.sort(gen), np.sort(imp)
    fmr = np.searchsorted(is_, ts, side="right") / len(is_)
    fnmr = 1 - np.searchsorted(gs, ts, side="right") / len(gs)
    k = int(np.argmin(np.abs(fmr - fnmr)))
    return round(float((fmr[k] + fnmr[k]) / 2), 4)


def det_points(gen: np.ndarray, imp: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(FMR, FNMR) at every distinct distance (decided pairs)."""
    gen, imp = gen[~np.isnan(gen)], imp[~np.isnan(imp)]
    ts = np.unique(np.concatenate([gen, imp, [-1e9, 1e9]]))
    fmr = np.searchsorted(np.sort(imp), ts, side="right") / max(1, len(imp))
    fnmr = 1 - np.searchsorted(np.sort(gen), ts, side="right") / max(1, len(gen))
    return fmr, fnmr


def evaluate(d: dict[str, np.ndarray], masks: dict[str, np.ndarray],
             conditions: list[str]) -> dict[str, Any]:
    """The pooled zero-false-match threshold (all pairs, every condition), FNMR per
    condition there, EER per condition, and the held-out report: threshold pooled
    over the tuning people's pairs only, FM and FNMR on the held-out pairs."""
    gen, imp = masks["genuine"], masks["impostor"]
    pooled = zero_fm_threshold(np.concatenate([d[c][imp & masks["all"]] for c in conditions]))
    tuned = zero_fm_threshold(np.concatenate([d[c][imp & masks["tuning"]] for c in conditions]))
    out: dict[str, Any] = {"pooled_threshold": round(pooled, 4),
                           "tuning_threshold": round(tuned, 4), "conditions": {}}
    for c in conditions:
        row = fnmr_fm(d[c], gen & masks["all"], imp & masks["all"], pooled)
        row["eer"] = eer(d[c][gen & masks["all"]], d[c][imp & masks["all"]])
        i = d[c][imp & masks["all"]]
        row["min_impostor"] = round(float(np.nanmin(i)), 4) if np.isfinite(i).any() else None
        row["held_out"] = fnmr_fm(d[c], gen & masks["held_out"], imp & masks["held_out"], tuned)
        out["conditions"][c] = row
    ho = [out["conditions"][c]["held_out"] for c in conditions]
    out["held_out_false_matches"] = sum(r["false_matches"] for r in ho)
    return out


__all__ = ["STEP", "det_points", "eer", "evaluate", "fnmr_fm", "zero_fm_threshold"]
