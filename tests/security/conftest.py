"""Fixtures of the abuse suite; its helpers are in ``abuse.py`` and ``deploy_support.py``
beside this file."""

from __future__ import annotations

import sys
from collections.abc import Iterator
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import pytest  # noqa: E402
from deploy_support import Deployment, open_deployment  # noqa: E402

from simkyc.config import Settings  # noqa: E402


@pytest.fixture
def deployment(db_url: str, tmp_path: Path) -> Iterator[Deployment]:
    """A deployment on ``db_url`` with a development key file, and its people
    (see :func:`deploy_support.open_deployment`); every process it opened is closed after."""
    d = open_deployment(Settings(data_dir=tmp_path / "data", database_url=db_url))
    yield d
    d.close()
