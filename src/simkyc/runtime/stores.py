"""The evidence backend a process uses (the local folder or an S3 bucket), and the
area where a job's submitted media wait for a worker."""

from __future__ import annotations

from typing import Any

from simkyc.config import Settings
from simkyc.domain.errors import ConfigurationError


def make_store(settings: Settings, area: str = "evidence") -> Any:
    """The store for ``area``: ``evidence`` (kept items) or ``jobs`` (media waiting for a
    worker, deleted once the job is finished); both encrypted the same way."""
    if settings.evidence_backend == "s3":
        from simkyc.adapters.s3_store import S3EvidenceStore, s3_client

        if not settings.s3_bucket:
            raise ConfigurationError("SIMKYC_S3_BUCKET must be set with SIMKYC_EVIDENCE_BACKEND=s3")
        client = s3_client(endpoint_url=settings.s3_endpoint_url, region=settings.s3_region)
        return S3EvidenceStore(client, settings.s3_bucket, f"{settings.s3_prefix}{area}/")
    from simkyc.adapters.evidence_store import EvidenceStore

    return EvidenceStore(settings.evidence_dir if area == "evidence"
                         else settings.data_dir / area)


__all__ = ["make_store"]
