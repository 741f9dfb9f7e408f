"""The Celery app: ``simkyc.run_job`` runs a verification job; ``simkyc.check_evidence``,
scheduled by beat (``simkyc worker --beat``, every ``SIMKYC_EVIDENCE_CHECK_INTERVAL_S``,
default daily), decrypts and hash-checks every evidence item and stores the results the
compliance report reads.

Broker: Redis at ``redis://127.0.0.1:6379/0`` by default, RabbitMQ by URL
(``SIMKYC_BROKER_URL=amqp://...``). No result backend: the job row in the
database is the result (``GET /api/v1/jobs/{id}``).

Delivery: the task is acknowledged *late* (after it returns), one message
reserved per worker process (``prefetch_multiplier=1``), and a message whose
worker process died is rejected back to the queue; a worker killed whole
leaves it unacknowledged, and the broker delivers it again (RabbitMQ when the
connection drops, Redis after ``SIMKYC_BROKER_VISIBILITY_TIMEOUT`` seconds).
:func:`simkyc.services.jobs.decide_job` makes a second delivery harmless.

Models: each worker process builds its context and loads every model once,
when it starts (``worker_process_init``), never per task.
"""

from __future__ import annotations

import logging
import os
import time
from dataclasses import dataclass
from typing import Any

from celery import Celery, signals

from simkyc.config import Settings
from simkyc.domain.errors import NotFoundError

TASK = "simkyc.run_job"
EVIDENCE_TASK = "simkyc.check_evidence"
log = logging.getLogger("simkyc.worker")


@dataclass
class WorkerState:
    """What one worker process holds: its runtime, loaded models and the job media store."""

    runtime: Any
    models: Any
    inputs: Any
    loaded_in_s: float


_state: WorkerState | None = None


def worker_state(settings: Settings) -> WorkerState:
    """This process's state, built (and every model loaded) on first use."""
    global _state
    if _state is None:
        from simkyc.runtime import ModelRegistry, build_runtime
        from simkyc.runtime.stores import make_store

        started = time.perf_counter()
        runtime = build_runtime(settings)
        models = ModelRegistry()
        models.warm()
        _state = WorkerState(runtime=runtime, models=models, inputs=make_store(settings, "jobs"),
                             loaded_in_s=time.perf_counter() - started)
        log.warning("simkyc worker process %d: models loaded in %.1f s (%s)", os.getpid(),
                    _state.loaded_in_s, ", ".join(models.loaded()))
    return _state


_evidence_runtime: Any = None


def evidence_runtime(settings: Settings) -> Any:
    """The runtime for the evidence check: the worker process's (models loaded) if it has
    one, else one without models (the check reads the store, it runs no model)."""
    global _evidence_runtime
    if _state is not None:
        return _state.runtime
    if _evidence_runtime is None:
        from simkyc.runtime import build_runtime

        _evidence_runtime = build_runtime(settings)
    return _evidence_runtime


def make_celery(settings: Settings) -> Celery:
    """The Celery app for ``settings`` (the API uses it to enqueue, the worker to run)."""
    app = Celery("simkyc", broker=settings.broker_url, set_as_current=False)
    app.conf.update(
        task_acks_late=True,
        task_reject_on_worker_lost=True,
        worker_prefetch_multiplier=1,
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        task_default_queue=settings.broker_queue,
        broker_connection_retry_on_startup=True,
        # Redis: scan for unacknowledged tasks of dead workers every 10 s (kombu's
        # default scans every 100 s) and give back those older than the time-out.
        broker_transport_options={"visibility_timeout": settings.broker_visibility_timeout,
                                  "unacked_restore_interval": 10,
                                  "unacked_restore_throttle": 1},
        worker_hijack_root_logger=False,
        worker_send_task_events=False,
    )

    @app.task(name=TASK, bind=True, acks_late=True, max_retries=5)
    def run_job(self: Any, job_id: str) -> str:
        from simkyc.services.jobs import decide_job

        state = worker_state(settings)
        try:
            job = decide_job(state.runtime.context, state.models, state.inputs, job_id=job_id)
        except NotFoundError:
            log.warning("job %s is not in the database; dropped", job_id)
            return "missing"
        except Exception as exc:  # a database or store outage: try again later
            log.warning("job %s: %s: %s; retrying", job_id, type(exc).__name__, exc)
            raise self.retry(exc=exc, countdown=min(60, 2 ** self.request.retries)) from exc
        return str(job.status.value)

    @app.task(name=EVIDENCE_TASK, acks_late=True)
    def check_evidence(days: float = 400.0,
                       skip_checked_within_hours: float | None = None) -> dict[str, object]:
        """The scheduled evidence check of the registrations of the last ``days``."""
        from datetime import timedelta

        from simkyc.domain.parties import Agent, Role
        from simkyc.services.compliance._common import make_period
        from simkyc.services.compliance.stats import run_evidence_check

        ctx = evidence_runtime(settings).context
        now = ctx.clock()
        run = run_evidence_check(
            ctx, actor=Agent(id="scheduler", name="scheduled evidence check",
                             role=Role.COMPLIANCE, outlet_id=None),
            period=make_period(now - timedelta(days=days), now + timedelta(seconds=1)),
            skip_checked_within=timedelta(hours=skip_checked_within_hours)
            if skip_checked_within_hours else None)
        out = run.as_dict()
        log.warning("evidence check: %d item(s) read, %d unreadable, %d destroyed",
                    run.checked, len(run.unreadable), run.destroyed)
        return out

    app.conf.beat_schedule = {
        "simkyc-check-evidence": {"task": EVIDENCE_TASK,
                                  "schedule": settings.evidence_check_interval_s,
                                  "options": {"queue": settings.broker_queue}}}

    def _init_process(**_: Any) -> None:
        worker_state(settings)

    def _end_process(**_: Any) -> None:
        if _state is not None:
            _state.runtime.close()

    signals.worker_process_init.connect(_init_process, weak=False)
    signals.worker_process_shutdown.connect(_end_process, weak=False)
    return app


class CeleryQueue:
    """:class:`simkyc.services.jobs.JobQueue` over a Celery app."""

    def __init__(self, app: Celery) -> None:
        self.app = app

    def enqueue(self, job_id: str) -> None:
        self.app.send_task(TASK, args=[job_id], queue=self.app.conf.task_default_queue)


__all__ = ["EVIDENCE_TASK", "TASK", "CeleryQueue", "WorkerState", "evidence_runtime",
           "make_celery", "worker_state"]
