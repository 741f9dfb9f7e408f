"""What every application service is given: its side effects and its rules, passed in.

A :class:`ServiceContext` is built once per process by
:func:`simkyc.runtime.build_context` (the API, the worker and the CLI share
it); tests build one on a temporary SQLite file or PostgreSQL schema.
"""

from __future__ import annotations

import random
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from simkyc.domain.flow import DEFAULT_FLOW, FlowDefinition
from simkyc.domain.policy import DEFAULT_POLICY, DecisionPolicy
from simkyc.services.ports import (
    Clock,
    EvidenceStore,
    IdSource,
    Keyring,
    RandomSource,
    UnitOfWorkFactory,
)
from simkyc.services.records_ports import RecordSigner

MB = 1024 * 1024


def utc_now() -> datetime:
    return datetime.now(UTC)


def system_random(purpose: str) -> random.Random:
    """The OS CSPRNG, whatever the purpose (production challenges)."""
    return secrets.SystemRandom()


def new_hex_id() -> str:
    """32 random hex digits (128 bits) from the OS CSPRNG."""
    return secrets.token_hex(16)


@dataclass(frozen=True)
class MediaLimits:
    """What a step accepts before it decodes anything (bytes) and while it decodes.

    ``max_video_pixels``: decoded pixels kept over a whole video (frames ×
    width × height, after downscaling): 80 M pixels are 240 MB of RGB. The
    liveness and voice steps downscale frames to fit it, and refuse a video
    whose frames would not fit even at ``min_video_side`` px.
    """

    max_image_bytes: int = 15 * MB
    max_video_bytes: int = 60 * MB
    max_audio_bytes: int = 20 * MB
    max_json_bytes: int = 2 * MB
    max_video_pixels: int = 80_000_000
    analysis_video_side: int = 640
    min_video_side: int = 320


@dataclass(frozen=True)
class ServiceContext:
    """The side effects and rules of the application layer.

    ``uow``: opens a unit of work (one transaction). ``store``: the encrypted
    evidence store. ``keys``: the master keyring. ``clock``, ``new_id``,
    ``rng`` (randomness for challenges: ``rng(purpose)`` gives a fresh
    ``random.Random``, the OS CSPRNG in production). ``before_commit``: a test seam run after
    evidence files are written, before the transaction that records them commits.
    """

    uow: UnitOfWorkFactory
    store: EvidenceStore
    keys: Keyring
    policy: DecisionPolicy = DEFAULT_POLICY
    flow: FlowDefinition = DEFAULT_FLOW
    clock: Clock = utc_now
    new_id: IdSource = new_hex_id
    rng: RandomSource = system_random
    limits: MediaLimits = field(default_factory=MediaLimits)
    before_commit: Callable[[], None] | None = None
    dialect: str = "sqlite"
    #: Signs registration records (None: no records are issued, e.g. a bare test context).
    signer: RecordSigner | None = None


__all__ = ["MediaLimits", "ServiceContext", "new_hex_id", "system_random", "utc_now"]
