"""The catalogues: complete in every language, placeholders agree, lookups never raise."""

from __future__ import annotations

from pathlib import Path

import pytest
from babel.messages.pofile import read_po

from simkyc.i18n import SUPPORTED_LANGUAGES, catalogue, message, reason_text
from simkyc.i18n.catalogues import (
    load_catalogue,
    placeholders,
    reason_code,
    template_resource,
)
from simkyc.i18n.keys import declared_keys
from simkyc.i18n.tool import build_template, check_catalogues, main


def _template_keys() -> list[str]:
    with template_resource().open("rb") as f:
        return [str(m.id) for m in read_po(f) if m.id]


TEMPLATE = _template_keys()


def test_template_holds_every_declared_key_and_nothing_else() -> None:
    assert TEMPLATE == list(declared_keys())


def test_template_is_what_the_tool_writes() -> None:
    """The committed ``messages.pot`` is regenerated (``python -m simkyc.i18n template``)."""
    with template_resource().open("rb") as f:
        committed = [(str(m.id), " ".join(m.auto_comments)) for m in read_po(f) if m.id]
    # Babel wraps long notes over several comment lines: compare them joined.
    built = [(str(m.id), " ".join(m.auto_comments)) for m in build_template() if m.id]
    assert committed == built


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_every_key_has_a_text_in_every_language(lang: str) -> None:
    texts = load_catalogue(lang)
    missing = [k for k in TEMPLATE if not texts.get(k, "").strip()]
    assert not missing, f"{lang} lacks {missing}"
    extra = sorted(set(texts) - set(TEMPLATE))
    assert not extra, f"{lang} has keys the template lacks: {extra}"


@pytest.mark.parametrize("lang", SUPPORTED_LANGUAGES)
def test_placeholders_match_english(lang: str) -> None:
    en, texts = load_catalogue("en"), load_catalogue(lang)
    wrong = {k: (sorted(placeholders(texts[k])), sorted(placeholders(en[k])))
             for k in TEMPLATE if placeholders(texts[k]) != placeholders(en[k])}
    assert not wrong


def test_the_checking_tool_finds_no_problem() -> None:
    assert check_catalogues() == []


