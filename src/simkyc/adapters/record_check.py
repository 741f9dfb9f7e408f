"""Checking a delivered record, as a regulator would (``simkyc record verify``).

A record is valid when: it is a compact JWS signed ``EdDSA`` by a key of the
operator's JWKS (chosen by the header's ``kid``); its ``typ`` is a record's;
its payload is a JSON object carrying the envelope (``record_id``,
``profile``, ``issued_at``, ``policy_sha256``, ``kid``) and the ``kid`` it
names is the one that signed it; and, when the published policy is given,
its ``policy_sha256`` is that policy's. A changed byte, a record re-signed
with another key, or one decided under another policy fails with the reason.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from simkyc.adapters.jose import InvalidSignature, verify_jws
from simkyc.services.records import ENVELOPE, RECORD_TYP


@dataclass(frozen=True)
class RecordCheck:
    valid: bool
    problem: str | None = None
    kid: str | None = None
    record_id: str | None = None
    profile: str | None = None
    policy_sha256: str | None = None
    policy_matches: bool | None = None
    payload: dict[str, Any] | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"valid": self.valid, "problem": self.problem, "kid": self.kid,
                "record_id": self.record_id, "profile": self.profile,
                "policy_sha256": self.policy_sha256, "policy_matches": self.policy_matches,
                "record": self.payload}


def check_record(token: str, jwks: dict[str, Any], *,
                 published_policy_sha256: str | None = None) -> RecordCheck:
    try:
        verified = verify_jws(token, jwks)
    except InvalidSignature as exc:
        return RecordCheck(False, str(exc))
    if verified.header.get("typ") != RECORD_TYP:
        return RecordCheck(False, f"typ is {verified.header.get('typ')!r}, not a record",
                           kid=verified.kid)
    try:
        payload = json.loads(verified.payload)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return RecordCheck(False, "the payload is not JSON", kid=verified.kid)
    if not isinstance(payload, dict) or any(k not in payload for k in ENVELOPE):
        return RecordCheck(False, "the payload lacks the record envelope", kid=verified.kid)
    base = {"kid": verified.kid, "record_id": payload["record_id"],
            "profile": payload["profile"], "policy_sha256": payload["policy_sha256"],
            "payload": payload}
    if payload["kid"] != verified.kid:
        return RecordCheck(False, "the record names another signing key than the one that "
                                  "signed it", **base)
    matches = (None if published_policy_sha256 is None
               else payload["policy_sha256"] == published_policy_sha256)
    if matches is False:
        return RecordCheck(False, "decided under a policy that differs from the published one "
                                  f"({payload['policy_sha256']})", policy_matches=False, **base)
    return RecordCheck(True, None, policy_matches=matches, **base)


__all__ = ["RecordCheck", "check_record"]
