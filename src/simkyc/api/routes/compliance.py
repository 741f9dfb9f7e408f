"""Compliance over HTTP: reports and charts, findings, the spot-check queue, the ledger,
and the compliance pages (static, at ``/compliance``).

Role checks are the services' own: compliance officers everything, auditors
read, agents and supervisors their own outlet's statistics (report and charts)
only. The ledger has no PUT, PATCH or DELETE: a correction is ``POST
/ledger/{id}/reverse``.
"""

from __future__ import annotations

from datetime import date, datetime
from importlib import resources
from pathlib import Path as FsPath
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Response, status
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, ConfigDict, Field

from simkyc.api.deps import ActorDep, ContextDep
from simkyc.api.errors import error_responses, evidence_content
from simkyc.api.report_responses import chart_response, report_response
from simkyc.api.schemas import Text
from simkyc.domain.compliance import (
    DefectCategory,
    Finding,
    OpeningHours,
    PenaltyEntry,
    PenaltyKind,
    SpotCheck,
    SpotCheckOutcome,
)
from simkyc.services.compliance import ledger, outlets, patterns, reports, review
from simkyc.services.compliance._common import make_period, parse_bound
from simkyc.services.compliance.ports import Period

router = APIRouter(prefix="/api/v1/compliance", tags=["compliance"])
pages = APIRouter(tags=["compliance pages"])
WEB = FsPath(str(resources.files("simkyc") / "web" / "compliance"))

Hex32 = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$")]
AUTH = (401, 403, 429)
FromQ = Annotated[str, Query(alias="from", min_length=10, max_length=40,
                             description="YYYY-MM-DD or an ISO date-time")]
ToQ = Annotated[str, Query(alias="to", min_length=10, max_length=40,
                           description="YYYY-MM-DD (that day included) or an ISO date-time")]
OutletQ = Annotated[str | None, Query(pattern=r"^[0-9a-f]{32}$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _period(start: str, end: str, outlet: str | None) -> Period:
    return make_period(parse_bound(start, end=False), parse_bound(end, end=True), outlet)


class FindingOut(BaseModel):
    id: str
    pattern: str
    subject_kind: str
    subject_id: str
    outlet_ids: list[str]
    agent_ids: list[str]
    evidence: list[str]
    summary: str
    first_at: datetime
    last_at: datetime
    detail: dict[str, Any]


def _finding(f: Finding) -> dict[str, Any]:
    return {"id": f.id, "pattern": f.pattern.value, "subject_kind": f.subject_kind,
            "subject_id": f.subject_id, "outlet_ids": list(f.outlet_ids),
            "agent_ids": list(f.agent_ids), "evidence": list(f.evidence),
            "summary": f.summary, "first_at": f.first_at, "last_at": f.last_at,
            "detail": f.detail}


class SpotCheckOut(BaseModel):
    id: str
    registration_id: str
    outlet_id: str
    agent_id: str
    sample_rate: float
    queued_at: datetime
    status: str
    reviewer_id: str | None
    reviewed_at: datetime | None
    outcome: str | None
    defect_category: str | None
    note: str


def _check(c: SpotCheck) -> dict[str, Any]:
    return {"id": c.id, "registration_id": c.registration_id, "outlet_id": c.outlet_id,
            "agent_id": c.agent_id, "sample_rate": c.sample_rate, "queued_at": c.queued_at,
            "status": c.status, "reviewer_id": c.reviewer_id, "reviewed_at": c.reviewed_at,
            "outcome": c.outcome.value if c.outcome else None,
            "defect_category": c.defect_category.value if c.defect_category else None,
            "note": c.note}


class ReviewItemOut(BaseModel):
    label: str
    evidence_id: str | None
    content_type: str | None


class SpotCheckViewOut(BaseModel):
    check: SpotCheckOut
    registration: dict[str, Any]
    stages: list[dict[str, Any]]
    items: list[ReviewItemOut]


class SampleRequest(Strict):
    start: str = Field(alias="from", min_length=10, max_length=40)
    end: str = Field(alias="to", min_length=10, max_length=40)


class OutcomeRequest(Strict):
    outcome: Literal["ok", "defect"]
    defect_category: Literal[tuple(c.value for c in DefectCategory)] | None = None  # type: ignore[valid-type]
    note: Text = Field(default="", max_length=2000)


class PenaltyCreate(Strict):
    kind: Literal["warning", "fine", "deposit_deduction", "licence_suspension"]
    target_kind: Literal["agent", "outlet"]
    target_id: str = Field(pattern=r"^[0-9a-f]{32}$")
    reason: Text = Field(min_length=1, max_length=2000)
    amount_minor: int | None = Field(default=None, gt=0, le=10**12)
    currency: str | None = Field(default=None, pattern=r"^[A-Z]{3}$")
    suspended_from: date | None = None
    suspended_to: date | None = None
    registration_ids: list[Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]] = \
        Field(default_factory=list, max_length=500)
    finding_ids: list[Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]] = \
        Field(default_factory=list, max_length=500)
    spot_check_ids: list[Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]] = \
        Field(default_factory=list, max_length=500)


