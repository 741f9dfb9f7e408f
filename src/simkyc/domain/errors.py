"""The simkyc exception tree.

An exception means *no decision could be reached*; a rejection is a result,
never an exception.

    SimkycError
    ├── InputError                 bad input: unreadable, wrong format, too big (CLI exit 2, HTTP 4xx)
    │   ├── UnsupportedMediaError  wrong content type / container / codec
    │   └── MediaTooLargeError     bytes, pixels or duration above the configured limit
    ├── IllegalTransitionError     a registration cannot move from its status to the requested one
    ├── NotFoundError              a record that does not exist (or is not visible to the caller)
    ├── EvidenceError              evidence store problems
    │   ├── EvidenceTamperedError  stored bytes do not match the recorded hash / fail authentication
    │   └── EvidenceKeyDestroyedError  the record's data key was destroyed: evidence is unreadable
    ├── ChallengeError             a challenge that is unknown, expired or already used
    └── ConfigurationError         settings that cannot be used (e.g. default master key in production)
"""

from __future__ import annotations


class SimkycError(Exception):
    """Base of every error simkyc raises on purpose."""


class InputError(SimkycError):
    """The input cannot be checked: unreadable, invalid, or of the wrong kind."""


class UnsupportedMediaError(InputError):
    """The media type, container or codec is not one simkyc accepts."""


class MediaTooLargeError(InputError):
    """The input exceeds a configured limit (bytes, pixels, duration)."""


class IllegalTransitionError(SimkycError):
    """A registration cannot move from its current status to the requested one."""

    def __init__(self, current: str, requested: str) -> None:
        super().__init__(f"illegal transition: {current} -> {requested}")
        self.current = current
        self.requested = requested


class NotFoundError(SimkycError):
    """The record does not exist (or the caller may not see it)."""


class EvidenceError(SimkycError):
    """The evidence store cannot read or write an item."""


class EvidenceTamperedError(EvidenceError):
    """The stored bytes fail authentication or do not match the recorded hash."""


class EvidenceKeyDestroyedError(EvidenceError):
    """The registration's data key was destroyed, so its evidence is unreadable."""


class ChallengeError(SimkycError):
    """A challenge nonce that is unknown, expired, or already used."""


class ConfigurationError(SimkycError):
    """Settings that cannot be used as given."""


__all__ = [
    "ChallengeError",
    "ConfigurationError",
    "EvidenceError",
    "EvidenceKeyDestroyedError",
    "EvidenceTamperedError",
    "IllegalTransitionError",
    "InputError",
    "MediaTooLargeError",
    "NotFoundError",
    "SimkycError",
    "UnsupportedMediaError",
]
