"""ICAO 9303 machine-readable zones (TD1, TD2, TD3): parse and verify check digits.

No maintained library fits: python-stdnum has no MRZ module, and the ``mrz``
package on PyPI (0.6.x) builds and checks MRZ strings but does not repair OCR
output, resolve centuries or report per-digit checks the way we need, so the
ICAO 9303 part 3 check-digit algorithm (weights 7, 3, 1; ``<`` = 0, ``A``-``Z``
= 10-35) is implemented here, in a few lines, and tested on the ICAO specimens.

Layouts (characters per line x lines): TD1 30x3 (ID cards), TD2 36x2, TD3 44x2
(passports).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from simkyc.domain.errors import InputError

#: Line length for each format, keyed by number of lines.
FORMATS: dict[str, tuple[int, int]] = {"TD1": (3, 30), "TD2": (2, 36), "TD3": (2, 44)}

_VALID_CHARS = re.compile(r"^[A-Z0-9<]+$")
_WEIGHTS = (7, 3, 1)


def check_digit(data: str) -> str:
    """The ICAO 9303 check digit (``"0"``-``"9"``) of ``data`` (``A-Z``, ``0-9``, ``<``)."""
    total = 0
    for i, ch in enumerate(data):
        if ch.isdigit():
            value = int(ch)
        elif "A" <= ch <= "Z":
            value = ord(ch) - ord("A") + 10
        elif ch == "<":
            value = 0
        else:
            raise ValueError(f"not an MRZ character: {ch!r}")
        total += value * _WEIGHTS[i % 3]
    return str(total % 10)


def _digit_ok(data: str, digit: str) -> bool:
    # ICAO allows a filler in place of the check digit of an all-filler optional field.
    if digit == "<":
        return set(data) <= {"<"}
    return digit.isdigit() and check_digit(data) == digit


@dataclass(frozen=True)
class MrzReading:
    """The fields of one MRZ and its check-digit results.

    Dates are ``datetime.date`` or ``None`` when the six digits are not a date.
    ``sex`` is ``"M"``, ``"F"`` or ``"X"`` (unspecified). ``checks`` has one
    boolean per check digit: ``document_number``, ``birth_date``,
    ``expiry_date``, ``optional_data`` (TD3 only) and ``composite``. ``valid`` is
    true when every check digit and both dates are correct.
    """

    format: str
    lines: tuple[str, ...]
    document_code: str
    issuing_state: str
    surname: str
    given_names: str
    document_number: str
    nationality: str
    birth_date: date | None
    sex: str
    expiry_date: date | None
    optional_data: str
    checks: dict[str, bool] = field(default_factory=dict)
    reasons: tuple[str, ...] = ()

    @property
    def valid(self) -> bool:
        return all(self.checks.values()) and self.birth_date is not None and (
            self.expiry_date is not None
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "format": self.format,
            "document_code": self.document_code,
            "issuing_state": self.issuing_state,
            "surname": self.surname,
            "given_names": self.given_names,
            "document_number": self.document_number,
            "nationality": self.nationality,
            "birth_date": self.birth_date.isoformat() if self.birth_date else None,
            "sex": self.sex,
            "expiry_date": self.expiry_date.isoformat() if self.expiry_date else None,
            "optional_data": self.optional_data,
            "checks": dict(self.checks),
            "valid": self.valid,
            "lines": list(self.lines),
            "reasons": list(self.reasons),
        }


def _date(yymmdd: str, *, today: date, kind: str) -> date | None:
    """Resolve a two-digit year: a birth date is not in the future; an expiry date
    is taken in this century unless that is more than 50 years ahead."""
    if not yymmdd.isdigit():
        return None
    yy, mm, dd = int(yymmdd[:2]), int(yymmdd[2:4]), int(yymmdd[4:6])
    if kind == "birth":
        year = 2000 + yy if 2000 + yy <= today.year else 1900 + yy
    else:
        year = 2000 + yy if 2000 + yy <= today.year + 50 else 1900 + yy
    try:
        resolved = date(year, mm, dd)
    except ValueError:
        return None
    if kind == "birth" and resolved > today:
        try:
            resolved = date(year - 100, mm, dd)
        except ValueError:
            return None
    return resolved


def _names(field_: str) -> tuple[str, str]:
    surname, _, given = field_.partition("<<")
    return (surname.replace("<", " ").strip(), given.replace("<", " ").strip())


def _sex(ch: str) -> str:
    return ch if ch in ("M", "F") else "X"


def _strip(s: str) -> str:
    return s.replace("<", " ").strip()


def split_lines(text: str | list[str] | tuple[str, ...]) -> list[str]:
    """Split MRZ text (a string with newlines, or a list of lines) into clean lines."""
    if isinstance(text, str):
        parts = text.splitlines()
    else:
        parts = [p for item in text for p in str(item).splitlines()]
    return [p.strip().replace(" ", "").upper() for p in parts if p.strip()]


def detect_format(lines: list[str]) -> str:
    """``TD1``/``TD2``/``TD3`` from the number of lines and their length.

    Raises:
        InputError: any other shape (wrong number of lines, wrong or unequal
            lengths, characters outside ``A-Z0-9<``).
    """
    for i, line in enumerate(lines, 1):
        if not _VALID_CHARS.match(line):
            raise InputError(f"MRZ line {i} has characters outside A-Z, 0-9 and '<'")
    lengths = [len(line) for line in lines]
    for name, (count, length) in FORMATS.items():
        if len(lines) == count and all(n == length for n in lengths):
            return name
    raise InputError(
        f"MRZ of {len(lines)} line(s) of length {'/'.join(map(str, lengths)) or '0'}: "
        "expected 3 lines of 30 (TD1), 2 of 36 (TD2) or 2 of 44 (TD3)"
    )


def parse_mrz(lines: str | list[str] | tuple[str, ...], *, today: date | None = None) -> MrzReading:
    """Parse an ICAO 9303 MRZ and verify its check digits.

    Args:
        lines: the MRZ lines (a list, or one string with newlines).
        today: reference day for resolving two-digit years (default: today).

    Raises:
        InputError: the lines are not a TD1, TD2 or TD3 MRZ (see :func:`detect_format`).
    """
    today = today or date.today()
    rows = split_lines(lines)
    fmt = detect_format(rows)
    checks: dict[str, bool] = {}
    if fmt == "TD1":
        l1, l2, l3 = rows
        code, state = l1[0:2], l1[2:5]
        number_field, number_cd, opt1 = l1[5:14], l1[14], l1[15:30]
        if number_cd == "<" and opt1.strip("<"):
            # Long document number: continues in the optional data; its check
            # digit is the last character before the filler.
            rest = opt1.split("<", 1)[0]
            number_field, number_cd = number_field + rest[:-1], rest[-1:]
            opt1 = opt1[len(rest):]
        birth, birth_cd, sex = l2[0:6], l2[6], l2[7]
        expiry, expiry_cd, nationality, opt2 = l2[8:14], l2[14], l2[15:18], l2[18:29]
        composite_cd = l2[29]
        checks["document_number"] = _digit_ok(number_field, number_cd)
        checks["birth_date"] = _digit_ok(birth, birth_cd)
        checks["expiry_date"] = _digit_ok(expiry, expiry_cd)
        checks["composite"] = _digit_ok(l1[5:30] + l2[0:7] + l2[8:15] + l2[18:29], composite_cd)
        surname, given = _names(l3)
        optional = " ".join(p for p in (_strip(opt1), _strip(opt2)) if p)
    else:
        l1, l2 = rows
        code, state = l1[0:2], l1[2:5]
        surname, given = _names(l1[5:])
        number_field, number_cd = l2[0:9], l2[9]
        nationality, birth, birth_cd, sex = l2[10:13], l2[13:19], l2[19], l2[20]
        expiry, expiry_cd = l2[21:27], l2[27]
        checks["document_number"] = _digit_ok(number_field, number_cd)
        checks["birth_date"] = _digit_ok(birth, birth_cd)
        checks["expiry_date"] = _digit_ok(expiry, expiry_cd)
        if fmt == "TD3":
            opt, opt_cd = l2[28:42], l2[42]
            checks["optional_data"] = _digit_ok(opt, opt_cd)
            checks["composite"] = _digit_ok(l2[0:10] + l2[13:20] + l2[21:43], l2[43])
        else:
            opt = l2[28:35]
            if number_cd == "<" and opt.strip("<"):
                rest = opt.split("<", 1)[0]
                number_field, number_cd = number_field + rest[:-1], rest[-1:]
                checks["document_number"] = _digit_ok(number_field, number_cd)
                opt = opt[len(rest):]
            checks["composite"] = _digit_ok(l2[0:10] + l2[13:20] + l2[21:35], l2[35])
        optional = _strip(opt)
    birth_date = _date(birth, today=today, kind="birth")
    expiry_date = _date(expiry, today=today, kind="expiry")
    reasons = [f"mrz_check_digit_{name}" for name, ok in checks.items() if not ok]
    if birth_date is None:
        reasons.append("mrz_birth_date_invalid")
    if expiry_date is None:
        reasons.append("mrz_expiry_date_invalid")
    return MrzReading(
        format=fmt,
        lines=tuple(rows),
        document_code=_strip(code),
        issuing_state=_strip(state),
        surname=surname,
        given_names=given,
        document_number=_strip(number_field).replace(" ", ""),
        nationality=_strip(nationality),
        birth_date=birth_date,
        sex=_sex(sex),
        expiry_date=expiry_date,
        optional_data=optional,
        checks=checks,
        reasons=tuple(reasons),
    )


__all__ = ["FORMATS", "MrzReading", "check_digit", "detect_format", "parse_mrz", "split_lines"]
