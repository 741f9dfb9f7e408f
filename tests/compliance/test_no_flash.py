"""The no-flash liveness path in compliance: a per-agent and per-outlet count and rate (in
SQL, from the liveness challenge rows, SQLite and PostgreSQL), the ``no_flash_rate_high``
rule (pure, and on seeded data), its policy keys, and the figure in the JSON, CSV and PDF
reports."""

from __future__ import annotations

import csv
import io
import json
import shutil
import subprocess
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from simkyc.adapters.policy_file import load_policy_file
from simkyc.adapters.reports import render
from simkyc.domain.compliance import (
    AgentNoFlash,
    ComplianceRules,
    Pattern,
    find_no_flash_outliers,
)
from simkyc.domain.errors import ConfigurationError
from simkyc.services.compliance._common import make_period
from simkyc.services.compliance.patterns import detect_patterns
from simkyc.services.compliance.reports import build_report
from simkyc.services.compliance.stats import period_statistics
from simkyc.services.context import ServiceContext

from .seed import T0, World, clean_world, period

AT = datetime(2026, 11, 3, 3, 0, tzinfo=UTC)


def _agent(name: str, reached: int, no_flash: int) -> AgentNoFlash:
    return AgentNoFlash(agent_id=name, outlet_id=f"outlet-{name}", reached_liveness=reached,
                        no_flash=tuple(f"{name}-r{i:02d}" for i in range(no_flash)),
                        first_at=AT, last_at=AT + timedelta(hours=5))


# --- the rule, on plain rows -----------------------------------------------------------


def test_the_rule_finds_an_outlier_with_its_registrations() -> None:
    agents = [_agent("a", 40, 2), _agent("b", 30, 1), _agent("c", 25, 1),
              _agent("d", 30, 12)]
    found = find_no_flash_outliers(agents, ComplianceRules())
    assert [(f.pattern, f.subject_id) for f in found] == [(Pattern.NO_FLASH_RATE_HIGH, "d")]
    f = found[0]
    assert f.evidence == tuple(f"d-r{i:02d}" for i in range(12))
    assert f.outlet_ids == ("outlet-d",) and f.agent_ids == ("d",)
    assert f.detail["rate"] == 0.4 and f.detail["reached_liveness"] == 30
    # the median of the four rates (5 %, 3.3 %, 4 %, 40 %) is 4.5 %
    assert f.detail["median"] == pytest.approx(0.045, abs=1e-4)


def test_the_rule_is_quiet_for_agents_alike_and_below_the_floor() -> None:
    alike = [_agent("a", 40, 4), _agent("b", 30, 3), _agent("c", 25, 3)]
    assert find_no_flash_outliers(alike, ComplianceRules()) == []
    # three times a median of 1 %, but under the 10 % floor: nothing
    low = [_agent("a", 100, 1), _agent("b", 100, 1), _agent("c", 100, 1),
           _agent("d", 100, 6)]
    assert find_no_flash_outliers(low, ComplianceRules()) == []
    # the same with the floor lowered: found
    assert [f.subject_id for f in find_no_flash_outliers(
        low, ComplianceRules(no_flash_rate_floor=0.05))] == ["d"]


def test_the_rule_needs_the_minimum_sample() -> None:
    # every registration no-flash, but only 19 reached liveness (the minimum is 20)
    agents = [_agent("a", 40, 1), _agent("b", 30, 1), _agent("small", 19, 19)]
    assert find_no_flash_outliers(agents, ComplianceRules()) == []
    assert [f.subject_id for f in find_no_flash_outliers(
        agents, ComplianceRules(no_flash_min_registrations=19))] == ["small"]
    # agents under the minimum do not count towards the median either
    many_small = [_agent(f"s{i}", 5, 5) for i in range(5)]
    found = find_no_flash_outliers([*agents, *many_small, _agent("big", 20, 8)],
                                   ComplianceRules())
    assert [f.subject_id for f in found] == ["big"]


# --- the statistics, in SQL --------------------------------------------------------------


def test_statistics_count_no_flash_per_agent_and_outlet(ctx: ServiceContext) -> None:
    w = clean_world(ctx, per_agent=12)  # one no-flash in twelve for everyone
    at = T0 + timedelta(days=1, hours=2)
    w.registration("north1", at, subject="nf1", challenges=("no_flash",))
    # a flash challenge that expired, then the no-flash one: one registration, counted once
    w.registration("north1", at + timedelta(minutes=20), subject="nf2",
                   challenges=("flash", "no_flash"))
    w.registration("north1", at + timedelta(minutes=40), subject="nf3",
                   challenges=("no_flash", "no_flash"))
    # stopped at the document: never reached liveness
    w.registration("north1", at + timedelta(hours=1), status="rejected", subject="nf4",
                   document_failed=True)
    start, end = period()
    stats = period_statistics(ctx, actor=w.officer, period=make_period(start, end),
                              rules=ComplianceRules(verify_evidence=False))
    n1 = next(p for p in stats.agents if p.name == "north1")
    assert (n1.started, n1.reached_liveness, n1.no_flash) == (16, 15, 4)
    assert n1.no_flash_rate == pytest.approx(4 / 15)
    s1 = next(p for p in stats.agents if p.name == "south1")
    assert (s1.started, s1.reached_liveness, s1.no_flash) == (12, 12, 1)
    for o in stats.outlets:
        mine = [a for a in stats.agents if a.outlet_id == o.id]
        assert o.no_flash == sum(a.no_flash for a in mine)
        assert o.reached_liveness == sum(a.reached_liveness for a in mine)
    north = next(p for p in stats.outlets if p.name == "North")
    assert (north.reached_liveness, north.no_flash) == (27, 5)
    # narrowed to one outlet: the same figures for it
    one = period_statistics(ctx, actor=w.officer,
                            period=make_period(start, end, w.outlets["North"]),
                            rules=ComplianceRules(verify_evidence=False))
    assert [(p.reached_liveness, p.no_flash) for p in one.outlets] == [(27, 5)]


