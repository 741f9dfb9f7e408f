"""The command line on a fresh or broken setup (issue 11, low): one line, exit 2, and
nothing left behind.

Seen before: ``simkyc serve`` and ``simkyc agent create`` on a fresh data dir printed
an 83-line traceback (exit 1) and left a key and an empty database behind.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from deploy_support import run_cli as run


def _one_line(p: subprocess.CompletedProcess[str]) -> None:
    assert p.returncode == 2, (p.returncode, p.stderr)
    assert len(p.stderr.strip().splitlines()) == 1 and "Traceback" not in p.stderr, p.stderr


@pytest.mark.parametrize("args", [
    ["agent", "create", "--name", "a", "--role", "agent", "--outlet", "Shop"],
    ["serve", "--port", "1"],
])
def test_production_without_a_key_refuses_and_leaves_nothing(tmp_path: Path,
                                                             args: list[str]) -> None:
    data = tmp_path / "fresh"
    p = run(args, {"SIMKYC_DATA_DIR": str(data), "SIMKYC_ENVIRONMENT": "production"})
    _one_line(p)
    assert "SIMKYC_MASTER_KEY" in p.stderr
    assert not (data / "master.key").exists() and not (data / "simkyc.db").exists()


def test_a_refused_account_on_a_fresh_dir_is_one_line_and_creates_nothing(tmp_path: Path) -> None:
    data = tmp_path / "fresh"
    p = run(["agent", "create", "--name", "a", "--role", "agent"],  # an agent needs an outlet
            {"SIMKYC_DATA_DIR": str(data)})
    _one_line(p)
    p = run(["agent", "create", "--name", "a", "--role", "wizard"], {"SIMKYC_DATA_DIR": str(data)})
    _one_line(p)
    assert not data.exists() or not any(data.iterdir()), list(data.iterdir())


def test_a_bad_master_key_is_one_line(tmp_path: Path) -> None:
    p = run(["agent", "create", "--name", "a", "--role", "admin"],
            {"SIMKYC_DATA_DIR": str(tmp_path), "SIMKYC_MASTER_KEY": "too-short"})
    _one_line(p)
    assert not (tmp_path / "simkyc.db").exists()
