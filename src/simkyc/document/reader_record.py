"""Card-reader intake: validate what an identity-card reader SDK returns.

The record's shape is ``reader_record.schema.json`` beside this module (JSON
Schema 2020-12, checked with the ``jsonschema`` library). Its fields are then
validated exactly like OCR output (:mod:`simkyc.document.validation`), and the
chip photo (base64 JPEG/PNG, decoded with :func:`simkyc.media.images.decode_image`)
becomes the reference face photo.
"""

from __future__ import annotations

import base64
import binascii
import json
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from simkyc.document.reading import DocumentReading, assemble
from simkyc.document.validation import validate_cn_back, validate_cn_front
from simkyc.domain.errors import InputError
from simkyc.domain.policy import DEFAULT_POLICY, DecisionPolicy
from simkyc.media.images import decode_image

#: Identifies the source of a reader record's fields in results.
READER_MODEL_ID = "card-reader-chip"


@lru_cache(maxsize=1)
def reader_record_schema() -> dict[str, Any]:
    """The JSON Schema of a reader record (loaded from the package)."""
    text = resources.files("simkyc.document").joinpath("reader_record.schema.json").read_text(
        encoding="utf-8")
    return dict(json.loads(text))


def _date(value: str, name: str) -> date:
    digits = value.replace("-", "")
    try:
        return date(int(digits[:4]), int(digits[4:6]), int(digits[6:8]))
    except ValueError as exc:
        raise InputError(f"reader record: {name} {value!r} is not a date") from exc


def parse_reader_record(record: Any) -> tuple[dict[str, Any], bytes]:
    """Check ``record`` against the schema; return (fields, photo bytes).

    Raises:
        InputError: not an object, a missing or malformed field (the message names
            it), or a photo that is not base64.
    """
    import jsonschema

    if not isinstance(record, dict):
        raise InputError("reader record must be a JSON object")
    validator = jsonschema.Draft202012Validator(reader_record_schema())
    errors = sorted(validator.iter_errors(record), key=lambda e: list(e.absolute_path))
    if errors:
        err = errors[0]
        where = ".".join(str(p) for p in err.absolute_path) or "record"
        if err.validator == "required":
            missing = err.message.split("'")[1] if "'" in err.message else err.message
            if missing == "photo":
                raise InputError("reader record has no chip photo: it cannot serve as "
                                 "the reference face photo")
            raise InputError(f"reader record is missing {missing!r}")
        raise InputError(f"reader record: {where}: {err.message}")
    try:
        photo = base64.b64decode(record["photo"] + "=" * (-len(record["photo"]) % 4),
                                 validate=True)
    except (binascii.Error, ValueError) as exc:
        raise InputError("reader record: chip photo is not valid base64") from exc
    until = record["valid_until"]
    fields: dict[str, Any] = {
        "name": record["name"],
        "sex": {"男": "M", "女": "F"}.get(record["sex"], record["sex"]),
        "ethnicity": record["ethnicity"].removesuffix("族"),
        "birth_date": _date(record["birth_date"], "birth_date"),
        "address": record["address"],
        "id_number": record["id_number"].upper(),
        "issuing_authority": record["issuing_authority"],
        "valid_from": _date(record["valid_from"], "valid_from"),
        "valid_until": None if until == "长期" else _date(until, "valid_until"),
        "long_term": until == "长期",
    }
    return fields, photo


def check_reader_record(
    record: Any,
    *,
    on: date | None = None,
    policy: DecisionPolicy = DEFAULT_POLICY,
) -> DocumentReading:
    """Validate a card-reader record like an OCR'd card (front and back together).

    Returns a :class:`~simkyc.document.reading.DocumentReading` of kind
    ``cn-id-reader`` whose ``photo`` is the decoded chip photo (RGB array) and
    ``photo_box`` the whole photo.

    Raises:
        InputError: the record does not match the schema, or its chip photo is
            missing or cannot be decoded as an image.
    """
    on = on or date.today()
    fields, photo_bytes = parse_reader_record(record)
    try:
        photo = decode_image(photo_bytes, max_bytes=2 * 1024 * 1024)
    except InputError as exc:
        raise InputError(f"reader record: chip photo cannot be decoded: {exc}") from exc
    validation = validate_cn_front(fields, on=on)
    back, expired = validate_cn_back(fields, on=on)
    validation.update(back)
    h, w = photo.shape[:2]
    return assemble(
        "cn-id-reader", fields, validation, expired, on=on, policy=policy,
        model_id=READER_MODEL_ID, photo_box=(0, 0, w, h), photo=photo, method="reader",
    )


__all__ = ["READER_MODEL_ID", "check_reader_record", "parse_reader_record",
           "reader_record_schema"]
