"""The shop counter app at ``/`` in a real browser (Debian chromium driven by Playwright).

Whole registrations, sign-in to ``registered``, by a customer made of a real photo
(``../shared/data/faces/face_recognition/obama.jpg``; the card-reader record carries
a chip photo cut from ``obama2.jpg``): Chromium's fake camera and microphone play
files that ``tests/media/counter_media.py`` writes before each step (Chromium reads
them again each time the page opens the camera), so the customer looks at the camera,
performs the liveness challenge under the screen flash and reads the digits aloud.
The server's challenges are seeded (as in the API tests), so the test knows them
beforehand and checks the page showed the same. Every check is the server's own, on
the media the browser recorded (webm from MediaRecorder).

Screenshots of every step go to ``tests/web/artifacts/<language>/`` (with
``SIMKYC_DOCS_IMG=1`` the Mandarin and English ones are also written to
``docs/img/counter/``); timings to ``tests/web/artifacts/timings.json``.
"""

from __future__ import annotations

import io
import json
import os
import random
import shutil
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest
from testkit import chip_photo, serving

HERE = Path(__file__).resolve().parent
MEDIA = HERE.parent / "media"
if str(MEDIA) not in sys.path:
    sys.path.insert(0, str(MEDIA))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = HERE / "artifacts"
DOCS_IMG = HERE.parents[1] / "docs" / "img" / "counter"
FACES = HERE.parents[1] / ".." / "shared" / "data" / "faces"
PHOTO = "face_recognition/obama.jpg"
CHIP = "face_recognition/obama2.jpg"
ID_NUMBER = "110101196108040018"
PASSWORDS = {"agent": "agent-password-1", "supervisor": "supervisor-pass-2"}
SEEDS = {"liveness": 77, "voice": 78}

pytestmark = [pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing"),
              pytest.mark.timeout(600)]


CALLS: dict[str, int] = {}


def seeded_rng(purpose: str) -> random.Random:
    """The n-th challenge of a purpose draws from seed + n (a challenge's nonce too, so
    two challenges never collide)."""
    n = CALLS.get(purpose, 0)
    CALLS[purpose] = n + 1
    return random.Random(SEEDS.get(purpose, 0) + n)


def predicted_rng(purpose: str, n: int) -> random.Random:
    return random.Random(SEEDS.get(purpose, 0) + n)


@dataclass
class Server:
    base: str
    app: Any


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Server]:
    """A real uvicorn server on SQLite, seeded challenges, an agent and a supervisor with
    passwords at one outlet."""
    from simkyc.adapters.db.migrate import upgrade
    from simkyc.api.app import create_app
    from simkyc.config import Settings
    from simkyc.domain.parties import Role
    from simkyc.services.accounts import create_account
    from simkyc.services.sessions import set_password

    CALLS.clear()
    # As ``simkyc serve``: the models load as the server starts (the test waits for them,
    # as a customer arrives at a server started before the shop opened).
    settings = Settings(data_dir=tmp_path / "data", warm_models=True)
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    app.state.context = replace(app.state.context, rng=seeded_rng)
    for name, role in (("agent", Role.AGENT), ("supervisor", Role.SUPERVISOR)):
        new = create_account(app.state.context, name=name, role=role, outlet_name="Counter")
        set_password(app.state.context, agent_id=new.agent.id, username=name,
                     password=PASSWORDS[name])
    from reader_keys import enroll_test_readers

    enroll_test_readers(app.state.context, ["Counter"])  # the counter's card reader
    with serving(app) as base:
        assert app.state.warming is not None
        app.state.warming.join(timeout=120)
        assert set(app.state.models.loaded()) >= {"face", "document", "voice"}
        yield Server(base, app)
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def unsigned_reader_record() -> dict[str, Any]:
    return {"name": "欧巴马", "sex": "男", "ethnicity": "汉", "birth_date": "1961-08-04",
            "address": "北京市东城区正义路2号", "id_number": ID_NUMBER,
            "issuing_authority": "北京市公安局东城分局", "valid_from": "2020-01-01",
            "valid_until": "2040-01-01", "photo": chip_photo(CHIP)}


