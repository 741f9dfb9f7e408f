"""Face benchmark: dlib and SFace side by side, on the same pairs and references (issue 18).

For every matcher variant (``VARIANTS``: the face_recognition-style dlib
pipeline, the tuned dlib pipeline with the HOG or the YuNet detector, SFace +
YuNet with and without each tuning step, and a score fusion) it measures, on
every ordered pair of the 76 single-face photos of 18 people (the first photo as
the reference, degraded as ``face_bench_data.CONDITIONS`` lists):

- FNMR at the **pooled zero-false-match threshold** (the largest 0.01 step below
  every different-person distance of every condition, the policy's rule), and
  the EER, per condition;
- the **held-out report**: the same threshold chosen on the 12 tuning people's
  pairs only, then false matches and FNMR on every pair with one of the 6
  held-out people (``face_bench_data``);
- CPU ms per embedding, and CPU ms per ``match_faces`` comparison of a 640x480
  live frame against a cached 102x126 ID-card reference for each selectable
  pipeline;
- a DET plot (``bench/out/faces_det.png``).

Then the quality-band study (``face_quality_bands``) and the detector study
(``face_detectors``: YuNet against HOG on small references and the quality
gate's cases). Analyses are run once per image, condition and detector; each
variant only re-embeds.

    .venv/bin/python bench/bench_faces.py [--quick]

Prints tables and, last, one JSON line; writes ``bench/out/faces.json``.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from face_bench_data import (  # noqa: E402
    CONDITIONS,
    DETECTOR_SETUPS,
    DF,
    OUT,
    Analysed,
    all_identities,
    analyse,
    held_out_people,
    pair_masks,
    seed_for,
)
from face_bench_metrics import det_points, evaluate, fnmr_fm  # noqa: E402

from simkyc.face.pipelines import DLIB_PREPROCESSING, Preprocessing  # noqa: E402

MAX_FNMR_DEGRADED = 0.03
#: The conditions on which the default model is chosen (issue 18).
DECIDING = ("chip_102x126", "chip_jpeg_q15")


@dataclass(frozen=True)
class Variant:
    """A matcher: ``model`` ``"peer"`` (face_recognition-style: HOG x1 upsampled on the
    full image, raw dlib vectors, colour, first face), ``"dlib"`` or ``"sface"``; a
    detector set-up; how faces are prepared."""

    name: str
    model: str
    setup: str
    prep: Preprocessing | None = None


def _p(**kw: Any) -> Preprocessing:
    return Preprocessing(**kw)


VARIANTS = (
    Variant("dlib_plain", "peer", "hog"),
    Variant("dlib_tuned", "dlib", "hog", DLIB_PREPROCESSING),
    Variant("dlib_tuned_yunet", "dlib", "yunet", DLIB_PREPROCESSING),
    Variant("sface_plain", "sface", "yunet", _p(grey=False)),
    Variant("sface_grey", "sface", "yunet", _p(grey=True)),
    Variant("sface_colour_refmirror", "sface", "yunet", _p(grey=False, reference_mirror=True)),
    Variant("sface_grey_refmirror", "sface", "yunet", _p(grey=True, reference_mirror=True)),
    Variant("sface_grey_refmirror_noup", "sface", "yunet_noup",
            _p(grey=True, reference_mirror=True)),
    Variant("sface_grey_refmirror_refup112", "sface", "yunet",
            _p(grey=True, reference_mirror=True, reference_upscale_face_px=112)),
    Variant("sface_grey_refmirror_blur0.6", "sface", "yunet",
            _p(grey=True, reference_mirror=True, reference_blur_sigma=0.6)),
    Variant("sface_grey_refmirror_blur1.0", "sface", "yunet",
            _p(grey=True, reference_mirror=True, reference_blur_sigma=1.0)),
    Variant("sface_grey_mirror_both", "sface", "yunet",
            _p(grey=True, reference_mirror=True, live_mirror=True)),
    # Added after the first full run (native-size YuNet on small references helped):
    Variant("sface_grey_refmirror_noup_blur0.6", "sface", "yunet_noup",
            _p(grey=True, reference_mirror=True, reference_blur_sigma=0.6)),
    Variant("sface_grey_refmirror_noup_blur1.0", "sface", "yunet_noup",
            _p(grey=True, reference_mirror=True, reference_blur_sigma=1.0)),
    Variant("sface_grey_mirror_both_noup", "sface", "yunet_noup",
            _p(grey=True, reference_mirror=True, live_mirror=True)),
    Variant("sface_grey_mirror_both_noup_blur0.6", "sface", "yunet_noup",
            _p(grey=True, reference_mirror=True, live_mirror=True, reference_blur_sigma=0.6)),
)
#: Score fusion of each model's chosen variant (z-normalised mean of the distances,
#: mean and sd from the tuning people's impostor pairs).
FUSION = "fusion_dlib+sface"


# ----------------------------------------------------------------------------- analysis
def peer_embedding(img: np.ndarray, models: Any) -> np.ndarray | None:
    """face_recognition's default path: face_locations(upsample=1, 'hog') on the full image,
    face_encodings (5-point landmarks), the first face."""
    rects = models.detector(img, 1)
    if not rects:
        return None
    shape = models.shape_predictor(img, rects[0])
    return np.asarray(models.encoder.compute_face_descriptor(img, shape, 1), np.float64)


class Embedder:
    """Embeddings per variant, each side computed once and shared between variants
    that prepare it the same way; CPU seconds per embedding are recorded."""

    def __init__(self, models: Any, live: dict[str, list[Analysed]],
                 refs: dict[str, dict[str, list[Analysed | None]]]) -> None:
        self.models, self.live, self.refs = models, live, refs
        self.cache: dict[tuple[Any, ...], np.ndarray] = {}
        self.cpu: dict[str, list[float]] = {}
        self.key_cpu: dict[tuple[Any, ...], float] = {}

    def _one(self, a: Analysed | None, v: Variant, role: str) -> np.ndarray:
        from simkyc.face.pipelines import embed_for_match

        if a is None or a.chip is None or a.quality.face is None:
            return np.full(128, np.nan)
        assert v.prep is not None
        return embed_for_match(a.rgb, a.quality.face, self.models, model=v.model, role=role,
                               prep=v.prep, chip=a.chip)

    def side(self, v: Variant, role: str, cond: str) -> np.ndarray:
        prep = v.prep
        if role == "live":
            key: tuple[Any, ...] = (v.model, v.setup, "live", prep and prep.grey,
                                    prep and prep.live_mirror)
        else:
            key = (v.model, v.setup, "reference", cond, prep)
        if key in self.cache:
            self.cpu.setdefault(f"{v.name}|{role}", []).append(self.key_cpu[key])
            return self.cache[key]
        items = self.live[v.setup] if role == "live" else self.refs[v.setup][cond]
        t = time.process_time()
        if v.model == "peer":
            rows = [self._peer(a) for a in items]
        else:
            rows = [self._one(a, v, role) for a in items]
        n = sum(1 for r in rows if np.isfinite(r).all())
        self.key_cpu[key] = (time.process_time() - t) / max(1, n)
        self.cpu.setdefault(f"{v.name}|{role}", []).append(self.key_cpu[key])
        self.cache[key] = np.stack(rows)
        return self.cache[key]

    def _peer(self, a: Analysed | None) -> np.ndarray:
        e = None if a is None else peer_embedding(a.rgb, self.models)
        return np.full(128, np.nan) if e is None else e


def distances(ref: np.ndarray, live: np.ndarray) -> np.ndarray:
    """(n, n) Euclidean distances, NaN where either side has no embedding."""
    d = np.sqrt(np.maximum(0.0, (ref ** 2).sum(1)[:, None] + (live ** 2).sum(1)[None, :]
                           - 2 * ref @ live.T))
    np.fill_diagonal(d, np.nan)
    return d


def fused(ds: list[dict[str, np.ndarray]], masks: dict[str, np.ndarray],
          conditions: list[str]) -> dict[str, np.ndarray]:
    """Mean of z-normalised distances (mean and sd of the tuning impostor distances)."""
    out: dict[str, np.ndarray] = {}
    stats = []
    for d in ds:
        imp = np.concatenate([d[c][masks["impostor"] & masks["tuning"]] for c in conditions])
        imp = imp[~np.isnan(imp)]
        stats.append((float(imp.mean()), float(imp.std())))
    for c in conditions:
        out[c] = np.mean([(d[c] - m) / s for d, (m, s) in zip(ds, stats, strict=True)], axis=0)
    return out


# ----------------------------------------------------------------------------- the run
def run(quick: bool) -> dict[str, Any]:
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.face.degrade import DEGRADATIONS
    from simkyc.face.detection import detect_faces
    from simkyc.face.models import load_face_models, open_face_mesh
    from simkyc.media.images import read_image_file

    models = load_face_models()
    ids = all_identities()
    if quick:
        keep = [p for p in ids if p.parent != DF] + sorted(p for p in ids if p.parent == DF)[:16]
        ids = {p: ids[p] for p in keep}
    paths = sorted(ids)
    persons = [ids[p] for p in paths]
    held = held_out_people(set(all_identities().values()))
    conditions = (["as_is", "chip_102x126", "chip_jpeg_q15", "id_card_all"] if quick
                  else list(CONDITIONS))
    setups = list(DETECTOR_SETUPS)
    print(f"{len(paths)} photos, {len(set(persons))} people (held out: {sorted(held)}); "
          f"conditions {conditions}", file=sys.stderr)

    live: dict[str, list[Analysed]] = {s: [] for s in setups}
    refs: dict[str, dict[str, list[Analysed | None]]] = {
        s: {c: [] for c in conditions} for s in setups}
    degraded: dict[str, list[np.ndarray | None]] = {c: [] for c in conditions}
    mesh = open_face_mesh(static_image_mode=True, max_num_faces=1)
    t0 = time.perf_counter()
    for i, p in enumerate(paths):
        img = read_image_file(p)
        # Degraded references are cut around dlib's HOG box on the original photo
        # (whatever the detector under test), so every matcher sees the same images.
        faces = detect_faces(img, models)
        for c in conditions:
            if c == "as_is":
                degraded[c].append(img)
            elif faces:
                rng = np.random.default_rng(seed_for(p.name, c))
                degraded[c].append(DEGRADATIONS[c](img, faces[0].box, rng))
            else:
                degraded[c].append(None)
        for s in setups:
            live[s].append(analyse(img, models, s, "live", mesh))
            for c in conditions:
                deg = degraded[c][-1]
                refs[s][c].append(None if deg is None
                                  else analyse(deg, models, s, "reference", None))
        if i % 10 == 0:
            print(f"  analysed {i + 1}/{len(paths)} ({time.perf_counter() - t0:.0f} s)",
                  file=sys.stderr)
    mesh.close()

    masks = pair_masks(persons, held)
    emb = Embedder(models, live, refs)
    dist: dict[str, dict[str, np.ndarray]] = {}
    results: dict[str, Any] = {"photos": len(paths), "people": len(set(persons)),
                               "held_out_people": sorted(held),
                               "policy_version": DEFAULT_POLICY.version,
                               "pairs": {k: int(v.sum()) for k, v in masks.items()},
                               "variants": {}}
    for v in VARIANTS:
        tv = time.perf_counter()
        lv = emb.side(v, "live", "")
        dist[v.name] = {c: distances(emb.side(v, "reference", c), lv) for c in conditions}
        results["variants"][v.name] = evaluate(dist[v.name], masks, conditions)
        print(f"  {v.name}: {time.perf_counter() - tv:.0f} s", file=sys.stderr)
    for v in VARIANTS:
        r = results["variants"][v.name]
        r["cpu_ms_per_live_embedding"] = round(1000 * float(np.mean(emb.cpu[f"{v.name}|live"])), 1)
        r["cpu_ms_per_reference_embedding"] = round(
            1000 * float(np.mean(emb.cpu[f"{v.name}|reference"])), 1)
    results["tuning_fnmr"] = tuning_fnmr(dist, masks, conditions, results)
    results["choice"] = choose(results, conditions)
    parts = list(results["choice"]["per_model_best"].values())
    dist[FUSION] = fused([dist[p] for p in parts], masks, conditions)
    results["variants"][FUSION] = evaluate(dist[FUSION], masks, conditions)
    results["variants"][FUSION]["parts"] = parts
    results["tuning_fnmr"].update(tuning_fnmr({FUSION: dist[FUSION]}, masks, conditions,
                                              results))
    results["held_out_false_matches"] = {
        n: false_match_people(dist[n], masks, persons, conditions,
                              results["variants"][n]["tuning_threshold"])
        for n in [*parts, FUSION]}
    results["pair_sets"] = pair_sets(dist, paths, ids, results)
    results["policy_check"] = policy_check(results)

    from face_detectors import detector_study
    from face_quality_bands import band_study

    setup_of = {v.name: v.setup for v in VARIANTS}
    results["quality_bands"] = {
        v: band_study(dist[v], refs[setup_of[v]], masks, conditions, results["variants"][v])
        for v in results["choice"]["per_model_best"].values()}
    results["detectors"] = detector_study(models, paths, live, refs, conditions, quick)
    results["timing"] = timing(paths, ids, models, quick)
    results["analysis_wall_s"] = round(time.perf_counter() - t0, 1)
    OUT.mkdir(parents=True, exist_ok=True)
    plot(dist, masks, results, OUT)
    return results


def tuning_fnmr(dist: dict[str, dict[str, np.ndarray]], masks: dict[str, np.ndarray],
                conditions: list[str], results: dict[str, Any]) -> dict[str, Any]:
    """FNMR on the tuning people's own pairs at their threshold (what a variant is chosen by)."""
    out = {}
    g, i = masks["genuine"] & masks["tuning"], masks["impostor"] & masks["tuning"]
    for name, d in dist.items():
        t = results["variants"][name]["tuning_threshold"]
        out[name] = {c: fnmr_fm(d[c], g, i, t)["fnmr"] for c in conditions}
    return out


