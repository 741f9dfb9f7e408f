"""Scale benchmark (issue 15): stage latencies, one session end to end, throughput with
1 and 2 worker processes, peak memory per step, and the peer face pipeline.

Measured in one run on the same generated inputs (``scale_support``):

- ``stages``: median wall ms of document OCR (``read_document`` on a generated
  ID-card front photo), face compare (``match_faces`` of two full photos, both
  detected and embedded), liveness per second of video and voice per second of
  audio (decode + check, the video the liveness step gets; the answer with its
  video, as the voice step gets it);
- ``end_to_end_ms``: one session through the application layer, inline, on SQLite
  (consent, reader record, live face, liveness, voice, upper body, face match, register);
- ``throughput_per_min``: sessions per minute with ``"1"`` and ``"2"`` ``simkyc worker``
  processes (Celery over Redis, PostgreSQL), sessions driven through jobs as the celery
  mode's web tier does;
- ``peak_rss_mb``: peak resident memory of a fresh process that loads what one step
  needs and runs it once, per step;
- ``peer``: the face_recognition pipeline (the ``face_recognition`` package itself on
  dlib: HOG detection upsampled once on every image, every face found embedded,
  ``compare_faces`` at 0.6) on the same pairs; ``peer_ratio`` = our face compare
  median / the peer's.

    .venv/bin/simkyc bench --json [--quick]      # or: python bench/bench_scale.py --json

Prints one JSON object on stdout (progress on stderr); writes ``bench/out/scale.json``
and ``bench/out/scale.png``.
"""

from __future__ import annotations

import argparse
import json
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scale_support as sup  # noqa: E402

PAIRS = [("obama.jpg", "obama2.jpg"), ("obama.jpg", "obama3.jpg"),
         ("biden.jpg", "biden_biden2.jpg"),
         ("kit_harington_john1.jpeg", "kit_harington_john2.jpeg"),
         ("rose_leslie_img1.jpg", "rose_leslie_img2.jpg"), ("obama.jpg", "biden.jpg"),
         ("rose_leslie_img1.jpg", "kit_harington_john1.jpeg")]
SAME = [True, True, True, True, True, False, False]
STEPS = ("document", "live_face", "liveness", "voice", "face_match")


