"""Read a photographed identity document: OCR, extract, validate, cut out the photo.

Public verb: :func:`read_document`. Pipeline: OCR every text line (rapidocr)
-> group into rows -> decide the kind (MRZ format, or Chinese ID card labels)
-> extract fields -> validate them (:mod:`simkyc.document.validation`) ->
find the face photo (dlib HOG; on MRZ documents in the page area above the MRZ).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

import numpy as np

from simkyc.document import cn_id_card
from simkyc.document.mrz import MrzReading, parse_mrz
from simkyc.document.mrz_ocr import find_mrz, mrz_rows
from simkyc.document.ocr import DocumentModels, recognise, rows
from simkyc.document.photo import crop, find_photo, find_portrait_by_mrz
from simkyc.document.validation import (
    FieldCheck,
    policy_reasons,
    validate_cn_back,
    validate_cn_front,
    validate_mrz,
)
from simkyc.domain.errors import InputError
from simkyc.domain.policy import DEFAULT_POLICY, DecisionPolicy
from simkyc.domain.results import StageOutcome

#: Kinds ``read_document`` accepts (``auto`` decides from the content).
READ_KINDS = ("auto", "cn-id-front", "cn-id-back", "passport", "td1")
_MRZ_KIND = {"TD3": "passport", "TD1": "td1", "TD2": "td2"}
_PHOTO_KINDS = {"cn-id-front", "passport", "td1", "td2", "cn-id-reader"}


@dataclass(frozen=True)
class DocumentReading:
    """What was read from one document and whether it validates.

    - ``fields``: values read (dates as ``date``; missing is ``None``).
    - ``validation``: one :class:`FieldCheck` per validated field.
    - ``valid``: every field check passed.
    - ``expired``: validity period over at ``on`` (``None`` when the document
      side shows no validity, e.g. a card front).
    - ``photo_box``: ``(x0, y0, x1, y1)`` of the face photo in the image, and
      ``photo`` the RGB crop (the reference for the face match), or ``None``.
    - ``reasons``: every failure reason code plus policy refusals
      (``under_minimum_age``); ``accepted`` is true when there are none.
    """

    kind: str
    fields: dict[str, Any]
    validation: dict[str, FieldCheck]
    expired: bool | None
    reasons: tuple[str, ...]
    on: date
    model_id: str
    policy_version: str
    photo_box: tuple[int, int, int, int] | None = None
    photo: np.ndarray | None = field(default=None, repr=False, compare=False)
    mrz: MrzReading | None = None
    method: str = "ocr"

    @property
    def valid(self) -> bool:
        return all(c.valid for c in self.validation.values() if c.reason != "document_expired")

    @property
    def accepted(self) -> bool:
        return not self.reasons

    def to_dict(self) -> dict[str, Any]:
        """The JSON view (``kind``, ``fields``, ``validation``, ``valid``,
        ``expired``, ``photo``, ``reasons``, ...). No pixels."""
        fields = {k: (v.isoformat() if isinstance(v, date) else v) for k, v in self.fields.items()}
        photo = None
        if self.photo_box is not None:
            x0, y0, x1, y1 = self.photo_box
            photo = {"x": x0, "y": y0, "width": x1 - x0, "height": y1 - y0}
        return {
            "kind": self.kind,
            "fields": fields,
            "validation": {k: c.to_dict() for k, c in self.validation.items()},
            "valid": self.valid,
            "expired": self.expired,
            "photo": photo,
            "accepted": self.accepted,
            "reasons": list(self.reasons),
            "on": self.on.isoformat(),
            "method": self.method,
            "model": self.model_id,
            "policy_version": self.policy_version,
        }

    def to_outcome(self) -> StageOutcome:
        """The workflow's view: passed when ``accepted``.

        ``details`` (kept server-side, in the database) says how the decision was
        reached but holds no personal data: which fields were read and how each
        validated, not their values, which stay in the encrypted evidence.
        """
        details = {k: v for k, v in self.to_dict().items() if k != "fields"}
        details["fields_read"] = sorted(k for k, v in self.fields.items() if v is not None)
        return StageOutcome(
            stage="document",
            passed=self.accepted,
            reasons=self.reasons,
            model=self.model_id,
            policy_version=self.policy_version,
            details=details,
        )


def assemble(
    kind: str,
    fields: dict[str, Any],
    validation: dict[str, FieldCheck],
    expired: bool | None,
    *,
    on: date,
    policy: DecisionPolicy,
    model_id: str,
    photo_box: tuple[int, int, int, int] | None,
    photo: np.ndarray | None,
    mrz: MrzReading | None = None,
    method: str = "ocr",
) -> DocumentReading:
    """Build a :class:`DocumentReading`, adding the photo check and policy reasons."""
    validation = dict(validation)
    if kind in _PHOTO_KINDS and policy.document.require_photo:
        validation["photo"] = FieldCheck(True) if photo is not None else FieldCheck(
            False, "photo_missing")
    reasons = [c.reason for c in validation.values() if not c.valid and c.reason]
    if expired and not policy.document.reject_expired:
        reasons = [r for r in reasons if r != "document_expired"]
    reasons += policy_reasons(fields, on=on, policy=policy.document)
    return DocumentReading(
        kind=kind, fields=fields, validation=validation, expired=expired,
        reasons=tuple(dict.fromkeys(reasons)), on=on, model_id=model_id,
        policy_version=policy.version, photo_box=photo_box, photo=photo, mrz=mrz, method=method,
    )


def _mrz_fields(m: MrzReading) -> dict[str, Any]:
    return {
        "document_code": m.document_code, "issuing_state": m.issuing_state,
        "surname": m.surname, "given_names": m.given_names,
        "document_number": m.document_number, "nationality": m.nationality,
        "birth_date": m.birth_date, "sex": m.sex, "expiry_date": m.expiry_date,
        "optional_data": m.optional_data, "mrz": list(m.lines),
    }


def _ocr_view(image: np.ndarray, max_side: int) -> np.ndarray:
    """``image`` downscaled so its longer side is at most ``max_side`` pixels.

    Text boxes are then in downscaled coordinates; only the text is used from
    them (the photo is found on the full-size image).
    """
    h, w = image.shape[:2]
    if max(h, w) <= max_side:
        return image
    import cv2

    scale = max_side / max(h, w)
    return cv2.resize(image, (round(w * scale), round(h * scale)), interpolation=cv2.INTER_AREA)


def read_document(
    image: np.ndarray,
    *,
    models: DocumentModels,
    kind: str = "auto",
    on: date | None = None,
    policy: DecisionPolicy = DEFAULT_POLICY,
) -> DocumentReading:
    """Read, validate and cut the photo out of a photographed document.

    Args:
        image: RGB ``uint8`` array (see :func:`simkyc.media.images.decode_image`).
        models: from :func:`simkyc.document.ocr.load_document_models`.
        kind: one of :data:`READ_KINDS`; ``auto`` picks the kind from the
            content (an MRZ's format, or the card's printed labels).
        on: the day validity is judged on (default: today).
        policy: thresholds (``policy.document``) and the recorded policy version.

    Returns:
        A :class:`DocumentReading`; a document that fails validation is a result
        with ``reasons``, not an exception.

    Raises:
        InputError: ``kind`` is unknown, or no document of the kind was found in
            the image (no text, no MRZ, no card labels).
    """
    if kind not in READ_KINDS:
        raise InputError(f"unknown document kind {kind!r}: one of {', '.join(READ_KINDS)}")
    if image.ndim != 3 or image.shape[2] != 3 or image.dtype != np.uint8:
        raise InputError("expected an RGB uint8 image")
    on = on or date.today()
    view = _ocr_view(image, policy.document.ocr_max_side_px)
    text_rows = rows(recognise(models, view))
    if not text_rows:
        raise InputError("no text found in the image: no identity document to read")
    mrz_lines = find_mrz(text_rows) if kind in ("auto", "passport", "td1") else None
    mrz = parse_mrz(mrz_lines, today=on) if mrz_lines else None
    if kind == "auto":
        if mrz is not None:
            kind = _MRZ_KIND[mrz.format]
        elif cn_id_card.looks_like_front(text_rows):
            kind = "cn-id-front"
        elif cn_id_card.looks_like_back(text_rows):
            kind = "cn-id-back"
        else:
            raise InputError("no identity document found in the image (no MRZ, no ID card text)")

    validation: dict[str, FieldCheck]
    expired: bool | None
    if kind in ("passport", "td1", "td2"):
        if mrz is None:
            raise InputError(f"no machine-readable zone found in the image (kind {kind})")
        fields = _mrz_fields(mrz)
        validation, expired = validate_mrz(mrz, on=on)
        if _MRZ_KIND[mrz.format] != kind:
            validation["kind"] = FieldCheck(False, "document_kind_mismatch")
    elif kind == "cn-id-front":
        fields = cn_id_card.extract_front(text_rows)
        if not any(v is not None for v in fields.values()):
            raise InputError("no Chinese ID card front found in the image")
        validation, expired = validate_cn_front(fields, on=on), None
    else:
        fields = cn_id_card.extract_back(text_rows)
        if not any(v is not None for v in fields.values()):
            raise InputError("no Chinese ID card back found in the image")
        validation, expired = validate_cn_back(fields, on=on)

    box, photo = None, None
    if mrz is not None and kind in _PHOTO_KINDS:
        # The MRZ places the page: search only the page area above it, upright.
        found = find_portrait_by_mrz(image, models.face_detector,
                                     [ln for row in mrz_rows(text_rows) for ln in row],
                                     fmt=mrz.format, scale=view.shape[1] / image.shape[1])
        if found is not None:
            box, photo = found.box, found.pixels
    elif kind in _PHOTO_KINDS:
        box = find_photo(image, models.face_detector)
        photo = crop(image, box) if box else None
    return assemble(
        kind, fields, validation, expired, on=on, policy=policy, model_id=models.model_id,
        photo_box=box, photo=photo, mrz=mrz,
    )


__all__ = ["READ_KINDS", "DocumentReading", "assemble", "read_document"]
