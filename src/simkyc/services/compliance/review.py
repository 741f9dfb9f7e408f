"""Spot checks: a random sample of completed registrations, reviewed side by side.

Sampling is Bernoulli per registration at the outlet's rate (its own, or the
policy's default), raised while the outlet has findings; the randomness is
passed in (``ctx.rng("spot_check")``: the OS CSPRNG in production). A reviewer
opens a check (audited) and views its evidence item by item (each view audited
as ``spot_check.view``, a failed read too), then records the outcome once:
``ok``, or a ``defect`` with its category and a note.
"""

from __future__ import annotations

import random
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from simkyc.domain.access import Permission, require
from simkyc.domain.compliance import (
    ComplianceRules,
    DefectCategory,
    SpotCheck,
    SpotCheckOutcome,
    choose_sample,
    spot_check_rate,
)
from simkyc.domain.errors import ConflictError, EvidenceError, InputError, NotFoundError
from simkyc.domain.evidence import EvidenceKind, EvidenceRef
from simkyc.domain.parties import Agent
from simkyc.services.compliance._common import repo
from simkyc.services.compliance.ports import Period
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import UnreadableEvidence, audit_failed_read, data_key

K = EvidenceKind

#: What the review shows side by side: (label, step whose passing outcome kept it, kind).
REVIEW_ITEMS: tuple[tuple[str, str, EvidenceKind], ...] = (
    ("document_photo", "document", K.DOCUMENT_PHOTO),
    ("best_liveness_frame", "liveness", K.LIVE_FACE),
    ("liveness_video", "liveness", K.LIVENESS_VIDEO),
    ("voice_audio", "voice", K.VOICE_AUDIO),
    ("upper_body", "attach", K.UPPER_BODY),
)
MAX_NOTE = 2000


@dataclass(frozen=True)
class ReviewItem:
    label: str
    evidence: EvidenceRef | None


@dataclass(frozen=True)
class SpotCheckView:
    """A check, its registration's public facts and outcomes, and the evidence to review."""

    check: SpotCheck
    registration: dict[str, Any]
    stages: tuple[dict[str, Any], ...]
    items: tuple[ReviewItem, ...]


def sample_spot_checks(ctx: ServiceContext, *, actor: Agent, period: Period,
                       rng: random.Random | None = None,
                       rules: ComplianceRules | None = None) -> list[SpotCheck]:
    """Queue a random sample of the period's completed, not yet sampled registrations."""
    require(actor, Permission.MANAGE_COMPLIANCE, "queue spot checks")
    rules = rules or ctx.policy.compliance
    rng = rng or ctx.rng("spot_check")
    queued = []
    with ctx.uow() as tx:
        tx.lock_subject("compliance:spot_check_sample")  # concurrent runs queue up
        r = repo(tx)
        settings = r.outlet_settings()
        flagged = r.outlets_with_findings(period=period)
        by_outlet: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for rid, outlet, agent in r.completed_unsampled(period=period):
            by_outlet[outlet].append((rid, agent))
        now = ctx.clock()
        for outlet in sorted(by_outlet):
            own = settings.get(outlet)
            rate = spot_check_rate(rules, outlet_rate=own.spot_check_rate if own else None,
                                   has_findings=outlet in flagged)
            agents = dict(by_outlet[outlet])
            for rid in choose_sample([rid for rid, _ in by_outlet[outlet]], rate, rng):
                check = SpotCheck(id=ctx.new_id(), registration_id=rid, outlet_id=outlet,
                                  agent_id=agents[rid], sample_rate=rate, queued_at=now,
                                  status="queued")
                r.add_spot_check(check=check, by=actor.id)
                queued.append(check)
        tx.audit.append(at=now, actor_id=actor.id, action="spot_check.sample",
                        detail=f"{period.start.isoformat()}..{period.end.isoformat()} "
                               f"queued={len(queued)}")
    return queued


def list_spot_checks(ctx: ServiceContext, *, actor: Agent, status: str | None = "queued",
                     outlet_id: str | None = None, limit: int = 200) -> list[SpotCheck]:
    """The queue (``status`` ``queued``), the reviewed ones, or all (``None``), oldest first."""
    require(actor, Permission.READ_COMPLIANCE, "read spot checks")
    if status not in (None, "queued", "reviewed"):
        raise InputError("status is queued or reviewed")
    with ctx.uow() as tx:
        return repo(tx).spot_checks(status=status, outlet_id=outlet_id,
                                    limit=max(1, min(limit, 1000)))


