"""The voice step over HTTP: challenge, single use, check, evidence, retries, override."""

from __future__ import annotations

import base64
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))

import voice_generate as gen  # noqa: E402

from simkyc.media.audio import decode_audio  # noqa: E402

BASE = "/api/v1/registrations"


def _at_voice_step(api: Any, rid: str, advance: Any) -> None:
    for step in ("document", "live_face", "liveness"):
        advance(api.ctx, api.actor("agent"), rid, step, subject=f"CHN/{rid}")


@pytest.fixture
def voice_api(api: Any) -> Any:
    """Seeded digits; answers judged on audio alone (the policy's video requirement off:
    these tests are about the audio; test_answer_without_video_fails keeps it on)."""
    import random

    policy = api.ctx.policy
    api.app.state.context = replace(
        api.ctx, rng=lambda purpose: random.Random(2026),
        policy=replace(policy, voice=replace(policy.voice, require_video=False)))
    return api


@pytest.fixture
def at_voice(voice_api: Any, new_registration: Any, advance: Any) -> Any:
    """``at_voice(language)``: a registration in that language, at the voice step."""

    def make(language: str = "cmn") -> str:
        r = new_registration(language=language)
        _at_voice_step(voice_api, r, advance)
        return r

    return make


@pytest.fixture
def rid(at_voice: Any) -> str:
    return str(at_voice("cmn"))


def _challenge(api: Any, rid: str, **body: Any) -> dict[str, Any]:
    r = api.post(f"{BASE}/{rid}/voice/challenge", json=body or None, headers=api.hdr("agent"))
    assert r.status_code == 201, r.text
    return r.json()


def _answer(api: Any, rid: str, nonce: str, audio: bytes, name: str = "a.webm",
            video: bytes | None = None) -> Any:
    files = {"audio": (name, audio, "application/octet-stream")}
    if video is not None:
        files["video"] = ("v.mp4", video, "video/mp4")
    return api.post(f"{BASE}/{rid}/voice", data={"nonce": nonce}, files=files,
                    headers=api.hdr("agent"))


def test_challenge_prompt_in_registration_language(api: Any, rid: str) -> None:
    c = _challenge(api, rid)
    assert c["language"] == "cmn" and c["attempt"] == 1 and len(c["nonce"]) == 32
    assert c["numerals"].replace(" ", "").isdigit() and "，" in c["words"]
    wav = base64.b64decode(c["prompt_audio_wav_base64"])
    assert decode_audio(wav).duration_s > 1.0


def test_language_is_the_registrations(api: Any, rid: str, at_voice: Any) -> None:
    """An agent cannot switch a customer's challenge to a language whose digits are not
    recognised (the downgrade attack): the language was fixed at the start."""
    for other in ("en", "bo", "xx"):
        r = api.post(f"{BASE}/{rid}/voice/challenge", json={"language": other},
                     headers=api.hdr("agent"))
        assert r.status_code == 400 and "language" in r.json()["detail"], r.text
    en = at_voice("en")
    for other in ("cmn", "yue"):
        r = api.post(f"{BASE}/{en}/voice/challenge", json={"language": other},
                     headers=api.hdr("agent"))
        assert r.status_code == 400
    assert _challenge(api, en)["language"] == "en"
    bo = _challenge(api, at_voice("bo"))
    assert bo["prompt_audio_wav_base64"] is None and bo["words"]


def test_genuine_answer_passes_once(api: Any, rid: str) -> None:
    c = _challenge(api, rid)
    digits = c["numerals"].replace(" ", "")
    audio = gen.encode(gen.speak("cmn", digits, seed=31), "webm")
    r = _answer(api, rid, c["nonce"], audio)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passed"] and body["status"] == "voice_passed" and body["next"] == "done"
    assert set(body["checks"].values()) == {True}
    # No scores reach the client.
    assert all(isinstance(v, bool) for v in body["checks"].values())
    again = _answer(api, rid, c["nonce"], audio)
    assert again.status_code == 409
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert "voice_audio" in [e["kind"] for e in view["evidence"]]
    assert view["stages"][-1] == {"stage": "voice", "passed": True, "reasons": []}


