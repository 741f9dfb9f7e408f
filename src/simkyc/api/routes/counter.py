"""What the shop counter page needs beyond the steps: a supervisor's signature at the
counter (voice override, lockout lift), the consent receipt (JSON and PDF) and the
service check (phone number, ICCID)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, File, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, Field

from simkyc.api.deps import (
    ActorDep,
    ContextDep,
    ModelsDep,
    SettingsDep,
    client_key,
    read_upload,
)
from simkyc.api.errors import error_responses
from simkyc.api.routes.registrations import COMMON, RegistrationId
from simkyc.api.schemas import LivenessChallengeOut, LockoutOut, OverrideOut, Strict, Text
from simkyc.i18n import reason_text, resolve_language
from simkyc.services import consent, cosign
from simkyc.services.face_guidance import guide_face
from simkyc.services.service_numbers import check_service
from simkyc.services.steps import issue_liveness_challenge

router = APIRouter(prefix="/api/v1", tags=["counter"])

Lang = Annotated[str | None, Query(max_length=35, pattern=r"^[A-Za-z0-9_-]+$",
                                   description="UI language (default: the customer's).")]


class SupervisorSignature(Strict):
    username: Annotated[Text, Field(min_length=1, max_length=100)]
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    reason: Annotated[Text, Field(min_length=10, max_length=500)]


class ReceiptOut(BaseModel):
    receipt_id: str
    registration_id: str
    consent_at: datetime
    outlet_name: str
    language: str
    direction: str
    title: str
    lines: list[str]
    retention: str
    rights: str


class ServiceCheckRequest(Strict):
    kind: Literal["mobile", "landline", "broadband"]
    number: Annotated[Text, Field(min_length=1, max_length=64)]
    iccid: Annotated[Text, Field(max_length=32)] | None = None
    region: Annotated[str, Field(pattern=r"^[A-Z]{2}$")] = "CN"
    language: Annotated[str, Field(max_length=35, pattern=r"^[A-Za-z0-9_-]+$")] = "en"


class ServiceCheckOut(BaseModel):
    valid: bool
    number: str | None
    iccid: str | None
    reasons: list[str]
    messages: list[str]


class GuidanceOut(BaseModel):
    ready: bool
    reasons: list[str]
    messages: list[str]


@router.post("/registrations/{registration_id}/face-guidance", response_model=GuidanceOut,
             operation_id="guide_face", responses=error_responses(*COMMON, 413, 415))
def face_guidance(registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep,
                  settings: SettingsDep, models: ModelsDep,
                  file: Annotated[UploadFile, File(description="One camera frame (JPEG).")]
                  ) -> dict[str, Any]:
    """The live-face quality check on one frame, for live guidance; nothing is kept."""
    data = read_upload(file, max_bytes=settings.max_image_bytes, what="frame")
    g = guide_face(ctx, models, actor=actor, registration_id=registration_id, image=data)
    return {"ready": g.ready, "reasons": list(g.reasons),
            "messages": [reason_text(r, g.language) for r in g.reasons]}


@router.post("/registrations/{registration_id}/liveness/challenge/no-flash",
             status_code=status.HTTP_201_CREATED, response_model=LivenessChallengeOut,
             operation_id="issue_liveness_challenge_no_flash",
             responses=error_responses(*COMMON))
def challenge_without_flash(registration_id: RegistrationId, actor: ActorDep,
                            ctx: ContextDep) -> dict[str, Any]:
    """A liveness challenge without the screen-colour flash (photosensitive customers;
    audited as ``liveness.no_flash``): the actions only."""
    c = issue_liveness_challenge(ctx, actor=actor, registration_id=registration_id,
                                 flash=False)
    return {"nonce": c.nonce, "actions": list(c.actions),
            "screen_colours": list(c.screen_colours), "colour_ms": c.colour_ms,
            "expires_at": c.expires_at}


@router.post("/registrations/{registration_id}/voice/override/signed",
             response_model=OverrideOut, operation_id="approve_voice_override_signed",
             responses=error_responses(*COMMON))
def override_signed(registration_id: RegistrationId, body: SupervisorSignature,
                    request: Request, actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """The supervisor signs the voice override at the agent's counter with their own
    user name and password (the agent stays signed in)."""
    r = cosign.cosigned_voice_override(
        ctx, agent=actor, registration_id=registration_id, username=body.username,
        password=body.password, reason=body.reason, client=client_key(request),
        throttle=request.app.state.auth_throttle)
    return {"status": r.status.value, "assisted_override": True,
            "approved_by": r.details["approved_by"], "attempts_used": r.attempt or 0}


@router.post("/registrations/{registration_id}/lockout/lift/signed",
             response_model=LockoutOut, operation_id="lift_lockout_signed",
             responses=error_responses(*COMMON))
def lift_signed(registration_id: RegistrationId, body: SupervisorSignature, request: Request,
                actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """The supervisor lifts the document's lockout at the agent's counter (own credentials)."""
    s = cosign.cosigned_lockout_lift(
        ctx, agent=actor, registration_id=registration_id, username=body.username,
        password=body.password, reason=body.reason, client=client_key(request),
        throttle=request.app.state.auth_throttle)
    return {"locked": s.locked, "until": s.until}


@router.get("/registrations/{registration_id}/consent-receipt", response_model=ReceiptOut,
            operation_id="read_consent_receipt",
            responses=error_responses(401, 403, 404, 422, 429))
def read_receipt(registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep,
                 lang: Lang = None) -> dict[str, Any]:
    """The consent receipt: its id, when, where, what is captured and why, how long kept."""
    r = consent.consent_receipt(ctx, actor=actor, registration_id=registration_id,
                                language=lang)
    return {**r.__dict__, "lines": list(r.lines)}


@router.get("/registrations/{registration_id}/consent-receipt.pdf",
            operation_id="read_consent_receipt_pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}},
                             "description": "The receipt as a PDF."},
                       **error_responses(401, 403, 404, 422, 429, 500)})
def read_receipt_pdf(registration_id: RegistrationId, actor: ActorDep, ctx: ContextDep,
                     lang: Lang = None) -> Response:
    """The consent receipt as a PDF (A5) in the customer's language."""
    from simkyc.services.receipt_pdf import render_receipt_pdf

    r = consent.consent_receipt(ctx, actor=actor, registration_id=registration_id,
                                language=lang)
    return Response(content=render_receipt_pdf(r), media_type="application/pdf",
                    headers={"Cache-Control": "no-store",
                             "Content-Disposition":
                                 f'inline; filename="{r.receipt_id}.pdf"'})


@router.post("/service-check", response_model=ServiceCheckOut, operation_id="check_service",
             responses=error_responses(401, 403, 422, 429))
def service_check(body: ServiceCheckRequest, actor: ActorDep) -> dict[str, Any]:
    """Check a phone number (``phonenumbers``) and the SIM's ICCID (Luhn) before
    registering; reasons in ``language``."""
    c = check_service(body.kind, body.number, iccid=body.iccid, region=body.region)
    lang = resolve_language(body.language)
    return {"valid": c.valid, "number": c.number, "iccid": c.iccid,
            "reasons": list(c.reasons), "messages": [reason_text(x, lang) for x in c.reasons]}


__all__ = ["router"]
