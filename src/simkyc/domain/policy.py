"""The versioned decision policy: every threshold a decision depends on.

A registration records the policy version it was decided under, so a decision
can be explained later even after thresholds change. Change a value only with
a new ``version`` and a measurement behind it (``make bench``).

Each stage owns one section; the stage reads its thresholds from there.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class DocumentPolicy:
    minimum_age_years: int = 16
    reject_expired: bool = True


@dataclass(frozen=True)
class FacePolicy:
    # Filled in and calibrated by the face stage (issue 4).
    match_threshold: float = 0.6


@dataclass(frozen=True)
class LivenessPolicy:
    challenge_actions: int = 3
    challenge_ttl_seconds: int = 60


@dataclass(frozen=True)
class VoicePolicy:
    digits: int = 6
    max_attempts: int = 3


@dataclass(frozen=True)
class RegistrationPolicy:
    max_numbers_per_identity: int = 5
    session_ttl_seconds: int = 30 * 60


@dataclass(frozen=True)
class DecisionPolicy:
    version: str = "2026.11-1"
    document: DocumentPolicy = field(default_factory=DocumentPolicy)
    face: FacePolicy = field(default_factory=FacePolicy)
    liveness: LivenessPolicy = field(default_factory=LivenessPolicy)
    voice: VoicePolicy = field(default_factory=VoicePolicy)
    registration: RegistrationPolicy = field(default_factory=RegistrationPolicy)


DEFAULT_POLICY = DecisionPolicy()

__all__ = [
    "DEFAULT_POLICY",
    "DecisionPolicy",
    "DocumentPolicy",
    "FacePolicy",
    "LivenessPolicy",
    "RegistrationPolicy",
    "VoicePolicy",
]
