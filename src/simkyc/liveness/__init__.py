"""Active liveness (issue 5): challenges, and verification from video.

Public verb: :func:`check_liveness`. Challenges: :func:`issue_challenge` and a
:class:`ChallengeStore` for single use.
"""

from simkyc.liveness.actions import Step
from simkyc.liveness.challenge import (
    ACTIONS,
    ChallengeStore,
    InMemoryChallengeStore,
    LivenessChallenge,
    issue_challenge,
    parse_actions,
)
from simkyc.liveness.check import LivenessResult, check_liveness
from simkyc.liveness.screen_light import ScreenLight

__all__ = [
    "ACTIONS",
    "ChallengeStore",
    "InMemoryChallengeStore",
    "LivenessChallenge",
    "LivenessResult",
    "ScreenLight",
    "Step",
    "check_liveness",
    "issue_challenge",
    "parse_actions",
]
