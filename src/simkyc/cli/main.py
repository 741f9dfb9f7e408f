"""``simkyc``: the command-line entry point.

Sub-commands live in their own modules and are mounted here.
"""

from __future__ import annotations

import os
import sys

import typer

from simkyc import __version__
from simkyc.cli import (
    admin,
    backup,
    bench,
    checks_document,
    checks_face,
    checks_liveness,
    checks_voice,
    compliance,
    keys,
    readers,
    records,
    verify,
    worker,
)
from simkyc.cli.output import EXIT_CANNOT_CHECK, dumps

try:  # typer >= 0.20 vendors click as typer._click
    from typer._click import exceptions as click_exceptions
except ImportError:  # pragma: no cover - older typer uses click itself
    from click import exceptions as click_exceptions  # type: ignore[no-redef]

app = typer.Typer(
    name="simkyc",
    help="Live identity verification and real-name registration for telecom operators.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"simkyc {__version__}")
        raise typer.Exit(0)


@app.callback()
def _root(
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """simkyc command line."""


admin.register(app)
backup.register(app)
bench.register(app)
checks_document.register(app)
checks_face.register(app)
checks_liveness.register(app)
checks_voice.register(app)
verify.register(app)
records.register(app)
worker.register(app)
compliance.register(app)
keys.register(app)
readers.register(app)


def quiet_native_logs() -> None:
    """Send what native libraries write to the process's stderr (mediapipe's and
    TensorFlow Lite's start-up lines) to /dev/null, while Python's ``sys.stderr``
    keeps the real one: a command's stderr is then only its own one-line reason.
    ``SIMKYC_NATIVE_LOGS=1`` keeps the native lines (for debugging a model)."""
    if os.environ.get("SIMKYC_NATIVE_LOGS") == "1":
        return
    try:
        sys.stderr.flush()
        real = os.dup(2)
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, 2)
        os.close(devnull)
        sys.stderr = os.fdopen(real, "w", buffering=1, encoding="utf-8",
                               errors="backslashreplace")
    except OSError:  # no real file descriptors (an embedding host): leave stderr alone
        pass


def run(argv: list[str] | None = None) -> None:
    """Console-script entry: usage errors follow the output contract (exit 2, JSON error)."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        rv = app(args=args, prog_name="simkyc", standalone_mode=False)
    except click_exceptions.UsageError as exc:
        reason = " ".join(exc.format_message().split())
        if not reason:  # bare `simkyc`: help was shown
            sys.exit(EXIT_CANNOT_CHECK)
        typer.echo(f"error: {reason}", err=True)
        if "--json" in args:
            typer.echo(dumps({"error": reason}))
        sys.exit(EXIT_CANNOT_CHECK)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except typer.Exit as exc:
        sys.exit(exc.exit_code)
    sys.exit(rv if isinstance(rv, int) else 0)


def main() -> None:
    """The ``simkyc`` program: :func:`run` with native libraries' stderr lines discarded."""
    quiet_native_logs()
    run()


if __name__ == "__main__":
    main()
