"""Challenges: random, well-formed, expiring, single use."""

from __future__ import annotations

import random
import secrets
from datetime import UTC, datetime, timedelta

import pytest

from simkyc.domain.errors import ChallengeError
from simkyc.domain.policy import LivenessPolicy
from simkyc.liveness import ACTIONS, InMemoryChallengeStore, issue_challenge, parse_actions
from simkyc.liveness.challenge import NON_RIGID_ACTIONS, SCREEN_COLOURS

NOW = datetime(2026, 11, 29, 3, 0, tzinfo=UTC)


def test_challenge_shape() -> None:
    c = issue_challenge(secrets.SystemRandom(), now=NOW, screen_colours=8)
    assert len(c.actions) == 3 and len(set(c.actions)) == 3 and set(c.actions) <= set(ACTIONS)
    assert NON_RIGID_ACTIONS & set(c.actions)
    assert len(c.nonce) == 32 and int(c.nonce, 16) >= 0
    assert c.expires_at - c.issued_at == timedelta(seconds=60)
    assert len(c.screen_colours) == 8 and set(c.screen_colours) <= set(SCREEN_COLOURS)
    assert all(a != b for a, b in zip(c.screen_colours, c.screen_colours[1:], strict=False))


def test_seeded_rng_is_reproducible_and_varied() -> None:
    a = issue_challenge(random.Random(1), now=NOW)
    b = issue_challenge(random.Random(1), now=NOW)
    assert a == b
    seen = {issue_challenge(random.Random(s), now=NOW).actions for s in range(200)}
    assert len(seen) > 30  # many different orders, not a fixed list
    nonces = {issue_challenge(secrets.SystemRandom(), now=NOW).nonce for _ in range(100)}
    assert len(nonces) == 100


def test_longer_challenges_and_bad_length() -> None:
    c = issue_challenge(random.Random(2), now=NOW, policy=LivenessPolicy(challenge_actions=5))
    assert sorted(c.actions) == sorted(ACTIONS)
    with pytest.raises(ValueError):
        issue_challenge(random.Random(2), now=NOW, policy=LivenessPolicy(challenge_actions=2))


def test_store_is_single_use_and_expires() -> None:
    store = InMemoryChallengeStore()
    c = issue_challenge(random.Random(3), now=NOW)
    store.save(c)
    assert store.consume(c.nonce, now=NOW + timedelta(seconds=5)) == c
    with pytest.raises(ChallengeError, match="already used"):
        store.consume(c.nonce, now=NOW + timedelta(seconds=6))
    with pytest.raises(ChallengeError, match="unknown"):
        store.consume("0" * 32, now=NOW)
    late = issue_challenge(random.Random(4), now=NOW)
    store.save(late)
    with pytest.raises(ChallengeError, match="expired"):
        store.consume(late.nonce, now=NOW + timedelta(seconds=61))
    with pytest.raises(ChallengeError, match="already used"):  # even a failed late try uses it
        store.consume(late.nonce, now=NOW)


def test_parse_actions() -> None:
    assert parse_actions("turn_left, blink,turn_right") == ("turn_left", "blink", "turn_right")
    with pytest.raises(ValueError, match="wave"):
        parse_actions("turn_left,wave")
    with pytest.raises(ValueError):
        parse_actions(" , ")
