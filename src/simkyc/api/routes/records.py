"""Signed records, the JWKS, deliveries, ending a service, retention and subject rights."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Response

from simkyc.api.deps import ActorDep, ContextDep
from simkyc.api.errors import error_responses
from simkyc.api.records_schemas import (
    DeliveryOut,
    ErasureOut,
    JwksOut,
    PurgeOut,
    RecordOut,
    ServiceEnd,
    SubjectErasure,
    SubjectRequest,
)
from simkyc.domain.errors import ConfigurationError
from simkyc.services import outbox, records, retention, subject_rights
from simkyc.services.records_ports import DeliveryStatus, OutboxItem

router = APIRouter(tags=["records"])
Hex32 = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
AUTH = (401, 403, 429)


@router.get("/.well-known/jwks.json", response_model=JwksOut, operation_id="read_jwks",
            responses=error_responses(500))
def jwks(ctx: ContextDep) -> dict[str, Any]:
    """The operator's record-signing public keys (current first; older ones kept so older
    records still verify)."""
    if ctx.signer is None:
        raise ConfigurationError("no record-signing key is configured")
    return ctx.signer.jwks()


@router.get("/api/v1/registrations/{registration_id}/records", response_model=list[RecordOut],
            operation_id="list_records", responses=error_responses(*AUTH, 404, 422))
def list_records(registration_id: Hex32, actor: ActorDep, ctx: ContextDep
                 ) -> list[dict[str, Any]]:
    """A registration's signed records, one per delivery profile (audited read)."""
    return [vars(r) for r in records.registration_records(ctx, actor=actor,
                                                          registration_id=registration_id)]


@router.post("/api/v1/registrations/{registration_id}/service/end", status_code=204,
             operation_id="end_service", responses=error_responses(*AUTH, 404, 409, 422))
def end_service(registration_id: Hex32, body: ServiceEnd, actor: ActorDep,
                ctx: ContextDep) -> Response:
    """The registered service ended (ported out, cancelled): it frees its count."""
    records.end_service(ctx, actor=actor, registration_id=registration_id, reason=body.reason)
    return Response(status_code=204)


def _delivery(i: OutboxItem) -> dict[str, Any]:
    return {"id": i.id, "record_id": i.record_id, "sink": i.sink, "status": i.status.value,
            "attempts": i.attempts, "next_attempt_at": i.next_attempt_at,
            "last_error": i.last_error, "delivered_at": i.delivered_at}


@router.get("/api/v1/outbox", response_model=list[DeliveryOut], operation_id="list_deliveries",
            responses=error_responses(*AUTH, 422))
def list_deliveries(actor: ActorDep, ctx: ContextDep,
                    status: Annotated[DeliveryStatus | None, Query()] = None
                    ) -> list[dict[str, Any]]:
    """Record deliveries, newest first (admins)."""
    return [_delivery(i) for i in outbox.list_deliveries(ctx, actor=actor, status=status)]


@router.post("/api/v1/outbox/{delivery_id}/retry", response_model=DeliveryOut,
             operation_id="retry_delivery", responses=error_responses(*AUTH, 404, 409, 422))
def retry_delivery(delivery_id: Hex32, actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """Put a parked delivery back in line now (audited)."""
    return _delivery(outbox.retry_delivery(ctx, actor=actor, delivery_id=delivery_id))


@router.post("/api/v1/retention/purge", response_model=PurgeOut, operation_id="purge",
             responses=error_responses(*AUTH, 422))
def purge(actor: ActorDep, ctx: ContextDep,
          dry_run: Annotated[bool, Query()] = False) -> dict[str, Any]:
    """Apply the retention schedule now (admins; tombstoned and audited)."""
    return retention.purge(ctx, actor=actor, dry_run=dry_run).to_dict()


@router.post("/api/v1/subjects/export", operation_id="export_subject",
             response_class=Response,
             responses={200: {"content": {"application/zip": {}},
                              "description": "The customer's records and evidence (ZIP)."},
                        **error_responses(*AUTH, 400, 404, 422)})
def export_subject(body: SubjectRequest, actor: ActorDep, ctx: ContextDep) -> Response:
    """An access request: the customer's records and evidence as a ZIP (compliance; audited)."""
    data = subject_rights.export_subject(ctx, actor=actor, number=body.number,
                                         issuing_state=body.issuing_state)
    return Response(content=data, media_type="application/zip",
                    headers={"Content-Disposition": 'attachment; filename="subject.zip"'})


@router.post("/api/v1/subjects/erase", response_model=ErasureOut, operation_id="erase_subject",
             responses=error_responses(*AUTH, 400, 404, 422))
def erase_subject(body: SubjectErasure, actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """Erase (crypto-shred) what the law allows of a customer's data (compliance; audited)."""
    return subject_rights.erase_subject(ctx, actor=actor, number=body.number,
                                        issuing_state=body.issuing_state,
                                        reason=body.reason).to_dict()


__all__ = ["router"]
