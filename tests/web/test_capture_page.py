"""The capture page in a real browser (Debian chromium driven by Playwright).

Chromium's fake camera plays a y4m clip generated from a real photo
(``tests/media/liveness_generate.py``); the page signs in, opens a
registration with consent, uploads a generated ID-card photo, takes a live
photo and records a liveness clip in the browser (webm/VP8 from MediaRecorder)
which the server decodes and decides on. Whether the customer in the looping
fake clip happens to match the challenge timing is not asserted: the browser's
real media reaching a real decision is.
"""

from __future__ import annotations

import shutil
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

MEDIA = Path(__file__).resolve().parents[1] / "media"
if str(MEDIA) not in sys.path:
    sys.path.insert(0, str(MEDIA))

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="Debian chromium missing")


@pytest.fixture
def server(tmp_path: Path, live_server: Any) -> Iterator[tuple[str, str]]:
    """A real uvicorn server on SQLite; yields (base URL, agent token)."""
    from simkyc.adapters.db.migrate import upgrade
    from simkyc.api.app import create_app
    from simkyc.config import Settings
    from simkyc.domain.parties import Role

    settings = Settings(data_dir=tmp_path / "data")
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    from simkyc.services.accounts import create_account

    token = create_account(app.state.context, name="web", role=Role.AGENT,
                           outlet_name="Web").token
    with live_server(app) as base:
        yield base, token
    app.state.engine.dispose()


@pytest.fixture(scope="module")
def fake_camera(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import liveness_generate as gen

    clip = gen.make_clip(gen.PHOTOS[0], ["turn_left", "blink", "turn_right"], seed=3)
    path = tmp_path_factory.mktemp("cam") / "camera.y4m"
    gen.write_video(path, clip)
    return path


@pytest.fixture(scope="module")
def id_card(tmp_path_factory: pytest.TempPathFactory) -> Path:
    import doc_generate

    path, _ = doc_generate.write_document("cn-id-front", 1, level="mild",
                                          out_dir=tmp_path_factory.mktemp("doc"))
    return path


def _responses(page: Any) -> list[tuple[str, int]]:
    seen: list[tuple[str, int]] = []
    page.on("response", lambda r: seen.append((r.url, r.status)))
    return seen


def test_capture_page_drives_a_registration(server: tuple[str, str], fake_camera: Path,
                                            id_card: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, token = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream",
            f"--use-file-for-fake-video-capture={fake_camera}",
        ])
        try:
            # Playwright's wait_for_function evaluates its predicate strings itself, which
            # the page's Content-Security-Policy (no eval) forbids: the test's own
            # evaluation bypasses it; the page's scripts are checked under the policy by
            # test_capture_page_runs_under_its_content_security_policy.
            page = browser.new_context(bypass_csp=True).new_page()
            page.set_default_timeout(60_000)
            seen = _responses(page)
            page.goto(f"{base}/capture")
            assert page.title().startswith("simkyc")
            # The UI switches language.
            page.select_option("#ui-lang", "en")
            assert page.text_content("#btn-start") == "Start"

            page.fill("#token", token)
            page.check("#consent")
            page.fill("#service-id", "+8613800138000")
            page.click("#btn-start")
            page.wait_for_function("document.querySelector('#reg-status').textContent === "
                                   "'started'")
            reg_id = page.text_content("#reg-id")
            assert reg_id and len(reg_id) == 32

            page.set_input_files("#doc-file", str(id_card))
            page.click("#btn-document")
            page.wait_for_function("document.querySelector('#reg-status').textContent !== "
                                   "'started'", timeout=120_000)
            assert page.text_content("#reg-status") == "document_checked"

            page.click("#btn-camera")
            page.wait_for_function("document.querySelector('#preview').videoWidth > 0")
            page.click("#btn-live-face")
            page.wait_for_function(
                "[...document.querySelectorAll('#log li')].some(li => "
                "li.textContent.startsWith && li.textContent.includes('Face:'))",
                timeout=120_000)
            assert [s for u, s in seen if u.endswith("/live-face")] == [200], seen
            # A frontal face from the fake camera passes the quality gate.
            assert page.text_content("#reg-status") == "live_face_captured"

            page.click("#btn-liveness")
            page.wait_for_function(
                "[...document.querySelectorAll('#log li')].some(li => "
                "li.textContent.includes('Liveness check'))", timeout=120_000)
            liveness = [s for u, s in seen if u.endswith("/liveness")]
            assert liveness == [200], seen  # the browser's webm was decoded and decided on
            errors = [(u, s) for u, s in seen if s >= 500]
            assert not errors
        finally:
            browser.close()


def test_capture_page_runs_under_its_content_security_policy(server: tuple[str, str]) -> None:
    """The page loads its scripts and styles under the policy it is served with, without
    one violation, and is not framable."""
    import httpx
    from playwright.sync_api import sync_playwright

    base, _ = server
    r = httpx.get(f"{base}/capture")
    assert "script-src 'self'" in r.headers["content-security-policy"]
    assert r.headers["x-frame-options"] == "DENY"
    assert r.headers["x-content-type-options"] == "nosniff"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        try:
            page = browser.new_page()
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text)
                    if "Content Security Policy" in m.text or m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/capture")
            page.select_option("#ui-lang", "en")
            assert page.text_content("#btn-start") == "Start"  # the page's script ran
            assert not problems, problems
        finally:
            browser.close()