class ReversalRequest(Strict):
    reason: Text = Field(min_length=1, max_length=2000)


class PenaltyOut(BaseModel):
    id: str
    seq: int
    at: datetime
    actor_id: str
    kind: str
    target_kind: str
    target_id: str
    outlet_id: str
    amount_minor: int | None
    currency: str | None
    suspended_from: date | None
    suspended_to: date | None
    reason: str
    registration_ids: list[str]
    finding_ids: list[str]
    spot_check_ids: list[str]
    reverses: str | None


def _penalty(e: PenaltyEntry) -> dict[str, Any]:
    return {"id": e.id, "seq": e.seq, "at": e.at, "actor_id": e.actor_id, "kind": e.kind.value,
            "target_kind": e.target_kind, "target_id": e.target_id, "outlet_id": e.outlet_id,
            "amount_minor": e.amount_minor, "currency": e.currency,
            "suspended_from": e.suspended_from, "suspended_to": e.suspended_to,
            "reason": e.reason, "registration_ids": list(e.registration_ids),
            "finding_ids": list(e.finding_ids), "spot_check_ids": list(e.spot_check_ids),
            "reverses": e.reverses}


class HoursIn(Strict):
    weekday: int = Field(ge=0, le=6, description="0 = Monday")
    opens_minute: int = Field(ge=0, le=1439)
    closes_minute: int = Field(ge=1, le=1440)


class OutletSettingsIn(Strict):
    hours: list[HoursIn] | None = Field(default=None, max_length=7)
    spot_check_rate: float | None = Field(default=None, ge=0, le=1)
    utc_offset_minutes: int | None = Field(default=None, ge=-840, le=840)


# --- reports ---------------------------------------------------------------------------


@router.get("/report", operation_id="compliance_report", response_class=Response,
            responses={200: {"content": {"application/json": {}, "text/csv": {},
                                         "application/pdf": {}},
                             "description": "The report in the requested format."},
                       **error_responses(*AUTH, 400, 404, 422)})
def compliance_report(actor: ActorDep, ctx: ContextDep, start: FromQ,
                      end: ToQ, outlet: OutletQ = None,
                      format: Literal["json", "csv", "pdf"] = "json",
                      ) -> Response:
    """Statistics per outlet and agent, findings, spot checks and ledger totals (agents and
    supervisors: their own outlet's statistics only)."""
    report = reports.build_report(ctx, actor=actor, period=_period(start, end, outlet))
    return report_response(report, format)


@router.get("/charts/{chart}", operation_id="compliance_chart", response_class=Response,
            responses={200: {"content": {"image/png": {}}, "description": "The chart (PNG)."},
                       **error_responses(*AUTH, 400, 404, 422)})
def compliance_chart(chart: Literal["outcomes", "override_rate", "missing_evidence"],
                     actor: ActorDep, ctx: ContextDep, start: FromQ,
                     end: ToQ, outlet: OutletQ = None) -> Response:
    """One chart of the report (as in the PDF)."""
    report = reports.build_report(ctx, actor=actor, period=_period(start, end, outlet))
    return chart_response(report, chart)


