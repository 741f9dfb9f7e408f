"""Every rule holds under concurrency, on SQLite and on PostgreSQL (issue 11, high).

Seen on SQLite before: single-use liveness and voice challenges accepted up to
6 times when submitted together; two identity documents accepted on one
registration; six concurrent registrations of one identity against a limit of
five; 5-33 % of requests failing with ``IntegrityError`` on ``audit_log.seq``.
Each test races real threads (and, for the per-identity limit and the audit
sequence, real processes with their own engines) on a real database.
"""

from __future__ import annotations

import base64
import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from abuse import accounts, advance_to, cn_id_number, race, reader_record, start

from simkyc.domain.errors import ChallengeError, IllegalTransitionError
from simkyc.domain.registration import RegistrationStatus as S
from simkyc.runtime.models import ModelRegistry
from simkyc.services import audit, challenges
from simkyc.services.registrations import view_registration
from simkyc.services.steps import ReaderRecord, ServiceToRegister, run_document, run_register

N = 6


def _errors(results: list[Any]) -> list[BaseException]:
    return [r for r in results if isinstance(r, BaseException)]


@pytest.mark.parametrize("kind,before", [("liveness", "live_face"), ("voice", "liveness")])
def test_a_challenge_is_used_once_under_concurrency(ctx: Any, people: dict, advance: Any,
                                                    kind: str, before: str) -> None:
    agent = people["agent"][0]
    rid = start(ctx, agent)
    advance_to(ctx, agent, rid, before, subject="CHN/race-challenge", advance=advance)
    challenges.issue(ctx, actor=agent, registration_id=rid, kind=kind, nonce="n" * 32,
                     payload={"x": 1}, ttl_seconds=60)
    results = race([lambda: challenges.consume(ctx, actor=agent, registration_id=rid,
                                                kind=kind, nonce="n" * 32)] * N)
    used = [r for r in results if isinstance(r, dict)]
    refused = _errors(results)
    assert len(used) == 1, results
    assert len(refused) == N - 1 and all(isinstance(e, ChallengeError) for e in refused), refused
    assert audit.verify_audit(ctx, actor=people["auditor"][0]).intact


def test_one_identity_document_per_registration_under_concurrency(
        ctx: Any, people: dict) -> None:
    agent = people["agent"][0]
    rid = start(ctx, agent)
    models = ModelRegistry()  # a reader record needs no model
    records = [ReaderRecord(reader_record(cn_id_number(101 + 2 * i))) for i in range(N)]
    results = race([
        (lambda rec=rec: run_document(ctx, models, actor=agent, registration_id=rid,
                                      submission=rec)) for rec in records])
    passed = [r for r in results if not isinstance(r, BaseException) and r.passed]
    refused = _errors(results)
    assert len(passed) == 1, results
    assert len(refused) == N - 1 and all(isinstance(e, IllegalTransitionError)
                                         for e in refused), refused
    view = view_registration(ctx, actor=agent, registration_id=rid)
    assert view.status is S.DOCUMENT_CHECKED
    assert [s.stage for s in view.stages] == ["document"]
    assert sum(1 for e in view.evidence if str(e.kind) == "document_photo") == 1


def test_one_signed_reader_record_is_used_once_under_concurrency(
        ctx: Any, people: dict) -> None:
    """The same signed record sent at once on N registrations: one is accepted, the others
    are refused as replays (``reader_replayed``) and stay ``started`` with nothing stored."""
    from simkyc.domain.errors import ReaderRecordRefusedError

    agent = people["agent"][0]
    rids = [start(ctx, agent, service_id=f"+86138001390{i:02d}") for i in range(N)]
    models = ModelRegistry()
    record = ReaderRecord(reader_record(cn_id_number(301)))
    results = race([
        (lambda rid=rid: run_document(ctx, models, actor=agent, registration_id=rid,
                                      submission=record)) for rid in rids])
    passed = [r for r in results if not isinstance(r, BaseException) and r.passed]
    refused = _errors(results)
    assert len(passed) == 1, results
    assert len(refused) == N - 1 and all(
        isinstance(e, ReaderRecordRefusedError) and e.reason == "reader_replayed"
        for e in refused), refused
    for rid in rids:
        view = view_registration(ctx, actor=agent, registration_id=rid)
        if rid == passed[0].registration_id:
            assert view.status is S.DOCUMENT_CHECKED
        else:
            assert view.status is S.STARTED and not view.evidence and not view.stages


def _six_ready(ctx: Any, agent: Any, advance: Any, subject: str) -> list[str]:
    rids = [start(ctx, agent, service_id=f"+86138001380{i:02d}") for i in range(N)]
    for rid in rids:
        advance_to(ctx, agent, rid, "attach", subject=subject, advance=advance)
    return rids


