"""The message catalogue: every text a customer or an agent reads, in every UI language.

Texts live in gettext catalogues beside this module,
``locales/<tag>/LC_MESSAGES/simkyc.po`` (one per tag of
:data:`~simkyc.i18n.tags.SUPPORTED_LANGUAGES`), made from the template
``locales/messages.pot``. The ``msgid`` is a namespaced key, the ``msgstr``
its text:

==============  ==========================================================
namespace       what
==============  ==========================================================
``reason.``     every reason code a stage or a registration rule can emit
``error.``      every API error code (the ``error`` of the error envelope)
``liveness.``   the liveness prompts (one per action, ``neutral``, ``hold``,
                ``screen_flash``)
``voice.``      the voice step's instruction sentences (digit *words* stay in
                :mod:`simkyc.voice.languages`)
``status.``     registration statuses, as an agent reads them
``ui.``         the capture page's labels and buttons
==============  ==========================================================

Placeholders are ``{name}`` (``str.format`` fields); every language of a key
has the same ones (checked by ``python -m simkyc.i18n check`` and the tests).

A catalogue is read with Babel (``babel.messages.pofile.read_po``) the first
time a language is used, then kept for the life of the process; nothing is
read at import. Fuzzy and empty entries count as untranslated.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import MappingProxyType

from simkyc.i18n.tags import SUPPORTED_LANGUAGES, resolve_language

#: The language every other one falls back to for a key it lacks.
FALLBACK_LANGUAGE = "en"
DOMAIN = "simkyc"
_LOCALES = "locales"


def catalogue_resource(lang: str) -> Traversable:
    """The ``.po`` file of a supported UI language (``ValueError`` for another tag)."""
    if lang not in SUPPORTED_LANGUAGES:
        raise ValueError(f"no catalogue for {lang!r}; one of {', '.join(SUPPORTED_LANGUAGES)}")
    return (resources.files("simkyc.i18n").joinpath(_LOCALES).joinpath(lang)
            .joinpath("LC_MESSAGES").joinpath(f"{DOMAIN}.po"))


def template_resource() -> Traversable:
    """The template ``locales/messages.pot`` (every key, no texts)."""
    return resources.files("simkyc.i18n").joinpath(_LOCALES).joinpath("messages.pot")


@cache
def load_catalogue(lang: str) -> Mapping[str, str]:
    """``{key: text}`` of one supported language, read once per process (read-only view).

    Entries that are fuzzy or have an empty text are left out, so they fall back.
    """
    from babel.messages.pofile import read_po

    with catalogue_resource(lang).open("rb") as f:
        catalog = read_po(f, locale=lang.replace("-", "_"), domain=DOMAIN)
    texts = {str(m.id): str(m.string) for m in catalog
             if m.id and isinstance(m.id, str) and isinstance(m.string, str) and m.string
             and not m.fuzzy}
    return MappingProxyType(texts)


def placeholders(text: str) -> frozenset[str]:
    """The ``{name}`` fields of ``text`` (``ValueError`` if its braces are unbalanced)."""
    return frozenset(name for _, name, _, _ in string.Formatter().parse(text)
                     if name is not None and name != "")


class _KeepMissing(dict[str, object]):
    """Format parameters that leave an unknown ``{name}`` as it is instead of raising."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _format(text: str, params: Mapping[str, object]) -> str:
    try:
        return text.format_map(_KeepMissing(params))
    except (ValueError, IndexError, AttributeError, KeyError):
        # Positional fields, attribute access or bad braces: show the text unformatted.
        return text


def message(key: str, lang: str | None, /, **params: object) -> str:
    """The text of ``key`` in ``lang``, its ``{name}`` placeholders filled from ``params``.

    ``lang`` is any tag (resolved with :func:`~simkyc.i18n.tags.resolve_language`,
    so ``None`` gives the default). A key the language lacks falls back to
    English, then to ``key`` itself; a placeholder without a parameter stays as
    ``{name}`` in the text. Never raises on a missing key or parameter.
    """
    lang = resolve_language(lang)
    text = load_catalogue(lang).get(key)
    if text is None and lang != FALLBACK_LANGUAGE:
        text = load_catalogue(FALLBACK_LANGUAGE).get(key)
    if text is None:
        return key
    return _format(text, params)


def reason_code(code: str) -> str:
    """The bare code: the part after the last colon (``live:face_blurry`` -> ``face_blurry``)."""
    return code.rsplit(":", 1)[-1].strip()


def reason_text(code: str, lang: str | None, **params: object) -> str:
    """The text of a reason code (key ``reason.<code>``) in ``lang``.

    A stage may prefix its codes (``reference:no_face``, ``live:face_blurry``):
    the part after the last colon is looked up. A code without a text anywhere
    comes back as the bare code. Reason texts take no parameters today, so
    each reads whole for every stage (liveness reports ``multiple_faces``
    without a count); extra ``params`` are ignored. E.g.
    ``reason_text("live:face_too_dark", "en")`` -> ``"Too dark. Please face the light."``.
    """
    bare = reason_code(code)
    key = f"reason.{bare}"
    text = message(key, lang, **params)
    return bare if text == key else text


def catalogue(lang: str | None) -> dict[str, str]:
    """Every key with its text in ``lang`` (English where ``lang`` lacks one), unformatted.

    For the capture page: serve it as JSON and fill ``{name}`` placeholders there.
    A new dict on every call (the cached catalogue stays unchanged).
    """
    lang = resolve_language(lang)
    texts = dict(load_catalogue(FALLBACK_LANGUAGE))
    texts.update(load_catalogue(lang))
    return texts


__all__ = ["DOMAIN", "FALLBACK_LANGUAGE", "catalogue", "catalogue_resource", "load_catalogue",
           "message", "placeholders", "reason_code", "reason_text", "template_resource"]
