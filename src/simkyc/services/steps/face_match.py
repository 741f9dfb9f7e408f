"""Step 5, the 1:1 match: the document's face against the live face.

The two faces are exactly the ones the flow names (``uses``): the document
photo the accepted document step extracted and the frame the passed liveness
step chose, each read through the outcome that produced it, so nothing
attached afterwards can stand in for them. A match moves the registration to
``face_matched``; a mismatch (or an unusable reference) rejects it with the
reasons. The distance and threshold stay in the server-side stage record.
"""

from __future__ import annotations

from typing import Any

from simkyc.domain.errors import ConflictError
from simkyc.domain.parties import Agent
from simkyc.domain.results import StageOutcome
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import UnreadableEvidence, audit_failed_read, bound_evidence
from simkyc.services.ports import StageModels
from simkyc.services.registrations import load_visible
from simkyc.services.steps.common import StepResult, begin_step, record_step

STEP = "face_match"


def run_face_match(ctx: ServiceContext, models: StageModels, *, actor: Agent,
                   registration_id: str) -> StepResult:
    """Compare the bound document photo with the bound live face, 1:1, and record it."""
    from simkyc.face.matching import match_faces

    begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP)
    inputs = []
    try:
        with ctx.uow() as tx:
            reg = load_visible(tx, actor, registration_id)
            for step, kind in ctx.flow.step(STEP).uses:
                item = bound_evidence(ctx, tx, reg, step=step, kind=kind, actor_id=actor.id)
                if item is None:
                    raise ConflictError(f"no {kind.value} from the {step} step is stored "
                                        "for this registration")
                inputs.append(item)
    except UnreadableEvidence as exc:
        audit_failed_read(ctx, exc, actor_id=actor.id)
        raise
    (ref_row, reference), (live_row, live) = inputs
    face_models = models.face()
    with models.mesh_factory()(static_image_mode=True, max_num_faces=1) as mesh:
        result = match_faces(reference, live, face_models, policy=ctx.policy.face, mesh=mesh)
    reasons = result.reasons
    if not result.decided and any(r.startswith("reference:") for r in reasons):
        reasons = ("reference_unusable", *reasons)
    outcome = StageOutcome(
        stage=STEP, passed=result.match, reasons=reasons, model=result.model,
        policy_version=ctx.policy.version,
        details={"distance": result.distance, "threshold": result.threshold,
                 "decided": result.decided, "reference_evidence": ref_row.id,
                 "live_evidence": live_row.id})

    def public(reg: Any, passed: bool, reasons: tuple[str, ...]) -> StepResult:
        return StepResult(step=STEP, registration_id=reg.id, passed=passed, reasons=reasons,
                          status=reg.status, language=reg.language)

    rec = record_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                      outcome=outcome)
    return public(rec.registration, rec.passed, rec.reasons)


__all__ = ["run_face_match"]
