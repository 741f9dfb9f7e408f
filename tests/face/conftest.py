"""Face-stage fixtures: real models loaded once per session, real photos, generated variants.

``face_policy`` is parametrised over both matchers, so every test that takes it runs
with ``model="dlib"`` and with ``model="sface"``; ``SIMKYC_TEST_FACE_MODEL=dlib`` (or
``sface``) runs only one of them.
"""

from __future__ import annotations

import dataclasses
import importlib.util
import os
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from simkyc.domain.policy import DEFAULT_POLICY, FacePolicy
from simkyc.face.models import FaceModels, load_face_models, open_face_mesh
from simkyc.media.images import read_image_file

REPO = Path(__file__).resolve().parents[2]
FACE_DATA = REPO / ".." / "shared" / "data" / "faces"
FR = FACE_DATA / "face_recognition"
DF = FACE_DATA / "deepface-pairs"


@pytest.fixture(scope="session")
def face_models() -> FaceModels:
    return load_face_models()


@pytest.fixture(scope="session")
def face_mesh() -> Iterator[Any]:
    mesh = open_face_mesh(static_image_mode=True, max_num_faces=1)
    yield mesh
    mesh.close()


FACE_MODELS = tuple(m for m in ("dlib", "sface")
                    if os.environ.get("SIMKYC_TEST_FACE_MODEL", m) == m)


@pytest.fixture(scope="session", params=FACE_MODELS)
def face_policy(request: pytest.FixtureRequest) -> FacePolicy:
    """The default policy with the matcher (and its detector) set to each model in turn."""
    return dataclasses.replace(DEFAULT_POLICY.face, model=request.param)


@pytest.fixture(scope="session")
def face_gen() -> ModuleType:
    """``tests/media/face_generate.py``, loaded by path (tests are not a package)."""
    path = REPO / "tests" / "media" / "face_generate.py"
    spec = importlib.util.spec_from_file_location("face_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def fr_photo() -> Any:
    """``fr_photo("obama.jpg")`` -> decoded RGB array of a face_recognition test photo."""
    cache: dict[str, Any] = {}

    def load(name: str) -> Any:
        if name not in cache:
            cache[name] = read_image_file(FR / name)
        return cache[name]

    return load
