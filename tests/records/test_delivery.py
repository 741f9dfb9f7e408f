"""Delivery through the outbox to a real webhook on loopback: it fails three times, then
recovers, and the delivering process is killed mid-delivery and started again; each
record is kept exactly once by its Idempotency-Key (SQLite and PostgreSQL). A directory
sink drops whole files; a sink that stays down parks the delivery for an admin."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from simkyc.adapters.jose import SigningKeys
from simkyc.adapters.policy_file import load_policy_file
from simkyc.adapters.record_check import check_record
from simkyc.adapters.sinks import DirectorySink, WebhookSink
from simkyc.domain.policy import DeliveryPolicy, DeliverySink
from simkyc.services.context import ServiceContext
from simkyc.services.outbox import deliver_due, list_deliveries, retry_delivery
from simkyc.services.records_ports import DeliveryStatus
from simkyc.services.steps import ServiceToRegister, run_register

REPO = Path(__file__).resolve().parents[2]


@dataclass
class Receiver:
    """What the webhook saw: every request's key, and the records it kept (one per key)."""

    fail_first: int = 3
    hang_on: int | None = None
    requests: list[str] = field(default_factory=list)
    kept: dict[str, str] = field(default_factory=dict)
    hanging: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def webhook() -> Iterator[tuple[str, Receiver]]:
    seen = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - http.server's name
            body = self.rfile.read(int(self.headers["Content-Length"])).decode()
            key = self.headers["Idempotency-Key"]
            with seen.lock:
                seen.requests.append(key)
                n = len(seen.requests)
                if n > seen.fail_first:
                    seen.kept.setdefault(key, body)  # an idempotent receiver
            if n <= seen.fail_first:
                return self._answer(503)
            if seen.hang_on == n:  # received and kept, but the answer never comes in time
                seen.hanging.set()
                seen.release.wait(30)
            self._answer(200)

        def _answer(self, code: int) -> None:
            try:
                self.send_response(code)
                self.send_header("Content-Length", "0")
                self.end_headers()
            except OSError:  # the sender was killed meanwhile
                pass

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    t = threading.Thread(target=server.serve_forever, daemon=True)
    t.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/records", seen
    seen.release.set()
    server.shutdown()
    server.server_close()
    t.join(5)


def _policy_file(tmp_path: Path, url: str) -> Path:
    path = tmp_path / "policy.toml"
    path.write_text(f"""
[delivery]
max_attempts = 8
backoff_base_seconds = 0.05
backoff_max_seconds = 0.2
timeout_seconds = 1.5
lease_seconds = 2.0
poll_seconds = 0.1

[[delivery.sinks]]
name = "regulator-webhook"
kind = "webhook"
target = "{url}"
profile = "regulator"
""")
    return path


def _register(ctx: ServiceContext, people: dict, walk: Any, service_id: str) -> str:
    agent = people["agent"][0]
    rid = walk(ctx, agent, service_id=service_id)
    assert run_register(ctx, actor=agent, registration_id=rid,
                        submission=ServiceToRegister()).status.value == "registered"
    return rid


def _deliverer(db_url: str, tmp_path: Path, policy: Path) -> subprocess.Popen[bytes]:
    env = {**os.environ, "SIMKYC_DATABASE_URL": db_url, "SIMKYC_DATA_DIR": str(tmp_path / "d"),
           "SIMKYC_POLICY_FILE": str(policy),
           "SIMKYC_SIGNING_KEYS_DIR": str(tmp_path / "signing")}
    return subprocess.Popen([sys.executable, "-m", "simkyc.cli.main", "outbox", "deliver",
                             "--for", "60"], env=env, cwd=REPO, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)


def _wait(cond: Any, seconds: float, what: str) -> None:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if cond():
            return
        time.sleep(0.05)
    raise AssertionError(f"timed out waiting for {what}")


