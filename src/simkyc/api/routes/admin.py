"""Accounts, evidence review, crypto-shredding and the audit chain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status
from pydantic import BaseModel, Field

from simkyc.api.deps import ServiceDep, require_roles
from simkyc.domain.parties import Agent, Role

router = APIRouter(prefix="/api/v1", tags=["administration"])

AdminDep = Annotated[Agent, Depends(require_roles(Role.ADMIN))]
ReviewerDep = Annotated[Agent, Depends(require_roles(Role.COMPLIANCE))]
AuditReaderDep = Annotated[Agent, Depends(require_roles(Role.AUDITOR, Role.COMPLIANCE,
                                                        Role.ADMIN))]
Hex32 = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]


class AgentCreate(BaseModel):
    name: str = Field(min_length=1, max_length=200)
    role: Role
    outlet: str | None = Field(default=None, max_length=200)
    operator: str = Field(default="default", max_length=200)


@router.post("/agents", status_code=status.HTTP_201_CREATED)
def create_agent(body: AgentCreate, actor: AdminDep, service: ServiceDep) -> dict[str, Any]:
    """Create an account. The token is returned once and stored only as a hash."""
    agent, token = service.create_agent(name=body.name, role=body.role,
                                        outlet_name=body.outlet, operator_name=body.operator,
                                        actor=actor)
    return {"id": agent.id, "name": agent.name, "role": agent.role.value,
            "outlet_id": agent.outlet_id, "token": token}


@router.get("/evidence/{evidence_id}")
def download_evidence(evidence_id: Hex32, actor: ReviewerDep, service: ServiceDep) -> Response:
    """Decrypt one evidence item for a compliance review (audited)."""
    ref, data = service.read_evidence(actor=actor, evidence_id=evidence_id)
    return Response(content=data, media_type=ref.content_type,
                    headers={"X-Content-SHA256": ref.sha256, "Cache-Control": "no-store"})


class KeyDestroy(BaseModel):
    reason: str = Field(min_length=3, max_length=500)


@router.post("/registrations/{registration_id}/destroy-evidence",
             status_code=status.HTTP_204_NO_CONTENT)
def destroy_evidence(registration_id: Hex32, body: KeyDestroy, actor: AdminDep,
                     service: ServiceDep) -> Response:
    """Erase the registration's data key: its evidence becomes unreadable for good."""
    service.destroy_evidence_key(actor=actor, registration_id=registration_id,
                                 reason=body.reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/audit/verify")
def verify_audit(actor: AuditReaderDep, service: ServiceDep) -> dict[str, Any]:
    """Recompute the audit hash chain."""
    return service.verify_audit(actor=actor)
