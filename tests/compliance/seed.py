"""Seeded compliance data: outlets, agents and registrations written through the
repositories (evidence encrypted in the real store), at chosen times.

``clean_world`` is a period in which no rule should fire: each identity once,
every registration in opening hours and at an unhurried pace, override rates alike.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from simkyc.domain.compliance import OpeningHours
from simkyc.domain.evidence import EvidenceKind, EvidenceRef
from simkyc.domain.parties import Agent, Role
from simkyc.domain.registration import Registration, RegistrationStatus
from simkyc.domain.results import StageOutcome
from simkyc.services.accounts import create_account
from simkyc.services.compliance.outlets import set_opening_hours
from simkyc.services.context import ServiceContext

#: A Monday, 10:00 Beijing time (02:00 UTC).
T0 = datetime(2026, 11, 2, 2, 0, tzinfo=UTC)
FULL = ("document_photo", "live_face", "liveness_video", "voice_audio", "upper_body")
STEP_OF = {"document_photo": "document", "live_face": "liveness", "liveness_video": "liveness",
           "voice_audio": "voice", "upper_body": "attach"}


@dataclass
class World:
    ctx: ServiceContext
    officer: Agent
    agents: dict[str, Agent] = field(default_factory=dict)
    outlets: dict[str, str] = field(default_factory=dict)  # name -> id
    n: int = 0

    def agent(self, name: str, outlet: str, role: Role = Role.AGENT) -> Agent:
        a = create_account(self.ctx, name=name, role=role, outlet_name=outlet).agent
        self.agents[name] = a
        assert a.outlet_id
        self.outlets[outlet] = a.outlet_id
        return a

    def registration(self, agent: str, at: datetime, *, status: str = "registered",
                     subject: str | None = None, override: bool = False,
                     voice_failures: int = 0, evidence: tuple[str, ...] = (),
                     seconds: float = 300.0, document_failed: bool = False,
                     media: dict[str, tuple[bytes, str]] | None = None,
                     challenges: tuple[str, ...] = ()) -> str:
        """One registration by ``agent`` started at ``at``; ``subject``: the identity (its
        keyed hash is stored); ``document_failed``: its document step was rejected;
        ``media``: the bytes and content type of evidence kinds (default: a short text);
        ``challenges``: liveness challenges issued, in order, each ``"flash"`` or
        ``"no_flash"`` (stored as the liveness step stores them)."""
        a = self.agents[agent]
        self.n += 1
        ctx = self.ctx
        rid = ctx.new_id()
        subject_hash = ctx.keys.subject_hash(subject) if subject else None
        final = RegistrationStatus(status)
        reg = Registration(id=rid, operator_id="", outlet_id=a.outlet_id or "", agent_id=a.id,
                           status=final, policy_version="t", created_at=at,
                           updated_at=at + timedelta(seconds=seconds), consent_at=at,
                           subject_id_hash=None if document_failed else subject_hash,
                           assisted_override=override)
        with ctx.uow() as tx:
            outlet = tx.accounts.get_outlet(outlet_id=a.outlet_id or "")
            reg = Registration(**{**reg.__dict__, "operator_id": outlet.operator_id})
            tx.registrations.add(registration=reg)
            kept: dict[str, dict[str, str]] = {}
            if evidence:
                key = ctx.keys.new_data_key()
                key_id = ctx.new_id()
                tx.keys.add(key_id=key_id, registration_id=rid,
                            wrapped_key=ctx.keys.wrap(key, key_id), now=at)
                for kind in evidence:
                    ev_id = ctx.new_id()
                    data, mime = (media or {}).get(
                        kind, (f"{kind} of {rid}".encode(), "application/octet-stream"))
                    digest = ctx.store.write(registration_id=rid, evidence_id=ev_id,
                                             data_key=key, plaintext=data)
                    tx.evidence.add(ref=EvidenceRef(
                        id=ev_id, registration_id=rid, kind=EvidenceKind(kind),
                        content_type=mime, size=len(data),
                        sha256=digest, key_id=key_id, created_at=at))
                    kept.setdefault(STEP_OF[kind], {})[kind] = ev_id
            if document_failed:
                tx.stages.add(registration_id=rid, outcome=StageOutcome(
                    "document", False, ("document_expired",)), now=at)
                if subject_hash:
                    tx.lockouts.add_failure(subject_id_hash=subject_hash, at=at,
                                            registration_id=rid, stage="document")
            else:
                tx.stages.add(registration_id=rid, outcome=StageOutcome(
                    "document", True, details={"evidence": kept.get("document", {})}), now=at)
            for i in range(voice_failures):
                tx.stages.add(registration_id=rid, outcome=StageOutcome(
                    "voice", False, ("digits_mismatch",)), now=at + timedelta(seconds=i + 1))
            for i, kind in enumerate(challenges):
                flash = kind == "flash"
                assert flash or kind == "no_flash", kind
                issued = at + timedelta(seconds=30 + i)
                tx.challenges.add(
                    nonce=ctx.new_id(), registration_id=rid, kind="liveness",
                    payload={"actions": ["blink", "turn_left", *([] if flash else ["nod"])],
                             "screen_colours": ["red", "blue", "green"] if flash else [],
                             "colour_ms": 400, "flash": flash,
                             "extra_actions": 0 if flash else 1},
                    issued_at=issued, expires_at=issued + timedelta(minutes=2))
            for step in ("liveness", "voice"):
                if step in kept:
                    tx.stages.add(registration_id=rid, outcome=StageOutcome(
                        step, True, details={"evidence": kept[step]}), now=at)
        return rid


def business_hours(world: World, outlet: str) -> None:
    """Monday to Saturday 09:00-21:00 local time."""
    oid = world.outlets[outlet]
    set_opening_hours(world.ctx, actor=world.officer, outlet_id=oid,
                      hours=[OpeningHours(oid, d, 9 * 60, 21 * 60) for d in range(6)])


def clean_world(ctx: ServiceContext, *, per_agent: int = 24, evidence: bool = False,
                seed: int = 5) -> World:
    """Three outlets, two agents each; ``per_agent`` registrations each over a week of
    opening hours, one identity each, about one override in twelve for everyone; each
    reached liveness, one in twelve with the no-flash challenge (everyone alike)."""
    officer = create_account(ctx, name="officer", role=Role.COMPLIANCE, outlet_name=None).agent
    w = World(ctx=ctx, officer=officer)
    rng = random.Random(seed)
    for o in ("North", "South", "East"):
        for i in (1, 2):
            w.agent(f"{o.lower()}{i}", o)
        business_hours(w, o)
    for name in list(w.agents):
        for k in range(per_agent):
            day, slot = divmod(k, 4)  # 4 a day, 2 h apart, Monday to Saturday
            at = T0 + timedelta(days=day % 6, hours=2 * slot + 1, minutes=rng.randrange(50))
            w.registration(name, at, subject=f"{name}-{k}", override=(k % 12 == 5),
                           voice_failures=2 if k % 12 == 5 else 0,
                           evidence=FULL if evidence else (),
                           seconds=200 + rng.randrange(200),
                           challenges=("no_flash",) if k % 12 == 7 else ("flash",))
    return w


def period() -> tuple[datetime, datetime]:
    return T0 - timedelta(days=1), T0 + timedelta(days=8)
