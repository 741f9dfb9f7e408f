"""Held-out passport pages of the document benchmark (issue 12): generalisation, not fit.

The pages come from ``doc_generate.make_heldout`` (one set per condition of
``HELDOUT_CONDITIONS``: names of every length, rotation up to ±10°,
perspective, glare, portrait framings, blur, all mixed); nothing in the reader
was tuned on them. Per condition it reports:

- **MRZ read and valid**: an MRZ was found and every check digit is right
  (what the issue's target counts; >= 98 % of pages),
- **MRZ exact**: both lines equal to the printed ones (a valid MRZ that is not
  exact would be a check-digit coincidence; it is counted apart),
- **portrait found**: a portrait box whose centre lies inside the printed
  photo (after the page's rotation/perspective), on pages that have one,
- **no portrait on a page without one** (``no-portrait`` pages: an empty
  photo area; a box there is a false find),
- and, when PassportEye (``passporteye`` + Debian ``tesseract-ocr``) is
  installed, its MRZ read-and-valid rate on the same pages (``valid_score``
  100 means every check digit right).

The tuning set's passports (``level=moderate``) are scored the same way by
:func:`score_tuning_rows` so the two are reported side by side.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

TARGET = 0.98


def _inside(box: Any, truth_box: Any) -> bool:
    if box is None or truth_box is None:
        return False
    cx, cy = (box[0] + box[2]) / 2, (box[1] + box[3]) / 2
    return truth_box[0] <= cx <= truth_box[2] and truth_box[1] <= cy <= truth_box[3]


def passporteye_reader() -> Any:
    """PassportEye's ``read_mrz`` if it and tesseract are installed, else ``None``."""
    import shutil

    try:
        from passporteye import read_mrz  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return None
    return read_mrz if shutil.which("tesseract") else None


def run_heldout(gen: Any, models: Any, read: Any, *, n: int, seed0: int, out_dir: Path,
                peer: Any = None, progress: Any = None) -> tuple[list[dict[str, Any]],
                                                                list[dict[str, Any]]]:
    """Read ``n`` pages per held-out condition (and ``n`` pages without a portrait).

    ``read(models, path) -> (reading, wall, cpu, error)`` as in the benchmark.
    Returns (rows, failures).
    """
    rows: list[dict[str, Any]] = []
    failures: list[dict[str, Any]] = []
    plan = [(c, {}) for c in gen.HELDOUT_CONDITIONS] + [("names", {"framing": "none"})]
    for condition, kw in plan:
        label = "no-portrait" if kw else condition
        for i in range(n):
            seed = seed0 + i
            path, truth = gen.write_heldout(condition, seed, out_dir=out_dir, **kw)
            reading, wall, cpu, error = read(models, path)
            mrz = reading.mrz if reading else None
            got_lines = list(mrz.lines) if mrz else None
            row: dict[str, Any] = {
                "set": "heldout", "condition": label, "seed": seed, "wall_s": round(wall, 3),
                "cpu_s": round(cpu, 3), "error": error,
                "name_length": len(truth["mrz"][0][5:].rstrip("<")),
                "mrz_valid": bool(mrz and mrz.valid),
                "mrz_exact": got_lines == truth["mrz"],
                "has_portrait": truth["has_portrait"],
                "photo_found": bool(reading and reading.photo_box is not None),
                "portrait_found": _inside(reading.photo_box if reading else None,
                                          truth.get("photo_box")),
            }
            if peer is not None:
                t0 = time.perf_counter()
                try:
                    pm = peer(str(path))
                    row["peer_valid"] = bool(pm is not None and pm.valid_score == 100)
                    row["peer_exact"] = bool(pm is not None and _peer_lines(pm) == truth["mrz"])
                except Exception as exc:  # noqa: BLE001 - a peer's crash is its miss
                    row["peer_valid"] = row["peer_exact"] = False
                    row["peer_error"] = repr(exc)[:120]
                row["peer_wall_s"] = round(time.perf_counter() - t0, 3)
            rows.append(row)
            bad = (not row["mrz_valid"] or not row["mrz_exact"]
                   or row["portrait_found"] != row["has_portrait"]
                   or (not row["has_portrait"] and row["photo_found"]))
            if bad:
                failures.append({"file": path.name, "condition": label, "error": error,
                                 "mrz": got_lines, "truth": truth["mrz"],
                                 "reasons": list(reading.reasons) if reading else None,
                                 "photo_box": reading.photo_box if reading else None,
                                 "truth_photo_box": truth.get("photo_box")})
            if progress:
                progress(f"heldout {label:15s} {i + 1:4d}/{n}")
    return rows, failures