def false_match_people(d: dict[str, np.ndarray], masks: dict[str, np.ndarray],
                       persons: list[str], conditions: list[str], threshold: float
                       ) -> dict[str, int]:
    """Which pairs of people the held-out false matches at ``threshold`` are (every
    condition; ``a|b`` sorted, counted once per ordered pair and condition)."""
    counts: dict[str, int] = {}
    sel = masks["impostor"] & masks["held_out"]
    for c in conditions:
        for i, j in zip(*np.nonzero(sel & (d[c] <= threshold)), strict=True):
            key = "|".join(sorted((persons[i], persons[j])))
            counts[key] = counts.get(key, 0) + 1
    return dict(sorted(counts.items(), key=lambda kv: -kv[1]))


def choose(results: dict[str, Any], conditions: list[str]) -> dict[str, Any]:
    """Each model's variant is the one with the lowest tuning FNMR summed over the
    deciding conditions (chosen without the held-out people); the default model is
    the one whose variant has the lower pooled FNMR summed over them (issue 18)."""
    deciding = [c for c in DECIDING if c in conditions]
    best: dict[str, str] = {}
    for model in ("dlib", "sface"):
        names = [v.name for v in VARIANTS if v.model == model]
        best[model] = min(names, key=lambda n: sum(results["tuning_fnmr"][n][c]
                                                   for c in deciding))

    def pooled(n: str) -> float:
        return sum(results["variants"][n]["conditions"][c]["fnmr"] for c in deciding)

    winner = min(best, key=lambda m: pooled(best[m]))
    return {"deciding_conditions": deciding, "per_model_best": best, "winner": winner,
            "pooled_fnmr_sum": {m: round(pooled(n), 4) for m, n in best.items()}}


