"""The application layer over a real database, on SQLite and on PostgreSQL (``db_url``)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from simkyc.domain.errors import (
    ChallengeError,
    ConflictError,
    EvidenceKeyDestroyedError,
    IllegalTransitionError,
    InputError,
    NotFoundError,
    PermissionDenied,
)
from simkyc.domain.evidence import EvidenceKind as K
from simkyc.domain.parties import Role
from simkyc.domain.registration import RegistrationStatus as S
from simkyc.services import accounts, audit, challenges, evidence
from simkyc.services.context import ServiceContext
from simkyc.services.registrations import start_registration, view_registration


def _start(ctx: ServiceContext, people: dict, **kw: Any) -> str:
    kw.setdefault("language", "yue")
    return start_registration(ctx, actor=people["agent"][0], consent=True,
                              service_kind="mobile", **kw).id


def test_registration_round_trip(ctx: ServiceContext, people: dict) -> None:
    agent = people["agent"][0]
    reg = start_registration(ctx, actor=agent, consent=True, service_kind="mobile",
                             service_id="+8613800138000", language="yue")
    view = view_registration(ctx, actor=agent, registration_id=reg.id)
    assert view.status is S.STARTED and view.consent_at is not None
    assert view.created_at == reg.created_at and view.language == "yue"
    assert view.flow_version == ctx.flow.version and view.policy_version == ctx.policy.version
    assert view.expires_at is not None and view.expires_at > view.created_at


@pytest.mark.parametrize("consent", [False, "yes", 1, None])
def test_consent_must_be_true(ctx: ServiceContext, people: dict, consent: Any) -> None:
    with pytest.raises(InputError, match="consent"):
        start_registration(ctx, actor=people["agent"][0], consent=consent)


def test_language_is_validated_at_the_start(ctx: ServiceContext, people: dict) -> None:
    with pytest.raises(InputError):
        start_registration(ctx, actor=people["agent"][0], consent=True, language="klingon")


def test_step_moves_status_binds_and_hides_scores(ctx: ServiceContext, people: dict,
                                                  advance: Any) -> None:
    agent = people["agent"][0]
    rid = _start(ctx, people)
    rec = advance(ctx, agent, rid, "document", evidence=((K.DOCUMENT_PHOTO, "image/png",
                                                          b"png bytes"),),
                  subject="CHN/11010519491231002x")
    assert rec.registration.status is S.DOCUMENT_CHECKED
    assert rec.registration.subject_id_hash == ctx.keys.subject_hash("CHN/11010519491231002X")
    with ctx.uow() as tx:
        stored = tx.stages.list(registration_id=rid)[0]
        bound = evidence.bound_evidence(ctx, tx, rec.registration, step="document",
                                        kind=K.DOCUMENT_PHOTO, actor_id=agent.id)
    assert stored.details["evidence"] == {"document_photo": rec.evidence[0].id}
    assert bound is not None and bound[1] == b"png bytes"
    view = view_registration(ctx, actor=agent, registration_id=rid)
    assert [(s.stage, s.passed) for s in view.stages] == [("document", True)]


def test_illegal_step_changes_nothing(ctx: ServiceContext, people: dict, advance: Any) -> None:
    agent = people["agent"][0]
    rid = _start(ctx, people)
    with pytest.raises(IllegalTransitionError):
        advance(ctx, agent, rid, "face_match", evidence=((K.LIVE_FACE, "image/jpeg", b"j"),))
    view = view_registration(ctx, actor=agent, registration_id=rid)
    assert view.status is S.STARTED and view.evidence == () and view.stages == ()
    assert not any(ctx.store.iter_items())  # type: ignore[attr-defined]


def test_failed_document_rejects(ctx: ServiceContext, people: dict, advance: Any) -> None:
    agent = people["agent"][0]
    rid = _start(ctx, people)
    rec = advance(ctx, agent, rid, "document", passed=False, reasons=("document_expired",))
    assert rec.registration.status is S.REJECTED
    assert rec.registration.reasons == ("document_expired",)
    with pytest.raises(IllegalTransitionError):
        advance(ctx, agent, rid, "live_face")


def test_other_outlet_cannot_see(ctx: ServiceContext, people: dict) -> None:
    rid = _start(ctx, people)
    with pytest.raises(NotFoundError):
        view_registration(ctx, actor=people["other_agent"][0], registration_id=rid)
    assert view_registration(ctx, actor=people["compliance"][0], registration_id=rid).id == rid


def test_roles_enforced_in_the_services(ctx: ServiceContext, people: dict,
                                        advance: Any) -> None:
    rid = _start(ctx, people)
    with pytest.raises(PermissionDenied):
        start_registration(ctx, actor=people["auditor"][0], consent=True)
    with pytest.raises(PermissionDenied):
        evidence.destroy_evidence_key(ctx, actor=people["agent"][0], registration_id=rid,
                                      reason="x")
    with pytest.raises(PermissionDenied):
        accounts.create_account(ctx, name="x", role=Role.ADMIN, outlet_name=None,
                                actor=people["agent"][0])
    with pytest.raises(PermissionDenied):  # a step, called without any HTTP layer
        advance(ctx, people["compliance"][0], rid, "document")
    with pytest.raises(PermissionDenied):
        evidence.read_evidence(ctx, actor=people["agent"][0], evidence_id="0" * 32)
    with pytest.raises(PermissionDenied):
        audit.verify_audit(ctx, actor=people["agent"][0])


def test_destroying_key_makes_evidence_unreadable(ctx: ServiceContext, people: dict,
                                                  advance: Any) -> None:
    agent = people["agent"][0]
    rid, other = _start(ctx, people), _start(ctx, people)
    for r in (rid, other):
        advance(ctx, agent, r, "document", subject=f"CHN/{r}")
    ref = advance(ctx, agent, rid, "attach",
                  evidence=((K.UPPER_BODY, "image/png", b"secret face"),)).evidence[0]
    other_ref = advance(ctx, agent, other, "attach",
                        evidence=((K.UPPER_BODY, "image/png", b"other face"),)).evidence[0]
    reviewer = people["compliance"][0]
    assert evidence.read_evidence(ctx, actor=reviewer, evidence_id=ref.id)[1] == b"secret face"
    evidence.destroy_evidence_key(ctx, actor=people["admin"][0], registration_id=rid,
                                  reason="erasure")
    with pytest.raises(EvidenceKeyDestroyedError):
        evidence.read_evidence(ctx, actor=reviewer, evidence_id=ref.id)
    assert evidence.read_evidence(ctx, actor=reviewer,
                                  evidence_id=other_ref.id)[1] == b"other face"


def test_challenge_is_single_use_and_expires(ctx: ServiceContext, people: dict,
                                             advance: Any) -> None:
    agent = people["agent"][0]
    rid = _start(ctx, people)
    advance(ctx, agent, rid, "document", subject="CHN/x")
    advance(ctx, agent, rid, "live_face")
    reg = view_registration(ctx, actor=agent, registration_id=rid)
    challenges.issue(ctx, actor=agent, registration_id=rid, kind="liveness",
                     nonce="n1", payload={"actions": ["blink"]}, ttl_seconds=60)
    payload = challenges.consume(ctx, actor=agent, registration_id=rid, kind="liveness",
                                 nonce="n1")
    assert payload["actions"] == ["blink"] and "issued_at" in payload and reg.id == rid
    with pytest.raises(ChallengeError, match="already used"):
        challenges.consume(ctx, actor=agent, registration_id=rid, kind="liveness", nonce="n1")
    challenges.issue(ctx, actor=agent, registration_id=rid, kind="liveness",
                     nonce="n2", payload={}, ttl_seconds=-1)
    with pytest.raises(ChallengeError, match="expired"):
        challenges.consume(ctx, actor=agent, registration_id=rid, kind="liveness", nonce="n2")
    with pytest.raises(ChallengeError, match="unknown"):
        challenges.consume(ctx, actor=agent, registration_id=rid, kind="liveness", nonce="zz")
    with pytest.raises(IllegalTransitionError):  # not the voice step's status
        challenges.issue(ctx, actor=agent, registration_id=rid, kind="voice", nonce="n3",
                         payload={}, ttl_seconds=60)


def test_challenges_are_capped(ctx: ServiceContext, people: dict, advance: Any) -> None:
    agent = people["agent"][0]
    rid = _start(ctx, people)
    advance(ctx, agent, rid, "document", subject="CHN/x")
    advance(ctx, agent, rid, "live_face")
    for i in range(ctx.policy.registration.max_challenges):
        challenges.issue(ctx, actor=agent, registration_id=rid, kind="liveness",
                         nonce=f"c{i}", payload={}, ttl_seconds=60)
    with pytest.raises(ConflictError, match="used up"):
        challenges.issue(ctx, actor=agent, registration_id=rid, kind="liveness",
                         nonce="one-more", payload={}, ttl_seconds=60)


def test_audit_chain_detects_edits_and_a_cut_tail(ctx: ServiceContext, people: dict) -> None:
    rid = _start(ctx, people)
    view_registration(ctx, actor=people["compliance"][0], registration_id=rid)
    auditor = people["auditor"][0]
    result = audit.verify_audit(ctx, actor=auditor)
    assert result.intact and result.entries >= 8
    with ctx.uow() as tx:  # an insider edits a row directly
        tx.session.execute(text("UPDATE audit_log SET detail = 'nothing happened' "  # type: ignore[attr-defined]
                                "WHERE seq = 7"))
    result = audit.verify_audit(ctx, actor=auditor)
    assert not result.intact and result.first_bad_seq == 7


def test_audit_notices_removed_newest_entries(ctx: ServiceContext, people: dict) -> None:
    _start(ctx, people)
    auditor = people["auditor"][0]
    n = audit.verify_audit(ctx, actor=auditor).entries
    with ctx.uow() as tx:
        tx.session.execute(text(f"DELETE FROM audit_log WHERE seq > {n - 2}"))  # type: ignore[attr-defined]
    result = audit.verify_audit(ctx, actor=auditor)
    assert not result.intact and "removed" in (result.problem or "")


def test_tokens_stored_hashed_expire_and_revoke(ctx: ServiceContext, people: dict) -> None:
    from datetime import timedelta

    from simkyc.domain.errors import AuthenticationError

    token = people["agent"][1]
    with ctx.uow() as tx:
        stored = [r[0] for r in tx.session.execute(  # type: ignore[attr-defined]
            text("SELECT token_sha256 FROM api_tokens"))]
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert accounts.authenticate(ctx, token) == people["agent"][0]
    with pytest.raises(AuthenticationError):
        accounts.authenticate(ctx, "sk_wrong")
    short = accounts.issue_token(ctx, agent_id=people["agent"][0].id, days=1)
    assert accounts.authenticate(ctx, short.token).id == people["agent"][0].id
    later = ctx.clock() + timedelta(days=2)
    from dataclasses import replace

    with pytest.raises(AuthenticationError):
        accounts.authenticate(replace(ctx, clock=lambda: later), short.token)
    accounts.revoke_token(ctx, token_id=short.info.id)
    with pytest.raises(AuthenticationError):
        accounts.authenticate(ctx, short.token)
    assert accounts.authenticate(ctx, token)  # the other token still works


def test_outlet_name_of_another_operator_is_refused(ctx: ServiceContext, people: dict) -> None:
    with pytest.raises(ConflictError, match="another operator"):
        accounts.create_account(ctx, name="x", role=Role.AGENT, outlet_name="Outlet A",
                                operator_name="Other Telecom")


def test_evidence_survives_a_new_context(db_url: str, tmp_path: Path,
                                         make_context: Any, advance: Any) -> None:
    import secrets

    key = secrets.token_bytes(32)
    c1 = make_context(db_url, tmp_path / "ev", master_key=key)
    new = accounts.create_account(c1, name="a", role=Role.AGENT, outlet_name="O")
    rid = start_registration(c1, actor=new.agent, consent=True).id
    advance(c1, new.agent, rid, "document", subject="CHN/1")
    ref = advance(c1, new.agent, rid, "attach",
                  evidence=((K.UPPER_BODY, "image/png", b"kept"),)).evidence[0]
    c2 = make_context(db_url, tmp_path / "ev", master_key=key)  # a restarted process
    reviewer = accounts.create_account(c2, name="c", role=Role.COMPLIANCE, outlet_name=None)
    assert evidence.read_evidence(c2, actor=reviewer.agent, evidence_id=ref.id)[1] == b"kept"


def test_stage_details_with_nan_and_long_model_id(ctx: ServiceContext, people: dict) -> None:
    from simkyc.domain.results import StageOutcome

    agent = people["agent"][0]
    rid = _start(ctx, people)
    model = "+".join(["silero-vad-6", "pocketsphinx-en-us-digits", "mediapipe-face-mesh"] * 6)
    with ctx.uow() as tx:
        tx.stages.add(registration_id=rid, now=ctx.clock(), outcome=StageOutcome(
            stage="voice", passed=False, model=model,
            details={"corr": float("nan"), "inf": float("inf"), "ok": 0.5,
                     "nested": [float("nan")]}))
    with ctx.uow() as tx:
        stored = tx.stages.list(registration_id=rid)[0]
    assert stored.model == model and agent
    assert stored.details == {"corr": None, "inf": None, "ok": 0.5, "nested": [None]}


def test_a_failed_evidence_read_is_audited_without_deadlock(ctx: ServiceContext, people: dict,
                                                            advance: Any) -> None:
    """A tampered file is refused, and the refusal itself is audited (in a unit of work of
    its own, opened after the reading one ended: on SQLite a nested one would wait for its
    own lock)."""
    from simkyc.domain.errors import EvidenceError

    agent, reviewer = people["agent"][0], people["compliance"][0]
    rid = _start(ctx, people)
    advance(ctx, agent, rid, "document", subject="CHN/t")
    ref = advance(ctx, agent, rid, "attach",
                  evidence=((K.UPPER_BODY, "image/png", b"photo"),)).evidence[0]
    path = next(p for p in ctx.store.root.rglob("*.sk") if ref.id in p.name)  # type: ignore[attr-defined]
    blob = bytearray(path.read_bytes())
    blob[-1] ^= 0xFF
    path.write_bytes(bytes(blob))
    with pytest.raises(EvidenceError):
        evidence.read_evidence(ctx, actor=reviewer, evidence_id=ref.id)
    entries = audit.audit_entries(ctx, actor=people["auditor"][0], registration_id=rid)
    assert entries[0].action == "evidence.read_failed" and ref.id in entries[0].detail
    assert audit.verify_audit(ctx, actor=people["auditor"][0]).intact
