"""Negotiating any tag a caller sends to a supported UI language, and the voice mapping."""

from __future__ import annotations

import pytest

from simkyc.i18n import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    resolve_language,
    spoken_language,
    text_direction,
    ui_language_for_spoken,
)


def test_supported_languages_and_default() -> None:
    assert SUPPORTED_LANGUAGES == ("zh-Hans", "zh-Hant", "en", "ug")
    assert DEFAULT_LANGUAGE == "zh-Hans"


@pytest.mark.parametrize(("tag", "expected"), [
    ("cmn", "zh-Hans"), ("zh", "zh-Hans"), ("zh-CN", "zh-Hans"), ("zh-SG", "zh-Hans"),
    ("cmn-Hans", "zh-Hans"), ("zh-Hans", "zh-Hans"), ("zh_CN", "zh-Hans"),
    ("yue", "zh-Hant"), ("zh-HK", "zh-Hant"), ("zh-TW", "zh-Hant"), ("zh-MO", "zh-Hant"),
    ("yue-Hant", "zh-Hant"), ("zh-Hant", "zh-Hant"), ("zh-Hant-HK", "zh-Hant"),
    ("ZH-hant", "zh-Hant"), ("yue-HK", "zh-Hant"),
    ("yue-Hans", "zh-Hans"),  # an explicit script wins
    ("en", "en"), ("en-US", "en"), ("en_GB", "en"), ("EN-gb", "en"), ("en-US-x-private", "en"),
    ("ug", "ug"), ("ug-Arab", "ug"), ("ug-CN", "ug"), ("ug-Arab-CN", "ug"),
    (" en ", "en"),
])
def test_resolves_known_tags(tag: str, expected: str) -> None:
    assert resolve_language(tag) == expected


@pytest.mark.parametrize("tag", [
    None, "", "fr", "de-DE", "bo", "xx", "zh-Latn", "und", "i-klingon", "x-private",
    "e", "123", "en-",
])
def test_unknown_tags_give_the_default(tag: str | None) -> None:
    assert resolve_language(tag) == DEFAULT_LANGUAGE


@pytest.mark.parametrize("tag", [
    "en" + "-abcdefgh" * 5,  # overlong (over 35 characters)
    "x" * 10_000,
    "en\n", "en\x00", "zh\x00CN", "\x1b[31men", "en\r\nX-Injected: 1", "en\t",
    "en;q=0.9", "en US", "ｅｎ", "zh-CN\u202e", "../../etc/passwd", "{en}",
])
def test_malformed_input_gives_the_default_and_never_raises(tag: str) -> None:
    assert resolve_language(tag) == DEFAULT_LANGUAGE
    assert spoken_language(tag) == "cmn"
    assert text_direction(tag) == "ltr"


@pytest.mark.parametrize("value", [42, b"en", ["en"], object()])
def test_non_strings_give_the_default(value: object) -> None:
    assert resolve_language(value) == DEFAULT_LANGUAGE  # type: ignore[arg-type]


def test_uyghur_is_right_to_left_and_the_others_left_to_right() -> None:
    assert text_direction("ug") == "rtl"
    assert text_direction("ug-Arab-CN") == "rtl"
    assert [text_direction(t) for t in ("zh-Hans", "zh-Hant", "en", None)] == ["ltr"] * 4


@pytest.mark.parametrize(("tag", "spoken"), [
    ("zh-Hans", "cmn"), ("zh-Hant", "yue"), ("en", "en"), ("ug", "ug"),
    ("cmn", "cmn"), ("zh-CN", "cmn"), ("zh", "cmn"), ("yue", "yue"), ("yue-Hans", "yue"),
    ("zh-HK", "yue"), ("zh-MO", "yue"), ("zh-TW", "cmn"), ("cmn-Hant-TW", "cmn"),
    ("en-GB", "en"), ("ug-CN", "ug"), ("bo", "bo"), ("bo-CN", "bo"), ("fr", "cmn"), (None, "cmn"),
])
def test_spoken_language(tag: str | None, spoken: str) -> None:
    assert spoken_language(tag) == spoken


@pytest.mark.parametrize(("code", "ui"), [
    ("cmn", "zh-Hans"), ("yue", "zh-Hant"), ("en", "en"), ("ug", "ug"),
    ("bo", DEFAULT_LANGUAGE), ("xx", DEFAULT_LANGUAGE), (None, DEFAULT_LANGUAGE),
    ("zh-HK", "zh-Hant"),
])
def test_ui_language_for_spoken(code: str | None, ui: str) -> None:
    assert ui_language_for_spoken(code) == ui


def test_every_ui_language_round_trips_through_its_spoken_language() -> None:
    for lang in SUPPORTED_LANGUAGES:
        assert ui_language_for_spoken(spoken_language(lang)) == lang


def test_spoken_languages_are_the_voice_stages() -> None:
    from simkyc.voice.languages import LANGUAGES

    for lang in SUPPORTED_LANGUAGES:
        assert spoken_language(lang) in LANGUAGES
    assert spoken_language("bo") in LANGUAGES
