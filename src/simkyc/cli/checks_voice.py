"""`simkyc voice ...` commands of the voice stage (mounted by :mod:`simkyc.cli.main`).

- ``simkyc voice check AUDIO --digits 372905 --lang cmn [--video VIDEO] [--json]``
- ``simkyc voice challenge --lang cmn [--attempt N] [--audio OUT.wav] [--json]``
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import typer

from simkyc.cli.output import run_check
from simkyc.domain.policy import DEFAULT_POLICY

voice_app = typer.Typer(help="Spoken-digit voice challenge (step 4).", no_args_is_help=True)


def _render(payload: dict[str, Any]) -> str:
    lines = [f"voice: {'PASSED' if payload['passed'] else 'FAILED'} ({payload['language']})"]
    for name, c in payload["checks"].items():
        lines.append(f"  {'ok  ' if c['passed'] else 'FAIL'} {name}: {c['value']} "
                     f"(threshold {c['threshold']})")
    heard = payload["heard"] if payload["heard"] is not None else "(no recogniser)"
    lines.append(f"  heard: {heard}")
    if payload["reasons"]:
        lines.append(f"  reasons: {', '.join(payload['reasons'])}")
    return "\n".join(lines)


@voice_app.command("check")
def check(
    audio: Path = typer.Argument(..., help="Recorded answer: wav, webm/opus, ogg or mp3."),
    digits: str = typer.Option(..., "--digits", help="The digits the customer was asked to read."),
    lang: str = typer.Option("cmn", "--lang", help="Language: cmn, yue, en, ug, bo."),
    video: Path | None = typer.Option(None, "--video",
                                      help="Video recorded with the audio (AV synchrony)."),
    prompt_at: float = typer.Option(0.0, "--prompt-at",
                                    help="Seconds into the recording when the prompt appeared."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Check a spoken answer: speech present, digit count, timing, digits, AV sync."""

    def body() -> tuple[dict[str, Any], bool]:
        from simkyc.media.audio import decode_audio
        from simkyc.voice import check_spoken_digits, load_voice_models, require_language

        require_language(lang)
        decoded = decode_audio(audio)
        clip = None
        if video is not None:
            from simkyc.media.video import read_video

            clip = read_video(video, resize_to=640)
        result = check_spoken_digits(decoded, digits, lang, models=load_voice_models(),
                                     policy=DEFAULT_POLICY.voice, prompt_shown_at_s=prompt_at,
                                     video=clip)
        payload = result.to_dict()
        payload["policy_version"] = DEFAULT_POLICY.version
        return payload, result.passed

    run_check(body, as_json=as_json, render=_render,
              base_payload={"passed": False, "language": lang, "checks": {}, "heard": None,
                            "reasons": []})


@voice_app.command("challenge")
def challenge(
    lang: str = typer.Option("cmn", "--lang", help="Language: cmn, yue, en, ug, bo."),
    attempt: int = typer.Option(1, "--attempt", min=1, help="1 = first try; retries are slower."),
    audio_out: Path | None = typer.Option(None, "--audio", help="Write the prompt audio (WAV)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON object."),
) -> None:
    """Issue a random digit challenge and show its prompt (a demo of the API step)."""

    def body() -> tuple[dict[str, Any], bool]:
        from simkyc.voice import make_prompt, new_challenge, prompt_audio, require_language

        require_language(lang)
        policy = DEFAULT_POLICY.voice
        ch = new_challenge(lang, secrets.token_urlsafe(16), rng=secrets.SystemRandom(),
                           now=datetime.now(UTC), policy=policy, attempt=attempt)
        prompt = make_prompt(ch, policy)
        wav = prompt_audio(ch, policy)
        if audio_out is not None and wav is not None:
            audio_out.write_bytes(wav)
        return {"digits": ch.digits, "language": ch.language, "attempt": ch.attempt,
                "nonce": ch.nonce, "expires_at": ch.expires_at, "numerals": prompt.numerals,
                "words": prompt.words, "instruction": prompt.instruction,
                "rate_wpm": prompt.rate_wpm, "has_audio": prompt.has_audio,
                "audio": str(audio_out) if audio_out is not None and wav else None}, True

    def render(p: dict[str, Any]) -> str:
        return f"{p['instruction']}\n  {p['numerals']}\n  {p['words']}"

    run_check(body, as_json=as_json, render=render)


def register(app: typer.Typer) -> None:
    """Mount ``simkyc voice`` on the root app."""
    app.add_typer(voice_app, name="voice")
