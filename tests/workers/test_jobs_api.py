"""The job routes without a worker: what a submission in the celery mode answers and
stores, who may read a job, and the inline mode (no jobs)."""

from __future__ import annotations

import secrets
import sys
from pathlib import Path
from typing import Any

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))
from workers_support import load_test_module  # noqa: E402

pytestmark = pytest.mark.postgres
BASE = "/api/v1/registrations"
flow = load_test_module("api/test_full_flow.py", "simkyc_tests_full_flow")
contract = load_test_module("api/test_openapi_contract.py", "simkyc_tests_openapi_contract")


def _registration(api: Any) -> str:
    r = api.post(BASE, json={"consent": True}, headers=api.hdr("agent"))
    assert r.status_code == 201, r.text
    return str(r.json()["id"])


def _live_face(api: Any, rid: str, key: str | None = None, image: bytes | None = None) -> Any:
    headers = {**api.hdr("agent"), **({"Idempotency-Key": key} if key else {})}
    return api.post(f"{BASE}/{rid}/live-face", headers=headers,
                    files={"file": ("l.png", image or flow.live_capture(), "image/png")})


def _jobs(api: Any, rid: str) -> list[Any]:
    from sqlalchemy import select

    from simkyc.adapters.db.tables import JobRow

    with api.ctx.uow() as tx:
        return list(tx.session.scalars(select(JobRow).where(JobRow.registration_id == rid)))


def test_a_submission_answers_202_and_stores_the_media_encrypted(
        celery_api: Any, celery_setup: Any, advance: Any) -> None:
    api = celery_api
    rid = _registration(api)
    advance(api.ctx, api.actor("agent"), rid, "document", subject="CHN/110101196108040018")
    image = flow.live_capture()
    r = _live_face(api, rid, image=image)
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["status"] == "queued" and job["step"] == "live_face" and job["result"] is None
    assert r.headers["Location"] == f"/api/v1/jobs/{job['id']}"
    got = api.get(f"/api/v1/jobs/{job['id']}", headers=api.hdr("agent"))
    assert got.status_code == 200 and got.json()["id"] == job["id"]
    spec = api.get("/openapi.json").json()
    contract._validate(spec, "/api/v1/registrations/{registration_id}/live-face", "post", r)
    contract._validate(spec, "/api/v1/jobs/{job_id}", "get", got)
    # The upload waits encrypted in the job area; the registration is unchanged.
    files = list((celery_setup.data / "jobs" / rid).iterdir())
    assert len(files) == 1 and image[:64] not in files[0].read_bytes()
    view = api.get(f"{BASE}/{rid}", headers=api.hdr("agent")).json()
    assert view["status"] == "document_checked" and len(view["stages"]) == 1


def test_idempotency_key_names_one_job(celery_api: Any, advance: Any) -> None:
    api = celery_api
    rid = _registration(api)
    advance(api.ctx, api.actor("agent"), rid, "document", subject="CHN/110101196108040018")
    key = "live-" + secrets.token_hex(8)
    first = _live_face(api, rid, key)
    again = _live_face(api, rid, key)
    assert first.status_code == again.status_code == 202
    assert first.json()["id"] == again.json()["id"]
    other = _live_face(api, rid, key, image=flow.upper_body_photo())
    assert other.status_code == 409
    assert len(_jobs(api, rid)) == 1


def test_a_refused_submission_stores_nothing(celery_api: Any, advance: Any) -> None:
    api = celery_api
    rid = _registration(api)
    # face match before any step: refused at once, no job
    r = api.post(f"{BASE}/{rid}/face-match", headers=api.hdr("agent"))
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"
    # an unknown challenge
    advance(api.ctx, api.actor("agent"), rid, "document", subject="CHN/110101196108040018")
    advance(api.ctx, api.actor("agent"), rid, "live_face")
    r = api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                 data={"nonce": secrets.token_hex(16)},
                 files={"video": ("l.mp4", b"\0" * 100, "video/mp4")})
    assert r.status_code == 409 and r.json()["error"] == "challenge_rejected"
    # one job per challenge
    c = api.post(f"{BASE}/{rid}/liveness/challenge", headers=api.hdr("agent")).json()
    sent = [api.post(f"{BASE}/{rid}/liveness", headers=api.hdr("agent"),
                     data={"nonce": c["nonce"]},
                     files={"video": ("l.mp4", b"\0" * 100 + bytes([i]), "video/mp4")})
            for i in range(2)]
    assert [s.status_code for s in sent] == [202, 409]
    assert len(_jobs(api, rid)) == 1


def test_only_the_outlet_reads_its_jobs(celery_api: Any, advance: Any) -> None:
    api = celery_api
    rid = _registration(api)
    advance(api.ctx, api.actor("agent"), rid, "document", subject="CHN/110101196108040018")
    job_id = _live_face(api, rid).json()["id"]
    assert api.get(f"/api/v1/jobs/{job_id}", headers=api.hdr("supervisor")).status_code == 200
    assert api.get(f"/api/v1/jobs/{job_id}",
                   headers=api.hdr("other_agent")).status_code in (403, 404)
    assert api.get(f"/api/v1/jobs/{secrets.token_hex(16)}",
                   headers=api.hdr("agent")).status_code == 404
    assert api.get("/api/v1/jobs/nothex", headers=api.hdr("agent")).status_code == 422
    assert api.get(f"/api/v1/jobs/{job_id}").status_code == 401


def test_the_celery_mode_contract(celery_api: Any) -> None:
    spec = celery_api.get("/openapi.json").json()
    contract.test_every_route_declares_its_responses(spec)
    for path in ("document", "live-face", "liveness", "voice", "face-match"):
        op = spec["paths"][f"{BASE}/{{registration_id}}/{path}"]["post"]
        assert "202" in op["responses"] and "200" not in op["responses"], path


def test_the_inline_mode_has_no_jobs(api: Any) -> None:
    r = api.get(f"/api/v1/jobs/{secrets.token_hex(16)}", headers=api.hdr("agent"))
    assert r.status_code == 404
    spec = api.get("/openapi.json").json()
    assert "200" in spec["paths"][f"{BASE}/{{registration_id}}/live-face"]["post"]["responses"]