def policy_check(results: dict[str, Any]) -> dict[str, Any]:
    """Does ``FacePolicy`` hold what this run measured (default model, each model's
    chosen variant and its pooled threshold)?"""
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.face.pipelines import DEFAULT_PREPROCESSING

    pol = DEFAULT_POLICY.face
    best = results["choice"]["per_model_best"]
    by_name = {v.name: v for v in VARIANTS}
    setups = {"dlib": (pol.dlib_detector, pol.small_image_side_px),
              "sface": ("yunet", pol.yunet_small_image_side_px)}
    out: dict[str, Any] = {"default_model": pol.model, "winner": results["choice"]["winner"]}
    for model, name in best.items():
        v = by_name[name]
        out[model] = {
            "policy_threshold": getattr(pol, f"{model}_match_threshold"),
            "measured_threshold": results["variants"][name]["pooled_threshold"],
            "preprocessing_is_default": v.prep == DEFAULT_PREPROCESSING[model],
            "detector_is_default": DETECTOR_SETUPS[v.setup] == (setups[model][0],
                                                                setups[model][1]),
        }
    out["consistent"] = pol.model == out["winner"] and all(
        abs(out[m]["policy_threshold"] - out[m]["measured_threshold"]) < 1e-9
        and out[m]["preprocessing_is_default"] and out[m]["detector_is_default"] for m in best)
    return out


