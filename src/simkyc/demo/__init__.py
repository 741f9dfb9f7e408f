"""The demo portrait (public domain; see README.md beside it)."""

from __future__ import annotations

from importlib import resources
from pathlib import Path


def demo_photo() -> Path:
    """Path of the shipped public-domain portrait (512×512 JPEG)."""
    return Path(str(resources.files("simkyc.demo") / "astronaut.jpg"))


__all__ = ["demo_photo"]
