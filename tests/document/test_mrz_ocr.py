"""MRZ repair after OCR (no OCR run here: strings as the recogniser returns them)."""

from datetime import date

from simkyc.document.mrz import parse_mrz
from simkyc.document.mrz_ocr import correct_fields, fit_length, normalise_chars

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]
TD1 = ["I<UTOD231458907<<<<<<<<<<<<<<<", "7408122F1204159UTO<<<<<<<<<<<6",
       "ERIKSSON<<ANNA<MARIA<<<<<<<<<<"]


def test_filler_and_unicode_lookalikes() -> None:
    assert normalise_chars("P«UT0 ΕRIKSSON‹‹ANNA") == "P<UT0ERIKSSON<<ANNA"
    assert normalise_chars("XZ8KWZΡ2") == "XZ8KWZP2"  # Greek capital rho


def test_fit_length_adjusts_longest_filler_run() -> None:
    assert fit_length(TD3[0][:-2], 44) == TD3[0]
    assert fit_length(TD3[0] + "<<", 44) == TD3[0]


def test_o_zero_confusions_are_fixed_per_field() -> None:
    ocr = ["I<UT0D231458907<<<<<<<<<<<<<<<", "74O8122F12O4159UT0<<<<<<<<<<<6",
           "ERIKSS0N<<ANNA<MARIA<<<<<<K<<<"]
    assert correct_fields(ocr) == TD1
    assert parse_mrz(correct_fields(ocr), today=date(2026, 1, 1)).valid


def test_alphanumeric_number_resolved_only_by_both_check_digits() -> None:
    # Document number SYSA0WUHU (a zero); OCR reads it with a letter O.
    ocr = ["I<UTOSYSAOWUHU9<<<<<<<<<<<<<<<", "6101149M3511303VNM<<<<<<<<<<<6",
           "ZHAO<<SOFIA<<<<<<<<<<<<<<<<<<<"]
    fixed = correct_fields(ocr)
    assert fixed[0][5:14] == "SYSA0WUHU"
    # With a wrong check digit printed, no O/0 reading is accepted: still invalid.
    for wrong in "012345678":
        bad = [ocr[0][:14] + wrong + ocr[0][15:], ocr[1], ocr[2]]
        assert not parse_mrz(correct_fields(bad), today=date(2026, 1, 1)).valid


def test_td3_tail_k_is_filler() -> None:
    ocr = [TD3[0][:30] + "<<K<<<<<<<<<<<", TD3[1]]
    assert correct_fields(ocr)[0] == TD3[0]



def test_o_zero_resolution_is_bounded() -> None:
    """Only one flip, or all-O / all-0 readings, are tried; both check digits must agree."""
    from simkyc.document.mrz import check_digit
    from simkyc.document.mrz_ocr import _resolve_number

    true = "AB0CD0EF"
    cd = check_digit(true)
    assert _resolve_number("ABOCD0EF", cd, lambda n: n == true) == true  # one flip
    assert _resolve_number("ABOCDOEF", cd, lambda n: n == true) == true  # all O -> 0
    mixed = "A0O0OB"  # three flips away from A00O0B... and not all-O or all-0
    target = "AO00OB"
    assert _resolve_number(mixed, check_digit(target), lambda n: n == target) == mixed
    # The composite must agree too.
    assert _resolve_number("ABOCD0EF", cd, lambda n: False) == "ABOCD0EF"
