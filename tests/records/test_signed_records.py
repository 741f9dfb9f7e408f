"""Signed records: one per profile in the transaction that registers; the regulator's
carries only its configured fields and no face data; tampered or re-signed records fail
``simkyc record verify``; a key rotation keeps older records verifiable."""

from __future__ import annotations

import base64
import json
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from stdnum import luhn
from typer.testing import CliRunner

from simkyc.adapters.jose import SigningKeys
from simkyc.adapters.record_check import check_record
from simkyc.cli.main import app
from simkyc.domain.errors import NotFoundError
from simkyc.domain.policy import DeliveryPolicy, DeliveryProfile
from simkyc.services.context import ServiceContext
from simkyc.services.policy_doc import policy_sha256
from simkyc.services.records import ENVELOPE, registration_records
from simkyc.services.steps import ServiceToRegister, run_register


def _payload(token: str) -> dict[str, Any]:
    body = token.split(".")[1]
    return dict(json.loads(base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))))


def _registered(ctx: ServiceContext, people: dict, walk: Any, **kw: Any) -> str:
    agent = people["agent"][0]
    rid = walk(ctx, agent, **kw)
    body = "89860012345678" + kw.get("service_id", "+8613800138000")[-4:]
    iccid = body + luhn.calc_check_digit(body)  # the server checks the Luhn digit
    r = run_register(ctx, actor=agent, registration_id=rid,
                     submission=ServiceToRegister(iccid=iccid))
    assert r.status.value == "registered", r
    return rid


def test_regulator_profile_carries_only_its_fields(rctx: ServiceContext, people: dict,
                                                   walk: Any) -> None:
    only = DeliveryProfile(name="regulator", fields=("registration_id", "subject_id_number",
                                                     "service_id", "evidence"))
    ctx = replace(rctx, policy=replace(rctx.policy, delivery=DeliveryPolicy(
        profiles=(only, replace(only, name="operator", fields=("registration_id",
                                                               "stages", "evidence"))))))
    rid = _registered(ctx, people, walk)
    recs = {r.profile: r for r in registration_records(ctx, actor=people["auditor"][0],
                                                       registration_id=rid)}
    assert set(recs) == {"regulator", "operator"}
    reg = _payload(recs["regulator"].jws or "")
    assert set(reg) == set(ENVELOPE) | set(only.fields)
    assert reg["subject_id_number"] == "11010519491231002X"
    assert reg["policy_sha256"] == policy_sha256(ctx.policy) == recs["regulator"].policy_sha256
    # Evidence by hash only: no content, and nothing derived from a face.
    kinds = {e["kind"] for e in reg["evidence"]}
    assert {"document_photo", "upper_body", "identity_fields"} <= kinds
    assert all(set(e) == {"kind", "sha256", "content_type", "size"} for e in reg["evidence"])
    text = json.dumps(_payload(recs["operator"].jws or "")).lower()
    for word in ("embedding", "template", "distance", "score", "descriptor"):
        assert word not in text
    # A profile may name evidence to embed.
    emb = replace(only, embed_evidence=("upper_body",))
    ctx2 = replace(rctx, policy=replace(rctx.policy, delivery=DeliveryPolicy(profiles=(emb,))))
    rid2 = _registered(ctx2, people, walk, service_id="+8613800138999")
    (rec,) = registration_records(ctx2, actor=people["auditor"][0], registration_id=rid2)
    ev = {e["kind"]: e for e in _payload(rec.jws or "")["evidence"]}
    assert "content_b64" in ev["upper_body"] and "content_b64" not in ev["document_photo"]


def test_agent_cannot_read_another_outlets_records(rctx: ServiceContext, people: dict,
                                                   walk: Any) -> None:
    rid = _registered(rctx, people, walk)
    assert registration_records(rctx, actor=people["agent"][0], registration_id=rid)
    with pytest.raises(NotFoundError):
        registration_records(rctx, actor=people["other_agent"][0], registration_id=rid)


def _verify(tmp_path: Path, token: str, jwks: dict[str, Any], *extra: str) -> Any:
    (tmp_path / "r.jws").write_text(token)
    (tmp_path / "jwks.json").write_text(json.dumps(jwks))
    return CliRunner().invoke(app, ["record", "verify", str(tmp_path / "r.jws"), "--jwks",
                                    str(tmp_path / "jwks.json"), "--json", *extra])


