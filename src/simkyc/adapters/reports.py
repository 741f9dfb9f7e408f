"""Rendering compliance reports: JSON, CSV, PDF with charts, and the charts alone (PNG).

Charts are drawn with matplotlib (Agg, no display), the PDF is laid out with
fpdf2 in DejaVu Sans (Debian ``fonts-dejavu-core``: Latin, Greek, Cyrillic and the
Arabic script of Uyghur), falling back to Noto Sans CJK (``fonts-noto-cjk``, the SC
face, which also holds the Traditional characters) for Chinese names; both are
embedded (subset). Text is shaped by HarfBuzz (``uharfbuzz``, fpdf2's text shaping):
Uyghur letters take their joined forms and run right to left.
"""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import Path
from typing import Any

from simkyc.domain.compliance import PeriodStats
from simkyc.services.compliance.reports import ComplianceReport

FORMATS = ("json", "csv", "pdf")
CONTENT_TYPES = {"json": "application/json", "csv": "text/csv; charset=utf-8",
                 "pdf": "application/pdf", "png": "image/png"}
CHARTS = ("outcomes", "override_rate", "missing_evidence")


def _stats_dict(p: PeriodStats) -> dict[str, Any]:
    return {"scope": p.scope, "id": p.id, "name": p.name, "outlet_id": p.outlet_id,
            "started": p.started, "completed": p.completed, "rejected": p.rejected,
            "expired": p.expired, "overrides": p.overrides,
            "override_rate": round(p.override_rate, 4),
            "reached_liveness": p.reached_liveness, "no_flash": p.no_flash,
            "no_flash_rate": round(p.no_flash_rate, 4), "failures": p.failures,
            "missing_evidence": p.missing, "evidence_checked": p.checked,
            "evidence_unreadable": p.unreadable, "evidence_destroyed": p.destroyed,
            "median_seconds": None if p.median_seconds is None else round(p.median_seconds, 1),
            "p95_seconds": None if p.p95_seconds is None else round(p.p95_seconds, 1)}


def _iso(dt: datetime) -> str:
    return dt.isoformat(timespec="seconds")


def report_dict(report: ComplianceReport) -> dict[str, Any]:
    """The report as plain JSON-ready data."""
    s = report.statistics
    out: dict[str, Any] = {
        "period": {"from": _iso(report.period.start), "to": _iso(report.period.end),
                   "outlet_id": report.period.outlet_id},
        "generated_at": _iso(report.generated_at), "generated_by": report.generated_by,
        "every_outlet": s.every_outlet, "evidence_checked": s.evidence_checked,
        "outlets": [_stats_dict(p) for p in s.outlets],
        "agents": [_stats_dict(p) for p in s.agents],
    }
    if report.full:
        out["findings"] = [{
            "id": f.id, "pattern": f.pattern.value, "subject_kind": f.subject_kind,
            "subject_id": f.subject_id, "outlet_ids": list(f.outlet_ids),
            "agent_ids": list(f.agent_ids), "summary": f.summary,
            "first_at": _iso(f.first_at), "last_at": _iso(f.last_at),
            "evidence": list(f.evidence), "detail": f.detail} for f in report.findings]
        out["spot_checks"] = report.spot_checks
        out["ledger_totals"] = report.ledger
    return out


def render_json(report: ComplianceReport) -> bytes:
    return (json.dumps(report_dict(report), ensure_ascii=False, indent=2) + "\n").encode()


CSV_COLUMNS = ("scope", "id", "name", "outlet_id", "started", "completed", "rejected",
               "expired", "overrides", "override_rate", "reached_liveness", "no_flash",
               "no_flash_rate", "missing_upper_body",
               "missing_any", "evidence_checked", "evidence_unreadable", "evidence_destroyed",
               "median_seconds", "p95_seconds", "failures", "findings")


def render_csv(report: ComplianceReport) -> bytes:
    """One row per outlet and per agent; ``failures`` as ``stage:reason=n`` pairs;
    ``findings``: how many findings name the outlet or agent."""
    per: dict[str, int] = {}
    for f in report.findings:
        for key in {*(f"outlet:{o}" for o in f.outlet_ids),
                    *(f"agent:{a}" for a in f.agent_ids)}:
            per[key] = per.get(key, 0) + 1
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(CSV_COLUMNS)
    for p in (*report.statistics.outlets, *report.statistics.agents):
        d = _stats_dict(p)
        w.writerow([p.scope, p.id, _csv_safe(p.name), p.outlet_id, p.started, p.completed,
                    p.rejected, p.expired, p.overrides, d["override_rate"],
                    p.reached_liveness, p.no_flash, d["no_flash_rate"],
                    p.missing.get("upper_body", 0), sum(p.missing.values()), p.checked,
                    p.unreadable, p.destroyed, d["median_seconds"], d["p95_seconds"],
                    " ".join(f"{k}={v}" for k, v in p.failures.items()),
                    per.get(f"{p.scope}:{p.id}", 0)])
    return buf.getvalue().encode()


