"""Compliance: the rules that find abnormal patterns, findings, spot-check sampling, penalties.

Pure (standard library only). The database narrows the candidates with SQL
(:mod:`simkyc.adapters.db.repositories.compliance`); the functions here
decide, so every rule is testable on plain rows and every finding carries the
registrations behind it (its evidence list).

Patterns (each rule's parameters are in :class:`ComplianceRules`):

- ``identity_many_registrations``: one identity (keyed hash of its document)
  registered at least ``identity_min_registrations`` times, at
  ``identity_min_outlets`` or more outlets, within ``identity_window_hours``.
- ``agent_burst``: more than ``burst_max_registrations`` registrations started
  by one agent within ``burst_window_minutes``.
- ``outside_opening_hours``: a registration started while its outlet was closed
  (outlets with no opening hours recorded are not checked).
- ``override_rate_high``: an agent's assisted-override rate at least
  ``override_rate_factor`` times the operator's median agent rate (and at least
  ``override_rate_floor``), over at least ``override_min_registrations``.
- ``quick_override_high``: the same for overrides approved after fewer than
  ``quick_override_voice_failures`` failed voice attempts (failure, then at once
  an override).
- ``document_rejected_then_passed``: a document rejected at one outlet and
  passed at another within ``document_retry_window_hours``.
- ``no_flash_rate_high``: an agent's no-flash liveness rate (registrations whose
  liveness challenge skipped the screen-colour flash, over those that reached
  liveness) at least ``no_flash_rate_factor`` times the operator's median agent
  rate (and at least ``no_flash_rate_floor``), over at least
  ``no_flash_min_registrations`` registrations that reached liveness.
"""

from __future__ import annotations

import enum
import hashlib
import math
import random
import statistics
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import Any


@dataclass(frozen=True)
class ComplianceRules:
    """The compliance section of the policy: pattern thresholds and spot-check rates."""

    identity_min_registrations: int = 3
    """Registrations of one identity (started, any outcome) that make a finding ..."""
    identity_min_outlets: int = 2
    """... when spread over at least this many outlets ..."""
    identity_window_hours: float = 24.0
    """... within this many hours."""
    burst_max_registrations: int = 8
    """An agent starting more than this many registrations ..."""
    burst_window_minutes: float = 30.0
    """... within this many minutes is a burst (a full flow takes several minutes)."""
    override_rate_factor: float = 3.0
    """An agent's override rate this many times the operator's median agent rate ..."""
    override_rate_floor: float = 0.05
    """... and at least this rate (0..1; the median may be 0) ..."""
    override_min_registrations: int = 20
    """... over at least this many registrations (fewer say nothing) is a finding."""
    quick_override_voice_failures: int = 2
    """An override after fewer failed voice attempts than this is a *quick* override."""
    no_flash_rate_factor: float = 3.0
    """An agent's no-flash liveness rate this many times the operator's median agent rate ..."""
    no_flash_rate_floor: float = 0.10
    """... and at least this rate (0..1; photosensitive customers are few, the median may
    be 0) ..."""
    no_flash_min_registrations: int = 20
    """... over at least this many registrations that reached liveness is a finding."""
    document_retry_window_hours: float = 6.0
    """A document rejected at one outlet and passed at another within this many hours."""
    default_utc_offset_minutes: int = 8 * 60
    """Outlets' local time (opening hours) when an outlet has no offset of its own (UTC+8)."""
    spot_check_rate: float = 0.05
    """Share (0..1) of completed registrations queued for a spot check ..."""
    spot_check_rate_with_findings: float = 0.20
    """... and at an outlet with findings in the period (or its own rate, if higher)."""
    verify_evidence: bool = True
    """Reports count every evidence item of the period that does not decrypt or match its
    hash (from the stored checks, see ``evidence_check_max_age_hours``)."""
    evidence_check_max_age_hours: float = 26.0
    """A report uses an item's stored check (``simkyc compliance check-evidence``, the
    daily worker task) when it is at most this old, and checks the others itself."""
    required_evidence: tuple[str, ...] = ("document_photo", "live_face", "liveness_video",
                                          "voice_audio", "upper_body")
    """Evidence a completed registration must hold (``voice_audio`` not after an override)."""


DEFAULT_COMPLIANCE_RULES = ComplianceRules()


