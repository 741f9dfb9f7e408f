"""The service being registered: a phone number (``phonenumbers``) and the SIM's ICCID.

A mobile number must be a valid mobile (or mobile-or-fixed) number for its
region (``+86...`` or a national number read in ``region``), kept in E.164;
a landline a valid fixed line. An ICCID (ITU-T E.118) is 19 or 20 digits
starting with ``89`` (telecommunications) whose last digit is the Luhn check
digit (``stdnum.luhn``). Each problem is a reason code (``reason.<code>``).
"""

from __future__ import annotations

from dataclasses import dataclass

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberType
from stdnum import luhn

REASONS: tuple[str, ...] = ("phone_number_invalid", "not_a_mobile_number",
                            "not_a_fixed_line", "iccid_format", "iccid_checksum")

_MOBILE = {PhoneNumberType.MOBILE, PhoneNumberType.FIXED_LINE_OR_MOBILE}
_FIXED = {PhoneNumberType.FIXED_LINE, PhoneNumberType.FIXED_LINE_OR_MOBILE}


@dataclass(frozen=True)
class ServiceCheck:
    """``valid``; ``number``: the E.164 form when the number parsed; ``reasons`` otherwise."""

    valid: bool
    number: str | None
    iccid: str | None
    reasons: tuple[str, ...]


def check_iccid(iccid: str) -> tuple[str, ...]:
    """Reason codes of a SIM's ICCID (spaces and dashes ignored); empty when it is valid."""
    digits = iccid.replace(" ", "").replace("-", "")
    if not (digits.isdigit() and digits.isascii() and 19 <= len(digits) <= 20
            and digits.startswith("89")):
        return ("iccid_format",)
    return () if luhn.is_valid(digits) else ("iccid_checksum",)


def check_service(kind: str, number: str, *, iccid: str | None = None,
                  region: str = "CN") -> ServiceCheck:
    """Check a service's number (and the SIM's ICCID for a mobile) before registering it."""
    reasons: list[str] = []
    e164 = None
    if kind in ("mobile", "landline"):
        try:
            parsed = phonenumbers.parse(number, region)
        except NumberParseException:
            parsed = None
        if parsed is None or not phonenumbers.is_valid_number(parsed):
            reasons.append("phone_number_invalid")
        else:
            e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
            kinds = _MOBILE if kind == "mobile" else _FIXED
            if phonenumbers.number_type(parsed) not in kinds:
                reasons.append("not_a_mobile_number" if kind == "mobile" else "not_a_fixed_line")
    else:
        e164 = number.strip() or None
    clean_iccid = None
    if iccid:
        problems = check_iccid(iccid)
        reasons.extend(problems)
        clean_iccid = None if problems else iccid.replace(" ", "").replace("-", "")
    return ServiceCheck(valid=not reasons, number=e164, iccid=clean_iccid,
                        reasons=tuple(reasons))


__all__ = ["REASONS", "ServiceCheck", "check_iccid", "check_service"]