def _csv_safe(value: str) -> str:
    """A name an agent may have chosen must not run as a spreadsheet formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


# --- charts ----------------------------------------------------------------------------------


def chart_png(report: ComplianceReport, chart: str, *, dpi: int = 110) -> bytes:
    """One chart as PNG: ``outcomes`` (completed/rejected/expired per outlet, the 15
    busiest), ``override_rate`` (per agent, the 15 highest) or ``missing_evidence``."""
    import matplotlib

    matplotlib.use("Agg")
    from matplotlib.figure import Figure

    if chart not in CHARTS:
        raise ValueError(f"unknown chart {chart!r}")
    # Names in Chinese fall back to Noto Sans CJK; Uyghur (DejaVu Sans) is shaped by
    # matplotlib's text layout.
    with matplotlib.rc_context({"font.family": ["DejaVu Sans", "Noto Sans CJK SC"]}):
        fig = Figure(figsize=(7.2, 3.4), dpi=dpi)
        ax = fig.add_subplot()
        stats = report.statistics
        if chart == "outcomes":
            rows = sorted(stats.outlets, key=lambda p: -p.started)[:15]
            names = [_short(p.name) for p in rows]
            done = [p.completed for p in rows]
            rej = [p.rejected for p in rows]
            exp = [p.expired for p in rows]
            other = [p.started - p.completed - p.rejected - p.expired for p in rows]
            ax.bar(names, done, label="completed", color="#2e7d32")
            ax.bar(names, rej, bottom=done, label="rejected", color="#c62828")
            bottom = [a + b for a, b in zip(done, rej, strict=True)]
            ax.bar(names, exp, bottom=bottom, label="expired", color="#9e9e9e")
            bottom = [a + b for a, b in zip(bottom, exp, strict=True)]
            ax.bar(names, other, bottom=bottom, label="open", color="#90caf9")
            ax.set_title("Registrations per outlet")
            ax.set_ylabel("registrations")
            ax.legend(fontsize=7)
        elif chart == "override_rate":
            rows = sorted(stats.agents, key=lambda p: -p.override_rate)[:15]
            ax.bar([_short(p.name) for p in rows], [100 * p.override_rate for p in rows],
                   color="#ef6c00")
            ax.set_title("Assisted-override rate per agent (highest 15)")
            ax.set_ylabel("% of registrations")
        else:
            kinds = list(stats.outlets[0].missing) if stats.outlets else []
            totals = [sum(p.missing.get(k, 0) for p in stats.outlets) for k in kinds]
            unreadable = sum(p.unreadable for p in stats.outlets)
            ax.bar([*kinds, "unreadable"], [*totals, unreadable], color="#6a1b9a")
            ax.set_title("Completed registrations lacking evidence; unreadable items")
            ax.set_ylabel("count")
        ax.tick_params(axis="x", labelrotation=35, labelsize=7)
        fig.tight_layout()
        buf = io.BytesIO()
        fig.savefig(buf, format="png")
    return buf.getvalue()


def _short(name: str, n: int = 14) -> str:
    return name if len(name) <= n else name[: n - 1] + "…"


# --- PDF -------------------------------------------------------------------------------------


DEJAVU = Path("/usr/share/fonts/truetype/dejavu")
CJK_FONTS = Path("/usr/share/fonts/opentype/noto")
#: The Simplified Chinese face inside the Noto Sans CJK collection (JP, KR, SC, TC, HK).
CJK_SC_FACE = 2


def _font_path(bold: bool = False) -> Path:
    """DejaVu Sans from the system (it covers Uyghur), else the copy matplotlib ships."""
    name = "DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf"
    if (DEJAVU / name).exists():
        return DEJAVU / name
    import matplotlib

    return Path(matplotlib.get_data_path()) / "fonts" / "ttf" / name


def setup_fonts(pdf: Any, *, cjk: bool = True, shaping: bool = True) -> None:
    """The report's fonts on ``pdf``: family ``DejaVu`` (regular and bold) with Noto Sans
    CJK as the fallback for the glyphs it lacks, and HarfBuzz text shaping. ``cjk`` and
    ``shaping`` off only to show, in a test, what a missing glyph looks like."""
    pdf.add_font("DejaVu", "", str(_font_path()))
    pdf.add_font("DejaVu", "B", str(_font_path(bold=True)))
    regular, bold = CJK_FONTS / "NotoSansCJK-Regular.ttc", CJK_FONTS / "NotoSansCJK-Bold.ttc"
    if cjk and regular.exists():
        pdf.add_font("NotoCJK", "", str(regular), collection_font_number=CJK_SC_FACE)
        pdf.add_font("NotoCJK", "B", str(bold if bold.exists() else regular),
                     collection_font_number=CJK_SC_FACE)
        pdf.set_fallback_fonts(["NotoCJK"])
    if shaping:
        try:
            import uharfbuzz  # noqa: F401 - fpdf2's shaping engine
        except ImportError:
            return
        pdf.set_text_shaping(True)


def render_pdf(report: ComplianceReport) -> bytes:
    """An A4 report: summary, charts, the outlets table, findings, spot checks, ledger."""
    from fpdf import FPDF

    pdf = FPDF(format="A4")
    pdf.set_auto_page_break(auto=True, margin=15)
    setup_fonts(pdf)
    pdf.add_page()
    s = report.statistics
    pdf.set_font("DejaVu", "B", 16)
    pdf.cell(0, 10, "simkyc compliance report", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 10)
    scope = (report.outlet_names.get(report.period.outlet_id, report.period.outlet_id)
             if report.period.outlet_id else "every outlet")
    pdf.multi_cell(0, 5, f"Period {_iso(report.period.start)} to {_iso(report.period.end)}, "
                         f"{scope}. Generated {_iso(report.generated_at)} for a "
                         f"{report.generated_by}.", new_x="LMARGIN", new_y="NEXT")
    started = sum(p.started for p in s.outlets)
    completed = sum(p.completed for p in s.outlets)
    overrides = sum(p.overrides for p in s.outlets)
    lacking = sum(p.missing.get("upper_body", 0) for p in s.outlets)
    pdf.multi_cell(0, 5, f"{started} registrations started, {completed} completed, "
                         f"{sum(p.rejected for p in s.outlets)} rejected; {overrides} assisted "
                         f"overrides; {sum(p.no_flash for p in s.outlets)} of "
                         f"{sum(p.reached_liveness for p in s.outlets)} that reached liveness "
                         "given the no-flash challenge; "
                         f"{lacking} completed without the upper-body photo; "
                         f"{sum(p.unreadable for p in s.outlets)} evidence items unreadable"
                         f"{'' if s.evidence_checked else ' (not checked)'}.",
                   new_x="LMARGIN", new_y="NEXT")
    for chart in CHARTS:
        pdf.image(io.BytesIO(chart_png(report, chart, dpi=150)), w=180)
    pdf.add_page()
    _table(pdf, "Outlets", s.outlets)
    if report.full:
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, f"Findings ({len(report.findings)})", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 8)
        for f in report.findings[:200]:
            pdf.multi_cell(0, 4, f"{f.pattern.value} - {f.subject_kind} {f.subject_id[:12]}: "
                                 f"{f.summary} (registrations: {len(f.evidence)}, "
                                 f"{', '.join(e[:8] for e in f.evidence[:6])}"
                                 f"{'...' if len(f.evidence) > 6 else ''})",
                           new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, "Spot checks", new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        pdf.cell(0, 5, ", ".join(f"{k}: {v}" for k, v in report.spot_checks.items()) or "none",
                 new_x="LMARGIN", new_y="NEXT")
        pdf.set_font("DejaVu", "B", 12)
        pdf.cell(0, 8, "Penalties ledger (reversed entries left out)", new_x="LMARGIN",
                 new_y="NEXT")
        pdf.set_font("DejaVu", "", 9)
        for outlet, totals in report.ledger.items():
            pdf.cell(0, 5, f"{report.outlet_names.get(outlet, outlet)}: "
                           + ", ".join(f"{k} {_money(k, v)}" for k, v in totals.items()),
                     new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _money(key: str, value: int) -> str:
    return f"{value / 100:.2f}" if ":" in key else str(value)


def _table(pdf: Any, title: str, rows: tuple[PeriodStats, ...]) -> None:
    pdf.set_font("DejaVu", "B", 12)
    pdf.cell(0, 8, title, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("DejaVu", "", 7)
    head = ("name", "started", "done", "rejected", "overr.", "rate", "no flash",
            "no upper body", "unreadable", "median s", "p95 s")
    widths = (38, 15, 15, 15, 13, 13, 17, 17, 16, 15, 15)
    with pdf.table(col_widths=widths, text_align="LEFT", line_height=4) as table:
        table.row(head)
        for p in rows[:300]:
            table.row((_short(p.name, 30), str(p.started), str(p.completed), str(p.rejected),
                       str(p.overrides), f"{p.override_rate:.1%}",
                       f"{p.no_flash} ({p.no_flash_rate:.0%})",
                       str(p.missing.get("upper_body", 0)), str(p.unreadable),
                       "-" if p.median_seconds is None else f"{p.median_seconds:.0f}",
                       "-" if p.p95_seconds is None else f"{p.p95_seconds:.0f}"))


def render(report: ComplianceReport, fmt: str) -> bytes:
    """The report in ``fmt`` (``json``, ``csv`` or ``pdf``)."""
    if fmt == "json":
        return render_json(report)
    if fmt == "csv":
        return render_csv(report)
    if fmt == "pdf":
        return render_pdf(report)
    raise ValueError(f"unknown report format {fmt!r}")


__all__ = ["CHARTS", "CONTENT_TYPES", "FORMATS", "chart_png", "render", "render_csv",
           "render_json", "render_pdf", "report_dict", "setup_fonts"]
