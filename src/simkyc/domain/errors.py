"""The simkyc exception tree.

An exception means *no decision could be reached*; a rejection is a result,
never an exception. Every class carries a stable ``code`` (the ``error`` of the
HTTP envelope, the key ``error.<code>`` of the message catalogue); the HTTP
status beside each is what the API answers.

    SimkycError                      internal_error        500
    ├── InputError                   invalid_input         400  bad input: unreadable, wrong format (CLI exit 2)
    │   ├── UnsupportedMediaError    unsupported_media_type 415 wrong content type / container / codec
    │   ├── MediaTooLargeError       payload_too_large     413  bytes, pixels, frames or duration above a limit
    │   ├── ServiceInvalidError      service_invalid       422  a phone number or ICCID that fails its check
    │   └── ReaderRecordRefusedError reader_record_refused 422  a card-reader record without a valid signature
    ├── AuthenticationError          unauthorized          401  no, unknown, revoked or expired credentials
    ├── PermissionDenied             forbidden             403  the actor's role may not do this
    │   └── CsrfError                csrf_failed           403  a cookie-authenticated change without its CSRF token
    ├── NotFoundError                not_found             404  does not exist (or is not visible to the caller)
    ├── ConflictError                conflict              409  the request conflicts with what is stored
    │   ├── IllegalTransitionError   illegal_transition    409  a step its registration's status does not allow
    │   └── ChallengeError           challenge_rejected    409  a challenge that is unknown, expired or used
    ├── EvidenceError                evidence_unreadable   500  evidence store problems
    │   ├── EvidenceTamperedError    evidence_unreadable   500  stored bytes fail authentication / their hash
    │   └── EvidenceKeyDestroyedError evidence_destroyed   410  the data key was destroyed (crypto-shredded)
    ├── LockedOutError               locked_out            423  too many failed attempts for one document
    ├── RateLimitedError             too_many_requests     429  too many attempts from one client or account
    └── ConfigurationError           configuration_error   500  settings that cannot be used
"""

from __future__ import annotations

from datetime import datetime


class SimkycError(Exception):
    """Base of every error simkyc raises on purpose."""

    code = "internal_error"


class InputError(SimkycError):
    """The input cannot be checked: unreadable, invalid, or of the wrong kind."""

    code = "invalid_input"


class UnsupportedMediaError(InputError):
    """The media type, container or codec is not one simkyc accepts."""

    code = "unsupported_media_type"


class MediaTooLargeError(InputError):
    """The input exceeds a configured limit (bytes, pixels, frames, duration)."""

    code = "payload_too_large"


class ServiceInvalidError(InputError):
    """The service to register fails its check (phone number, SIM ICCID); ``reasons``
    are reason codes (``reason.<code>``), ``language`` the customer's, for their texts."""

    code = "service_invalid"

    def __init__(self, message: str, *, reasons: tuple[str, ...],
                 language: str | None = None) -> None:
        super().__init__(message)
        self.reasons = reasons
        self.language = language


class ReaderRecordRefusedError(InputError):
    """A card-reader record whose origin cannot be proved (unsigned, unknown, revoked or
    another outlet's device, a bad signature, stale, or already used); ``reason`` is its
    reason code (``reason.<code>``), ``language`` the customer's, for its text."""

    code = "reader_record_refused"

    def __init__(self, message: str, *, reason: str, language: str | None = None) -> None:
        super().__init__(message)
        self.reason = reason
        self.reasons: tuple[str, ...] = (reason,)
        self.language = language


class AuthenticationError(SimkycError):
    """No credentials, or credentials that are unknown, revoked or expired."""

    code = "unauthorized"


class PermissionDenied(SimkycError):
    """The acting role may not do this."""

    code = "forbidden"


class CsrfError(PermissionDenied):
    """A change authenticated by the session cookie without the session's CSRF token."""

    code = "csrf_failed"


class NotFoundError(SimkycError):
    """The record does not exist (or the caller may not see it)."""

    code = "not_found"


class ConflictError(SimkycError):
    """The request conflicts with what is stored (e.g. an idempotency key reused)."""

    code = "conflict"


class IllegalTransitionError(ConflictError):
    """A registration cannot move from its current status to the requested one."""

    code = "illegal_transition"

    def __init__(self, current: str, requested: str) -> None:
        super().__init__(f"illegal transition: {current} -> {requested}")
        self.current = current
        self.requested = requested


class ChallengeError(ConflictError):
    """A challenge nonce that is unknown, expired, or already used."""

    code = "challenge_rejected"


class EvidenceError(SimkycError):
    """The evidence store cannot read or write an item."""

    code = "evidence_unreadable"


class EvidenceTamperedError(EvidenceError):
    """The stored bytes fail authentication or do not match the recorded hash."""


class EvidenceKeyDestroyedError(EvidenceError):
    """The registration's data key was destroyed, so its evidence is unreadable."""

    code = "evidence_destroyed"


class LockedOutError(SimkycError):
    """Verification of one document is locked after repeated failures.

    ``reason`` is the reason code (``document_locked_out``); ``until`` when the
    lock ends by itself (a supervisor may lift it earlier).
    """

    code = "locked_out"

    def __init__(self, message: str, *, until: datetime | None = None,
                 reason: str = "document_locked_out") -> None:
        super().__init__(message)
        self.until = until
        self.reason = reason


class RateLimitedError(SimkycError):
    """Too many attempts in a short time (e.g. failed sign-ins); retry after ``retry_after_s``."""

    code = "too_many_requests"

    def __init__(self, message: str, *, retry_after_s: float = 60.0) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class ConfigurationError(SimkycError):
    """Settings that cannot be used as given."""

    code = "configuration_error"


__all__ = [
    "AuthenticationError",
    "ChallengeError",
    "ConfigurationError",
    "ConflictError",
    "CsrfError",
    "EvidenceError",
    "EvidenceKeyDestroyedError",
    "EvidenceTamperedError",
    "IllegalTransitionError",
    "InputError",
    "LockedOutError",
    "MediaTooLargeError",
    "NotFoundError",
    "PermissionDenied",
    "RateLimitedError",
    "ReaderRecordRefusedError",
    "ServiceInvalidError",
    "SimkycError",
    "UnsupportedMediaError",
]
