"""The compliance pages in a real browser (Debian chromium driven by Playwright): people
sign in with user name and password (the counter app's session cookie and CSRF token),
the dashboard draws its charts, the spot-check review shows the evidence side by side and
every view is audited; a supervisor sees their own outlet's statistics only; the texts
follow the chosen language (Uyghur right to left). ``SIMKYC_UPDATE_SCREENSHOTS=1`` also
writes the screenshots to docs/img/ (those in the README were made so)."""

from __future__ import annotations

import io
import os
import random
import shutil
import subprocess
import sys
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from simkyc.domain.compliance import ComplianceRules

from .seed import FULL, T0, clean_world

REPO = Path(__file__).resolve().parents[2]
FACES = (REPO / ".." / "shared" / "data" / "faces").resolve()
MEDIA = REPO / "tests" / "media"
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists() or not FACES.exists(),
                                reason="Debian chromium or the test faces missing")


def _jpeg(path: Path, size: int) -> bytes:
    from PIL import Image

    img = Image.open(path).convert("RGB")
    img.thumbnail((size, size))
    buf = io.BytesIO()
    img.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _review_media(tmp: Path) -> dict[str, tuple[bytes, str]]:
    """Real faces (the shared test photos), a generated liveness clip (webm) and a spoken
    answer (espeak-ng), made here from committed scripts."""
    if str(MEDIA) not in sys.path:
        sys.path.insert(0, str(MEDIA))
    import liveness_generate as gen

    clip = gen.make_clip(gen.PHOTOS[0], ["blink", "turn_left"], seed=3)
    video = gen.write_video(None, clip, fmt="webm")
    wav = tmp / "voice.wav"
    subprocess.run(["espeak-ng", "-w", str(wav), "three seven one nine"], check=True,
                   timeout=60)
    from PIL import Image

    frame = io.BytesIO()
    Image.fromarray(clip.frames[len(clip.frames) // 3]).save(frame, "JPEG", quality=85)
    obama = FACES / "face_recognition" / "obama.jpg"
    return {"document_photo": (_jpeg(obama, 160), "image/jpeg"),
            "live_face": (frame.getvalue(), "image/jpeg"),
            "liveness_video": (video, "video/webm"),
            "voice_audio": (wav.read_bytes(), "audio/wav"),
            "upper_body": (_jpeg(FACES / "face_recognition" / "obama2.jpg", 480)
                           if (FACES / "face_recognition" / "obama2.jpg").exists()
                           else _jpeg(obama, 480), "image/jpeg")}


@pytest.fixture
def server(tmp_path: Path, live_server: Any) -> Iterator[tuple[str, str, str, Any]]:
    """A real uvicorn server on SQLite with a seeded period; yields (base URL, the
    officer's password, a queued spot check's id, the context). User names: ``reviewer``
    (compliance officer) and ``boss`` (supervisor at North), both with that password."""
    from simkyc.adapters.db.migrate import upgrade
    from simkyc.api.app import create_app
    from simkyc.config import Settings
    from simkyc.domain.parties import Role
    from simkyc.services.accounts import create_account
    from simkyc.services.compliance import review
    from simkyc.services.compliance._common import make_period

    settings = Settings(data_dir=tmp_path / "data")
    upgrade(settings.resolved_database_url)
    app = create_app(settings)
    ctx = app.state.context
    w = clean_world(ctx, per_agent=24, evidence=True)
    for i in range(4):  # documents refused
        w.registration(("north1", "east2", "south1", "east1")[i],
                       T0 + timedelta(days=i, hours=5), status="rejected", subject=f"r{i}",
                       document_failed=True)
    from simkyc.services.sessions import set_password

    password = "reviewer-password-7"
    reviewer = create_account(ctx, name="reviewer", role=Role.COMPLIANCE, outlet_name=None)
    set_password(ctx, agent_id=reviewer.agent.id, username="reviewer", password=password)
    boss = create_account(ctx, name="boss", role=Role.SUPERVISOR, outlet_name="North")
    set_password(ctx, agent_id=boss.agent.id, username="boss", password=password)
    at = T0 + timedelta(days=2, hours=4)
    for i in range(10):  # a burst
        w.registration("south2", at + timedelta(minutes=3 * i), subject=f"b{i}")
    for i in range(5):  # an agent overriding often
        w.registration("north2", at + timedelta(hours=1, minutes=20 * i), subject=f"o{i}",
                       override=True, voice_failures=1)
    for i in range(10):  # an agent skipping the screen flash for most customers
        w.registration("north1", at + timedelta(hours=4, minutes=20 * i), subject=f"nf{i}",
                       challenges=("no_flash",))
    w.registration("east1", T0 + timedelta(days=1, hours=15), subject="night",
                   evidence=FULL[:-1])  # at night, without the upper-body photo
    rid = w.registration("north1", T0 + timedelta(days=3, hours=3), subject="reviewed",
                         evidence=FULL, media=_review_media(tmp_path))
    queued = review.sample_spot_checks(ctx, actor=w.officer, period=make_period(
        T0 - timedelta(days=1), T0 + timedelta(days=8)), rng=random.Random(4),
        rules=ComplianceRules(spot_check_rate=0.08))
    check = next((c for c in queued if c.registration_id == rid), None)
    if check is None:  # make sure the one with real media is queued
        check = review.sample_spot_checks(ctx, actor=w.officer, period=make_period(
            T0 + timedelta(days=3, hours=3), T0 + timedelta(days=3, hours=3, seconds=1)),
            rng=random.Random(1), rules=ComplianceRules(spot_check_rate=1.0))[0]
    with live_server(app) as base:
        yield base, password, check.id, ctx
    app.state.engine.dispose()


def _save(page: Any, name: str, tmp_path: Path) -> Path:
    out = tmp_path / name
    page.screenshot(path=str(out), full_page=True)
    if os.environ.get("SIMKYC_UPDATE_SCREENSHOTS") == "1":
        (REPO / "docs" / "img").mkdir(parents=True, exist_ok=True)
        shutil.copy(out, REPO / "docs" / "img" / name)
    return out


def test_dashboard_and_spot_check_review(server: tuple[str, str, str, Any],
                                         tmp_path: Path) -> None:
    from playwright.sync_api import sync_playwright

    base, password, check_id, ctx = server
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync",
            "--autoplay-policy=no-user-gesture-required"])
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.set_default_timeout(60_000)
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text)
                    if "Content Security Policy" in m.text else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.goto(f"{base}/compliance#dashboard")
            page.wait_for_selector("body[data-ready='1']")
            page.select_option("#lang", "en")
            page.wait_for_selector("html[lang=en]")
            # a wrong password: refused with the catalogue's text, no session
            page.fill("#username", "reviewer")
            page.fill("#password", "not-the-password")
            page.click("#btn-sign-in")
            page.wait_for_selector("#error:not([hidden])")
            assert page.is_visible("#view-signin") and not page.is_visible("#nav")
            page.fill("#username", "reviewer")
            page.fill("#password", password)
            page.click("#btn-sign-in")
            page.wait_for_selector("body[data-role=compliance]")
            # the session is an HttpOnly cookie: the page's script cannot read it
            assert "simkyc_session" not in page.evaluate("document.cookie")
            cookie = next(c for c in page.context.cookies() if c["name"] == "simkyc_session")
            assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
            page.fill("#from", "2026-11-01")
            page.fill("#to", "2026-11-09")
            page.click("#btn-load")
            page.wait_for_selector("body[data-loaded=dashboard]")
            for chart in ("outcomes", "override_rate", "missing_evidence"):
                assert page.eval_on_selector(f"#chart-{chart}", "e => e.naturalWidth") > 0
            patterns = page.eval_on_selector_all("#findings tbody tr td:first-child",
                                                 "els => els.map(e => e.dataset.pattern)")
            assert {"agent_burst", "outside_opening_hours", "no_flash_rate_high"} \
                <= set(patterns), patterns
            assert page.locator("#outlets tbody tr").count() == 3
            # the no-flash count and rate per outlet, as the report has them
            heads = page.eval_on_selector_all("#outlets thead th",
                                              "els => els.map(e => e.dataset.t)")
            col = heads.index("ui.compliance_col_no_flash") + 1
            assert heads[col] == "ui.compliance_col_no_flash_rate"
            north = page.locator("#outlets tbody tr", has_text="North")
            cells = north.locator("td").all_text_contents()
            # North: 2 agents x 24 reached liveness, 2 no-flash each, and north1's 10 more
            assert (cells[col - 1], cells[col]) == ("14", f"{100 * 14 / 58:.1f} %"), cells
            assert page.text_content(f"#outlets thead th:nth-child({col})") == "No flash"
            _save(page, "compliance-dashboard.png", tmp_path)

            page.click("#nav-queue")
            page.wait_for_selector("body[data-loaded=queue]")
            assert page.locator("#queue tbody tr").count() >= 1
            page.goto(f"{base}/compliance#review/{check_id}")
            page.wait_for_selector("body[data-loaded=review]")
            for item in ("document_photo", "best_liveness_frame", "upper_body"):
                assert page.eval_on_selector(f"#ev-{item}", "e => e.naturalWidth") > 0, item
            # the video and the audio decode (the view does not wait for their frames)
            page.wait_for_function(
                "document.querySelector('#ev-liveness_video').readyState >= 2"
                " && document.querySelector('#ev-voice_audio').readyState >= 1",
                timeout=30_000)
            _save(page, "compliance-spot-check.png", tmp_path)
            page.check("input[name=outcome][value=defect]")
            page.select_option("#defect-category", "procedure_violation")
            page.fill("#note", "upper body photo shows another person")
            page.click("#btn-outcome")
            page.wait_for_selector("#review-result:has-text('Recorded')")
            page.click("#nav-ledger")
            page.wait_for_selector("body[data-loaded=ledger]")

            # The language chooser: Uyghur, right to left, texts from the catalogue.
            page.select_option("#lang", "ug")
            page.wait_for_selector("html[lang=ug][dir=rtl]")
            ug = page.evaluate("fetch('/api/v1/i18n/ug').then(r => r.json())")["messages"]
            assert page.text_content("#nav-ledger") == ug["ui.compliance_ledger"]
            assert page.text_content("#ledger thead th:nth-child(3)") == \
                ug["ui.compliance_col_kind"]
            assert page.eval_on_selector("#ledger", "e => getComputedStyle(e).direction") == "rtl"
            page.select_option("#lang", "en")
            page.wait_for_selector("html[lang=en][dir=ltr]")

            # Sign out (a DELETE with the CSRF token): the cookie's session has ended.
            page.click("#btn-sign-out")
            page.wait_for_selector("#view-signin:not([hidden])")
            assert page.evaluate("fetch('/api/v1/session').then(r => r.status)") == 401

            # A supervisor: their own outlet's statistics, no queue, ledger or findings; the
            # server refuses the queue to the same session.
            page.fill("#username", "boss")
            page.fill("#password", password)
            page.click("#btn-sign-in")
            page.wait_for_selector("body[data-role=supervisor]")
            page.wait_for_selector("body[data-loaded=dashboard]")
            assert not page.is_visible("#nav-queue") and not page.is_visible("#nav-ledger")
            assert not page.is_visible("#findings-part") and page.is_visible("#scope-note")
            names = page.locator("#outlets tbody tr td:first-child").all_text_contents()
            assert names == ["North"], names
            assert page.evaluate(
                "fetch('/api/v1/compliance/spot-checks').then(r => r.status)") == 403
            assert not problems, problems
        finally:
            browser.close()
    with ctx.uow() as tx:
        views = [e for e in tx.audit.entries(limit=1000) if e.action == "spot_check.view"]
    assert sorted(v.detail.split()[1] for v in views) == sorted(
        ["best_liveness_frame", "document_photo", "liveness_video", "upper_body",
         "voice_audio"])