def _items(tx: Any, registration_id: str) -> list[ReviewItem]:
    """The item of each review kind that its step's passing outcome kept (the last pass)."""
    bound: dict[tuple[str, str], str] = {}
    for o in tx.stages.list(registration_id=registration_id):
        if o.passed:
            for kind, ev_id in (o.details.get("evidence") or {}).items():
                bound[(o.stage, kind)] = ev_id
    refs = {e.id: e for e in tx.evidence.list(registration_id=registration_id)}
    out = []
    for label, step, kind in REVIEW_ITEMS:
        ev_id = bound.get((step, kind.value))
        ref = refs.get(ev_id) if ev_id else None
        if ref is None and step == "attach":  # attached evidence has no stage outcome
            ref = next((e for e in reversed(list(refs.values())) if e.kind is kind), None)
        out.append(ReviewItem(label, ref if ref is not None and ref.kind is kind else None))
    return out


def open_spot_check(ctx: ServiceContext, *, actor: Agent, check_id: str) -> SpotCheckView:
    """A check with what the reviewer compares (audited ``spot_check.open``)."""
    require(actor, Permission.READ_COMPLIANCE, "read spot checks")
    with ctx.uow() as tx:
        check = repo(tx).get_spot_check(check_id=check_id)
        reg = tx.registrations.get(registration_id=check.registration_id)
        stages = tuple(o.public_view() for o in tx.stages.list(registration_id=reg.id))
        items = tuple(_items(tx, reg.id))
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="spot_check.open",
                        registration_id=reg.id, detail=check.id)
    registration = {"id": reg.id, "status": reg.status.value, "outlet_id": reg.outlet_id,
                    "agent_id": reg.agent_id, "created_at": reg.created_at,
                    "updated_at": reg.updated_at, "assisted_override": reg.assisted_override,
                    "service_kind": reg.service_kind}
    return SpotCheckView(check=check, registration=registration, stages=stages, items=items)


def view_spot_check_evidence(ctx: ServiceContext, *, actor: Agent, check_id: str,
                             label: str) -> tuple[EvidenceRef, bytes]:
    """Decrypt one review item of a check (audited ``spot_check.view``; a failed read is
    audited as ``spot_check.view_failed``)."""
    require(actor, Permission.READ_COMPLIANCE, "read spot checks")
    require(actor, Permission.READ_EVIDENCE, "read evidence")
    if label not in {item[0] for item in REVIEW_ITEMS}:
        raise InputError(f"unknown review item {label!r}")
    try:
        with ctx.uow() as tx:
            check = repo(tx).get_spot_check(check_id=check_id)
            item = next(i for i in _items(tx, check.registration_id) if i.label == label)
            if item.evidence is None:
                raise NotFoundError(f"the registration holds no {label}")
            ref = item.evidence
            _, key = data_key(ctx, tx, ref.registration_id)
            try:
                data = ctx.store.read(registration_id=ref.registration_id, evidence_id=ref.id,
                                      data_key=key, sha256=ref.sha256)
            except EvidenceError as exc:
                raise UnreadableEvidence(str(exc), ref=ref, action="spot_check.view") from exc
            tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="spot_check.view",
                            registration_id=ref.registration_id,
                            detail=f"{check.id} {label} {ref.id}")
            return ref, data
    except UnreadableEvidence as exc:
        audit_failed_read(ctx, exc, actor_id=actor.id)
        raise


def record_spot_check_outcome(ctx: ServiceContext, *, actor: Agent, check_id: str,
                              outcome: SpotCheckOutcome, category: DefectCategory | None = None,
                              note: str = "") -> SpotCheck:
    """Record the review once: ``ok``, or ``defect`` with a category (and a note)."""
    require(actor, Permission.MANAGE_COMPLIANCE, "review spot checks")
    if outcome is SpotCheckOutcome.DEFECT and category is None:
        raise InputError("a defect needs its category")
    if outcome is SpotCheckOutcome.OK and category is not None:
        raise InputError("an ok outcome has no defect category")
    if len(note) > MAX_NOTE:
        raise InputError(f"a note is at most {MAX_NOTE} characters")
    with ctx.uow() as tx:
        r = repo(tx)
        check = r.get_spot_check(check_id=check_id, for_update=True)
        if check.status != "queued":
            raise ConflictError(f"spot check {check_id} was already reviewed")
        done = r.record_review(check_id=check_id, reviewer_id=actor.id, at=ctx.clock(),
                               outcome=outcome, category=category, note=note)
        tx.audit.append(at=ctx.clock(), actor_id=actor.id, action="spot_check.review",
                        registration_id=check.registration_id,
                        detail=f"{check.id} {outcome.value} "
                               f"{category.value if category else ''}".strip())
    return done


__all__ = ["REVIEW_ITEMS", "ReviewItem", "SpotCheckView", "list_spot_checks",
           "open_spot_check", "record_spot_check_outcome", "sample_spot_checks",
           "view_spot_check_evidence"]
