"""Step 2, face the camera: the live capture's quality gate.

One camera image: one face, large enough, inside the frame, sharp, lit,
frontal, eyes open (:func:`simkyc.face.quality.assess_face_quality`). On a
pass the image is kept encrypted and the registration moves
``document_checked -> live_face_captured``; a failed capture keeps no image
and leaves the status as it is, so the customer can try again (up to the
policy's cap); the reasons map to instructions in the customer's language.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.parties import Agent
from simkyc.domain.results import StageOutcome
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import NewEvidence
from simkyc.services.media_input import image_input
from simkyc.services.ports import StageModels
from simkyc.services.steps.common import StepResult, begin_step, record_step, request_digest

STEP = "live_face"


@dataclass(frozen=True)
class LiveCapture:
    """One camera image of the customer's face (JPEG, PNG, WebP)."""

    image: bytes


def run_live_face(ctx: ServiceContext, models: StageModels, *, actor: Agent,
                  registration_id: str, submission: LiveCapture,
                  idempotency_key: str | None = None) -> StepResult:
    """Quality-check a live capture; keep it and move on if it is usable."""
    from simkyc.face.quality import assess_face_quality

    digest = request_digest(STEP, submission.image)
    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                       idempotency_key=idempotency_key, request_sha256=digest)
    if begun.replay is not None:
        return begun.replay
    blob, image = image_input(submission.image, ctx.limits, what="live capture")
    face_models = models.face()
    with models.mesh_factory()(static_image_mode=True, max_num_faces=1) as mesh:
        quality = assess_face_quality(image, face_models, policy=ctx.policy.face, mesh=mesh)
    outcome = StageOutcome(
        stage=STEP, passed=quality.passed, reasons=quality.reasons,
        model=f"{ctx.policy.face.detector}+{face_models.model_id}",
        policy_version=ctx.policy.version,
        details={"faces_found": quality.faces_found,
                 "checks": [c.to_dict() for c in quality.checks]})
    evidence = [NewEvidence(EvidenceKind.LIVE_FACE, blob.mime, blob.data)] if quality.passed \
        else []

    def result(reg: Any, passed: bool, reasons: tuple[str, ...]) -> StepResult:
        return StepResult(step=STEP, registration_id=reg.id, passed=passed,
                          reasons=reasons, status=reg.status,
                          language=reg.language, details={"faces_found": quality.faces_found})

    rec = record_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                      outcome=outcome, evidence=evidence, result=result,
                      idempotency_key=idempotency_key, request_sha256=digest)
    return result(rec.registration, rec.passed, rec.reasons)


__all__ = ["LiveCapture", "run_live_face"]