class Pattern(enum.StrEnum):
    IDENTITY_MANY_REGISTRATIONS = "identity_many_registrations"
    AGENT_BURST = "agent_burst"
    OUTSIDE_OPENING_HOURS = "outside_opening_hours"
    OVERRIDE_RATE_HIGH = "override_rate_high"
    QUICK_OVERRIDE_HIGH = "quick_override_high"
    DOCUMENT_REJECTED_THEN_PASSED = "document_rejected_then_passed"
    NO_FLASH_RATE_HIGH = "no_flash_rate_high"


@dataclass(frozen=True)
class Finding:
    """One abnormal pattern found: who (``subject_kind``/``subject_id``), where, why.

    ``evidence``: the registration ids behind it (sorted). ``id``: a fingerprint
    of pattern, subject and evidence, so detecting the same thing twice gives
    the same finding.
    """

    pattern: Pattern
    subject_kind: str  # "agent", "outlet" or "identity"
    subject_id: str
    outlet_ids: tuple[str, ...]
    agent_ids: tuple[str, ...]
    evidence: tuple[str, ...]
    summary: str
    first_at: datetime
    last_at: datetime
    detail: dict[str, float | int | str] = field(default_factory=dict)

    @property
    def id(self) -> str:
        raw = "|".join((self.pattern.value, self.subject_kind, self.subject_id,
                        *self.evidence))
        return hashlib.sha256(raw.encode()).hexdigest()[:32]


@dataclass(frozen=True)
class RegistrationEvent:
    """A registration as the pattern rules see it."""

    registration_id: str
    outlet_id: str
    agent_id: str
    at: datetime
    key: str = ""  # the identity hash, or the agent, the rule groups by


def _windows(events: Sequence[RegistrationEvent], span: timedelta,
             enough: int) -> list[list[RegistrationEvent]]:
    """Maximal runs of ``events`` (sorted by time) in which at least ``enough`` events fall
    within ``span`` of each other; overlapping windows are merged into one run."""
    runs: list[list[RegistrationEvent]] = []
    start = 0
    current: list[RegistrationEvent] | None = None
    for end, ev in enumerate(events):
        while ev.at - events[start].at > span:
            start += 1
        if end - start + 1 >= enough:
            window = events[start:end + 1]
            if current is not None and window[0].at <= current[-1].at:
                seen = {e.registration_id for e in current}
                current.extend(e for e in window if e.registration_id not in seen)
            else:
                current = list(window)
                runs.append(current)
    return runs


def find_identity_many_registrations(events: Iterable[RegistrationEvent],
                                     rules: ComplianceRules) -> list[Finding]:
    """Identities (``event.key``) registered often at several outlets in a short time."""
    by_key: dict[str, list[RegistrationEvent]] = defaultdict(list)
    for ev in events:
        by_key[ev.key].append(ev)
    out = []
    span = timedelta(hours=rules.identity_window_hours)
    for key, evs in sorted(by_key.items()):
        evs.sort(key=lambda e: (e.at, e.registration_id))
        for run in _windows(evs, span, rules.identity_min_registrations):
            outlets = sorted({e.outlet_id for e in run})
            if len(outlets) < rules.identity_min_outlets:
                continue
            out.append(Finding(
                pattern=Pattern.IDENTITY_MANY_REGISTRATIONS, subject_kind="identity",
                subject_id=key, outlet_ids=tuple(outlets),
                agent_ids=tuple(sorted({e.agent_id for e in run})),
                evidence=tuple(sorted(e.registration_id for e in run)),
                summary=f"{len(run)} registrations of one identity at {len(outlets)} outlets "
                        f"within {rules.identity_window_hours:g} h",
                first_at=run[0].at, last_at=run[-1].at,
                detail={"registrations": len(run), "outlets": len(outlets)}))
    return out


def find_bursts(events: Iterable[RegistrationEvent], rules: ComplianceRules) -> list[Finding]:
    """Agents (``event.agent_id``) starting more than the limit within the window."""
    by_agent: dict[str, list[RegistrationEvent]] = defaultdict(list)
    for ev in events:
        by_agent[ev.agent_id].append(ev)
    out = []
    span = timedelta(minutes=rules.burst_window_minutes)
    for agent, evs in sorted(by_agent.items()):
        evs.sort(key=lambda e: (e.at, e.registration_id))
        for run in _windows(evs, span, rules.burst_max_registrations + 1):
            out.append(Finding(
                pattern=Pattern.AGENT_BURST, subject_kind="agent", subject_id=agent,
                outlet_ids=tuple(sorted({e.outlet_id for e in run})), agent_ids=(agent,),
                evidence=tuple(sorted(e.registration_id for e in run)),
                summary=f"{len(run)} registrations by one agent from "
                        f"{run[0].at:%Y-%m-%d %H:%M} to {run[-1].at:%H:%M} (more than "
                        f"{rules.burst_max_registrations} in {rules.burst_window_minutes:g} min)",
                first_at=run[0].at, last_at=run[-1].at,
                detail={"registrations": len(run)}))
    return out


