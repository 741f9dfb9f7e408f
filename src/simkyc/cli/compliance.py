"""``simkyc compliance``: reports, outlet opening hours, spot-check sampling.

The command line is trusted (it can read the database anyway): it acts as a
compliance officer named ``cli`` in the audit log.

    simkyc compliance report --from D --to D [--outlet O] [--format json|csv|pdf] [--out FILE]
    simkyc compliance check-evidence [--from D] [--to D] [--outlet O] [--skip-checked-within H]

``--from`` / ``--to`` are dates (``--to`` included: the period ends at the
end of that day, UTC) or ISO date-times (exact). ``--outlet`` is an outlet's
id or name. Errors are one line on stderr, exit 2.
"""

from __future__ import annotations

import sys
from datetime import datetime
from pathlib import Path

import typer

from simkyc.cli.admin import fail, runtime
from simkyc.domain.parties import Agent, Role

compliance_app = typer.Typer(help="Compliance: reports, opening hours, spot checks.",
                             no_args_is_help=True)

#: The local command line's identity in the audit log.
CLI_ACTOR = Agent(id="cli", name="command line", role=Role.COMPLIANCE, outlet_id=None)
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def parse_bound(value: str, *, end: bool) -> datetime:
    from simkyc.domain.errors import InputError
    from simkyc.services.compliance._common import parse_bound as parse

    try:
        return parse(value, end=end)
    except InputError as exc:
        fail(str(exc))
        raise


def _outlet_id(rt: object, outlet: str | None) -> str | None:
    if outlet is None:
        return None
    from simkyc.services.compliance._common import repo

    with rt.context.uow() as tx:  # type: ignore[attr-defined]
        names, _ = repo(tx).names()
    if outlet in names:
        return outlet
    matches = [k for k, v in names.items() if v == outlet]
    if not matches:
        fail(f"outlet {outlet!r} not found")
    return matches[0]


@compliance_app.command("report")
def report(
    start: str = typer.Option(..., "--from", help="First day (YYYY-MM-DD) or date-time."),
    end: str = typer.Option(..., "--to", help="Last day, included (or an exact date-time)."),
    outlet: str | None = typer.Option(None, "--outlet", help="One outlet (id or name)."),
    fmt: str = typer.Option("json", "--format", help="json, csv or pdf."),
    out: Path | None = typer.Option(None, "--out", help="Write to this file (default stdout)."),
) -> None:
    """Statistics, abnormal patterns, spot checks and ledger totals for a period."""
    from simkyc.adapters.reports import FORMATS, render
    from simkyc.services.compliance._common import make_period
    from simkyc.services.compliance.reports import build_report

    if fmt not in FORMATS:
        fail(f"--format must be one of {', '.join(FORMATS)}")
    with runtime() as rt:
        period = make_period(parse_bound(start, end=False), parse_bound(end, end=True),
                             _outlet_id(rt, outlet))
        data = render(build_report(rt.context, actor=CLI_ACTOR, period=period), fmt)
    if out is None:
        sys.stdout.buffer.write(data)
        sys.stdout.flush()
        return
    try:
        out.write_bytes(data)
    except OSError as exc:
        fail(f"cannot write {out}: {exc.strerror or exc}")
    typer.echo(f"wrote {out} ({len(data)} bytes)", err=True)


@compliance_app.command("hours")
def hours(
    outlet: str = typer.Option(..., "--outlet", help="The outlet (id or name)."),
    spec: list[str] = typer.Argument(..., help="DAY=HH:MM-HH:MM, e.g. mon=09:00-18:00 "
                                               "(days not given are closed)."),
) -> None:
    """Set an outlet's opening hours (local time)."""
    from simkyc.domain.compliance import OpeningHours
    from simkyc.services.compliance.outlets import set_opening_hours

    with runtime() as rt:
        outlet_id = _outlet_id(rt, outlet)
        assert outlet_id is not None
        parsed = []
        for item in spec:
            try:
                day, span = item.lower().split("=", 1)
                a, b = span.split("-", 1)
                ha, ma = (int(x) for x in a.split(":"))
                hb, mb = (int(x) for x in b.split(":"))
                parsed.append(OpeningHours(outlet_id, DAYS.index(day), ha * 60 + ma,
                                           hb * 60 + mb))
            except ValueError as exc:
                rule = str(exc) if "weekday" in str(exc) or "opening" in str(exc) else \
                    "use DAY=HH:MM-HH:MM"
                fail(f"{item!r}: {rule}")
        set_opening_hours(rt.context, actor=CLI_ACTOR, outlet_id=outlet_id, hours=parsed)
    typer.echo(f"opening hours of {outlet_id}: {len(parsed)} day(s)")


@compliance_app.command("sample")
def sample(
    start: str = typer.Option(..., "--from"),
    end: str = typer.Option(..., "--to"),
) -> None:
    """Queue a random sample of the period's completed registrations for spot checks."""
    from simkyc.services.compliance._common import make_period
    from simkyc.services.compliance.review import sample_spot_checks

    with runtime() as rt:
        queued = sample_spot_checks(rt.context, actor=CLI_ACTOR, period=make_period(
            parse_bound(start, end=False), parse_bound(end, end=True)))
    typer.echo(f"queued {len(queued)} spot check(s)")


@compliance_app.command("check-evidence")
def check_evidence(
    start: str | None = typer.Option(None, "--from",
                                     help="First day (default: 400 days before --to)."),
    end: str | None = typer.Option(None, "--to", help="Last day, included (default: now)."),
    outlet: str | None = typer.Option(None, "--outlet", help="One outlet (id or name)."),
    skip_hours: float = typer.Option(0.0, "--skip-checked-within", min=0.0,
                                     help="Leave out items checked this many hours ago or "
                                          "less (0: check every item)."),
) -> None:
    """Decrypt every evidence item of the registrations started in the period, compare its
    hash and store the result (the report uses it). Prints one JSON object; exit 0 when
    every item is readable, 1 when some are not, 2 on bad input."""
    import json
    from datetime import timedelta

    from simkyc.services.compliance._common import MAX_PERIOD_DAYS, make_period
    from simkyc.services.compliance.stats import run_evidence_check

    with runtime() as rt:
        last = parse_bound(end, end=True) if end else rt.context.clock() + timedelta(seconds=1)
        first = parse_bound(start, end=False) if start else last - timedelta(MAX_PERIOD_DAYS)
        period = make_period(first, last, _outlet_id(rt, outlet))
        run = run_evidence_check(rt.context, actor=CLI_ACTOR, period=period,
                                 skip_checked_within=timedelta(hours=skip_hours)
                                 if skip_hours > 0 else None)
    typer.echo(json.dumps(run.as_dict()))
    raise typer.Exit(1 if run.unreadable else 0)


def register(app: typer.Typer) -> None:
    app.add_typer(compliance_app, name="compliance")
