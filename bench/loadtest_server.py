"""The load test's web tier: the API in the celery mode (settings from SIMKYC_*), with the
tests' seeded challenges so that one generated video answers every session's challenge.

    python bench/loadtest_server.py PORT
"""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

import uvicorn

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_support as sup  # noqa: E402

from simkyc.api.app import create_app  # noqa: E402
from simkyc.config import Settings  # noqa: E402

if __name__ == "__main__":
    app = create_app(Settings())
    app.state.context = replace(app.state.context, rng=sup.seeded_rng)
    uvicorn.run(app, host="127.0.0.1", port=int(sys.argv[1]), log_level="warning")
