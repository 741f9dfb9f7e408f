"""Every string the capture page shows has a catalogue key; every key the shop counter
page (``web/counter/``) uses has a text in all four catalogues.

Today the page has its own ``T`` table (keys without a namespace); once it reads
the catalogue (keys such as ``ui.btn_start``, ``liveness.turn_left``), this
test checks the keys it uses instead.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

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


# --- the shop counter app at ``/`` (web/counter/) ------------------------------------------

COUNTER = WEB / "counter"
#: Keys the counter page builds at run time, and what fills them in.
COUNTER_TEMPLATES = {"ui.step_${s}", "liveness.${action}", "error.${err.code}",
                     "reason.${r}"}


def _counter_literal_keys() -> set[str]:
    html = (COUNTER / "index.html").read_text(encoding="utf-8")
    js = "\n".join(p.read_text(encoding="utf-8") for p in sorted(COUNTER.glob("*.js")))
    keys = set(re.findall(r'\bdata-[tc]="([\w.]+)"', html))
    keys |= set(re.findall(r'\bt[ac]\("([\w.]+)"', js))
    keys |= set(re.findall(r'Cat\["([\w.]+)"\]', js))
    return keys


def _counter_templates() -> set[str]:
    js = "\n".join(p.read_text(encoding="utf-8") for p in sorted(COUNTER.glob("*.js")))
    return set(re.findall(r'(?:\bt[ac]\(|Cat\[)`([^`]*)`', js))


def _counter_keys() -> set[str]:
    from simkyc.domain.flow import DEFAULT_FLOW
    from simkyc.i18n.keys import ERROR_CODES
    from simkyc.liveness.challenge import ACTIONS

    # ``reason.${r}``: every reason code's text is checked by test_reason_coverage.py.
    keys = _counter_literal_keys()
    keys |= {f"ui.step_{s.name}" for s in DEFAULT_FLOW.steps if s.customer_facing}
    keys |= {f"liveness.{a}" for a in ACTIONS}
    keys |= {f"error.{c}" for c in ERROR_CODES}
    return keys


def test_the_counter_page_keys_are_found() -> None:
    keys = _counter_literal_keys()
    assert len(keys) >= 60, len(keys)
    assert {"ui.consent_accept", "ui.lockout_text", "liveness.hold", "voice.instruction",
            "ui.app_title"} <= keys
    assert all("." in k for k in keys), sorted(k for k in keys if "." not in k)
    # A key built at run time that this test does not expand would go unchecked.
    assert _counter_templates() == COUNTER_TEMPLATES, _counter_templates()


@pytest.mark.parametrize("lang", ["zh-Hans", "zh-Hant", "en", "ug"])
def test_every_counter_page_key_has_a_text_in_every_catalogue(lang: str) -> None:
    """Read from the language's own catalogue (no English fallback): a key the page uses
    but a catalogue lacks would show the key, or English, to the customer."""
    from simkyc.i18n.catalogues import load_catalogue

    own = load_catalogue(lang)
    missing = sorted(k for k in _counter_keys() if not own.get(k))
    assert not missing, missing


def test_the_counter_page_offers_the_four_customer_languages() -> None:
    html = (COUNTER / "index.html").read_text(encoding="utf-8")
    assert set(re.findall(r'data-lang="([\w-]+)"', html)) == {"zh-Hans", "zh-Hant", "en", "ug"}
