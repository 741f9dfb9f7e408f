"""Step 1, the identity document: ``POST .../document`` (a photo) or ``.../document/reader-record``.

See :mod:`simkyc.services.steps.document` for what the step decides and keeps.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, UploadFile

from simkyc.api.deps import (
    ActorDep,
    ContextDep,
    IdempotencyKey,
    ModelsDep,
    SettingsDep,
    read_upload,
)
from simkyc.api.errors import error_responses
from simkyc.api.routes._present import step_body
from simkyc.api.routes.registrations import COMMON, RegistrationId
from simkyc.api.schemas import DocumentOut, check_text_tree
from simkyc.services.steps import DocumentPhoto, ReaderRecord, StepResult, run_document

router = APIRouter(prefix="/api/v1/registrations", tags=["document"])


def _body(result: StepResult) -> dict[str, Any]:
    return {**step_body(result), "kind": result.details["kind"],
            "photo_found": result.details["photo_found"]}


@router.post("/{registration_id}/document", response_model=DocumentOut,
             operation_id="check_document_image",
             responses=error_responses(*COMMON, 413, 415))
def check_document_image(
    registration_id: RegistrationId,
    actor: ActorDep,
    ctx: ContextDep,
    settings: SettingsDep,
    models: ModelsDep,
    file: Annotated[UploadFile, File(description="Photo of the document (JPEG, PNG, WebP).")],
    idempotency_key: IdempotencyKey = None,
    kind: Annotated[str, Form(pattern=r"^(auto|cn-id-front|cn-id-back|passport|td1)$",
                              description="Document kind, or auto.")] = "auto",
) -> dict[str, Any]:
    """Read and validate a photographed document; record it (encrypted) and move the status."""
    data = read_upload(file, max_bytes=settings.max_image_bytes, what="document photo")
    return _body(run_document(ctx, models, actor=actor, registration_id=registration_id,
                              submission=DocumentPhoto(image=data, kind=kind),
                              idempotency_key=idempotency_key))


@router.post("/{registration_id}/document/reader-record", response_model=DocumentOut,
             operation_id="check_document_reader_record",
             responses=error_responses(*COMMON, 413))
def check_document_reader_record(
    registration_id: RegistrationId,
    actor: ActorDep,
    ctx: ContextDep,
    models: ModelsDep,
    record: Annotated[dict[str, Any], Body(description="A reader record "
                                           "(see reader_record.schema.json).")],
    idempotency_key: IdempotencyKey = None,
) -> dict[str, Any]:
    """Validate an identity-card reader record; its chip photo becomes the reference."""
    check_text_tree(record)
    return _body(run_document(ctx, models, actor=actor, registration_id=registration_id,
                              submission=ReaderRecord(record=record),
                              idempotency_key=idempotency_key))


__all__ = ["router"]
