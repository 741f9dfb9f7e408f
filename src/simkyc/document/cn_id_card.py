"""Find the printed fields of a Chinese resident identity card in OCR rows.

Front: 姓名 name, 性别 sex, 民族 ethnicity, 出生 birth date, 住址 address,
公民身份号码 ID number. Back: 签发机关 issuing authority, 有效期限 validity
period (``YYYY.MM.DD-YYYY.MM.DD`` or ``YYYY.MM.DD-长期``). Labels anchor the
values; OCR may return a label and its value as one box or two.
"""

from __future__ import annotations

import re
from datetime import date
from typing import Any

from simkyc.document.ocr import OcrLine

#: The 56 ethnic groups as printed on the card (without the trailing 族).
ETHNICITIES = frozenset(
    "汉 蒙古 回 藏 维吾尔 苗 彝 壮 布依 朝鲜 满 侗 瑶 白 土家 哈尼 哈萨克 傣 黎 傈僳 佤 畲 高山 "
    "拉祜 水 东乡 纳西 景颇 柯尔克孜 土 达斡尔 仫佬 羌 布朗 撒拉 毛南 仡佬 锡伯 阿昌 普米 塔吉克 "
    "怒 乌孜别克 俄罗斯 鄂温克 德昂 保安 裕固 京 塔塔尔 独龙 鄂伦春 赫哲 门巴 珞巴 基诺".split()
)
# OCR renders the middle dot of transliterated names in several ways.
_DOTS = re.compile(r"[.．・•∙⋅·•‧◦°]")
# The recogniser sometimes returns the traditional form of a printed simplified
# character (e.g. 漢 for 汉); only ethnicity names are folded with this.
_TRADITIONAL = str.maketrans({"漢": "汉", "維": "维", "爾": "尔", "滿": "满", "壯": "壮",
                              "納": "纳", "頗": "颇", "倫": "伦", "烏": "乌", "達": "达",
                              "錫": "锡", "東": "东", "薩": "萨", "獨": "独", "龍": "龙"})
_ID_DIGITS = str.maketrans({"O": "0", "o": "0", "D": "0", "I": "1", "l": "1", "|": "1",
                            "Z": "2", "S": "5", "B": "8", "x": "X", "×": "X"})
_ID_RE = re.compile(r"(?<![0-9])([0-9]{17}[0-9X])(?![0-9X])")
_BIRTH_RE = re.compile(r"([12][0-9]{3})年([01]?[0-9])月([0-3]?[0-9])日")
_PERIOD_RE = re.compile(
    r"([12][0-9]{3})[.,。·\-]?([01][0-9])[.,。·\-]?([0-3][0-9])\s*[-—–~至一]+\s*"
    r"(长期|([12][0-9]{3})[.,。·\-]?([01][0-9])[.,。·\-]?([0-3][0-9]))"
)


def _row_text(row: list[OcrLine]) -> str:
    return "".join(ln.text for ln in row).replace(" ", "").replace("\u3000", "")


def _after(text: str, label: str) -> str | None:
    """The text after ``label`` (its characters possibly spaced), or None."""
    pattern = r"\s*".join(map(re.escape, label))
    m = re.search(pattern, text)
    return text[m.end():] if m else None


def _date(y: str, m: str, d: str) -> date | None:
    try:
        return date(int(y), int(m), int(d))
    except ValueError:
        return None


def find_id_number(texts: list[str]) -> str | None:
    """The first 18-character resident ID number in ``texts`` (look-alikes fixed)."""
    for text in texts:
        cleaned = re.sub(r"[\s\-]", "", text).translate(_ID_DIGITS)
        m = _ID_RE.search(cleaned)
        if m:
            return m.group(1)
    return None


def extract_front(rows: list[list[OcrLine]]) -> dict[str, Any]:
    """Fields of a card front; a field not found is ``None``.

    Returns keys ``name``, ``sex`` (``M``/``F``), ``ethnicity``, ``birth_date``
    (``date``), ``address`` and ``id_number``.
    """
    texts = [_row_text(r) for r in rows]
    fields: dict[str, Any] = dict.fromkeys(
        ("name", "sex", "ethnicity", "birth_date", "address", "id_number"))
    address_parts: list[str] = []
    in_address = False
    for text in texts:
        if (v := _after(text, "公民身份号码")) is not None or _ID_RE.search(
                text.translate(_ID_DIGITS)):
            in_address = False
            fields["id_number"] = fields["id_number"] or find_id_number([v or text])
            continue
        if (v := _after(text, "姓名")) is not None:
            fields["name"] = _DOTS.sub("·", v) or None
            continue
        if (v := _after(text, "性别")) is not None:
            sex = v[:1]
            fields["sex"] = {"男": "M", "女": "F"}.get(sex)
            eth = _after(v, "民族")
            if eth:
                fields["ethnicity"] = eth.removesuffix("族").translate(_TRADITIONAL)
            continue
        if (v := _after(text, "民族")) is not None:
            fields["ethnicity"] = v.removesuffix("族").translate(_TRADITIONAL) or None
            continue
        if (v := _after(text, "出生")) is not None:
            m = _BIRTH_RE.search(v)
            if m:
                fields["birth_date"] = _date(*m.groups())
            continue
        if (v := _after(text, "住址")) is not None:
            in_address = True
            address_parts = [v] if v else []
            continue
        if in_address and text:
            address_parts.append(text)
    fields["address"] = "".join(address_parts) or None
    return fields


def extract_back(rows: list[list[OcrLine]]) -> dict[str, Any]:
    """Fields of a card back: ``issuing_authority``, ``valid_from``, ``valid_until``
    (``None`` when long-term) and ``long_term``; not found is ``None``."""
    fields: dict[str, Any] = {"issuing_authority": None, "valid_from": None,
                              "valid_until": None, "long_term": None}
    for text in (_row_text(r) for r in rows):
        if (v := _after(text, "签发机关")) is not None:
            fields["issuing_authority"] = v or None
            continue
        m = _PERIOD_RE.search(text)
        if m:
            fields["valid_from"] = _date(*m.group(1, 2, 3))
            if m.group(4) == "长期":
                fields["long_term"] = True
            else:
                fields["long_term"] = False
                fields["valid_until"] = _date(*m.group(5, 6, 7))
    return fields


def looks_like_front(rows: list[list[OcrLine]]) -> bool:
    texts = "".join(_row_text(r) for r in rows)
    return any(k in texts for k in ("公民身份号码", "住址", "姓名")) or bool(
        find_id_number([texts]))


def looks_like_back(rows: list[list[OcrLine]]) -> bool:
    texts = "".join(_row_text(r) for r in rows)
    return any(k in texts for k in ("签发机关", "有效期限", "居民身份证"))


__all__ = ["ETHNICITIES", "extract_back", "extract_front", "find_id_number",
           "looks_like_back", "looks_like_front"]
