"""The Celery app: one task, ``simkyc.run_job``, that runs a verification job.

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


__all__ = ["CeleryQueue", "TASK", "WorkerState", "make_celery", "worker_state"]