@router.get("/findings", response_model=list[FindingOut], operation_id="list_findings",
            responses=error_responses(*AUTH, 400, 422))
def list_findings(actor: ActorDep, ctx: ContextDep, start: FromQ,
                  end: ToQ, outlet: OutletQ = None
                  ) -> list[dict[str, Any]]:
    """Abnormal patterns of the period, each with the registrations behind it."""
    return [_finding(f) for f in patterns.detect_patterns(
        ctx, actor=actor, period=_period(start, end, outlet))]


# --- spot checks -----------------------------------------------------------------------


@router.post("/spot-checks/sample", status_code=status.HTTP_201_CREATED,
             response_model=list[SpotCheckOut], operation_id="sample_spot_checks",
             responses=error_responses(*AUTH, 400, 422))
def sample_spot_checks(body: SampleRequest, actor: ActorDep,
                       ctx: ContextDep) -> list[dict[str, Any]]:
    """Queue a random sample of the period's completed registrations."""
    return [_check(c) for c in review.sample_spot_checks(
        ctx, actor=actor, period=_period(body.start, body.end, None))]


@router.get("/spot-checks", response_model=list[SpotCheckOut], operation_id="list_spot_checks",
            responses=error_responses(*AUTH, 400, 422))
def list_spot_checks(actor: ActorDep, ctx: ContextDep,
                     state: Literal["queued", "reviewed", "all"] = "queued",
                     outlet: OutletQ = None,
                     limit: Annotated[int, Query(ge=1, le=1000)] = 200) -> list[dict[str, Any]]:
    """The queue (oldest first), or the reviewed checks."""
    return [_check(c) for c in review.list_spot_checks(
        ctx, actor=actor, status=None if state == "all" else state, outlet_id=outlet,
        limit=limit)]


@router.get("/spot-checks/{check_id}", response_model=SpotCheckViewOut,
            operation_id="open_spot_check", responses=error_responses(*AUTH, 404, 422))
