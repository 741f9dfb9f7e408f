"""Typed request and response bodies: the OpenAPI document is the contract.

Every text field a client sends is :data:`Text`: control characters (NUL
among them) and lone UTF-16 surrogates are refused with 422, so no such value
reaches the database. Responses carry pass/fail and reasons, never scores.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool

from simkyc.domain.errors import InputError


def clean_text(value: str) -> str:
    """Refuse text no person types: C0/C1 controls (but tab, CR, LF) and lone surrogates."""
    for ch in value:
        o = ord(ch)
        if (o < 32 and ch not in "\t\r\n") or 0x7F <= o < 0xA0 or 0xD800 <= o <= 0xDFFF:
            raise ValueError("contains a control character or an unpaired surrogate")
    return value


Text = Annotated[str, AfterValidator(clean_text)]


def check_text_tree(value: Any, *, depth: int = 0) -> None:
    """:func:`clean_text` over every string (keys included) of a parsed JSON value."""
    if depth > 20:
        raise InputError("the JSON document is nested too deeply")
    if isinstance(value, str):
        try:
            clean_text(value)
        except ValueError as exc:
            raise InputError(f"a text value {exc}") from None
    elif isinstance(value, dict):
        for k, v in value.items():
            check_text_tree(k, depth=depth + 1)
            check_text_tree(v, depth=depth + 1)
    elif isinstance(value, list):
        for v in value:
            check_text_tree(v, depth=depth + 1)


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


ServiceKind = Literal["mobile", "landline", "broadband"]


# --- requests ---

class RegistrationCreate(Strict):
    consent: StrictBool = Field(description="The customer consented to capture and "
                                            "processing (JSON true; nothing else).")
    service_kind: ServiceKind | None = None
    service_id: Annotated[Text, Field(max_length=64)] | None = Field(
        default=None, description="MSISDN, line or account id.")
    language: Annotated[Text, Field(max_length=16)] | None = Field(
        default=None, description="The customer's language for prompts and digits "
                                  "(cmn, yue, en, ug, bo); fixed for the session.")


class RegistrationComplete(Strict):
    service_kind: ServiceKind | None = None
    service_id: Annotated[Text, Field(max_length=64)] | None = None
    iccid: Annotated[Text, Field(max_length=32)] | None = Field(
        default=None, description="The SIM card's ICCID (19 or 20 digits, Luhn), if any.")


class VoiceChallengeRequest(Strict):
    language: Annotated[Text, Field(max_length=16)] | None = Field(
        default=None, description="Must be the registration's language if given.")


class OverrideRequest(Strict):
    reason: Annotated[Text, Field(min_length=10, max_length=500)] = Field(
        description="Why the supervisor approves the voice step.")


class ReasonRequest(Strict):
    reason: Annotated[Text, Field(min_length=3, max_length=500)]


class AgentCreate(Strict):
    name: Annotated[Text, Field(min_length=1, max_length=200)]
    role: Literal["agent", "supervisor", "compliance", "auditor", "admin"]
    outlet: Annotated[Text, Field(max_length=200)] | None = None
    operator: Annotated[Text, Field(max_length=200)] = "default"
    token_days: int | None = Field(default=None, ge=1, le=3650,
                                   description="The token expires after this many days.")


class TokenCreate(Strict):
    label: Annotated[Text, Field(max_length=100)] = ""
    days: int | None = Field(default=None, ge=1, le=3650)


# --- responses ---

class Health(BaseModel):
    status: Literal["ok", "error"]
    database: str
    version: str
    error: str | None = None


class StageOut(BaseModel):
    stage: str
    passed: bool
    reasons: list[str]


class EvidenceOut(BaseModel):
    id: str
    kind: str
    content_type: str
    size: int
    created_at: datetime


class RegistrationOut(BaseModel):
    id: str
    status: str
    policy_version: str
    flow_version: str
    created_at: datetime
    updated_at: datetime
    consent_at: datetime | None
    expires_at: datetime | None
    service_kind: str | None
    language: str | None
    assisted_override: bool
    reasons: list[str]
    stages: list[StageOut]
    evidence: list[EvidenceOut]


class AttachedEvidence(BaseModel):
    id: str
    kind: str
    content_type: str
    size: int
    sha256: str


class StepOut(BaseModel):
    """A step's decision: pass/fail, reason codes, their texts in the customer's language."""

    stage: str
    passed: bool
    reasons: list[str]
    messages: list[str]
    status: str


class DocumentOut(StepOut):
    kind: str
    photo_found: bool


class LiveFaceOut(StepOut):
    faces_found: int


class ActionOut(BaseModel):
    action: str
    passed: bool


class LivenessOut(StepOut):
    steps: list[ActionOut]


class VoiceOut(StepOut):
    checks: dict[str, bool]
    attempt: int
    next: Literal["done", "retry", "supervisor_override"]


class OverrideOut(BaseModel):
    status: str
    assisted_override: bool
    approved_by: str
    attempts_used: int


class LivenessChallengeOut(BaseModel):
    nonce: str
    actions: list[str]
    screen_colours: list[str]
    colour_ms: int
    expires_at: datetime


class VoiceChallengeOut(BaseModel):
    nonce: str
    language: str
    attempt: int
    max_attempts: int
    numerals: str
    words: str
    instruction: str
    rate_wpm: int
    repeats: int
    prompt_audio_wav_base64: str | None
    expires_at: datetime


class LockoutOut(BaseModel):
    locked: bool
    until: datetime | None


class AgentOut(BaseModel):
    id: str
    name: str
    role: str
    outlet_id: str | None
    active: bool


class NewTokenOut(BaseModel):
    id: str
    name: str
    role: str
    outlet_id: str | None
    token: str
    token_id: str
    expires_at: datetime | None


class TokenOut(BaseModel):
    id: str
    agent_id: str
    label: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class AuditVerifyOut(BaseModel):
    intact: bool
    entries: int
    first_bad_seq: int | None
    problem: str | None = None


class FlowStepOut(BaseModel):
    name: str
    requires: list[str]
    on_pass: str | None
    on_fail: str | None
    keeps: list[str]
    uses: list[dict[str, str]]
    requires_evidence: list[str]
    challenge: str | None
    role: str
    customer_facing: bool


class FlowOut(BaseModel):
    version: str
    steps: list[FlowStepOut]


__all__ = [
    "ActionOut",
    "AgentCreate",
    "AgentOut",
    "AttachedEvidence",
    "AuditVerifyOut",
    "DocumentOut",
    "EvidenceOut",
    "FlowOut",
    "FlowStepOut",
    "Health",
    "LiveFaceOut",
    "LivenessChallengeOut",
    "LivenessOut",
    "LockoutOut",
    "NewTokenOut",
    "OverrideOut",
    "OverrideRequest",
    "ReasonRequest",
    "RegistrationComplete",
    "RegistrationCreate",
    "RegistrationOut",
    "ServiceKind",
    "StageOut",
    "StepOut",
    "Text",
    "TokenCreate",
    "TokenOut",
    "VoiceChallengeOut",
    "VoiceChallengeRequest",
    "VoiceOut",
    "check_text_tree",
    "clean_text",
]


# --- jobs (the celery run mode) ---

class JobErrorOut(BaseModel):
    error: str
    detail: str


class JobOut(BaseModel):
    """A step submitted to the workers. ``result``: once ``done``, the body the step's
    route answers in the inline mode (pass/fail and reasons); ``error``: once ``failed``,
    why no decision was reached (the envelope the inline route would have answered)."""

    id: str
    step: str
    registration_id: str
    status: Literal["queued", "running", "done", "failed"]
    attempts: int
    created_at: datetime
    updated_at: datetime
    finished_at: datetime | None
    result: dict[str, Any] | None
    error: JobErrorOut | None
