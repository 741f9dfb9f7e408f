"""20 concurrent clients against a real server process, on SQLite and on PostgreSQL
(issue 11, "Done when"): no 5xx at all, and the audit chain verifies afterwards.

The server is ``uvicorn`` on loopback (the inline mode, a fresh data dir, the database
of the ``db_url`` fixture); the clients are 20 threads with their own HTTP connections.
First all 20 register a registration brought to that step at once (six of them of one
identity: five are registered, one is rejected by the per-identity limit). Then each
client runs a shop counter's mix ``SIMKYC_LOAD_ROUNDS`` (2) times: a registration with consent,
the card-reader document step (its own identity), an evidence upload, reads (the
registration, its records, the consent receipt), a liveness challenge, and ``register``
where it is cheap (refused: the steps before it are not done). Twice during the run all
20 clients hit one registration together (its document step; its liveness challenge):
exactly one may win. Requests, statuses and latency percentiles are printed
(``pytest -s``).
"""

from __future__ import annotations

import base64
import io
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

import httpx
import pytest
from abuse import advance_to, cn_id_number, reader_record, start
from PIL import Image

CLIENTS = 20
ROUNDS = int(os.environ.get("SIMKYC_LOAD_ROUNDS", "2"))
SERVER = r"""
import sys, uvicorn
from simkyc.api.app import create_app
from simkyc.config import Settings
uvicorn.run(create_app(Settings()), host="127.0.0.1", port=int(sys.argv[1]),
            log_level="warning", timeout_keep_alive=30)
"""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _jpeg(seed: int) -> bytes:
    import numpy as np

    rng = np.random.default_rng(seed)
    buf = io.BytesIO()
    Image.fromarray(rng.integers(0, 255, (240, 200, 3), dtype=np.uint8)).save(buf, "JPEG")
    return buf.getvalue()


#: Of the registrations ready to register (one per client), this many are of one identity:
#: one more than the per-identity limit (5), so exactly one must be rejected.
SAME_IDENTITY = 6


@pytest.fixture
def server(db_url: str, tmp_path: Path, advance: Any) -> Any:
    """A fresh data dir, an agent and an auditor, one registration per client brought to
    ``register`` (the steps before it recorded as passed, no models run), and the server
    on a free port."""
    from simkyc.config import Settings
    from simkyc.domain.parties import Role
    from simkyc.runtime import build_runtime
    from simkyc.services.accounts import create_account

    env = {**os.environ, "SIMKYC_DATA_DIR": str(tmp_path / "data"),
           "SIMKYC_DATABASE_URL": db_url, "SIMKYC_DELIVERY_LOOP": "false",
           "PYTHONWARNINGS": "ignore"}
    settings = Settings(data_dir=tmp_path / "data", database_url=db_url, delivery_loop=False)
    rt = build_runtime(settings)
    made = {name: create_account(rt.context, name=name, role=role, outlet_name=outlet)
            for name, role, outlet in (("agent", Role.AGENT, "Load shop"),
                                       ("agent2", Role.AGENT, "Load shop"),
                                       ("auditor", Role.AUDITOR, None))}
    from reader_keys import enroll_test_readers

    enroll_test_readers(rt.context, ["Load shop"])
    tokens = {name: new.token for name, new in made.items()}
    agent = made["agent"].agent
    ready = []
    for i in range(CLIENTS):
        rid = start(rt.context, agent, language="en", service_id=f"+86139000{i:05d}")
        subject = "CHN/load-same" if i < SAME_IDENTITY else f"CHN/load-{i}"
        advance_to(rt.context, agent, rid, "attach", subject=subject, advance=advance)
        ready.append(rid)
    rt.close()
    port = _free_port()
    log = open(tmp_path / "server.log", "wb")  # noqa: SIM115 - closed below
    proc = subprocess.Popen([sys.executable, "-c", SERVER, str(port)], env=env,
                            stdout=log, stderr=subprocess.STDOUT)
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(240):
            assert proc.poll() is None, (tmp_path / "server.log").read_text()[-3000:]
            try:
                if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.25)
        else:
            pytest.fail("the server did not start")
        yield base, tokens, tmp_path / "server.log", ready
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
        log.close()


