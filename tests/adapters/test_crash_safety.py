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

from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.parties import Agent, Role
from simkyc.domain.registration import RegistrationStatus
from simkyc.services.audit import verify_audit
from simkyc.services.evidence import sweep_orphans
from simkyc.services.registrations import view_registration

CHILD = textwrap.dedent("""
    import base64, os, signal, sys
    from simkyc.adapters.crypto import MasterKeyring
    from simkyc.adapters.db.engine import make_engine, make_session_factory
    from simkyc.adapters.db.uow import unit_of_work_factory
    from simkyc.adapters.evidence_store import EvidenceStore
    from simkyc.domain.evidence import EvidenceKind
    from simkyc.domain.parties import Role
    from simkyc.domain.results import StageOutcome
    from simkyc.services.accounts import create_account
    from simkyc.services.context import ServiceContext
    from simkyc.services.evidence import NewEvidence
    from simkyc.services.registrations import start_registration
    from simkyc.services.steps.common import record_step

    url, ev_dir, key = sys.argv[1], sys.argv[2], base64.b64decode(sys.argv[3])
    ctx = ServiceContext(uow=unit_of_work_factory(make_session_factory(make_engine(url))),
                         store=EvidenceStore(ev_dir), keys=MasterKeyring(key),
                         before_commit=lambda: os.kill(os.getpid(), signal.SIGKILL))
    new = create_account(ctx, name="a", role=Role.AGENT, outlet_name="O")
    reg = start_registration(ctx, actor=new.agent, consent=True)
    print(new.agent.id, reg.id, new.agent.outlet_id, flush=True)
    record_step(ctx, actor=new.agent, registration_id=reg.id, step="document",
                outcome=StageOutcome(stage="document", passed=True),
                evidence=[NewEvidence(EvidenceKind.DOCUMENT_IMAGE, "image/png", b"x" * 4096)])
    print("not reached", flush=True)
""")


def test_kill_between_evidence_write_and_commit(db_url: str, tmp_path: Path,
                                                make_context: Any, advance: Any) -> None:
    key = secrets.token_bytes(32)
    ev_dir = tmp_path / "evidence"
    proc = subprocess.run([sys.executable, "-c", CHILD, db_url, str(ev_dir),
                           base64.b64encode(key).decode()],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == -signal.SIGKILL, proc.stderr
    agent_id, reg_id, outlet_id = proc.stdout.split()[:3]
    assert "not reached" not in proc.stdout

    # The evidence file was written (encrypted) before the kill...
    assert len(list(ev_dir.rglob("*.sk"))) == 1

    ctx = make_context(db_url, ev_dir, master_key=key)
    agent = Agent(id=agent_id, name="a", role=Role.AGENT, outlet_id=outlet_id)
    view = view_registration(ctx, actor=agent, registration_id=reg_id)
    # ...but nothing of the uncommitted step exists: the registration is as it was committed.
    assert view.status is RegistrationStatus.STARTED
    assert view.evidence == () and view.stages == ()
    # The orphaned file is swept; the audit chain is intact (the killed entry never committed).
    assert sweep_orphans(ctx, older_than_seconds=0) == 1
    assert not list(ev_dir.rglob("*.sk"))
    auditor = Agent(id="y" * 32, name="y", role=Role.AUDITOR, outlet_id=None)
    assert verify_audit(ctx, actor=auditor).intact
    # And the registration carries on normally afterwards.
    rec = advance(ctx, agent, reg_id, "document",
                  evidence=((EvidenceKind.DOCUMENT_IMAGE, "image/png", b"y"),),
                  subject="CHN/1")
    assert rec.registration.status is RegistrationStatus.DOCUMENT_CHECKED
