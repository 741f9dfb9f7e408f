"""The output contract shared by every checking command.

- ``--json``: exactly one JSON object on stdout.
- otherwise: a readable summary on stdout.
- exit 0 = passed / valid / match; 1 = checked and failed; 2 = could not
  check (unreadable or invalid input, usage error), with a one-line reason on
  stderr and ``"error": "<reason>"`` in the JSON.

Use :func:`run_check`: the command body returns ``(payload, ok)`` or raises
:class:`~simkyc.domain.errors.InputError` (or ``typer.BadParameter``) when it
cannot check.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable
from datetime import date, datetime
from enum import Enum
from pathlib import Path
from typing import Any, NoReturn

import typer

from simkyc.domain.errors import SimkycError

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_CANNOT_CHECK = 2


def _default(o: Any) -> Any:
    if isinstance(o, (date, datetime)):
        return o.isoformat()
    if isinstance(o, Enum):
        return o.value
    if isinstance(o, Path):
        return str(o)
    if isinstance(o, (set, frozenset, tuple)):
        return list(o)
    if hasattr(o, "item"):  # numpy scalars
        return o.item()
    if hasattr(o, "tolist"):
        return o.tolist()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


def dumps(payload: dict[str, Any]) -> str:
    return json.dumps(payload, ensure_ascii=False, default=_default, sort_keys=False)


def finish(payload: dict[str, Any], *, ok: bool, as_json: bool, summary: str) -> NoReturn:
    """Print the result per the contract and exit 0 (ok) or 1 (checked, failed)."""
    if as_json:
        typer.echo(dumps(payload))
    else:
        typer.echo(summary)
    raise typer.Exit(EXIT_OK if ok else EXIT_FAILED)


def cannot_check(reason: str, *, as_json: bool, payload: dict[str, Any] | None = None) -> NoReturn:
    """Report that no decision could be reached: reason on stderr, exit 2."""
    reason = " ".join(str(reason).split())  # one line
    typer.echo(f"error: {reason}", err=True)
    if as_json:
        body = dict(payload or {})
        body["error"] = reason
        typer.echo(dumps(body))
    raise typer.Exit(EXIT_CANNOT_CHECK)


def run_check(
    body: Callable[[], tuple[dict[str, Any], bool]],
    *,
    as_json: bool,
    render: Callable[[dict[str, Any]], str],
    base_payload: dict[str, Any] | None = None,
) -> NoReturn:
    """Run ``body`` under the output contract.

    ``body`` returns ``(payload, ok)``; :class:`SimkycError` (bad input) and
    ``typer.BadParameter`` become exit 2 with the reason.
    """
    try:
        payload, ok = body()
    except typer.BadParameter as exc:
        cannot_check(str(exc.message if hasattr(exc, "message") else exc), as_json=as_json,
                     payload=base_payload)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json, payload=base_payload)
    finish(payload, ok=ok, as_json=as_json, summary=render(payload))


def stderr(msg: str) -> None:
    print(msg, file=sys.stderr)


__all__ = [
    "EXIT_CANNOT_CHECK",
    "EXIT_FAILED",
    "EXIT_OK",
    "cannot_check",
    "dumps",
    "finish",
    "run_check",
]