def test_webhook_fails_recovers_and_survives_a_restart_exactly_once(
        rctx: ServiceContext, people: dict, walk: Any, webhook: tuple[str, Receiver],
        db_url: str, tmp_path: Path) -> None:
    url, seen = webhook
    policy_path = _policy_file(tmp_path, url)
    ctx = replace(rctx, policy=load_policy_file(policy_path))
    seen.hang_on = 4  # the first request after three failures: kept, then no answer
    rids = [_register(ctx, people, walk, f"+861380013800{i}") for i in range(2)]
    admin = people["admin"][0]
    assert len(list_deliveries(ctx, actor=admin, status=DeliveryStatus.PENDING)) == 2

    first = _deliverer(db_url, tmp_path, policy_path)
    try:
        _wait(seen.hanging.is_set, 60, "the webhook to receive a record and hang")
        first.send_signal(signal.SIGKILL)  # mid-delivery: sent, kept, never recorded
        first.wait(10)
    finally:
        if first.poll() is None:
            first.kill()
    assert len(seen.requests) == 4 and len(seen.kept) == 1
    seen.release.set()
    pending = list_deliveries(ctx, actor=admin, status=DeliveryStatus.PENDING)
    assert len(pending) == 2  # the killed process recorded nothing for the kept one

    second = _deliverer(db_url, tmp_path, policy_path)
    try:
        _wait(lambda: len(list_deliveries(ctx, actor=admin,
                                          status=DeliveryStatus.DELIVERED)) == 2,
              60, "both deliveries after the restart")
    finally:
        second.terminate()
        second.wait(10)
    # Every record arrived, each kept once, although the one kept before the kill was
    # sent again after the restart (the receiver saw its key twice after recovering).
    hung = seen.requests[3]
    assert seen.requests[3:].count(hung) == 2
    assert len(seen.kept) == 2 and set(seen.kept) == set(seen.requests)
    jwks = SigningKeys(tmp_path / "signing").jwks()
    got = {check_record(body, jwks).payload["registration_id"]  # type: ignore[index]
           for body in seen.kept.values()}
    assert got == set(rids)
    # Nothing is due any more.
    assert deliver_due(ctx, {"regulator-webhook": WebhookSink("regulator-webhook", url)}
                       ).attempted == 0


def test_a_sink_that_stays_down_is_parked_then_retried(rctx: ServiceContext, people: dict,
                                                       walk: Any, tmp_path: Path) -> None:
    sink = DeliverySink(name="drop", kind="directory", target=str(tmp_path / "drop"),
                        profile="regulator")
    policy = replace(rctx.policy, delivery=DeliveryPolicy(
        sinks=(sink,), max_attempts=2, backoff_base_seconds=0, backoff_max_seconds=0))
    ctx = replace(rctx, policy=policy)
    rid = _register(ctx, people, walk, "+8613800138100")
    (tmp_path / "drop").write_text("not a folder")  # the sink is down
    down = {"drop": DirectorySink("drop", tmp_path / "drop")}
    assert deliver_due(ctx, down).failed == 1
    r = deliver_due(ctx, down)
    assert (r.failed, r.parked) == (1, 1)
    assert deliver_due(ctx, down).attempted == 0  # parked: not retried by the loop
    (parked,) = list_deliveries(ctx, actor=people["admin"][0], status=DeliveryStatus.PARKED)
    assert parked.attempts == 2 and "cannot write" in parked.last_error
    (tmp_path / "drop").unlink()
    retry_delivery(ctx, actor=people["admin"][0], delivery_id=parked.id)
    assert deliver_due(ctx, down).delivered == 1
    files = list((tmp_path / "drop").iterdir())
    assert [f.name for f in files] == [f"{parked.record_id}.jws"]
    jwks = ctx.signer.jwks()  # type: ignore[union-attr]
    check = check_record(files[0].read_text(), jwks)
    assert check.valid and check.payload["registration_id"] == rid  # type: ignore[index]
    with pytest.raises(Exception, match="may not"):
        retry_delivery(ctx, actor=people["auditor"][0], delivery_id=parked.id)
