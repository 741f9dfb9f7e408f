"""Validate the fields read from a document, field by field, with reason codes.

Every check yields a :class:`FieldCheck`; a failed check carries a
machine-readable ``reason`` (e.g. ``id_number_checksum``, ``sex_mismatch``,
``document_expired``). The same rules apply whether fields came from OCR or
from a card reader's chip.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from simkyc.document.cn_id_card import ETHNICITIES
from simkyc.document.id_number import check_id_number
from simkyc.document.mrz import MrzReading
from simkyc.domain.policy import DocumentPolicy

_CJK_NAME = re.compile(r"^[\u3400-\u9fff·]{2,30}$")


@dataclass(frozen=True)
class FieldCheck:
    """The validation of one field: ``valid`` and, when not, the ``reason`` code."""

    valid: bool
    reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "reason": self.reason}


OK = FieldCheck(True)


def _fail(reason: str) -> FieldCheck:
    return FieldCheck(False, reason)


def age_on(birth: date, on: date) -> int:
    """Whole years between ``birth`` and ``on``."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def validate_cn_front(fields: dict[str, Any], *, on: date) -> dict[str, FieldCheck]:
    """Front (or reader record) personal fields: ID checksum, region and birth
    date; printed birth date and sex agree with the number; name, ethnicity,
    address present and plausible."""
    out: dict[str, FieldCheck] = {}
    number = fields.get("id_number")
    idc = check_id_number(number, today=on) if number else None
    if idc is None:
        out["id_number"] = _fail("id_number_missing")
    elif not idc.valid:
        out["id_number"] = _fail(f"id_number_{idc.error}")
    else:
        out["id_number"] = OK
    name = fields.get("name")
    if not name:
        out["name"] = _fail("name_missing")
    elif not _CJK_NAME.match(name) or name.startswith("·") or name.endswith("·"):
        out["name"] = _fail("name_unreadable")
    else:
        out["name"] = OK
    sex = fields.get("sex")
    if sex not in ("M", "F"):
        out["sex"] = _fail("sex_missing")
    elif idc is not None and idc.sex is not None and idc.sex != sex:
        out["sex"] = _fail("sex_mismatch")
    else:
        out["sex"] = OK
    eth = fields.get("ethnicity")
    if not eth:
        out["ethnicity"] = _fail("ethnicity_missing")
    elif eth not in ETHNICITIES:
        out["ethnicity"] = _fail("ethnicity_unknown")
    else:
        out["ethnicity"] = OK
    birth = fields.get("birth_date")
    if birth is None:
        out["birth_date"] = _fail("birth_date_missing")
    elif birth > on:
        out["birth_date"] = _fail("birth_date_in_future")
    elif idc is not None and idc.birth_date is not None and idc.birth_date != birth:
        out["birth_date"] = _fail("birth_date_mismatch")
    else:
        out["birth_date"] = OK
    out["address"] = OK if fields.get("address") else _fail("address_missing")
    return out


def validate_cn_back(
    fields: dict[str, Any], *, on: date
) -> tuple[dict[str, FieldCheck], bool | None]:
    """Back (or reader record) fields: issuing authority present, validity period
    well-formed (end after start) and in force ``on`` that day.

    Returns ``(checks, expired)``; ``expired`` is ``None`` when the period is unreadable.
    """
    out: dict[str, FieldCheck] = {}
    authority = fields.get("issuing_authority")
    if not authority:
        out["issuing_authority"] = _fail("issuing_authority_missing")
    elif not re.search(r"(公安局|分局|派出所)$", authority):
        out["issuing_authority"] = _fail("issuing_authority_unreadable")
    else:
        out["issuing_authority"] = OK
    start, end, long_term = fields.get("valid_from"), fields.get("valid_until"), fields.get(
        "long_term")
    expired: bool | None = None
    if start is None or (end is None and not long_term):
        out["validity_period"] = _fail("validity_period_missing")
    elif end is not None and end <= start:
        out["validity_period"] = _fail("validity_period_invalid")
    elif start > on:
        out["validity_period"] = _fail("not_yet_valid")
        expired = False
    else:
        expired = end is not None and end < on
        out["validity_period"] = _fail("document_expired") if expired else OK
    return out, expired


def validate_mrz(mrz: MrzReading, *, on: date) -> tuple[dict[str, FieldCheck], bool | None]:
    """MRZ check digits (one entry per digit, ``mrz_<name>``) and expiry at ``on``."""
    out = {
        f"mrz_{name}": OK if ok else _fail(f"mrz_check_digit_{name}")
        for name, ok in mrz.checks.items()
    }
    out["birth_date"] = OK if mrz.birth_date else _fail("mrz_birth_date_invalid")
    expired: bool | None = None
    if mrz.expiry_date is None:
        out["expiry_date"] = _fail("mrz_expiry_date_invalid")
    else:
        expired = mrz.expiry_date < on
        out["expiry_date"] = _fail("document_expired") if expired else OK
    return out, expired


def policy_reasons(fields: dict[str, Any], *, on: date, policy: DocumentPolicy) -> list[str]:
    """Reasons the policy refuses an otherwise valid document (e.g. under age)."""
    birth = fields.get("birth_date")
    if isinstance(birth, date) and age_on(birth, on) < policy.minimum_age_years:
        return ["under_minimum_age"]
    return []


__all__ = ["FieldCheck", "age_on", "policy_reasons", "validate_cn_back", "validate_cn_front",
           "validate_mrz"]
