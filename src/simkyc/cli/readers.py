"""``simkyc reader enroll|list|revoke|keygen|sign``: the card readers allowed to sign records.

Output contract (README, "Command line and its output contract"): with
``--json`` exactly one JSON object on stdout; exit 0 done, 2 could not run (a
bad key file, an unknown outlet or device, an id or key already enrolled, an
unreachable database), with a one-line ``error: <reason>`` on stderr and
``"error"`` in the JSON. The local CLI is trusted (it can read the database
anyway); enrolment and revocation are audited.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import typer

from simkyc.cli.output import EXIT_OK, cannot_check, dumps
from simkyc.domain.errors import InputError, SimkycError
from simkyc.domain.parties import ReaderDevice

reader_app = typer.Typer(help="Card readers: enroll, list, revoke; keygen and sign to "
                              "simulate one.", no_args_is_help=True)

JSON_OPT = typer.Option(False, "--json", help="Print one JSON object on stdout.")


@contextmanager
def _context(as_json: bool) -> Iterator[Any]:
    """The service context of a runtime opened as every admin command opens it."""
    from simkyc.cli.admin import runtime

    with runtime(as_json=as_json) as rt:
        yield rt.context


def _as_dict(d: ReaderDevice) -> dict[str, Any]:
    from simkyc.document.reader_signature import b64url

    return {"device_id": d.device_id, "outlet_id": d.outlet_id, "outlet": d.outlet_name,
            "public_key": b64url(d.public_key), "enrolled_at": d.enrolled_at,
            "enrolled_by": d.enrolled_by, "revoked_at": d.revoked_at,
            "state": "revoked" if d.revoked_at else "active"}


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"{path}: cannot read the {what} ({exc.strerror})") from None


def read_reader_key(path: Path) -> bytes:
    """A reader's Ed25519 public key from the file ``path`` (PEM, or the base64 of its
    32 raw bytes) as raw bytes; InputError naming ``path``."""
    from simkyc.document.reader_signature import load_public_key

    data = _read(path, "public key")
    try:
        return load_public_key(data)
    except InputError as exc:
        raise InputError(f"{path}: {exc}") from None


@reader_app.command("enroll")
def reader_enroll(
    outlet: str = typer.Option(..., "--outlet", help="The outlet (name or id) the reader is at."),
    public_key: Path = typer.Option(..., "--public-key", help="The reader's Ed25519 public "
                                    "key: PEM, or the base64 of its 32 raw bytes."),
    device_id: str | None = typer.Option(None, "--device-id", help="The id the reader puts in "
                                         "its signatures (default: from the key)."),
    as_json: bool = JSON_OPT,
) -> None:
    """Enroll a card reader at an outlet; prints its device id."""
    from simkyc.services.readers import enroll_reader

    try:
        key = read_reader_key(public_key)
    except SimkycError as exc:
        cannot_check(str(exc), as_json=as_json)
    with _context(as_json) as ctx:
        device = enroll_reader(ctx, outlet=outlet, public_key=key, device_id=device_id)
    typer.echo(dumps(_as_dict(device)) if as_json else device.device_id)
    raise typer.Exit(EXIT_OK)


@reader_app.command("list")
def reader_list(as_json: bool = JSON_OPT) -> None:
    """Every enrolled reader: id, state, outlet, when enrolled."""
    from simkyc.services.readers import list_readers

    with _context(as_json) as ctx:
        devices = list_readers(ctx)
    if as_json:
        typer.echo(dumps({"readers": [_as_dict(d) for d in devices]}))
    else:
        for d in devices:
            state = f"revoked {d.revoked_at:%Y-%m-%d %H:%M}" if d.revoked_at else "active"
            typer.echo(f"{d.device_id}  {state}  {d.outlet_name or d.outlet_id}  "
                       f"enrolled {d.enrolled_at:%Y-%m-%d %H:%M}")
    raise typer.Exit(EXIT_OK)


@reader_app.command("revoke")
def reader_revoke(device_id: str = typer.Argument(..., help="The reader's device id."),
                  as_json: bool = JSON_OPT) -> None:
    """Revoke a reader at once (audited): its records are refused from now on."""
    from simkyc.services.readers import revoke_reader

    with _context(as_json) as ctx:
        device = revoke_reader(ctx, device_id=device_id)
    typer.echo(dumps(_as_dict(device)) if as_json else f"revoked {device.device_id}")
    raise typer.Exit(EXIT_OK)


@reader_app.command("keygen")
def reader_keygen(
    out: Path = typer.Option(..., "--out", help="Where to write the private key (PEM, mode "
                             "0600); the public key goes beside it as OUT.pub."),
    as_json: bool = JSON_OPT,
) -> None:
    """Make an Ed25519 key pair to simulate a reader (tests, demos)."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from simkyc.document.reader_signature import raw_public_key
    from simkyc.services.readers import default_device_id

    pub_path = out.with_name(out.name + ".pub")
    if out.exists() or pub_path.exists():
        cannot_check(f"{out if out.exists() else pub_path} exists: not overwritten",
                     as_json=as_json)
    key = Ed25519PrivateKey.generate()
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    try:
        fd = os.open(out, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "wb") as f:
            f.write(private)
        pub_path.write_bytes(public)
    except OSError as exc:
        cannot_check(f"{out}: cannot write the key ({exc.strerror})", as_json=as_json)
    payload = {"private_key": str(out), "public_key": str(pub_path),
               "device_id": default_device_id(raw_public_key(key))}
    typer.echo(dumps(payload) if as_json else f"private key {out}\npublic key {pub_path}")
    raise typer.Exit(EXIT_OK)


@reader_app.command("sign")
def reader_sign(
    record: Path = typer.Argument(..., help="The reader record (JSON) to sign."),
    key: Path = typer.Option(..., "--key", help="The reader's private key (PEM, keygen)."),
    device_id: str | None = typer.Option(None, "--device-id", help="The reader's device id "
                                         "(default: from the key)."),
) -> None:
    """Sign a record as a reader would, stamping reader.read_at now; the signed record on
    stdout."""
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    from simkyc.document.reader_signature import raw_public_key, sign_record
    from simkyc.services.readers import default_device_id

    try:
        private = serialization.load_pem_private_key(_read(key, "private key"), password=None)
        if not isinstance(private, Ed25519PrivateKey):
            raise InputError(f"{key}: not an Ed25519 private key")
        try:
            body = json.loads(_read(record, "record").decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{record}: not valid JSON ({exc})") from None
        if not isinstance(body, dict):
            raise InputError(f"{record}: not a JSON object")
    except SimkycError as exc:
        cannot_check(str(exc), as_json=False)
    except ValueError as exc:
        cannot_check(f"{key}: not a PEM private key ({exc})", as_json=False)
    signed = sign_record(body, private, device_id or default_device_id(raw_public_key(private)))
    typer.echo(json.dumps(signed, ensure_ascii=False))
    raise typer.Exit(EXIT_OK)


def register(app: typer.Typer) -> None:
    app.add_typer(reader_app, name="reader")


__all__ = ["register"]
