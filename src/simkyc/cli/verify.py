"""``simkyc verify BUNDLE_DIR`` and ``simkyc demo``: the whole pipeline offline.

``verify`` reads one customer's recorded session from a folder:

    document.jpg (or .png / .webp)  or  reader.json     the identity document
    reader.pub                                          with reader.json: the public key of
                                                        the reader that signed it (PEM)
    liveness.webm | liveness.mp4                        the liveness video
    voice.webm | voice.wav | voice.ogg                  the spoken digits (a WebM also
                                                        carries the video recorded with it)
    voice_video.webm | voice_video.mp4                  optional: the video, if separate
    live.jpg (or .png)                                  optional: the live capture
    challenge.json   {"actions": [...], "screen_colours": [...], "colour_ms": n,
                      "digits": "...", "language": "cmn"}

and runs every step on a temporary database and evidence folder (nothing is
kept). Exit 0: every step passed (what would reach ``face_matched``); 1: a
step failed (its reasons are printed); 2: the bundle could not be checked (a
missing or unreadable file, named).

``demo`` makes such a bundle from a face photo (the shipped public-domain
portrait unless ``--photo``), verifies it, and prints what each step decided.
"""

from __future__ import annotations

import json
import secrets
import tempfile
import time
from pathlib import Path
from typing import Any

import typer

from simkyc.cli.output import EXIT_CANNOT_CHECK, dumps
from simkyc.domain.errors import InputError, SimkycError

DOCUMENTS = ("document.jpg", "document.jpeg", "document.png", "document.webp")
LIVENESS = ("liveness.webm", "liveness.mp4")
VOICE = ("voice.webm", "voice.wav", "voice.ogg")
VOICE_VIDEO = ("voice_video.webm", "voice_video.mp4")
LIVE = ("live.jpg", "live.jpeg", "live.png")
MAX_FILE = 64 * 1024 * 1024


def _one(folder: Path, names: tuple[str, ...], *, required: bool) -> Path | None:
    found = [folder / n for n in names if (folder / n).is_file()]
    if len(found) > 1:
        raise InputError(f"more than one of {', '.join(names)} in {folder}")
    if not found and required:
        raise InputError(f"missing file: {' or '.join(names)} in {folder}")
    return found[0] if found else None


def _read(path: Path) -> bytes:
    if path.stat().st_size > MAX_FILE:
        raise InputError(f"{path.name}: larger than {MAX_FILE} bytes")
    data = path.read_bytes()
    if not data:
        raise InputError(f"{path.name}: empty file")
    return data