def test_the_command_line_check_passes(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check"]) == 0
    assert capsys.readouterr().out.strip() == f"{len(TEMPLATE)} keys, 4 languages: OK"


def test_placeholders_are_checked() -> None:
    assert placeholders("Attempt {attempt} of {max_attempts}") == {"attempt", "max_attempts"}
    assert placeholders("no fields {{literal}}") == frozenset()
    with pytest.raises(ValueError):
        placeholders("unbalanced {attempt")


def test_keys_are_namespaced() -> None:
    spaces = {k.split(".", 1)[0] for k in TEMPLATE}
    assert spaces == {"reason", "error", "liveness", "voice", "status", "ui"}
    assert all(k.count(".") == 1 and k == k.strip() for k in TEMPLATE)


def test_message_fills_placeholders() -> None:
    assert message("voice.attempt", "en", attempt=2, max_attempts=3) == "Attempt 2 of 3"
    assert message("voice.attempt", "zh-CN", attempt=2, max_attempts=3) == "第 2 次，共 3 次"
    assert message("voice.attempt", "ug", attempt=2, max_attempts=3) == "3 قېتىمدىن 2-قېتىم"


def test_message_never_raises_on_a_missing_parameter_or_key() -> None:
    assert message("voice.attempt", "en", attempt=2) == "Attempt 2 of {max_attempts}"
    assert message("voice.attempt", "en") == "Attempt {attempt} of {max_attempts}"
    assert message("no.such_key", "ug") == "no.such_key"
    assert message("ui.title", None) == "实名登记"  # the default language
    assert message("ui.title", "fr") == "实名登记"
    assert message("ui.title", "x" * 500) == "实名登记"


def test_message_falls_back_to_english(monkeypatch: pytest.MonkeyPatch) -> None:
    """A key a language lacks (or has only fuzzy or empty) is shown in English."""
    from types import MappingProxyType

    import simkyc.i18n.catalogues as catalogues

    real = catalogues.load_catalogue

    def without_title(lang: str) -> MappingProxyType[str, str]:
        texts = dict(real(lang))
        if lang == "ug":
            texts.pop("ui.title")
        return MappingProxyType(texts)

    monkeypatch.setattr(catalogues, "load_catalogue", without_title)
    assert catalogues.message("ui.title", "ug") == "Real-name registration"
    assert catalogues.catalogue("ug")["ui.title"] == "Real-name registration"


def test_fuzzy_and_empty_entries_count_as_untranslated(tmp_path: Path,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    import simkyc.i18n.catalogues as catalogues

    po = tmp_path / "simkyc.po"
    po.write_text('msgid ""\nmsgstr ""\n"Language: ug\\n"\n\n'
                  '#, fuzzy\nmsgid "ui.title"\nmsgstr "draft"\n\n'
                  'msgid "ui.token"\nmsgstr ""\n\n'
                  'msgid "ui.status"\nmsgstr "ھالىتى"\n', encoding="utf-8")
    monkeypatch.setattr(catalogues, "catalogue_resource", lambda lang: po)
    loaded = catalogues.load_catalogue.__wrapped__("ug")
    assert dict(loaded) == {"ui.status": "ھالىتى"}


def test_reason_text_uses_the_code_after_the_last_colon() -> None:
    assert reason_text("face_blurry", "en").startswith("The picture is blurry")
    assert reason_text("live:face_blurry", "en") == reason_text("face_blurry", "en")
    assert reason_text("reference:no_face", "zh-HK") == "未偵測到人臉，請正對鏡頭。"
    assert reason_text("a:b:eyes_closed", "zh-Hans") == "请睁开眼睛。"
    assert reason_code("live:face_blurry") == "face_blurry"


def test_reason_text_of_an_unknown_code_is_the_code() -> None:
    assert reason_text("brand_new_code", "ug") == "brand_new_code"
    assert reason_text("live:brand_new_code", "en") == "brand_new_code"
    assert reason_text("", "en") == ""


def test_reason_text_accepts_the_old_count_parameter() -> None:
    """``customer_message(code, lang, count=n)`` callers move over unchanged."""
    assert reason_text("multiple_faces", "en", count=3) == (
        "More than one face is in view. Only one person should be in view.")


def test_catalogue_has_every_key_and_is_a_fresh_dict() -> None:
    for lang in (*SUPPORTED_LANGUAGES, None, "zh-HK"):
        c = catalogue(lang)
        assert list(c) == TEMPLATE or set(c) == set(TEMPLATE)
    c = catalogue("en")
    c["ui.title"] = "changed"
    assert catalogue("en")["ui.title"] == "Real-name registration"
    assert catalogue("zh-HK")["ui.title"] == "實名登記"


def test_catalogue_is_read_once_per_language() -> None:
    load_catalogue.cache_clear()
    for _ in range(3):
        message("ui.title", "ug")
        message("ui.title", "ug-CN")
    info = load_catalogue.cache_info()
    assert info.misses == 1
    assert info.hits >= 5
    with pytest.raises(TypeError):
        load_catalogue("ug")["ui.title"] = "x"  # type: ignore[index]


def test_unsupported_catalogue_is_refused() -> None:
    from simkyc.i18n.catalogues import catalogue_resource

    with pytest.raises(ValueError, match="no catalogue"):
        catalogue_resource("fr")


def test_every_registration_status_has_a_text() -> None:
    from simkyc.domain.registration import RegistrationStatus

    for status in RegistrationStatus:
        for lang in SUPPORTED_LANGUAGES:
            assert message(f"status.{status.value}", lang) != f"status.{status.value}"


def test_every_liveness_action_has_a_prompt() -> None:
    from simkyc.liveness.challenge import ACTIONS

    for action in (*ACTIONS, "neutral", "hold", "screen_flash"):
        for lang in SUPPORTED_LANGUAGES:
            assert message(f"liveness.{action}", lang) != f"liveness.{action}"


def test_every_face_quality_instruction_has_a_text() -> None:
    """The quality gate's instructions come from this catalogue (``face/messages.py``,
    the third table, is gone): every quality code reads in every language."""
    from simkyc.face.reasons import QUALITY_REASONS

    for code in QUALITY_REASONS:
        for lang in SUPPORTED_LANGUAGES:
            assert reason_text(code, lang) != code
