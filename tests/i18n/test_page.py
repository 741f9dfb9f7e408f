"""Every string the capture page shows has a catalogue key.

Today the page has its own ``T`` table (keys without a namespace); once it reads
the catalogue (keys such as ``ui.btn_start``, ``liveness.turn_left``), this
test checks the keys it uses instead.
"""

from __future__ import annotations

import re
from pathlib import Path

from simkyc.i18n import catalogue

WEB = Path(__file__).resolve().parents[2] / "src" / "simkyc" / "web"
NAMESPACES = ("ui", "liveness", "voice", "status", "reason", "error")


def _t_table_keys(js: str) -> set[str]:
    """The keys of ``const T = { zh: {...}, en: {...} }``, if the page still has it."""
    m = re.search(r"const T = \{(.*?)\n\};", js, re.S)
    if m is None:
        return set()
    inner = re.findall(r"^\s*[\w-]+: \{(.*?)^\s*\},?$", m.group(1), re.S | re.M)
    return {k for block in inner for k in re.findall(r"(?<![\w.])(\w+):\s*\"", block)}


def _page_keys() -> set[str]:
    js = (WEB / "capture.js").read_text(encoding="utf-8")
    html = (WEB / "index.html").read_text(encoding="utf-8")
    keys = _t_table_keys(js)
    keys |= set(re.findall(r'data-t="([\w.]+)"', html))
    keys |= set(re.findall(r'\bt\("([\w.]+)"\)', js))
    return keys


def _catalogue_key(page_key: str, known: set[str]) -> list[str]:
    if "." in page_key:
        return [page_key] if page_key in known else []
    return [f"{ns}.{page_key}" for ns in NAMESPACES if f"{ns}.{page_key}" in known]


def test_the_page_keys_are_found() -> None:
    keys = _page_keys()
    assert len(keys) >= 30
    if _t_table_keys((WEB / "capture.js").read_text(encoding="utf-8")):
        assert {"title", "btn_start", "turn_left", "read_now"} <= keys


def test_every_page_string_has_exactly_one_catalogue_key() -> None:
    known = set(catalogue("en"))
    unmapped = sorted(k for k in _page_keys() if len(_catalogue_key(k, known)) != 1)
    assert not unmapped


def test_the_liveness_prompts_keep_the_pages_english_wording() -> None:
    js = (WEB / "capture.js").read_text(encoding="utf-8")
    en = catalogue("en")
    for action in ("turn_left", "turn_right", "blink", "look_up", "open_mouth", "neutral", "hold"):
        m = re.search(rf"\b{action}: \"([^\"]+)\"", js.split("en: {", 1)[-1])
        if m:
            assert en[f"liveness.{action}"] == m.group(1)
