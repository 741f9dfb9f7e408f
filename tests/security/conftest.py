"""Fixtures of the abuse suite; its helpers are in ``abuse.py`` beside this file."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