def open_spot_check(check_id: Hex32, actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """A check with its registration's outcomes and the evidence to compare (audited)."""
    v = review.open_spot_check(ctx, actor=actor, check_id=check_id)
    return {"check": _check(v.check), "registration": v.registration,
            "stages": list(v.stages),
            "items": [{"label": i.label, "evidence_id": i.evidence.id if i.evidence else None,
                       "content_type": i.evidence.content_type if i.evidence else None}
                      for i in v.items]}


@router.get("/spot-checks/{check_id}/evidence/{label}", operation_id="view_spot_check_evidence",
            response_class=Response,
            responses={200: evidence_content("The decrypted item."),
                       **error_responses(*AUTH, 400, 404, 410, 422, 500)})
def view_spot_check_evidence(
        check_id: Hex32,
        label: Literal["document_photo", "best_liveness_frame", "liveness_video",
                       "voice_audio", "upper_body"],
        actor: ActorDep, ctx: ContextDep) -> Response:
    """Decrypt one item for the side-by-side review (every view audited)."""
    ref, data = review.view_spot_check_evidence(ctx, actor=actor, check_id=check_id,
                                                label=label)
    return Response(content=data, media_type=ref.content_type,
                    headers={"X-Content-SHA256": ref.sha256, "Cache-Control": "no-store"})


@router.post("/spot-checks/{check_id}/outcome", response_model=SpotCheckOut,
             operation_id="record_spot_check_outcome",
             responses=error_responses(*AUTH, 400, 404, 409, 422))
def record_outcome(check_id: Hex32, body: OutcomeRequest, actor: ActorDep,
                   ctx: ContextDep) -> dict[str, Any]:
    """Record the review once: ok, or a defect with its category and a note."""
    return _check(review.record_spot_check_outcome(
        ctx, actor=actor, check_id=check_id, outcome=SpotCheckOutcome(body.outcome),
        category=DefectCategory(body.defect_category) if body.defect_category else None,
        note=body.note))


# --- ledger ----------------------------------------------------------------------------


@router.get("/ledger", response_model=list[PenaltyOut], operation_id="list_ledger",
            responses=error_responses(*AUTH, 422))
def list_ledger(actor: ActorDep, ctx: ContextDep, outlet: OutletQ = None,
                limit: Annotated[int, Query(ge=1, le=10000)] = 1000) -> list[dict[str, Any]]:
    """Ledger entries, newest first."""
    return [_penalty(e) for e in ledger.list_penalties(ctx, actor=actor, outlet_id=outlet,
                                                        limit=limit)]


@router.get("/ledger/totals", response_model=dict[str, dict[str, int]],
            operation_id="ledger_totals", responses=error_responses(*AUTH, 422))
def ledger_totals(actor: ActorDep, ctx: ContextDep,
                  outlet: OutletQ = None) -> dict[str, dict[str, int]]:
    """Per outlet: amounts (minor units) per kind and currency, warnings, suspensions."""
    return ledger.penalty_totals(ctx, actor=actor, outlet_id=outlet)


@router.post("/ledger", status_code=status.HTTP_201_CREATED, response_model=PenaltyOut,
             operation_id="add_ledger_entry", responses=error_responses(*AUTH, 400, 404, 422))
def add_ledger_entry(body: PenaltyCreate, actor: ActorDep, ctx: ContextDep) -> dict[str, Any]:
    """Append a penalty, linked to the registrations, findings or spot checks behind it."""
    return _penalty(ledger.add_penalty(
        ctx, actor=actor, kind=PenaltyKind(body.kind), target_kind=body.target_kind,
        target_id=body.target_id, reason=body.reason, amount_minor=body.amount_minor,
        currency=body.currency, suspended_from=body.suspended_from,
        suspended_to=body.suspended_to, registration_ids=body.registration_ids,
        finding_ids=body.finding_ids, spot_check_ids=body.spot_check_ids))


@router.post("/ledger/{entry_id}/reverse", status_code=status.HTTP_201_CREATED,
             response_model=PenaltyOut, operation_id="reverse_ledger_entry",
             responses=error_responses(*AUTH, 400, 404, 409, 422))
def reverse_ledger_entry(entry_id: Hex32, body: ReversalRequest, actor: ActorDep,
                         ctx: ContextDep) -> dict[str, Any]:
    """Append the reversal of an entry (the correction; nothing is edited or deleted)."""
    return _penalty(ledger.reverse_penalty(ctx, actor=actor, entry_id=entry_id,
                                           reason=body.reason))


# --- outlets ---------------------------------------------------------------------------


@router.put("/outlets/{outlet_id}", status_code=status.HTTP_204_NO_CONTENT,
            response_class=Response, operation_id="set_outlet_compliance",
            responses=error_responses(*AUTH, 400, 404, 422))
def set_outlet_compliance(outlet_id: Hex32, body: OutletSettingsIn, actor: ActorDep,
                          ctx: ContextDep) -> Response:
    """An outlet's opening hours (local), own spot-check rate and UTC offset."""
    try:
        hours = [OpeningHours(outlet_id, h.weekday, h.opens_minute, h.closes_minute)
                 for h in body.hours or []]
    except ValueError as exc:
        from simkyc.domain.errors import InputError

        raise InputError(str(exc)) from None
    if body.hours is not None:
        outlets.set_opening_hours(ctx, actor=actor, outlet_id=outlet_id, hours=hours)
    outlets.set_outlet_settings(ctx, actor=actor, outlet_id=outlet_id,
                                spot_check_rate=body.spot_check_rate,
                                utc_offset_minutes=body.utc_offset_minutes)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


# --- pages -----------------------------------------------------------------------------


@pages.get("/compliance", include_in_schema=False)
def compliance_page() -> FileResponse:
    return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})


def assets() -> StaticFiles:
    return StaticFiles(directory=WEB)


__all__ = ["assets", "pages", "router"]
