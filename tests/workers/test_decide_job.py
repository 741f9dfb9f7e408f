"""decide_job without a broker, on SQLite and PostgreSQL: a job is recorded once however
often it is delivered, and a refused step fails the job with its error code."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workers_support import load_test_module  # noqa: E402

from simkyc.adapters.evidence_store import EvidenceStore  # noqa: E402
from simkyc.domain.jobs import JobStatus  # noqa: E402
from simkyc.runtime import ModelRegistry  # noqa: E402
from simkyc.services.jobs import (  # noqa: E402
    JobBackend,
    StepSubmission,
    decide_job,
    requeue_unfinished,
    submit_job,
)

flow = load_test_module("api/test_full_flow.py", "simkyc_tests_full_flow")


class ListQueue:
    """An in-memory queue: the ids it was given, in order."""

    def __init__(self) -> None:
        self.sent: list[str] = []

    def enqueue(self, job_id: str) -> None:
        self.sent.append(job_id)


@pytest.fixture(scope="module")
def models() -> ModelRegistry:
    m = ModelRegistry()
    m.face()
    return m


@pytest.fixture
def backend(tmp_path: Path) -> JobBackend:
    return JobBackend(inputs=EvidenceStore(tmp_path / "jobs"), queue=ListQueue())


def _live_face_job(ctx: Any, people: Any, backend: JobBackend, advance: Any) -> Any:
    from simkyc.services.registrations import start_registration

    agent = people["agent"][0]
    reg = start_registration(ctx, actor=agent, consent=True)
    advance(ctx, agent, reg.id, "document", subject="CHN/110101196108040018")
    return submit_job(ctx, backend, actor=agent, registration_id=reg.id,
                      submission=StepSubmission("live_face", {"image": flow.live_capture()}))


def _stage_rows(ctx: Any, rid: str, stage: str) -> int:
    with ctx.uow() as tx:
        return sum(1 for o in tx.stages.list(registration_id=rid) if o.stage == stage)


def test_a_job_delivered_twice_is_recorded_once(ctx: Any, people: Any, backend: JobBackend,
                                                advance: Any, models: ModelRegistry) -> None:
    job = _live_face_job(ctx, people, backend, advance)
    assert backend.queue.sent == [job.id]  # type: ignore[attr-defined]
    done = decide_job(ctx, models, backend.inputs, job_id=job.id)
    assert done.status is JobStatus.DONE and done.attempts == 1
    assert done.result and done.result["passed"] and done.result["status"] == "live_face_captured"
    assert done.recorded_at is not None and done.recorded == {"passed": True, "reasons": []}
    again = decide_job(ctx, models, backend.inputs, job_id=job.id)
    assert again == done
    assert _stage_rows(ctx, job.registration_id, "live_face") == 1
    assert list(backend.inputs.iter_items()) == []  # type: ignore[attr-defined]


def test_a_redelivery_after_recording_finishes_without_running_again(
        ctx: Any, people: Any, backend: JobBackend, advance: Any,
        models: ModelRegistry) -> None:
    job = _live_face_job(ctx, people, backend, advance)
    done = decide_job(ctx, models, backend.inputs, job_id=job.id)
    # What a worker dying between the recording and the job's finish leaves behind:
    with ctx.uow() as tx:
        tx.jobs.save(job=replace(done, status=JobStatus.RUNNING, result=None,
                                 finished_at=None))
    assert requeue_unfinished(ctx, backend.queue, older_than_seconds=-60) == 1
    again = decide_job(ctx, models, backend.inputs, job_id=job.id)
    assert again.status is JobStatus.DONE and again.attempts == done.attempts
    assert again.result == done.result
    assert _stage_rows(ctx, job.registration_id, "live_face") == 1


def test_a_refused_step_fails_the_job_with_its_code(ctx: Any, people: Any, backend: JobBackend,
                                                    advance: Any, models: ModelRegistry) -> None:
    from simkyc.services.registrations import start_registration

    agent = people["agent"][0]
    reg = start_registration(ctx, actor=agent, consent=True)
    advance(ctx, agent, reg.id, "document", subject="CHN/110101196108040018")
    job = submit_job(ctx, backend, actor=agent, registration_id=reg.id,
                     submission=StepSubmission("live_face", {"image": b"not an image"}))
    failed = decide_job(ctx, models, backend.inputs, job_id=job.id)
    assert failed.status is JobStatus.FAILED and failed.result is None
    assert failed.error and failed.error["error"] == "unsupported_media_type"
    assert _stage_rows(ctx, reg.id, "live_face") == 0
