"""Compliance benchmark: the period report over generated rows, on PostgreSQL.

Run: ``simkyc bench compliance`` (or ``python bench/bench_compliance.py [--quick]``).

Generates, in a schema of its own on the PostgreSQL of ``SIMKYC_BENCH_PG``
(default ``postgresql+psycopg://postgres@127.0.0.1:5432/test``), 100,000
registrations over 200 outlets (two agents each) across 30 days, with their
stage results (~4 each), evidence rows (5 per completed registration, ~1 %
without the upper-body photo), a liveness challenge per registration past the
document (~2 % the no-flash one), data keys and document-rejection records,
written with COPY; seeded anomalies (identities at several outlets, bursts,
night registrations, agents overriding often, agents skipping the screen flash,
documents passed elsewhere after a rejection). Then times, three times each:
the whole report (statistics per outlet and agent, every pattern, spot-check
and ledger summaries) and its PDF; the report narrowed to one outlet. Evidence
rows have no files here, so the per-item decryption check is off for those
timings (``ComplianceRules(verify_evidence=False)``); its speed is measured on
real encrypted items (200 of 200 KB) and reported per item.

``--quick``: 10,000 registrations over 20 outlets. Prints a table and a final
JSON line; the schema is dropped afterwards.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import secrets
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

PG = os.environ.get("SIMKYC_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
START = datetime(2026, 10, 1, tzinfo=UTC)
DAYS = 30
KINDS = ("document_photo", "live_face", "liveness_video", "voice_audio", "upper_body")


def _hex(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _copy(conn: object, table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    """COPY ``rows`` into ``table`` (psycopg 3, text format)."""
    raw = conn.connection.driver_connection  # type: ignore[attr-defined]
    with raw.cursor() as cur:
        with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)


def generate(engine: object, n_regs: int, n_outlets: int, seed: int = 2026) -> dict[str, int]:
    """Write the generated rows; returns counts."""
    rng = random.Random(seed)
    now = datetime(2026, 11, 1, tzinfo=UTC)
    operator = _hex(rng)
    outlets = [_hex(rng) for _ in range(n_outlets)]
    agents = [(_hex(rng), o) for o in outlets for _ in range(2)]
    heavy = {a for a, _ in rng.sample(agents, 5)}  # override far more often
    # The liveness challenges draw from a generator of their own, so the other rows are
    # the same as before they were added.
    crng = random.Random(seed + 1)
    no_flash_heavy = {a for a, _ in crng.sample(agents, 3)}  # skip the flash often
    regs, stages, evidence, keys, failures = [], [], [], [], []
    challenges: list[tuple[object, ...]] = []
    per_agent = max(1, n_regs // len(agents))
    counter = 0

    def reg(agent: str, outlet: str, at: datetime, *, subject: str, status: str,
            override: bool, voice_failures: int, doc_failed: bool,
            no_upper_body: bool) -> None:
        nonlocal counter
        counter += 1
        rid = _hex(rng)
        seconds = rng.uniform(180, 900)
        regs.append((rid, operator, outlet, agent, status, "bench", at, at + timedelta(
            seconds=seconds), at, "cmn", "bench", "mobile", None if doc_failed else subject,
            override, "[]", 1))
        t = at
        stages.append((rid, "document", not doc_failed,
                       '["document_expired"]' if doc_failed else "[]", "{}", t))
        if doc_failed:
            failures.append((subject, rid, "document", "failure", t))
            return
        flash = crng.random() >= (0.4 if agent in no_flash_heavy else 0.02)
        challenges.append((_hex(crng), rid, "liveness", json.dumps(
            {"actions": ["blink", "turn_left", *([] if flash else ["nod"])],
             "screen_colours": ["red", "green", "blue"] if flash else [], "colour_ms": 400,
             "flash": flash, "extra_actions": 0 if flash else 1}),
            t + timedelta(seconds=40), t + timedelta(seconds=160), t + timedelta(seconds=60)))
        stages.append((rid, "liveness", True, "[]", "{}", t + timedelta(seconds=60)))
        for i in range(voice_failures):
            stages.append((rid, "voice", False, '["digits_mismatch"]', "{}",
                           t + timedelta(seconds=90 + i)))
        if not override:
            stages.append((rid, "voice", True, "[]", "{}", t + timedelta(seconds=120)))
        if status == "registered":
            stages.append((rid, "register", True, "[]", "{}", t + timedelta(seconds=seconds)))
            key_id = _hex(rng)
            keys.append((key_id, rid, b"\x00" * 60, t))
            for kind in KINDS:
                if (kind == "upper_body" and no_upper_body) or (kind == "voice_audio"
                                                                 and override):
                    continue
                evidence.append((_hex(rng), rid, kind, "image/jpeg", 200_000,
                                 "0" * 64, key_id, t))

    for agent, outlet in agents:
        for _ in range(per_agent):
            day = rng.randrange(DAYS)
            local_minute = rng.randrange(9 * 60, 21 * 60) if rng.random() > 0.002 \
                else rng.randrange(0, 6 * 60)  # a few at night
            at = START + timedelta(days=day, minutes=local_minute - 8 * 60,
                                   seconds=rng.randrange(60))
            u = rng.random()
            status = "registered" if u < 0.9 else ("rejected" if u < 0.97 else "expired")
            override = rng.random() < (0.15 if agent in heavy else 0.03)
            doc_failed = status == "rejected" and rng.random() < 0.5
            reg(agent, outlet, at, subject=hashlib.sha256(rng.randbytes(8)).hexdigest(),
                status=status, override=override and not doc_failed,
                voice_failures=rng.choice((1, 2, 3)) if override else 0,
                doc_failed=doc_failed, no_upper_body=rng.random() < 0.01)
    # seeded anomalies: identities at several outlets, bursts, rejected-then-passed
    for _ in range(50):
        subject = hashlib.sha256(rng.randbytes(8)).hexdigest()
        at = START + timedelta(days=rng.randrange(DAYS), hours=3)
        for j, (agent, outlet) in enumerate(rng.sample(agents, 3)):
            reg(agent, outlet, at + timedelta(hours=2 * j), subject=subject,
                status="registered", override=False, voice_failures=0, doc_failed=False,
                no_upper_body=False)
    for agent, outlet in rng.sample(agents, 5):
        at = START + timedelta(days=rng.randrange(DAYS), hours=4)
        for j in range(12):
            reg(agent, outlet, at + timedelta(minutes=2 * j),
                subject=hashlib.sha256(rng.randbytes(8)).hexdigest(), status="registered",
                override=False, voice_failures=0, doc_failed=False, no_upper_body=False)
    for _ in range(30):
        subject = hashlib.sha256(rng.randbytes(8)).hexdigest()
        (a1, o1), (a2, o2) = rng.sample(agents, 2)
        at = START + timedelta(days=rng.randrange(DAYS), hours=2)
        reg(a1, o1, at, subject=subject, status="rejected", override=False, voice_failures=0,
            doc_failed=True, no_upper_body=False)
        reg(a2, o2, at + timedelta(hours=1), subject=subject, status="registered",
            override=False, voice_failures=0, doc_failed=False, no_upper_body=False)

    with engine.begin() as conn:  # type: ignore[attr-defined]
        _copy(conn, "operators", ("id", "name"), [(operator, "bench operator")])
        _copy(conn, "outlets", ("id", "operator_id", "name"),
              [(o, operator, f"Outlet {i:03d}") for i, o in enumerate(outlets)])
        _copy(conn, "agents", ("id", "name", "role", "outlet_id", "active", "created_at"),
              [(a, f"agent {i:03d}", "agent", o, True, now) for i, (a, o) in enumerate(agents)])
        _copy(conn, "outlet_hours", ("outlet_id", "weekday", "opens_minute", "closes_minute"),
              [(o, d, 9 * 60, 21 * 60) for o in outlets for d in range(7)])
        _copy(conn, "registrations",
              ("id", "operator_id", "outlet_id", "agent_id", "status", "policy_version",
               "created_at", "updated_at", "consent_at", "language", "flow_version",
               "service_kind", "subject_id_hash", "assisted_override", "reasons",
               "row_version"), regs)
        _copy(conn, "stage_results", ("registration_id", "stage", "passed", "reasons",
                                      "details", "created_at"), stages)
        _copy(conn, "challenges", ("nonce", "registration_id", "kind", "payload", "issued_at",
                                   "expires_at", "used_at"), challenges)
        _copy(conn, "data_keys", ("key_id", "registration_id", "wrapped_key", "created_at"),
              keys)
        _copy(conn, "evidence", ("id", "registration_id", "kind", "content_type", "size",
                                 "sha256", "key_id", "created_at"), evidence)
        _copy(conn, "verification_failures", ("subject_id_hash", "registration_id", "stage",
                                              "kind", "at"), failures)
    with engine.connect() as conn:  # type: ignore[attr-defined]
        conn.execution_options(isolation_level="AUTOCOMMIT").exec_driver_sql("ANALYZE")
    return {"registrations": len(regs), "stage_results": len(stages),
            "evidence": len(evidence), "challenges": len(challenges),
            "outlets": len(outlets), "agents": len(agents)}


def _times(fn: object, runs: int = 3) -> list[float]:
    out = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t)
    return out


def evidence_check_speed(n: int = 200) -> float:
    """Seconds per evidence item (200 KB) for the report's decrypt-and-hash check."""
    from simkyc.adapters.crypto import MasterKeyring
    from simkyc.adapters.evidence_store import EvidenceStore
    from simkyc.domain.evidence import EvidenceKind, EvidenceRef
    from simkyc.services.compliance.ports import EvidenceToCheck
    from simkyc.services.compliance.stats import check_evidence
    from simkyc.services.context import ServiceContext

    with tempfile.TemporaryDirectory() as tmp:
        keys = MasterKeyring(secrets.token_bytes(32))
        store = EvidenceStore(Path(tmp))
        ctx = ServiceContext(uow=None, store=store, keys=keys)  # type: ignore[arg-type]
        items = []
        blob = secrets.token_bytes(200_000)
        for i in range(n):
            rid = f"{i:032x}"
            key = keys.new_data_key()
            wrapped = keys.wrap(key, rid)
            digest = store.write(registration_id=rid, evidence_id=rid, data_key=key,
                                 plaintext=blob)
            items.append(EvidenceToCheck(EvidenceRef(rid, rid, EvidenceKind.LIVE_FACE,
                                                     "image/jpeg", len(blob), digest, rid,
                                                     START), "o", "a", wrapped))
        t = time.perf_counter()
        counts = check_evidence(ctx, items)
        elapsed = time.perf_counter() - t
        assert sum(counts.unreadable.values()) == 0
        return elapsed / n


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    quick = "--quick" in argv
    from sqlalchemy import text

    from simkyc.adapters.crypto import MasterKeyring
    from simkyc.adapters.db.engine import make_engine, make_session_factory
    from simkyc.adapters.db.migrate import upgrade
    from simkyc.adapters.db.uow import unit_of_work_factory
    from simkyc.adapters.evidence_store import EvidenceStore
    from simkyc.adapters.reports import render_pdf
    from simkyc.domain.compliance import ComplianceRules
    from simkyc.domain.parties import Agent, Role
    from simkyc.services.compliance._common import make_period, repo
    from simkyc.services.compliance.reports import build_report
    from simkyc.services.compliance.stats import period_statistics
    from simkyc.services.context import ServiceContext

    n_regs, n_outlets = (10_000, 20) if quick else (100_000, 200)
    schema = "bench_" + secrets.token_hex(5)
    admin = make_engine(PG)
    with admin.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    url = f"{PG}?options=-csearch_path%3D{schema}"
    try:
        upgrade(url)
        engine = make_engine(url)
        t = time.perf_counter()
        counts = generate(engine, n_regs, n_outlets)
        gen_s = time.perf_counter() - t
        with tempfile.TemporaryDirectory() as tmp:
            ctx = ServiceContext(uow=unit_of_work_factory(make_session_factory(engine)),
                                 store=EvidenceStore(Path(tmp)),
                                 keys=MasterKeyring(secrets.token_bytes(32)),
                                 dialect="postgresql")
            officer = Agent(id="bench", name="bench", role=Role.COMPLIANCE, outlet_id=None)
            rules = ComplianceRules(verify_evidence=False)
            period = make_period(START, START + timedelta(days=DAYS))
            reports = []
            full = _times(lambda: reports.append(build_report(ctx, actor=officer,
                                                              period=period, rules=rules)))
            report = reports[-1]
            # the statistics alone (per outlet and per agent), the part shared in one pass
            stats = _times(lambda: period_statistics(ctx, actor=officer, period=period,
                                                     rules=rules))
            pdf = _times(lambda: render_pdf(report))
            with ctx.uow() as tx:
                one_outlet = sorted(repo(tx).names()[0])[0]
            narrowed = _times(lambda: build_report(
                ctx, actor=officer, period=make_period(START, START + timedelta(days=DAYS),
                                                       one_outlet), rules=rules))
        engine.dispose()
        per_item = evidence_check_speed()
    finally:
        with admin.begin() as c:
            c.execute(text(f"DROP SCHEMA {schema} CASCADE"))
        admin.dispose()
    by_pattern: dict[str, int] = {}
    for f in report.findings:
        by_pattern[f.pattern.value] = by_pattern.get(f.pattern.value, 0) + 1
    result = {
        "rows": counts, "generate_s": round(gen_s, 1),
        "report_s": [round(x, 2) for x in full],
        "report_median_s": round(statistics.median(full), 2),
        "statistics_s": [round(x, 2) for x in stats],
        "one_outlet_report_s": [round(x, 2) for x in narrowed],
        "pdf_render_s": [round(x, 2) for x in pdf],
        "findings": by_pattern,
        "started_in_report": sum(p.started for p in report.statistics.outlets),
        "evidence_check_ms_per_item_200kB": round(per_item * 1000, 2),
    }
    print(f"rows: {counts} (generated and copied in {gen_s:.1f} s)")
    print(f"full report (statistics, patterns, spot checks, ledger), 3 runs: "
          f"{', '.join(f'{x:.2f}' for x in full)} s")
    print(f"statistics per outlet and agent alone, 3 runs: "
          f"{', '.join(f'{x:.2f}' for x in stats)} s")
    print(f"one-outlet report, 3 runs: {', '.join(f'{x:.2f}' for x in narrowed)} s")
    print(f"PDF rendering of the full report: {', '.join(f'{x:.2f}' for x in pdf)} s")
    print(f"findings: {by_pattern}")
    print(f"evidence decrypt+hash check: {per_item * 1000:.2f} ms per 200 kB item "
          f"(not in the timings above: the generated rows have no files)")
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
