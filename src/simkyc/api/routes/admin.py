"""Accounts and tokens, evidence review, crypto-shredding and the audit chain."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Response, status

from simkyc.api.deps import ActorDep, ContextDep
from simkyc.api.errors import error_responses, evidence_content
from simkyc.api.schemas import (
    AgentCreate,
    AgentOut,
    AuditVerifyOut,
    NewTokenOut,
    ReasonRequest,
    TokenCreate,
    TokenOut,
)
from simkyc.domain.parties import Agent, Role
from simkyc.services import accounts, audit, evidence
from simkyc.services.accounts import NewToken
from simkyc.services.ports import TokenInfo

router = APIRouter(prefix="/api/v1", tags=["administration"])

Hex32 = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
AUTH = (401, 403, 429)


def _agent(a: Agent) -> dict[str, Any]:
    return {"id": a.id, "name": a.name, "role": a.role.value, "outlet_id": a.outlet_id,
            "active": a.active}


def _token(t: TokenInfo) -> dict[str, Any]:
    return {"id": t.id, "agent_id": t.agent_id, "label": t.label, "created_at": t.created_at,
            "expires_at": t.expires_at, "revoked_at": t.revoked_at,
            "last_used_at": t.last_used_at}


def _new_token(n: NewToken) -> dict[str, Any]:
    return {"id": n.agent.id, "name": n.agent.name, "role": n.agent.role.value,
            "outlet_id": n.agent.outlet_id, "token": n.token, "token_id": n.info.id,
            "expires_at": n.info.expires_at}


@router.post("/agents", status_code=status.HTTP_201_CREATED, response_model=NewTokenOut,
             operation_id="create_agent", responses=error_responses(*AUTH, 400, 409, 422))
def create_agent(body: AgentCreate, actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """Create an account. Its token is returned once and stored only as a hash."""
    return _new_token(accounts.create_account(
        ctx, name=body.name, role=Role(body.role), outlet_name=body.outlet,
        operator_name=body.operator, actor=actor, token_days=body.token_days))


@router.get("/agents", response_model=list[AgentOut], operation_id="list_agents",
            responses=error_responses(*AUTH))
def list_agents(actor: ActorDep, ctx: ContextDep) -> list[dict[str, Any]]:
    """Every account (no tokens)."""
    return [_agent(a) for a in accounts.list_accounts(ctx, actor=actor)]


@router.post("/agents/{agent_id}/tokens", status_code=status.HTTP_201_CREATED,
             response_model=NewTokenOut, operation_id="issue_token",
             responses=error_responses(*AUTH, 404, 422))
def issue_token(agent_id: Hex32, body: TokenCreate, actor: ActorDep,
                ctx: ContextDep) -> dict[str, Any]:
    """A further token for an account (e.g. an integration); returned once."""
    return _new_token(accounts.issue_token(ctx, agent_id=agent_id, label=body.label,
                                           days=body.days, actor=actor))


@router.get("/tokens", response_model=list[TokenOut], operation_id="list_tokens",
            responses=error_responses(*AUTH))
def list_tokens(actor: ActorDep, ctx: ContextDep) -> list[dict[str, Any]]:
    """Every token's record (never the token): created, expiry, last use, revocation."""
    return [_token(t) for t in accounts.list_tokens(ctx, actor=actor)]


@router.post("/tokens/{token_id}/revoke", response_model=TokenOut, operation_id="revoke_token",
             responses=error_responses(*AUTH, 404, 422))
def revoke_token(token_id: Hex32, actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """Revoke a token at once (audited)."""
    return _token(accounts.revoke_token(ctx, token_id=token_id, actor=actor))


@router.get("/evidence/{evidence_id}", operation_id="download_evidence",
            response_class=Response,
            responses={200: evidence_content("The decrypted evidence item."),
                       **error_responses(*AUTH, 404, 410, 422, 500)})
def download_evidence(evidence_id: Hex32, actor: ActorDep, ctx: ContextDep) -> Response:
    """Decrypt one evidence item for a compliance review (audited)."""
    ref, data = evidence.read_evidence(ctx, actor=actor, evidence_id=evidence_id)
    return Response(content=data, media_type=ref.content_type,
                    headers={"X-Content-SHA256": ref.sha256, "Cache-Control": "no-store",
                             "Content-Disposition": f'attachment; filename="{ref.id}"'})


@router.post("/registrations/{registration_id}/destroy-evidence",
             status_code=status.HTTP_204_NO_CONTENT, response_class=Response,
             operation_id="destroy_evidence", responses=error_responses(*AUTH, 404, 422))
def destroy_evidence(registration_id: Hex32, body: ReasonRequest, actor: ActorDep,
                     ctx: ContextDep) -> Response:
    """Erase the registration's data key: its evidence becomes unreadable for good."""
    evidence.destroy_evidence_key(ctx, actor=actor, registration_id=registration_id,
                                  reason=body.reason)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.get("/audit/verify", response_model=AuditVerifyOut, operation_id="verify_audit",
            responses=error_responses(*AUTH))
def verify_audit(actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """Recompute the audit hash chain."""
    r = audit.verify_audit(ctx, actor=actor)
    return {"intact": r.intact, "entries": r.entries, "first_bad_seq": r.first_bad_seq,
            "problem": r.problem}


__all__ = ["router"]
