"""Language tags: which UI languages there are and how any tag a caller sends maps to one.

UI languages are BCP-47 tags (RFC 5646): ``zh-Hans`` (Simplified Chinese, for
Mandarin-speaking customers; the default), ``zh-Hant`` (Traditional Chinese in
Hong Kong usage, for Cantonese-speaking customers), ``en`` and ``ug`` (Uyghur
in its Arabic script, right to left). Negotiation goes through Babel's
``Locale.parse``, which knows CLDR's aliases and likely subtags (``cmn`` is
``zh``; ``zh-HK`` and ``zh-TW`` are written in ``Hant``).

The voice stage names its digit languages by ISO 639-3 / 639-1 code (``cmn``,
``yue``, ``en``, ``ug``, ``bo``): :func:`spoken_language` and
:func:`ui_language_for_spoken` translate between the two.
"""

from __future__ import annotations

import re
from typing import Literal

from babel import Locale, UnknownLocaleError

#: Every UI language with a complete catalogue, default first.
SUPPORTED_LANGUAGES: tuple[str, ...] = ("zh-Hans", "zh-Hant", "en", "ug")
#: What an unknown, missing or malformed tag resolves to.
DEFAULT_LANGUAGE = "zh-Hans"

#: Longest tag looked at (RFC 5646 section 4.4.1 advises supporting 35 characters).
MAX_TAG_LENGTH = 35
_TAG_SHAPE = re.compile(r"[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})*")

#: UI language -> the voice stage's digit language.
_SPOKEN: dict[str, str] = {"zh-Hans": "cmn", "zh-Hant": "yue", "en": "en", "ug": "ug"}
#: Digit languages without a UI catalogue of their own (their customers read the default UI).
_SPOKEN_ONLY: frozenset[str] = frozenset({"bo"})
#: Chinese territories where the spoken language is Cantonese (Taiwan's is Mandarin).
_CANTONESE_TERRITORIES: frozenset[str] = frozenset({"HK", "MO"})
_HANT_TERRITORIES: frozenset[str] = frozenset({"HK", "MO", "TW"})
#: ISO 639 codes for no particular language (CLDR's likely subtags would make ``und`` English).
_NO_LANGUAGE: frozenset[str] = frozenset({"und", "mul", "mis", "zxx"})


def _parse(tag: str | None) -> tuple[str, Locale | None]:
    """The primary subtag as sent (lower case) and Babel's locale, or ``("", None)``."""
    if not isinstance(tag, str) or len(tag) > MAX_TAG_LENGTH:
        return "", None
    tag = tag.strip(" ")
    if not _TAG_SHAPE.fullmatch(tag):
        return "", None
    primary = re.split(r"[_-]", tag, maxsplit=1)[0].lower()
    if primary in _NO_LANGUAGE:
        return primary, None
    try:
        return primary, Locale.parse(tag.replace("_", "-"), sep="-")
    except (ValueError, TypeError, UnknownLocaleError):
        # An unknown region or variant: the primary language alone may still be known.
        try:
            return primary, Locale.parse(primary)
        except (ValueError, TypeError, UnknownLocaleError):
            return primary, None


def resolve_language(tag: str | None) -> str:
    """The supported UI language for ``tag`` (any BCP-47 or POSIX-style tag).

    ``cmn``, ``zh``, ``zh-CN``, ``zh-SG``, ``cmn-Hans`` -> ``zh-Hans``; ``yue``,
    ``zh-HK``, ``zh-TW``, ``zh-MO``, ``yue-Hant`` -> ``zh-Hant`` (an explicit
    script wins: ``yue-Hans`` -> ``zh-Hans``); ``en-US``, ``en_GB`` -> ``en``;
    ``ug``, ``ug-Arab``, ``ug-CN`` -> ``ug``. Anything else, ``None``, and
    malformed input (over :data:`MAX_TAG_LENGTH` characters, control characters,
    not a tag at all) -> :data:`DEFAULT_LANGUAGE`. Never raises.
    """
    primary, locale = _parse(tag)
    if locale is None:
        return DEFAULT_LANGUAGE
    if locale.language in ("zh", "yue"):
        script = locale.script
        if script is None:
            if locale.language == "yue" or locale.territory in _HANT_TERRITORIES:
                script = "Hant"
        return "zh-Hant" if script == "Hant" else "zh-Hans"
    if locale.language in SUPPORTED_LANGUAGES:
        return locale.language
    return DEFAULT_LANGUAGE


def text_direction(tag: str | None) -> Literal["ltr", "rtl"]:
    """``"rtl"`` for a right-to-left UI language (``ug``), else ``"ltr"`` (from CLDR via Babel).

    ``tag`` is resolved first (:func:`resolve_language`), so any tag may be passed.
    """
    lang = resolve_language(tag)
    return "rtl" if Locale.parse(lang, sep="-").text_direction == "rtl" else "ltr"


def spoken_language(tag: str | None) -> str:
    """The voice stage's digit language (ISO 639-3/-1) for a customer's tag.

    ``zh-Hans`` -> ``cmn``, ``zh-Hant`` -> ``yue``, ``en`` -> ``en``, ``ug`` ->
    ``ug``. What the tag says about speech comes first: ``cmn*`` -> ``cmn``,
    ``yue*``, ``zh-HK``, ``zh-MO`` -> ``yue``, ``zh-TW`` -> ``cmn`` (Taiwan
    reads Traditional characters but speaks Mandarin), ``bo`` -> ``bo`` (a
    digit language without a UI catalogue). Anything else: the default UI
    language's (``cmn``).
    """
    primary, locale = _parse(tag)
    if primary in ("cmn", "yue") or primary in _SPOKEN_ONLY:
        return primary
    if locale is not None and locale.language == "zh" and locale.territory is not None:
        return "yue" if locale.territory in _CANTONESE_TERRITORIES else "cmn"
    return _SPOKEN[resolve_language(tag)]


def ui_language_for_spoken(code: str | None) -> str:
    """The UI language for a digit language: ``cmn`` -> ``zh-Hans``, ``yue`` -> ``zh-Hant``,
    ``en`` -> ``en``, ``ug`` -> ``ug``; ``bo`` and anything unknown -> :data:`DEFAULT_LANGUAGE`
    (any other tag is resolved with :func:`resolve_language`)."""
    for ui, spoken in _SPOKEN.items():
        if code == spoken:
            return ui
    return resolve_language(code)


__all__ = ["DEFAULT_LANGUAGE", "MAX_TAG_LENGTH", "SUPPORTED_LANGUAGES", "resolve_language",
           "spoken_language", "text_direction", "ui_language_for_spoken"]