@dataclass(frozen=True)
class OpeningHours:
    """One outlet's hours on one weekday (0 = Monday), local minutes from midnight;
    ``closes_minute`` may be 1440 (midnight)."""

    outlet_id: str
    weekday: int
    opens_minute: int
    closes_minute: int

    def __post_init__(self) -> None:
        if not 0 <= self.weekday <= 6:
            raise ValueError("weekday must be 0 (Monday) to 6 (Sunday)")
        if not 0 <= self.opens_minute < self.closes_minute <= 1440:
            raise ValueError("opening hours need 0 <= opens < closes <= 1440 minutes")


def is_open(hours: Sequence[OpeningHours], local: datetime) -> bool:
    """Whether an outlet with ``hours`` (all its weekdays) is open at local time ``local``."""
    minute = local.hour * 60 + local.minute
    return any(h.weekday == local.weekday() and h.opens_minute <= minute < h.closes_minute
               for h in hours)


def find_outside_hours(events: Iterable[RegistrationEvent],
                       hours: dict[str, list[OpeningHours]],
                       offsets: dict[str, int], rules: ComplianceRules) -> list[Finding]:
    """Registrations started while their outlet was closed, one finding per agent and outlet.

    ``hours``: per outlet (outlets absent are not checked). ``offsets``: each
    outlet's UTC offset in minutes (default :attr:`ComplianceRules.default_utc_offset_minutes`).
    """
    closed: dict[tuple[str, str], list[RegistrationEvent]] = defaultdict(list)
    for ev in events:
        outlet_hours = hours.get(ev.outlet_id)
        if not outlet_hours:
            continue
        offset = offsets.get(ev.outlet_id, rules.default_utc_offset_minutes)
        local = ev.at.replace(tzinfo=None) + timedelta(minutes=offset)
        if not is_open(outlet_hours, local):
            closed[(ev.outlet_id, ev.agent_id)].append(ev)
    out = []
    for (outlet, agent), evs in sorted(closed.items()):
        evs.sort(key=lambda e: (e.at, e.registration_id))
        out.append(Finding(
            pattern=Pattern.OUTSIDE_OPENING_HOURS, subject_kind="agent", subject_id=agent,
            outlet_ids=(outlet,), agent_ids=(agent,),
            evidence=tuple(sorted(e.registration_id for e in evs)),
            summary=f"{len(evs)} registration(s) started while the outlet was closed",
            first_at=evs[0].at, last_at=evs[-1].at, detail={"registrations": len(evs)}))
    return out


@dataclass(frozen=True)
class AgentOverrides:
    """One agent's registrations in a period, and its (quick) overrides' registration ids."""

    agent_id: str
    outlet_id: str
    registrations: int
    overrides: tuple[str, ...]
    quick_overrides: tuple[str, ...]
    first_at: datetime
    last_at: datetime


def median(values: Sequence[float]) -> float:
    return float(statistics.median(values)) if values else 0.0


def _rate_outliers(agents: Sequence[Any], *, pattern: Pattern,
                   picked: Callable[[Any], tuple[str, ...]], total: Callable[[Any], int],
                   factor: float, floor: float, what: str, over: str,
                   detail: Callable[[Any], dict[str, Any]]) -> list[Finding]:
    """Agents whose rate ``len(picked(a)) / total(a)`` is at least ``factor`` times the
    median agent's and at least ``floor`` (``agents``: the ones that count, for the
    median and as candidates); the evidence: the registrations ``picked``."""
    rates = {a.agent_id: len(picked(a)) / total(a) for a in agents}
    mid = median(list(rates.values()))
    bar = max(floor, factor * mid)
    out = []
    for a in sorted(agents, key=lambda a: a.agent_id):
        rate = rates[a.agent_id]
        if rate < bar or not picked(a):
            continue
        out.append(Finding(
            pattern=pattern, subject_kind="agent", subject_id=a.agent_id,
            outlet_ids=(a.outlet_id,), agent_ids=(a.agent_id,),
            evidence=tuple(sorted(picked(a))),
            summary=f"{what} {rate:.1%} over {total(a)} {over}; the operator's median agent "
                    f"is at {mid:.1%}",
            first_at=a.first_at, last_at=a.last_at,
            detail={"rate": round(rate, 4), "median": round(mid, 4), **detail(a)}))
    return out


