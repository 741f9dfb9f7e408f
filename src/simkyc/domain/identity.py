"""Identity documents and the subscriber identity they establish."""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date


class DocumentKind(enum.StrEnum):
    CN_ID_FRONT = "cn-id-front"
    CN_ID_BACK = "cn-id-back"
    CN_ID_READER = "cn-id-reader"  # a card-reader SDK record (chip data)
    PASSPORT = "passport"  # ICAO 9303 TD3
    TD1 = "td1"  # ICAO 9303 ID card, three MRZ lines
    TD2 = "td2"


@dataclass(frozen=True)
class IdentityDocument:
    """The fields read from one document. Dates are ``datetime.date``; missing is ``None``."""

    kind: DocumentKind
    document_number: str | None = None
    surname: str | None = None
    given_names: str | None = None
    full_name: str | None = None
    sex: str | None = None  # "M" / "F"
    birth_date: date | None = None
    nationality: str | None = None
    issuing_state: str | None = None
    ethnicity: str | None = None
    address: str | None = None
    issuing_authority: str | None = None
    valid_from: date | None = None
    valid_until: date | None = None  # None with ``long_term`` for "长期"
    long_term: bool = False
    extra: dict[str, str] = field(default_factory=dict)

    def is_expired(self, on: date) -> bool:
        return not self.long_term and self.valid_until is not None and self.valid_until < on


@dataclass(frozen=True)
class SubscriberIdentity:
    """The verified person a service is registered to."""

    document_kind: DocumentKind
    document_number: str
    full_name: str
    birth_date: date | None
    sex: str | None


__all__ = ["DocumentKind", "IdentityDocument", "SubscriberIdentity"]
