"""Study: YuNet against dlib's HOG detector for the quality gate and small references.

For each detector set-up of ``bench_faces.DETECTOR_SETUPS`` (HOG; YuNet with
images under 400 px upsampled x2; YuNet at native size):

- detection rate (exactly one face found, reference rules) and gate pass rate of
  every degraded reference condition;
- detection rate on *smaller* chip photos: the 102x126 chip scaled to 0.75
  (77x95, face ~47 px) and 0.5 (51x63, face ~31 px);
- the live gate on the photos (pass rate, reasons) and on the gate's test cases
  (each with the reason it must give first);
- how well YuNet's HOG-like box (``simkyc.face.yunet.hog_like_box``) agrees with
  the HOG box on the photos (IoU, width ratio).
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any

import numpy as np
from face_bench_data import DF, FR, REPO, analyse

#: Scale factors applied to the 102x126 chip photos.
SCALES = (0.75, 0.5)


def _gate_cases() -> list[tuple[str, Any, str]]:
    from simkyc.media.images import read_image_file

    spec = importlib.util.spec_from_file_location(
        "face_generate", REPO / "tests" / "media" / "face_generate.py")
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    obama = read_image_file(FR / "obama.jpg")
    cases: list[tuple[str, Any, str]] = [
        ("obama.jpg", obama, "pass"),
        ("obama_640x480.png", read_image_file(gen.variant("obama_640x480.png")), "pass"),
        ("two_people.jpg", read_image_file(FR / "two_people.jpg"), "multiple_faces"),
        ("selfie-many-people.jpg", read_image_file(DF / "selfie-many-people.jpg"),
         "multiple_faces"),
        ("obama face-free crop", np.ascontiguousarray(obama[650:, :400]), "no_face"),
        ("obama_partial_face.jpg", read_image_file(FR / "obama_partial_face.jpg"),
         "face_cut_off"),
        ("kit_harington_john2.jpeg", read_image_file(FR / "kit_harington_john2.jpeg"),
         "head_turned"),
    ]
    for name, reason in (("obama_tiny.png", "face_too_small"), ("obama_dark.png", "face_too_dark"),
                         ("obama_overexposed.png", "face_too_bright"),
                         ("obama_blurred.png", "face_blurry"),
                         ("obama_eyes_closed.png", "eyes_closed")):
        cases.append((name, read_image_file(gen.variant(name)), reason))
    return cases


def _iou(a: Any, b: Any) -> float:
    x0, y0 = max(a.left, b.left), max(a.top, b.top)
    x1, y1 = min(a.right, b.right), min(a.bottom, b.bottom)
    inter = max(0, x1 - x0) * max(0, y1 - y0)
    union = a.width * a.height + b.width * b.height - inter
    return inter / union if union else 0.0


def detector_study(models: Any, paths: list[Path], live: dict[str, list[Any]],
                   refs: dict[str, dict[str, list[Any]]], conditions: list[str],
                   quick: bool) -> dict[str, Any]:
    import cv2

    from simkyc.face.models import open_face_mesh

    out: dict[str, Any] = {"references": {}, "small_references": {}, "live": {},
                           "gate_cases": {}}
    for s, by_cond in refs.items():
        out["references"][s] = {
            c: {"one_face": round(float(np.mean([a is not None and a.quality.faces_found == 1
                                                 for a in items])), 3),
                "passed": round(float(np.mean([a is not None and a.quality.passed
                                               for a in items])), 3)}
            for c, items in by_cond.items()}
        lv = live[s]
        reasons: dict[str, int] = {}
        for a in lv:
            for r in a.quality.reasons:
                reasons[r] = reasons.get(r, 0) + 1
        out["live"][s] = {"passed": round(float(np.mean([a.quality.passed for a in lv])), 3),
                          "reasons": reasons}
        chips = [a.rgb for a in by_cond.get("chip_102x126", []) if a is not None]
        out["small_references"][s] = {}
        for k in SCALES:
            small = [cv2.resize(c, (round(c.shape[1] * k), round(c.shape[0] * k)),
                                interpolation=cv2.INTER_AREA) for c in chips]
            found = [analyse(img, models, s, "reference", None).quality.faces_found == 1
                     for img in small]
            out["small_references"][s][f"x{k}"] = round(float(np.mean(found)), 3) if found else None
    mesh = open_face_mesh(static_image_mode=True, max_num_faces=1)
    for name, img, expected in _gate_cases():
        for s in refs:
            q = analyse(img, models, s, "live", mesh).quality
            first = q.reasons[0] if q.reasons else "pass"
            out["gate_cases"].setdefault(name, {"expected": expected})[s] = {
                "first": first, "faces": q.faces_found, "ok": first == expected}
    mesh.close()
    ious, ratios = [], []
    for h, y in zip(live["hog"], live["yunet"], strict=True):
        if h.quality.face is not None and y.quality.face is not None:
            ious.append(_iou(h.quality.face.box, y.quality.face.box))
            ratios.append(y.quality.face.box.width / max(1, h.quality.face.box.width))
    out["box_agreement"] = {"faces": len(ious), "iou_median": round(float(np.median(ious)), 3),
                            "iou_min": round(float(np.min(ious)), 3),
                            "width_ratio_mean": round(float(np.mean(ratios)), 3),
                            "width_ratio_sd": round(float(np.std(ratios)), 3)}
    return out


def print_detector_study(d: dict[str, Any]) -> None:
    setups = list(d["references"])
    print("\ndetectors: references with exactly one face found (gate pass rate):")
    conds = list(next(iter(d["references"].values())))
    print(f"  {'condition':<26}" + "".join(f"{s:>22}" for s in setups))
    for c in conds:
        rows = [d["references"][s][c] for s in setups]
        print(f"  {c:<26}" + "".join(
            f"{100 * r['one_face']:>13.1f} ({100 * r['passed']:>5.1f})" for r in rows))
    for k in next(iter(d["small_references"].values())):
        print(f"  {'chip scaled ' + k:<26}" + "".join(
            f"{100 * (d['small_references'][s][k] or 0):>22.1f}" for s in setups))
    print("  live gate on the photos: " + "; ".join(
        f"{s} passes {100 * d['live'][s]['passed']:.0f}% {d['live'][s]['reasons']}"
        for s in setups))
    print("  gate cases (first reason, faces found):")
    for name, r in d["gate_cases"].items():
        cells = "  ".join(f"{s}: {r[s]['first']} ({r[s]['faces']}){'' if r[s]['ok'] else ' WRONG'}"
                          for s in setups)
        print(f"    {name:<26} expect {r['expected']:<16} {cells}")
    b = d["box_agreement"]
    print(f"  YuNet HOG-like box vs HOG box on {b['faces']} photos: IoU median "
          f"{b['iou_median']} (min {b['iou_min']}), width ratio {b['width_ratio_mean']} "
          f"+- {b['width_ratio_sd']}")


__all__ = ["detector_study", "print_detector_study"]
