"""Signed records: JWS (RFC 7515) with Ed25519 keys (``EdDSA``, RFC 8037), via joserfc.

Keys live in a folder (``SIMKYC_SIGNING_KEYS_DIR``, default
``<data dir>/signing``): one PKCS#8 PEM per key, named by its RFC 7638
thumbprint (the ``kid``), and a file ``current`` naming the key that signs.
:meth:`SigningKeys.rotate` adds a key and makes it current; the old ones stay
in the folder and in the JWKS, so records signed before a rotation still
verify. The JWKS (``/.well-known/jwks.json``) holds public keys only.

``EdDSA`` is the algorithm name of RFC 8037 that verifiers know; RFC 9864
deprecates it in favour of the fully-specified ``Ed25519`` (the same
signature bytes), and joserfc warns about it: records are signed as
``EdDSA`` for the regulators' verifiers and :func:`verify_jws` accepts both.
"""

from __future__ import annotations

import json
import os
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc import jws
from joserfc.errors import JoseError, SecurityWarning
from joserfc.jwk import KeySet, OKPKey

from simkyc.domain.errors import ConfigurationError

ALGORITHMS = ["EdDSA", "Ed25519"]


class InvalidSignature(Exception):
    """The JWS is malformed, signed by an unknown key, or its signature does not verify."""


@dataclass(frozen=True)
class VerifiedJws:
    kid: str
    header: dict[str, Any]
    payload: bytes


class SigningKeys:
    """The operator's Ed25519 record-signing keys in ``directory`` (created on first use)."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        if not (directory / "current").exists():
            self.rotate()

    def _keys(self) -> dict[str, OKPKey]:
        out = {}
        for pem in sorted(self.directory.glob("*.pem")):
            out[pem.stem] = OKPKey.import_key(pem.read_bytes())
        return out

    @property
    def kid(self) -> str:
        try:
            return (self.directory / "current").read_text().strip()
        except OSError as exc:
            raise ConfigurationError(f"no current signing key in {self.directory}") from exc

    def rotate(self) -> str:
        """A new key becomes current (its kid is returned); older keys keep verifying."""
        self.directory.mkdir(parents=True, exist_ok=True)
        key = OKPKey.generate_key("Ed25519")
        kid = key.thumbprint()
        path = self.directory / f"{kid}.pem"
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as fh:
            fh.write(key.as_pem(private=True))
        tmp = self.directory / "current.tmp"
        tmp.write_text(kid + "\n")
        os.replace(tmp, self.directory / "current")
        return kid

    def sign(self, payload: bytes, *, typ: str) -> str:
        kid = self.kid
        pem = self.directory / f"{kid}.pem"
        try:
            key = OKPKey.import_key(pem.read_bytes())
        except OSError as exc:
            raise ConfigurationError(f"the current signing key {kid} is missing") from exc
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)  # EdDSA: see the module docstring
            return jws.serialize_compact({"alg": "EdDSA", "kid": kid, "typ": typ}, payload, key,
                                         algorithms=["EdDSA"])

    def jwks(self) -> dict[str, Any]:
        """Every public key, current first: ``{"keys": [{kty, crv, x, kid, alg, use}]}``."""
        current = self.kid
        keys = sorted(self._keys().items(), key=lambda kv: kv[0] != current)
        return {"keys": [{**k.as_dict(private=False), "kid": kid, "alg": "EdDSA", "use": "sig"}
                         for kid, k in keys]}


def verify_jws(token: str, jwks: dict[str, Any]) -> VerifiedJws:
    """Check a compact JWS against a JWKS; the key is chosen by the header's ``kid``."""
    try:
        header_b64 = token.split(".", 1)[0]
        header = json.loads(_b64decode(header_b64))
    except (ValueError, IndexError) as exc:
        raise InvalidSignature("not a compact JWS") from exc
    if not isinstance(header, dict):
        raise InvalidSignature("not a compact JWS")
    if header.get("alg") not in ALGORITHMS:
        raise InvalidSignature(f"algorithm {header.get('alg')!r} is not EdDSA")
    kid = header.get("kid")
    entries = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(entries, list):
        raise InvalidSignature("the JWKS has no list of keys")
    try:
        keys: list[Any] = [OKPKey.import_key(k) for k in entries
                           if isinstance(k, dict) and k.get("kid") == kid]
    except (JoseError, ValueError, TypeError) as exc:
        raise InvalidSignature(f"the JWKS entry for {kid!r} is not an Ed25519 key") from exc
    if not keys:
        raise InvalidSignature(f"no key {kid!r} in the JWKS")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", SecurityWarning)
            obj = jws.deserialize_compact(token, KeySet(keys), algorithms=ALGORITHMS)
    except (JoseError, ValueError) as exc:
        raise InvalidSignature(f"the signature does not verify ({type(exc).__name__})") from exc
    return VerifiedJws(kid=str(kid), header=dict(obj.headers()), payload=obj.payload)


def _b64decode(s: str) -> bytes:
    import base64

    return base64.urlsafe_b64decode(s + "=" * (-len(s) % 4))


__all__ = ["ALGORITHMS", "InvalidSignature", "SigningKeys", "VerifiedJws", "verify_jws"]
