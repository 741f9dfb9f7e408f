"""Registration rules: pure checks, each refusal with its reason code.

The register step gathers the facts (:class:`RuleFacts`) under the identity's
lock and asks :func:`broken_rules`; every rule reads its limit from the
versioned policy, so a refusal can be explained later by the policy it was
decided under.

=============================  ==================================================
reason                         rule
=============================  ==================================================
``identity_unknown``           the document step established no identity (no keyed
                               hash, or no identity fields kept with it)
``upper_body_missing``         the flow requires the upper-body photo; none kept
``document_expired``           the document is not valid on the registration date
``under_minimum_age``          the customer is younger than the policy's minimum age
                               on the registration date (a guardian flow is out of
                               scope)
``too_many_numbers_for_identity``  the identity already holds the policy's maximum of
                               active services with this operator (one-ID-five-numbers)
``service_id_in_use``          the number (MSISDN / line id) is already active
``iccid_in_use``               the SIM card (ICCID) is already active
=============================  ==================================================

An ended service (ported out, cancelled) is not active: it frees its count and
its number.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date


class ServiceEnd(enum.StrEnum):
    """Why an active service ended (it then no longer counts toward the limit)."""

    PORTED_OUT = "ported_out"
    CANCELLED = "cancelled"


@dataclass(frozen=True)
class RuleFacts:
    """What the rules need, gathered under the identity's lock.

    ``birth_date`` / ``valid_until``: from the identity fields the document
    step kept (``None`` when the document does not state them: a Chinese
    card's front has no validity, it is on the back). ``identity_known``: the
    registration carries the identity's keyed hash and its fields.
    """

    on: date
    identity_known: bool
    upper_body_required: bool
    upper_body_kept: bool
    birth_date: date | None
    valid_until: date | None
    active_services: int
    service_id_active: bool
    iccid_active: bool


@dataclass(frozen=True)
class RuleLimits:
    """The policy values the rules use (``DecisionPolicy`` sections, copied)."""

    max_active_services: int = 5
    minimum_age_years: int = 16
    reject_expired: bool = True


def age_on(birth: date, on: date) -> int:
    """Whole years from ``birth`` to ``on`` (a 29 February birthday counts on 1 March)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def document_valid(valid_until: date | None, on: date) -> str | None:
    """``document_expired`` when the document's last valid day is before ``on``."""
    reason = "document_expired"
    return reason if valid_until is not None and valid_until < on else None


def old_enough(birth: date | None, on: date, minimum_years: int) -> str | None:
    """``under_minimum_age`` when the customer is younger than ``minimum_years`` on ``on``."""
    reason = "under_minimum_age"
    return reason if birth is not None and age_on(birth, on) < minimum_years else None


def within_service_limit(active: int, limit: int) -> str | None:
    """``too_many_numbers_for_identity`` when ``active`` services already reach ``limit``."""
    reason = "too_many_numbers_for_identity"
    return reason if active >= limit else None


def number_free(service_id_active: bool, iccid_active: bool) -> tuple[str, ...]:
    """``service_id_in_use`` / ``iccid_in_use`` for a number or SIM that is already active."""
    reasons = []
    if service_id_active:
        reasons.append("service_id_in_use")
    if iccid_active:
        reasons.append("iccid_in_use")
    return tuple(reasons)


def broken_rules(facts: RuleFacts, limits: RuleLimits) -> tuple[str, ...]:
    """Every rule ``facts`` break, in the order of the table above (empty: allowed).

    Without a known identity the other rules cannot be applied, so only
    ``identity_unknown`` is given.
    """
    if not facts.identity_known:
        return ("identity_unknown",)
    reasons: list[str] = []
    if facts.upper_body_required and not facts.upper_body_kept:
        reasons.append("upper_body_missing")
    if limits.reject_expired and (r := document_valid(facts.valid_until, facts.on)):
        reasons.append(r)
    if r := old_enough(facts.birth_date, facts.on, limits.minimum_age_years):
        reasons.append(r)
    if r := within_service_limit(facts.active_services, limits.max_active_services):
        reasons.append(r)
    reasons.extend(number_free(facts.service_id_active, facts.iccid_active))
    return tuple(reasons)


__all__ = [
    "RuleFacts",
    "RuleLimits",
    "ServiceEnd",
    "age_on",
    "broken_rules",
    "document_valid",
    "number_free",
    "old_enough",
    "within_service_limit",
]
