"""A real Celery worker (a subprocess of ``simkyc worker``) over Redis and PostgreSQL.

1. A registration goes through every step over HTTP in the celery mode: the
   expensive steps answer 202 with a job, the worker runs them, the job
   reports the result; the registration ends ``registered``. The worker
   process loaded its models once for all the jobs.
2. The worker is killed with SIGKILL (main and pool process) while it runs a
   liveness job; the job stays unfinished and nothing is recorded; a new
   worker gets the unacknowledged task again (Redis visibility time-out) and
   completes it; the outcome, the evidence and the job are recorded once.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workers_support import load_test_module, wait_job  # noqa: E402

pytestmark = [pytest.mark.postgres, pytest.mark.timeout(300)]
BASE = "/api/v1/registrations"
flow = load_test_module("api/test_full_flow.py", "simkyc_tests_full_flow")


def _accepted(r: Any) -> str:
    assert r.status_code == 202, r.text
    assert r.headers["Location"] == f"/api/v1/jobs/{r.json()['id']}"
    assert r.json()["status"] == "queued"
    return str(r.json()["id"])


def _done(api: Any, r: Any) -> dict[str, Any]:
    job = wait_job(api, _accepted(r))
    assert job["status"] == "done", job
    return dict(job["result"])


def _new_registration(api: Any, service_id: str) -> str:
    r = api.post(BASE, json={"consent": True, "service_kind": "mobile",
                             "service_id": service_id, "language": "en"},
                 headers=api.hdr("agent"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def test_a_real_worker_completes_a_registration(celery_api: Any, worker: Any) -> None:
    api, h = celery_api, celery_api.hdr("agent")
    rid = _new_registration(api, "+8613800138100")
    doc = api.post(f"{BASE}/{rid}/document/reader-record", headers=h,
                   json=flow.reader_record("face_recognition/obama2.jpg"))
    assert doc.status_code == 200 and doc.json()["status"] == "document_checked", doc.text

    live = _done(api, api.post(f"{BASE}/{rid}/live-face", headers=h, files={
        "file": ("live.png", flow.live_capture(), "image/png")}))
    assert live["passed"] and live["status"] == "live_face_captured", live

    c = api.post(f"{BASE}/{rid}/liveness/challenge", headers=h).json()
    video = flow.liveness_video(c["actions"], c["screen_colours"], c["colour_ms"])
    lv = _done(api, api.post(f"{BASE}/{rid}/liveness", headers=h, data={"nonce": c["nonce"]},
                             files={"video": ("l.mp4", video, "video/mp4")}))
    assert lv["passed"] and lv["status"] == "liveness_passed", lv
    assert [s["passed"] for s in lv["steps"]] == [True] * len(c["actions"])

    v = api.post(f"{BASE}/{rid}/voice/challenge", json={"language": "en"}, headers=h).json()
    speech = flow.vgen.speak("en", v["numerals"].replace(" ", ""), seed=3)
    talking = flow.vgen.talking_video("face_recognition/obama.jpg", speech, seed=3).read_bytes()
    vr = _done(api, api.post(f"{BASE}/{rid}/voice", headers=h, data={"nonce": v["nonce"]}, files={
        "audio": ("a.wav", flow.vgen.encode(speech, "wav"), "audio/wav"),
        "video": ("v.mp4", talking, "video/mp4")}))
    assert vr["passed"] and vr["status"] == "voice_passed", vr
    up = api.post(f"{BASE}/{rid}/evidence/upper_body", headers=h,
                  files={"file": ("u.jpg", flow.upper_body_photo(), "image/jpeg")})
    assert up.status_code == 201, up.text

    m = _done(api, api.post(f"{BASE}/{rid}/face-match", headers=h))
    assert m["passed"] and m["status"] == "face_matched", m
    assert "distance" not in str(m)
    reg = api.post(f"{BASE}/{rid}/register", json={}, headers=h)
    assert reg.status_code == 200 and reg.json()["status"] == "registered", reg.text
    assert [s["stage"] for s in reg.json()["stages"]] == [
        "document", "live_face", "liveness", "voice", "face_match", "register"]
    assert api.get("/api/v1/audit/verify", headers=api.hdr("auditor")).json()["intact"]
    # Four jobs, one worker process, the models loaded once.
    assert worker.text().count("models loaded") == 1, worker.text()[-2000:]


def test_a_worker_killed_mid_task_completes_the_job_once_after_restart(
        celery_api: Any, worker: Any, advance: Any) -> None:
    api, h = celery_api, celery_api.hdr("agent")
    ctx, agent = api.ctx, api.actor("agent")
    rid = _new_registration(api, "+8613800138101")
    advance(ctx, agent, rid, "document", subject="CHN/110101196108040018")
    advance(ctx, agent, rid, "live_face")
    c = api.post(f"{BASE}/{rid}/liveness/challenge", headers=h).json()
    video = flow.liveness_video(c["actions"], c["screen_colours"], c["colour_ms"])
    job_id = _accepted(api.post(f"{BASE}/{rid}/liveness", headers=h, data={"nonce": c["nonce"]},
                                files={"video": ("l.mp4", video, "video/mp4")}))

    wait_job(api, job_id, until=lambda j: j["status"] != "queued")
    worker.kill()
    job = wait_job(api, job_id, until=lambda j: True)
    assert job["status"] == "running" and job["attempts"] == 1, job  # killed mid-task

    def liveness_rows() -> int:
        with ctx.uow() as tx:
            return sum(1 for o in tx.stages.list(registration_id=rid) if o.stage == "liveness")

    assert liveness_rows() == 0

    worker.start()
    job = wait_job(api, job_id, timeout=150)
    assert job["status"] == "done", job["error"]
    assert job["attempts"] >= 2
    assert job["result"]["passed"] and job["result"]["status"] == "liveness_passed", job
    assert liveness_rows() == 1
    with ctx.uow() as tx:
        kinds = [e.kind.value for e in tx.evidence.list(registration_id=rid)]
    assert kinds.count("liveness_video") == 1 and kinds.count("live_face") == 1, kinds
    assert api.get("/api/v1/audit/verify", headers=api.hdr("auditor")).json()["intact"]
