"""Encrypted evidence in an S3-compatible bucket (AWS S3, MinIO, Ceph), so every
worker reaches it.

Same encryption as the local folder (:mod:`simkyc.adapters.evidence_store`):
AES-256-GCM under the registration's data key, the registration and evidence
ids bound as associated data; the bucket never sees plaintext. Layout:
``<prefix><registration id>/<evidence id>.sk``. A PUT is atomic (an object is
whole or absent), so a crash leaves no partial item; an object whose database
row never committed is an orphan, removed by :meth:`S3EvidenceStore.sweep_orphans`.
"""

from __future__ import annotations

import hashlib
import re
import time
from collections.abc import Iterable, Iterator
from typing import Any

from simkyc.adapters.crypto import open_sealed, seal
from simkyc.adapters.evidence_store import _aad
from simkyc.domain.errors import EvidenceError, EvidenceTamperedError

_ID = re.compile(r"^[0-9a-f]{32}$")


class S3EvidenceStore:
    """Evidence blobs, AES-256-GCM encrypted, in ``bucket`` under ``prefix``.

    ``client``: a boto3 S3 client (see :func:`s3_client`).
    """

    def __init__(self, client: Any, bucket: str, prefix: str = "") -> None:
        self.client = client
        self.bucket = bucket
        self.prefix = prefix

    def _key(self, registration_id: str, evidence_id: str) -> str:
        if not (_ID.match(registration_id) and _ID.match(evidence_id)):
            raise EvidenceError("malformed evidence identifier")
        return f"{self.prefix}{registration_id}/{evidence_id}.sk"

    def write(self, *, registration_id: str, evidence_id: str, data_key: bytes,
              plaintext: bytes) -> str:
        """Encrypt and store ``plaintext``; return its SHA-256 (hex) for the database row."""
        digest = hashlib.sha256(plaintext).hexdigest()
        blob = seal(data_key, plaintext, _aad(registration_id, evidence_id))
        self.client.put_object(Bucket=self.bucket, Key=self._key(registration_id, evidence_id),
                               Body=blob, ContentType="application/octet-stream")
        return digest

    def read(self, *, registration_id: str, evidence_id: str, data_key: bytes,
             sha256: str) -> bytes:
        """Decrypt one item; :class:`EvidenceTamperedError` if it was altered."""
        from botocore.exceptions import ClientError

        try:
            obj = self.client.get_object(Bucket=self.bucket,
                                         Key=self._key(registration_id, evidence_id))
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in ("NoSuchKey", "404"):
                raise EvidenceError(f"evidence {evidence_id} is missing from the store") from exc
            raise
        blob = obj["Body"].read()
        plaintext = open_sealed(data_key, blob, _aad(registration_id, evidence_id))
        if hashlib.sha256(plaintext).hexdigest() != sha256:
            raise EvidenceTamperedError(f"evidence {evidence_id} does not match its recorded hash")
        return plaintext

    def delete(self, *, registration_id: str, evidence_id: str) -> None:
        self.client.delete_object(Bucket=self.bucket, Key=self._key(registration_id, evidence_id))

    def _objects(self, prefix: str) -> Iterator[dict[str, Any]]:
        pages = self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket,
                                                                      Prefix=prefix)
        for page in pages:
            yield from page.get("Contents", ())

    def delete_registration(self, registration_id: str) -> None:
        if not _ID.match(registration_id):
            raise EvidenceError("malformed registration identifier")
        keys = [o["Key"] for o in self._objects(f"{self.prefix}{registration_id}/")]
        for i in range(0, len(keys), 1000):
            self.client.delete_objects(Bucket=self.bucket, Delete={
                "Objects": [{"Key": k} for k in keys[i:i + 1000]], "Quiet": True})

    def iter_items(self) -> Iterator[tuple[str, str, str]]:
        """Every stored (registration id, evidence id, key)."""
        for o in self._objects(self.prefix):
            rest = o["Key"][len(self.prefix):]
            reg, _, name = rest.partition("/")
            ev = name.split(".", 1)[0]
            if _ID.match(reg) and _ID.match(ev):
                yield reg, ev, o["Key"]

    def sweep_orphans(self, known_evidence_ids: Iterable[str], *,
                      older_than_seconds: float = 0.0) -> int:
        """Delete objects with no committed database row, older than ``older_than_seconds``."""
        known = set(known_evidence_ids)
        cutoff = time.time() - older_than_seconds
        removed = 0
        for o in list(self._objects(self.prefix)):
            rest = o["Key"][len(self.prefix):]
            reg, _, name = rest.partition("/")
            ev = name.split(".", 1)[0]
            if not (_ID.match(reg) and _ID.match(ev)) or ev in known:
                continue
            if o["LastModified"].timestamp() <= cutoff:
                self.client.delete_object(Bucket=self.bucket, Key=o["Key"])
                removed += 1
        return removed


def s3_client(*, endpoint_url: str | None = None, region: str = "us-east-1") -> Any:
    """A boto3 S3 client (credentials from the usual AWS variables or files)."""
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint_url, region_name=region,
                        config=Config(retries={"max_attempts": 5, "mode": "standard"},
                                      s3={"addressing_style": "path"}))


__all__ = ["S3EvidenceStore", "s3_client"]