def pair_sets(dist: dict[str, dict[str, np.ndarray]], paths: list[Path],
              ids: dict[Path, str], results: dict[str, Any]) -> dict[str, Any]:
    """The labelled pairs of master.csv and face-recognition-pivot.csv (as-is references,
    each pair once, the first file as reference) at each best variant's pooled threshold,
    and deepface's published distances on the pivot pairs at deepface's thresholds."""
    index = {p: k for k, p in enumerate(paths)}
    out: dict[str, Any] = {}
    sets = {}
    for fname, dec in (("master.csv", "Decision"), ("face-recognition-pivot.csv", "decision")):
        rows = list(csv.DictReader((DF / fname).open()))
        sets[fname] = [(index[a], index[b], r[dec] == "Yes", r) for r in rows
                       if (a := DF / Path(r["file_x"]).name) in index
                       and (b := DF / Path(r["file_y"]).name) in index]
    for name in results["choice"]["per_model_best"].values():
        t = results["variants"][name]["pooled_threshold"]
        for fname, prs in sets.items():
            d = dist[name]["as_is"]
            gen = np.array([d[a, b] for a, b, s, _ in prs if s])
            imp = np.array([d[a, b] for a, b, s, _ in prs if not s])
            n_g, n_i = len(gen), len(imp)
            out[f"{fname}|{name}"] = {
                "genuine": n_g, "impostor": n_i,
                "fnmr": float(np.mean(~(gen <= t))) if n_g else None,
                "fmr": float(np.mean(imp <= t)) if n_i else None}
    thresholds = {"VGG-Face_cosine": 0.68, "Facenet_cosine": 0.40,
                  "Facenet_euclidean_l2": 0.80, "OpenFace_cosine": 0.10, "DeepFace_cosine": 0.23}
    for metric, t in thresholds.items():
        prs = sets["face-recognition-pivot.csv"]
        gen = np.array([float(r[metric]) for _, _, s, r in prs if s])
        imp = np.array([float(r[metric]) for _, _, s, r in prs if not s])
        out[f"pivot|deepface_{metric}"] = {"genuine": len(gen), "impostor": len(imp),
                                           "fnmr": float(np.mean(gen > t)),
                                           "fmr": float(np.mean(imp <= t))}
    return out


