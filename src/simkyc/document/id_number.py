"""Chinese resident identity numbers (GB 11643-1999), checked with python-stdnum.

The 18-character number is: 6-digit region code (GB/T 2260), 8-digit birth date
``YYYYMMDD``, 3-digit sequence (odd = male, even = female, the 17th character),
and an ISO 7064 MOD 11-2 check character (``0``-``9`` or ``X``).
``stdnum.cn.ric`` does the checksum, date and region checks; its bundled
``cn/loc.dat`` gives the region names.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric

#: ``error`` values: the kind of problem with an invalid number.
ERROR_FORMAT = "format"
ERROR_CHECKSUM = "checksum"
ERROR_BIRTH_DATE = "birth_date"
ERROR_REGION = "region"


@dataclass(frozen=True)
class IdNumberCheck:
    """The result of checking one resident identity number.

    ``number`` is normalised (no separators, upper-case ``X``). ``birth_date``,
    ``sex`` (``"M"``/``"F"``) and ``region`` are filled whenever they can be read,
    even for an invalid number; ``error`` is ``None`` exactly when ``valid``.
    """

    valid: bool
    number: str
    birth_date: date | None = None
    sex: str | None = None
    region: dict[str, str] | None = None
    error: str | None = None

    def to_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "valid": self.valid,
            "number": self.number,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "region": self.region,
        }
        if self.error is not None:
            out["error"] = self.error
        return out


def _region(number: str) -> dict[str, str] | None:
    try:
        info = ric.get_birth_place(number)
    except (stdnum_errors.ValidationError, ValueError, KeyError):
        return None
    return {
        "code": number[:6],
        "province": info.get("province", ""),
        "county": info.get("county", ""),
    }


def _digits(text: str) -> bool:
    # ASCII only: str.isdigit() is also true of '²' or '٣', which int() or stdnum refuse.
    return text.isascii() and text.isdigit()


def check_id_number(number: str, *, today: date | None = None) -> IdNumberCheck:
    """Check a resident identity number.

    Args:
        number: the number as typed or read (spaces and dashes are ignored;
            ``x`` is accepted for ``X``).
        today: birth dates after this day are refused (default: no such check).

    Returns:
        :class:`IdNumberCheck`; ``error`` is one of ``format`` (length or
        characters), ``checksum``, ``birth_date`` (no such date, or in the
        future) or ``region`` (unknown region code for the birth year).
    """
    compact = ric.compact("".join(number.replace("-", " ").split()))
    sex: str | None = None
    if len(compact) == 18 and _digits(compact[16]):
        sex = "M" if int(compact[16]) % 2 == 1 else "F"
    birth: date | None = None
    if len(compact) == 18 and _digits(compact[:17]):
        try:
            birth = ric.get_birth_date(compact)
        except stdnum_errors.ValidationError:
            birth = None
    region = _region(compact) if birth is not None else None

    def invalid(error: str) -> IdNumberCheck:
        return IdNumberCheck(False, compact, birth, sex, region, error)

    if len(compact) != 18 or not _digits(compact[:17]) or not (
        _digits(compact[17]) or compact[17] == "X"
    ):
        return invalid(ERROR_FORMAT)
    try:
        ric.validate(compact)
    except stdnum_errors.InvalidChecksum:
        return invalid(ERROR_CHECKSUM)
    except (stdnum_errors.InvalidLength, stdnum_errors.InvalidFormat):
        return invalid(ERROR_FORMAT)
    except stdnum_errors.InvalidComponent:
        return invalid(ERROR_BIRTH_DATE if birth is None else ERROR_REGION)
    except stdnum_errors.ValidationError:
        return invalid(ERROR_FORMAT)
    if birth is None:
        return invalid(ERROR_BIRTH_DATE)
    if today is not None and birth > today:
        return invalid(ERROR_BIRTH_DATE)
    return IdNumberCheck(True, compact, birth, sex, region, None)


__all__ = [
    "ERROR_BIRTH_DATE",
    "ERROR_CHECKSUM",
    "ERROR_FORMAT",
    "ERROR_REGION",
    "IdNumberCheck",
    "check_id_number",
]
