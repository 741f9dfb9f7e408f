"""Wiring the celery run mode: the job media store and the queue the web tier sends to."""

from __future__ import annotations

from simkyc.config import Settings
from simkyc.runtime.stores import make_store
from simkyc.services.jobs import JobBackend


def build_job_backend(settings: Settings) -> JobBackend:
    """The job media area (same backend as the evidence) and the Celery queue."""
    from simkyc.adapters.celery_app import CeleryQueue, make_celery

    return JobBackend(inputs=make_store(settings, "jobs"),
                      queue=CeleryQueue(make_celery(settings)))


__all__ = ["build_job_backend"]
