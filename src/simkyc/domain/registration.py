"""Registrations: the status machine of one customer's verification.

    started ─► document_checked ─► live_face_captured ─► liveness_passed ─► voice_passed ─► face_matched ─► registered
                                                                  │                      ▲
                                                                  └─► assisted_override ─┘   (voice step approved by a supervisor)

Any status before ``registered`` may also go to ``rejected`` or ``expired``;
those three are terminal. A supervisor override is recorded as a status of its
own so that the registration carries the flag for ever (compliance counts it).
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field, replace
from datetime import datetime

from simkyc.domain.errors import IllegalTransitionError


class RegistrationStatus(enum.StrEnum):
    STARTED = "started"
    DOCUMENT_CHECKED = "document_checked"
    LIVE_FACE_CAPTURED = "live_face_captured"
    LIVENESS_PASSED = "liveness_passed"
    VOICE_PASSED = "voice_passed"
    ASSISTED_OVERRIDE = "assisted_override"
    FACE_MATCHED = "face_matched"
    REGISTERED = "registered"
    REJECTED = "rejected"
    EXPIRED = "expired"


S = RegistrationStatus

_FORWARD: dict[RegistrationStatus, frozenset[RegistrationStatus]] = {
    S.STARTED: frozenset({S.DOCUMENT_CHECKED}),
    S.DOCUMENT_CHECKED: frozenset({S.LIVE_FACE_CAPTURED}),
    S.LIVE_FACE_CAPTURED: frozenset({S.LIVENESS_PASSED}),
    S.LIVENESS_PASSED: frozenset({S.VOICE_PASSED, S.ASSISTED_OVERRIDE}),
    S.VOICE_PASSED: frozenset({S.FACE_MATCHED}),
    S.ASSISTED_OVERRIDE: frozenset({S.FACE_MATCHED}),
    S.FACE_MATCHED: frozenset({S.REGISTERED}),
}

TERMINAL: frozenset[RegistrationStatus] = frozenset({S.REGISTERED, S.REJECTED, S.EXPIRED})


def allowed_transitions(status: RegistrationStatus) -> frozenset[RegistrationStatus]:
    """The statuses a registration in ``status`` may move to."""
    if status in TERMINAL:
        return frozenset()
    return _FORWARD.get(status, frozenset()) | {S.REJECTED, S.EXPIRED}


def check_transition(current: RegistrationStatus, requested: RegistrationStatus) -> None:
    """Raise :class:`IllegalTransitionError` unless ``current -> requested`` is allowed."""
    if requested not in allowed_transitions(current):
        raise IllegalTransitionError(current.value, requested.value)


@dataclass(frozen=True)
class Registration:
    """One customer's registration session, as the domain sees it (immutable).

    Use :meth:`moved_to` to get the next state; it enforces the status machine.
    """

    id: str
    operator_id: str
    outlet_id: str
    agent_id: str
    status: RegistrationStatus
    policy_version: str
    created_at: datetime
    updated_at: datetime
    consent_at: datetime | None = None
    service_kind: str | None = None  # "mobile", "landline", "broadband"
    service_id: str | None = None  # MSISDN, line id, ...
    subject_id_hash: str | None = None  # keyed hash of the document number, never the number
    assisted_override: bool = False
    reasons: tuple[str, ...] = field(default_factory=tuple)
    flow_version: str = ""  # the flow definition this registration follows
    language: str | None = None  # the customer's language (fixed at the start)

    @staticmethod
    def new_id() -> str:
        return uuid.uuid4().hex

    def moved_to(
        self,
        status: RegistrationStatus,
        *,
        at: datetime,
        reasons: tuple[str, ...] = (),
    ) -> Registration:
        check_transition(self.status, status)
        return replace(
            self,
            status=status,
            updated_at=at,
            reasons=reasons,
            assisted_override=self.assisted_override or status is S.ASSISTED_OVERRIDE,
        )

    @property
    def is_terminal(self) -> bool:
        return self.status in TERMINAL


__all__ = [
    "Registration",
    "RegistrationStatus",
    "TERMINAL",
    "allowed_transitions",
    "check_transition",
]