def log(msg: str) -> None:
    print(f"[bench scale {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _median_ms(fn: Any, n: int) -> tuple[float, Any]:
    times, out = [], None
    for _ in range(n):
        t0 = time.perf_counter()
        out = fn()
        times.append((time.perf_counter() - t0) * 1000)
    return statistics.median(times), out


def _face_path(name: str) -> Path:
    return sup.FACES / "face_recognition" / name


def measure_stages(models: Any, media: sup.Media, n: int) -> dict[str, Any]:
    from simkyc.document import read_document
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.face.matching import match_faces
    from simkyc.liveness import ScreenLight, check_liveness
    from simkyc.media.images import read_image_file
    from simkyc.services.context import MediaLimits
    from simkyc.services.media_input import audio_input, video_input
    from simkyc.voice import check_spoken_digits

    p = DEFAULT_POLICY
    limits = MediaLimits()
    gen = sup._module("media/doc_generate.py", "doc_generate")
    import numpy as np

    docs = [np.asarray(gen.make_document("cn-id-front", seed).image.convert("RGB"))
            for seed in range(n)]
    t = []
    for img in docs:
        ms, reading = _median_ms(lambda img=img: read_document(
            img, models=models.document(), on=date(2026, 11, 29), policy=p), 1)
        t.append(ms)
    out: dict[str, Any] = {"document_ocr": statistics.median(t)}
    log(f"document OCR {out['document_ocr']:.0f} ms (median of {len(t)})")

    face_models = models.face()
    images = {name: read_image_file(_face_path(name)) for pair in PAIRS for name in pair}
    ours, decisions = [], []
    for ref, live in PAIRS:
        with models.mesh_factory()(static_image_mode=True, max_num_faces=1) as mesh:
            ms, r = _median_ms(lambda ref=ref, live=live, mesh=mesh: match_faces(
                images[ref], images[live], face_models, policy=p.face, mesh=mesh), 1)
        ours.append(ms)
        decisions.append(bool(r.match))
    out["face_compare"] = statistics.median(ours)
    log(f"face compare {out['face_compare']:.0f} ms (median of {len(ours)} pairs)")

    _, clip = video_input(media.liveness_video, limits, max_seconds=p.liveness.max_video_seconds)
    light = None
    seconds = clip.duration_ms / 1000.0
    from simkyc.liveness import issue_challenge
    from simkyc.services.steps.liveness import SCREEN_COLOURS

    c = issue_challenge(sup.seeded_rng("liveness"), now=datetime.now(UTC), policy=p.liveness,
                        screen_colours=SCREEN_COLOURS)
    light = ScreenLight(tuple(c.screen_colours), float(c.colour_ms))

    def liveness() -> Any:
        _, v = video_input(media.liveness_video, limits, max_seconds=p.liveness.max_video_seconds)
        return check_liveness(v, list(c.actions), face_models=face_models,
                              mesh_factory=models.mesh_factory(), policy=p.liveness,
                              screen_light=light)

    ms, r = _median_ms(liveness, max(1, n // 2 + 1))
    assert r.passed, r.reasons
    out["liveness_per_s"] = ms / seconds
    out["liveness_video_s"] = round(seconds, 2)
    log(f"liveness {ms:.0f} ms for {seconds:.1f} s of video")

    def voice() -> Any:
        _, audio = audio_input(media.voice_audio, limits)
        _, v = video_input(media.voice_video, limits, max_seconds=p.liveness.max_video_seconds)
        return audio, check_spoken_digits(audio, media.digits, "en", models=models.voice(),
                                          policy=p.voice, video=v)

    ms, (audio, r) = _median_ms(voice, max(1, n // 2 + 1))
    assert r.passed, r.reasons
    out["voice_per_s"] = ms / audio.duration_s
    out["voice_audio_s"] = round(audio.duration_s, 2)
    log(f"voice {ms:.0f} ms for {audio.duration_s:.1f} s of audio")
    return {"stages": out, "face_decisions": decisions}


def measure_peer() -> dict[str, Any]:
    """face_recognition's own pipeline: load, upsampled HOG on each image, every face
    embedded, compare_faces (tolerance 0.6)."""
    import face_recognition as fr

    times, decisions = [], []

    def compare(ref: str, live: str) -> bool:
        a = fr.load_image_file(str(_face_path(ref)))
        b = fr.load_image_file(str(_face_path(live)))
        ea = fr.face_encodings(a, fr.face_locations(a, number_of_times_to_upsample=1))
        eb = fr.face_encodings(b, fr.face_locations(b, number_of_times_to_upsample=1))
        return bool(ea and eb and any(fr.compare_faces(eb, ea[0], tolerance=0.6)))

    compare(*PAIRS[0])  # the models load on import and first use
    for ref, live in PAIRS:
        ms, same = _median_ms(lambda ref=ref, live=live: compare(ref, live), 1)
        times.append(ms)
        decisions.append(same)
    log(f"peer face compare {statistics.median(times):.0f} ms")
    return {"face_compare_ms": statistics.median(times), "decisions": decisions}


def _memory_ctx(tmp: Path) -> Any:
    import secrets

    from simkyc.adapters.crypto import MasterKeyring
    from simkyc.adapters.db.engine import make_engine, make_session_factory
    from simkyc.adapters.db.migrate import upgrade
    from simkyc.adapters.db.uow import unit_of_work_factory
    from simkyc.adapters.evidence_store import EvidenceStore
    from simkyc.services.context import ServiceContext

    url = f"sqlite:///{tmp / 'bench.db'}"
    upgrade(url)
    engine = make_engine(url)
    return ServiceContext(uow=unit_of_work_factory(make_session_factory(engine)),
                          store=EvidenceStore(tmp / "evidence"),
                          keys=MasterKeyring(secrets.token_bytes(32)), rng=sup.seeded_rng)


def measure_end_to_end(models: Any, media: sup.Media, n: int) -> dict[str, Any]:
    from simkyc.domain.parties import Role
    from simkyc.services.accounts import create_account

    with tempfile.TemporaryDirectory() as d:
        ctx = _memory_ctx(Path(d))
        agent = create_account(ctx, name="bench", role=Role.AGENT, outlet_name="Bench").agent
        runs = [sup.run_session(ctx, models, agent, media, i,
                                sup.inline_runner(ctx, models, agent)) for i in range(n)]
    e2e = statistics.median(r["session"] for r in runs)
    log(f"one session end to end (inline, SQLite): {e2e:.0f} ms")
    return {"end_to_end_ms": e2e,
            "session_steps_ms": {k: statistics.median(r[k] for r in runs) for k in runs[0]}}


def measure_throughput(media: sup.Media, sessions: int) -> dict[str, Any]:
    """Sessions per minute through real workers (1, then 2 processes)."""
    from simkyc.domain.parties import Role
    from simkyc.runtime import build_runtime
    from simkyc.runtime.jobs import build_job_backend
    from simkyc.services.accounts import create_account

    out: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as d:
        dep = sup.deploy(Path(d))
        try:
            runtime = build_runtime(dep.settings)
            ctx = sup.bench_context(runtime.context)
            backend = build_job_backend(dep.settings)
            agent = create_account(ctx, name="bench", role=Role.AGENT,
                                   outlet_name="Bench").agent
            base = 10_000
            for n_workers in (1, 2):
                dep.start_workers(n_workers)
                ids = list(range(base, base + sessions))
                base += sessions
                # enough sessions in flight to keep the workers busy
                wall, errors = drive_sessions(ctx, backend, agent, media, ids, 2 * n_workers)
                dep.stop_workers()
                if errors:
                    raise RuntimeError(f"{len(errors)} sessions failed: {errors[:3]}")
                out[str(n_workers)] = round(sessions / wall * 60, 2)
                log(f"{n_workers} worker(s): {sessions} sessions in {wall:.0f} s = "
                    f"{out[str(n_workers)]} /min")
            runtime.close()
        finally:
            dep.close()
    return out


def drive_sessions(ctx: Any, backend: Any, agent: Any, media: sup.Media, ids: list[int],
                   drivers: int) -> tuple[float, list[str]]:
    """Run the sessions ``ids`` through jobs from ``drivers`` threads; wall s, errors."""
    todo, errors, lock = list(ids), [], threading.Lock()

    def drive() -> None:
        while True:
            with lock:
                if not todo:
                    return
                i = todo.pop()
            try:
                sup.run_session(ctx, None, agent, media, i, sup.job_runner(ctx, backend, agent))
            except Exception as exc:  # noqa: BLE001 - reported
                errors.append(f"{type(exc).__name__}: {exc}")

    t0 = time.perf_counter()
    threads = [threading.Thread(target=drive) for _ in range(drivers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - t0, errors


def rss_of_step(step: str, media_file: Path) -> float:
    """Run one ``step`` in a fresh process (``--rss-step``); its peak RSS in MB. The
    media are generated here and handed over in ``media_file`` (the generators would
    count in the child's peak)."""
    r = subprocess.run([sys.executable, __file__, "--rss-step", step, "--media", str(media_file)],
                       capture_output=True, text=True, timeout=900)
    if r.returncode != 0:
        raise RuntimeError(f"--rss-step {step} failed: {r.stderr[-1500:]}")
    return float(json.loads(r.stdout.strip().splitlines()[-1])["peak_rss_mb"])


def _rss_step(step: str, media_file: Path) -> int:
    """Child: load what ``step`` needs, run it once through the application layer."""
    import pickle

    from simkyc.domain.parties import Role
    from simkyc.runtime import ModelRegistry
    from simkyc.services.accounts import create_account

    media, document_jpeg = pickle.loads(media_file.read_bytes())
    base = _peak_rss_mb()
    models = ModelRegistry()
    with tempfile.TemporaryDirectory() as d:
        ctx = _memory_ctx(Path(d))
        agent = create_account(ctx, name="bench", role=Role.AGENT, outlet_name="Bench").agent
        _run_until(ctx, models, agent, media, step, document_jpeg)
    peak = _peak_rss_mb()
    print(json.dumps({"step": step, "peak_rss_mb": round(peak, 1),
                      "before_models_mb": round(base, 1)}))
    return 0


def _peak_rss_mb() -> float:
    """This process's peak resident memory: VmHWM (getrusage's ru_maxrss would carry the
    parent's peak over fork and exec on Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _run_until(ctx: Any, models: Any, agent: Any, media: sup.Media, step: str,
               document_jpeg: bytes) -> None:
    """Record the steps before ``step`` without models (as the tests' ``advance`` does),
    then run ``step`` itself with its models."""
    from simkyc.domain.evidence import EvidenceKind as K
    from simkyc.domain.results import StageOutcome
    from simkyc.services import steps as s
    from simkyc.services.evidence import NewEvidence
    from simkyc.services.registrations import start_registration
    from simkyc.services.steps.common import record_step

    reg = start_registration(ctx, actor=agent, consent=True, language="en")
    run = sup.inline_runner(ctx, models, agent)
    if step == "document":
        s.run_document(ctx, models, actor=agent, registration_id=reg.id,
                       submission=s.DocumentPhoto(document_jpeg))
        return
    png = media.live_face
    order = ["document", "live_face", "liveness", "voice"]
    for before in order[:order.index(step) if step in order else len(order)]:
        ev = {"document": [NewEvidence(K.DOCUMENT_PHOTO, "image/png", png)],
              "liveness": [NewEvidence(K.LIVE_FACE, "image/png", png)]}.get(before, [])
        record_step(ctx, actor=agent, registration_id=reg.id, step=before,
                    outcome=StageOutcome(stage=before, passed=True), evidence=ev,
                    subject="CHN/110101196108040018" if before == "document" else None)
    if step == "live_face":
        run("live_face", reg.id, {"image": media.live_face}, {})
    elif step == "liveness":
        c = s.issue_liveness_challenge(ctx, actor=agent, registration_id=reg.id)
        run("liveness", reg.id, {"video": media.liveness_video}, {"nonce": c.nonce})
    elif step == "voice":
        v = s.issue_voice_challenge(ctx, actor=agent, registration_id=reg.id, language="en")
        run("voice", reg.id, {"audio": media.voice_audio, "video": media.voice_video},
            {"nonce": v.nonce})
    else:
        run("face_match", reg.id, {}, {})


def plot(result: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, 3, figsize=(14, 4.2))
    st = result["stages"]
    names = ["document_ocr", "face_compare", "liveness_per_s", "voice_per_s"]
    axes[0].bar(["document\nOCR", "face\ncompare", "liveness\nper s video",
                 "voice\nper s audio"], [st[k] for k in names], color="#4477aa")
    axes[0].set_ylabel("median ms")
    axes[0].set_title("stages")
    axes[1].bar(["simkyc", "face_recognition"], [st["face_compare"],
                                                 result["peer"]["face_compare_ms"]],
                color=["#4477aa", "#cc6677"])
    axes[1].set_title(f"face compare, same pairs (ratio {result['peer_ratio']:.2f})")
    axes[1].set_ylabel("median ms")
    tp = result["throughput_per_min"]
    axes[2].bar([f"{k} worker" + ("s" if k != "1" else "") for k in tp], list(tp.values()),
                color="#228833")
    axes[2].set_title("sessions per minute")
    fig.suptitle(f"simkyc scale bench {result['date']} ({result['machine']})", fontsize=9)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="simkyc scale benchmark (issue 15)")
    ap.add_argument("--quick", action="store_true",
                    help="fewer repetitions and 4 sessions per throughput run")
    ap.add_argument("--json", action="store_true", help="print only the JSON object on stdout")
    ap.add_argument("--sessions", type=int, default=None, help="sessions per throughput run")
    ap.add_argument("--no-throughput", action="store_true", help="skip the worker runs")
    ap.add_argument("--rss-step", choices=STEPS, help=argparse.SUPPRESS)
    ap.add_argument("--media", type=Path, help=argparse.SUPPRESS)
    a = ap.parse_args(argv)
    if a.rss_step:
        return _rss_step(a.rss_step, a.media)
    from simkyc.runtime import ModelRegistry

    started = time.perf_counter()
    n = 3 if a.quick else 9
    media = sup.session_media()
    models = ModelRegistry()
    models.warm()
    result: dict[str, Any] = {
        "date": datetime.now(UTC).isoformat(timespec="seconds"),
        "machine": f"{platform.machine()}, {__import__('os').cpu_count()} cores, "
                   "shared with other work (loaded)", "quick": a.quick}
    measured = measure_stages(models, media, n)
    result["stages"] = measured["stages"]
    result["peer"] = measure_peer()
    result["peer"]["agreement"] = sum(
        x == y for x, y in zip(measured["face_decisions"], result["peer"]["decisions"],
                               strict=True))
    result["peer"]["pairs"] = len(PAIRS)
    result["face_decisions"] = {"ours": measured["face_decisions"], "truth": SAME}
    result["peer_ratio"] = round(result["stages"]["face_compare"]
                                 / result["peer"]["face_compare_ms"], 3)
    result.update(measure_end_to_end(models, media, 1 if a.quick else 3))
    sessions = a.sessions or (4 if a.quick else 10)
    result["throughput_per_min"] = ({} if a.no_throughput
                                    else measure_throughput(media, sessions))
    result["throughput_sessions"] = sessions
    result["peak_rss_mb"] = {}
    with tempfile.TemporaryDirectory() as d:
        import io
        import pickle

        buf = io.BytesIO()
        gen = sup._module("media/doc_generate.py", "doc_generate")
        gen.make_document("cn-id-front", 0).image.convert("RGB").save(buf, "JPEG", quality=92)
        media_file = Path(d) / "media.pickle"
        media_file.write_bytes(pickle.dumps((media, buf.getvalue())))
        for step in STEPS:
            result["peak_rss_mb"][step] = rss_of_step(step, media_file)
            log(f"peak RSS {step}: {result['peak_rss_mb'][step]} MB")
    result["seconds"] = round(time.perf_counter() - started, 1)
    result["stages"] = {k: round(v, 1) for k, v in result["stages"].items()}
    sup.OUT.mkdir(parents=True, exist_ok=True)
    (sup.OUT / "scale.json").write_text(json.dumps(result, indent=2) + "\n")
    if result["throughput_per_min"]:
        plot(result, sup.OUT / "scale.png")
    print(json.dumps(result, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