@pytest.fixture
def reader_file(tmp_path: Path, unsigned_reader_record: dict[str, Any]) -> Path:
    """What the counter's card reader gave: the record signed now by the test reader of
    the outlet "Counter" (the page forwards it as it is)."""
    from reader_keys import signed

    path = tmp_path / "reader-record.json"
    path.write_text(json.dumps(signed(unsigned_reader_record, "Counter"), ensure_ascii=False),
                    encoding="utf-8")
    return path


def predicted_liveness(n: int = 0) -> Any:
    """The challenge the seeded server issues (every time: the seed is per call)."""
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.liveness import issue_challenge
    from simkyc.services.context import utc_now
    from simkyc.services.steps.liveness import SCREEN_COLOURS

    return issue_challenge(predicted_rng("liveness", n), now=utc_now(),
                           policy=DEFAULT_POLICY.liveness, screen_colours=SCREEN_COLOURS)


def predicted_digits(language: str) -> str:
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.services.context import utc_now
    from simkyc.voice import new_challenge

    ch = new_challenge(language, "0" * 32, rng=predicted_rng("voice", 0), now=utc_now(),
                       policy=DEFAULT_POLICY.voice, attempt=1)
    return "".join(ch.digits)


class Counter:
    """One browser at the counter: its fake devices, screenshots and timings."""

    def __init__(self, playwright: Any, tmp: Path, label: str) -> None:
        import counter_media as cm

        self.cm = cm
        self.video = tmp / "camera.y4m"
        self.audio = tmp / "microphone.wav"
        cm.write_live_camera(self.video, PHOTO)
        cm.write_silence(self.audio)
        self.browser = playwright.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--autoplay-policy=no-user-gesture-required",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={self.video}",
            f"--use-file-for-fake-audio-capture={self.audio}"])
        # Playwright's wait_for_function evaluates strings, which the page's CSP forbids;
        # the page's own scripts run under the CSP (test_counter_page_runs_under_its_csp).
        self.context = self.browser.new_context(viewport={"width": 1024, "height": 900},
                                                bypass_csp=True)
        self.page = self.context.new_page()
        self.page.set_default_timeout(90_000)
        self.errors: list[str] = []
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.statuses: list[tuple[str, int]] = []
        self.page.on("response", lambda r: self.statuses.append((r.url, r.status)))
        self.label = label

        self.shots = ARTIFACTS / label
        shutil.rmtree(self.shots, ignore_errors=True)
        self.shots.mkdir(parents=True, exist_ok=True)
        self.n = 0
        self.speech_end = 0.0  # seconds of speech in the staged voice media
        self.liveness_n = 0  # the challenge the staged liveness media perform
        #: Liveness attempts refused because the browser's camera frames stalled.
        self.stalled: list[str] = []

    def stage_liveness(self, n: int = 0) -> None:
        """Write the customer's liveness performance of the ``n``-th challenge now, into a
        staging file: generating it takes seconds of CPU, which are the test's, not the
        customer's; :meth:`play` puts it in front of the camera at the step."""
        self.liveness_n = n
        ch = predicted_liveness(n)
        self.cm.write_liveness_camera(self._staged("liveness", self.video), PHOTO, ch.actions,
                                      ch.screen_colours, ch.colour_ms)

    def stage_voice(self, language: str) -> None:
        """Likewise the customer reading the predicted digits (camera and microphone)."""
        digits = predicted_digits(language)
        self.speech_end = self.cm.write_voice_media(
            self._staged("voice", self.video), self._staged("voice", self.audio), PHOTO,
            "en-piper" if language == "en" else language, digits)

    def _staged(self, what: str, device: Path) -> Path:
        return device.with_name(f"{what}-{device.name}")

    def play(self, what: str) -> None:
        """Put the staged ``what`` media in front of the fake devices (whole files: the
        browser reads them when the page next opens the camera)."""
        for device in (self.video, self.audio):
            staged = self._staged(what, device)
            if staged.exists():
                tmp = device.with_suffix(".tmp" + device.suffix)
                shutil.copyfile(staged, tmp)
                os.replace(tmp, device)

    def shot(self, name: str) -> None:
        self.n += 1
        path = self.shots / f"{self.n:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        if os.environ.get("SIMKYC_DOCS_IMG") and self.label in ("zh-Hans", "en"):
            DOCS_IMG.mkdir(parents=True, exist_ok=True)
            shutil.copy(path, DOCS_IMG / f"{self.label}-{path.name}")

    def visible(self, selector: str, timeout: float = 90_000) -> None:
        self.page.wait_for_selector(selector, state="visible", timeout=timeout)

    def close(self) -> None:
        self.browser.close()