def test_verify_cli_tampered_resigned_rotated(rctx: ServiceContext, people: dict, walk: Any,
                                              tmp_path: Path) -> None:
    rid = _registered(rctx, people, walk)
    token = next(r.jws for r in registration_records(rctx, actor=people["auditor"][0],
                                                     registration_id=rid)
                 if r.profile == "regulator")
    assert token
    signer = rctx.signer
    assert isinstance(signer, SigningKeys)
    jwks = signer.jwks()
    ok = _verify(tmp_path, token, jwks)
    assert ok.exit_code == 0, ok.output
    out = json.loads(ok.output)
    assert out["valid"] and out["record"]["registration_id"] == rid

    # One changed byte of the payload: the signature no longer verifies.
    h, p, s = token.split(".")
    payload = _payload(token)
    payload["service_id"] = "+8613999999999"
    forged = base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")
    bad = _verify(tmp_path, f"{h}.{forged}.{s}", jwks)
    assert bad.exit_code == 1 and "does not verify" in json.loads(bad.output)["problem"]

    # Re-signed with another Ed25519 key, under the operator's kid or its own.
    other = SigningKeys(tmp_path / "attacker")
    resigned = other.sign(json.dumps(payload).encode(), typ="simkyc-record+json")
    r = _verify(tmp_path, resigned, jwks)
    assert r.exit_code == 1 and "no key" in json.loads(r.output)["problem"]
    from joserfc import jws as joserfc_jws
    from joserfc.jwk import OKPKey

    key = OKPKey.import_key((other.directory / f"{other.kid}.pem").read_bytes())
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spoof = joserfc_jws.serialize_compact({"alg": "EdDSA", "kid": signer.kid,
                                               "typ": "simkyc-record+json"},
                                              json.dumps(payload).encode(), key,
                                              algorithms=["EdDSA"])
    r = _verify(tmp_path, spoof, jwks)
    assert r.exit_code == 1 and "does not verify" in json.loads(r.output)["problem"]

    # Rotation: new records use the new key, the old record still verifies.
    old_kid = signer.kid
    signer.rotate()
    assert signer.kid != old_kid
    rid2 = _registered(rctx, people, walk, service_id="+8613800138777")
    new = next(r for r in registration_records(rctx, actor=people["auditor"][0],
                                               registration_id=rid2) if r.profile == "regulator")
    assert new.kid == signer.kid
    jwks2 = signer.jwks()
    assert [k["kid"] for k in jwks2["keys"]] == [signer.kid, old_kid]
    assert check_record(token, jwks2).valid and check_record(new.jws or "", jwks2).valid
    assert not check_record(new.jws or "", jwks).valid  # the old JWKS lacks the new key

    # Decided under another policy than the published one: visible as such.
    other_policy = tmp_path / "published.toml"
    other_policy.write_text("[registration]\nmax_numbers_per_identity = 3\n")
    r = _verify(tmp_path, token, jwks2, "--policy", str(other_policy))
    assert r.exit_code == 1 and json.loads(r.output)["policy_matches"] is False
    same = tmp_path / "same.toml"
    same.write_text("")
    r = _verify(tmp_path, token, jwks2, "--policy", str(same))
    assert r.exit_code == 0 and json.loads(r.output)["policy_matches"] is True


def test_verify_cli_cannot_check_unreadable_input(tmp_path: Path) -> None:
    r = CliRunner().invoke(app, ["record", "verify", str(tmp_path / "missing.jws"), "--jwks",
                                 str(tmp_path / "none.json"), "--json"])
    assert r.exit_code == 2 and "error" in json.loads(r.output.splitlines()[-1])
    (tmp_path / "x.jws").write_text("not a jws")
    (tmp_path / "k.json").write_text('{"keys": []}')
    r = CliRunner().invoke(app, ["record", "verify", str(tmp_path / "x.jws"), "--jwks",
                                 str(tmp_path / "k.json")])
    assert r.exit_code == 1 and "invalid" in r.output


def test_jwks_endpoint_serves_public_keys(api: Any) -> None:
    r = api.get("/.well-known/jwks.json")
    assert r.status_code == 200
    keys = r.json()["keys"]
    assert keys and all(k["kty"] == "OKP" and k["crv"] == "Ed25519" and "d" not in k
                        for k in keys)
