"""Live guidance before the face photo: the quality check on one camera frame, nothing kept.

The counter page sends a frame about once a second while the customer settles
in front of the camera and shows the first reason in the customer's language
("move closer", "more light"...). Nothing is stored and nothing counts toward
the document lockout: the live-face step (:mod:`simkyc.services.steps.live_face`)
re-runs the same check on the photo it keeps.
"""

from __future__ import annotations

from dataclasses import dataclass

from simkyc.domain.access import Permission, require
from simkyc.domain.parties import Agent
from simkyc.services.context import ServiceContext
from simkyc.services.media_input import image_input
from simkyc.services.ports import StageModels
from simkyc.services.registrations import load_visible


@dataclass(frozen=True)
class FaceGuidance:
    """``ready``: the frame would pass the live-face quality gate; else ``reasons``."""

    ready: bool
    reasons: tuple[str, ...]
    language: str | None


def guide_face(ctx: ServiceContext, models: StageModels, *, actor: Agent,
               registration_id: str, image: bytes) -> FaceGuidance:
    """The quality gate's verdict on one frame of a registration waiting for its live face."""
    from simkyc.face.quality import assess_face_quality

    require(actor, Permission.RUN_REGISTRATIONS, "check camera frames")
    with ctx.uow() as tx:
        reg = load_visible(tx, actor, registration_id)
    ctx.flow.step("live_face").check_can_run(reg.status)
    _, frame = image_input(image, ctx.limits, what="guidance frame")
    with models.mesh_factory()(static_image_mode=True, max_num_faces=1) as mesh:
        quality = assess_face_quality(frame, models.face(), policy=ctx.policy.face, mesh=mesh)
    return FaceGuidance(ready=quality.passed, reasons=tuple(quality.reasons),
                        language=reg.language)


__all__ = ["FaceGuidance", "guide_face"]
