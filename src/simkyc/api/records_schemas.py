"""Schemas of the records routes (issue 14): records, deliveries, services, subject rights."""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field


class JwkOut(BaseModel):
    model_config = ConfigDict(extra="allow")
    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


class JwksOut(BaseModel):
    keys: list[JwkOut]


class RecordOut(BaseModel):
    id: str
    registration_id: str
    profile: str
    kid: str
    policy_sha256: str
    policy_current: bool = Field(description="Decided under the policy in force now.")
    created_at: datetime
    jws: str | None = Field(description="The signed record (compact JWS); null once purged.")
    purged_at: datetime | None


class DeliveryOut(BaseModel):
    id: str
    record_id: str
    sink: str
    status: Literal["pending", "delivered", "parked"]
    attempts: int
    next_attempt_at: datetime
    last_error: str
    delivered_at: datetime | None


class ServiceEnd(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: Literal["ported_out", "cancelled"]


class SubjectRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")
    number: str = Field(min_length=1, max_length=64, description="The document number.")
    issuing_state: str = Field(default="CHN", min_length=1, max_length=3)


class SubjectErasure(SubjectRequest):
    reason: str = Field(min_length=1, max_length=500, description="The request's reference.")


class ErasureOut(BaseModel):
    erased: list[str]
    held: dict[str, str]


class PurgeOut(BaseModel):
    dry_run: bool
    purged: int
    items: list[dict[str, Any]]
    keys_destroyed: list[str]
    expired: list[str]


__all__ = ["DeliveryOut", "ErasureOut", "JwksOut", "PurgeOut", "RecordOut", "ServiceEnd",
           "SubjectErasure", "SubjectRequest"]
