"""Field extraction from OCR rows (strings as the recogniser returns them; no OCR here)."""

from __future__ import annotations

from datetime import date

from simkyc.document.cn_id_card import extract_back, extract_front, find_id_number
from simkyc.document.ocr import OcrLine


def _rows(*texts: list[str]) -> list[list[OcrLine]]:
    return [[OcrLine(t, 1.0, (100 * j, 50 * i, 100 * j + 90, 50 * i + 30), 30.0)
             for j, t in enumerate(row)] for i, row in enumerate(texts)]


def test_front_fields_split_or_merged_labels() -> None:
    rows = _rows(["姓名", "阿依古丽.买买提"], ["性别女民族漢"], ["出生", "1949年12月31日"],
                 ["住址", "北京市朝阳区建国路"], ["88号"], ["公民身份号码", "11010519491231002x"])
    f = extract_front(rows)
    assert f == {"name": "阿依古丽·买买提", "sex": "F", "ethnicity": "汉",
                 "birth_date": date(1949, 12, 31), "address": "北京市朝阳区建国路88号",
                 "id_number": "11010519491231002X"}


def test_front_missing_fields_are_none() -> None:
    f = extract_front(_rows(["姓名王伟"], ["公民身份号码"]))
    assert f["name"] == "王伟" and f["id_number"] is None and f["birth_date"] is None


def test_back_fields() -> None:
    f = extract_back(_rows(["签发机关", "北京市公安局朝阳分局"], ["有效期限", "2015.03.01-长期"]))
    assert f == {"issuing_authority": "北京市公安局朝阳分局", "valid_from": date(2015, 3, 1),
                 "valid_until": None, "long_term": True}
    f = extract_back(_rows(["有效期限2015.03.01-2035.03.01"]))
    assert f["valid_until"] == date(2035, 3, 1) and f["long_term"] is False
    assert f["issuing_authority"] is None


def test_id_number_lookalikes() -> None:
    assert find_id_number(["11O1O5 19491231 002x"]) == "11010519491231002X"
    assert find_id_number(["no number here"]) is None