class Tally:
    """Every answer seen: (endpoint, status, seconds); thread-safe."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.rows: list[tuple[str, int, float]] = []
        self.server_errors: list[str] = []
        self.failures: list[str] = []

    def call(self, client: httpx.Client, name: str, method: str, url: str,
             expect: tuple[int, ...], **kw: Any) -> httpx.Response:
        t0 = time.perf_counter()
        r = client.request(method, url, **kw)
        took = time.perf_counter() - t0
        with self.lock:
            self.rows.append((name, r.status_code, took))
            if r.status_code >= 500:
                self.server_errors.append(f"{name}: {r.status_code} {r.text[:300]}")
            elif r.status_code not in expect:
                self.failures.append(f"{name}: {r.status_code} {r.text[:300]}")
        return r

    def summary(self) -> dict[str, Any]:
        by: dict[str, list[float]] = defaultdict(list)
        codes: dict[str, Counter[int]] = defaultdict(Counter)
        for name, status, took in self.rows:
            by[name].append(took)
            codes[name][status] += 1
        every = sorted(t for _, _, t in self.rows)

        def pct(values: list[float], q: float) -> float:
            values = sorted(values)
            return round(1000 * values[min(len(values) - 1, int(q * len(values)))], 1)

        return {"requests": len(self.rows),
                "statuses": dict(sorted(Counter(s for _, s, _ in self.rows).items())),
                "p50_ms": pct(every, 0.50), "p95_ms": pct(every, 0.95),
                "p99_ms": pct(every, 0.99), "max_ms": round(1000 * every[-1], 1),
                "mean_ms": round(1000 * statistics.fmean(every), 1),
                "endpoints": {n: {"statuses": dict(codes[n]), "p50_ms": pct(v, 0.5),
                                  "p95_ms": pct(v, 0.95)} for n, v in sorted(by.items())}}


def _counter(base: str, token: str, index: int, tally: Tally, start: threading.Barrier,
             shared: dict[str, Any], together: threading.Barrier) -> None:
    h = {"Authorization": f"Bearer {token}"}
    photo = base64.b64encode(_jpeg(index)).decode()
    upload = _jpeg(1000 + index)
    with httpx.Client(base_url=base, headers=h, timeout=120) as c:
        start.wait()  # all 20 register at once (six of them one identity)
        r = tally.call(c, "POST register (ready)", "POST",
                       f"/api/v1/registrations/{shared['ready'][index]}/register", (200,),
                       json={})
        if r.status_code == 200:
            with tally.lock:
                shared["registered"][index] = (r.json()["status"], r.json().get("reasons"))
        for rnd in range(ROUNDS):
            n = index * 100 + rnd
            r = tally.call(c, "POST /registrations", "POST", "/api/v1/registrations", (201,),
                           json={"consent": True, "language": "en", "service_kind": "mobile",
                                 "service_id": f"+86137000{n:05d}"})
            if r.status_code != 201:
                continue
            rid = r.json()["id"]
            reg = f"/api/v1/registrations/{rid}"
            tally.call(c, "GET /registrations/{id}", "GET", reg, (200,))
            record = reader_record(cn_id_number(2 * n + 1), photo, outlet="Load shop")
            tally.call(c, "POST reader-record", "POST", f"{reg}/document/reader-record",
                       (200,), json=record)
            tally.call(c, "POST evidence/upper_body", "POST", f"{reg}/evidence/upper_body",
                       (201, 409), files={"file": ("u.jpg", upload, "image/jpeg")})
            tally.call(c, "GET records", "GET", f"{reg}/records", (200,))
            tally.call(c, "GET consent-receipt", "GET", f"{reg}/consent-receipt", (200,))
            tally.call(c, "POST liveness/challenge", "POST", f"{reg}/liveness/challenge",
                       (201, 409))
            tally.call(c, "POST register", "POST", f"{reg}/register", (409,), json={})
            if rnd == 0:  # every client on one registration at once
                together.wait()
                same = f"/api/v1/registrations/{shared['document']}"
                tally.call(c, "POST reader-record (same)", "POST",
                           f"{same}/document/reader-record", (200, 409),
                           json=reader_record(cn_id_number(999_001 + 2 * index), photo,
                                              outlet="Load shop"))
                together.wait()
                same = f"/api/v1/registrations/{shared['challenge']}"
                tally.call(c, "POST liveness/challenge (same)", "POST",
                           f"{same}/liveness/challenge", (201, 409))


@pytest.mark.timeout(600)
def test_twenty_concurrent_clients_no_5xx_and_the_audit_chain_verifies(server: Any) -> None:
    base, tokens, log, ready = server
    h = {"Authorization": f"Bearer {tokens['agent']}"}
    shared: dict[str, Any] = {"ready": ready, "registered": {}}
    with httpx.Client(base_url=base, headers=h, timeout=60) as c:
        for key in ("document", "challenge"):
            r = c.post("/api/v1/registrations", json={"consent": True, "language": "en"})
            assert r.status_code == 201, r.text
            shared[key] = r.json()["id"]
    tally = Tally()
    start, together = threading.Barrier(CLIENTS), threading.Barrier(CLIENTS)
    errors: list[BaseException] = []

    def run(i: int) -> None:
        try:
            _counter(base, tokens["agent" if i % 2 else "agent2"], i, tally, start, shared,
                     together)
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
            together.abort()

    t0 = time.perf_counter()
    threads = [threading.Thread(target=run, args=(i,)) for i in range(CLIENTS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(500)
    wall = time.perf_counter() - t0
    summary = tally.summary()
    print(f"\nload: {CLIENTS} clients x {ROUNDS} rounds in {wall:.1f} s: {summary}")
    assert not errors, errors[:3]
    assert not tally.server_errors, (tally.server_errors[:5], log.read_text()[-3000:])
    assert not tally.failures, tally.failures[:10]
    per = Counter((name, s) for name, s, _ in tally.rows)
    assert per[("POST reader-record (same)", 200)] == 1, per
    assert per[("POST reader-record (same)", 409)] == CLIENTS - 1, per
    assert per[("POST reader-record", 200)] == CLIENTS * ROUNDS
    assert summary["requests"] == CLIENTS * (8 * ROUNDS + 3)
    outcomes = shared["registered"]
    print("register:", Counter(status for status, _ in outcomes.values()))
    assert all(outcomes[i][0] == "registered" for i in range(SAME_IDENTITY, CLIENTS)), outcomes
    same = [outcomes[i] for i in range(SAME_IDENTITY)]
    assert sorted(status for status, _ in same) == ["registered"] * (SAME_IDENTITY - 1) + [
        "rejected"], same
    with httpx.Client(base_url=base, timeout=120) as c:
        r = c.get("/api/v1/audit/verify",
                  headers={"Authorization": f"Bearer {tokens['auditor']}"})
    assert r.status_code == 200, r.text
    verdict = r.json()
    print("audit:", verdict)
    assert verdict["intact"] is True, verdict
