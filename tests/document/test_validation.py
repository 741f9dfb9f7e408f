"""Each field-validation failure, on field dicts (the same rules serve OCR and reader records)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from simkyc.document.mrz import parse_mrz
from simkyc.document.validation import (
    age_on,
    policy_reasons,
    validate_cn_back,
    validate_cn_front,
    validate_mrz,
)
from simkyc.domain.policy import DocumentPolicy

ON = date(2026, 11, 29)
FRONT = {
    "name": "阿依古丽·买买提", "sex": "F", "ethnicity": "维吾尔", "birth_date": date(1949, 12, 31),
    "address": "北京市朝阳区建国路88号", "id_number": "11010519491231002X",
}
BACK = {"issuing_authority": "北京市公安局朝阳分局", "valid_from": date(2015, 3, 1),
        "valid_until": date(2035, 3, 1), "long_term": False}


def _reasons(checks: dict[str, Any]) -> set[str]:
    return {c.reason for c in checks.values() if not c.valid}


def test_valid_front_and_back() -> None:
    assert _reasons(validate_cn_front(FRONT, on=ON)) == set()
    checks, expired = validate_cn_back(BACK, on=ON)
    assert _reasons(checks) == set() and expired is False


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id_number": None}, "id_number_missing"),
        ({"id_number": "110105194912310021"}, "id_number_checksum"),
        ({"id_number": "1101051949123100"}, "id_number_format"),
        ({"name": None}, "name_missing"),
        ({"name": "Anna"}, "name_unreadable"),
        ({"name": "·买买提"}, "name_unreadable"),
        ({"sex": None}, "sex_missing"),
        ({"sex": "M"}, "sex_mismatch"),  # the 17th digit (2) says female
        ({"ethnicity": None}, "ethnicity_missing"),
        ({"ethnicity": "火星"}, "ethnicity_unknown"),
        ({"birth_date": None}, "birth_date_missing"),
        ({"birth_date": date(1949, 12, 30)}, "birth_date_mismatch"),
        ({"birth_date": date(2030, 1, 1)}, "birth_date_in_future"),
        ({"address": ""}, "address_missing"),
    ],
)
def test_front_failures(change: dict[str, Any], reason: str) -> None:
    assert reason in _reasons(validate_cn_front({**FRONT, **change}, on=ON))


def test_region_and_birth_date_errors_of_number() -> None:
    from stdnum.cn import ric

    body = "99010519491231002"
    assert "id_number_region" in _reasons(validate_cn_front(
        {**FRONT, "id_number": body + ric.calc_check_digit(body + "0")}, on=ON))


@pytest.mark.parametrize(
    ("change", "reason", "expired"),
    [
        ({"issuing_authority": None}, "issuing_authority_missing", False),
        ({"issuing_authority": "朝阳区"}, "issuing_authority_unreadable", False),
        ({"valid_from": None}, "validity_period_missing", None),
        ({"valid_until": None}, "validity_period_missing", None),
        ({"valid_until": date(2010, 1, 1)}, "validity_period_invalid", None),
        ({"valid_from": date(2027, 1, 1), "valid_until": date(2037, 1, 1)}, "not_yet_valid",
         False),
        ({"valid_from": date(2005, 1, 1), "valid_until": date(2025, 1, 1)}, "document_expired",
         True),
    ],
)
def test_back_failures(change: dict[str, Any], reason: str, expired: bool | None) -> None:
    checks, exp = validate_cn_back({**BACK, **change}, on=ON)
    assert reason in _reasons(checks)
    assert exp is expired


def test_long_term_card_never_expires() -> None:
    checks, expired = validate_cn_back(
        {**BACK, "valid_from": date(2001, 1, 1), "valid_until": None, "long_term": True},
        on=date(2090, 1, 1))
    assert _reasons(checks) == set() and expired is False


def test_expiry_is_judged_on_the_given_day() -> None:
    _, expired = validate_cn_back(BACK, on=date(2035, 3, 1))
    assert expired is False
    _, expired = validate_cn_back(BACK, on=date(2035, 3, 2))
    assert expired is True


def test_mrz_validation_and_expiry() -> None:
    td3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
           "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
    checks, expired = validate_mrz(parse_mrz(td3, today=ON), on=ON)
    assert expired is True and _reasons(checks) == {"document_expired"}
    checks, expired = validate_mrz(parse_mrz(td3, today=ON), on=date(2012, 4, 15))
    assert expired is False and _reasons(checks) == set()
    bad = [td3[0], td3[1][:27] + "8" + td3[1][28:]]
    checks, _ = validate_mrz(parse_mrz(bad, today=ON), on=date(2012, 1, 1))
    assert "mrz_check_digit_expiry_date" in _reasons(checks)


def test_minimum_age_policy() -> None:
    assert age_on(date(2010, 11, 30), ON) == 15
    assert age_on(date(2010, 11, 29), ON) == 16
    policy = DocumentPolicy(minimum_age_years=16)
    assert policy_reasons({"birth_date": date(2010, 11, 30)}, on=ON, policy=policy) == [
        "under_minimum_age"]
    assert policy_reasons({"birth_date": date(2010, 11, 29)}, on=ON, policy=policy) == []
