"""The consent receipt as a PDF (fpdf2), in the customer's language.

Chinese is set in Noto Sans CJK (Debian ``fonts-noto-cjk``: the SC face for
Simplified, the TC face for Traditional), Latin and Uyghur in DejaVu Sans
(``fonts-dejavu-core``); Uyghur is shaped right to left by HarfBuzz
(``uharfbuzz``, fpdf2's text shaping). The PDF holds no personal data beyond
what the receipt shows (the id, the time, the outlet).
"""

from __future__ import annotations

from pathlib import Path

from fpdf import FPDF

from simkyc.domain.errors import ConfigurationError
from simkyc.services.consent import ConsentReceipt

CJK = Path("/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc")
#: Face index inside the collection: Japanese, Korean, SC, TC, HK.
CJK_FACE = {"zh-Hans": 2, "zh-Hant": 3}
LATIN = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def _font(pdf: FPDF, lang: str) -> None:
    if lang in CJK_FACE:
        if not CJK.exists():
            raise ConfigurationError(f"the CJK font {CJK} is missing (Debian fonts-noto-cjk)")
        pdf.add_font("body", fname=str(CJK), collection_font_number=CJK_FACE[lang])
    else:
        if not LATIN.exists():
            raise ConfigurationError(f"the font {LATIN} is missing (Debian fonts-dejavu-core)")
        pdf.add_font("body", fname=str(LATIN))
    pdf.set_font("body", size=12)
    if lang == "ug":
        pdf.set_text_shaping(use_shaping_engine=True, direction="rtl", script="arab",
                             language="uig")


def render_receipt_pdf(receipt: ConsentReceipt) -> bytes:
    """An A5 page: title, receipt id, time, outlet, what is captured and why, retention."""
    pdf = FPDF(format=(148, 210))  # A5, in mm
    pdf.set_margins(12, 12, 12)
    pdf.add_page()
    pdf.set_title(receipt.title)
    pdf.set_creator("simkyc")
    _font(pdf, receipt.language)
    align = "R" if receipt.direction == "rtl" else "L"
    width = pdf.epw
    pdf.set_font_size(16)
    pdf.multi_cell(width, 9, receipt.title, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.set_font_size(12)
    pdf.ln(2)
    pdf.multi_cell(width, 7, receipt.receipt_id, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 7, receipt.consent_at.strftime("%Y-%m-%d %H:%M UTC"), align="L",
                   new_x="LMARGIN", new_y="NEXT")
    pdf.multi_cell(width, 7, receipt.outlet_name, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font_size(11)
    for line in receipt.lines:
        pdf.multi_cell(width, 6.5, f"• {line}" if align == "L" else f"{line} •", align=align,
                       new_x="LMARGIN", new_y="NEXT")
        pdf.ln(1)
    pdf.ln(2)
    pdf.multi_cell(width, 6.5, receipt.retention, align=align, new_x="LMARGIN", new_y="NEXT")
    pdf.ln(1)
    pdf.multi_cell(width, 6.5, receipt.rights, align=align, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


__all__ = ["render_receipt_pdf"]
