"""Helpers shared by the key, backup and command-line tests of this suite.

- :class:`Deployment`: a deployment (its settings, a runtime, its people) and a way
  to open more processes of it; the ``deployment`` fixture in ``conftest.py`` makes one.
- :func:`run_cli`: ``simkyc`` run in a child process with only the ``SIMKYC_*``
  variables the test gives.
- :func:`in_background`: a "service" thread that keeps working while the test does
  something else (a rotation, a backup), and what it made or raised.
"""

from __future__ import annotations

import contextlib
import os
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from simkyc.config import Settings
from simkyc.domain.parties import Role
from simkyc.runtime import build_runtime
from simkyc.services.accounts import create_account

SIMKYC = [sys.executable, "-c", "from simkyc.cli.main import main; main()"]


def clean_env(env: dict[str, str]) -> dict[str, str]:
    """This process's environment without any ``SIMKYC_*`` variable, plus ``env``."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("SIMKYC_")}
    return {**clean, **env}


def run_cli(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """``simkyc ARGS`` in a child process (environment: :func:`clean_env`)."""
    return subprocess.run(SIMKYC + args, env=clean_env(env), capture_output=True, text=True,
                          timeout=120)


@dataclass
class Deployment:
    """A deployment on one database with a development key file, and its people."""

    settings: Settings
    runtimes: list[Any] = field(default_factory=list)
    people: dict[str, Any] = field(default_factory=dict)

    def open(self) -> Any:
        """A process of the deployment (its own engine and keyring); closed by :meth:`close`."""
        rt = build_runtime(self.settings, migrate=False)
        self.runtimes.append(rt)
        return rt

    @property
    def rt(self) -> Any:
        return self.runtimes[0]

    @property
    def ctx(self) -> Any:
        return self.rt.context

    def close(self) -> None:
        for r in self.runtimes:
            r.close()


def open_deployment(settings: Settings) -> Deployment:
    """The first process of ``settings``'s deployment and one account of each role
    ("agent" at "Outlet A", "compliance", "auditor", "admin")."""
    d = Deployment(settings)
    ctx = d.open().context
    d.people = {name: create_account(ctx, name=name, role=role, outlet_name=outlet).agent
                for name, role, outlet in (("agent", Role.AGENT, "Outlet A"),
                                           ("compliance", Role.COMPLIANCE, None),
                                           ("auditor", Role.AUDITOR, None),
                                           ("admin", Role.ADMIN, None))}
    return d


@dataclass
class Worker:
    """What :func:`in_background` ran: each ``step``'s result, and what stopped it."""

    thread: threading.Thread
    stop: threading.Event
    results: list[Any] = field(default_factory=list)
    problems: list[BaseException] = field(default_factory=list)

    def wait_for(self, n: int) -> None:
        """Until the worker has made ``n`` results (or has ended)."""
        while len(self.results) < n and self.thread.is_alive():
            self.stop.wait(0.05)


@contextlib.contextmanager
def in_background(step: Callable[[], Any], *, times: int, pause: float = 0.0,
                  join: float = 60) -> Iterator[Worker]:
    """Run ``step()`` over and over in a thread (``pause`` seconds before each, at most
    ``times`` results) while the ``with`` body runs; it is stopped and joined at the end
    of the body. The first exception ends it and is kept in ``problems``."""
    stop = threading.Event()
    worker = Worker(threading.Thread(target=lambda: _work(worker, step, times, pause)), stop)
    worker.thread.start()
    try:
        yield worker
    finally:
        stop.set()
        worker.thread.join(join)


def _work(worker: Worker, step: Callable[[], Any], times: int, pause: float) -> None:
    while not worker.stop.is_set() and len(worker.results) < times:
        if pause:
            worker.stop.wait(pause)
        try:
            worker.results.append(step())
        except BaseException as exc:  # noqa: BLE001 - reported by the test
            worker.problems.append(exc)
            return
