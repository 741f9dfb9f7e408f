"""Multi-picture JPEGs (MPO, issue 11): phones write them; the first picture is the photo."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
from PIL import Image

from simkyc.document.reading import read_document
from simkyc.media.images import decode_image, read_image_file, sniff_image_type
from simkyc.media.sniff import sniff_media_type
from simkyc.services.context import MediaLimits
from simkyc.services.media_input import image_input

ON = date(2026, 11, 29)


def _mpo(first: Image.Image, second: Image.Image) -> bytes:
    buf = io.BytesIO()
    first.save(buf, "MPO", save_all=True, append_images=[second], quality=92)
    data = buf.getvalue()
    with Image.open(io.BytesIO(data)) as im:  # really a two-picture MPO
        assert im.format == "MPO" and getattr(im, "n_frames", 1) == 2
    return data


def test_mpo_decodes_to_its_first_picture() -> None:
    first = Image.new("RGB", (120, 80), (200, 30, 30))
    second = Image.new("RGB", (60, 40), (20, 20, 220))  # a smaller preview/depth picture
    data = _mpo(first, second)
    rgb = decode_image(data)
    assert rgb.shape == (80, 120, 3)
    assert np.abs(rgb.astype(int) - (200, 30, 30)).max() < 12
    assert sniff_image_type(data) == "image/jpeg" and sniff_media_type(data) == "image/jpeg"
    blob, pixels = image_input(data, MediaLimits(), what="document image")
    assert blob.mime == "image/jpeg" and pixels.shape == (80, 120, 3)


def test_mpo_passport_page_is_read(doc_models: Any, generated: Any, tmp_path: Path) -> None:
    """A passport photographed by a phone that writes MPO is read like its JPEG."""
    path, truth = generated("passport", 0)
    page = Image.open(path).convert("RGB")
    preview = page.resize((page.width // 4, page.height // 4))
    mpo = tmp_path / "page.jpg"
    mpo.write_bytes(_mpo(page, preview))
    r = read_document(read_image_file(mpo), models=doc_models, on=ON)
    assert r.kind == "passport" and r.fields["mrz"] == truth["mrz"]
    assert r.accepted and r.photo_box is not None
