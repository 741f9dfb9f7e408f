"""Registration sessions: open one, read it, attach the upper-body photo, register, lockouts.

Clients see status, pass/fail and reason codes; never raw scores.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, Path, UploadFile, status

from simkyc.api.deps import ActorDep, ContextDep, SettingsDep, read_upload
from simkyc.api.errors import error_responses
from simkyc.api.routes._present import registration_body
from simkyc.api.schemas import (
    AttachedEvidence,
    LockoutOut,
    ReasonRequest,
    RegistrationComplete,
    RegistrationCreate,
    RegistrationOut,
)
from simkyc.domain.evidence import EvidenceKind
from simkyc.services import lockouts
from simkyc.services.registrations import start_registration, view_registration
from simkyc.services.steps import Attachment, ServiceToRegister, attach_evidence, run_register

router = APIRouter(prefix="/api/v1/registrations", tags=["registrations"])

RegistrationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$",
                                     description="Registration id (32 hex digits).")]
COMMON = (400, 401, 403, 404, 409, 422, 423, 429)


@router.post("", status_code=status.HTTP_201_CREATED, response_model=RegistrationOut,
             operation_id="create_registration", responses=error_responses(*COMMON))
def create_registration(body: RegistrationCreate, actor: ActorDep,
                        ctx: ContextDep) -> dict[str, Any]:
    """Open a registration session at the agent's outlet (consent required)."""
    reg = start_registration(ctx, actor=actor, consent=body.consent,
                             service_kind=body.service_kind, service_id=body.service_id,
                             language=body.language)
    return registration_body(view_registration(ctx, actor=actor, registration_id=reg.id))


@router.get("/{registration_id}", response_model=RegistrationOut,
            operation_id="read_registration", responses=error_responses(401, 404, 422, 429))
def read_registration(registration_id: RegistrationId, actor: ActorDep,
                      ctx: ContextDep) -> dict[str, Any]:
    """Status, stage outcomes (pass/fail, reasons) and the evidence kept."""
    return registration_body(view_registration(ctx, actor=actor,
                                               registration_id=registration_id))


@router.post("/{registration_id}/evidence/{kind}", status_code=status.HTTP_201_CREATED,
             response_model=AttachedEvidence, operation_id="attach_evidence",
             responses=error_responses(*COMMON, 413, 415))
def upload_evidence(
    registration_id: RegistrationId,
    kind: EvidenceKind,
    actor: ActorDep,
    ctx: ContextDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The image (the upper-body photo).")],
) -> dict[str, Any]:
    """Attach evidence no step produces (``upper_body``); stored encrypted."""
    data = read_upload(file, max_bytes=settings.max_image_bytes, what="file")
    ref = attach_evidence(ctx, actor=actor, registration_id=registration_id,
                          submission=Attachment(kind=kind, data=data))
    return {"id": ref.id, "kind": ref.kind.value, "content_type": ref.content_type,
            "size": ref.size, "sha256": ref.sha256}


@router.post("/{registration_id}/register", response_model=RegistrationOut,
             operation_id="register_service", responses=error_responses(*COMMON))
def complete_registration(registration_id: RegistrationId, body: RegistrationComplete,
                          actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """Register the service once every check passed (status ``face_matched``).

    Rules (the upper-body photo kept, at most N numbers per identity per
    operator) may reject it; the response then has status ``rejected`` and the
    reason. A phone number or ICCID that fails its check is refused with 422
    ``service_invalid`` (``reasons``, ``messages``) and nothing changes.
    """
    run_register(ctx, actor=actor, registration_id=registration_id,
                 submission=ServiceToRegister(service_kind=body.service_kind,
                                              service_id=body.service_id, iccid=body.iccid))
    return registration_body(view_registration(ctx, actor=actor,
                                               registration_id=registration_id))


@router.get("/{registration_id}/lockout", response_model=LockoutOut,
            operation_id="read_lockout", responses=error_responses(401, 403, 404, 422, 429))
def read_lockout(registration_id: RegistrationId, actor: ActorDep,
                 ctx: ContextDep) -> dict[str, Any]:
    """Whether the document seen on this registration is locked after repeated failures."""
    s = lockouts.lockout_status(ctx, actor=actor, registration_id=registration_id)
    return {"locked": s.locked, "until": s.until}


@router.post("/{registration_id}/lockout/lift", response_model=LockoutOut,
             operation_id="lift_lockout", responses=error_responses(*COMMON))
def lift_lockout(registration_id: RegistrationId, body: ReasonRequest, actor: ActorDep,
                 ctx: ContextDep) -> dict[str, Any]:
    """A supervisor lifts the lockout of the document seen on this registration (audited)."""
    s = lockouts.lift_lockout(ctx, actor=actor, registration_id=registration_id,
                              reason=body.reason)
    return {"locked": s.locked, "until": s.until}


__all__ = ["RegistrationId", "router"]
