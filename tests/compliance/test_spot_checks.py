"""Spot checks: the sample rate holds within its bound, outlets with findings are sampled
more, the review shows each item and audits every view, the outcome is recorded once."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from simkyc.domain.compliance import (
    ComplianceRules,
    DefectCategory,
    SpotCheckOutcome,
    choose_sample,
    sample_bound,
    spot_check_rate,
)
from simkyc.domain.errors import ConflictError, InputError, PermissionDenied
from simkyc.services.compliance import review
from simkyc.services.compliance._common import make_period
from simkyc.services.compliance.outlets import set_outlet_settings
from simkyc.services.compliance.patterns import detect_patterns
from simkyc.services.context import ServiceContext

from .seed import FULL, T0, clean_world, period


@pytest.mark.parametrize("rate", [0.02, 0.05, 0.2, 0.5])
@pytest.mark.parametrize("seed", [1, 2, 3])
def test_sample_size_within_its_bound(rate: float, seed: int) -> None:
    ids = [f"{i:032x}" for i in range(20_000)]
    chosen = choose_sample(ids, rate, random.Random(seed))
    low, high = sample_bound(len(ids), rate)
    assert low <= len(chosen) <= high
    assert len(set(chosen)) == len(chosen)


def test_rate_rules() -> None:
    rules = ComplianceRules(spot_check_rate=0.05, spot_check_rate_with_findings=0.2)
    assert spot_check_rate(rules, outlet_rate=None, has_findings=False) == 0.05
    assert spot_check_rate(rules, outlet_rate=0.1, has_findings=False) == 0.1
    assert spot_check_rate(rules, outlet_rate=0.1, has_findings=True) == 0.2
    assert spot_check_rate(rules, outlet_rate=0.5, has_findings=True) == 0.5


def test_sampling_per_outlet_with_findings_raised(ctx: ServiceContext) -> None:
    w = clean_world(ctx, per_agent=100)  # 200 completed per outlet
    w.registration("east1", T0 + timedelta(days=1, hours=15), subject="night")  # a finding
    start, end = period()
    p = make_period(start, end)
    detect_patterns(ctx, actor=w.officer, period=p)
    set_outlet_settings(ctx, actor=w.officer, outlet_id=w.outlets["South"],
                        spot_check_rate=0.3, utc_offset_minutes=None)
    rules = ComplianceRules(spot_check_rate=0.05, spot_check_rate_with_findings=0.5)
    queued = review.sample_spot_checks(ctx, actor=w.officer, period=p,
                                       rng=random.Random(11), rules=rules)
    by_outlet = {name: [c for c in queued if c.outlet_id == oid]
                 for name, oid in w.outlets.items()}
    for name, rate, n in (("North", 0.05, 200), ("South", 0.3, 200), ("East", 0.5, 201)):
        low, high = sample_bound(n, rate)
        assert low <= len(by_outlet[name]) <= high, (name, len(by_outlet[name]))
        assert {c.sample_rate for c in by_outlet[name]} == {rate}
    again = review.sample_spot_checks(ctx, actor=w.officer, period=p, rng=random.Random(12),
                                      rules=rules)
    assert not {c.registration_id for c in again} & {c.registration_id for c in queued}


def test_review_shows_items_audits_views_and_records_once(ctx: ServiceContext) -> None:
    w = clean_world(ctx, per_agent=1)
    rid = w.registration("north1", T0 + timedelta(hours=3), subject="s", evidence=FULL)
    start, end = period()
    queued = review.sample_spot_checks(ctx, actor=w.officer, period=make_period(start, end),
                                       rng=random.Random(1),
                                       rules=ComplianceRules(spot_check_rate=1.0))
    check = next(c for c in queued if c.registration_id == rid)
    view = review.open_spot_check(ctx, actor=w.officer, check_id=check.id)
    assert [i.label for i in view.items] == ["document_photo", "best_liveness_frame",
                                             "liveness_video", "voice_audio", "upper_body"]
    assert all(i.evidence is not None for i in view.items)
    for item in view.items:
        ref, data = review.view_spot_check_evidence(ctx, actor=w.officer, check_id=check.id,
                                                    label=item.label)
        assert data == f"{ref.kind.value} of {rid}".encode()
    with ctx.uow() as tx:
        actions = [e.action for e in tx.audit.entries(registration_id=rid)]
    assert actions.count("spot_check.view") == 5 and "spot_check.open" in actions
    auditor = w.agent("aud", "North")  # an agent: no evidence for them
    with pytest.raises(PermissionDenied):
        review.view_spot_check_evidence(ctx, actor=auditor, check_id=check.id,
                                        label="document_photo")
    with pytest.raises(InputError):
        review.record_spot_check_outcome(ctx, actor=w.officer, check_id=check.id,
                                         outcome=SpotCheckOutcome.DEFECT)
    done = review.record_spot_check_outcome(
        ctx, actor=w.officer, check_id=check.id, outcome=SpotCheckOutcome.DEFECT,
        category=DefectCategory.MISSING_EVIDENCE, note="upper body cut off")
    assert done.status == "reviewed" and done.reviewer_id == w.officer.id
    with pytest.raises(ConflictError):
        review.record_spot_check_outcome(ctx, actor=w.officer, check_id=check.id,
                                         outcome=SpotCheckOutcome.OK)
    assert [c.id for c in review.list_spot_checks(ctx, actor=w.officer,
                                                  status="reviewed")] == [check.id]


