"""Compliance: aggregation in SQL, pattern candidates, findings, spot checks, the ledger.

Counts, sums and (on PostgreSQL) percentiles are computed by the database,
grouped per outlet or per agent; the pattern queries return only candidate
rows (identities seen at several outlets, agents whose K-th previous
registration is within the burst window, registrations outside opening
hours, document rejections later passed), which the pure rules in
:mod:`simkyc.domain.compliance` then decide on.

The penalties ledger is written with INSERT only; this module has no update or
delete of it, and the database refuses both (triggers, migration 0008).
"""

from __future__ import annotations

import json
from collections import defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Float,
    String,
    and_,
    case,
    cast,
    delete,
    exists,
    func,
    not_,
    select,
    text,
    tuple_,
)
from sqlalchemy.sql.elements import ColumnElement

from simkyc.adapters.db.repositories._base import Repository, utc, utc_required
from simkyc.adapters.db.tables import (
    AgentRow,
    ChallengeRow,
    DataKeyRow,
    EvidenceRow,
    OutletRow,
    RegistrationRow,
    StageResultRow,
    UTCDateTime,
    VerificationFailureRow,
)
from simkyc.adapters.db.tables_compliance import (
    EvidenceCheckRow,
    FindingOutletRow,
    FindingRow,
    OutletComplianceRow,
    OutletHoursRow,
    PenaltyRow,
    SpotCheckRow,
)
from simkyc.domain.compliance import (
    AgentNoFlash,
    AgentOverrides,
    DefectCategory,
    DocumentAttempt,
    Finding,
    OpeningHours,
    Pattern,
    PenaltyEntry,
    PenaltyKind,
    PeriodStats,
    RegistrationEvent,
    SpotCheck,
    SpotCheckOutcome,
    percentile,
)
from simkyc.domain.errors import NotFoundError
from simkyc.domain.evidence import EvidenceKind, EvidenceRef
from simkyc.services.compliance.ports import EvidenceToCheck, OutletSettings, Period

R = RegistrationRow
REGISTERED = "registered"
LIVENESS = "liveness"


def _reached_liveness(period: Period, *, no_flash: bool = False) -> ColumnElement[bool]:
    """A registration was issued a liveness challenge (``no_flash``: one without the
    screen-colour flash, whose payload records ``"flash": false``; challenge rows are
    never deleted). An uncorrelated ``IN``: PostgreSQL hashes the ids once, SQLite builds
    a temporary index; challenges are issued after their registration starts, so those
    issued before the period are left out."""
    c = ChallengeRow
    ids = select(c.registration_id).where(c.kind == LIVENESS, c.issued_at >= period.start)
    if no_flash:
        ids = ids.where(c.payload["flash"].as_boolean().is_(False))
    return R.id.in_(ids)


def _in_period(period: Period) -> ColumnElement[bool]:
    cond = and_(R.created_at >= period.start, R.created_at < period.end)
    if period.outlet_id is not None:
        cond = and_(cond, R.outlet_id == period.outlet_id)
    return cond


