"""The liveness step over HTTP: challenge, single use, check, evidence, status."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))

import liveness_generate as gen  # noqa: E402
from liveness_cases import cached_video  # noqa: E402

from simkyc.domain.evidence import EvidenceKind  # noqa: E402
from simkyc.services.context import system_random  # noqa: E402

BASE = "/api/v1/registrations"


def _at_live_face_step(api: Any, rid: str, advance: Any) -> None:
    for step in ("document", "live_face"):
        advance(api.ctx, api.actor("agent"), rid, step, subject=f"CHN/{rid}")


def _video_for(actions: list[str], colours: list[str], colour_ms: int) -> bytes:
    """A genuine session performing ``actions`` under the ``colours`` (cached per challenge)."""
    import numpy as np

    name = "api_" + "_".join(actions) + "_" + "_".join(colours)

    def build() -> gen.Clip:
        poses = gen.timeline(actions, np.random.default_rng(11))
        poses = gen.with_screen_light(poses, colours, colour_ms)
        return gen.make_clip(gen.PHOTOS[0], actions, 11, poses=poses)

    return cached_video(name, build).read_bytes()


@pytest.fixture
def challenge(api: Any, new_registration: Any, advance: Any) -> tuple[str, dict[str, Any]]:
    # A seeded RNG instead of the OS one, so the test videos can be generated once and cached.
    import random

    api.app.state.context = replace(api.ctx, rng=lambda purpose: random.Random(2026))
    rid = new_registration()
    _at_live_face_step(api, rid, advance)
    r = api.post(f"{BASE}/{rid}/liveness/challenge", headers=api.hdr("agent"))
    assert r.status_code == 201, r.text
    return rid, r.json()


def test_challenge_is_well_formed_and_random_by_default(
        api: Any, challenge: tuple[str, dict[str, Any]]) -> None:
    rid, c = challenge
    assert len(c["actions"]) == 3 and len(set(c["actions"])) == 3
    assert len(c["nonce"]) == 32 and len(c["screen_colours"]) == 12 and c["expires_at"]
    api.app.state.context = replace(api.ctx, rng=system_random)  # the real CSPRNG
    got = [api.post(f"{BASE}/{rid}/liveness/challenge", headers=api.hdr("agent")).json()
           for _ in range(5)]
    assert len({g["nonce"] for g in got}) == 5
    assert len({tuple(g["actions"]) + tuple(g["screen_colours"]) for g in got}) == 5


def test_performed_challenge_passes_once_and_stores_evidence(
        api: Any, challenge: tuple[str, dict[str, Any]]) -> None:
    rid, c = challenge
    video = _video_for(c["actions"], c["screen_colours"], c["colour_ms"])
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": c["nonce"]}, files={"video": ("v.mp4", video, "video/mp4")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passed"] is True and body["status"] == "liveness_passed"
    assert [s["action"] for s in body["steps"]] == c["actions"]
    assert all(set(s) == {"action", "passed"} for s in body["steps"])  # no scores
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert view["status"] == "liveness_passed"
    kinds = {e["kind"] for e in view["evidence"]}
    assert {EvidenceKind.LIVENESS_VIDEO.value, EvidenceKind.LIVE_FACE.value} <= kinds
    stage = [s for s in view["stages"] if s["stage"] == "liveness"][0]
    assert set(stage) == {"stage", "passed", "reasons"}
    # The same nonce again (a replayed submission) is refused: the step is over.
    again = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                     data={"nonce": c["nonce"]}, files={"video": ("v.mp4", video, "video/mp4")})
    assert again.status_code == 409 and again.json()["error"] == "illegal_transition"


def test_replayed_video_of_another_challenge_fails_and_status_stays(
        api: Any, challenge: tuple[str, dict[str, Any]]) -> None:
    rid, c = challenge
    other = [a for a in ("turn_left", "blink", "turn_right", "open_mouth", "look_up")
             if a not in c["actions"]][:2] + [c["actions"][0]]
    video = _video_for(other, c["screen_colours"][::-1], c["colour_ms"])
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": c["nonce"]}, files={"video": ("v.mp4", video, "video/mp4")})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["passed"] is False and body["reasons"]
    assert body["status"] == "live_face_captured"  # a retry with a new challenge is allowed
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert EvidenceKind.LIVENESS_VIDEO.value in {e["kind"] for e in view["evidence"]}


def test_unknown_nonce_and_non_video_are_refused(api: Any,
                                                challenge: tuple[str, dict[str, Any]]) -> None:
    rid, c = challenge
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": "0" * 32}, files={"video": ("v.mp4", b"\x00" * 2000, "video/mp4")})
    assert r.status_code == 415
    video = _video_for(c["actions"], c["screen_colours"], c["colour_ms"])
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": "0" * 32}, files={"video": ("v.mp4", video, "video/mp4")})
    assert r.status_code == 409
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("other_agent"),
                 data={"nonce": c["nonce"]}, files={"video": ("v.mp4", video, "video/mp4")})
    assert r.status_code == 404  # another outlet's registration is invisible


def test_corrupt_video_leaves_the_challenge_unused(
        api: Any, challenge: tuple[str, dict[str, Any]]) -> None:
    """A video that cannot be decoded is refused before the challenge is used up."""
    rid, c = challenge
    video = _video_for(c["actions"], c["screen_colours"], c["colour_ms"])
    broken = video[:32] + b"\x00" * 4000  # a valid header, nothing decodable behind it
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": c["nonce"]}, files={"video": ("v.mp4", broken, "video/mp4")})
    assert r.status_code in (400, 415), r.text
    assert set(r.json()) == {"error", "detail"}
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": c["nonce"]}, files={"video": ("v.mp4", video, "video/mp4")})
    assert r.status_code == 200 and r.json()["passed"], r.text


def test_used_nonce_is_refused_while_retries_remain(
        api: Any, challenge: tuple[str, dict[str, Any]]) -> None:
    """A failed answer's nonce cannot be answered again (a fresh challenge is needed)."""
    rid, c = challenge
    other = [a for a in ("turn_left", "blink", "turn_right", "open_mouth", "look_up")
             if a not in c["actions"]][:2] + [c["actions"][0]]
    wrong = _video_for(other, c["screen_colours"][::-1], c["colour_ms"])
    first = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                     data={"nonce": c["nonce"]}, files={"video": ("v.mp4", wrong, "video/mp4")})
    assert first.status_code == 200 and not first.json()["passed"]
    right = _video_for(c["actions"], c["screen_colours"], c["colour_ms"])
    again = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                     data={"nonce": c["nonce"]}, files={"video": ("v.mp4", right, "video/mp4")})
    assert again.status_code == 409 and again.json()["error"] == "challenge_rejected"


