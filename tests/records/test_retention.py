"""Retention: raw video goes after its period while the service is active; photos and the
record go after the legal period once the service ended; unfinished registrations go after
``unfinished_days``. A purge leaves the evidence unreadable, a tombstone and an audit entry
(SQLite and PostgreSQL)."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import timedelta
from typing import Any

import pytest
from typer.testing import CliRunner

from simkyc.cli.main import app
from simkyc.domain.errors import EvidenceError, PermissionDenied
from simkyc.domain.registration import RegistrationStatus
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import read_evidence
from simkyc.services.records import end_service
from simkyc.services.registrations import start_registration
from simkyc.services.retention import purge
from simkyc.services.steps import ServiceToRegister, run_register


def at(ctx: ServiceContext, days: float) -> ServiceContext:
    start = ctx.clock()
    return replace(ctx, clock=lambda: start + timedelta(days=days))


def _evidence(ctx: ServiceContext, rid: str) -> dict[str, str]:
    with ctx.uow() as tx:
        return {e.kind.value: e.id for e in tx.evidence.list(registration_id=rid)}


def test_purge_schedule_of_a_registered_service(rctx: ServiceContext, people: dict,
                                                walk: Any) -> None:
    agent, compliance, admin = (people[n][0] for n in ("agent", "compliance", "admin"))
    rid = walk(rctx, agent)
    assert run_register(rctx, actor=agent, registration_id=rid,
                        submission=ServiceToRegister()).status is RegistrationStatus.REGISTERED
    ev = _evidence(rctx, rid)
    assert purge(at(rctx, 29), actor=admin).items == []

    later = at(rctx, 31)
    dry = purge(later, actor=admin, dry_run=True)
    assert [(i.kind, i.item_id) for i in dry.items] == [("liveness_video", ev["liveness_video"])]
    read_evidence(later, actor=compliance, evidence_id=ev["liveness_video"])  # dry: still there
    done = purge(later, actor=None)
    assert [i.kind for i in done.items] == ["liveness_video"] and not done.keys_destroyed
    with pytest.raises(EvidenceError):
        read_evidence(later, actor=compliance, evidence_id=ev["liveness_video"])
    read_evidence(later, actor=compliance, evidence_id=ev["upper_body"])  # kept: active
    with later.uow() as tx:
        (stone,) = tx.tombstones.for_registration(registration_id=rid)
        assert (stone.item_kind, stone.reason) == ("liveness_video", "retention")
        actions = [e.action for e in tx.audit.entries(registration_id=rid)]
    assert "retention.purge" in actions
    assert purge(at(rctx, 400), actor=None).items == []  # the service is still active

    end_service(at(rctx, 400), actor=agent, registration_id=rid, reason="cancelled")
    assert purge(at(rctx, 400 + 729), actor=None).items == []
    final = purge(at(rctx, 400 + 731), actor=None)
    assert {i.kind for i in final.items} == {"identity_fields", "document_photo", "upper_body",
                                             "record"}
    assert final.keys_destroyed == [rid]
    gone = at(rctx, 400 + 731)
    for kind in ("upper_body", "document_photo", "identity_fields"):
        with pytest.raises(EvidenceError):
            read_evidence(gone, actor=compliance, evidence_id=ev[kind])
    with gone.uow() as tx:
        assert all(r.jws is None for r in tx.records.for_registration(registration_id=rid))
        assert tx.keys.get(registration_id=rid)[1] is None
    assert purge(at(rctx, 2000), actor=None).items == []


def test_unfinished_registrations_expire_then_go(rctx: ServiceContext, people: dict,
                                                 walk: Any) -> None:
    agent, admin = people["agent"][0], people["admin"][0]
    rejected = walk(rctx, agent, upper_body=False)
    run_register(rctx, actor=agent, registration_id=rejected, submission=ServiceToRegister())
    left_open = start_registration(rctx, actor=agent, consent=True).id
    r = purge(at(rctx, 1), actor=admin)
    assert r.expired == [left_open] and r.items == []
    with rctx.uow() as tx:
        assert tx.registrations.get(registration_id=left_open).status is \
            RegistrationStatus.EXPIRED
    r = purge(at(rctx, 32), actor=admin)
    assert set(r.keys_destroyed) == {rejected}  # the expired one kept no evidence
    assert {i.kind for i in r.items} >= {"identity_fields", "liveness_video"}
    with pytest.raises(PermissionDenied):
        purge(rctx, actor=people["auditor"][0])


def test_purge_cli_json(rctx: ServiceContext, db_url: str, tmp_path: Any) -> None:
    r = CliRunner().invoke(app, ["purge", "--dry-run", "--json"], env={
        "SIMKYC_DATABASE_URL": db_url, "SIMKYC_DATA_DIR": str(tmp_path / "cli")})
    assert r.exit_code == 0, r.output
    assert json.loads(r.output) == {"dry_run": True, "purged": 0, "items": [],
                                    "keys_destroyed": [], "expired": []}
