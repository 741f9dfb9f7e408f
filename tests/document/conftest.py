"""Shared fixtures of the document-stage tests: models loaded once, generated documents."""

from __future__ import annotations

import base64
import io
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from testkit import load_test_module

REPO = Path(__file__).resolve().parents[2]
FACES = REPO / ".." / "shared" / "data" / "faces"
ON = date(2026, 11, 29)


def _load_generator() -> Any:
    return load_test_module("media/doc_generate.py", "doc_generate")


@pytest.fixture(scope="session")
def doc_gen() -> Any:
    """The test-document generator module (``tests/media/doc_generate.py``)."""
    return _load_generator()


@pytest.fixture(scope="session")
def doc_models() -> Any:
    from simkyc.document.ocr import load_document_models

    return load_document_models()


@pytest.fixture(scope="session")
def generated(doc_gen: Any) -> Callable[..., tuple[Path, dict[str, Any]]]:
    """``generated(kind, seed, level=..., expired=...)`` -> (JPEG path, truth), cached on disk."""
    return doc_gen.write_document  # type: ignore[no-any-return]


@pytest.fixture(scope="session")
def chip_photo_b64() -> str:
    """A real face photo as a small base64 JPEG, like a reader's decoded chip photo."""
    from PIL import Image

    im = Image.open(FACES / "face_recognition" / "obama_small.jpg").convert("RGB")
    im.thumbnail((102, 126))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=90)
    return base64.b64encode(buf.getvalue()).decode()


@pytest.fixture()
def reader_record(chip_photo_b64: str) -> dict[str, Any]:
    """A valid reader record (a fresh dict per test)."""
    return {
        "name": "阿依古丽·买买提",
        "sex": "女",
        "ethnicity": "维吾尔",
        "birth_date": "1949-12-31",
        "address": "北京市朝阳区建国路88号",
        "id_number": "11010519491231002X",
        "issuing_authority": "北京市公安局朝阳分局",
        "valid_from": "2015-03-01",
        "valid_until": "长期",
        "photo": chip_photo_b64,
    }