def _statuses(ctx: Any, agent: Any, rids: list[str]) -> list[Any]:
    return [view_registration(ctx, actor=agent, registration_id=r) for r in rids]


def test_numbers_per_identity_limit_under_concurrency(ctx: Any, people: dict,
                                                      advance: Any) -> None:
    agent = people["agent"][0]
    limit = ctx.policy.registration.max_numbers_per_identity
    assert limit == N - 1
    rids = _six_ready(ctx, agent, advance, "CHN/race-limit-threads")
    results = race([(lambda rid=rid: run_register(ctx, actor=agent, registration_id=rid,
                                                   submission=ServiceToRegister()))
                     for rid in rids])
    assert not _errors(results), results
    views = _statuses(ctx, agent, rids)
    assert sum(v.status is S.REGISTERED for v in views) == limit
    refused = [v for v in views if v.status is S.REJECTED]
    assert len(refused) == 1 and refused[0].reasons == ("too_many_numbers_for_identity",)


# -- real processes, each with its own engine and connection pool --------------------------

WORKER = r"""
import base64, json, sys
from simkyc.adapters.crypto import MasterKeyring
from simkyc.adapters.db.engine import make_engine, make_session_factory
from simkyc.adapters.db.uow import unit_of_work_factory
from simkyc.adapters.evidence_store import EvidenceStore
from simkyc.services.context import ServiceContext
from simkyc.services.registrations import start_registration
from simkyc.services.steps import ServiceToRegister, run_register

job = json.loads(sys.argv[1])
engine = make_engine(job["url"])
ctx = ServiceContext(uow=unit_of_work_factory(make_session_factory(engine)),
                     store=EvidenceStore(job["evidence"]),
                     keys=MasterKeyring(base64.b64decode(job["key"])),
                     dialect=engine.dialect.name)
with ctx.uow() as tx:
    agent = tx.accounts.get_agent(agent_id=job["agent"])
sys.stdin.readline()  # released together
out = []
for rid in job.get("register", []):
    out.append(run_register(ctx, actor=agent, registration_id=rid,
                            submission=ServiceToRegister()).status.value)
for _ in range(job.get("starts", 0)):
    out.append(start_registration(ctx, actor=agent, consent=True).id)
engine.dispose()
print(json.dumps(out))
"""


def _run_processes(jobs: list[dict[str, Any]]) -> list[list[str]]:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    procs = [subprocess.Popen([sys.executable, "-c", WORKER, json.dumps(job)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE, text=True, env=env) for job in jobs]
    # Each worker imports and connects first, then waits for its line.
    outs = []
    for p in procs:
        assert p.stdin is not None
        p.stdin.write("go\n")
        p.stdin.flush()
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        outs.append(json.loads(out.strip().splitlines()[-1]))
    return outs


@pytest.fixture
def proc_ctx(db_url: str, tmp_path: Path, make_context: Any) -> tuple[Any, dict[str, Any]]:
    key = secrets.token_bytes(32)
    c = make_context(db_url, tmp_path / "evidence", master_key=key)
    return c, {"url": db_url, "evidence": str(tmp_path / "evidence"),
               "key": base64.b64encode(key).decode()}


def test_numbers_per_identity_limit_across_processes(proc_ctx: Any, advance: Any) -> None:
    c, job = proc_ctx
    people = accounts(c)
    agent = people["agent"][0]
    rids = _six_ready(c, agent, advance, "CHN/race-limit-processes")
    outs = _run_processes([{**job, "agent": agent.id, "register": [rid]} for rid in rids])
    assert sorted(o[0] for o in outs) == ["registered"] * (N - 1) + ["rejected"]
    views = _statuses(c, agent, rids)
    assert sum(v.status is S.REGISTERED for v in views) == N - 1


def test_audit_sequence_under_concurrent_processes_and_threads(proc_ctx: Any) -> None:
    c, job = proc_ctx
    people = accounts(c)
    agent, auditor = people["agent"][0], people["auditor"][0]
    before = audit.verify_audit(c, actor=auditor).entries
    per = 8
    # 4 processes and 8 threads append at the same time (each start is one audit entry).
    import threading

    box: dict[str, Any] = {}
    t = threading.Thread(target=lambda: box.update(
        outs=_run_processes([{**job, "agent": agent.id, "starts": per}] * 4)))
    t.start()
    results = race([(lambda: [start(c, agent) for _ in range(per)])] * 8)
    t.join(180)
    assert not _errors(results), _errors(results)[:3]
    started = [rid for r in results for rid in r] + [rid for o in box["outs"] for rid in o]
    assert len(set(started)) == 12 * per
    result = audit.verify_audit(c, actor=auditor)
    assert result.intact, result
    assert result.entries == before + 1 + 12 * per  # (the first verification is audited)
