"""The penalties ledger: append-only through every interface, corrections by reversal."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import text

from simkyc.adapters.db.engine import make_engine
from simkyc.adapters.db.repositories.compliance import SqlCompliance
from simkyc.domain.compliance import PenaltyKind
from simkyc.domain.errors import ConflictError, InputError, NotFoundError, PermissionDenied
from simkyc.services.compliance import ledger
from simkyc.services.context import ServiceContext

from .seed import T0, World, clean_world


def _fine(w: World, rid: str, amount: int = 500_000) -> Any:
    return ledger.add_penalty(w.ctx, actor=w.officer, kind=PenaltyKind.FINE, target_kind="agent",
                              target_id=w.agents["north1"].id, reason="upper-body photo skipped",
                              amount_minor=amount, currency="CNY", registration_ids=[rid])


def test_entries_totals_and_reversal(ctx: ServiceContext) -> None:
    w = clean_world(ctx, per_agent=2)
    rid = w.registration("north1", T0, subject="z")
    fine = _fine(w, rid)
    assert fine.outlet_id == w.outlets["North"] and fine.registration_ids == (rid,)
    ledger.add_penalty(ctx, actor=w.officer, kind=PenaltyKind.LICENCE_SUSPENSION,
                       target_kind="outlet", target_id=w.outlets["North"], reason="inspection",
                       suspended_from=date(2026, 12, 1), suspended_to=date(2026, 12, 31),
                       registration_ids=[rid])
    ledger.add_penalty(ctx, actor=w.officer, kind=PenaltyKind.DEPOSIT_DEDUCTION,
                       target_kind="outlet", target_id=w.outlets["North"], reason="inspection",
                       amount_minor=2_000_000, currency="CNY", registration_ids=[rid])
    totals = ledger.penalty_totals(ctx, actor=w.officer)
    assert totals[w.outlets["North"]] == {"fine:CNY": 500_000, "suspensions": 1,
                                          "deposit_deduction:CNY": 2_000_000}
    rev = ledger.reverse_penalty(ctx, actor=w.officer, entry_id=fine.id, reason="wrong agent")
    assert rev.kind is PenaltyKind.REVERSAL and rev.reverses == fine.id
    assert rev.amount_minor == fine.amount_minor
    totals = ledger.penalty_totals(ctx, actor=w.officer)
    assert totals[w.outlets["North"]] == {"suspensions": 1, "deposit_deduction:CNY": 2_000_000,
                                          "reversed": 1}
    # both entries stay in the ledger
    entries = ledger.list_penalties(ctx, actor=w.officer)
    assert [e.kind for e in entries][:1] == [PenaltyKind.REVERSAL]
    assert fine.id in {e.id for e in entries}
    with pytest.raises(ConflictError):
        ledger.reverse_penalty(ctx, actor=w.officer, entry_id=fine.id, reason="again")
    with pytest.raises(ConflictError):
        ledger.reverse_penalty(ctx, actor=w.officer, entry_id=rev.id, reason="undo")


def test_entries_are_checked(ctx: ServiceContext) -> None:
    w = clean_world(ctx, per_agent=1)
    rid = w.registration("north1", T0, subject="z")
    with pytest.raises(InputError):  # a fine needs an amount
        ledger.add_penalty(ctx, actor=w.officer, kind=PenaltyKind.FINE, target_kind="agent",
                           target_id=w.agents["north1"].id, reason="x", registration_ids=[rid])
    with pytest.raises(InputError):  # linked to nothing
        ledger.add_penalty(ctx, actor=w.officer, kind=PenaltyKind.WARNING, target_kind="agent",
                           target_id=w.agents["north1"].id, reason="x")
    with pytest.raises(NotFoundError):
        ledger.add_penalty(ctx, actor=w.officer, kind=PenaltyKind.WARNING, target_kind="agent",
                           target_id=w.agents["north1"].id, reason="x",
                           registration_ids=["f" * 32])
    with pytest.raises(PermissionDenied):
        ledger.add_penalty(ctx, actor=w.agents["north1"], kind=PenaltyKind.WARNING,
                           target_kind="agent", target_id=w.agents["north1"].id, reason="x",
                           registration_ids=[rid])


def test_database_refuses_update_and_delete(ctx: ServiceContext, db_url: str) -> None:
    w = clean_world(ctx, per_agent=1)
    fine = _fine(w, w.registration("north1", T0, subject="z"))
    engine = make_engine(db_url)
    try:
        for sql in ("UPDATE penalty_ledger SET amount_minor = 1",
                    "UPDATE penalty_ledger SET reverses = NULL WHERE id = :id",
                    "DELETE FROM penalty_ledger WHERE id = :id",
                    "DELETE FROM penalty_ledger"):
            with pytest.raises(Exception, match="append-only"):
                with engine.begin() as c:
                    c.execute(text(sql), {"id": fine.id})
        with engine.connect() as c:
            assert c.execute(text("SELECT amount_minor FROM penalty_ledger")).scalar() == 500_000
    finally:
        engine.dispose()


def test_no_update_or_delete_path_in_code() -> None:
    names = {n for n in dir(SqlCompliance) if "penalt" in n or "ledger" in n}
    assert names == {"append_penalty", "get_penalty", "penalties", "_penalty"}
    assert not [n for n in dir(ledger) if n.startswith(("update", "delete", "edit", "remove"))]


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_api_offers_no_edit(api: Any, method: str) -> None:
    w = World(ctx=api.ctx, officer=api.actor("compliance"), agents={"a": api.actor("agent")})
    rid = w.registration("a", T0, subject="z")
    r = api.post("/api/v1/compliance/ledger", headers=api.hdr("compliance"), json={
        "kind": "warning", "target_kind": "agent", "target_id": api.actor("agent").id,
        "reason": "late", "registration_ids": [rid]})
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    for path in (f"/api/v1/compliance/ledger/{eid}", "/api/v1/compliance/ledger"):
        r = api.request(method, path, headers=api.hdr("compliance"), json={"reason": "x"})
        assert r.status_code in (404, 405), (path, r.status_code)
    r = api.post(f"/api/v1/compliance/ledger/{eid}/reverse", headers=api.hdr("compliance"),
                 json={"reason": "mistake"})
    assert r.status_code == 201 and r.json()["reverses"] == eid
    r = api.post(f"/api/v1/compliance/ledger/{eid}/reverse", headers=api.hdr("compliance"),
                 json={"reason": "mistake"})
    assert r.status_code == 409
    entries = api.get("/api/v1/compliance/ledger", headers=api.hdr("auditor")).json()
    assert len(entries) == 2
