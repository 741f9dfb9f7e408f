"""``simkyc keys status|rotate|retire``: the master keys that wrap the data keys.

Output contract (README, "Command line and its output contract"): with
``--json`` exactly one JSON object on stdout; exit 0 done, 1 checked and not
done (a rotation left data keys it could not unwrap under an old key), 2 could
not run (no key file, an environment key with nowhere to write the new one, an
unreachable database, another ``keys`` command running), with a one-line
``error: <reason>`` on stderr and ``"error"`` in the JSON. Progress lines of a
rotation go to stderr.
"""

from __future__ import annotations

from typing import Any

import typer

from simkyc.cli.output import EXIT_FAILED, EXIT_OK, cannot_check, dumps
from simkyc.config import Settings
from simkyc.domain.errors import SimkycError

keys_app = typer.Typer(help="Master keys: status, rotation, retiring old keys.",
                       no_args_is_help=True)

JSON_OPT = typer.Option(False, "--json", help="Print one JSON object on stdout.")


def _open(as_json: bool) -> tuple[Any, Any]:
    """The key store and the runtime; nothing is created when either is refused."""
    from simkyc.adapters.keyfile import FileKeyStore
    from simkyc.runtime import build_runtime

    try:
        settings = Settings()
        store = FileKeyStore(settings)
        rt = build_runtime(settings)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    except Exception as exc:  # noqa: BLE001 - a driver or filesystem error, in one line
        cannot_check(
            f"cannot open the database: {str(exc).splitlines()[0] if str(exc) else exc!r}",
            as_json=as_json)
    return store, rt


def _status_text(s: Any) -> str:
    lines = [f"keyring: {s.location}", f"current master key: {s.current}"
             + (f" (rotation {s.rotation})" if s.rotation else "")]
    for fp in s.previous:
        note = " (from SIMKYC_PREVIOUS_MASTER_KEYS)" if fp in s.from_environment else ""
        note += " retirable" if fp in s.retirable else ""
        lines.append(f"previous master key: {fp}{note}")
    for fp, n in sorted(s.data_keys.items()):
        lines.append(f"data keys under {fp}: {n}")
    lines.append(f"destroyed data keys: {s.destroyed}")
    return "\n".join(lines)


@keys_app.command("status")
def keys_status(as_json: bool = JSON_OPT) -> None:
    """The master keys (fingerprints only) and how many data keys each one wraps."""
    from simkyc.services.keys import key_status

    store, rt = _open(as_json)
    try:
        status = key_status(rt.context, store)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    finally:
        rt.close()
    typer.echo(dumps(status.as_dict()) if as_json else _status_text(status))
    raise typer.Exit(EXIT_OK)


@keys_app.command("rotate")
def keys_rotate(
    batch_size: int = typer.Option(500, "--batch-size", min=1, max=100_000,
                                   help="Data keys re-wrapped per transaction."),
    as_json: bool = JSON_OPT,
) -> None:
    """Make a new master key and re-wrap every data key under it (resumes an unfinished
    rotation instead). The service keeps running; evidence is not re-encrypted."""
    from simkyc.services.keys import rotate_keys

    store, rt = _open(as_json)

    def progress(r: Any, total: int) -> None:
        done = r.rewrapped + r.already + r.destroyed
        typer.echo(f"re-wrapped {r.rewrapped} (seen {done} of {total}) data keys", err=True)

    try:
        result = rotate_keys(rt.context, store, batch_size=batch_size, progress=progress)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    finally:
        rt.close()
    if as_json:
        typer.echo(dumps(result.as_dict()))
    else:
        verb = "resumed rotation to" if result.resumed else "rotated to"
        typer.echo(f"{verb} master key {result.to}: {result.rewrapped} data keys re-wrapped, "
                   f"{result.already} already under it, {result.destroyed} destroyed"
                   + ("" if result.complete else
                      f"; {sum(result.remaining.values())} still under old keys "
                      f"({result.unreadable} unreadable): not complete"))
    raise typer.Exit(EXIT_OK if result.complete else EXIT_FAILED)


@keys_app.command("retire")
def keys_retire(as_json: bool = JSON_OPT) -> None:
    """Remove the previous master keys that no data key is wrapped under any more."""
    from simkyc.services.keys import retire_keys

    store, rt = _open(as_json)
    try:
        dropped, status = retire_keys(rt.context, store)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    finally:
        rt.close()
    if as_json:
        typer.echo(dumps({"retired": dropped, "status": status.as_dict()}))
    else:
        typer.echo(f"retired {len(dropped)} master key(s)"
                   + (f": {', '.join(dropped)}" if dropped else "") + "\n" + _status_text(status))
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.add_typer(keys_app, name="keys")


__all__ = ["register"]
