"""Step 1, the identity document: a photographed document, or a card-reader record.

A document that carries the identity (card front, passport, TD1, reader
record) moves ``started -> document_checked`` when accepted, and its face
photo is kept as the reference for the 1:1 match, bound to this step's
outcome. A card back that is valid is recorded without moving (the front
carries the identity). A refusal (invalid field, expired, under age) rejects
the registration with its reasons and counts toward the document's lockout.
Input that cannot be checked (not an image, corrupt, too large, no document
in the picture, a record without a chip photo) raises and changes nothing.

A reader record must, under the policy ``document.reader_records = "signed"``
(the default), carry the signature of an enrolled reader of the registration's
outlet, be fresh and never used before (:func:`simkyc.services.readers.check_origin`);
otherwise :class:`~simkyc.domain.errors.ReaderRecordRefusedError` (422, audited)
and nothing changes. The signature's use is kept in the step's own transaction.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from simkyc.domain.errors import IllegalTransitionError, ReaderRecordRefusedError
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.parties import Agent
from simkyc.domain.registration import RegistrationStatus
from simkyc.media.images import encode_png
from simkyc.services.context import ServiceContext
from simkyc.services.evidence import NewEvidence
from simkyc.services.lockouts import refuse_if_locked
from simkyc.services.media_input import image_input
from simkyc.services.ports import StageModels
from simkyc.services.steps.common import StepResult, begin_step, record_step, request_digest

STEP = "document"
#: Kinds that establish the identity (and carry the reference photo).
IDENTITY_KINDS = frozenset({"cn-id-front", "passport", "td1", "td2", "cn-id-reader"})
READ_KINDS = ("auto", "cn-id-front", "cn-id-back", "passport", "td1")


@dataclass(frozen=True)
class DocumentPhoto:
    """A photographed document: the image bytes and the kind (``auto`` to detect)."""

    image: bytes
    kind: str = "auto"


@dataclass(frozen=True)
class ReaderRecord:
    """What an identity-card reader SDK returned (``reader_record.schema.json``).

    ``recorded``: a recorded session verified offline (``simkyc verify``): the
    freshness window of ``reader.read_at`` does not apply (every other check does).
    """

    record: dict[str, Any]
    recorded: bool = False


def subject_of(reading: Any) -> str | None:
    """The identity key for per-identity rules (stored only as a keyed hash)."""
    f = reading.fields
    if reading.kind in ("cn-id-front", "cn-id-reader") and f.get("id_number"):
        return f"CHN/{f['id_number']}"
    if f.get("document_number"):
        return f"{f.get('issuing_state') or ''}/{f['document_number']}"
    return None


def run_document(ctx: ServiceContext, models: StageModels, *, actor: Agent,
                 registration_id: str, submission: DocumentPhoto | ReaderRecord,
                 idempotency_key: str | None = None) -> StepResult:
    """Read and validate the document, keep it (encrypted) and move the registration."""
    if isinstance(submission, DocumentPhoto):
        digest = request_digest(STEP, submission.kind, submission.image)
    else:
        raw = json.dumps(submission.record, ensure_ascii=False, sort_keys=True).encode()
        digest = request_digest(STEP, "reader", raw)
    begun = begin_step(ctx, actor=actor, registration_id=registration_id, step=STEP,
                       idempotency_key=idempotency_key, request_sha256=digest)
    if begun.replay is not None:
        return begun.replay
    on = ctx.clock().date()
    evidence: list[NewEvidence]
    origin: tuple[str, str] | None = None
    if isinstance(submission, DocumentPhoto):
        from simkyc.document import read_document

        blob, image = image_input(submission.image, ctx.limits, what="document photo")
        reading = read_document(image, models=models.document(), kind=submission.kind, on=on,
                                policy=ctx.policy)
        evidence = [NewEvidence(EvidenceKind.DOCUMENT_IMAGE, blob.mime, blob.data)]
    else:
        from simkyc.document import check_reader_record
        from simkyc.services.readers import check_origin

        if begun.registration.status is RegistrationStatus.STARTED:
            origin = check_origin(ctx, submission.record, begun.registration,
                                  actor_id=actor.id, check_freshness=not submission.recorded)
        reading = check_reader_record(submission.record, on=on, policy=ctx.policy)
        evidence = [NewEvidence(EvidenceKind.READER_RECORD, "application/json", raw)]
    identity = reading.kind in IDENTITY_KINDS
    if identity and begun.registration.status is not RegistrationStatus.STARTED:
        # One identity per registration: a second identity document is refused.
        raise IllegalTransitionError(begun.registration.status.value, STEP)
    if reading.photo is not None and identity:
        evidence.append(NewEvidence(EvidenceKind.DOCUMENT_PHOTO, "image/png",
                                    encode_png(reading.photo)))
    if identity and reading.accepted:
        from simkyc.services.identity_fields import identity_evidence

        evidence.append(identity_evidence(reading.kind, reading.fields))
    subject = subject_of(reading) if identity else None
    refuse_if_locked(ctx, actor=actor, registration_id=registration_id, subject=subject)

    def result(reg: Any, passed: bool, reasons: tuple[str, ...]) -> StepResult:
        return StepResult(step=STEP, registration_id=reg.id, passed=passed,
                          reasons=reasons, status=reg.status,
                          language=reg.language,
                          details={"kind": reading.kind,
                                   "photo_found": reading.photo is not None})

    def keep(tx: Any, reg: Any, passed: bool) -> None:
        if origin is not None:
            from simkyc.services.readers import keep_use

            keep_use(tx, reg, origin, ctx.clock())

    try:
        rec = record_step(
            ctx, actor=actor, registration_id=registration_id, step=STEP,
            outcome=reading.to_outcome(), evidence=evidence,
            move=identity or not reading.accepted,
            subject=subject if reading.accepted else None,
            failure_subject=None if reading.accepted else subject,
            result=result, idempotency_key=idempotency_key, request_sha256=digest,
            only_from=RegistrationStatus.STARTED if identity else None, on_recorded=keep)
    except ReaderRecordRefusedError as exc:  # a concurrent request used the record first
        from simkyc.services.readers import refused

        refused(ctx, begun.registration, exc, getattr(submission, "record", None),
                actor_id=actor.id)
        raise
    return result(rec.registration, rec.passed, rec.reasons)


__all__ = ["DocumentPhoto", "IDENTITY_KINDS", "READ_KINDS", "ReaderRecord", "run_document",
           "subject_of"]