# ----------------------------------------------------------------------------- timing
def frame_640x480(img: np.ndarray) -> np.ndarray:
    import cv2

    h, w = img.shape[:2]
    f = min(480 / h, 640 / w)
    small = cv2.resize(img, (round(w * f), round(h * f)), interpolation=cv2.INTER_AREA)
    canvas = np.full((480, 640, 3), 90, np.uint8)
    y0, x0 = (480 - small.shape[0]) // 2, (640 - small.shape[1]) // 2
    canvas[y0 : y0 + small.shape[0], x0 : x0 + small.shape[1]] = small
    return canvas


def timing(paths: list[Path], ids: dict[Path, str], models: Any, quick: bool) -> dict[str, Any]:
    """CPU ms per ``match_faces`` call, live 640x480 frame vs a 102x126 ID-card reference,
    for each selectable pipeline, with the reference cached for the session and without."""
    from simkyc.face.degrade import id_card_reference
    from simkyc.face.detection import detect_faces
    from simkyc.face.matching import ReferenceCache, match_faces
    from simkyc.face.models import open_face_mesh
    from simkyc.face.pipelines import DEFAULT_PREPROCESSING, pipeline_id
    from simkyc.media.images import read_image_file

    by_person: dict[str, list[Path]] = {}
    for p in paths:
        by_person.setdefault(ids[p], []).append(p)
    pairs = [(v[0], v[1]) for v in by_person.values() if len(v) >= 2][: 4 if quick else 12]
    refs, lives = [], []
    for a, b in pairs:
        img = read_image_file(a)
        box = detect_faces(img, models)[0].box
        refs.append(id_card_reference(img, box, np.random.default_rng(seed_for(a.name, "t"))))
        lives.append(frame_640x480(read_image_file(b)))
    rounds = 2 if quick else 5
    out: dict[str, Any] = {"comparisons": len(pairs) * rounds, "live_frame": "640x480",
                           "reference": "102x126 id_card_all", "target_ms": 150}
    mesh = open_face_mesh(static_image_mode=True, max_num_faces=1)
    from simkyc.domain.policy import DEFAULT_POLICY

    for label, model, det in (("dlib_hog", "dlib", "hog"), ("dlib_yunet", "dlib", "yunet"),
                              ("sface_yunet", "sface", "yunet")):
        policy = dataclasses.replace(DEFAULT_POLICY.face, model=model, dlib_detector=det)
        row: dict[str, Any] = {"pipeline": pipeline_id(model, policy.detector,
                                                       DEFAULT_PREPROCESSING[model])}
        for cached in (True, False):
            caches = [ReferenceCache() if cached else None for _ in refs]
            if cached:
                for r, lv, cache in zip(refs, lives, caches, strict=True):
                    match_faces(r, lv, models, policy=policy, mesh=mesh, cache=cache)
            cpu = []
            for _ in range(rounds):
                for r, lv, cache in zip(refs, lives, caches, strict=True):
                    t = time.process_time()
                    match_faces(r, lv, models, policy=policy, mesh=mesh, cache=cache)
                    cpu.append(time.process_time() - t)
            row["cached" if cached else "no_cache"] = {
                "cpu_ms_mean": round(1000 * float(np.mean(cpu)), 1),
                "cpu_ms_p95": round(1000 * float(np.quantile(cpu, 0.95)), 1)}
        row["meets_target"] = row["cached"]["cpu_ms_mean"] <= 150
        out[label] = row
    mesh.close()
    cpu = []
    for _ in range(rounds):
        for r, lv in zip(refs, lives, strict=True):
            t = time.process_time()
            peer_embedding(r, models), peer_embedding(lv, models)
            cpu.append(time.process_time() - t)
    out["dlib_plain_no_cache"] = {"cpu_ms_mean": round(1000 * float(np.mean(cpu)), 1)}
    return out