def sign_in_and_begin(c: Counter, base: str, lang: str) -> None:
    p = c.page
    p.goto(f"{base}/")
    c.visible("#screen-signin")
    p.select_option("#agent-lang", "zh-Hans")
    c.shot("sign-in")
    p.fill("#username", "agent")
    p.fill("#password", PASSWORDS["agent"])
    p.press("#password", "Enter")  # keyboard only
    c.visible("#screen-start")
    p.click(f".lang-choice[data-lang='{lang}']")
    c.shot("customer-language")
    p.click("#btn-begin")
    c.visible("#screen-consent")
    assert p.get_attribute("#customer", "lang") == lang
    c.shot("consent")


def consent_and_document(c: Counter, reader: Path) -> float:
    p = c.page
    p.click("#btn-consent-accept")
    t0 = time.monotonic()
    c.visible("#receipt")
    assert (p.text_content("#receipt-id") or "").startswith("SK-")
    pdf = p.get_attribute("#receipt-pdf", "href") or ""
    r = c.context.request.get(p.url.rstrip("/") + pdf if pdf.startswith("/") else pdf)
    assert r.status == 200 and r.body().startswith(b"%PDF")
    c.shot("consent-receipt")
    p.click("#btn-consent-next")
    c.visible("#screen-document")
    p.wait_for_function("document.querySelector('#doc-video').videoWidth > 0")
    c.shot("document")
    p.set_input_files("#reader-file", str(reader))
    return t0


def face_and_upper_body(c: Counter) -> None:
    p = c.page
    c.visible("#screen-live_face")
    p.wait_for_selector("#btn-face-capture:not([disabled])", timeout=90_000)  # live guidance
    c.shot("face-guidance")
    p.click("#btn-face-capture")
    c.visible("#screen-attach")
    p.wait_for_function("document.querySelector('#body-video').videoWidth > 0")
    c.shot("upper-body")
    p.click("#btn-body-capture")
    c.visible("#screen-liveness")


def liveness(c: Counter, *, still: bool = False) -> None:
    """The customer performs the liveness challenge staged by :meth:`Counter.stage_liveness`
    (or, with ``still``, holds a printed photo to the camera)."""
    p = c.page
    if still:
        c.cm.write_still_photo_camera(c.video, PHOTO)
    else:
        c.play("liveness")
    c.shot("liveness-warning")
    p.click("#btn-liveness-start")
    if still:
        # A screenshot stalls the page's frames for a moment, which the server's timing
        # check rightly notices: only the still photo's (failing) attempt is photographed.
        time.sleep(3.0)
        c.shot("liveness-prompt")


def wait_outcome(c: Counter, screen: str) -> None:
    """Wait until ``screen`` shows, or fail with the reasons the page showed."""
    c.page.wait_for_function(f"!document.querySelector('#screen-{screen}').hidden || "
                             "!document.querySelector('#notice').hidden", timeout=120_000)
    if c.page.is_hidden(f"#screen-{screen}"):
        c.shot("failed")
        pytest.fail(f"not at {screen}: {c.page.text_content('#notice')}")


def liveness_verdict(c: Counter, *, stall_retries: int = 2) -> None:
    """Wait for the liveness verdict on the voice screen (Start enabled once it passed).

    On a machine loaded by other jobs Chromium is starved of CPU at times and its camera
    frames stall; the server's timing check then rightly refuses the video
    (``inconsistent_timestamps``) and the page asks the customer to record again. The
    customer does, up to ``stall_retries`` times (recorded in ``timings.json``); any
    other refusal fails the test."""
    from simkyc.i18n import catalogue

    p = c.page
    stalled = catalogue(c.label)["reason.inconsistent_timestamps"]
    while True:
        wait_outcome(c, "voice")
        # The voice screen shows while the server still checks the liveness video (the
        # customer reads the instructions); the media were staged before the timed part.
        c.play("voice")
        p.wait_for_function("!document.querySelector('#btn-voice-start').disabled || "
                            "!document.querySelector('#notice').hidden", timeout=120_000)
        if p.is_visible("#screen-voice") and not p.is_disabled("#btn-voice-start"):
            return
        refused = p.text_content("#notice") or ""
        if stall_retries > 0 and stalled in refused and p.is_visible("#screen-liveness"):
            stall_retries -= 1
            c.stalled.append(refused)
            c.stage_liveness(c.liveness_n + 1)  # the next challenge the server issues
            liveness(c)
            continue
        c.shot("failed")
        pytest.fail(f"liveness refused: {refused}")