def find_override_outliers(agents: Sequence[AgentOverrides],
                           rules: ComplianceRules) -> list[Finding]:
    """Agents whose override (or quick-override) rate is far above the median agent's.

    Only agents with at least ``override_min_registrations`` count, for the
    median and as candidates.
    """
    counted = [a for a in agents if a.registrations >= rules.override_min_registrations]
    out = []
    for pattern, pick, what in ((Pattern.OVERRIDE_RATE_HIGH, lambda a: a.overrides,
                                 "override rate"),
                                (Pattern.QUICK_OVERRIDE_HIGH, lambda a: a.quick_overrides,
                                 "quick override rate")):
        out += _rate_outliers(counted, pattern=pattern, picked=pick,
                              total=lambda a: a.registrations,
                              factor=rules.override_rate_factor,
                              floor=rules.override_rate_floor, what=what, over="registrations",
                              detail=lambda a: {"registrations": a.registrations})
    return out


@dataclass(frozen=True)
class AgentNoFlash:
    """One agent's registrations in a period that reached liveness (a liveness challenge
    was issued) and the registration ids among them given the no-flash challenge."""

    agent_id: str
    outlet_id: str
    reached_liveness: int
    no_flash: tuple[str, ...]
    first_at: datetime
    last_at: datetime


def find_no_flash_outliers(agents: Sequence[AgentNoFlash],
                           rules: ComplianceRules) -> list[Finding]:
    """Agents whose no-flash liveness rate is far above the median agent's: at least
    ``no_flash_rate_factor`` times the median and at least ``no_flash_rate_floor``.

    Only agents with at least ``no_flash_min_registrations`` registrations that reached
    liveness count, for the median and as candidates. The evidence: the registrations
    given the no-flash challenge.
    """
    counted = [a for a in agents if a.reached_liveness >= rules.no_flash_min_registrations
               and a.reached_liveness > 0]
    return _rate_outliers(counted, pattern=Pattern.NO_FLASH_RATE_HIGH,
                          picked=lambda a: a.no_flash, total=lambda a: a.reached_liveness,
                          factor=rules.no_flash_rate_factor, floor=rules.no_flash_rate_floor,
                          what="no-flash liveness rate",
                          over="registrations that reached liveness",
                          detail=lambda a: {"reached_liveness": a.reached_liveness,
                                            "no_flash": len(a.no_flash)})


@dataclass(frozen=True)
class DocumentAttempt:
    """A document step for one identity: rejected (``passed`` False) or passed."""

    registration_id: str
    subject_id_hash: str
    outlet_id: str
    agent_id: str
    at: datetime
    passed: bool


def find_rejected_then_passed(attempts: Iterable[DocumentAttempt],
                              rules: ComplianceRules) -> list[Finding]:
    """A document rejected at one outlet and passed at another outlet within the window."""
    by_subject: dict[str, list[DocumentAttempt]] = defaultdict(list)
    for a in attempts:
        by_subject[a.subject_id_hash].append(a)
    span = timedelta(hours=rules.document_retry_window_hours)
    out = []
    for subject, items in sorted(by_subject.items()):
        items.sort(key=lambda a: (a.at, a.registration_id))
        for passed in (a for a in items if a.passed):
            before = [r for r in items if not r.passed and r.outlet_id != passed.outlet_id
                      and timedelta(0) <= passed.at - r.at <= span]
            if not before:
                continue
            involved = [*before, passed]
            out.append(Finding(
                pattern=Pattern.DOCUMENT_REJECTED_THEN_PASSED, subject_kind="outlet",
                subject_id=passed.outlet_id,
                outlet_ids=tuple(sorted({a.outlet_id for a in involved})),
                agent_ids=tuple(sorted({a.agent_id for a in involved})),
                evidence=tuple(sorted({a.registration_id for a in involved})),
                summary=f"a document rejected at {len({r.outlet_id for r in before})} other "
                        f"outlet(s) passed here {(passed.at - before[0].at).total_seconds() / 3600:.1f} h "
                        "later",
                first_at=before[0].at, last_at=passed.at,
                detail={"identity": subject, "rejections": len(before)}))
    return out


