"""Attach evidence no step produces: the upper-body photo the rules require.

Only the kinds the flow's ``attach`` step keeps may be attached (today
``upper_body``); what a step produces (document photo, live face, videos,
audio) comes from that step alone. An image is decoded before it is stored.
"""

from __future__ import annotations

from dataclasses import dataclass

from simkyc.domain.errors import InputError
from simkyc.domain.evidence import EvidenceKind, EvidenceRef
from simkyc.domain.parties import Agent
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import NewEvidence
from simkyc.services.media_input import image_input
from simkyc.services.steps.common import begin_step, record_step

STEP = "attach"


@dataclass(frozen=True)
class Attachment:
    kind: EvidenceKind
    data: bytes


def attach_evidence(ctx: ServiceContext, *, actor: Agent, registration_id: str,
                    submission: Attachment) -> EvidenceRef:
    """Store one attachment (encrypted, audited); refuses kinds a step produces."""
    if submission.kind not in ctx.flow.attachable():
        raise InputError(f"evidence kind {submission.kind.value} comes from its step and "
                         "cannot be uploaded directly")
    begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP)
    blob, _ = image_input(submission.data, ctx.limits, what=submission.kind.value)
    rec = record_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                      outcome=None, evidence=[NewEvidence(submission.kind, blob.mime, blob.data)],
                      move=False)
    return rec.evidence[0]


__all__ = ["Attachment", "attach_evidence"]
