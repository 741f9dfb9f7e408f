"""`simkyc` commands of the voice stage (mounted by :mod:`simkyc.cli.main`)."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Mount this stage's commands on the root app (none yet)."""
