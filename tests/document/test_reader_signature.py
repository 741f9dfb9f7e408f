"""The pure reader-signature checks: canonical form, Ed25519, key formats, freshness; the
schema's signature member; the policy key ``document.reader_records``."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from simkyc.document.reader_record import parse_reader_record
from simkyc.document.reader_signature import (
    canonical_bytes,
    check_fresh,
    load_public_key,
    sign_record,
    verify_record,
)
from simkyc.domain.errors import ConfigurationError, InputError, ReaderRecordRefusedError

NOW = datetime(2026, 12, 4, 10, 0, tzinfo=UTC)
KEY = Ed25519PrivateKey.from_private_bytes(bytes(range(32)))
PUB = KEY.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)


def _record() -> dict[str, Any]:
    return {"name": "王伟", "sex": "女", "ethnicity": "汉", "birth_date": "1949-12-31",
            "address": "北京市朝阳区建国路88号", "id_number": "11010519491231002X",
            "issuing_authority": "北京市公安局朝阳分局", "valid_from": "2015-03-01",
            "valid_until": "2035-03-01", "photo": base64.b64encode(b"x" * 40).decode(),
            "reader": {"vendor": "ACME", "model": "R1", "serial": "7"}}


def _reason(call: Any) -> str:
    with pytest.raises(ReaderRecordRefusedError) as info:
        call()
    assert info.value.reasons == (info.value.reason,)
    return info.value.reason


def test_canonical_form_leaves_out_the_signature_and_ignores_key_order() -> None:
    rec = _record()
    shuffled = dict(reversed(list(rec.items())))
    assert canonical_bytes(rec) == canonical_bytes(shuffled)
    assert canonical_bytes({**rec, "signature": {"x": 1}}) == canonical_bytes(rec)
    text = canonical_bytes(rec).decode()
    assert "王伟" in text and ", " not in text and ": " not in text
    assert json.loads(text) == rec


def test_a_signed_record_verifies_and_names_its_device() -> None:
    signed = sign_record(_record(), KEY, "acme-7", read_at=NOW - timedelta(seconds=30))
    assert signed["reader"]["read_at"].startswith("2026-12-04T09:59:30")
    assert signed["signature"]["alg"] == "EdDSA" and "=" not in signed["signature"]["sig"]
    out = verify_record(signed, PUB, now=NOW)
    assert out.device_id == "acme-7" and out.read_at == NOW - timedelta(seconds=30)
    assert len(out.signature_sha256) == 64
    parse_reader_record(signed)  # the schema accepts the signature member


def test_tampering_or_another_key_fails() -> None:
    signed = sign_record(_record(), KEY, "acme-7", read_at=NOW)
    assert _reason(lambda: verify_record({**signed, "name": "李四"}, PUB, now=NOW)) \
        == "reader_bad_signature"
    later = {**signed, "reader": {**signed["reader"], "read_at": NOW.isoformat()}}
    assert _reason(lambda: verify_record(later, PUB, now=NOW)) == "reader_bad_signature"
    other = Ed25519PrivateKey.generate().public_key().public_bytes(
        serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert _reason(lambda: verify_record(signed, other, now=NOW)) == "reader_bad_signature"
    for bad in ({"device_id": "a", "alg": "RS256", "sig": signed["signature"]["sig"]},
                {"device_id": "a", "alg": "EdDSA", "sig": "abc"}, "nope", {"alg": "EdDSA"}):
        assert _reason(lambda b=bad: verify_record({**signed, "signature": b}, PUB, now=NOW)) \
            == "reader_bad_signature"
    unsigned = {k: v for k, v in signed.items() if k != "signature"}
    assert _reason(lambda: verify_record(unsigned, PUB, now=NOW)) == "reader_unsigned"


def test_freshness_window_and_clock_skew() -> None:
    def at(delta: timedelta) -> dict[str, Any]:
        return {"reader": {"read_at": (NOW + delta).isoformat()}}

    kw = {"now": NOW, "max_age_seconds": 600, "skew_seconds": 60}
    assert check_fresh(at(timedelta(seconds=-600)), **kw) == NOW - timedelta(seconds=600)
    assert _reason(lambda: check_fresh(at(timedelta(seconds=-601)), **kw)) == "reader_stale"
    assert check_fresh(at(timedelta(seconds=60)), **kw) == NOW + timedelta(seconds=60)
    assert _reason(lambda: check_fresh(at(timedelta(seconds=61)), **kw)) == "reader_clock_ahead"
    assert _reason(lambda: check_fresh({}, **kw)) == "reader_stale"
    assert _reason(lambda: check_fresh({"reader": {"read_at": "yesterday"}}, **kw)) \
        == "reader_stale"
    naive = {"reader": {"read_at": "2026-12-04T09:58:00"}}  # naive: UTC
    assert check_fresh(naive, **kw) == NOW - timedelta(minutes=2)
    old = sign_record(_record(), KEY, "acme-7", read_at=NOW - timedelta(days=30))
    assert verify_record(old, PUB, now=NOW, check_freshness=False).device_id == "acme-7"


def test_public_key_formats() -> None:
    pem = KEY.public_key().public_bytes(serialization.Encoding.PEM,
                                        serialization.PublicFormat.SubjectPublicKeyInfo)
    assert load_public_key(pem) == PUB
    assert load_public_key(base64.b64encode(PUB).decode() + "\n") == PUB
    assert load_public_key(base64.urlsafe_b64encode(PUB).rstrip(b"=")) == PUB
    with pytest.raises(InputError):
        load_public_key(b"not a key")
    from cryptography.hazmat.primitives.asymmetric import ec

    ec_pem = ec.generate_private_key(ec.SECP256R1()).public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    with pytest.raises(InputError, match="Ed25519"):
        load_public_key(ec_pem)


def test_policy_key_reader_records_is_validated() -> None:
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.services.policy_doc import policy_from_document, policy_warnings

    assert DEFAULT_POLICY.document.reader_records == "signed"
    assert policy_warnings(DEFAULT_POLICY) == []
    p = policy_from_document({"document": {"reader_records": "unsigned"}})
    assert p.document.reader_records == "unsigned"
    assert any("unsigned" in w for w in policy_warnings(p))
    with pytest.raises(ConfigurationError, match="document.reader_records must be one of"):
        policy_from_document({"document": {"reader_records": "maybe"}})
    with pytest.raises(ConfigurationError, match="reader_max_age_seconds"):
        policy_from_document({"document": {"reader_max_age_seconds": 0}})
