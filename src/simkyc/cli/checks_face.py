"""`simkyc face ...`: face quality and 1:1 comparison (mounted by :mod:`simkyc.cli.main`).

- ``simkyc face compare REFERENCE LIVE [--model dlib|sface] [--json]``: exit 0
  match, 1 no match, 2 could not decide (unreadable file, no face, several faces).
- ``simkyc face quality IMAGE [--reference] [--model dlib|sface] [--json]``: exit 0
  usable, 1 not usable (reasons and customer instructions), 2 unreadable.

``--model`` overrides the policy's matcher (and with it the detector the gate
uses); by default the policy's ``FacePolicy.model`` decides.
"""

from __future__ import annotations

import contextlib
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import typer

from simkyc.cli.output import cannot_check, run_check

face_app = typer.Typer(help="Face quality and 1:1 face comparison.", no_args_is_help=True)


@contextlib.contextmanager
def _native_stderr_quiet() -> Iterator[None]:
    """Silence the C++ logging of mediapipe/TFLite (it writes to fd 2 directly), so
    stderr carries only simkyc's one-line reason, per the output contract."""
    sys.stderr.flush()
    saved = os.dup(2)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 2)
        yield
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(devnull)


MODEL_HELP = "Matcher: dlib or sface (default: the policy's FacePolicy.model)."


def _face_policy(model: str | None) -> Any:
    """The default face policy, with ``model`` as its matcher if given."""
    import dataclasses

    from simkyc.domain.policy import DEFAULT_POLICY

    if model is None:
        return DEFAULT_POLICY.face
    if model not in ("dlib", "sface"):
        raise typer.BadParameter(f"--model must be dlib or sface, not {model!r}")
    return dataclasses.replace(DEFAULT_POLICY.face, model=model)


def _image_view(path: Path, quality: Any) -> dict[str, Any]:
    return {"path": str(path), "faces_found": quality.faces_found, "quality": quality.to_dict()}


def _render_quality(label: str, q: dict[str, Any]) -> list[str]:
    quality = q["quality"]
    lines = [f"{label}: {q['path']}: faces_found={q['faces_found']} "
             f"quality={'ok' if quality['passed'] else 'FAILED'}"]
    for c in quality["checks"]:
        mark = "ok " if c["passed"] else "BAD"
        lines.append(f"  [{mark}] {c['name']}: {c['value']} (limit {c['threshold']})")
    for code, texts in quality["messages"].items():
        lines.append(f"  -> {code}: {texts['en']} / {texts['zh-Hans']}")
    return lines


def _render_compare(p: dict[str, Any]) -> str:
    verdict = "MATCH" if p["match"] else "NO MATCH"
    dist = "n/a" if p["distance"] is None else f"{p['distance']:.4f}"
    lines = [f"{verdict}: distance {dist} (match at <= {p['threshold']}, model {p['model']})"]
    if p["reasons"]:
        lines.append("reasons: " + ", ".join(p["reasons"]))
    lines += _render_quality("reference", p["reference"])
    lines += _render_quality("live", p["live"])
    return "\n".join(lines)


@face_app.command("compare")
def compare(
    reference: Path = typer.Argument(..., help="Reference image: document portrait or chip photo."),
    live: Path = typer.Argument(..., help="Live capture (camera frame)."),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Compare the face in LIVE with the face in REFERENCE (1:1).

    Exit 0 match, 1 no match, 2 could not decide (unreadable, no face, several faces).
    """
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.face.matching import match_faces
    from simkyc.face.models import load_face_models, open_face_mesh
    from simkyc.face.pipelines import DEFAULT_PREPROCESSING, pipeline_id
    from simkyc.media.images import read_image_file

    policy = _face_policy(model)
    base: dict[str, Any] = {"match": False, "distance": None,
                            "threshold": policy.match_threshold,
                            "model": pipeline_id(policy.model, policy.detector,
                                                 DEFAULT_PREPROCESSING[policy.model]),
                            "policy_version": DEFAULT_POLICY.version}

    def body() -> tuple[dict[str, Any], bool]:
        ref_img = read_image_file(reference)
        live_img = read_image_file(live)
        models = load_face_models()
        with _native_stderr_quiet(), open_face_mesh(static_image_mode=True,
                                                    max_num_faces=1) as mesh:
            result = match_faces(ref_img, live_img, models, policy=policy, mesh=mesh)
        payload = dict(base)
        payload.update({
            "match": result.match,
            "distance": None if result.distance is None else round(result.distance, 4),
            "threshold": result.threshold,
            "model": result.model,
            "reasons": list(result.reasons),
            "reference": _image_view(reference, result.reference),
            "live": _image_view(live, result.live),
        })
        if not result.decided:
            problems = []
            for label, q in (("reference", result.reference), ("live", result.live)):
                if q.faces_found == 0:
                    problems.append(f"no face found in the {label} image")
                elif q.faces_found > 1:
                    problems.append(f"{q.faces_found} faces found in the {label} image "
                                    "(need exactly one)")
            cannot_check("; ".join(problems), as_json=as_json, payload=payload)
        return payload, result.match

    run_check(body, as_json=as_json, render=_render_compare, base_payload=base)


@face_app.command("quality")
def quality(
    image: Path = typer.Argument(..., help="Image to check."),
    reference: bool = typer.Option(
        False, "--reference", help="Judge as a document/chip photo (lenient) instead of live."
    ),
    model: str | None = typer.Option(None, "--model", help=MODEL_HELP),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Check that IMAGE holds exactly one usable face. Exit 0 usable, 1 not usable, 2 unreadable."""
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.face.models import load_face_models, open_face_mesh
    from simkyc.face.quality import assess_face_quality
    from simkyc.media.images import read_image_file

    policy = _face_policy(model)

    def body() -> tuple[dict[str, Any], bool]:
        img = read_image_file(image)
        models = load_face_models()
        with _native_stderr_quiet(), open_face_mesh(static_image_mode=True,
                                                    max_num_faces=1) as mesh:
            q = assess_face_quality(img, models, policy=policy, mesh=mesh,
                                    role="reference" if reference else "live")
        payload = _image_view(image, q)
        payload["passed"] = q.passed
        payload["detector"] = policy.detector
        payload["policy_version"] = DEFAULT_POLICY.version
        return payload, q.passed

    run_check(body, as_json=as_json,
              render=lambda p: "\n".join(_render_quality("image", p)),
              base_payload={"passed": False, "faces_found": None})


def register(app: typer.Typer) -> None:
    """Mount ``simkyc face`` on the root app."""
    app.add_typer(face_app, name="face")