def _no_flash_outlier(w: World, n: int = 10) -> list[str]:
    at = T0 + timedelta(days=3, hours=1)
    return [w.registration("north2", at + timedelta(minutes=20 * i), subject=f"nf{i}",
                           challenges=("no_flash",)) for i in range(n)]


def test_detection_finds_the_agent_who_skips_the_flash(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    assert [f for f in _found(w) if f.pattern is Pattern.NO_FLASH_RATE_HIGH] == []
    ids = _no_flash_outlier(w)
    found = _found(w)
    assert [f.pattern for f in found] == [Pattern.NO_FLASH_RATE_HIGH]
    f = found[0]
    assert f.subject_id == w.agents["north2"].id
    assert f.outlet_ids == (w.outlets["North"],)
    # the evidence: every no-flash registration of the agent (the seeded two and these)
    assert set(ids) < set(f.evidence) and len(f.evidence) == len(ids) + 2
    assert f.detail["reached_liveness"] == 34 and f.detail["no_flash"] == 12
    assert float(f.detail["rate"]) >= 3 * float(f.detail["median"])
    # narrowed to another outlet: not there; to North: there
    assert _found(w, "South") == []
    assert [g.pattern for g in _found(w, "North")] == [Pattern.NO_FLASH_RATE_HIGH]


def _found(w: World, outlet: str | None = None):  # type: ignore[no-untyped-def]
    start, end = period()
    return detect_patterns(w.ctx, actor=w.officer,
                           period=make_period(start, end, w.outlets.get(outlet or "")))


# --- the reports -----------------------------------------------------------------------


def test_reports_show_the_figure(ctx: ServiceContext, tmp_path: Path) -> None:
    w = clean_world(ctx)  # 24 each, two of them no-flash
    _no_flash_outlier(w, n=20)
    start, end = period()
    report = build_report(ctx, actor=w.officer, period=make_period(start, end))
    data = json.loads(render(report, "json"))
    n2 = next(a for a in data["agents"] if a["name"] == "north2")
    assert (n2["reached_liveness"], n2["no_flash"], n2["no_flash_rate"]) == (44, 22, 0.5)
    north = next(o for o in data["outlets"] if o["name"] == "North")
    assert (north["reached_liveness"], north["no_flash"]) == (68, 24)
    assert north["no_flash_rate"] == round(24 / 68, 4)
    assert [f["pattern"] for f in data["findings"]] == ["no_flash_rate_high"]
    assert len(data["findings"][0]["evidence"]) == 22
    rows = {r["name"]: r for r in csv.DictReader(io.StringIO(render(report, "csv").decode()))}
    assert (rows["north2"]["reached_liveness"], rows["north2"]["no_flash"],
            rows["north2"]["no_flash_rate"]) == ("44", "22", "0.5")
    assert rows["north2"]["findings"] == "1" and rows["south1"]["no_flash"] == "2"
    assert rows["North"]["no_flash"] == "24"
    if shutil.which("pdftotext") is None:
        pytest.skip("poppler-utils missing")
    pdf = tmp_path / "r.pdf"
    pdf.write_bytes(render(report, "pdf"))
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], check=True,
                          capture_output=True, timeout=60).stdout.decode()
    assert "no flash" in text
    north_line = next(line for line in text.splitlines() if line.strip().startswith("North"))
    assert "24 (35%)" in north_line, north_line
    # the summary: 2 of 24 for each of six agents, and the 20 more
    assert "32 of 164 that reached liveness given the no-flash challenge" in " ".join(
        text.split()), text[:800]


# --- the policy keys -------------------------------------------------------------------


def test_the_policy_keys_load_and_are_checked(tmp_path: Path) -> None:
    p = tmp_path / "policy.toml"
    p.write_text("[compliance]\nno_flash_rate_factor = 4\nno_flash_rate_floor = 0.2\n"
                 "no_flash_min_registrations = 30\n", encoding="utf-8")
    c = load_policy_file(p).compliance
    assert (c.no_flash_rate_factor, c.no_flash_rate_floor, c.no_flash_min_registrations) \
        == (4.0, 0.2, 30)
    for text, words in (("no_flash_rate_floor = 1.5", "compliance.no_flash_rate_floor is a "
                                                      "share between 0 and 1"),
                        ("no_flash_min_registrations = 0",
                         "compliance.no_flash_min_registrations must be at least 1"),
                        ("no_flash_rate_factor = -1",
                         "compliance.no_flash_rate_factor must not be negative"),
                        ("no_flash_min_registrations = 2.5",
                         "compliance.no_flash_min_registrations must be an integer")):
        p.write_text(f"[compliance]\n{text}\n", encoding="utf-8")
        with pytest.raises(ConfigurationError, match=words):
            load_policy_file(p)
