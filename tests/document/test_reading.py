"""Reading photographed documents with the real OCR (a handful of generated images)."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from simkyc.document.reading import read_document
from simkyc.domain.errors import InputError
from simkyc.media.images import read_image_file

ON = date(2026, 11, 29)
FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, date) else v


@pytest.mark.parametrize("kind", ["cn-id-front", "cn-id-back", "passport", "td1"])
def test_reads_each_kind(kind: str, doc_models: Any, generated: Any) -> None:
    path, truth = generated(kind, 0)
    image = read_image_file(path)
    r = read_document(image, models=doc_models, on=ON)  # kind detected automatically
    assert r.kind == kind
    for name, value in truth["fields"].items():
        assert _iso(r.fields[name]) == value, name
    if "mrz" in truth:
        assert r.fields["mrz"] == truth["mrz"]
        assert r.mrz is not None and r.mrz.valid
    assert r.valid, r.reasons
    if kind == "cn-id-back":
        assert r.photo_box is None and r.photo is None
        assert r.expired is (truth["fields"]["valid_until"] is not None
                             and truth["fields"]["valid_until"] < ON.isoformat())
    else:
        assert r.photo_box is not None and r.photo is not None
        x0, y0, x1, y1 = r.photo_box
        ph, pw = r.photo.shape[:2]  # upright crop, bounded by the box
        assert 0.85 * (x1 - x0) <= pw <= x1 - x0 and 0.85 * (y1 - y0) <= ph <= y1 - y0
        # The photo is on the left of MRZ documents and on the right of the ID card front.
        centre = (x0 + x1) / 2 / image.shape[1]
        assert (centre > 0.5) if kind == "cn-id-front" else (centre < 0.5)
        assert r.accepted
    d = r.to_dict()
    assert set(d) >= {"kind", "fields", "validation", "valid", "expired", "photo"}


def test_explicit_kind_and_reading_is_repeatable(doc_models: Any, generated: Any) -> None:
    path, truth = generated("cn-id-front", 0)
    image = read_image_file(path)
    r = read_document(image, models=doc_models, kind="cn-id-front", on=ON)
    assert r.fields["id_number"] == truth["fields"]["id_number"]
    with pytest.raises(InputError, match="machine-readable zone"):
        read_document(image, models=doc_models, kind="passport", on=ON)


@pytest.mark.parametrize("kind", ["cn-id-front", "passport", "td1"])
def test_wrong_printed_check_digit_is_never_valid(kind: str, doc_models: Any,
                                                 generated: Any) -> None:
    path, _ = generated(kind, 0, tamper=True)
    r = read_document(read_image_file(path), models=doc_models, on=ON)
    assert not r.valid and not r.accepted
    expected = "id_number_checksum" if kind == "cn-id-front" else (
        "mrz_check_digit_document_number")
    assert expected in r.reasons


def test_expired_passport_is_refused(doc_models: Any, generated: Any) -> None:
    path, truth = generated("passport", 0, expired=True)
    r = read_document(read_image_file(path), models=doc_models, on=ON)
    assert r.fields["expiry_date"].isoformat() == truth["fields"]["expiry_date"]
    assert r.expired is True and r.valid and not r.accepted
    assert r.reasons == ("document_expired",)


def test_blank_image_has_no_document(doc_models: Any) -> None:
    blank = np.full((400, 600, 3), 200, np.uint8)
    with pytest.raises(InputError, match="no text"):
        read_document(blank, models=doc_models, on=ON)


def test_face_photo_without_document(doc_models: Any) -> None:
    image = read_image_file(FACES / "face_recognition" / "obama.jpg")
    with pytest.raises(InputError, match="no .*document|no text"):
        read_document(image, models=doc_models, on=ON)


def test_unknown_kind_and_bad_array(doc_models: Any) -> None:
    with pytest.raises(InputError, match="kind"):
        read_document(np.zeros((50, 50, 3), np.uint8), models=doc_models, kind="visa", on=ON)
    with pytest.raises(InputError, match="RGB"):
        read_document(np.zeros((50, 50), np.uint8), models=doc_models, on=ON)


def test_large_phone_photo_is_downscaled_for_ocr(doc_models: Any, generated: Any) -> None:
    """A 2,900 px wide photo (phone-sized) reads the same as the original."""
    import cv2

    path, truth = generated("td1", 0)
    image = read_image_file(path)
    big = cv2.resize(image, None, fx=2.9, fy=2.9, interpolation=cv2.INTER_CUBIC)
    r = read_document(big, models=doc_models, on=ON)
    assert r.kind == "td1" and r.fields["mrz"] == truth["mrz"] and r.accepted
    assert r.photo_box is not None and r.photo_box[2] - r.photo_box[0] > 300


def test_rows_follow_a_rotated_page() -> None:
    """Label and value boxes of a page rotated ~6 degrees still share a row."""
    from simkyc.document.ocr import OcrLine, rows

    slope = -0.1
    boxes = []
    for i, (label, value) in enumerate([("出生", "1988年3月3日"), ("住址", "四川省色达县")]):
        y = 300 + 60 * i
        boxes.append(OcrLine(label, 1.0, (110, y - 18, 200, y + 18), 36.0, slope))
        yv = y + slope * (350 - 155)  # the value's centre, further right, is higher
        boxes.append(OcrLine(value, 1.0, (220, int(yv - 20), 480, int(yv + 20)), 38.0, slope))
    got = [[ln.text for ln in r] for r in rows(boxes)]
    assert got == [["出生", "1988年3月3日"], ["住址", "四川省色达县"]]
