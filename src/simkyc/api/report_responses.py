"""Report and chart responses for the compliance routes (rendering lives in the adapters)."""

from __future__ import annotations

from fastapi import Response

from simkyc.adapters.reports import CONTENT_TYPES, chart_png, render
from simkyc.services.compliance.reports import ComplianceReport


def report_response(report: ComplianceReport, fmt: str) -> Response:
    headers = {"Cache-Control": "no-store"}
    if fmt != "json":
        headers["Content-Disposition"] = f'attachment; filename="compliance-report.{fmt}"'
    return Response(render(report, fmt), media_type=CONTENT_TYPES[fmt], headers=headers)


def chart_response(report: ComplianceReport, chart: str) -> Response:
    return Response(chart_png(report, chart), media_type="image/png",
                    headers={"Cache-Control": "no-store"})


__all__ = ["chart_response", "report_response"]