def voice(c: Counter, language: str) -> dict[str, Any]:
    p = c.page
    liveness_verdict(c)
    digits = predicted_digits(language)
    p.click("#btn-voice-start")
    c.visible("#btn-voice-stop", timeout=60_000)
    shown = (p.text_content("#voice-digits") or "").replace(" ", "")
    assert shown == digits
    c.shot("voice-digits")
    time.sleep(c.speech_end + 0.4)
    p.click("#btn-voice-stop")
    p.wait_for_function("!document.querySelector('#screen-result').hidden || "
                        "!document.querySelector('#notice').hidden", timeout=120_000)
    return {"digits": digits}


def result_and_service(c: Counter) -> None:
    p = c.page
    c.visible("#screen-result", timeout=120_000)
    c.shot("result")
    assert "pass" in (p.get_attribute("#result-text", "class") or ""), \
        p.text_content("#result-reasons")
    p.click("#btn-result-next")
    c.visible("#screen-register")
    p.fill("#service-number", "138 0013 8000")
    p.fill("#service-iccid", "8986001234567890123")  # a wrong check digit first
    p.click("#btn-register")
    p.wait_for_selector("#service-reasons li")
    c.shot("service-check")
    p.fill("#service-iccid", "89860012345678901238")
    p.click("#btn-register")
    c.visible("#screen-done", timeout=60_000)
    c.shot("registered")


def record_timing(label: str, c: Counter, t_consent: float, t_result: float) -> None:
    timings = c.page.evaluate("window.simkycTimings")
    marks = timings["marks"]
    out = {"language": label, "consent_to_result_s": round(t_result - t_consent, 2),
           "page_consent_to_result_s": round((marks["result"] - marks["consent"]) / 1000, 2),
           "last_upload_to_verdict_s": round((marks["result"] - marks["last_upload"]) / 1000,
                                             2),
           "verdicts_ms": [{"step": v["step"], "ms": round(v["ms"])}
                           for v in timings.get("verdictMs", [])],
           "server_s": list(SERVER_S),
           "liveness_stalled_retries": len(c.stalled),
           # Every screen shown and every mark, in seconds from consent.
           "events_s": [[name, round((t - marks["consent"]) / 1000, 2)]
                        for name, t in timings.get("events", []) if t >= marks["consent"]]}
    # Recorded, and within generous bounds: the targets (45 s, 2 s) are reported in the
    # README, not asserted (the machine is shared; a loaded run would fail spuriously).
    assert 0 < out["page_consent_to_result_s"] < 400, out
    assert 0 < out["last_upload_to_verdict_s"] < 60, out
    assert {"liveness", "voice", "face_match"} <= {v["step"] for v in out["verdicts_ms"]}, out
    assert [e for e, _ in out["events_s"]][-1] == "screen:face_match", out
    path = ARTIFACTS / "timings.json"
    seen = json.loads(path.read_text()) if path.exists() else {}
    seen[label] = out
    path.write_text(json.dumps(seen, indent=2, ensure_ascii=False))
    print(json.dumps(out, ensure_ascii=False))


def _whole_registration(server: Server, tmp_path: Path, reader_file: Path, lang: str,
                        spoken: str) -> None:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        c = Counter(pw, tmp_path, lang)
        try:
            c.stage_liveness()
            c.stage_voice(spoken)
            sign_in_and_begin(c, server.base, lang)
            t0 = consent_and_document(c, reader_file)
            face_and_upper_body(c)
            liveness(c)
            voice(c, spoken)
            c.visible("#screen-result", timeout=120_000)
            t_result = time.monotonic()
            record_timing(lang, c, t0, t_result)
            result_and_service(c)
            assert not [s for u, s in c.statuses if s >= 500], c.statuses
            assert not c.errors, c.errors
        finally:
            c.close()
    with server.app.state.context.uow() as tx:
        kinds = {e.action for e in tx.audit.entries(limit=1000)}
    assert {"signin", "registration.start", "consent.receipt"} <= kinds


