"""Helpers of the worker tests: the worker subprocess, job polling, shared test modules."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from testkit import load_test_module

REPO = Path(__file__).resolve().parents[2]
__all__ = ["WorkerProcess", "load_test_module", "redis_up", "wait_job"]


def redis_up() -> bool:
    import redis

    try:
        return bool(redis.Redis(host="127.0.0.1", port=6379, socket_timeout=2).ping())
    except Exception:  # noqa: BLE001
        return False


class WorkerProcess:
    """``simkyc worker`` in its own process group, its log in a file."""

    def __init__(self, env: dict[str, str], log: Path) -> None:
        self.env, self.log = env, log
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self, timeout: float = 120.0) -> None:
        offset = self.log.stat().st_size if self.log.exists() else 0
        fh = open(self.log, "ab")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "simkyc.cli.main", "worker", "-c", "1", "--loglevel", "INFO"],
            env=self.env, stdout=fh, stderr=subprocess.STDOUT, start_new_session=True)
        fh.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            text = self.log.read_bytes()[offset:].decode(errors="replace")
            if "models loaded" in text and " ready." in text:
                return
            if self.proc.poll() is not None:
                raise AssertionError(f"the worker exited ({self.proc.returncode}):\n{text[-3000:]}")
            time.sleep(0.3)
        raise AssertionError(f"the worker was not ready in {timeout} s:\n{text[-3000:]}")

    def kill(self) -> None:
        """SIGKILL the whole worker (the main process and its pool process)."""
        assert self.proc is not None
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)

    def text(self) -> str:
        return self.log.read_text(errors="replace")


def wait_job(api: Any, job_id: str, *, who: str = "agent", timeout: float = 120.0,
             until: Callable[[dict[str, Any]], bool] | None = None) -> dict[str, Any]:
    """Poll ``GET /api/v1/jobs/{id}`` until it is finished (or ``until`` holds)."""
    done = until or (lambda j: j["status"] in ("done", "failed"))
    deadline = time.monotonic() + timeout
    while True:
        r = api.get(f"/api/v1/jobs/{job_id}", headers=api.hdr(who))
        assert r.status_code == 200, r.text
        job = dict(r.json())
        if done(job):
            return job
        if time.monotonic() > deadline:
            raise AssertionError(f"job not finished in {timeout} s: {job}")
        time.sleep(0.3)
