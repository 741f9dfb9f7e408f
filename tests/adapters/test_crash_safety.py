"""A process killed between writing evidence and committing its row loses nothing committed
and leaves no half-written registration (SQLite and PostgreSQL)."""

from __future__ import annotations

import base64
import secrets
import signal
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

CHILD = textwrap.dedent("""
    import base64, os, signal, sys
    from simkyc.adapters.db.engine import make_engine, make_session_factory
    from simkyc.adapters.evidence_store import EvidenceStore
    from simkyc.domain.evidence import EvidenceKind
    from simkyc.domain.parties import Role
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.domain.registration import RegistrationStatus
    from simkyc.domain.results import StageOutcome
    from simkyc.workflow import NewEvidence, RegistrationService

    url, ev_dir, key = sys.argv[1], sys.argv[2], base64.b64decode(sys.argv[3])
    svc = RegistrationService(sessions=make_session_factory(make_engine(url)),
                              store=EvidenceStore(ev_dir), master_key=key, policy=DEFAULT_POLICY,
                              before_commit=lambda: os.kill(os.getpid(), signal.SIGKILL))
    agent, _ = svc.create_agent(name="a", role=Role.AGENT, outlet_name="O")
    reg = svc.start_registration(actor=agent, consent=True)
    print(agent.id, reg.id, flush=True)
    svc.record_stage(actor=agent, registration_id=reg.id,
                     outcome=StageOutcome(stage="document", passed=True),
                     on_pass=RegistrationStatus.DOCUMENT_CHECKED,
                     evidence=[NewEvidence(EvidenceKind.DOCUMENT_IMAGE, "image/png", b"x" * 4096)])
    print("not reached", flush=True)
""")


def test_kill_between_evidence_write_and_commit(db_url: str, tmp_path: Path,
                                                make_service: Any) -> None:
    key = secrets.token_bytes(32)
    ev_dir = tmp_path / "evidence"
    proc = subprocess.run([sys.executable, "-c", CHILD, db_url, str(ev_dir),
                           base64.b64encode(key).decode()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    agent_id, reg_id = proc.stdout.split()[:2]
    assert "not reached" not in proc.stdout

    # The evidence file was written (encrypted) before the kill...
    files = list(ev_dir.rglob("*.sk"))
    assert len(files) == 1

    svc = make_service(db_url, ev_dir, master_key=key)
    from simkyc.domain.parties import Agent, Role

    agent = Agent(id=agent_id, name="a", role=Role.AGENT,
                  outlet_id=svc.get_registration(
                      actor=Agent(id="x", name="x", role=Role.COMPLIANCE, outlet_id=None),
                      registration_id=reg_id).outlet_id)
    view = svc.registration_view(actor=agent, registration_id=reg_id)
    # ...but nothing of the uncommitted step exists: the registration is as it was committed.
    assert view["status"] == "started"
    assert view["evidence"] == [] and view["stages"] == []
    # The orphaned file is swept; the audit chain is intact (the killed entry never committed).
    assert svc.sweep_orphans(older_than_seconds=0) == 1
    assert not list(ev_dir.rglob("*.sk"))
    assert svc.verify_audit(actor=Agent(id="y", name="y", role=Role.AUDITOR,
                                        outlet_id=None))["intact"]
    # And the registration carries on normally afterwards.
    from simkyc.domain.evidence import EvidenceKind
    from simkyc.domain.registration import RegistrationStatus
    from simkyc.domain.results import StageOutcome
    from simkyc.workflow import NewEvidence

    moved, _ = svc.record_stage(actor=agent, registration_id=reg_id,
                                outcome=StageOutcome(stage="document", passed=True),
                                on_pass=RegistrationStatus.DOCUMENT_CHECKED,
                                evidence=[NewEvidence(EvidenceKind.DOCUMENT_IMAGE, "image/png",
                                                      b"y")])
    assert moved.status is RegistrationStatus.DOCUMENT_CHECKED