def _peer_lines(pm: Any) -> list[str]:
    raw = pm.aux.get("raw_text", "") if hasattr(pm, "aux") else ""
    return [ln for ln in raw.replace(" ", "").splitlines() if ln][:2]


def _rate(rows: list[dict[str, Any]], key: str) -> float | None:
    return round(sum(bool(r[key]) for r in rows) / len(rows), 4) if rows else None


def summarise(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Per condition: pages, MRZ read-and-valid, MRZ exact, portrait found (or,
    for ``no-portrait``, a portrait wrongly found), seconds per page, peer rates."""
    out: dict[str, Any] = {}
    for cond in dict.fromkeys(r["condition"] for r in rows):
        rs = [r for r in rows if r["condition"] == cond]
        with_p = [r for r in rs if r["has_portrait"]]
        s: dict[str, Any] = {
            "pages": len(rs),
            "mrz_read_and_valid": _rate(rs, "mrz_valid"),
            "mrz_exact": _rate(rs, "mrz_exact"),
            "portrait_found": _rate(with_p, "portrait_found"),
            "portrait_on_page_without": _rate([r for r in rs if not r["has_portrait"]],
                                              "photo_found"),
            "wall_s_per_page": round(sum(r["wall_s"] for r in rs) / len(rs), 3),
            "cpu_s_per_page": round(sum(r["cpu_s"] for r in rs) / len(rs), 3),
        }
        if "peer_valid" in rs[0]:
            s["passporteye_read_and_valid"] = _rate(rs, "peer_valid")
        out[cond] = s
    mrz_rows = rows
    out["all"] = {"pages": len(mrz_rows), "mrz_read_and_valid": _rate(mrz_rows, "mrz_valid"),
                  "mrz_exact": _rate(mrz_rows, "mrz_exact"),
                  "portrait_found": _rate([r for r in rows if r["has_portrait"]],
                                          "portrait_found")}
    if rows and "peer_valid" in rows[0]:
        out["all"]["passporteye_read_and_valid"] = _rate(rows, "peer_valid")
    out["all"]["target_met"] = bool(rows) and out["all"]["mrz_read_and_valid"] >= TARGET
    return out


def score_tuning_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """The tuning set's passports scored like the held-out pages (MRZ read and
    valid, MRZ exact, portrait found); rows as the benchmark writes them."""
    rs = [r for r in rows if r["kind"] == "passport" and not r["tampered"]]
    if not rs:
        return {}
    return {"pages": len(rs), "mrz_read_and_valid": _rate(rs, "mrz_valid"),
            "mrz_exact": _rate(rs, "mrz"), "portrait_found": _rate(rs, "photo_found")}


def table(summary: dict[str, Any], tuning: dict[str, Any]) -> str:
    """Plain-text table: the tuning set's passports, then each held-out condition."""
    def pct(v: Any) -> str:
        return "   -  " if v is None else f"{v * 100:5.1f}%"

    head = (f"{'set / condition':26s} {'pages':>5s} {'MRZ valid':>9s} {'exact':>6s} "
            f"{'portrait':>8s} {'PassportEye':>11s}")
    lines = [head]
    if tuning:
        lines.append(f"{'tuning: passport moderate':26s} {tuning['pages']:5d} "
                     f"{pct(tuning['mrz_read_and_valid']):>9s} {pct(tuning['mrz_exact']):>6s} "
                     f"{pct(tuning['portrait_found']):>8s} {'':>11s}")
    for cond, s in summary.items():
        portrait = (pct(s.get("portrait_found")) if cond != "no-portrait"
                    else "found " + pct(s.get("portrait_on_page_without")).strip())
        lines.append(f"{'held-out: ' + cond:26s} {s['pages']:5d} "
                     f"{pct(s['mrz_read_and_valid']):>9s} {pct(s['mrz_exact']):>6s} "
                     f"{portrait:>8s} {pct(s.get('passporteye_read_and_valid')):>11s}")
    met = summary.get("all", {}).get("target_met")
    lines.append(f"held-out target (MRZ read and valid >= 98 % of pages): "
                 f"{'met' if met else 'NOT met'}")
    return "\n".join(lines)


__all__ = ["passporteye_reader", "run_heldout", "score_tuning_rows", "summarise", "table"]
