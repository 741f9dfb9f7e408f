"""Each abnormal pattern is found on seeded data, with its evidence, and not on clean data
(SQLite and PostgreSQL: the candidates come from SQL)."""

from __future__ import annotations

from datetime import timedelta

from simkyc.domain.compliance import Pattern
from simkyc.services.compliance._common import make_period
from simkyc.services.compliance.patterns import detect_patterns
from simkyc.services.context import ServiceContext

from .seed import T0, World, clean_world, period


def _found(w: World, outlet: str | None = None):  # type: ignore[no-untyped-def]
    start, end = period()
    return detect_patterns(w.ctx, actor=w.officer,
                           period=make_period(start, end, w.outlets.get(outlet or "")))


def test_clean_data_has_no_finding(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    assert _found(w) == []


def test_one_identity_at_several_outlets(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    at = T0 + timedelta(days=1, hours=3)
    ids = [w.registration("north1", at, subject="X"),
           w.registration("south1", at + timedelta(hours=2), subject="X"),
           w.registration("east2", at + timedelta(hours=5), subject="X")]
    # the same identity twice more, but a week apart: not within the window
    w.registration("north2", at + timedelta(days=3), subject="Y")
    w.registration("south2", at + timedelta(days=4), subject="Y")
    found = _found(w)
    assert [f.pattern for f in found] == [Pattern.IDENTITY_MANY_REGISTRATIONS]
    assert found[0].evidence == tuple(sorted(ids))
    assert len(found[0].outlet_ids) == 3
    assert found[0].subject_id == ctx.keys.subject_hash("X")


def test_burst_by_one_agent(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    at = T0 + timedelta(days=2, hours=4)  # 12:00 local, within opening hours
    burst = [w.registration("south2", at + timedelta(minutes=3 * i), subject=f"b{i}")
             for i in range(10)]  # 10 in 27 minutes; the limit is 8 in 30
    found = _found(w)
    assert [f.pattern for f in found] == [Pattern.AGENT_BURST]
    assert found[0].subject_id == w.agents["south2"].id
    assert set(burst) <= set(found[0].evidence)
    # 8 in 30 minutes is allowed
    w2_found = [f for f in found if f.subject_id == w.agents["north1"].id]
    assert w2_found == []


def test_registrations_outside_opening_hours(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    night = T0 + timedelta(days=1, hours=15)  # 01:00 local, Wednesday
    sunday = T0 + timedelta(days=6, hours=2)  # Sunday 10:00 local: closed all day
    ids = [w.registration("east1", night, subject="n1"),
           w.registration("east1", sunday, subject="n2")]
    just_open = T0 + timedelta(days=1, hours=-1)  # 09:00 local Tuesday: open
    w.registration("east1", just_open, subject="n3")
    found = _found(w)
    assert [f.pattern for f in found] == [Pattern.OUTSIDE_OPENING_HOURS]
    assert found[0].evidence == tuple(sorted(ids))
    assert found[0].outlet_ids == (w.outlets["East"],)


def test_override_rate_far_above_the_median(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    at = T0 + timedelta(days=3, hours=1)
    ids = [w.registration("north2", at + timedelta(minutes=20 * i), subject=f"o{i}",
                          override=True, voice_failures=2) for i in range(6)]
    found = _found(w)
    assert [f.pattern for f in found] == [Pattern.OVERRIDE_RATE_HIGH]
    f = found[0]
    assert f.subject_id == w.agents["north2"].id
    assert set(ids) <= set(f.evidence)
    assert float(f.detail["rate"]) > 3 * float(f.detail["median"])


def test_failure_then_quick_override(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    at = T0 + timedelta(days=3, hours=1)
    # the same number of overrides as everyone (2 of 24 + 2 of 26 ~ 15 %...) but each
    # after a single failed voice attempt
    ids = [w.registration("south1", at + timedelta(minutes=20 * i), subject=f"q{i}",
                          override=True, voice_failures=1) for i in range(3)]
    found = _found(w)
    patterns = [f.pattern for f in found]
    assert Pattern.QUICK_OVERRIDE_HIGH in patterns
    quick = next(f for f in found if f.pattern is Pattern.QUICK_OVERRIDE_HIGH)
    assert quick.evidence == tuple(sorted(ids))
    assert quick.subject_id == w.agents["south1"].id


def test_document_rejected_at_one_outlet_passed_at_another(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    at = T0 + timedelta(days=4, hours=2)
    bad = w.registration("north1", at, status="rejected", subject="D", document_failed=True)
    good = w.registration("east2", at + timedelta(hours=2), subject="D")
    # rejected and passed again at the same outlet: a retry, not the pattern
    w.registration("south1", at, status="rejected", subject="E", document_failed=True)
    w.registration("south1", at + timedelta(hours=1), subject="E")
    # passed elsewhere, but a day later
    w.registration("north2", at, status="rejected", subject="F", document_failed=True)
    w.registration("east1", at + timedelta(days=1), subject="F")
    found = _found(w)
    assert [f.pattern for f in found] == [Pattern.DOCUMENT_REJECTED_THEN_PASSED]
    assert found[0].evidence == tuple(sorted([bad, good]))
    assert found[0].subject_id == w.outlets["East"]


def test_findings_are_kept_once_and_narrowed_to_an_outlet(ctx: ServiceContext) -> None:
    w = clean_world(ctx)
    night = T0 + timedelta(days=1, hours=15)
    w.registration("east1", night, subject="n1")
    assert len(_found(w)) == 1
    assert len(_found(w)) == 1  # the same finding, not a second one
    assert _found(w, "North") == []
    assert len(_found(w, "East")) == 1
    from simkyc.services.compliance._common import repo

    start, end = period()
    with ctx.uow() as tx:
        assert len(repo(tx).findings(period=make_period(start, end))) == 1
