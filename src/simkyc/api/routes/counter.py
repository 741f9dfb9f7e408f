"""What the shop counter page needs beyond the steps: a supervisor's signature at the
counter (voice override, lockout lift), the consent receipt (JSON and PDF) and the
service check (phone number, ICCID)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request, Response
from pydantic import BaseModel, Field

from simkyc.api.deps import ActorDep, ContextDep, client_key
from simkyc.api.errors import error_responses
from simkyc.api.routes.registrations import COMMON, RegistrationId
from simkyc.api.schemas import LockoutOut, OverrideOut, Strict, Text
from simkyc.i18n import reason_text, resolve_language
from simkyc.services import consent, cosign
from simkyc.services.service_numbers import check_service

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
