"""The layers depend inward only: checked on the import statements of every module.

- ``domain/`` is pure: the standard library and other ``simkyc.domain`` modules.
- ``services/`` (the application layer) imports no web framework, ORM or task queue,
  and nothing of the adapters, the API, the CLI or the workers.
- Stage packages and ``media/`` import no outer layer either.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "simkyc"
FRAMEWORKS = ("fastapi", "starlette", "sqlalchemy", "alembic", "celery", "uvicorn", "typer",
              "kombu", "redis", "boto3", "httpx")
OUTER = ("simkyc.adapters", "simkyc.api", "simkyc.cli", "simkyc.workers", "simkyc.runtime",
         "simkyc.web")


def imports_of(path: Path) -> list[tuple[int, str]]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, a.name) for a in node.names]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.append((node.lineno, node.module))
    return found


def modules(package: str) -> list[Path]:
    return sorted((SRC / package).rglob("*.py"))


def _top(name: str) -> str:
    return name.split(".")[0]


@pytest.mark.parametrize("path", modules("domain"), ids=lambda p: p.name)
def test_domain_is_pure(path: Path) -> None:
    for line, name in imports_of(path):
        ok = _top(name) in sys.stdlib_module_names or name.startswith("simkyc.domain") \
            or name == "__future__"
        assert ok, f"{path.name}:{line} imports {name}"


LAYERS = ["services", "document", "face", "liveness", "voice", "media", "i18n"]


@pytest.mark.parametrize("path", [p for layer in LAYERS for p in modules(layer)],
                         ids=lambda p: f"{p.parent.name}/{p.name}")
def test_inner_layers_import_no_framework_and_nothing_outer(path: Path) -> None:
    for line, name in imports_of(path):
        assert _top(name) not in FRAMEWORKS, f"{path}:{line} imports {name}"
        assert not name.startswith(OUTER), f"{path}:{line} imports {name}"


def test_routes_are_thin() -> None:
    """Route modules parse and call: no status literals, no stage calls, no repositories."""
    for path in modules("api/routes"):
        text = path.read_text()
        for forbidden in ("RegistrationStatus.", "record_step", "check_liveness(",
                          "match_faces(", "read_document(", "check_spoken_digits(",
                          "simkyc.adapters", ".uow("):
            assert forbidden not in text, f"{path.name} does {forbidden!r} itself"
