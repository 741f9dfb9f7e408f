"""Maintaining the catalogues: ``python -m simkyc.i18n {template,update,check}``.

- ``template``: write ``locales/messages.pot`` from the declared keys
  (:func:`simkyc.i18n.keys.declared_keys`), each with its note for the
  translator and, where the English text has placeholders, their names
  (Babel sets the ``python-brace-format`` flag from the ``msgid``, here a key
  without braces, so the names go in the note).
- ``update``: merge the template into every ``.po`` (Babel's
  ``Catalog.update``): new keys arrive untranslated, keys no longer declared
  become obsolete (``#~``), notes are refreshed. Texts are never changed.
- ``check``: every catalogue has a non-empty, non-fuzzy text for every key
  of the template, no key the template lacks, the placeholders of the
  English text, and the template matches the declared keys; and every
  reason or error code the source emits is declared (:mod:`simkyc.i18n.codes`).
  Exit 1 and one line per problem otherwise.

Files are written deterministically (fixed header dates, no wrapping), so a
re-run without changes leaves them byte-identical.
"""

from __future__ import annotations

import argparse
import io
import sys
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

from simkyc.i18n.catalogues import (
    DOMAIN,
    FALLBACK_LANGUAGE,
    catalogue_resource,
    placeholders,
    template_resource,
)
from simkyc.i18n.tags import SUPPORTED_LANGUAGES

#: Header dates written into every file (dates that change on each run would make
#: every regeneration a diff; git records when a file changed).
_FIXED_DATE = datetime(2026, 1, 1, tzinfo=UTC)


def _path(resource: object) -> Path:
    # The catalogues are package data of an installed (editable or wheel) package.
    return Path(str(resource))


def _read(path: Path, locale: str | None = None) -> Catalog:
    with path.open("rb") as f:
        return read_po(f, locale=locale, domain=DOMAIN)


def _dump(catalog: Catalog) -> bytes:
    catalog.creation_date = _FIXED_DATE
    catalog.revision_date = _FIXED_DATE
    buf = io.BytesIO()
    write_po(buf, catalog, width=0, no_location=True, include_previous=False)
    return buf.getvalue()


def build_template() -> Catalog:
    """The template: every declared key, its note, and its placeholders (from English)."""
    from simkyc.i18n.keys import declared_keys

    english = _read(_path(catalogue_resource(FALLBACK_LANGUAGE)), "en")
    template = Catalog(project="simkyc", version="1", domain=DOMAIN, fuzzy=False,
                       copyright_holder="simkyc contributors")
    for key, note in declared_keys().items():
        en = english.get(key)
        names = sorted(placeholders(str(en.string))) if en is not None and en.string else []
        comments = [note] + ([f"Placeholders: {', '.join('{' + n + '}' for n in names)}"]
                             if names else [])
        template.add(key, "", auto_comments=comments)
    return template


def write_template() -> Path:
    """Write ``locales/messages.pot``; returns its path."""
    path = _path(template_resource())
    path.write_bytes(_dump(build_template()))
    return path


def update_catalogues() -> list[Path]:
    """Merge the template into every supported language's ``.po`` (texts kept)."""
    template = _read(_path(template_resource()))
    written = []
    for lang in SUPPORTED_LANGUAGES:
        path = _path(catalogue_resource(lang))
        catalog = _read(path, lang.replace("-", "_"))
        catalog.update(template, no_fuzzy_matching=True, update_header_comment=False)
        path.write_bytes(_dump(catalog))
        written.append(path)
    return written


def check_catalogues() -> list[str]:
    """Every problem found, one line each (empty: all catalogues are complete and agree)."""
    from simkyc.i18n.keys import declared_keys

    problems: list[str] = []
    template = _read(_path(template_resource()))
    keys = [str(m.id) for m in template if m.id]
    declared = list(declared_keys())
    if set(keys) != set(declared):
        for k in sorted(set(declared) - set(keys)):
            problems.append(f"messages.pot: {k} is declared but not in the template "
                            "(run: python -m simkyc.i18n template)")
        for k in sorted(set(keys) - set(declared)):
            problems.append(f"messages.pot: {k} is in the template but no longer declared")
    problems += check_code()
    english = _read(_path(catalogue_resource(FALLBACK_LANGUAGE)), "en")
    for lang in SUPPORTED_LANGUAGES:
        catalog = _read(_path(catalogue_resource(lang)), lang.replace("-", "_"))
        for key in keys:
            m = catalog.get(key)
            if m is None or not m.string:
                problems.append(f"{lang}: {key} has no text")
                continue
            if m.fuzzy:
                problems.append(f"{lang}: {key} is marked fuzzy (needs review)")
            en = english.get(key)
            try:
                mine = placeholders(str(m.string))
                want = placeholders(str(en.string)) if en is not None and en.string else mine
            except ValueError as exc:
                problems.append(f"{lang}: {key}: unbalanced braces ({exc})")
                continue
            if mine != want:
                problems.append(f"{lang}: {key} has placeholders {sorted(mine)}, "
                                f"English has {sorted(want)}")
        for m in catalog:
            if m.id and str(m.id) not in keys:
                problems.append(f"{lang}: {m.id} is not in the template")
    return problems


def source_paths() -> list[Path]:
    """The simkyc source that can emit codes: every package and module but ``i18n``
    (:func:`check_code` leaves out the stages' ``reasons.py`` declarations)."""
    import simkyc

    root = Path(simkyc.__file__).parent
    return sorted(p for p in root.iterdir()
                  if p.name != "i18n" and (p.is_dir() or p.suffix == ".py"))


def check_code() -> list[str]:
    """Reason and error codes the source emits without declaring them (see :mod:`.codes`)."""
    from simkyc.i18n.codes import emitted_error_codes, emitted_reason_codes, undeclared
    from simkyc.i18n.keys import ERROR_CODES, declared_reasons

    uses = [u for u in emitted_reason_codes(source_paths())
            if Path(u.path).name != "reasons.py"]
    problems = [f"{u.path}:{u.line}: reason code {u.code!r} is not declared in a stage's "
                "reasons.py (or keys.RULE_REASONS)" for u in undeclared(uses, declared_reasons())]
    problems += [f"{u.path}:{u.line}: error code {u.code!r} is not in keys.ERROR_CODES"
                 for u in undeclared(emitted_error_codes(source_paths()), ERROR_CODES)]
    return problems


def main(argv: Sequence[str] | None = None) -> int:
    """The command line; returns the exit status."""
    parser = argparse.ArgumentParser(prog="python -m simkyc.i18n", description=__doc__.split(
        "\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("command", choices=("template", "update", "check"))
    args = parser.parse_args(argv)
    if args.command == "template":
        print(write_template())
        return 0
    if args.command == "update":
        for path in update_catalogues():
            print(path)
        return 0
    problems = check_catalogues()
    for p in problems:
        print(p, file=sys.stderr)
    n = sum(1 for m in _read(_path(template_resource())) if m.id)
    print(f"{n} keys, {len(SUPPORTED_LANGUAGES)} languages: "
          f"{'OK' if not problems else f'{len(problems)} problem(s)'}")
    return 1 if problems else 0


__all__ = ["build_template", "check_catalogues", "check_code", "main", "source_paths",
           "update_catalogues", "write_template"]
