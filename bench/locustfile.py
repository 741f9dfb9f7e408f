"""Locust users for the load test (``bench/loadtest.py`` runs it headless on loopback).

Each user runs exactly one registration session through the HTTP API in the celery mode
(consent, reader record, live face, liveness, voice, upper body, face match, register),
polling each job until a worker finished it, then stops; the last one to finish stops
the run. Job times (submit to done) are reported as ``JOB <step>`` entries.

Environment: ``SIMKYC_LT_TOKEN`` (an agent's API token), ``SIMKYC_LT_MEDIA`` (the pickled
media), ``SIMKYC_LT_RESULTS`` (a JSON-lines file of outcomes), ``SIMKYC_LT_USERS``.
"""

from __future__ import annotations

import itertools
import json
import os
import pickle
import sys
import time
from pathlib import Path
from typing import Any

import gevent
from locust import HttpUser, task
from locust.exception import StopUser

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_support as sup  # noqa: E402, F401 - the pickled Media's class

MEDIA = pickle.loads(Path(os.environ["SIMKYC_LT_MEDIA"]).read_bytes())
TOKEN = os.environ["SIMKYC_LT_TOKEN"]
RESULTS = Path(os.environ["SIMKYC_LT_RESULTS"])
USERS = int(os.environ["SIMKYC_LT_USERS"])
BASE = "/api/v1/registrations"
_ids = itertools.count(1)
_finished = itertools.count(1)


class Counter(HttpUser):
    """One shop counter: one customer, start to registered."""

    def on_start(self) -> None:
        self.index = next(_ids)
        self.h = {"Authorization": f"Bearer {TOKEN}"}

    def _json(self, method: str, url: str, name: str, expect: int, **kw: Any) -> dict[str, Any]:
        with self.client.request(method, url, name=name, headers=self.h, catch_response=True,
                                 **kw) as r:
            if r.status_code != expect:
                r.failure(f"{r.status_code}: {r.text[:200]}")
                raise StopUser()
            return dict(r.json())

    def _job(self, step: str, url: str, name: str, **kw: Any) -> dict[str, Any]:
        t0 = time.perf_counter()
        job = self._json("POST", url, name, 202, **kw)
        while job["status"] not in ("done", "failed"):
            time.sleep(0.5)
            job = self._json("GET", f"/api/v1/jobs/{job['id']}", "GET /jobs/{id}", 200)
        ok = job["status"] == "done" and job["result"]["passed"]
        self.environment.events.request.fire(
            request_type="JOB", name=step, response_time=(time.perf_counter() - t0) * 1000,
            response_length=0, context={},
            exception=None if ok else RuntimeError(f"{step}: {job.get('error') or job['result']}"))
        if not ok:
            raise StopUser()
        return dict(job["result"])

    @task
    def register_one_customer(self) -> None:
        i, rid, status = 20_000 + self.index, None, "unfinished"
        try:
            reg = self._json("POST", BASE, "POST /registrations", 201, json={
                "consent": True, "service_kind": "mobile", "service_id": f"+86137{i:08d}",
                "language": "en"})
            rid = reg["id"]
            self._json("POST", f"{BASE}/{rid}/document/reader-record", "POST reader-record",
                       200, json=sup.record_for(MEDIA, i))
            self._job("live_face", f"{BASE}/{rid}/live-face", "POST live-face", files={
                "file": ("l.png", MEDIA.live_face, "image/png")})
            c = self._json("POST", f"{BASE}/{rid}/liveness/challenge",
                           "POST liveness/challenge", 201)
            self._job("liveness", f"{BASE}/{rid}/liveness", "POST liveness",
                      data={"nonce": c["nonce"]},
                      files={"video": ("l.mp4", MEDIA.liveness_video, "video/mp4")})
            v = self._json("POST", f"{BASE}/{rid}/voice/challenge", "POST voice/challenge",
                           201, json={"language": "en"})
            self._job("voice", f"{BASE}/{rid}/voice", "POST voice", data={"nonce": v["nonce"]},
                      files={"audio": ("a.wav", MEDIA.voice_audio, "audio/wav"),
                             "video": ("v.mp4", MEDIA.voice_video, "video/mp4")})
            self._json("POST", f"{BASE}/{rid}/evidence/upper_body", "POST evidence/upper_body",
                       201, files={"file": ("u.jpg", MEDIA.upper_body, "image/jpeg")})
            self._job("face_match", f"{BASE}/{rid}/face-match", "POST face-match")
            done = self._json("POST", f"{BASE}/{rid}/register", "POST register", 200, json={})
            status = done["status"]
        finally:
            with RESULTS.open("a") as fh:
                fh.write(json.dumps({"i": i, "registration_id": rid, "status": status}) + "\n")
            if next(_finished) >= USERS:  # the last one: stop the run (after this returns)
                gevent.spawn_later(2.0, self.environment.runner.quit)
        raise StopUser()
