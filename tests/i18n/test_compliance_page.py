"""Every text the compliance pages show comes from the catalogue: each key the page uses
(in its HTML, in its script, and each key of a family the script builds from a code)
has a non-empty text in all four languages; Uyghur is right to left."""

from __future__ import annotations

import re
from pathlib import Path

from simkyc.domain.compliance import DefectCategory, PenaltyKind, SpotCheckOutcome
from simkyc.domain.compliance import Pattern as FindingPattern
from simkyc.domain.parties import Role
from simkyc.domain.registration import RegistrationStatus
from simkyc.i18n import SUPPORTED_LANGUAGES, catalogue, text_direction
from simkyc.i18n.compliance_keys import COMPLIANCE_UI_KEYS

WEB = Path(__file__).resolve().parents[2] / "src" / "simkyc" / "web" / "compliance"
HTML = (WEB / "index.html").read_text(encoding="utf-8")
JS = (WEB / "compliance.js").read_text(encoding="utf-8")

#: ``prefix${code}`` in the script -> every code it may be given.
FAMILIES: dict[str, list[str]] = {
    "ui.compliance_pattern_": [p.value for p in FindingPattern],
    "ui.compliance_defect_": [c.value for c in DefectCategory],
    "ui.compliance_kind_": [k.value for k in PenaltyKind],
    "ui.compliance_role_": [r.value for r in Role],
    "ui.compliance_state_": ["queued", "reviewed"],
    "ui.compliance_outcome_": [o.value for o in SpotCheckOutcome],
    "ui.compliance_target_": ["agent", "outlet", "identity"],
    "status.": [s.value for s in RegistrationStatus],
}


def _static_keys() -> set[str]:
    keys = set(re.findall(r'data-t(?:-alt|-placeholder)?="([\w.]+)"', HTML))
    keys |= set(re.findall(r'"(ui\.compliance_\w+)"', JS))
    return keys


def _families() -> set[str]:
    return set(re.findall(r"`((?:ui\.compliance_\w+_)|status\.)\$\{", JS))


def test_the_page_keys_are_found() -> None:
    keys = _static_keys()
    assert len(keys) >= 80
    assert {"ui.compliance_sign_in", "ui.compliance_ledger", "ui.compliance_review_facts",
            "ui.compliance_card_no_upper_body"} <= keys
    assert set(FAMILIES) - {"ui.compliance_state_"} <= _families() | {"ui.compliance_state_"}


def test_every_family_the_script_builds_is_known() -> None:
    assert _families() <= set(FAMILIES), _families() - set(FAMILIES)


def test_every_key_the_page_uses_has_a_text_in_all_four_languages() -> None:
    used = _static_keys() | {p + c for p in _families() for c in FAMILIES[p]}
    assert {f"ui.{k}" for k in COMPLIANCE_UI_KEYS} >= {k for k in used if k.startswith("ui.")}
    assert set(SUPPORTED_LANGUAGES) == {"zh-Hans", "zh-Hant", "en", "ug"}
    for lang in SUPPORTED_LANGUAGES:
        cat = catalogue(lang)
        missing = sorted(k for k in used if not cat.get(k, "").strip())
        assert not missing, (lang, missing)


def test_the_texts_are_translated_and_uyghur_is_right_to_left() -> None:
    en, ug = catalogue("en"), catalogue("ug")
    hans, hant = catalogue("zh-Hans"), catalogue("zh-Hant")
    for k in ("ui.compliance_dashboard", "ui.compliance_ledger", "ui.compliance_sign_in"):
        assert len({en[k], ug[k], hans[k]}) == 3, k
    assert hans["ui.compliance_ledger"] != hant["ui.compliance_ledger"]
    # Uyghur texts are in the Arabic script, the page turns right to left
    assert re.search(r"[\u0600-\u06ff]", ug["ui.compliance_spot_checks"])
    assert text_direction("ug") == "rtl" and text_direction("en") == "ltr"


def test_the_pages_english_is_the_catalogues() -> None:
    """The English in the HTML (shown until the catalogue is loaded) is the catalogue's."""
    en = catalogue("en")
    for key, text in re.findall(r'data-t="([\w.]+)">([^<]+)<', HTML):
        assert en[key] == text, (key, text)
