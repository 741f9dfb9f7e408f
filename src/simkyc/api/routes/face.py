"""Steps 2 and 5, the face: capture quality and the 1:1 match with the document photo.

``POST .../live-face`` takes one camera image (multipart ``file``), runs the
live quality gate (:func:`simkyc.face.assess_face_quality`: one face, size,
framing, exposure, sharpness, pose, eyes open) and, on a pass, stores it
encrypted as ``live_face`` evidence and moves ``document_checked ->
live_face_captured``. A failed capture stores no image and leaves the status
as it is, so the customer can try again; the answer carries the reason codes
and an instruction in the customer's language.

``POST .../face-match`` compares the stored document photo (``document_photo``)
with the latest stored live face (:func:`simkyc.face.match_faces`) and moves
``voice_passed``/``assisted_override -> face_matched`` on a match, or rejects
the registration with the reasons. The distance and threshold are kept in the
server-side stage record; clients never see them.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, File, HTTPException, UploadFile, status

from simkyc.api.deps import ModelsDep, RegistrarDep, ServiceDep, SettingsDep, read_upload_sync
from simkyc.api.routes.registrations import RegistrationId
from simkyc.domain.errors import IllegalTransitionError
from simkyc.domain.evidence import EvidenceKind
from simkyc.domain.registration import RegistrationStatus
from simkyc.domain.results import StageOutcome
from simkyc.workflow import NewEvidence

router = APIRouter(prefix="/api/v1/registrations", tags=["face"])

#: Statuses from which the match may run (after the voice step or its override).
MATCH_FROM = frozenset({RegistrationStatus.VOICE_PASSED, RegistrationStatus.ASSISTED_OVERRIDE})


def _load_models() -> Any:
    from simkyc.face.models import load_face_models

    return load_face_models()


def _messages(reasons: tuple[str, ...], lang: str | None, faces: int) -> list[str]:
    from simkyc.face.messages import customer_message

    return [customer_message(r.split(":")[-1], lang or "zh", count=faces) for r in reasons]


@router.post("/{registration_id}/live-face")
def capture_live_face(
    registration_id: RegistrationId,
    actor: RegistrarDep,
    service: ServiceDep,
    settings: SettingsDep,
    models: ModelsDep,
    file: Annotated[UploadFile, File(description="One camera image of the customer's face.")],
) -> dict[str, Any]:
    """Quality-check a live capture; keep it (encrypted) and move on if it is usable."""
    from simkyc.face.models import open_face_mesh
    from simkyc.face.quality import assess_face_quality
    from simkyc.media.images import decode_image

    data, mime = read_upload_sync(file, max_bytes=settings.max_image_bytes, families=("image",))
    image = decode_image(data, max_bytes=settings.max_image_bytes)
    reg = service.get_registration(actor=actor, registration_id=registration_id)
    if reg.status is not RegistrationStatus.DOCUMENT_CHECKED:
        raise IllegalTransitionError(reg.status.value, RegistrationStatus.LIVE_FACE_CAPTURED.value)
    face_models = models.get("face", _load_models)
    with open_face_mesh(static_image_mode=True, max_num_faces=1) as mesh:
        quality = assess_face_quality(image, face_models, policy=service.policy.face, mesh=mesh)
    outcome = StageOutcome(
        stage="live_face", passed=quality.passed, reasons=quality.reasons,
        model=face_models.model_id, policy_version=service.policy.version,
        details={"faces_found": quality.faces_found,
                 "checks": [c.to_dict() for c in quality.checks]})
    evidence = [NewEvidence(EvidenceKind.LIVE_FACE, mime, data)] if quality.passed else []
    moved, _ = service.record_stage(
        actor=actor, registration_id=registration_id, outcome=outcome,
        on_pass=RegistrationStatus.LIVE_FACE_CAPTURED, on_fail=None, evidence=evidence)
    lang = service.language_of(registration_id=registration_id)
    return {**outcome.public_view(), "faces_found": quality.faces_found,
            "messages": _messages(quality.reasons, lang, quality.faces_found),
            "status": moved.status.value}


@router.post("/{registration_id}/face-match")
def match_live_face(
    registration_id: RegistrationId,
    actor: RegistrarDep,
    service: ServiceDep,
    models: ModelsDep,
) -> dict[str, Any]:
    """Compare the stored document photo with the latest live face, 1:1."""
    from simkyc.face.matching import match_faces

    reg = service.get_registration(actor=actor, registration_id=registration_id)
    if reg.status not in MATCH_FROM:
        raise IllegalTransitionError(reg.status.value, RegistrationStatus.FACE_MATCHED.value)
    # Exactly the faces the document step extracted and the liveness step chose.
    reference = service.bound_evidence(actor=actor, registration_id=registration_id,
                                       stage="document", kind=EvidenceKind.DOCUMENT_PHOTO)
    live = service.bound_evidence(actor=actor, registration_id=registration_id,
                                  stage="liveness", kind=EvidenceKind.LIVE_FACE)
    missing = [name for name, item in (("document photo", reference), ("live face", live))
               if item is None]
    if missing:
        raise HTTPException(status.HTTP_409_CONFLICT,
                            detail=f"no {' and no '.join(missing)} stored for this registration")
    assert reference is not None and live is not None
    face_models = models.get("face", _load_models)
    policy = service.policy.face
    from simkyc.face.models import open_face_mesh

    with open_face_mesh(static_image_mode=True, max_num_faces=1) as mesh:
        result = match_faces(reference[1], live[1], face_models, policy=policy, mesh=mesh)
    reasons = result.reasons
    if not result.decided and any(r.startswith("reference:") for r in reasons):
        reasons = ("reference_unusable", *reasons)
    outcome = StageOutcome(
        stage="face_match", passed=result.match, reasons=reasons, model=result.model,
        policy_version=service.policy.version,
        details={"distance": result.distance, "threshold": result.threshold,
                 "decided": result.decided, "reference_evidence": reference[0].id,
                 "live_evidence": live[0].id})
    moved, _ = service.record_stage(
        actor=actor, registration_id=registration_id, outcome=outcome,
        on_pass=RegistrationStatus.FACE_MATCHED, on_fail=RegistrationStatus.REJECTED)
    lang = service.language_of(registration_id=registration_id)
    return {**outcome.public_view(), "messages": _messages(reasons, lang, 1),
            "status": moved.status.value}


__all__ = ["router"]
