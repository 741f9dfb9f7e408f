"""Liveness challenges: what the customer is asked to do, and single use.

A challenge is a random sequence of distinct actions, a nonce and an expiry,
optionally with a screen-light colour sequence. Randomness comes from a
``secrets.SystemRandom`` passed in (tests pass ``random.Random(seed)``); the
clock is passed in too. Single use is the store's job: :class:`ChallengeStore`
is the interface, :class:`InMemoryChallengeStore` the in-process one used by
the CLI and tests (the workflow service keeps challenges in the database).
"""

from __future__ import annotations

import random
import threading
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from simkyc.domain.errors import ChallengeError
from simkyc.domain.policy import DEFAULT_POLICY, LivenessPolicy

#: The actions a challenge draws from. ``turn_left`` is the customer's own left
#: (nose toward the right edge of the unmirrored image); ``look_up`` raises the chin.
ACTIONS: tuple[str, ...] = ("turn_left", "turn_right", "blink", "look_up", "open_mouth")
#: Actions a flat picture cannot perform (a bent or tilted photo can fake a turn).
NON_RIGID_ACTIONS: frozenset[str] = frozenset({"blink", "open_mouth"})
#: Colours the capture page can flash for the screen-light check.
SCREEN_COLOURS: tuple[str, ...] = ("red", "green", "blue", "yellow", "magenta", "cyan")


@dataclass(frozen=True)
class LivenessChallenge:
    """One issued challenge.

    ``nonce``: 32 hex characters from the passed-in ``secrets`` RNG.
    ``actions``: 3..5 distinct actions, in the order to perform them.
    ``screen_colours`` / ``colour_ms``: the colours to flash, each for
    ``colour_ms`` milliseconds from the start of recording (empty = no
    screen-light check). ``expires_at``: timezone-aware.
    """

    nonce: str
    actions: tuple[str, ...]
    issued_at: datetime
    expires_at: datetime
    screen_colours: tuple[str, ...] = ()
    colour_ms: int = 400

    def expired(self, now: datetime) -> bool:
        return now >= self.expires_at


def parse_actions(text: str) -> tuple[str, ...]:
    """``"turn_left,blink"`` -> ``("turn_left", "blink")``; ``ValueError`` on an unknown action."""
    actions = tuple(a.strip() for a in text.split(",") if a.strip())
    unknown = [a for a in actions if a not in ACTIONS]
    if unknown:
        raise ValueError(f"unknown action(s): {', '.join(unknown)} (known: {', '.join(ACTIONS)})")
    if not actions:
        raise ValueError("no actions given")
    return actions


def issue_challenge(rng: random.Random, *, now: datetime,
                    policy: LivenessPolicy = DEFAULT_POLICY.liveness,
                    screen_colours: int = 0, extra_actions: int = 0) -> LivenessChallenge:
    """Draw a challenge: ``policy.challenge_actions`` distinct actions (3..5) in
    random order, always including at least one of ``blink`` / ``open_mouth``,
    a 128-bit nonce, expiry ``now + policy.challenge_ttl_seconds``; and, if
    ``screen_colours`` > 0, that many colours (no colour twice in a row).

    ``extra_actions``: that many more actions (up to all of them), e.g. in place of
    the screen-light check when there is no flash.

    ``rng``: pass ``secrets.SystemRandom()`` in production.
    """
    n = policy.challenge_actions
    if not 3 <= n <= len(ACTIONS):
        raise ValueError(f"challenge_actions must be 3..{len(ACTIONS)}, not {n}")
    if extra_actions < 0:
        raise ValueError(f"extra_actions must be 0 or more, not {extra_actions}")
    n = min(len(ACTIONS), n + extra_actions)
    while True:
        actions = tuple(rng.sample(ACTIONS, n))
        if NON_RIGID_ACTIONS & set(actions):
            break
    colours: list[str] = []
    while len(colours) < screen_colours:
        c = rng.choice(SCREEN_COLOURS)
        if not colours or c != colours[-1]:
            colours.append(c)
    return LivenessChallenge(
        nonce=f"{rng.getrandbits(128):032x}",
        actions=actions,
        issued_at=now,
        expires_at=now + timedelta(seconds=policy.challenge_ttl_seconds),
        screen_colours=tuple(colours),
    )


class ChallengeStore(Protocol):
    """Keeps issued challenges and hands each out for verification once."""

    def save(self, challenge: LivenessChallenge) -> None: ...

    def consume(self, nonce: str, *, now: datetime) -> LivenessChallenge:
        """Return the challenge and mark it used; :class:`ChallengeError` if
        unknown, already used or expired."""
        ...


class InMemoryChallengeStore:
    """A thread-safe in-process :class:`ChallengeStore` (CLI, tests)."""

    def __init__(self) -> None:
        self._open: dict[str, LivenessChallenge] = {}
        self._used: set[str] = set()
        self._lock = threading.Lock()

    def save(self, challenge: LivenessChallenge) -> None:
        with self._lock:
            if challenge.nonce in self._open or challenge.nonce in self._used:
                raise ChallengeError("duplicate challenge nonce")
            self._open[challenge.nonce] = challenge

    def consume(self, nonce: str, *, now: datetime) -> LivenessChallenge:
        with self._lock:
            if nonce in self._used:
                raise ChallengeError("challenge already used")
            challenge = self._open.pop(nonce, None)
            if challenge is None:
                raise ChallengeError("unknown challenge")
            self._used.add(nonce)
        if challenge.expired(now):
            raise ChallengeError("challenge expired")
        return challenge


__all__ = [
    "ACTIONS",
    "NON_RIGID_ACTIONS",
    "SCREEN_COLOURS",
    "ChallengeStore",
    "InMemoryChallengeStore",
    "LivenessChallenge",
    "issue_challenge",
    "parse_actions",
]