def _liveness_details(api: Any, rid: str) -> list[dict[str, Any]]:
    with api.ctx.uow() as tx:
        return [dict(o.details) for o in tx.stages.list(registration_id=rid)
                if o.stage == "liveness"]


def test_without_the_flash_the_server_asks_for_an_extra_action_in_its_place(
        api: Any, new_registration: Any, advance: Any) -> None:
    """The photosensitive path skips the screen-light check; the server asks one more
    action instead, a video missing it fails, and the outcome records what was checked."""
    import itertools
    import random

    from simkyc.services.steps.liveness import NO_FLASH_EXTRA_ACTIONS

    n = itertools.count()  # seeded (cached videos), a fresh nonce per challenge
    api.app.state.context = replace(api.ctx, rng=lambda purpose: random.Random(2026 + next(n)))
    base = api.ctx.policy.liveness.challenge_actions
    rid = new_registration()
    _at_live_face_step(api, rid, advance)
    flash = api.post(f"{BASE}/{rid}/liveness/challenge", headers=api.hdr("agent")).json()
    c = api.post(f"{BASE}/{rid}/liveness/challenge/no-flash", headers=api.hdr("agent")).json()
    assert len(flash["actions"]) == base and len(flash["screen_colours"]) == 12
    assert len(c["actions"]) == base + NO_FLASH_EXTRA_ACTIONS == 4
    assert c["screen_colours"] == [] and len(set(c["actions"])) == len(c["actions"])
    with api.ctx.uow() as tx:
        audit = [e for e in tx.audit.entries(limit=100) if e.action == "liveness.no_flash"]
    assert [e.detail for e in audit] == [f"extra_actions={NO_FLASH_EXTRA_ACTIONS}"]

    # The usual three actions (no flash either): the extra one is missing -> fails.
    short = _video_for(c["actions"][:base], [], c["colour_ms"])
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": c["nonce"]}, files={"video": ("v.mp4", short, "video/mp4")})
    assert r.status_code == 200 and r.json()["passed"] is False, r.text
    assert "action_missing" in r.json()["reasons"], r.json()
    assert r.json()["status"] == "live_face_captured"

    c = api.post(f"{BASE}/{rid}/liveness/challenge/no-flash", headers=api.hdr("agent")).json()
    video = _video_for(c["actions"], [], c["colour_ms"])
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": c["nonce"]}, files={"video": ("v.mp4", video, "video/mp4")})
    assert r.status_code == 200 and r.json()["passed"] is True, r.text
    assert [s["action"] for s in r.json()["steps"]] == c["actions"]
    details = _liveness_details(api, rid)
    assert [(d["screen_light_checked"], d["extra_actions"], d["passed"]) for d in details] \
        == [(False, NO_FLASH_EXTRA_ACTIONS, False), (False, NO_FLASH_EXTRA_ACTIONS, True)]
    assert details[1]["screen_light_r"] is None  # nothing flashed, nothing correlated
