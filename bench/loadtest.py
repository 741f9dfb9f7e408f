"""Load test (issue 15): N concurrent registration sessions through the HTTP API in the
celery mode, against PostgreSQL and 2 ``simkyc worker`` processes, all on loopback.

Starts a fresh PostgreSQL schema, the workers, the API (``loadtest_server.py``) and
locust headless (``locustfile.py``: each of N users registers one customer, then the
run stops; bounded by ``--run-time`` too). Then checks, in the database: every session
``registered``, one registration per service number, each stage recorded once per
registration, every job done, each evidence kind kept once, the audit chain intact.
Reports p50/p95 per endpoint (and per job, submit to done), and the audit chain's lock
(PostgreSQL advisory lock 7426, taken by every audited transaction until it commits):
sampled every 20 ms in ``pg_locks`` for this run's connections only.

    .venv/bin/simkyc bench loadtest [--quick]   # N = 20 (quick: 20 as well, the minimum)

Writes ``bench/out/loadtest.json`` and prints it as the last line.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import pickle
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_support as sup  # noqa: E402

HERE = Path(__file__).resolve().parent
APP_NAME = "simkyc-loadtest"
AUDIT_LOCK_KEY = 7426
#: Evidence items a registered session keeps, per kind.
EXPECTED_EVIDENCE = {"reader_record": 1, "document_photo": 1, "live_face": 2,
                     "liveness_video": 1, "voice_audio": 1, "voice_video": 1, "upper_body": 1}


def log(msg: str) -> None:
    print(f"[loadtest {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LockSampler(threading.Thread):
    """Samples pg_locks: is the audit advisory lock held by this run, and how many wait."""

    def __init__(self, interval: float = 0.02) -> None:
        super().__init__(daemon=True)
        self.interval, self.stop_flag = interval, threading.Event()
        self.samples: list[tuple[int, int]] = []

    def run(self) -> None:
        import psycopg

        with psycopg.connect("host=127.0.0.1 user=postgres dbname=test", autocommit=True) as c:
            q = ("SELECT count(*) FILTER (WHERE l.granted), count(*) FILTER (WHERE NOT l.granted) "
                 "FROM pg_locks l JOIN pg_stat_activity a ON a.pid = l.pid "
                 "WHERE l.locktype = 'advisory' AND l.classid = 0 AND l.objid = %s "
                 "AND a.application_name = %s")
            while not self.stop_flag.is_set():
                held, waiting = c.execute(q, (AUDIT_LOCK_KEY, APP_NAME)).fetchone()
                self.samples.append((int(held), int(waiting)))
                time.sleep(self.interval)

    def summary(self, wall_s: float, audited: int) -> dict[str, Any]:
        n = len(self.samples) or 1
        held = sum(1 for h, _ in self.samples if h) / n
        contended = sum(1 for _, w in self.samples if w) / n
        return {"samples": len(self.samples), "interval_ms": self.interval * 1000,
                "held_fraction": round(held, 4), "waited_fraction": round(contended, 4),
                "max_waiting": max((w for _, w in self.samples), default=0),
                "audit_entries": audited,
                "mean_hold_ms_estimate": round(held * wall_s * 1000 / max(audited, 1), 2)}


def _stats(csv_path: Path) -> dict[str, Any]:
    out = {}
    with csv_path.open() as fh:
        for row in csv.DictReader(fh):
            name = f"{row['Type']} {row['Name']}".strip()
            out[name] = {"requests": int(row["Request Count"]),
                         "failures": int(row["Failure Count"]),
                         "p50_ms": float(row["50%"] or 0), "p95_ms": float(row["95%"] or 0)}
    return out


def check_database(url: str, n: int) -> dict[str, Any]:
    """What the database holds afterwards (no lost or duplicated registrations)."""
    from sqlalchemy import func, select

    from simkyc.adapters.db.engine import make_engine, make_session_factory
    from simkyc.adapters.db.tables import (
        AuditRow,
        EvidenceRow,
        JobRow,
        RegistrationRow,
        StageResultRow,
    )
    from simkyc.adapters.db.uow import SqlUnitOfWork

    engine = make_engine(url)
    with SqlUnitOfWork(make_session_factory(engine)) as tx:
        s = tx.session
        regs = list(s.scalars(select(RegistrationRow)))
        stages = Counter((r.registration_id, r.stage) for r in s.scalars(select(StageResultRow)))
        evidence = Counter((e.registration_id, e.kind) for e in s.scalars(select(EvidenceRow)))
        jobs = list(s.scalars(select(JobRow)))
        audited = int(s.scalar(select(func.count()).select_from(AuditRow)) or 0)
        chain = tx.audit.verify()
    engine.dispose()
    return {
        "registrations": len(regs),
        "registered": sum(r.status == "registered" for r in regs),
        "distinct_service_ids": len({r.service_id for r in regs}),
        "stage_recorded_more_than_once": sum(1 for c in stages.values() if c > 1),
        # each kind once, but the live face: the capture and the liveness step's chosen frame
        "evidence_not_as_expected": sum(
            1 for r in regs for k in EXPECTED_EVIDENCE
            if evidence[(r.id, k)] != EXPECTED_EVIDENCE[k]),
        "jobs": len(jobs), "jobs_done": sum(j.status == "done" for j in jobs),
        "job_deliveries": sum(j.attempts for j in jobs),
        "audit_entries": audited, "audit_chain_intact": chain.intact,
        "expected_sessions": n,
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="simkyc load test (issue 15)")
    ap.add_argument("--quick", action="store_true", help="the same bounded run (N=20)")
    ap.add_argument("--users", type=int, default=20, help="concurrent sessions (>= 20)")
    ap.add_argument("--workers", type=int, default=2, help="simkyc worker processes")
    ap.add_argument("--run-time", default="25m", help="locust's bound on the whole run")
    a = ap.parse_args(argv)
    n = max(20, a.users)
    media = sup.session_media()
    sup.OUT.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory() as d:
        tmp = Path(d)
        dep = sup.deploy(tmp / "data")
        url = dep.url + f"&application_name={APP_NAME}"
        dep.env["SIMKYC_DATABASE_URL"] = url
        server = None
        try:
            from simkyc.domain.parties import Role
            from simkyc.runtime import build_runtime
            from simkyc.services.accounts import create_account

            rt = build_runtime(dep.settings)
            token = create_account(rt.context, name="loadtest", role=Role.AGENT,
                                   outlet_name="Load test shop").token
            sup.enroll_bench_reader(rt.context, "Load test shop")
            rt.close()
            log(f"starting {a.workers} workers")
            dep.start_workers(a.workers)
            port = free_port()
            server = subprocess.Popen([sys.executable, str(HERE / "loadtest_server.py"),
                                       str(port)], env=dep.env,
                                      stdout=open(tmp / "server.log", "wb"),
                                      stderr=subprocess.STDOUT)
            import httpx

            for _ in range(240):
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/healthz").status_code == 200:
                        break
                except httpx.HTTPError:
                    pass
                time.sleep(0.5)
            media_file = tmp / "media.pickle"
            media_file.write_bytes(pickle.dumps(media))
            results = tmp / "results.jsonl"
            env = {**os.environ, "SIMKYC_LT_TOKEN": token, "SIMKYC_LT_MEDIA": str(media_file),
                   "SIMKYC_LT_RESULTS": str(results), "SIMKYC_LT_USERS": str(n)}
            sampler = LockSampler()
            sampler.start()
            log(f"locust: {n} users, one session each, on http://127.0.0.1:{port}")
            t0 = time.perf_counter()
            locust = subprocess.run(
                [str(Path(sys.executable).parent / "locust"), "-f", str(HERE / "locustfile.py"),
                 "--headless", "-u", str(n), "-r", str(n), "--run-time", a.run_time,
                 "--host", f"http://127.0.0.1:{port}", "--csv", str(tmp / "lt"),
                 "--only-summary", "--stop-timeout", "30", "--loglevel", "WARNING"],
                env=env, capture_output=True, text=True, timeout=40 * 60)
            wall = time.perf_counter() - t0
            sampler.stop_flag.set()
            sampler.join(timeout=5)
            stats = _stats(tmp / "lt_stats.csv")
            outcomes = [json.loads(line) for line in results.read_text().splitlines()]
            db = check_database(dep.url, n)
            result = {
                "date": datetime.now(UTC).isoformat(timespec="seconds"),
                "machine": f"{os.cpu_count()} cores, shared with other work (loaded)",
                "sessions": n, "workers": a.workers, "wall_s": round(wall, 1),
                "sessions_per_min": round(n / wall * 60, 2),
                "locust_exit": locust.returncode,
                "failures": sum(v["failures"] for k, v in stats.items() if k != "Aggregated"),
                "outcomes": dict(Counter(o["status"] for o in outcomes)),
                "database": db,
                "audit_lock": sampler.summary(wall, db["audit_entries"]),
                "endpoints": {k: v for k, v in stats.items() if k != "Aggregated"},
            }
            ok = (result["failures"] == 0 and db["registered"] == n
                  and db["registrations"] == n and db["distinct_service_ids"] == n
                  and db["stage_recorded_more_than_once"] == 0
                  and db["evidence_not_as_expected"] == 0
                  and db["jobs"] == db["jobs_done"] == 4 * n and db["audit_chain_intact"])
            result["ok"] = ok
            if locust.returncode not in (0, 1):
                result["locust_stderr"] = locust.stderr[-2000:]
        finally:
            if server is not None:
                server.terminate()
                server.wait(timeout=30)
            dep.close()
    (sup.OUT / "loadtest.json").write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result))
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