# --- spot checks -------------------------------------------------------------------------


def spot_check_rate(rules: ComplianceRules, *, outlet_rate: float | None,
                    has_findings: bool) -> float:
    """The share of an outlet's completed registrations to sample: its own rate or the
    default, raised to ``spot_check_rate_with_findings`` while it has findings."""
    rate = rules.spot_check_rate if outlet_rate is None else outlet_rate
    if has_findings:
        rate = max(rate, rules.spot_check_rate_with_findings)
    return min(1.0, max(0.0, rate))


def choose_sample(registration_ids: Sequence[str], rate: float,
                  rng: random.Random) -> list[str]:
    """Each registration independently with probability ``rate`` (Bernoulli sampling), so
    an agent cannot tell which of their registrations will be checked. ``rng`` is passed in
    (the OS CSPRNG in production, seeded in tests)."""
    if not 0.0 <= rate <= 1.0:
        raise ValueError("a sample rate is between 0 and 1")
    return [rid for rid in registration_ids if rng.random() < rate]


def sample_bound(n: int, rate: float, sigmas: float = 4.0) -> tuple[float, float]:
    """The range ``n * rate ± sigmas * sqrt(n * rate * (1 - rate))`` a Bernoulli sample's
    size falls in (4 sigmas: outside it about once in 16,000 runs)."""
    mean = n * rate
    spread = sigmas * math.sqrt(n * rate * (1.0 - rate))
    return mean - spread, mean + spread


class SpotCheckOutcome(enum.StrEnum):
    OK = "ok"
    DEFECT = "defect"


class DefectCategory(enum.StrEnum):
    MISSING_EVIDENCE = "missing_evidence"
    FACE_MISMATCH = "face_mismatch"
    DOCUMENT_PROBLEM = "document_problem"
    LIVENESS_PROBLEM = "liveness_problem"
    VOICE_PROBLEM = "voice_problem"
    PROCEDURE_VIOLATION = "procedure_violation"
    OTHER = "other"


# --- penalties ledger --------------------------------------------------------------------


class PenaltyKind(enum.StrEnum):
    WARNING = "warning"
    FINE = "fine"
    DEPOSIT_DEDUCTION = "deposit_deduction"
    LICENCE_SUSPENSION = "licence_suspension"
    REVERSAL = "reversal"


@dataclass(frozen=True)
class PenaltyEntry:
    """One ledger entry (append-only; a correction is a ``reversal`` entry naming the
    entry it reverses). ``amount_minor``: in the currency's minor unit (fen, cents)."""

    id: str
    seq: int
    at: datetime
    actor_id: str
    kind: PenaltyKind
    target_kind: str  # "agent" or "outlet"
    target_id: str
    outlet_id: str
    amount_minor: int | None
    currency: str | None
    suspended_from: date | None
    suspended_to: date | None
    reason: str
    registration_ids: tuple[str, ...] = ()
    finding_ids: tuple[str, ...] = ()
    spot_check_ids: tuple[str, ...] = ()
    reverses: str | None = None


def check_new_penalty(*, kind: PenaltyKind, target_kind: str, amount_minor: int | None,
                      currency: str | None, suspended_from: date | None,
                      suspended_to: date | None, reason: str,
                      links: int) -> None:
    """Raise ``ValueError`` unless a new (non-reversal) entry is complete and consistent."""
    if kind is PenaltyKind.REVERSAL:
        raise ValueError("a reversal is made by reversing an entry")
    if target_kind not in ("agent", "outlet"):
        raise ValueError("a penalty is against an agent or an outlet")
    money = kind in (PenaltyKind.FINE, PenaltyKind.DEPOSIT_DEDUCTION)
    if money and (amount_minor is None or amount_minor <= 0 or not currency
                  or len(currency) != 3 or not currency.isalpha() or not currency.isupper()):
        raise ValueError(f"a {kind.value} needs a positive amount and an ISO 4217 currency")
    if not money and (amount_minor is not None or currency is not None):
        raise ValueError(f"a {kind.value} carries no amount")
    suspension = kind is PenaltyKind.LICENCE_SUSPENSION
    if suspension and (suspended_from is None or suspended_to is None
                       or suspended_to < suspended_from):
        raise ValueError("a licence suspension needs dates from <= to")
    if not suspension and (suspended_from is not None or suspended_to is not None):
        raise ValueError(f"a {kind.value} carries no suspension dates")
    if not reason.strip():
        raise ValueError("a penalty needs a reason")
    if links == 0:
        raise ValueError("a penalty is linked to the registrations, findings or spot checks "
                         "behind it")