# ----------------------------------------------------------------------------- output
def plot(dist: dict[str, dict[str, np.ndarray]], masks: dict[str, np.ndarray],
         res: dict[str, Any], out: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    best = res["choice"]["per_model_best"]
    shown = list(dict.fromkeys(["dlib_plain", best["dlib"], "sface_plain", best["sface"],
                                FUSION]))
    conds = [c for c in ("chip_102x126", "chip_jpeg_q15", "chip_q15_grey_faded_blur")
             if c in next(iter(dist.values()))]
    fig, axes = plt.subplots(1, len(conds), figsize=(5 * len(conds), 5), sharey=True)
    axes = np.atleast_1d(axes)
    g, i = masks["genuine"], masks["impostor"]
    for ax, c in zip(axes, conds, strict=True):
        for k, name in enumerate(shown):
            d = dist[name][c]
            fmr, fnmr = det_points(d[g], d[i])
            colour = plt.get_cmap("tab10")(k)
            ax.plot(np.clip(fmr, 1e-4, 1), np.clip(fnmr, 1e-3, 1), color=colour, lw=1.2,
                    label=name)
            t = res["variants"][name]["pooled_threshold"]
            fnm = float(np.mean(~(d[g] <= t)))
            ax.plot(1e-4, max(fnm, 1e-3), "o", color=colour, ms=5)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(c, fontsize=9)
        ax.set_xlabel("FMR (0 drawn at 1e-4; o = pooled zero-FM threshold)")
        ax.axhline(MAX_FNMR_DEGRADED, color="grey", lw=0.5)
        ax.grid(True, which="both", lw=0.3)
    axes[0].set_ylabel("FNMR")
    axes[0].legend(fontsize=7, loc="lower left")
    fig.tight_layout()
    fig.savefig(out / "faces_det.png", dpi=120)
    plt.close(fig)


def _pct(x: float | None) -> str:
    return "-" if x is None else f"{100 * x:.1f}"


def print_tables(res: dict[str, Any]) -> None:
    conds = list(next(iter(res["variants"].values()))["conditions"])
    short = {c: c.replace("chip_", "").replace("_102x126", "chip")[:12] for c in conds}
    print(f"policy {res['policy_version']}: {res['photos']} photos, {res['people']} people; "
          f"ordered pairs {res['pairs']['genuine']} same / {res['pairs']['impostor']} different "
          f"per condition; held out {res['held_out_people']}")
    print("\nFNMR % at the pooled zero-false-match threshold (every pair, every condition):")
    head = f"{'variant':<40} {'thr':>6} " + " ".join(f"{short[c]:>12}" for c in conds)
    print(head + f" {'EER chip':>8} {'EER q15':>8} {'ms/emb':>7}")
    for name, r in res["variants"].items():
        cells = " ".join(f"{_pct(r['conditions'][c]['fnmr']):>12}" for c in conds)
        e = [r["conditions"][c]["eer"] for c in ("chip_102x126", "chip_jpeg_q15")
             if c in r["conditions"]]
        ms = r.get("cpu_ms_per_live_embedding", "-")
        print(f"{name:<40} {r['pooled_threshold']:>6.2f} {cells} "
              + " ".join(f"{_pct(x):>8}" for x in e) + f" {ms:>7}")
    print("\nheld out: threshold chosen on the 12 tuning people, FNMR % / false matches on "
          "pairs with a held-out person:")
    print(f"{'variant':<40} {'thr':>6} " + " ".join(f"{short[c]:>12}" for c in conds))
    for name, r in res["variants"].items():
        ho = [r["conditions"][c]["held_out"] for c in conds]
        cells = " ".join(f"{_pct(h['fnmr']):>7} /{h['false_matches']:>3}" for h in ho)
        print(f"{name:<40} {r['tuning_threshold']:>6.2f} {cells}")
    ch = res["choice"]
    print(f"\nchoice (variant per model by tuning FNMR on {ch['deciding_conditions']}): "
          f"{ch['per_model_best']}; pooled FNMR sums {ch['pooled_fnmr_sum']}; "
          f"default model: {ch['winner']}")
    print(f"policy check (FacePolicy holds what was measured): {res['policy_check']}")
    for k, v in res["pair_sets"].items():
        print(f"  {k:<50} {v['genuine']:>4} / {v['impostor']:>4}: FNMR {_pct(v['fnmr'])} % "
              f"FMR {_pct(v['fmr'])} %")
    from face_detectors import print_detector_study
    from face_quality_bands import print_band_study

    for name, fm in res["held_out_false_matches"].items():
        print(f"  held-out false matches of {name} at its tuning threshold, by people: {fm}")
    for name, b in res["quality_bands"].items():
        print_band_study(name, b)
    print_detector_study(res["detectors"])
    t = res["timing"]
    print(f"\nCPU ms per comparison ({t['comparisons']} x live {t['live_frame']} vs "
          f"{t['reference']}; mean / p95):")
    for k in ("dlib_hog", "dlib_yunet", "sface_yunet"):
        r = t[k]
        print(f"  {r['pipeline']:<75} cached {r['cached']['cpu_ms_mean']:>6} / "
              f"{r['cached']['cpu_ms_p95']:>6}; no cache {r['no_cache']['cpu_ms_mean']:>6}")
    print(f"  dlib_plain (face_recognition-style, both images) "
          f"{t['dlib_plain_no_cache']['cpu_ms_mean']}")
    print(f"plot: {OUT / 'faces_det.png'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench_faces", description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a subset (a few minutes)")
    args = parser.parse_args(argv)
    res = run(args.quick)
    print_tables(res)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "faces.json").write_text(json.dumps(res, indent=1, default=float))
    print(json.dumps({"bench": "faces", "quick": args.quick, "choice": res["choice"],
                      "timing": res["timing"],
                      "fnmr": {n: {c: r["conditions"][c]["fnmr"] for c in r["conditions"]}
                               for n, r in res["variants"].items()},
                      "thresholds": {n: r["pooled_threshold"]
                                     for n, r in res["variants"].items()}}))
    return 0


__all__ = ["OUT", "all_identities", "main", "seed_for"]

if __name__ == "__main__":
    sys.exit(main())