@pytest.fixture(autouse=True)
def keep_uploads(monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``SIMKYC_KEEP_UPLOADS=1``, the videos the browser uploaded go to the artifacts."""
    if not os.environ.get("SIMKYC_KEEP_UPLOADS"):
        return
    import simkyc.services.steps.liveness as liveness_step
    import simkyc.services.steps.voice as voice_step

    for step in (liveness_step, voice_step):
        original = step.video_input

        def keep(data: bytes, *args: Any, original: Any = original, name: str = step.STEP,
                 **kwargs: Any) -> Any:
            (ARTIFACTS / f"upload-{name}-{time.time():.0f}.webm").write_bytes(data)
            return original(data, *args, **kwargs)

        monkeypatch.setattr(step, "video_input", keep)


#: Wall-clock seconds each server step took inside the server (this test run).
SERVER_S: list[dict[str, Any]] = []


@pytest.fixture(autouse=True)
def time_server_steps(monkeypatch: pytest.MonkeyPatch) -> None:
    """Time the checking steps inside the server (and, with ``SIMKYC_PROFILE=1``, profile
    them into ``tests/web/artifacts/profile-<step>-<n>.txt``)."""
    import cProfile
    import pstats

    import simkyc.api.routes.face as face_route
    import simkyc.api.routes.liveness as liveness_route
    import simkyc.api.routes.voice as voice_route

    SERVER_S.clear()
    profile = bool(os.environ.get("SIMKYC_PROFILE"))

    def timed(module: Any, name: str) -> None:
        original = getattr(module, name)

        def run(*args: Any, **kwargs: Any) -> Any:
            prof = cProfile.Profile() if profile else None
            t0 = time.perf_counter()
            try:
                if prof is None:
                    return original(*args, **kwargs)
                return prof.runcall(original, *args, **kwargs)
            finally:
                SERVER_S.append({"step": name.removeprefix("run_"),
                                 "s": round(time.perf_counter() - t0, 3)})
                if prof is not None:
                    out = io.StringIO()
                    pstats.Stats(prof, stream=out).sort_stats("cumulative").print_stats(40)
                    ARTIFACTS.mkdir(parents=True, exist_ok=True)
                    (ARTIFACTS / f"profile-{name}-{len(SERVER_S)}.txt").write_text(
                        out.getvalue())

        monkeypatch.setattr(module, name, run)

    timed(liveness_route, "run_liveness")
    timed(voice_route, "run_voice")
    timed(face_route, "run_face_match")


def test_a_mandarin_customer_is_registered(server: Server, tmp_path: Path,
                                           reader_file: Path) -> None:
    _whole_registration(server, tmp_path, reader_file, "zh-Hans", "cmn")


def test_an_english_customer_is_registered(server: Server, tmp_path: Path,
                                           reader_file: Path) -> None:
    _whole_registration(server, tmp_path, reader_file, "en", "en")


def test_a_cantonese_customer_a_still_photo_is_refused_then_the_live_one_reaches_voice(
        server: Server, tmp_path: Path, reader_file: Path) -> None:
    """A printed photo held to the camera is refused with its reason, in Traditional
    Chinese; the customer's own live attempt then passes and reaches the voice step."""
    from playwright.sync_api import sync_playwright

    from simkyc.i18n import catalogue

    reasons_yue = {v for k, v in catalogue("zh-Hant").items() if k.startswith("reason.")}
    with sync_playwright() as pw:
        c = Counter(pw, tmp_path, "zh-Hant")
        try:
            c.stage_liveness(n=1)  # the second challenge: the first is the still photo's
            c.stage_voice("yue")
            sign_in_and_begin(c, server.base, "zh-Hant")
            consent_and_document(c, reader_file)
            face_and_upper_body(c)
            liveness(c, still=True)
            c.visible("#notice", timeout=120_000)
            refused = c.page.text_content("#notice") or ""
            assert any(r in refused for r in reasons_yue), refused
            assert c.page.is_visible("#screen-liveness")  # still at liveness: try again
            c.shot("still-photo-refused")
            liveness(c)
            voice(c, "yue")
            c.shot("voice-answer")
            answered = [s for u, s in c.statuses if u.endswith("/voice")]
            assert answered == [200], c.statuses
            assert not [s for u, s in c.statuses if s >= 500], c.statuses
        finally:
            c.close()


def _lock(server: Server, reader: Path) -> None:
    """Five refused verifications of the document (the same card number, expired) at the
    counter's outlet, through the document step as the page would send them.

    (The previous version recorded failures against the bare id number, but the step keys
    the lockout by ``CHN/<id number>``: nothing was locked and the page went on.)"""
    from simkyc.services.registrations import start_registration
    from simkyc.services.steps import ReaderRecord, run_document

    ctx = server.app.state.context
    with ctx.uow() as tx:
        agent = next(a for a in tx.accounts.list_agents() if a.name == "agent")
    from reader_keys import signed

    expired = {**json.loads(reader.read_text(encoding="utf-8")),
               "valid_from": "2000-01-01", "valid_until": "2020-01-01"}
    for _ in range(5):
        reg = start_registration(ctx, actor=agent, consent=True, language="ug")
        r = run_document(ctx, server.app.state.models, actor=agent, registration_id=reg.id,
                         submission=ReaderRecord(record=signed(expired, "Counter")))
        assert not r.passed, r


def test_a_locked_out_document_is_refused_and_a_supervisor_lifts_it_at_768_px(
        server: Server, tmp_path: Path, reader_file: Path) -> None:
    """Uyghur customer (right to left), tablet width, large text, keyboard focus."""
    from playwright.sync_api import sync_playwright

    from simkyc.i18n import catalogue

    _lock(server, reader_file)
    ug = catalogue("ug")
    with sync_playwright() as pw:
        c = Counter(pw, tmp_path, "ug")
        c.page.set_viewport_size({"width": 768, "height": 1024})
        try:
            p = c.page
            sign_in_and_begin(c, server.base, "ug")
            p.check("#large-text")
            assert "large" in (p.get_attribute("html", "class") or "")
            assert p.get_attribute("#customer", "dir") == "rtl"
            assert p.text_content("#btn-consent-accept") == ug["ui.consent_accept"]
            p.keyboard.press("Tab")
            outline = p.evaluate("getComputedStyle(document.activeElement).outlineWidth")
            assert outline == "4px", outline  # visible focus
            width = p.evaluate("document.documentElement.scrollWidth")
            assert width <= 768, width  # nothing wider than the tablet
            consent_and_document(c, reader_file)
            wait_outcome(c, "lockout")
            assert p.text_content("#screen-lockout .result-text") == ug["ui.lockout_text"]
            assert [s for u, s in c.statuses if u.endswith("/reader-record")] == [423]
            c.shot("locked-out")
            p.fill("#lift-username", "supervisor")
            p.fill("#lift-password", PASSWORDS["supervisor"])
            p.fill("#lift-reason", "document checked in person at the counter")
            p.click("#btn-lift")
            c.visible("#screen-document")
            p.set_input_files("#reader-file", str(reader_file))
            c.visible("#screen-live_face")
            c.shot("after-lift")
        finally:
            c.close()
    with server.app.state.context.uow() as tx:
        actions = [e.action for e in tx.audit.entries(limit=2000)]
    assert "lockout.refused" in actions and "lockout_lift.cosigned" in actions


def test_counter_page_runs_under_its_csp(server: Server) -> None:
    """The ES modules load and run under the page's Content-Security-Policy, no violation."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox",
                                                                      "--disable-gpu"])
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text)
                    if "Content Security Policy" in m.text else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{server.base}/")
            page.wait_for_selector("body[data-ready='1']")
            page.select_option("#agent-lang", "en")
            for _ in range(50):
                if page.text_content("#btn-sign-in") == "Sign in":
                    break
                time.sleep(0.1)
            assert page.text_content("#btn-sign-in") == "Sign in"
            assert not problems, problems
        finally:
            browser.close()
