from datetime import date

import pytest

from simkyc.document.mrz import check_digit, parse_mrz
from simkyc.domain.errors import InputError

# ICAO Doc 9303 specimens (part 4 TD3, part 5 TD1, part 6 TD2).
TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
TD1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]
TD2 = ["I<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<", "D231458907UTO7408122F1204159<<<<<<<6"]
ON = date(2026, 11, 29)


def test_check_digit_examples() -> None:
    assert check_digit("L898902C3") == "6"
    assert check_digit("740812") == "2"
    assert check_digit("120415") == "9"
    assert check_digit("D23145890") == "7"
    assert check_digit("<<<<") == "0"
    with pytest.raises(ValueError):
        check_digit("a")


def test_td3_specimen() -> None:
    m = parse_mrz(TD3, today=ON)
    assert m.format == "TD3" and m.valid
    assert (m.document_code, m.issuing_state, m.surname, m.given_names) == (
        "P", "UTO", "ERIKSSON", "ANNA MARIA")
    assert m.document_number == "L898902C3" and m.nationality == "UTO"
    assert m.birth_date == date(1974, 8, 12) and m.expiry_date == date(2012, 4, 15)
    assert m.sex == "F" and m.optional_data == "ZE184226B"
    assert set(m.checks) == {"document_number", "birth_date", "expiry_date", "optional_data",
                             "composite"}
    assert all(m.checks.values())


def test_td1_specimen() -> None:
    m = parse_mrz(TD1, today=ON)
    assert m.format == "TD1" and m.valid
    assert m.document_number == "D23145890" and m.surname == "ERIKSSON"
    assert set(m.checks) == {"document_number", "birth_date", "expiry_date", "composite"}


def test_td2_specimen_as_text() -> None:
    m = parse_mrz("\n".join(TD2) + "\n", today=ON)
    assert m.format == "TD2" and m.valid and m.given_names == "ANNA MARIA"


@pytest.mark.parametrize("lines", [TD3, TD1, TD2])
def test_every_single_wrong_check_digit_is_invalid(lines: list[str]) -> None:
    """Change each check digit to every other digit: never valid."""
    fmt = parse_mrz(lines, today=ON).format
    positions = {"TD3": [(1, 9), (1, 19), (1, 27), (1, 42), (1, 43)],
                 "TD1": [(0, 14), (1, 6), (1, 14), (1, 29)],
                 "TD2": [(1, 9), (1, 19), (1, 27), (1, 35)]}[fmt]
    for row, col in positions:
        for digit in "0123456789":
            if lines[row][col] == digit:
                continue
            bad = list(lines)
            bad[row] = bad[row][:col] + digit + bad[row][col + 1:]
            m = parse_mrz(bad, today=ON)
            assert not m.valid, (row, col, digit)
            assert m.reasons


def test_changed_data_character_is_invalid() -> None:
    bad = [TD3[0], TD3[1].replace("L898902C3", "L898902C4")]
    m = parse_mrz(bad, today=ON)
    assert not m.checks["document_number"] and not m.checks["composite"] and not m.valid
    assert "mrz_check_digit_document_number" in m.reasons


def test_century_resolution() -> None:
    m = parse_mrz(TD3, today=ON)
    assert m.birth_date is not None and m.birth_date.year == 1974
    young = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
             "L898902C36UTO1008125F3204155ZE184226B<<<<<18"]
    m2 = parse_mrz(young, today=ON)
    assert m2.birth_date == date(2010, 8, 12)  # not 1910: a birth date is in the past
    assert m2.expiry_date == date(2032, 4, 15)  # an expiry may be in the future
    assert parse_mrz(young, today=date(2009, 1, 1)).birth_date == date(1910, 8, 12)


def test_impossible_date_is_invalid() -> None:
    from simkyc.document.mrz import check_digit as cd

    line2 = TD3[1][:13] + "741312" + cd("741312") + TD3[1][20:43]
    line2 += cd(line2[0:10] + line2[13:20] + line2[21:43])
    m = parse_mrz([TD3[0], line2], today=ON)
    assert m.birth_date is None and not m.valid and "mrz_birth_date_invalid" in m.reasons


@pytest.mark.parametrize(
    "lines",
    [
        [TD3[0]],
        [TD3[0][:-1], TD3[1]],
        [TD3[0] + "<", TD3[1] + "<"],
        TD1[:2],
        [TD1[0], TD1[1], TD1[2], TD1[2]],
        [TD3[0], TD1[1]],
        ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<!", TD3[1]],
        [],
    ],
)
def test_wrong_shapes_raise_input_error(lines: list[str]) -> None:
    with pytest.raises(InputError):
        parse_mrz(lines, today=ON)


def test_to_dict_has_issue_keys() -> None:
    d = parse_mrz(TD3, today=ON).to_dict()
    for key in ("format", "document_code", "issuing_state", "surname", "given_names",
                "document_number", "nationality", "birth_date", "sex", "expiry_date",
                "optional_data", "checks", "valid"):
        assert key in d
    assert d["birth_date"] == "1974-08-12"
