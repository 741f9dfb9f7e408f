"""The report's PDF draws Chinese and Uyghur names with real glyphs (Noto Sans CJK as the
fallback of DejaVu Sans, HarfBuzz shaping), not empty boxes: each character is rendered
(pdftoppm) and compared with the others and with a rendering of tofu (the same text
without the fallback font, whose missing glyphs all look alike)."""

from __future__ import annotations

import shutil
import subprocess
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from simkyc.adapters.reports import render_pdf, setup_fonts
from simkyc.domain.parties import Role
from simkyc.services.accounts import create_account
from simkyc.services.compliance._common import make_period
from simkyc.services.compliance.reports import build_report
from simkyc.services.context import ServiceContext

from .seed import T0, World, period

pytestmark = pytest.mark.skipif(shutil.which("pdftoppm") is None or
                                not Path("/usr/share/fonts/opentype/noto").exists(),
                                reason="poppler-utils or fonts-noto-cjk missing")

CHINESE = "北京王府井店"
UYGHUR = "ئابدۇللا"  # Abdulla: joined letters, right to left


def _pages(pdf_bytes: bytes, tmp: Path, name: str) -> list[np.ndarray]:
    src = tmp / f"{name}.pdf"
    src.write_bytes(pdf_bytes)
    subprocess.run(["pdftoppm", "-r", "60", "-gray", "-png", str(src), str(tmp / name)],
                   check=True, timeout=120)
    return [np.asarray(Image.open(p), dtype=np.int16)
            for p in sorted(tmp.glob(f"{name}-*.png"))]


def _glyphs(text: str, tmp: Path, name: str, **fonts: bool) -> list[np.ndarray]:
    """One page per character, drawn large in the report's fonts."""
    from fpdf import FPDF

    pdf = FPDF(format=(40, 40))
    pdf.set_auto_page_break(False)
    pdf.set_margins(0, 0, 0)
    setup_fonts(pdf, **fonts)
    for ch in text:
        pdf.add_page()
        pdf.set_font("DejaVu", "", 60)
        pdf.set_xy(5, 5)
        pdf.cell(30, 30, ch)
    return _pages(bytes(pdf.output()), tmp, name)


def _distinct(images: list[np.ndarray]) -> int:
    """How many different drawings (a few grey levels of antialiasing apart count alike)."""
    out: list[np.ndarray] = []
    for im in images:
        if not any(np.abs(im - o).mean() < 1.0 for o in out):
            out.append(im)
    return len(out)


def test_chinese_and_uyghur_glyphs_are_drawn_not_tofu(tmp_path: Path) -> None:
    for text in (CHINESE, "ئابدۇلېۆ"):
        ours = _glyphs(text, tmp_path, f"ours{len(text)}")
        assert all((im < 128).sum() > 30 for im in ours)  # ink on every page
        assert _distinct(ours) == len(set(text)), text
    # Tofu: without the CJK fallback the Chinese characters are all the same box (or
    # nothing), so the comparison above would catch a missing glyph.
    tofu = _glyphs(CHINESE, tmp_path, "tofu", cjk=False)
    assert _distinct(tofu) == 1
    ours = _glyphs(CHINESE, tmp_path, "ours-again")
    assert all(np.abs(a - b).mean() > 1.0 for a, b in zip(ours, tofu, strict=True))


def test_the_report_pdf_embeds_the_fonts_and_keeps_the_names(ctx: ServiceContext,
                                                             tmp_path: Path) -> None:
    officer = create_account(ctx, name="officer", role=Role.COMPLIANCE, outlet_name=None).agent
    w = World(ctx=ctx, officer=officer)
    w.agent(UYGHUR, CHINESE)
    w.agent("Li", "ئۈرۈمچى دۇكىنى")  # an outlet with a Uyghur name
    for i in range(3):
        w.registration(UYGHUR, T0 + timedelta(hours=i), subject=f"a{i}")
        w.registration("Li", T0 + timedelta(hours=i, minutes=5), subject=f"b{i}")
    report = build_report(ctx, actor=officer, period=make_period(*period()))
    data = render_pdf(report)
    src = tmp_path / "report.pdf"
    src.write_bytes(data)
    fonts = subprocess.run(["pdffonts", str(src)], capture_output=True, check=True,
                           timeout=60).stdout.decode()
    assert "NotoSansCJKSC" in fonts and "DejaVuSans" in fonts, fonts
    assert all(line.split()[-5] == "yes" for line in fonts.splitlines()[2:])  # embedded
    text = subprocess.run(["pdftotext", str(src), "-"], capture_output=True, check=True,
                          timeout=60).stdout.decode()
    assert CHINESE in text
    # The Uyghur outlet name is in the text layer too, in logical order (the PDF's
    # tables list outlets; agents are in the JSON and CSV).
    assert "ئۈرۈمچى دۇكىنى" in text, text
