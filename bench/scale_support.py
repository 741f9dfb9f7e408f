"""What the scale benchmark and the load test share: generated media, one registration
session through the application layer (inline or through jobs), a PostgreSQL schema of
their own, and real ``simkyc worker`` processes.

Media come from the test generators (``tests/media``) and the photos in
``../shared/data/faces`` (one person, Barack Obama, as in ``tests/api/test_full_flow.py``);
challenges are drawn from seeded generators (the tests' seeds) so that one generated
liveness video and one spoken answer answer every session's challenge. Each session has
its own identity (a valid GB 11643 number) and its own service number.
"""

from __future__ import annotations

import os
import random
import secrets
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
FACES = (REPO / ".." / "shared" / "data" / "faces").resolve()
OUT = REPO / "bench" / "out"
PG_BASE = os.environ.get("SIMKYC_BENCH_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
SEEDS = {"liveness": 77, "voice": 78}  # the tests' seeds: their generated media are cached


class _SeededChoices(random.Random):
    """The tests' seeded draws of actions, colours and digits; nonces (128 bits) still from
    the OS CSPRNG, so every session's challenge has its own nonce."""

    def getrandbits(self, k: int) -> int:
        return secrets.randbits(k) if k >= 64 else super().getrandbits(k)


def seeded_rng(purpose: str) -> random.Random:
    return _SeededChoices(SEEDS.get(purpose, 0))


sys.path.insert(0, str(REPO / "tests" / "workers"))
from workers_support import load_test_module as _module  # noqa: E402 - the test tree's loader


def flow() -> Any:
    """tests/api/test_full_flow.py: reader record, live capture, liveness video helpers."""
    return _module("api/test_full_flow.py", "simkyc_bench_full_flow")


def id_number(i: int) -> str:
    """A valid GB 11643 number (male, born 1961-08-04, Beijing Dongcheng), one per ``i``."""
    from stdnum.cn import ric

    body = f"11010119610804{(2 * i + 1) % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # it ignores the last character


@dataclass(frozen=True)
class Media:
    """One session's inputs (the same for every session; the identity differs)."""

    record: dict[str, Any]
    live_face: bytes
    liveness_video: bytes
    voice_audio: bytes
    voice_video: bytes
    upper_body: bytes
    actions: tuple[str, ...]
    digits: str


@lru_cache(maxsize=1)
def session_media() -> Media:
    """Generated once (cached on disk by the test generators)."""
    from datetime import UTC, datetime

    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.liveness import issue_challenge
    from simkyc.services.steps.liveness import SCREEN_COLOURS
    from simkyc.voice import new_challenge

    f = flow()
    c = issue_challenge(seeded_rng("liveness"), now=datetime.now(UTC),
                        policy=DEFAULT_POLICY.liveness, screen_colours=SCREEN_COLOURS)
    video = f.liveness_video(list(c.actions), list(c.screen_colours), c.colour_ms)
    v = new_challenge("en", "0" * 32, rng=seeded_rng("voice"), now=datetime.now(UTC),
                      policy=DEFAULT_POLICY.voice, attempt=1)
    speech = f.vgen.speak("en", v.digits, seed=3)
    talking = f.vgen.talking_video("face_recognition/obama.jpg", speech, seed=3).read_bytes()
    return Media(record=f.reader_record("face_recognition/obama2.jpg"),
                 live_face=f.live_capture(), liveness_video=video,
                 voice_audio=f.vgen.encode(speech, "wav"), voice_video=talking,
                 upper_body=f.upper_body_photo(), actions=tuple(c.actions), digits=v.digits)


#: The benchmarks' card reader (a fixed key: records must be signed by an enrolled reader).
BENCH_READER = "bench-reader"


def bench_reader_key() -> Any:
    from simkyc.document.reader_signature import simulated_reader_key

    return simulated_reader_key("simkyc bench card reader")


def enroll_bench_reader(ctx: Any, outlet: str) -> None:
    """Enroll the bench reader at ``outlet`` (name or id) unless it is enrolled already."""
    from simkyc.document.reader_signature import raw_public_key
    from simkyc.services.readers import enroll_reader

    with ctx.uow() as tx:
        if tx.readers.get(device_id=BENCH_READER) is not None:
            return
    enroll_reader(ctx, outlet=outlet, public_key=raw_public_key(bench_reader_key()),
                  device_id=BENCH_READER)


def record_for(media: Media, i: int) -> dict[str, Any]:
    """Customer ``i``'s record, signed now by the bench reader (each call a new signature)."""
    from simkyc.document.reader_signature import sign_record

    return sign_record({**media.record, "id_number": id_number(i)}, bench_reader_key(),
                       BENCH_READER)


# --- one session through the application layer ---

StepRunner = Callable[[str, str, dict[str, bytes], dict[str, Any]], Any]


def inline_runner(ctx: Any, models: Any, agent: Any) -> StepRunner:
    """Run each expensive step in this process (the inline mode)."""
    from simkyc.services import steps as s

    def run(step: str, rid: str, files: dict[str, bytes], params: dict[str, Any]) -> Any:
        if step == "live_face":
            return s.run_live_face(ctx, models, actor=agent, registration_id=rid,
                                   submission=s.LiveCapture(files["image"])).to_dict()
        if step == "liveness":
            return s.run_liveness(ctx, models, actor=agent, registration_id=rid,
                                  submission=s.LivenessVideo(params["nonce"], files["video"])
                                  ).to_dict()
        if step == "voice":
            return s.run_voice(ctx, models, actor=agent, registration_id=rid,
                               submission=s.VoiceAnswer(params["nonce"], files["audio"],
                                                        files.get("video"))).to_dict()
        return s.run_face_match(ctx, models, actor=agent, registration_id=rid).to_dict()

    return run


def job_runner(ctx: Any, backend: Any, agent: Any, timeout: float = 600.0) -> StepRunner:
    """Submit each expensive step as a job and wait for a worker to finish it."""
    from simkyc.services.jobs import StepSubmission, read_job, submit_job

    def run(step: str, rid: str, files: dict[str, bytes], params: dict[str, Any]) -> Any:
        job = submit_job(ctx, backend, actor=agent, registration_id=rid,
                         submission=StepSubmission(step, files, params))
        deadline = time.monotonic() + timeout
        while not job.status.finished:
            if time.monotonic() > deadline:
                raise TimeoutError(f"job {job.id} ({step}) not finished in {timeout} s")
            time.sleep(0.25)
            job = read_job(ctx, actor=agent, job_id=job.id)
        if job.error:
            raise RuntimeError(f"{step} job failed: {job.error}")
        return job.result

    return run


def run_session(ctx: Any, models: Any, agent: Any, media: Media, i: int,
                runner: StepRunner) -> dict[str, float]:
    """One customer from consent to ``registered``; wall ms per step (raises if not)."""
    from simkyc.domain.evidence import EvidenceKind
    from simkyc.services import steps as s
    from simkyc.services.registrations import start_registration

    times: dict[str, float] = {}

    def timed(name: str, fn: Callable[[], Any]) -> Any:
        t0 = time.perf_counter()
        out = fn()
        times[name] = (time.perf_counter() - t0) * 1000
        return out

    enroll_bench_reader(ctx, agent.outlet_id)
    t_all = time.perf_counter()
    reg = start_registration(ctx, actor=agent, consent=True, service_kind="mobile",
                             service_id=f"+86139{i:08d}", language="en")
    rid = reg.id
    doc = timed("document", lambda: s.run_document(
        ctx, models, actor=agent, registration_id=rid,
        submission=s.ReaderRecord(record_for(media, i))))
    assert doc.passed, doc
    results = {
        "live_face": timed("live_face", lambda: runner("live_face", rid,
                                                       {"image": media.live_face}, {}))}
    c = s.issue_liveness_challenge(ctx, actor=agent, registration_id=rid)
    assert tuple(c.actions) == media.actions, "challenges are not seeded"
    results["liveness"] = timed("liveness", lambda: runner(
        "liveness", rid, {"video": media.liveness_video}, {"nonce": c.nonce}))
    v = s.issue_voice_challenge(ctx, actor=agent, registration_id=rid, language="en")
    results["voice"] = timed("voice", lambda: runner(
        "voice", rid, {"audio": media.voice_audio, "video": media.voice_video},
        {"nonce": v.nonce}))
    s.attach_evidence(ctx, actor=agent, registration_id=rid,
                      submission=s.Attachment(EvidenceKind.UPPER_BODY, media.upper_body))
    results["face_match"] = timed("face_match", lambda: runner("face_match", rid, {}, {}))
    for step, r in results.items():
        assert r["passed"], (step, r)
    done = timed("register", lambda: s.run_register(ctx, actor=agent, registration_id=rid))
    assert done.status.value == "registered", done
    times["session"] = (time.perf_counter() - t_all) * 1000
    return times


# --- a PostgreSQL schema and real workers ---

@dataclass
class Deployment:
    """A migrated PostgreSQL schema, a data folder, a Redis queue: the celery mode's settings."""

    url: str
    schema: str
    data: Path
    queue: str
    env: dict[str, str]
    settings: Any
    workers: list[subprocess.Popen[bytes]]

    def start_workers(self, n: int, *, concurrency: int = 1, timeout: float = 300.0) -> None:
        """``n`` ``simkyc worker`` processes (each ``concurrency`` pool processes); wait
        until each has loaded its models."""
        log = self.data / "workers.log"
        before = log.read_text(errors="replace").count("models loaded") if log.exists() else 0
        for _ in range(n):
            fh = open(log, "ab")
            self.workers.append(subprocess.Popen(
                [sys.executable, "-m", "simkyc.cli.main", "worker", "-c", str(concurrency),
                 "--loglevel", "WARNING"], env=self.env, stdout=fh, stderr=subprocess.STDOUT,
                start_new_session=True))
            fh.close()
        deadline = time.monotonic() + timeout
        while log.read_text(errors="replace").count("models loaded") < before + n * concurrency:
            if time.monotonic() > deadline:
                raise TimeoutError("workers not ready:\n" + log.read_text()[-2000:])
            if any(w.poll() is not None for w in self.workers):
                raise RuntimeError("a worker exited:\n" + log.read_text()[-2000:])
            time.sleep(0.5)
        time.sleep(1.0)  # the consumers subscribe after the pool is up

    def stop_workers(self) -> None:
        for w in self.workers:
            if w.poll() is None:
                os.killpg(w.pid, signal.SIGTERM)
        for w in self.workers:
            try:
                w.wait(timeout=60)
            except subprocess.TimeoutExpired:
                os.killpg(w.pid, signal.SIGKILL)
        self.workers.clear()

    def close(self) -> None:
        from sqlalchemy import text

        from simkyc.adapters.db.engine import make_engine

        self.stop_workers()
        import redis

        redis.Redis(host="127.0.0.1", port=6379).delete(self.queue)
        eng = make_engine(PG_BASE)
        with eng.begin() as c:
            c.execute(text(f"DROP SCHEMA {self.schema} CASCADE"))
        eng.dispose()


def deploy(data: Path, **extra: Any) -> Deployment:
    """A fresh PostgreSQL schema (migrated) and the celery-mode settings and environment."""
    from sqlalchemy import text

    from simkyc.adapters.db.engine import make_engine
    from simkyc.adapters.db.migrate import upgrade
    from simkyc.config import Settings

    schema = "bench_" + secrets.token_hex(5)
    eng = make_engine(PG_BASE)
    with eng.begin() as c:
        c.execute(text(f"CREATE SCHEMA {schema}"))
    eng.dispose()
    url = f"{PG_BASE}?options=-csearch_path%3D{schema}"
    upgrade(url)
    data.mkdir(parents=True, exist_ok=True)
    queue = "simkyc-bench-" + secrets.token_hex(4)
    fields = dict(data_dir=data, database_url=url, workers="celery",
                  broker_url="redis://127.0.0.1:6379/0", broker_queue=queue, **extra)
    settings = Settings(**fields)
    settings.master_key_bytes  # noqa: B018 - the shared key file, generated now
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    env.update({f"SIMKYC_{k.upper()}": str(v) for k, v in fields.items()})
    return Deployment(url=url, schema=schema, data=data, queue=queue, env=env,
                      settings=settings, workers=[])


def bench_context(ctx: Any) -> Any:
    """The context with the tests' seeded challenges (so one video answers them all)."""
    return replace(ctx, rng=seeded_rng)
