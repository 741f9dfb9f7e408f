"""``simkyc backup create|restore``: the database, the evidence store and the keys.

Output contract (README): ``--json`` prints exactly one JSON object; exit 0
done (a restore: and its drill passed), 1 a restore whose drill found a
problem (counts, evidence, keys or the audit chain), 2 could not run (a folder
that is not empty, a deployment that is not empty, a missing or damaged
backup, S3 evidence) with a one-line ``error: <reason>`` on stderr.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from simkyc.cli.output import EXIT_FAILED, EXIT_OK, cannot_check, dumps
from simkyc.config import Settings
from simkyc.domain.errors import SimkycError

backup_app = typer.Typer(help="Back up and restore the database, evidence and keys.",
                         no_args_is_help=True)

JSON_OPT = typer.Option(False, "--json", help="Print one JSON object on stdout.")
KEYS_OPT = typer.Option(None, "--keys-dir",
                        help="Where the keys go / come from (default DIR/keys); keep them "
                             "apart from the evidence they protect.")


def _one_line(exc: Exception) -> str:
    text = str(exc)
    return text.splitlines()[0] if text else repr(exc)


@backup_app.command("create")
def backup_create(folder: Path = typer.Argument(..., help="A new or empty folder."),
                  keys_dir: Path | None = KEYS_OPT, as_json: bool = JSON_OPT) -> None:
    """Copy the database (a consistent snapshot), the evidence files and the keys."""
    from simkyc.adapters.backup import DeploymentParts
    from simkyc.adapters.keyfile import key_file_path
    from simkyc.runtime import build_runtime
    from simkyc.services.backup import create_backup

    try:
        settings = Settings()
        parts = DeploymentParts(settings)
        if not settings.master_key and not key_file_path(settings).exists():
            cannot_check(f"no master key: {key_file_path(settings)} does not exist and "
                         "SIMKYC_MASTER_KEY is not set", as_json=as_json)
        problem = parts.source_problem()
        if problem:
            cannot_check(problem, as_json=as_json)
        rt = build_runtime(settings)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    except OSError as exc:
        cannot_check(_one_line(exc), as_json=as_json)
    try:
        report = create_backup(rt.context, parts, folder, keys_dir)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    except OSError as exc:
        cannot_check(f"cannot write the backup: {_one_line(exc)}", as_json=as_json)
    finally:
        rt.close()
    d = report.as_dict()
    if as_json:
        typer.echo(dumps(d))
    else:
        typer.echo(f"backed up {d['database']} at revision {d['revision']}: {d['rows']} rows "
                   f"({d['registrations']} registrations), {d['evidence_files']} evidence "
                   f"files, keys ({d['keys']}) in {d['keys_dir']}; the copied keys unwrap "
                   f"all {d['data_keys_checked']} data keys")
    raise typer.Exit(EXIT_OK)


def _drill_text(r: Any) -> str:
    lines = [f"restore drill: {'passed' if r.ok else 'FAILED'}",
             f"row counts match the manifest: {r.counts_match}"
             + (f" {r.count_mismatches}" if r.count_mismatches else ""),
             f"evidence decrypted and matching its SHA-256: {r.evidence_read}"
             f" (destroyed: {r.evidence_destroyed}, failed: {len(r.evidence_failed)})",
             f"data keys unwrapped: {r.data_keys_unwrapped} (failed: {len(r.data_keys_failed)})",
             f"audit chain intact: {r.audit_intact} ({r.audit_entries} entries)"]
    return "\n".join(lines)


@backup_app.command("restore")
def backup_restore(folder: Path = typer.Argument(..., help="A folder `backup create` wrote."),
                   keys_dir: Path | None = KEYS_OPT, as_json: bool = JSON_OPT) -> None:
    """Restore into an empty deployment (data dir, database), then run the restore drill."""
    from simkyc.adapters.backup import DeploymentParts
    from simkyc.runtime import build_runtime
    from simkyc.services.backup import restore_backup, verify_restore

    try:
        settings = Settings()
        parts = DeploymentParts(settings)
        manifest = restore_backup(parts, folder, keys_dir)
        rt = build_runtime(settings)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    except Exception as exc:  # noqa: BLE001 - a driver or filesystem error, in one line
        cannot_check(f"restore failed: {_one_line(exc)}", as_json=as_json)
    try:
        report = verify_restore(rt.context, parts, manifest)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    finally:
        rt.close()
    typer.echo(dumps({"restored_from": manifest["created_at"], **report.as_dict()})
               if as_json else _drill_text(report))
    raise typer.Exit(EXIT_OK if report.ok else EXIT_FAILED)


def register(app: typer.Typer) -> None:
    app.add_typer(backup_app, name="backup")


__all__ = ["register"]
