"""Registration sessions: create, read status, upload evidence for a step.

Clients see status, pass/fail and reason codes; never raw scores.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, HTTPException, Path, UploadFile, status
from pydantic import BaseModel, Field

from simkyc.api.deps import (
    ActorDep,
    RegistrarDep,
    ServiceDep,
    SettingsDep,
    max_bytes_for,
    read_upload_sync,
)
from simkyc.domain.evidence import EvidenceKind
from simkyc.workflow import NewEvidence

router = APIRouter(prefix="/api/v1/registrations", tags=["registrations"])

RegistrationId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$",
                                     description="Registration id (32 hex digits).")]

#: Evidence an agent may attach directly, and the media family it must be. Only
#: what no step produces: the document photo, the live face, the videos and the
#: audio come from their steps alone (an uploaded one could stand in for them).
EVIDENCE_FAMILY: dict[EvidenceKind, tuple[str, ...]] = {
    EvidenceKind.UPPER_BODY: ("image",),
}


class RegistrationCreate(BaseModel):
    consent: bool = Field(description="The customer consented to capture and processing.")
    service_kind: Literal["mobile", "landline", "broadband"] | None = None
    service_id: str | None = Field(default=None, max_length=64,
                                   description="MSISDN, line or account id.")
    language: str | None = Field(default=None, max_length=16,
                                 description="The customer's language for prompts, e.g. cmn.")


@router.post("", status_code=status.HTTP_201_CREATED)
def create_registration(body: RegistrationCreate, actor: RegistrarDep,
                        service: ServiceDep) -> dict[str, Any]:
    """Open a registration session at the agent's outlet (consent required)."""
    reg = service.start_registration(actor=actor, consent=body.consent,
                                     service_kind=body.service_kind, service_id=body.service_id,
                                     language=body.language)
    return service.registration_view(actor=actor, registration_id=reg.id)


@router.get("/{registration_id}")
def read_registration(registration_id: RegistrationId, actor: ActorDep,
                      service: ServiceDep) -> dict[str, Any]:
    """Status, stage outcomes (pass/fail, reasons) and the evidence kept."""
    return service.registration_view(actor=actor, registration_id=registration_id)


@router.post("/{registration_id}/evidence/{kind}", status_code=status.HTTP_201_CREATED)
def upload_evidence(
    registration_id: RegistrationId,
    kind: EvidenceKind,
    actor: RegistrarDep,
    service: ServiceDep,
    settings: SettingsDep,
    file: Annotated[UploadFile, File(description="The image, video or audio.")],
) -> dict[str, Any]:
    """Attach evidence to a step (stored encrypted). Type is checked from the bytes."""
    families = EVIDENCE_FAMILY.get(kind)
    if families is None:
        raise HTTPException(status.HTTP_400_BAD_REQUEST,
                            detail=f"evidence kind {kind.value} comes from its step and "
                                   "cannot be uploaded directly")
    data, mime = read_upload_sync(file, max_bytes=max_bytes_for(settings, families[0]),
                                   families=families)
    if families == ("image",):
        from simkyc.media.images import decode_image

        decode_image(data, max_bytes=settings.max_image_bytes)  # refuse corrupt / bombs
    _, refs = service.record_stage(actor=actor, registration_id=registration_id, outcome=None,
                                   evidence=[NewEvidence(kind, mime, data)])
    ref = refs[0]
    return {"id": ref.id, "kind": ref.kind.value, "content_type": ref.content_type,
            "size": ref.size, "sha256": ref.sha256}


class RegistrationComplete(BaseModel):
    service_kind: Literal["mobile", "landline", "broadband"] | None = None
    service_id: str | None = Field(default=None, max_length=64)


@router.post("/{registration_id}/register")
def complete_registration(registration_id: RegistrationId, body: RegistrationComplete,
                          actor: RegistrarDep, service: ServiceDep) -> dict[str, Any]:
    """Register the service once every check passed (status ``face_matched``).

    Rules (e.g. at most N numbers per identity per operator) may reject it;
    the response then has status ``rejected`` and the reason.
    """
    service.complete_registration(actor=actor, registration_id=registration_id,
                                  service_kind=body.service_kind, service_id=body.service_id)
    return service.registration_view(actor=actor, registration_id=registration_id)
