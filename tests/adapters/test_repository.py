"""Repository and workflow tests, run on SQLite and on PostgreSQL (``db_url`` is parametrised)."""

from __future__ import annotations

from pathlib import Path

import pytest
from sqlalchemy import text

from simkyc.domain.errors import (
    ChallengeError,
    EvidenceKeyDestroyedError,
    IllegalTransitionError,
    InputError,
    NotFoundError,
)
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.parties import Role
from simkyc.domain.registration import RegistrationStatus as S
from simkyc.domain.results import StageOutcome
from simkyc.workflow import NewEvidence, PermissionDenied, RegistrationService


def _start(service: RegistrationService, people: dict) -> str:
    return service.start_registration(actor=people["agent"][0], consent=True,
                                      service_kind="mobile", language="yue").id


def test_registration_round_trip(service: RegistrationService, people: dict) -> None:
    agent = people["agent"][0]
    reg = service.start_registration(actor=agent, consent=True, service_kind="mobile",
                                     service_id="+8613800138000", language="yue")
    again = service.get_registration(actor=agent, registration_id=reg.id)
    assert again.status is S.STARTED and again.consent_at is not None
    assert again.created_at == reg.created_at and again.service_id == "+8613800138000"
    assert service.language_of(registration_id=reg.id) == "yue"


def test_consent_is_required(service: RegistrationService, people: dict) -> None:
    with pytest.raises(InputError, match="consent"):
        service.start_registration(actor=people["agent"][0], consent=False)


def test_stage_moves_status_and_stores_evidence(service: RegistrationService, people: dict) -> None:
    agent = people["agent"][0]
    rid = _start(service, people)
    outcome = StageOutcome(stage="document", passed=True, model="test", details={"score": 0.9})
    moved, refs = service.record_stage(
        actor=agent, registration_id=rid, outcome=outcome, on_pass=S.DOCUMENT_CHECKED,
        evidence=[NewEvidence(EvidenceKind.DOCUMENT_IMAGE, "image/png", b"png bytes")],
        subject_document_number="11010519491231002x")
    assert moved.status is S.DOCUMENT_CHECKED
    assert moved.subject_id_hash == service.subject_hash("11010519491231002X")
    found = service.evidence_bytes(actor=agent, registration_id=rid,
                                   kind=EvidenceKind.DOCUMENT_IMAGE)
    assert found is not None and found[1] == b"png bytes"
    view = service.registration_view(actor=agent, registration_id=rid)
    assert view["stages"] == [{"stage": "document", "passed": True, "reasons": []}]
    assert "score" not in str(view)


def test_illegal_step_changes_nothing(service: RegistrationService, people: dict) -> None:
    agent = people["agent"][0]
    rid = _start(service, people)
    with pytest.raises(IllegalTransitionError):
        service.record_stage(
            actor=agent, registration_id=rid,
            outcome=StageOutcome(stage="face_match", passed=True), on_pass=S.FACE_MATCHED,
            evidence=[NewEvidence(EvidenceKind.LIVE_FACE, "image/jpeg", b"j")])
    view = service.registration_view(actor=agent, registration_id=rid)
    assert view["status"] == "started" and view["evidence"] == [] and view["stages"] == []
    assert not any(service.store.iter_items())


def test_failed_stage_rejects_when_asked(service: RegistrationService, people: dict) -> None:
    agent = people["agent"][0]
    rid = _start(service, people)
    moved, _ = service.record_stage(
        actor=agent, registration_id=rid,
        outcome=StageOutcome(stage="document", passed=False, reasons=("expired",)),
        on_pass=S.DOCUMENT_CHECKED, on_fail=S.REJECTED)
    assert moved.status is S.REJECTED and moved.reasons == ("expired",)
    with pytest.raises(IllegalTransitionError):
        service.record_stage(actor=agent, registration_id=rid, outcome=None,
                             evidence=[NewEvidence(EvidenceKind.UPPER_BODY, "image/png", b"x")])


def test_other_outlet_cannot_see(service: RegistrationService, people: dict) -> None:
    rid = _start(service, people)
    with pytest.raises(NotFoundError):
        service.get_registration(actor=people["other_agent"][0], registration_id=rid)
    assert service.get_registration(actor=people["compliance"][0], registration_id=rid).id == rid


def test_roles_enforced_in_service(service: RegistrationService, people: dict) -> None:
    rid = _start(service, people)
    with pytest.raises(PermissionDenied):
        service.start_registration(actor=people["auditor"][0], consent=True)
    with pytest.raises(PermissionDenied):
        service.destroy_evidence_key(actor=people["agent"][0], registration_id=rid, reason="x")
    with pytest.raises(PermissionDenied):
        service.create_agent(name="x", role=Role.ADMIN, outlet_name=None,
                             actor=people["agent"][0])


def test_destroying_key_makes_evidence_unreadable(service: RegistrationService,
                                                   people: dict) -> None:
    agent = people["agent"][0]
    rid = _start(service, people)
    other = _start(service, people)
    _, refs = service.record_stage(actor=agent, registration_id=rid, outcome=None, evidence=[
        NewEvidence(EvidenceKind.UPPER_BODY, "image/png", b"secret face")])
    _, other_refs = service.record_stage(actor=agent, registration_id=other, outcome=None,
                                         evidence=[NewEvidence(EvidenceKind.UPPER_BODY,
                                                               "image/png", b"other face")])
    reviewer = people["compliance"][0]
    assert service.read_evidence(actor=reviewer, evidence_id=refs[0].id)[1] == b"secret face"
    service.destroy_evidence_key(actor=people["admin"][0], registration_id=rid, reason="erasure")
    with pytest.raises(EvidenceKeyDestroyedError):
        service.read_evidence(actor=reviewer, evidence_id=refs[0].id)
    # Other registrations are untouched.
    assert service.read_evidence(actor=reviewer, evidence_id=other_refs[0].id)[1] == b"other face"


