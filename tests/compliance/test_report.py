"""Reports: statistics in SQL, the CLI in JSON, CSV and PDF; the PDF rendered to PNG
(pdftoppm) shows its chart."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from collections import Counter
from datetime import timedelta
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

from simkyc.services.compliance._common import make_period
from simkyc.services.compliance.stats import period_statistics
from simkyc.services.context import ServiceContext

from .seed import FULL, T0, clean_world, period


def test_statistics(ctx: ServiceContext) -> None:
    w = clean_world(ctx, per_agent=4, evidence=True)
    at = T0 + timedelta(days=1, hours=2)
    no_photo = w.registration("north1", at, subject="p1", evidence=FULL[:-1], seconds=100)
    w.registration("north1", at + timedelta(minutes=30), status="rejected", subject="p2",
                   document_failed=True)
    tampered = w.registration("north1", at + timedelta(hours=1), subject="p3", evidence=FULL)
    with ctx.uow() as tx:
        ref = tx.evidence.list(registration_id=tampered)[0]
    path = next(p for p in Path(ctx.store.root).rglob("*") if ref.id in p.name)  # type: ignore[attr-defined]
    path.write_bytes(path.read_bytes()[:-3] + b"xyz")
    start, end = period()
    stats = period_statistics(ctx, actor=w.officer, period=make_period(start, end))
    north = next(p for p in stats.outlets if p.name == "North")
    assert (north.started, north.completed, north.rejected) == (11, 10, 1)
    assert north.missing["upper_body"] == 1 and north.missing["live_face"] == 0
    assert north.failures == {"document:document_expired": 1}
    assert north.unreadable == 1 and north.checked == 10 * 5 - 1
    assert north.overrides == 0
    n1 = next(p for p in stats.agents if p.name == "north1")
    assert n1.started == 7 and n1.missing["upper_body"] == 1
    assert n1.median_seconds is not None and 100 <= n1.median_seconds <= 400
    assert n1.p95_seconds is not None and n1.p95_seconds >= n1.median_seconds
    assert no_photo
    # Both scopes come from one pass per (outlet, agent): an outlet's counts are its
    # agents' counts added up; its median lies between its agents' medians.
    for o in stats.outlets:
        mine = [a for a in stats.agents if a.outlet_id == o.id]
        assert len(mine) == 2
        for f in ("started", "completed", "rejected", "expired", "overrides", "checked",
                  "unreadable"):
            assert getattr(o, f) == sum(getattr(a, f) for a in mine), (o.name, f)
        assert o.missing == {k: sum(a.missing[k] for a in mine) for k in o.missing}
        fails: Counter[str] = Counter()
        for a in mine:
            fails.update(a.failures)
        assert o.failures == dict(fails)
        medians = [a.median_seconds for a in mine if a.median_seconds is not None]
        assert o.median_seconds is not None
        assert min(medians) <= o.median_seconds <= max(medians)


def _run(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[bytes]:
    exe = Path(__file__).resolve().parents[2] / ".venv" / "bin" / "simkyc"
    return subprocess.run([str(exe), *args], env=env, capture_output=True, timeout=120)


@pytest.fixture
def cli_world(tmp_path: Path, make_context: Any) -> tuple[dict[str, str], Any]:
    import os

    from simkyc.adapters.db.migrate import upgrade
    from simkyc.config import Settings

    settings = Settings(data_dir=tmp_path / "data")
    upgrade(settings.resolved_database_url)
    from simkyc.runtime import build_runtime

    rt = build_runtime(settings)
    w = clean_world(rt.context, per_agent=12)
    w.registration("east1", T0 + timedelta(days=1, hours=15), subject="night")
    rt.close()
    env = {**os.environ, "SIMKYC_DATA_DIR": str(tmp_path / "data")}
    env.pop("SIMKYC_DATABASE_URL", None)
    return env, w


def test_cli_report_json_csv_and_errors(cli_world: Any, tmp_path: Path) -> None:
    env, w = cli_world
    r = _run(["compliance", "report", "--from", "2026-11-01", "--to", "2026-11-09"], env)
    assert r.returncode == 0, r.stderr
    data = json.loads(r.stdout)
    assert [f["pattern"] for f in data["findings"]] == ["outside_opening_hours"]
    assert sum(o["started"] for o in data["outlets"]) == 6 * 12 + 1
    # one no-flash liveness challenge in twelve for each agent (two agents an outlet)
    assert [(o["no_flash"], o["reached_liveness"]) for o in data["outlets"]] == [(2, 24)] * 3
    assert {a["no_flash_rate"] for a in data["agents"]} == {round(1 / 12, 4)}
    out = tmp_path / "r.csv"
    r = _run(["compliance", "report", "--from", "2026-11-01", "--to", "2026-11-09",
              "--outlet", "East", "--format", "csv", "--out", str(out)], env)
    assert r.returncode == 0, r.stderr
    rows = list(csv.DictReader(io.StringIO(out.read_text())))
    assert {row["name"] for row in rows} == {"East", "east1", "east2"}
    assert next(row for row in rows if row["name"] == "east1")["findings"] == "1"
    assert next(row for row in rows if row["name"] == "East")["no_flash"] == "2"
    for bad in (["--from", "2026-13-01", "--to", "2026-11-09"],
                ["--from", "2026-11-09", "--to", "2026-11-01"],
                ["--from", "2026-11-01", "--to", "2026-11-09", "--outlet", "Nowhere"],
                ["--from", "2026-11-01", "--to", "2026-11-09", "--format", "xml"]):
        r = _run(["compliance", "report", *bad], env)
        assert r.returncode == 2 and r.stderr.decode().startswith("error: "), r.stderr
        assert len(r.stderr.decode().strip().splitlines()) == 1


@pytest.mark.skipif(shutil.which("pdftoppm") is None, reason="poppler-utils missing")
def test_pdf_renders_with_its_chart(cli_world: Any, tmp_path: Path) -> None:
    env, _ = cli_world
    pdf = tmp_path / "report.pdf"
    r = _run(["compliance", "report", "--from", "2026-11-01", "--to", "2026-11-09",
              "--format", "pdf", "--out", str(pdf)], env)
    assert r.returncode == 0, r.stderr
    assert pdf.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-png", "-r", "60", "-f", "1", "-l", "1", str(pdf),
                    str(tmp_path / "page")], check=True, timeout=60)
    png = next(tmp_path.glob("page*.png"))
    page = np.asarray(Image.open(png).convert("RGB")).astype(int)
    # the outcomes chart's "completed" bars are #2e7d32 green
    green = (abs(page[..., 0] - 0x2E) < 25) & (abs(page[..., 1] - 0x7D) < 25) \
        & (abs(page[..., 2] - 0x32) < 25)
    assert green.sum() > 500, green.sum()
    orange = (abs(page[..., 0] - 0xEF) < 25) & (abs(page[..., 1] - 0x6C) < 25) \
        & (abs(page[..., 2] - 0x00) < 30)
    assert orange.sum() > 50  # the override-rate chart