class SqlCompliance(Repository):
    @property
    def dialect(self) -> str:
        return self.session.get_bind().dialect.name

    def _epoch(self, column: Any) -> Any:
        """Seconds since 1970 of a timestamp column, in SQL."""
        if self.dialect == "postgresql":
            return func.extract("epoch", column)
        return (func.julianday(column) - 2440587.5) * 86400.0

    # --- statistics -------------------------------------------------------------------

    def period_stats(self, *, period: Period, scope: str,
                     required: tuple[str, ...]) -> list[PeriodStats]:
        outlets, agents = self.period_stats_by_outlet_and_agent(period=period,
                                                                required=required)
        return outlets if scope == "outlet" else agents

    def period_stats_by_outlet_and_agent(
            self, *, period: Period, required: tuple[str, ...]
    ) -> tuple[list[PeriodStats], list[PeriodStats]]:
        """Statistics per outlet and per agent in one pass: the registrations, joined once
        to their evidence (which kinds each has), and the failed stage results are
        aggregated once per (outlet, agent) pair in SQL and summed up to each scope here
        (counts add up); median and p95 per scope from one query (GROUPING SETS on
        PostgreSQL). One join and group replaces an EXISTS probe per kind and scope.
        The liveness challenges join the same pass (usually one per registration, so
        the rows barely multiply): reached liveness, and whether one was the no-flash
        challenge."""
        o, a, e = R.outlet_id, R.agent_id, EvidenceRow
        has = [func.max(case((e.kind == kind, 1), else_=0)).label(f"has_{kind}")
               for kind in required]
        per_registration = (
            select(o.label("outlet"), a.label("agent"), R.status.label("status"),
                   R.assisted_override.label("override"),
                   case((_reached_liveness(period), 1), else_=0).label("liveness"),
                   case((_reached_liveness(period, no_flash=True), 1), else_=0)
                   .label("no_flash"), *has)
            .outerjoin(e, e.registration_id == R.id).where(_in_period(period))
            .group_by(R.id, o, a, R.status, R.assisted_override)).subquery()
        x = per_registration.c
        registered = x.status == REGISTERED
        missing_cols = []
        for kind in required:
            cond = and_(registered, x[f"has_{kind}"] == 0)
            if kind == EvidenceKind.VOICE_AUDIO.value:  # an override has no voice answer
                cond = and_(cond, x.override.is_(False))
            missing_cols.append(func.sum(case((cond, 1), else_=0)).label(f"missing_{kind}"))
        rows = self.session.execute(
            select(x.outlet, x.agent, func.count().label("started"),
                   func.sum(case((registered, 1), else_=0)).label("completed"),
                   func.sum(case((x.status == "rejected", 1), else_=0)).label("rejected"),
                   func.sum(case((x.status == "expired", 1), else_=0)).label("expired"),
                   func.sum(case((x.override.is_(True), 1), else_=0)).label("ovr"),
                   func.sum(x.liveness).label("liveness"),
                   func.sum(x.no_flash).label("no_flash"), *missing_cols)
            .group_by(x.outlet, x.agent)).all()
        counts: dict[str, dict[str, dict[str, int]]] = {"outlet": {}, "agent": {}}
        outlet_of_agent: dict[str, str] = {}
        fields = ("started", "completed", "rejected", "expired", "ovr", "liveness",
                  "no_flash", *(f"missing_{k}" for k in required))
        for row in rows:
            m = row._mapping
            outlet_of_agent[m["agent"]] = min(outlet_of_agent.get(m["agent"], m["outlet"]),
                                              m["outlet"])
            for scope, key in (("outlet", m["outlet"]), ("agent", m["agent"])):
                acc = counts[scope].setdefault(key, dict.fromkeys(fields, 0))
                for f in fields:
                    acc[f] += int(m[f] or 0)
        failures: dict[str, dict[str, dict[str, int]]] = {
            "outlet": defaultdict(lambda: defaultdict(int)),
            "agent": defaultdict(lambda: defaultdict(int))}
        s = StageResultRow
        for outlet, agent, stage, reasons, n in self.session.execute(
                select(o, a, s.stage, cast(s.reasons, String), func.count())
                .join(R, R.id == s.registration_id)
                .where(_in_period(period), s.passed.is_(False))
                .group_by(o, a, s.stage, cast(s.reasons, String))):
            for reason in (json.loads(reasons) if reasons else None) or ["unspecified"]:
                failures["outlet"][outlet][f"{stage}:{reason}"] += int(n)
                failures["agent"][agent][f"{stage}:{reason}"] += int(n)
        times = self._durations(period)
        names_outlet, names_agent = self.names()
        out: dict[str, list[PeriodStats]] = {}
        for scope, names in (("outlet", names_outlet), ("agent", names_agent)):
            stats = []
            for key, c in counts[scope].items():
                med, p95 = times[scope].get(key, (None, None))
                stats.append(PeriodStats(
                    scope=scope, id=key, name=names.get(key, key),
                    outlet_id=key if scope == "outlet" else outlet_of_agent[key],
                    started=c["started"], completed=c["completed"], rejected=c["rejected"],
                    expired=c["expired"], overrides=c["ovr"],
                    failures=dict(sorted(failures[scope].get(key, {}).items())),
                    missing={kind: c[f"missing_{kind}"] for kind in required},
                    median_seconds=med, p95_seconds=p95,
                    reached_liveness=c["liveness"], no_flash=c["no_flash"]))
            out[scope] = sorted(stats, key=lambda p: (p.name, p.id))
        return out["outlet"], out["agent"]

    def _durations(self, period: Period
                   ) -> dict[str, dict[str, tuple[float | None, float | None]]]:
        """Median and p95 of start-to-registered seconds per outlet and per agent
        (``{"outlet": {id: (median, p95)}, "agent": {...}}``)."""
        o, a = R.outlet_id, R.agent_id
        seconds = self._epoch(R.updated_at) - self._epoch(R.created_at)
        where = and_(_in_period(period), R.status == REGISTERED)
        out: dict[str, dict[str, tuple[float | None, float | None]]] = {"outlet": {},
                                                                          "agent": {}}
        if self.dialect == "postgresql":
            rows = self.session.execute(
                select(o, a, func.grouping(o),
                       func.percentile_cont(0.5).within_group(seconds),
                       func.percentile_cont(0.95).within_group(seconds))
                .where(where).group_by(func.grouping_sets(tuple_(o), tuple_(a)))).all()
            for outlet, agent, agent_set, med, p95 in rows:
                if agent_set:  # the outlet is not in this row's grouping set
                    out["agent"][agent] = (float(med), float(p95))
                else:
                    out["outlet"][outlet] = (float(med), float(p95))
            return out
        grouped: dict[str, dict[str, list[float]]] = {"outlet": defaultdict(list),
                                                      "agent": defaultdict(list)}
        for outlet, agent, sec in self.session.execute(
                select(o, a, cast(seconds, Float)).where(where)):
            grouped["outlet"][outlet].append(float(sec))
            grouped["agent"][agent].append(float(sec))
        for scope, groups in grouped.items():
            out[scope] = {k: (percentile(sorted(v), 0.5), percentile(sorted(v), 0.95))
                          for k, v in groups.items()}
        return out

    def evidence_to_check(self, *, period: Period) -> list[EvidenceToCheck]:
        e = EvidenceRow
        rows = self.session.execute(
            select(e, R.outlet_id, R.agent_id, DataKeyRow.wrapped_key)
            .join(R, R.id == e.registration_id)
            .outerjoin(DataKeyRow, DataKeyRow.registration_id == R.id)
            .where(_in_period(period)).order_by(e.registration_id, e.id)).all()
        return [EvidenceToCheck(
            ref=EvidenceRef(id=row.id, registration_id=row.registration_id,
                            kind=EvidenceKind(row.kind), content_type=row.content_type,
                            size=row.size, sha256=row.sha256, key_id=row.key_id,
                            created_at=utc_required(row.created_at)),
            outlet_id=outlet, agent_id=agent, wrapped_key=wrapped)
            for row, outlet, agent, wrapped in rows]

    def stored_checks(self, *, period: Period, since: datetime | None) -> dict[str, str]:
        """``{evidence id: result}`` of the period's items checked at or after ``since``."""
        c = EvidenceCheckRow
        q = (select(c.evidence_id, c.result)
             .join(EvidenceRow, EvidenceRow.id == c.evidence_id)
             .join(R, R.id == EvidenceRow.registration_id).where(_in_period(period)))
        if since is not None:
            q = q.where(c.checked_at >= since)
        return {str(k): str(v) for k, v in self.session.execute(q).all()}

    def store_checks(self, *, results: list[tuple[str, str, str]], at: datetime) -> None:
        """Each ``(evidence id, registration id, result)`` replaces the item's last one."""
        c = EvidenceCheckRow
        for i in range(0, len(results), 500):
            chunk = results[i:i + 500]
            self.session.execute(delete(c).where(c.evidence_id.in_([r[0] for r in chunk])))
            self.session.add_all([c(evidence_id=e, registration_id=r, checked_at=at, result=res)
                                  for e, r, res in chunk])
            self.session.flush()

    def names(self) -> tuple[dict[str, str], dict[str, str]]:
        outlets = dict(self.session.execute(select(OutletRow.id, OutletRow.name)).all())
        agents = dict(self.session.execute(select(AgentRow.id, AgentRow.name)).all())
        return outlets, agents  # type: ignore[return-value]

    # --- pattern candidates -----------------------------------------------------------

    @staticmethod
    def _events(rows: Any, keyed: bool = False) -> list[RegistrationEvent]:
        return [RegistrationEvent(registration_id=r[0], outlet_id=r[1], agent_id=r[2],
                                  at=utc_required(r[3]), key=r[4] if keyed else "")
                for r in rows]

    def identity_candidates(self, *, period: Period, min_registrations: int,
                            min_outlets: int) -> list[RegistrationEvent]:
        subjects = (select(R.subject_id_hash).where(_in_period(period),
                                                    R.subject_id_hash.is_not(None))
                    .group_by(R.subject_id_hash)
                    .having(func.count() >= min_registrations,
                            func.count(R.outlet_id.distinct()) >= min_outlets))
        rows = self.session.execute(
            select(R.id, R.outlet_id, R.agent_id, R.created_at, R.subject_id_hash)
            .where(_in_period(period), R.subject_id_hash.in_(subjects))).all()
        return self._events(rows, keyed=True)

    def burst_candidates(self, *, period: Period, more_than: int,
                         window_seconds: float) -> list[RegistrationEvent]:
        # The registration ``more_than`` places earlier by the same agent lies within
        # the window: more than ``more_than`` registrations in it.
        ep = self._epoch(R.created_at)
        lagged = (select(R.agent_id.label("agent_id"),
                         (ep - func.lag(ep, more_than).over(
                             partition_by=R.agent_id, order_by=R.created_at)).label("span"))
                  .where(_in_period(period)).subquery())
        agents = select(lagged.c.agent_id).where(lagged.c.span <= window_seconds).distinct()
        rows = self.session.execute(
            select(R.id, R.outlet_id, R.agent_id, R.created_at)
            .where(_in_period(period), R.agent_id.in_(agents))).all()
        return self._events(rows)

    def outside_hours_candidates(self, *, period: Period,
                                 default_offset_minutes: int) -> list[RegistrationEvent]:
        if self.dialect == "postgresql":
            local = ("(r.created_at AT TIME ZONE 'UTC') + make_interval(mins => "
                     "COALESCE(oc.utc_offset_minutes, :offset))")
            weekday = f"(CAST(EXTRACT(ISODOW FROM {local}) AS INTEGER) - 1)"
            minute = f"(CAST(EXTRACT(HOUR FROM {local}) * 60 + EXTRACT(MINUTE FROM {local}) " \
                     "AS INTEGER))"
        else:
            shift = "(COALESCE(oc.utc_offset_minutes, :offset) || ' minutes')"
            weekday = f"((CAST(strftime('%w', r.created_at, {shift}) AS INTEGER) + 6) % 7)"
            minute = (f"(CAST(strftime('%H', r.created_at, {shift}) AS INTEGER) * 60 + "
                      f"CAST(strftime('%M', r.created_at, {shift}) AS INTEGER))")
        outlet_cond = "AND r.outlet_id = :outlet" if period.outlet_id else ""
        sql = text(f"""
            SELECT r.id, r.outlet_id, r.agent_id, r.created_at FROM registrations r
            LEFT JOIN outlet_compliance oc ON oc.outlet_id = r.outlet_id
            LEFT JOIN outlet_hours h ON h.outlet_id = r.outlet_id AND h.weekday = {weekday}
            WHERE r.created_at >= :start AND r.created_at < :end {outlet_cond}
              AND r.outlet_id IN (SELECT outlet_id FROM outlet_hours)
              AND (h.outlet_id IS NULL OR {minute} < h.opens_minute
                   OR {minute} >= h.closes_minute)""").columns(
            id=String, outlet_id=String, agent_id=String, created_at=UTCDateTime)
        params: dict[str, Any] = {"start": period.start, "end": period.end,
                                  "offset": default_offset_minutes}
        if period.outlet_id:
            params["outlet"] = period.outlet_id
        if self.dialect != "postgresql":  # SQLite compares the stored text form
            params["start"] = _sqlite_ts(period.start)
            params["end"] = _sqlite_ts(period.end)
        return self._events(self.session.execute(sql, params).all())

    def agent_overrides(self, *, period: Period,
                        quick_voice_failures: int) -> list[AgentOverrides]:
        totals = self.session.execute(
            select(R.agent_id, func.min(R.outlet_id), func.count(), func.min(R.created_at),
                   func.max(R.created_at))
            .where(_in_period(period)).group_by(R.agent_id)).all()
        s = StageResultRow
        voice_failures = (select(func.count()).where(
            s.registration_id == R.id, s.stage == "voice", s.passed.is_(False))
            .correlate(R).scalar_subquery())
        overrides: dict[str, list[tuple[str, int]]] = defaultdict(list)
        for agent, rid, failures in self.session.execute(
                select(R.agent_id, R.id, voice_failures)
                .where(_in_period(period), R.assisted_override.is_(True))):
            overrides[agent].append((rid, int(failures)))
        return [AgentOverrides(
            agent_id=agent, outlet_id=outlet, registrations=int(n),
            overrides=tuple(rid for rid, _ in overrides.get(agent, [])),
            quick_overrides=tuple(rid for rid, f in overrides.get(agent, [])
                                  if f < quick_voice_failures),
            first_at=utc_required(first), last_at=utc_required(last))
            for agent, outlet, n, first, last in totals]

    def agent_no_flash(self, *, period: Period) -> list[AgentNoFlash]:
        """Per agent: registrations of the period that reached liveness (counted in SQL),
        and the ids of those given the no-flash challenge (the only rows read)."""
        totals = self.session.execute(
            select(R.agent_id, func.min(R.outlet_id), func.count(), func.min(R.created_at),
                   func.max(R.created_at))
            .where(_in_period(period), _reached_liveness(period))
            .group_by(R.agent_id)).all()
        no_flash: dict[str, list[str]] = defaultdict(list)
        for agent, rid in self.session.execute(
                select(R.agent_id, R.id)
                .where(_in_period(period), _reached_liveness(period, no_flash=True))):
            no_flash[agent].append(rid)
        return [AgentNoFlash(
            agent_id=agent, outlet_id=outlet, reached_liveness=int(n),
            no_flash=tuple(sorted(no_flash.get(agent, ()))),
            first_at=utc_required(first), last_at=utc_required(last))
            for agent, outlet, n, first, last in sorted(totals)]

    def document_attempts(self, *, period: Period,
                          window_hours: float) -> list[DocumentAttempt]:
        from datetime import timedelta

        vf = VerificationFailureRow
        in_window = and_(vf.stage == "document", vf.kind == "failure",
                         vf.at >= period.start, vf.at < period.end)
        failures = self.session.execute(
            select(vf.registration_id, vf.subject_id_hash, R.outlet_id, R.agent_id, vf.at)
            .join(R, R.id == vf.registration_id).where(in_window)).all()
        if not failures:
            return []
        s = StageResultRow
        subjects = select(vf.subject_id_hash).where(in_window).distinct()
        passes = self.session.execute(
            select(R.id, R.subject_id_hash, R.outlet_id, R.agent_id, s.created_at)
            .join(s, s.registration_id == R.id)
            .where(s.stage == "document", s.passed.is_(True),
                   R.subject_id_hash.in_(subjects), s.created_at >= period.start,
                   s.created_at < period.end + timedelta(hours=window_hours))).all()
        out = [DocumentAttempt(registration_id=r[0], subject_id_hash=r[1], outlet_id=r[2],
                               agent_id=r[3], at=utc_required(r[4]), passed=False)
               for r in failures]
        out += [DocumentAttempt(registration_id=r[0], subject_id_hash=r[1], outlet_id=r[2],
                                agent_id=r[3], at=utc_required(r[4]), passed=True)
                for r in passes if r[1] is not None]  # IN (subjects) already excludes NULL
        if period.outlet_id is not None:  # keep pairs that touch the outlet
            touched = {a.subject_id_hash for a in out if a.outlet_id == period.outlet_id}
            out = [a for a in out if a.subject_id_hash in touched]
        return out

    # --- outlets ----------------------------------------------------------------------

    def opening_hours(self) -> dict[str, list[OpeningHours]]:
        out: dict[str, list[OpeningHours]] = defaultdict(list)
        for row in self.session.scalars(select(OutletHoursRow)):
            out[row.outlet_id].append(OpeningHours(row.outlet_id, row.weekday,
                                                   row.opens_minute, row.closes_minute))
        return dict(out)

    def set_opening_hours(self, *, outlet_id: str, hours: list[OpeningHours]) -> None:
        if self.session.get(OutletRow, outlet_id) is None:
            raise NotFoundError(f"outlet {outlet_id} not found")
        for row in self.session.scalars(select(OutletHoursRow)
                                        .where(OutletHoursRow.outlet_id == outlet_id)):
            self.session.delete(row)
        self.session.flush()
        for h in hours:
            self.session.add(OutletHoursRow(outlet_id=outlet_id, weekday=h.weekday,
                                            opens_minute=h.opens_minute,
                                            closes_minute=h.closes_minute))
        self.session.flush()

    def outlet_settings(self) -> dict[str, OutletSettings]:
        return {row.outlet_id: OutletSettings(row.spot_check_rate, row.utc_offset_minutes)
                for row in self.session.scalars(select(OutletComplianceRow))}

    def set_outlet_settings(self, *, outlet_id: str, settings: OutletSettings) -> None:
        if self.session.get(OutletRow, outlet_id) is None:
            raise NotFoundError(f"outlet {outlet_id} not found")
        row = self.session.get(OutletComplianceRow, outlet_id)
        if row is None:
            row = OutletComplianceRow(outlet_id=outlet_id)
            self.session.add(row)
        row.spot_check_rate = settings.spot_check_rate
        row.utc_offset_minutes = settings.utc_offset_minutes
        self.session.flush()

    # --- findings ---------------------------------------------------------------------

    def add_finding(self, *, finding: Finding, now: datetime, by: str) -> bool:
        """Store ``finding`` unless the same one (same fingerprint) is stored; True if new."""
        if self.session.get(FindingRow, finding.id) is not None:
            return False
        f = finding
        self.session.add(FindingRow(
            id=f.id, pattern=f.pattern.value, subject_kind=f.subject_kind,
            subject_id=f.subject_id, outlet_ids=list(f.outlet_ids), agent_ids=list(f.agent_ids),
            evidence=list(f.evidence), summary=f.summary, detail=dict(f.detail),
            first_at=f.first_at, last_at=f.last_at, detected_at=now, detected_by=by))
        self.session.flush()
        for outlet in f.outlet_ids:
            self.session.add(FindingOutletRow(finding_id=f.id, outlet_id=outlet))
        self.session.flush()
        return True

    def findings(self, *, period: Period) -> list[Finding]:
        stmt = select(FindingRow).where(FindingRow.last_at >= period.start,
                                        FindingRow.first_at < period.end)
        if period.outlet_id is not None:
            stmt = stmt.where(FindingRow.id.in_(
                select(FindingOutletRow.finding_id)
                .where(FindingOutletRow.outlet_id == period.outlet_id)))
        return [Finding(pattern=Pattern(r.pattern), subject_kind=r.subject_kind,
                        subject_id=r.subject_id, outlet_ids=tuple(r.outlet_ids),
                        agent_ids=tuple(r.agent_ids), evidence=tuple(r.evidence),
                        summary=r.summary, first_at=utc_required(r.first_at),
                        last_at=utc_required(r.last_at), detail=dict(r.detail))
                for r in self.session.scalars(stmt.order_by(FindingRow.first_at))]

    def finding_ids_exist(self, ids: list[str]) -> set[str]:
        return set(self.session.scalars(select(FindingRow.id).where(FindingRow.id.in_(ids))))

    def outlets_with_findings(self, *, period: Period) -> set[str]:
        return set(self.session.scalars(
            select(FindingOutletRow.outlet_id).join(
                FindingRow, FindingRow.id == FindingOutletRow.finding_id)
            .where(FindingRow.last_at >= period.start, FindingRow.first_at < period.end)))

    # --- spot checks ------------------------------------------------------------------

    def completed_unsampled(self, *, period: Period) -> list[tuple[str, str, str]]:
        rows = self.session.execute(
            select(R.id, R.outlet_id, R.agent_id)
            .where(_in_period(period), R.status == REGISTERED,
                   not_(exists().where(SpotCheckRow.registration_id == R.id)))
            .order_by(R.created_at, R.id)).all()
        return [(a, b, c) for a, b, c in rows]

    def add_spot_check(self, *, check: SpotCheck, by: str) -> None:
        c = check
        self.session.add(SpotCheckRow(
            id=c.id, registration_id=c.registration_id, outlet_id=c.outlet_id,
            agent_id=c.agent_id, sample_rate=c.sample_rate, queued_at=c.queued_at,
            queued_by=by, status=c.status, note=""))
        self.session.flush()

    @staticmethod
    def _check(row: SpotCheckRow) -> SpotCheck:
        return SpotCheck(
            id=row.id, registration_id=row.registration_id, outlet_id=row.outlet_id,
            agent_id=row.agent_id, sample_rate=row.sample_rate,
            queued_at=utc_required(row.queued_at), status=row.status,
            reviewer_id=row.reviewer_id, reviewed_at=utc(row.reviewed_at),
            outcome=SpotCheckOutcome(row.outcome) if row.outcome else None,
            defect_category=DefectCategory(row.defect_category) if row.defect_category
            else None, note=row.note or "")

    def spot_checks(self, *, status: str | None, outlet_id: str | None,
                    limit: int) -> list[SpotCheck]:
        stmt = select(SpotCheckRow)
        if status is not None:
            stmt = stmt.where(SpotCheckRow.status == status)
        if outlet_id is not None:
            stmt = stmt.where(SpotCheckRow.outlet_id == outlet_id)
        return [self._check(r) for r in self.session.scalars(
            stmt.order_by(SpotCheckRow.queued_at, SpotCheckRow.id).limit(limit))]

    def get_spot_check(self, *, check_id: str, for_update: bool = False) -> SpotCheck:
        stmt = select(SpotCheckRow).where(SpotCheckRow.id == check_id)
        if for_update:
            stmt = stmt.with_for_update()
        row = self.session.scalar(stmt)
        if row is None:
            raise NotFoundError(f"spot check {check_id} not found")
        return self._check(row)

    def record_review(self, *, check_id: str, reviewer_id: str, at: datetime,
                      outcome: SpotCheckOutcome, category: DefectCategory | None,
                      note: str) -> SpotCheck:
        row = self.session.get(SpotCheckRow, check_id)
        if row is None:
            raise NotFoundError(f"spot check {check_id} not found")
        row.status = "reviewed"
        row.reviewer_id = reviewer_id
        row.reviewed_at = at
        row.outcome = outcome.value
        row.defect_category = category.value if category else None
        row.note = note
        self.session.flush()
        return self._check(row)

    def spot_check_summary(self, *, period: Period) -> dict[str, int]:
        stmt = (select(SpotCheckRow.status, SpotCheckRow.outcome, func.count())
                .join(R, R.id == SpotCheckRow.registration_id).where(_in_period(period))
                .group_by(SpotCheckRow.status, SpotCheckRow.outcome))
        out = {"queued": 0, "ok": 0, "defect": 0}
        for status, outcome, n in self.session.execute(stmt):
            out["queued" if status == "queued" else (outcome or "ok")] += int(n)
        return out

    def spot_check_ids_exist(self, ids: list[str]) -> set[str]:
        return set(self.session.scalars(select(SpotCheckRow.id)
                                        .where(SpotCheckRow.id.in_(ids))))

    # --- penalties ledger: INSERT and SELECT only -------------------------------------

    def append_penalty(self, *, entry: PenaltyEntry) -> PenaltyEntry:
        e = entry
        row = PenaltyRow(
            id=e.id, at=e.at, actor_id=e.actor_id, kind=e.kind.value,
            target_kind=e.target_kind, target_id=e.target_id, outlet_id=e.outlet_id,
            amount_minor=e.amount_minor, currency=e.currency,
            suspended_from=e.suspended_from, suspended_to=e.suspended_to, reason=e.reason,
            links={"registrations": list(e.registration_ids),
                   "findings": list(e.finding_ids), "spot_checks": list(e.spot_check_ids)},
            reverses=e.reverses)
        self.session.add(row)
        self.session.flush()
        return self._penalty(row)

    @staticmethod
    def _penalty(row: PenaltyRow) -> PenaltyEntry:
        links = row.links or {}
        return PenaltyEntry(
            id=row.id, seq=row.seq, at=utc_required(row.at), actor_id=row.actor_id,
            kind=PenaltyKind(row.kind), target_kind=row.target_kind, target_id=row.target_id,
            outlet_id=row.outlet_id, amount_minor=row.amount_minor, currency=row.currency,
            suspended_from=row.suspended_from, suspended_to=row.suspended_to,
            reason=row.reason, registration_ids=tuple(links.get("registrations", ())),
            finding_ids=tuple(links.get("findings", ())),
            spot_check_ids=tuple(links.get("spot_checks", ())), reverses=row.reverses)

    def penalties(self, *, outlet_id: str | None = None,
                  limit: int = 1000) -> list[PenaltyEntry]:
        stmt = select(PenaltyRow)
        if outlet_id is not None:
            stmt = stmt.where(PenaltyRow.outlet_id == outlet_id)
        return [self._penalty(r) for r in
                self.session.scalars(stmt.order_by(PenaltyRow.seq.desc()).limit(limit))]

    def get_penalty(self, *, entry_id: str) -> PenaltyEntry:
        row = self.session.scalar(select(PenaltyRow).where(PenaltyRow.id == entry_id))
        if row is None:
            raise NotFoundError(f"ledger entry {entry_id} not found")
        return self._penalty(row)

    def registration_ids_exist(self, ids: list[str]) -> set[str]:
        return set(self.session.scalars(select(R.id).where(R.id.in_(ids))))


def _sqlite_ts(dt: datetime) -> str:
    """A UTC datetime as SQLAlchemy stores it in SQLite (naive ISO text)."""
    from datetime import UTC

    return dt.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f")


__all__ = ["SqlCompliance"]