def _json(path: Path) -> Any:
    try:
        return json.loads(_read(path).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputError(f"{path.name}: not valid JSON ({exc})") from None


def _reader_key(path: Path) -> bytes | None:
    """``reader.pub`` (PEM or base64 of the raw key), when the bundle has one."""
    if not path.is_file():
        return None
    from simkyc.document.reader_signature import load_public_key

    data = _read(path)
    try:
        return load_public_key(data)
    except InputError as exc:
        raise InputError(f"reader.pub: {exc}") from None


def load_bundle(folder: Path) -> Any:
    """The :class:`~simkyc.services.offline.Bundle` in ``folder``; InputError naming a file."""
    from simkyc.services.offline import Bundle, BundleChallenge

    if not folder.is_dir():
        raise InputError(f"{folder}: not a folder")
    document = _one(folder, DOCUMENTS, required=False)
    reader = folder / "reader.json" if (folder / "reader.json").is_file() else None
    if document is None and reader is None:
        raise InputError(f"missing file: document.jpg or reader.json in {folder}")
    if document is not None and reader is not None:
        raise InputError(f"both a document photo and reader.json in {folder}: keep one")
    challenge_path = folder / "challenge.json"
    if not challenge_path.is_file():
        raise InputError(f"missing file: challenge.json in {folder}")
    liveness = _one(folder, LIVENESS, required=True)
    voice = _one(folder, VOICE, required=True)
    voice_video = _one(folder, VOICE_VIDEO, required=False)
    live = _one(folder, LIVE, required=False)
    assert liveness is not None and voice is not None
    voice_bytes = _read(voice)
    return Bundle(
        challenge=BundleChallenge.from_json(_json(challenge_path)),
        liveness_video=_read(liveness), voice_audio=voice_bytes,
        voice_video=(_read(voice_video) if voice_video is not None
                     else voice_bytes if voice.suffix == ".webm" else None),
        document_image=_read(document) if document is not None else None,
        reader_record=_json(reader) if reader is not None else None,
        reader_public_key=_reader_key(folder / "reader.pub"),
        live_image=_read(live) if live is not None else None)


def run_verify(folder: Path) -> tuple[dict[str, Any], bool]:
    """Verify the bundle in ``folder`` on a throw-away context; (payload, passed)."""
    from simkyc.config import Settings
    from simkyc.domain.parties import Role
    from simkyc.runtime import ModelRegistry, build_runtime
    from simkyc.services.accounts import create_account
    from simkyc.services.offline import verify_bundle

    bundle = load_bundle(folder)
    started = time.perf_counter()
    with tempfile.TemporaryDirectory(prefix="simkyc-verify-") as tmp:
        import base64

        key = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()
        settings = Settings(data_dir=Path(tmp), database_url=None, master_key=key)
        rt = build_runtime(settings)
        try:
            actor = create_account(rt.context, name="offline verify", role=Role.AGENT,
                                   outlet_name="offline").agent
            verdict = verify_bundle(rt.context, ModelRegistry(), actor=actor, bundle=bundle)
        finally:
            rt.close()
    from simkyc.i18n import reason_text

    steps = [{"step": r.step, "passed": r.passed, "reasons": list(r.reasons),
              "messages": [reason_text(x, "en") for x in r.reasons],
              **({"details": dict(r.details)} if r.details else {})} for r in verdict.steps]
    payload = {"decision": "pass" if verdict.passed else "fail",
               "status": verdict.status.value, "failed_step": verdict.failed_step,
               "steps": steps, "policy_version": verdict.policy_version,
               "flow_version": verdict.flow_version,
               "seconds": round(time.perf_counter() - started, 1)}
    return payload, verdict.passed


def summary(payload: dict[str, Any]) -> str:
    lines = [f"{'PASS' if payload['decision'] == 'pass' else 'FAIL'}: "
             f"{payload['status']} (policy {payload['policy_version']}, "
             f"flow {payload['flow_version']}, {payload['seconds']} s)"]
    for s in payload["steps"]:
        mark = "pass" if s["passed"] else "FAIL"
        why = f"  {', '.join(s['reasons'])}" if s["reasons"] else ""
        lines.append(f"  {s['step']:<10} {mark}{why}")
        for m in s["messages"]:
            lines.append(f"             {m}")
    return "\n".join(lines)


def _cannot_check(reason: str, as_json: bool) -> None:
    reason = " ".join(reason.split())
    typer.echo(f"error: {reason}", err=True)
    if as_json:
        typer.echo(dumps({"error": reason}))
    raise typer.Exit(EXIT_CANNOT_CHECK)


def verify(
    bundle_dir: Path = typer.Argument(..., help="Folder with document.jpg or reader.json, "
                                                "liveness.webm|mp4, voice.webm|wav|ogg, "
                                                "challenge.json (optional live.jpg)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Verify one recorded session offline, through the same steps as the service."""
    try:
        payload, passed = run_verify(bundle_dir)
    except SimkycError as exc:
        _cannot_check(str(exc), as_json)
    typer.echo(dumps(payload) if as_json else summary(payload))
    raise typer.Exit(0 if passed else 1)


def demo(
    lang: str = typer.Option("cmn", "--lang", help="The customer's digit language: cmn, yue, "
                                                   "en or ug."),
    out: Path | None = typer.Option(None, "--out", help="Keep the generated bundle here."),
    photo: Path | None = typer.Option(None, "--photo", help="A face photo to build it from "
                                                            "(default: the shipped portrait)."),
    seed: int = typer.Option(7, "--seed", help="Seed of the challenge and the media."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Generate a sample bundle from a face photo, verify it, print what each step decided."""
    from simkyc.cli.demo_bundle import make_bundle

    try:
        with tempfile.TemporaryDirectory(prefix="simkyc-demo-") as tmp:
            folder = out or Path(tmp) / "bundle"
            typer.echo(f"generating a sample bundle in {folder} ...", err=True)
            make_bundle(folder, language=lang, photo=photo, seed=seed)
            typer.echo("verifying it (the models load on first use) ...", err=True)
            payload, passed = run_verify(folder)
    except SimkycError as exc:
        _cannot_check(str(exc), as_json)
    payload["bundle"] = str(out) if out else None
    typer.echo(dumps(payload) if as_json else summary(payload))
    raise typer.Exit(0 if passed else 1)


def register(app: typer.Typer) -> None:
    app.command("verify")(verify)
    app.command("demo")(demo)
