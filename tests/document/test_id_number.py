from datetime import date

import pytest

from simkyc.document.id_number import check_id_number


@pytest.mark.parametrize(
    ("number", "birth", "sex", "province"),
    [
        ("360426199101010071", date(1991, 1, 1), "M", "江西省"),  # python-stdnum's doctest vector
        ("11010519491231002X", date(1949, 12, 31), "F", "北京市"),  # GB 11643 example
        ("11010519491231002x", date(1949, 12, 31), "F", "北京市"),
        ("110105 19491231 002X", date(1949, 12, 31), "F", "北京市"),
    ],
)
def test_valid_numbers(number: str, birth: date, sex: str, province: str) -> None:
    r = check_id_number(number)
    assert r.valid and r.error is None
    assert r.number == number.replace(" ", "").upper()
    assert r.birth_date == birth and r.sex == sex
    assert r.region is not None and r.region["province"] == province
    assert r.region["code"] == r.number[:6]


@pytest.mark.parametrize(
    ("number", "error"),
    [
        ("36042619910101007", "format"),  # 17 characters
        ("3604261991010100711", "format"),
        ("36042619910101007A", "format"),
        ("36042619910101A071", "format"),
        ("360426199101010072", "checksum"),
        ("110105194912310021", "checksum"),
        ("110105199102300021", "birth_date"),  # 30 February, check digit correct
        ("990105194912310029", "checksum"),
    ],
)
def test_invalid_numbers(number: str, error: str) -> None:
    from stdnum.cn import ric

    if error == "birth_date":  # make the check digit right so only the date is wrong
        number = number[:17] + ric.calc_check_digit(number)
    r = check_id_number(number)
    assert not r.valid
    assert r.error == error


def test_unknown_region() -> None:
    from stdnum.cn import ric

    body = "99010519491231002"
    r = check_id_number(body + ric.calc_check_digit(body + "0"))
    assert not r.valid and r.error == "region" and r.region is None


def test_birth_date_in_future() -> None:
    from stdnum.cn import ric

    body = "11010520300101002"
    number = body + ric.calc_check_digit(body + "0")
    assert check_id_number(number).valid
    r = check_id_number(number, today=date(2026, 11, 29))
    assert not r.valid and r.error == "birth_date"


def test_every_wrong_check_digit_is_refused() -> None:
    good = "11010519491231002X"
    for digit in "0123456789":
        r = check_id_number(good[:17] + digit)
        assert not r.valid and r.error == "checksum"


def test_to_dict_keys() -> None:
    d = check_id_number("11010519491231002X").to_dict()
    assert set(d) == {"valid", "number", "birth_date", "sex", "region"}
    assert d["birth_date"] == "1949-12-31"
    assert set(d["region"]) == {"code", "province", "county"}
    assert check_id_number("123").to_dict()["error"] == "format"


# python-stdnum's own vectors (tests/test_cn_ric.doctest in arthurdejong/python-stdnum):
# (number, error or None, province, county at the birth year).
STDNUM_VECTORS = [
    ("360426199101010071", None, "江西省", "德安县"),
    ("44011320141005001x", None, "广东省", "番禺区"),
    ("412723199010050012", None, "河南省", "商水县"),
    ("110102199101010078", None, "北京市", "西城区"),
    ("120110198012010073", None, "天津市", "东郊区"),  # before 1991
    ("120110199212010072", None, "天津市", "东丽区"),  # after 1991
    ("990426199112010074", "region", None, None),  # unknown county
    ("110111198012010078", "region", None, None),  # county not yet registered
    ("110201199312010077", "region", None, None),  # county deregistered
    ("T60426199101010078", "format", None, None),
    ("360426199113010079", "birth_date", None, None),
    ("36042619910102009X", "checksum", None, None),
]


@pytest.mark.parametrize(("number", "error", "province", "county"), STDNUM_VECTORS)
def test_python_stdnum_vectors(number: str, error: str | None, province: str | None,
                               county: str | None) -> None:
    r = check_id_number(number)
    assert r.error == error and r.valid is (error is None)
    if error is None:
        assert r.region is not None
        assert (r.region["province"], r.region["county"]) == (province, county)
        assert r.number == number.upper()
