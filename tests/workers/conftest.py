"""Real Celery workers (subprocesses) over Redis and PostgreSQL, and an API in the celery mode.

Each test module gets a queue of its own on the local Redis, so nothing else
using the broker takes its tasks. The API (a TestClient) and the workers share
the data folder (the generated master key, the job media) and the database.
"""

from __future__ import annotations

import os
import secrets
import sys
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from simkyc.adapters.db.migrate import upgrade

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workers_support import WorkerProcess, load_test_module, redis_up  # noqa: E402

_root = load_test_module("conftest.py", "simkyc_tests_root_conftest")
check_envelope, create_accounts = _root.check_envelope, _root.create_accounts
seeded_rng, truncate_all = _root.seeded_rng, _root.truncate_all


@pytest.fixture(scope="module")
def celery_setup(pg_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """Settings and worker environment for the celery mode on PostgreSQL + Redis."""
    if not redis_up():
        if os.environ.get("CI"):
            pytest.fail("Redis is required in CI but is not reachable at 127.0.0.1:6379")
        pytest.skip("Redis not reachable at 127.0.0.1:6379")
    from simkyc.config import Settings

    upgrade(pg_url)
    data = tmp_path_factory.mktemp("celery-data")
    queue = "simkyc-test-" + secrets.token_hex(4)
    fields = dict(data_dir=data, database_url=pg_url, workers="celery",
                  broker_url="redis://127.0.0.1:6379/0", broker_queue=queue,
                  broker_visibility_timeout=15,
                  max_image_bytes=2 * 1024 * 1024, max_video_bytes=8 * 1024 * 1024,
                  max_audio_bytes=4 * 1024 * 1024)
    settings = Settings(**fields)
    settings.master_key_bytes  # noqa: B018 - generate the shared key file now
    env = {**os.environ, "SIMKYC_NATIVE_LOGS": "1", "PYTHONUNBUFFERED": "1"}
    env.update({f"SIMKYC_{k.upper()}": str(v) for k, v in fields.items()})
    yield type("CelerySetup", (), {"settings": settings, "env": env, "data": data,
                                   "queue": queue, "url": pg_url})
    import redis

    redis.Redis(host="127.0.0.1", port=6379).delete(queue)
    truncate_all(pg_url)


@pytest.fixture(scope="module")
def worker(celery_setup: Any) -> Iterator[WorkerProcess]:
    """One real worker process (started once per module; a test may kill and restart it)."""
    w = WorkerProcess(celery_setup.env, celery_setup.data / "worker.log")
    w.start()
    yield w
    w.stop()


@pytest.fixture
def celery_api(celery_setup: Any) -> Iterator[Any]:
    """A TestClient on the app in the celery mode (seeded challenges), like ``api``."""
    from fastapi.testclient import TestClient

    from simkyc.api.app import create_app

    truncate_all(celery_setup.url)
    app = create_app(celery_setup.settings)
    app.state.context = replace(app.state.context, rng=seeded_rng)
    people = create_accounts(app.state.context)
    tokens = {name: token for name, (_, token) in people.items()}

    def _check(response: Any) -> None:
        response.read()
        check_envelope(response)

    with TestClient(app, raise_server_exceptions=False) as client:
        client.event_hooks = {"request": [], "response": [_check]}
        client.hdr = lambda name: {"Authorization": f"Bearer {tokens[name]}"}  # type: ignore[attr-defined]
        client.actor = lambda name: people[name][0]  # type: ignore[attr-defined]
        client.ctx = app.state.context  # type: ignore[attr-defined]
        yield client
    app.state.runtime.close()


