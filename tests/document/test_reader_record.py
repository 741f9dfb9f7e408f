"""Card-reader records: schema, validation like OCR output, the chip photo."""

from __future__ import annotations

import base64
import json
from datetime import date
from typing import Any

import jsonschema
import pytest

from simkyc.document.reader_record import check_reader_record, reader_record_schema
from simkyc.domain.errors import InputError

ON = date(2026, 11, 29)


def test_schema_is_valid_json_schema() -> None:
    jsonschema.Draft202012Validator.check_schema(reader_record_schema())


def test_valid_record(reader_record: dict[str, Any]) -> None:
    r = check_reader_record(reader_record, on=ON)
    assert r.kind == "cn-id-reader" and r.method == "reader"
    assert r.valid and r.accepted and r.expired is False
    assert r.fields["name"] == "阿依古丽·买买提" and r.fields["sex"] == "F"
    assert r.fields["birth_date"] == date(1949, 12, 31) and r.fields["long_term"] is True
    assert r.photo is not None and r.photo.ndim == 3 and r.photo.shape[2] == 3
    assert r.photo_box == (0, 0, r.photo.shape[1], r.photo.shape[0])
    d = r.to_dict()
    assert set(d) >= {"kind", "fields", "validation", "valid", "expired", "photo"}
    json.dumps(d, ensure_ascii=False)
    outcome = r.to_outcome()
    assert outcome.passed and outcome.public_view() == {
        "stage": "document", "passed": True, "reasons": []}
    # Server-side details say how it was decided, without the personal data itself.
    assert "fields" not in outcome.details and "id_number" in outcome.details["fields_read"]
    assert "11010519491231002X" not in json.dumps(outcome.details, ensure_ascii=False)


def test_compact_dates_and_png_photo(reader_record: dict[str, Any]) -> None:
    import io

    from PIL import Image

    buf = io.BytesIO()
    Image.new("RGB", (102, 126), (200, 180, 160)).save(buf, "PNG")
    rec = {**reader_record, "birth_date": "19491231", "valid_from": "20150301",
           "valid_until": "20350301", "sex": "F",
           "photo": base64.b64encode(buf.getvalue()).decode().rstrip("=")}
    r = check_reader_record(rec, on=ON)
    assert r.accepted and r.fields["valid_until"] == date(2035, 3, 1)


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        ({"id_number": "110105194912310021"}, "id_number_checksum"),
        ({"sex": "男"}, "sex_mismatch"),
        ({"birth_date": "1950-01-01"}, "birth_date_mismatch"),
        ({"valid_from": "2005-01-01", "valid_until": "2025-01-01"}, "document_expired"),
        ({"ethnicity": "火星"}, "ethnicity_unknown"),
        ({"issuing_authority": "朝阳"}, "issuing_authority_unreadable"),
    ],
)
def test_invalid_fields_are_refused(reader_record: dict[str, Any], change: dict[str, Any],
                                    reason: str) -> None:
    r = check_reader_record({**reader_record, **change}, on=ON)
    assert not r.accepted and reason in r.reasons


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"photo": None}, "no chip photo"),
        ({"photo": "not base64 at all!!"}, "base64"),
        ({"photo": base64.b64encode(b"this is not an image, just text").decode()},
         "cannot be decoded"),
        ({"id_number": "12345"}, "id_number"),
        ({"sex": "X"}, "sex"),
        ({"name": None}, "missing 'name'"),
        ({"extra": 1}, "extra"),
        ({"birth_date": "1949-13-45"}, "not a date"),
    ],
)
def test_bad_records_raise(reader_record: dict[str, Any], change: dict[str, Any],
                           message: str) -> None:
    rec = {**reader_record, **change}
    for k in [k for k, v in change.items() if v is None]:
        del rec[k]
    with pytest.raises(InputError, match=message):
        check_reader_record(rec, on=ON)


def test_truncated_photo_is_refused(reader_record: dict[str, Any]) -> None:
    raw = base64.b64decode(reader_record["photo"])
    rec = {**reader_record, "photo": base64.b64encode(raw[: len(raw) // 2]).decode()}
    with pytest.raises(InputError, match="chip photo"):
        check_reader_record(rec, on=ON)


def test_not_an_object() -> None:
    with pytest.raises(InputError):
        check_reader_record(["a", "list"], on=ON)