def ledger_totals(entries: Iterable[PenaltyEntry]) -> dict[str, dict[str, int]]:
    """Per outlet: ``{"<currency>": minor units, "warnings": n, "suspensions": n,
    "reversed": n}``, with reversed entries (and their reversals) left out."""
    entries = list(entries)
    reversed_ids = {e.reverses for e in entries if e.kind is PenaltyKind.REVERSAL}
    totals: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for e in entries:
        t = totals[e.outlet_id]
        if e.kind is PenaltyKind.REVERSAL:
            t["reversed"] += 1
            continue
        if e.id in reversed_ids:
            continue
        if e.kind is PenaltyKind.WARNING:
            t["warnings"] += 1
        elif e.kind is PenaltyKind.LICENCE_SUSPENSION:
            t["suspensions"] += 1
        elif e.amount_minor is not None and e.currency:
            t[f"{e.kind.value}:{e.currency}"] += e.amount_minor
    return {k: dict(v) for k, v in sorted(totals.items())}


# --- statistics ----------------------------------------------------------------------------


def percentile(sorted_values: Sequence[float], q: float) -> float | None:
    """Linear-interpolated percentile (``q`` in 0..1) of already sorted values."""
    if not sorted_values:
        return None
    pos = (len(sorted_values) - 1) * q
    lo, hi = math.floor(pos), math.ceil(pos)
    return float(sorted_values[lo] + (sorted_values[hi] - sorted_values[lo]) * (pos - lo))


@dataclass(frozen=True)
class PeriodStats:
    """One agent's or outlet's registrations in a period (``scope`` ``agent``/``outlet``).

    ``failures``: failed stage results as ``{"<stage>:<reason>": count}``.
    ``missing``: completed registrations lacking each required evidence kind.
    ``unreadable``: evidence items that failed to decrypt or match their hash;
    ``destroyed``: items whose data key was destroyed. Times in seconds, of
    completed registrations (start to registered); ``None`` when none completed.
    """

    scope: str
    id: str
    name: str
    outlet_id: str
    started: int
    completed: int
    rejected: int
    expired: int
    overrides: int
    failures: dict[str, int]
    missing: dict[str, int]
    median_seconds: float | None
    p95_seconds: float | None
    unreadable: int = 0
    destroyed: int = 0
    checked: int = 0
    reached_liveness: int = 0
    no_flash: int = 0

    @property
    def override_rate(self) -> float:
        return self.overrides / self.started if self.started else 0.0

    @property
    def no_flash_rate(self) -> float:
        """Registrations given the no-flash liveness challenge over those that reached
        liveness (a liveness challenge was issued): a registration that stopped at the
        document or face step had no choice to make."""
        return self.no_flash / self.reached_liveness if self.reached_liveness else 0.0




@dataclass(frozen=True)
class SpotCheck:
    """A completed registration queued for review, and its outcome once reviewed."""

    id: str
    registration_id: str
    outlet_id: str
    agent_id: str
    sample_rate: float
    queued_at: datetime
    status: str  # "queued" or "reviewed"
    reviewer_id: str | None = None
    reviewed_at: datetime | None = None
    outcome: SpotCheckOutcome | None = None
    defect_category: DefectCategory | None = None
    note: str = ""


__all__ = [
    "AgentNoFlash",
    "AgentOverrides",
    "ComplianceRules",
    "DEFAULT_COMPLIANCE_RULES",
    "DefectCategory",
    "DocumentAttempt",
    "Finding",
    "OpeningHours",
    "Pattern",
    "PenaltyEntry",
    "PenaltyKind",
    "PeriodStats",
    "RegistrationEvent",
    "SpotCheck",
    "SpotCheckOutcome",
    "check_new_penalty",
    "choose_sample",
    "find_bursts",
    "find_no_flash_outliers",
    "find_identity_many_registrations",
    "find_outside_hours",
    "find_override_outliers",
    "find_rejected_then_passed",
    "is_open",
    "ledger_totals",
    "median",
    "percentile",
    "sample_bound",
    "spot_check_rate",
]
