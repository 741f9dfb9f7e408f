"""The identity's fields as the document step read them, kept encrypted for the rules
and the record (evidence kind ``identity_fields``, JSON).

One shape for every document kind: ``document_kind``, ``name``,
``id_number`` (the national number of a Chinese card, else the document
number), ``issuing_state``, ``nationality``, ``birth_date``,
``valid_until`` (ISO dates or null), ``sex``, ``ethnicity``, ``address``.
No photo and nothing derived from a face.
"""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from simkyc.domain.evidence import EvidenceKind
from simkyc.services.evidence import NewEvidence

KEYS = ("document_kind", "name", "id_number", "issuing_state", "nationality", "birth_date",
        "valid_until", "sex", "ethnicity", "address")


def _iso(v: Any) -> str | None:
    if v is None or v == "":
        return None
    return v.isoformat() if isinstance(v, date) else str(v)


def identity_fields(kind: str, fields: dict[str, Any]) -> dict[str, Any]:
    """Normalise a reading's ``fields`` (Chinese card, reader record, MRZ) to :data:`KEYS`."""
    f = fields
    name = f.get("name")
    if not name and (f.get("surname") or f.get("given_names")):
        name = " ".join(p for p in (f.get("surname"), f.get("given_names")) if p)
    chinese = kind in ("cn-id-front", "cn-id-reader")
    return {
        "document_kind": kind,
        "name": name or None,
        "id_number": (f.get("id_number") if chinese else f.get("document_number")) or None,
        "issuing_state": "CHN" if chinese else (f.get("issuing_state") or None),
        "nationality": "CHN" if chinese else (f.get("nationality") or None),
        "birth_date": _iso(f.get("birth_date")),
        "valid_until": _iso(f.get("valid_until") or f.get("expiry_date")),
        "sex": f.get("sex") or None,
        "ethnicity": f.get("ethnicity") or None,
        "address": f.get("address") or None,
    }


def identity_evidence(kind: str, fields: dict[str, Any]) -> NewEvidence:
    data = json.dumps(identity_fields(kind, fields), ensure_ascii=False, sort_keys=True).encode()
    return NewEvidence(EvidenceKind.IDENTITY_FIELDS, "application/json", data)


def parse_identity(data: bytes) -> dict[str, Any]:
    doc = json.loads(data)
    return {k: doc.get(k) for k in KEYS}


def parse_date(v: Any) -> date | None:
    try:
        return date.fromisoformat(v) if isinstance(v, str) else None
    except ValueError:
        return None


__all__ = ["KEYS", "identity_evidence", "identity_fields", "parse_date", "parse_identity"]
