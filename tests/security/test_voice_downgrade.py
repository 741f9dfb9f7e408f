"""Voice downgrade (issue 11, high): the agent cannot choose an easier check.

Seen before: the agent chose the challenge language per challenge, so on an
English-speaking customer's registration a ``cmn`` challenge skipped digit
recognition and wrong digits passed; and the lip-sync check was skipped when no
video was sent. Now the language is fixed with the registration (at its start,
or at its first challenge), a challenge in another one is refused, and where the
policy requires the video recorded with the answer its absence fails.
"""

from __future__ import annotations

import io
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from sqlalchemy import text

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))

import voice_generate as gen  # noqa: E402
from abuse import advance_to  # noqa: E402

BASE = "/api/v1/registrations"


def _at_voice(api: Any, new_registration: Any, advance: Any, **body: Any) -> str:
    rid = new_registration(**body)
    advance_to(api.ctx, api.actor("agent"), rid, "liveness", subject=f"CHN/{rid}",
               advance=advance)
    return str(rid)


def _challenge(api: Any, rid: str, **body: Any) -> Any:
    return api.post(f"{BASE}/{rid}/voice/challenge", json=body, headers=api.hdr("agent"))


def _issued(api: Any, rid: str) -> list[str]:
    with api.ctx.uow() as tx:
        rows = tx.session.execute(text("SELECT payload FROM challenges WHERE "
                                       "registration_id = :r"), {"r": rid}).all()
    out = []
    for (payload,) in rows:
        if isinstance(payload, str):
            import json

            payload = json.loads(payload)
        out.append(payload["language"])
    return out


@pytest.mark.parametrize("other", ["cmn", "yue", "ug", "bo"])
def test_a_challenge_in_another_language_is_refused(api: Any, new_registration: Any,
                                                    advance: Any, other: str) -> None:
    rid = _at_voice(api, new_registration, advance, language="en")
    r = _challenge(api, rid, language=other)
    assert r.status_code == 400 and "fixed" in r.json()["detail"], r.text
    assert _issued(api, rid) == []
    r = _challenge(api, rid)
    assert r.status_code == 201 and r.json()["language"] == "en"
    assert _issued(api, rid) == ["en"]


def test_the_first_challenge_fixes_a_missing_language(api: Any, new_registration: Any,
                                                      advance: Any) -> None:
    rid = _at_voice(api, new_registration, advance)
    assert _challenge(api, rid, language="en").status_code == 201
    assert _challenge(api, rid, language="cmn").status_code == 400
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert view["language"] == "en" and _issued(api, rid) == ["en"]


def _silence_wav() -> bytes:
    import soundfile as sf

    buf = io.BytesIO()
    sf.write(buf, np.zeros(16000 * 2, np.float32), 16000, format="WAV")
    return buf.getvalue()


def test_an_answer_without_its_video_fails(api: Any, new_registration: Any,
                                           advance: Any) -> None:
    assert api.ctx.policy.voice.require_video
    rid = _at_voice(api, new_registration, advance, language="en")
    c = _challenge(api, rid).json()
    digits = c["numerals"].replace(" ", "")
    audio = gen.encode(gen.speak("en", digits, seed=61), "ogg")  # the right digits, no video
    r = api.post(f"{BASE}/{rid}/voice", data={"nonce": c["nonce"]}, headers=api.hdr("agent"),
                 files={"audio": ("a.ogg", audio, "audio/ogg")})
    assert r.status_code == 200, r.text
    assert r.json()["passed"] is False and r.json()["reasons"] == ["video_missing"]
    assert r.json()["status"] == "liveness_passed"


def test_wrong_english_digits_fail_on_an_english_registration(api: Any, new_registration: Any,
                                                              advance: Any) -> None:
    """The attack itself: English customer, wrong digits. With the language fixed the
    digits are recognised in English (the video requirement is off here so that only
    the digits decide)."""
    policy = api.ctx.policy
    api.app.state.context = replace(api.ctx, policy=replace(
        policy, voice=replace(policy.voice, require_video=False)))
    rid = _at_voice(api, new_registration, advance, language="en")
    assert _challenge(api, rid, language="cmn").status_code == 400
    c = _challenge(api, rid).json()
    digits = c["numerals"].replace(" ", "")
    wrong = "".join(str((int(d) + 3) % 10) for d in digits)
    audio = gen.encode(gen.speak("en", wrong, seed=62), "ogg")
    r = api.post(f"{BASE}/{rid}/voice", data={"nonce": c["nonce"]}, headers=api.hdr("agent"),
                 files={"audio": ("a.ogg", audio, "audio/ogg")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passed"] is False, body
    assert {"wrong_digits", "wrong_digit_count"} & set(body["reasons"]), body


def test_silence_is_no_answer(api: Any, new_registration: Any, advance: Any) -> None:
    policy = api.ctx.policy
    api.app.state.context = replace(api.ctx, policy=replace(
        policy, voice=replace(policy.voice, require_video=False)))
    rid = _at_voice(api, new_registration, advance, language="en")
    c = _challenge(api, rid).json()
    r = api.post(f"{BASE}/{rid}/voice", data={"nonce": c["nonce"]}, headers=api.hdr("agent"),
                 files={"audio": ("a.wav", _silence_wav(), "audio/wav")})
    assert r.status_code == 200 and r.json()["passed"] is False, r.text