def test_challenge_is_single_use_and_expires(service: RegistrationService, people: dict) -> None:
    agent = people["agent"][0]
    rid = _start(service, people)
    service.issue_challenge(actor=agent, registration_id=rid, kind="liveness", nonce="n1",
                            payload={"actions": ["blink"]}, ttl_seconds=60)
    payload = service.consume_challenge(actor=agent, registration_id=rid, kind="liveness",
                                        nonce="n1")
    assert payload["actions"] == ["blink"] and "issued_at" in payload
    with pytest.raises(ChallengeError, match="already used"):
        service.consume_challenge(actor=agent, registration_id=rid, kind="liveness", nonce="n1")
    service.issue_challenge(actor=agent, registration_id=rid, kind="voice", nonce="n2",
                            payload={}, ttl_seconds=-1)
    with pytest.raises(ChallengeError, match="expired"):
        service.consume_challenge(actor=agent, registration_id=rid, kind="voice", nonce="n2")
    with pytest.raises(ChallengeError, match="unknown"):
        service.consume_challenge(actor=agent, registration_id=rid, kind="voice", nonce="zz")


def test_audit_chain_detects_edits(service: RegistrationService, people: dict,
                                   db_url: str) -> None:
    rid = _start(service, people)
    service.get_registration(actor=people["compliance"][0], registration_id=rid)
    auditor = people["auditor"][0]
    result = service.verify_audit(actor=auditor)
    assert result["intact"] and result["entries"] >= 8
    with service._sessions() as s, s.begin():  # an insider edits a row directly
        s.execute(text("UPDATE audit_log SET detail = 'nothing happened' WHERE seq = 7"))
    result = service.verify_audit(actor=auditor)
    assert not result["intact"] and result["first_bad_seq"] == 7


def test_tokens_stored_hashed(service: RegistrationService, people: dict) -> None:
    token = people["agent"][1]
    with service._sessions() as s:
        stored = [r[0] for r in s.execute(text("SELECT token_sha256 FROM agents"))]
    assert token not in stored and all(len(h) == 64 for h in stored)
    assert service.authenticate(token) == people["agent"][0]
    assert service.authenticate("sk_wrong") is None


def test_evidence_rows_survive_restart(db_url: str, tmp_path: Path, make_service) -> None:
    s1 = make_service(db_url, tmp_path / "ev")
    agent, _ = s1.create_agent(name="a", role=Role.AGENT, outlet_name="O")
    rid = s1.start_registration(actor=agent, consent=True).id
    s1.record_stage(actor=agent, registration_id=rid, outcome=None,
                    evidence=[NewEvidence(EvidenceKind.UPPER_BODY, "image/png", b"kept")])
    # A new service object (same DB, same store, same key) reads it back.
    s2 = RegistrationService(sessions=s1._sessions, store=s1.store,
                             master_key=s1._master_key, policy=s1.policy)
    assert s2.evidence_bytes(actor=agent, registration_id=rid,
                             kind=EvidenceKind.UPPER_BODY)[1] == b"kept"  # type: ignore[index]


def test_stage_details_with_nan_and_long_model_id(service: RegistrationService,
                                                  people: dict) -> None:
    agent = people["agent"][0]
    rid = _start(service, people)
    model = "+".join(["silero-vad-6", "pocketsphinx-en-us-digits", "mediapipe-face-mesh"] * 6)
    service.record_stage(actor=agent, registration_id=rid, outcome=StageOutcome(
        stage="voice", passed=False, model=model,
        details={"corr": float("nan"), "inf": float("inf"), "ok": 0.5, "nested": [float("nan")]}))
    from simkyc.adapters.db import repository as repo

    with service._sessions() as s:
        stored = repo.list_stage_results(s, registration_id=rid)[0]
    assert stored.model == model
    assert stored.details == {"corr": None, "inf": None, "ok": 0.5, "nested": [None]}


def test_failed_stage_attempts_counts_without_an_audit_read(service: RegistrationService,
                                                             people: dict) -> None:
    agent, auditor = people["agent"][0], people["auditor"][0]
    rid = _start(service, people)
    for passed in (False, False, True):
        service.record_stage(actor=agent, registration_id=rid, outcome=StageOutcome(
            stage="voice", passed=passed, reasons=() if passed else ("no_speech",)))
    service.record_stage(actor=agent, registration_id=rid, outcome=StageOutcome(
        stage="face", passed=False, reasons=("no_face",)))
    before = service.verify_audit(actor=auditor)["entries"]
    assert service.failed_stage_attempts(actor=agent, registration_id=rid, stage="voice") == 2
    assert service.failed_stage_attempts(actor=people["supervisor"][0], registration_id=rid,
                                         stage="face") == 1
    assert service.verify_audit(actor=auditor)["entries"] == before  # no audit read entry
    with pytest.raises(PermissionDenied):
        service.failed_stage_attempts(actor=auditor, registration_id=rid,
                                      stage="voice")
    with pytest.raises(NotFoundError):
        service.failed_stage_attempts(actor=people["other_agent"][0], registration_id=rid,
                                      stage="voice")
