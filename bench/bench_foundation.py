"""Foundation benchmark: evidence encryption throughput and registration-step latency.

Run: ``simkyc bench foundation`` (or ``python bench/bench_foundation.py [--quick]``).
Prints a table and a final JSON line. Uses a temporary SQLite database.
"""

from __future__ import annotations

import json
import secrets
import statistics
import sys
import tempfile
import time
from pathlib import Path


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in argv
    from simkyc.adapters.crypto import MasterKeyring
    from simkyc.adapters.db.engine import make_engine, make_session_factory
    from simkyc.adapters.db.migrate import upgrade
    from simkyc.adapters.db.uow import unit_of_work_factory
    from simkyc.adapters.evidence_store import EvidenceStore
    from simkyc.domain.evidence import EvidenceKind
    from simkyc.domain.parties import Role
    from simkyc.domain.results import StageOutcome
    from simkyc.services.accounts import create_account
    from simkyc.services.context import ServiceContext
    from simkyc.services.evidence import NewEvidence, bound_evidence
    from simkyc.services.registrations import start_registration
    from simkyc.services.steps.common import record_step

    n = 20 if quick else 200
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite:///{Path(tmp) / 'b.db'}"
        upgrade(url)
        engine = make_engine(url)
        ctx = ServiceContext(uow=unit_of_work_factory(make_session_factory(engine)),
                             store=EvidenceStore(Path(tmp) / "ev"),
                             keys=MasterKeyring(secrets.token_bytes(32)))
        agent = create_account(ctx, name="bench", role=Role.AGENT, outlet_name="B").agent
        blob = secrets.token_bytes(1024 * 1024)  # 1 MB, like a document photo

        start_ms, step_ms, read_ms = [], [], []
        for i in range(n):
            t = time.perf_counter()
            reg = start_registration(ctx, actor=agent, consent=True)
            start_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            rec = record_step(ctx, actor=agent, registration_id=reg.id, step="document",
                              outcome=StageOutcome(stage="document", passed=True),
                              subject=f"CHN/{i}",
                              evidence=[NewEvidence(EvidenceKind.DOCUMENT_PHOTO, "image/jpeg",
                                                    blob)])
            step_ms.append((time.perf_counter() - t) * 1000)
            t = time.perf_counter()
            with ctx.uow() as tx:
                bound_evidence(ctx, tx, rec.registration, step="document",
                               kind=EvidenceKind.DOCUMENT_PHOTO, actor_id=agent.id)
            read_ms.append((time.perf_counter() - t) * 1000)
        engine.dispose()

    def p50(v: list[float]) -> float:
        return round(statistics.median(v), 2)

    def p95(v: list[float]) -> float:
        return round(sorted(v)[int(0.95 * (len(v) - 1))], 2)

    rows = [("start registration (consent, data key, audit)", start_ms),
            ("stage step + 1 MB evidence (encrypt, fsync, commit)", step_ms),
            ("read 1 MB evidence (decrypt, verify hash, audit)", read_ms)]
    print(f"foundation on SQLite, {n} registrations")
    print(f"{'operation':55s} {'p50 ms':>8s} {'p95 ms':>8s}")
    for name, v in rows:
        print(f"{name:55s} {p50(v):8.2f} {p95(v):8.2f}")
    print(json.dumps({"bench": "foundation", "n": n,
                      "start_ms_p50": p50(start_ms), "step_1mb_ms_p50": p50(step_ms),
                      "read_1mb_ms_p50": p50(read_ms)}))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
