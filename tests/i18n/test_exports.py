"""``simkyc.i18n.__all__`` is exactly its public names (as httpx checks its own)."""

from __future__ import annotations

import subprocess
import sys
from types import ModuleType

import simkyc.i18n as i18n


def test_all_is_exactly_the_public_names() -> None:
    public = {name for name in dir(i18n)
              if not name.startswith("_") and not isinstance(getattr(i18n, name), ModuleType)}
    assert public == set(i18n.__all__)
    assert set(i18n.__all__) == {
        "DEFAULT_LANGUAGE", "SUPPORTED_LANGUAGES", "catalogue", "message", "reason_text",
        "resolve_language", "spoken_language", "text_direction", "ui_language_for_spoken"}


def test_every_export_is_documented() -> None:
    for name in i18n.__all__:
        member = getattr(i18n, name)
        if callable(member):
            assert member.__doc__, name


def test_importing_reads_no_catalogue() -> None:
    code = ("import sys, simkyc.i18n as i; "
            "from simkyc.i18n.catalogues import load_catalogue as l; "
            "assert l.cache_info().currsize == 0; "
            "assert 'babel.messages.pofile' not in sys.modules; "
            "i.message('ui.title', 'en'); "
            "assert l.cache_info().currsize == 1, l.cache_info(); print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, check=False)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "ok"
