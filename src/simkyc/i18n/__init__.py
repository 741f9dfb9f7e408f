"""One message catalogue for every text a customer or an agent reads, by BCP-47 tag.

UI languages (:data:`SUPPORTED_LANGUAGES`): ``zh-Hans`` (default, Mandarin
customers), ``zh-Hant`` (Cantonese customers, Hong Kong usage), ``en``, ``ug``
(Uyghur, Arabic script, right to left). Any tag a caller sends is negotiated
to one of them (:func:`resolve_language`); nothing here raises on an unknown
tag, key or parameter.

- :func:`message` (key, lang, **params) -> text, e.g.
  ``message("liveness.turn_left", "zh-HK")`` -> ``"請向左轉頭"``
- :func:`reason_text` (code, lang, **params) -> text of ``reason.<code>``, e.g.
  ``reason_text("live:face_too_dark", "ug")``
- :func:`catalogue` (lang) -> every key and its text, to serve as JSON
- :func:`text_direction` (lang) -> ``"ltr"`` / ``"rtl"``
- :func:`spoken_language` / :func:`ui_language_for_spoken`: UI tag <-> the voice
  stage's digit language (``zh-Hant`` <-> ``yue``)

Texts are gettext catalogues (``locales/<tag>/LC_MESSAGES/simkyc.po``), read
with Babel on first use and cached per process; maintain them with
``python -m simkyc.i18n {template,update,check}`` (:mod:`simkyc.i18n.tool`).
"""

from simkyc.i18n.catalogues import catalogue, message, reason_text
from simkyc.i18n.tags import (
    DEFAULT_LANGUAGE,
    SUPPORTED_LANGUAGES,
    resolve_language,
    spoken_language,
    text_direction,
    ui_language_for_spoken,
)

__all__ = [
    "DEFAULT_LANGUAGE",
    "SUPPORTED_LANGUAGES",
    "catalogue",
    "message",
    "reason_text",
    "resolve_language",
    "spoken_language",
    "text_direction",
    "ui_language_for_spoken",
]
