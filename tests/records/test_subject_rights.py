"""Subject rights: a compliance officer exports a customer's records and evidence as a ZIP
and erases what the law allows (crypto-shredding), both audited; nobody else may. An
auditor can change nothing of this issue's (services and API)."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any

import pytest

from simkyc.domain.errors import EvidenceError, PermissionDenied
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import read_evidence
from simkyc.services.outbox import retry_delivery
from simkyc.services.records import end_service
from simkyc.services.retention import purge
from simkyc.services.steps import ServiceToRegister, run_register
from simkyc.services.subject_rights import erase_subject, export_subject

NUMBER = "11010519491231002X"


def _two_registrations(ctx: ServiceContext, people: dict, walk: Any) -> tuple[str, str]:
    agent = people["agent"][0]
    registered = walk(ctx, agent)
    run_register(ctx, actor=agent, registration_id=registered, submission=ServiceToRegister())
    rejected = walk(ctx, agent, upper_body=False, service_id="+8613800138555")
    run_register(ctx, actor=agent, registration_id=rejected, submission=ServiceToRegister())
    return registered, rejected


def test_export_is_a_zip_of_the_customers_data(rctx: ServiceContext, people: dict,
                                               walk: Any) -> None:
    registered, rejected = _two_registrations(rctx, people, walk)
    walk(rctx, people["agent"][0], identity={"id_number": "440524188001010014"})  # someone else
    data = export_subject(rctx, actor=people["compliance"][0], number=NUMBER)
    zf = zipfile.ZipFile(io.BytesIO(data))
    manifest = json.loads(zf.read("manifest.json"))
    regs = {r["registration_id"]: r for r in manifest["registrations"]}
    assert set(regs) == {registered, rejected}
    assert regs[registered]["status"] == "registered" and regs[rejected]["status"] == "rejected"
    for r in regs.values():
        for e in r["evidence"]:
            assert e["state"] == "included"
            body = zf.read(f"evidence/{r['registration_id']}/{e['id']}")
            assert hashlib.sha256(body).hexdigest() == e["sha256"]
    assert len([n for n in zf.namelist() if n.startswith("records/")]) == 2
    assert "score" not in json.dumps(manifest) and "distance" not in json.dumps(manifest)
    with rctx.uow() as tx:
        actions = [e.action for e in tx.audit.entries(registration_id=registered)]
    assert "subject.export" in actions
    for who in ("agent", "auditor", "admin"):
        with pytest.raises(PermissionDenied):
            export_subject(rctx, actor=people[who][0], number=NUMBER)


def test_erasure_shreds_what_the_law_allows(rctx: ServiceContext, people: dict,
                                           walk: Any) -> None:
    registered, rejected = _two_registrations(rctx, people, walk)
    with rctx.uow() as tx:
        rejected_items = [e.id for e in tx.evidence.list(registration_id=rejected)]
    officer = people["compliance"][0]
    report = erase_subject(rctx, actor=officer, number=NUMBER, reason="request 2026-0042")
    assert report.erased == [rejected]
    assert "active" in report.held[registered]
    for ev in rejected_items:
        with pytest.raises(EvidenceError):
            read_evidence(rctx, actor=officer, evidence_id=ev)
    with rctx.uow() as tx:
        assert tx.keys.get(registration_id=rejected)[1] is None
        assert {t.reason for t in tx.tombstones.for_registration(registration_id=rejected)} \
            == {"erasure"}
        assert "subject.erase" in [e.action for e in tx.audit.entries(registration_id=rejected)]
        assert tx.keys.get(registration_id=registered)[1] is not None  # held: kept
    end_service(rctx, actor=people["agent"][0], registration_id=registered, reason="cancelled")
    again = erase_subject(rctx, actor=officer, number=NUMBER, reason="request 2026-0042")
    assert "legal retention" in again.held[registered]
    with pytest.raises(PermissionDenied):
        erase_subject(rctx, actor=people["admin"][0], number=NUMBER, reason="x")


def test_auditor_cannot_change_anything(rctx: ServiceContext, people: dict,
                                        walk: Any) -> None:
    registered, _ = _two_registrations(rctx, people, walk)
    auditor = people["auditor"][0]
    for attempt in (
        lambda: end_service(rctx, actor=auditor, registration_id=registered, reason="cancelled"),
        lambda: retry_delivery(rctx, actor=auditor, delivery_id="0" * 32),
        lambda: purge(rctx, actor=auditor),
        lambda: erase_subject(rctx, actor=auditor, number=NUMBER, reason="x"),
        lambda: run_register(rctx, actor=auditor, registration_id=registered),
    ):
        with pytest.raises(PermissionDenied):
            attempt()


def test_api_roles(api: Any) -> None:
    hex_id = "0" * 32
    calls = [
        ("post", f"/api/v1/registrations/{hex_id}/service/end", {"reason": "cancelled"}),
        ("post", f"/api/v1/outbox/{hex_id}/retry", None),
        ("post", "/api/v1/retention/purge", None),
        ("post", "/api/v1/subjects/erase", {"number": NUMBER, "reason": "x"}),
        ("post", "/api/v1/subjects/export", {"number": NUMBER}),
        ("get", "/api/v1/outbox", None),
    ]
    for method, url, body in calls:
        r = getattr(api, method)(url, headers=api.hdr("auditor"),
                                 **({"json": body} if body is not None else {}))
        assert r.status_code == 403, (url, r.status_code, r.text)
    assert api.get("/api/v1/outbox", headers=api.hdr("admin")).status_code == 200
    r = api.post("/api/v1/retention/purge?dry_run=true", headers=api.hdr("admin"))
    assert r.status_code == 200 and r.json()["dry_run"] is True
    r = api.post("/api/v1/subjects/export", json={"number": NUMBER},
                 headers=api.hdr("compliance"))
    assert r.status_code == 404  # nobody with this number yet
