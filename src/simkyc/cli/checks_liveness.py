"""`simkyc liveness ...`: issue a challenge; check a challenge video."""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from simkyc.cli.output import run_check

liveness_app = typer.Typer(help="Active liveness: challenges and their verification from video.",
                           no_args_is_help=True)


def _render(p: dict[str, Any]) -> str:
    if "steps" not in p:
        return str(p)
    lines = [f"liveness: {'PASSED' if p['passed'] else 'FAILED'}"
             f"  ({p['frames']} frames, {p['fps']:g} fps, {p['duration_ms'] / 1000:.1f} s)"]
    for s in p["steps"]:
        when = (f"{s['start_ms']:.0f}-{s['end_ms']:.0f} ms, peak {s['peak']}"
                if s["passed"] else "not performed in its place")
        lines.append(f"  {'ok ' if s['passed'] else 'NO '} {s['action']:<11} {when}")
    if p.get("reasons"):
        lines.append(f"  reasons: {', '.join(p['reasons'])}")
    if p.get("best_frame_out"):
        lines.append(f"  best frame: {p['best_frame_out']} (at {p['best_frame_ms']} ms)")
    return "\n".join(lines)


@liveness_app.command("check")
def check_command(
    video: Path = typer.Argument(..., help="Video file: mp4 (H.264), webm (VP8/VP9) or y4m."),
    challenge: str = typer.Option(..., "--challenge",
                                  help="Actions in order, e.g. turn_left,blink,turn_right."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    best_frame_out: Path | None = typer.Option(
        None, "--best-frame-out", help="Write the best frontal, sharp, eyes-open frame here "
        "(.png or .jpg)."),
    screen_light: str | None = typer.Option(
        None, "--screen-light", help="Colours flashed during recording, e.g. red,blue,green."),
    colour_ms: float = typer.Option(400.0, "--colour-ms", help="Duration of each colour, ms."),
) -> None:
    """Check that VIDEO shows one live person performing the challenge, in order.

    Exit 0 passed, 1 failed (reasons listed), 2 could not check.
    """

    def body() -> tuple[dict[str, Any], bool]:
        from simkyc.face.models import load_face_models, open_face_mesh
        from simkyc.liveness import ScreenLight, check_liveness, parse_actions
        from simkyc.media.video import read_video

        try:
            actions = parse_actions(challenge)
            light = (ScreenLight(tuple(c.strip() for c in screen_light.split(",")), colour_ms)
                     if screen_light else None)
        except ValueError as exc:
            raise typer.BadParameter(str(exc)) from exc
        clip = read_video(video)
        result = check_liveness(clip, actions, face_models=load_face_models(),
                                mesh_factory=open_face_mesh, screen_light=light)
        payload = result.to_dict()
        if best_frame_out is not None and result.best_frame is not None:
            from PIL import Image

            best_frame_out.parent.mkdir(parents=True, exist_ok=True)
            Image.fromarray(result.best_frame).save(best_frame_out)
            payload["best_frame_out"] = str(best_frame_out)
        return payload, result.passed

    run_check(body, as_json=as_json, render=_render)


@liveness_app.command("challenge")
def challenge_command(
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
    colours: int = typer.Option(0, "--screen-colours", help="Also draw N screen colours."),
) -> None:
    """Issue a random challenge (nonce, actions, expiry) from `secrets`."""
    from simkyc.liveness import issue_challenge

    c = issue_challenge(secrets.SystemRandom(), now=datetime.now(UTC), screen_colours=colours)
    payload = {"nonce": c.nonce, "actions": list(c.actions), "issued_at": c.issued_at,
               "expires_at": c.expires_at, "screen_colours": list(c.screen_colours),
               "colour_ms": c.colour_ms}

    def body() -> tuple[dict[str, Any], bool]:
        return payload, True

    run_check(body, as_json=as_json,
              render=lambda p: f"{','.join(p['actions'])}  (nonce {p['nonce']}, "
                               f"expires {p['expires_at'].isoformat()})")


def register(app: typer.Typer) -> None:
    """Mount `simkyc liveness` on the root app."""
    app.add_typer(liveness_app, name="liveness")
