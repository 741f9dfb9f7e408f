"""References to evidence kept (encrypted) in the evidence store."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime


class EvidenceKind(enum.StrEnum):
    DOCUMENT_IMAGE = "document_image"
    READER_RECORD = "reader_record"
    DOCUMENT_PHOTO = "document_photo"  # the face cut from the document or the chip photo
    LIVE_FACE = "live_face"
    LIVENESS_VIDEO = "liveness_video"
    VOICE_AUDIO = "voice_audio"
    VOICE_VIDEO = "voice_video"
    UPPER_BODY = "upper_body"
    #: The identity's fields as read (name, number, dates; JSON, no photo), kept by the
    #: document step for the registration rules and the signed record.
    IDENTITY_FIELDS = "identity_fields"


@dataclass(frozen=True)
class EvidenceRef:
    """Where one evidence item lives and how to check it.

    ``sha256`` is of the plaintext; ``key_id`` names the registration's data key.
    """

    id: str
    registration_id: str
    kind: EvidenceKind
    content_type: str
    size: int
    sha256: str
    key_id: str
    created_at: datetime


__all__ = ["EvidenceKind", "EvidenceRef"]
