"""The evidence check as a scheduled job: ``simkyc compliance check-evidence`` and the
worker's beat task decrypt every item and compare its hash, store each result, and the
report counts from the stored results (items without a recent one it reads itself)."""

from __future__ import annotations

import json
import os
import subprocess
from dataclasses import replace
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from simkyc.domain.errors import PermissionDenied
from simkyc.domain.parties import Role
from simkyc.services.accounts import create_account
from simkyc.services.compliance._common import make_period
from simkyc.services.compliance.stats import period_statistics, run_evidence_check
from simkyc.services.context import ServiceContext

from .seed import FULL, T0, clean_world, period

EXE = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "simkyc"


def _tamper(ctx: ServiceContext, registration_id: str, index: int = 0) -> str:
    with ctx.uow() as tx:
        ref = tx.evidence.list(registration_id=registration_id)[index]
    path = next(p for p in Path(ctx.store.root).rglob("*") if ref.id in p.name)  # type: ignore[attr-defined]
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    return ref.id


def test_the_job_stores_each_result_and_the_report_uses_them(ctx: ServiceContext) -> None:
    w = clean_world(ctx, per_agent=2, evidence=True)
    at = T0 + timedelta(days=1, hours=2)
    first = w.registration("north1", at, subject="t1", evidence=FULL)
    second = w.registration("south1", at, subject="t2", evidence=FULL)
    bad = _tamper(ctx, first)
    p = make_period(*period())
    run = run_evidence_check(ctx, actor=w.officer, period=p)
    assert run.items == run.checked == (6 * 2 + 2) * 5 and run.skipped_recent == 0
    assert [i.ref.id for i in run.unreadable] == [bad] and run.ok == run.items - 1
    out = run.as_dict()
    assert out["unreadable"] == 1 and out["unreadable_items"][0]["evidence_id"] == bad
    assert out["unreadable_items"][0]["registration_id"] == first
    # Again, leaving out what was checked within the hour: nothing is read.
    again = run_evidence_check(ctx, actor=w.officer, period=p,
                               skip_checked_within=timedelta(hours=1))
    assert again.checked == 0 and again.skipped_recent == run.items

    # An item spoiled after the check: the report counts from the stored results (one
    # unreadable, at North) while they are recent ...
    _tamper(ctx, second)
    stats = period_statistics(ctx, actor=w.officer, period=p)
    assert {o.name: o.unreadable for o in stats.outlets} == {"East": 0, "North": 1, "South": 0}
    assert sum(o.checked for o in stats.outlets) == run.items
    with ctx.uow() as tx:
        audit = [e.detail for e in tx.audit.entries(limit=1000)
                 if e.action == "compliance.evidence_check"]
    assert any(f"stored={run.items} " in d for d in audit), audit
    # ... and reads every item itself when they are too old (then stores its own).
    rules = replace(ctx.policy.compliance, evidence_check_max_age_hours=0.0)
    stale = period_statistics(ctx, actor=w.officer, period=p, rules=rules)
    assert {o.name: o.unreadable for o in stale.outlets} == {"East": 0, "North": 1, "South": 1}
    later = period_statistics(ctx, actor=w.officer, period=p)
    assert {o.name: o.unreadable for o in later.outlets} == {"East": 0, "North": 1, "South": 1}


def test_only_compliance_officers_run_it(ctx: ServiceContext) -> None:
    w = clean_world(ctx, per_agent=1, evidence=True)
    auditor = create_account(ctx, name="aud", role=Role.AUDITOR, outlet_name=None).agent
    with pytest.raises(PermissionDenied):
        run_evidence_check(ctx, actor=auditor, period=make_period(*period()))
    assert run_evidence_check(ctx, actor=w.officer, period=make_period(*period())).checked == 30