def test_english_wrong_digits_then_retries_then_supervisor_override(api: Any,
                                                                    at_voice: Any) -> None:
    rid = at_voice("en")
    prompts = []
    for attempt in (1, 2, 3):
        c = _challenge(api, rid)
        assert c["attempt"] == attempt
        prompts.append(c["rate_wpm"])
        digits = c["numerals"].replace(" ", "")
        wrong = digits[:-1] + {"4": "5", "5": "4"}.get(digits[-1], "4" if digits[-1] != "4"
                                                          else "5")
        r = _answer(api, rid, c["nonce"], gen.encode(gen.speak("en", wrong, seed=40 + attempt),
                                                     "mp3"), "a.mp3")
        body = r.json()
        assert r.status_code == 200 and not body["passed"], body
        assert "wrong_digits" in body["reasons"] or "wrong_digit_count" in body["reasons"]
        assert body["status"] == "liveness_passed"
        assert body["next"] == ("retry" if attempt < 3 else "supervisor_override")
    assert prompts[0] > prompts[1] > prompts[2]  # slower each time
    r = api.post(f"{BASE}/{rid}/voice/challenge", headers=api.hdr("agent"))
    assert r.status_code == 409 and "supervisor" in r.json()["detail"]
    reason = {"reason": "customer has a speech impairment; identity confirmed in person"}
    assert api.post(f"{BASE}/{rid}/voice/override", json=reason,
                    headers=api.hdr("agent")).status_code == 403
    assert api.post(f"{BASE}/{rid}/voice/override", json={"reason": "ok"},
                    headers=api.hdr("supervisor")).status_code == 422
    r = api.post(f"{BASE}/{rid}/voice/override", json=reason, headers=api.hdr("supervisor"))
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "assisted_override" and r.json()["assisted_override"] is True
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert view["assisted_override"] is True
    assert view["stages"][-1]["reasons"] == ["assisted_override"]


def test_override_refused_before_attempts_are_used(api: Any, rid: str) -> None:
    r = api.post(f"{BASE}/{rid}/voice/override",
                 json={"reason": "customer is in a hurry, please skip"},
                 headers=api.hdr("supervisor"))
    assert r.status_code == 400 and "only after" in r.json()["detail"]


def test_silence_fails_with_reason(api: Any, rid: str) -> None:
    import numpy as np

    c = _challenge(api, rid)
    quiet = np.random.default_rng(0).normal(0, 0.002, 3 * 16000).astype(np.float32)
    r = _answer(api, rid, c["nonce"], gen.encode(quiet, "wav"), "a.wav")
    assert r.json()["reasons"] == ["no_speech"] and r.json()["next"] == "retry"


def test_non_audio_upload_refused(api: Any, rid: str) -> None:
    c = _challenge(api, rid)
    r = _answer(api, rid, c["nonce"], b"not audio at all" * 100, "a.wav")
    assert r.status_code == 415


def test_answer_with_video(api: Any, at_voice: Any) -> None:
    rid = at_voice("en")
    c = _challenge(api, rid)
    digits = c["numerals"].replace(" ", "")
    x = gen.speak("en", digits, seed=51)
    video = gen.talking_video("face_recognition/obama.jpg", x, seed=51).read_bytes()
    r = _answer(api, rid, c["nonce"], gen.encode(x, "ogg"), "a.ogg", video=video)
    body = r.json()
    assert r.status_code == 200 and body["passed"], body
    assert body["checks"]["av_sync"] is True
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert {"voice_audio", "voice_video"} <= {e["kind"] for e in view["evidence"]}


def test_answer_without_video_fails_under_the_default_policy(
        api: Any, new_registration: Any, advance: Any) -> None:
    """The policy requires the video recorded with the answer (lips in sync): leaving it
    out no longer skips the check, it fails ``video_missing``."""
    assert api.ctx.policy.voice.require_video
    rid = new_registration(language="en")
    _at_voice_step(api, rid, advance)
    c = _challenge(api, rid)
    audio = gen.encode(gen.speak("en", c["numerals"].replace(" ", ""), seed=51), "ogg")
    r = _answer(api, rid, c["nonce"], audio, "a.ogg")
    assert r.status_code == 200, r.text
    assert r.json()["passed"] is False and r.json()["reasons"] == ["video_missing"]
    assert r.json()["status"] == "liveness_passed"
