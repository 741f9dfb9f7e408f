"""Step 1, the identity document: a photographed document or a card-reader record.

``POST .../document`` takes a photo of the document (multipart ``file``, optional
``kind``), reads and validates it (:func:`simkyc.document.read_document`), and
``POST .../document/reader-record`` takes what an identity-card reader SDK
returned (JSON, ``reader_record.schema.json``) and validates it the same way
(:func:`simkyc.document.check_reader_record`).

The input and the document's face photo (the reference for the 1:1 match) are
stored encrypted through the workflow service, with the stage outcome.
A document that carries the identity (card front, passport, TD1, reader
record) moves the registration ``started -> document_checked`` when accepted;
a card back that is valid is recorded without moving (the front carries the
identity). Any refusal (invalid field, expired, under age) rejects the
registration with its reason codes. Input that cannot be checked (not an
image, corrupt, too large, no document in the picture, a record without a
chip photo) is a 4xx and changes nothing. Clients see pass/fail and reason
codes, never the fields' values.
"""

from __future__ import annotations

import json
from typing import Annotated, Any

from fastapi import APIRouter, Body, File, Form, UploadFile

from simkyc.api.deps import ModelsDep, RegistrarDep, ServiceDep, SettingsDep, read_upload_sync
from simkyc.api.routes.registrations import RegistrationId
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.registration import RegistrationStatus
from simkyc.media.images import encode_png
from simkyc.workflow import NewEvidence

router = APIRouter(prefix="/api/v1/registrations", tags=["document"])

#: Kinds that establish the identity (and carry the reference photo).
IDENTITY_KINDS = frozenset({"cn-id-front", "passport", "td1", "td2", "cn-id-reader"})


def _subject(reading: Any) -> str | None:
    """The identity key for per-identity rules (stored only as a keyed hash)."""
    f = reading.fields
    if reading.kind in ("cn-id-front", "cn-id-reader") and f.get("id_number"):
        return f"CHN/{f['id_number']}"
    if f.get("document_number"):
        return f"{f.get('issuing_state') or ''}/{f['document_number']}"
    return None


def _record(service: Any, actor: Any, registration_id: str, reading: Any,
            evidence: list[NewEvidence]) -> dict[str, Any]:
    if reading.photo is not None:
        evidence.append(NewEvidence(EvidenceKind.DOCUMENT_PHOTO, "image/png",
                                    encode_png(reading.photo)))
    identity = reading.kind in IDENTITY_KINDS
    reg, _ = service.record_stage(
        actor=actor, registration_id=registration_id, outcome=reading.to_outcome(),
        on_pass=RegistrationStatus.DOCUMENT_CHECKED if identity else None,
        on_fail=RegistrationStatus.REJECTED, evidence=evidence,
        subject_document_number=_subject(reading) if identity and reading.accepted else None)
    return {"stage": "document", "kind": reading.kind, "passed": reading.accepted,
            "reasons": list(reading.reasons), "photo_found": reading.photo is not None,
            "status": reg.status.value}


@router.post("/{registration_id}/document")
def check_document_image(
    registration_id: RegistrationId,
    actor: RegistrarDep,
    service: ServiceDep,
    settings: SettingsDep,
    models: ModelsDep,
    file: Annotated[UploadFile, File(description="Photo of the document (JPEG, PNG, WebP).")],
    kind: Annotated[str, Form(pattern=r"^(auto|cn-id-front|cn-id-back|passport|td1)$",
                              description="Document kind, or auto.")] = "auto",
) -> dict[str, Any]:
    """Read and validate a photographed document; record it (encrypted) and move the status."""
    from simkyc.document import load_document_models, read_document
    from simkyc.media.images import decode_image

    data, mime = read_upload_sync(file, max_bytes=settings.max_image_bytes, families=("image",))
    image = decode_image(data, max_bytes=settings.max_image_bytes)
    # Refuse a closed registration before spending OCR time on it.
    service.get_registration(actor=actor, registration_id=registration_id)
    reading = read_document(image, models=models.get("document", load_document_models),
                            kind=kind, on=service.clock().date(), policy=service.policy)
    return _record(service, actor, registration_id, reading,
                   [NewEvidence(EvidenceKind.DOCUMENT_IMAGE, mime, data)])


@router.post("/{registration_id}/document/reader-record")
def check_document_reader_record(
    registration_id: RegistrationId,
    actor: RegistrarDep,
    service: ServiceDep,
    record: Annotated[dict[str, Any], Body(description="A reader record "
                                           "(see reader_record.schema.json).")],
) -> dict[str, Any]:
    """Validate an identity-card reader record; its chip photo becomes the reference."""
    from simkyc.document import check_reader_record

    reading = check_reader_record(record, on=service.clock().date(), policy=service.policy)
    raw = json.dumps(record, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return _record(service, actor, registration_id, reading,
                   [NewEvidence(EvidenceKind.READER_RECORD, "application/json", raw)])


__all__ = ["router"]