@pytest.fixture
def data_world(tmp_path: Path) -> tuple[Any, dict[str, str], str]:
    """A SQLite data dir with evidence (one item spoiled): (settings, env, its id)."""
    from simkyc.adapters.db.migrate import upgrade
    from simkyc.config import Settings
    from simkyc.runtime import build_runtime

    settings = Settings(data_dir=tmp_path / "data")
    upgrade(settings.resolved_database_url)
    rt = build_runtime(settings)
    w = clean_world(rt.context, per_agent=1, evidence=True)
    rid = w.registration("east1", T0 + timedelta(days=1), subject="x", evidence=FULL)
    bad = _tamper(rt.context, rid, 2)
    rt.close()
    env = {**os.environ, "SIMKYC_DATA_DIR": str(tmp_path / "data")}
    env.pop("SIMKYC_DATABASE_URL", None)
    return settings, env, bad


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([str(EXE), *args], env=env, capture_output=True, timeout=120)


def test_cli_check_evidence_output_and_exit_codes(data_world: Any) -> None:
    _, env, bad = data_world
    r = _run(["compliance", "check-evidence", "--from", "2026-11-01", "--to", "2026-11-09"],
             env)
    assert r.returncode == 1, r.stderr  # one item unreadable
    out = json.loads(r.stdout)
    assert set(out) == {"from", "to", "outlet_id", "items", "checked", "skipped_recent", "ok",
                        "unreadable", "destroyed", "unreadable_items", "started_at",
                        "finished_at"}
    assert (out["items"], out["checked"], out["ok"], out["unreadable"]) == (35, 35, 34, 1)
    assert out["unreadable_items"][0]["evidence_id"] == bad
    assert out["unreadable_items"][0]["kind"] in FULL
    # One outlet without the spoiled item, by name: all readable, exit 0.
    r = _run(["compliance", "check-evidence", "--from", "2026-11-01", "--to", "2026-11-09",
              "--outlet", "North"], env)
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout)["checked"] == 10
    # Default period (the last 400 days), leaving out what was just checked.
    r = _run(["compliance", "check-evidence", "--skip-checked-within", "1"], env)
    assert json.loads(r.stdout)["checked"] == 0 and r.returncode == 0
    for bad_args in (["--from", "2026-13-01"], ["--outlet", "Nowhere"],
                     ["--from", "2026-11-09", "--to", "2026-11-01"]):
        r = _run(["compliance", "check-evidence", *bad_args], env)
        assert r.returncode == 2 and r.stderr.decode().startswith("error: "), r.stderr
        assert len(r.stderr.decode().strip().splitlines()) == 1


def test_the_worker_task_and_its_beat_schedule(data_world: Any) -> None:
    import simkyc.adapters.celery_app as celery_app

    settings, _, bad = data_world
    settings = replace(settings, evidence_check_interval_s=3600.0) \
        if hasattr(settings, "__dataclass_fields__") else \
        settings.model_copy(update={"evidence_check_interval_s": 3600.0})
    app = celery_app.make_celery(settings)
    entry = app.conf.beat_schedule["simkyc-check-evidence"]
    assert entry["task"] == celery_app.EVIDENCE_TASK and entry["schedule"] == 3600.0
    celery_app._evidence_runtime = None
    try:
        # Run in this process (no broker): the task the worker runs on beat's schedule.
        result = app.tasks[celery_app.EVIDENCE_TASK].apply(
            kwargs={"days": 400.0}).get(timeout=60)
        assert result["unreadable_items"][0]["evidence_id"] == bad
        assert result["checked"] == 35 and result["unreadable"] == 1
        again = app.tasks[celery_app.EVIDENCE_TASK].apply(
            kwargs={"skip_checked_within_hours": 1.0}).get(timeout=60)
        assert again["checked"] == 0 and again["skipped_recent"] == 35
        rt = celery_app._evidence_runtime
        with rt.context.uow() as tx:
            entries = [e for e in tx.audit.entries(limit=1000)
                       if e.action == "compliance.evidence_check"]
        assert [e.actor_id for e in entries] == ["scheduler", "scheduler"]
    finally:
        if celery_app._evidence_runtime is not None:
            celery_app._evidence_runtime.close()
            celery_app._evidence_runtime = None
