"""`simkyc` commands of the document stage (mounted by :mod:`simkyc.cli.main`).

- ``simkyc id check NUMBER``: a Chinese resident identity number.
- ``simkyc mrz parse LINE LINE [LINE]`` (or lines on stdin): an ICAO 9303 MRZ.
- ``simkyc doc read IMAGE``: read and validate a photographed document.
- ``simkyc doc reader-record FILE.json [--reader-key KEY]``: validate an identity-card
  reader record; with ``--reader-key``, also its Ed25519 signature under that reader's
  public key (what the server checks against the enrolled reader).

Exit codes follow :mod:`simkyc.cli.output`: 0 valid, 1 invalid, 2 cannot check.
"""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import typer

from simkyc.cli.output import run_check
from simkyc.domain.errors import InputError

id_app = typer.Typer(help="Chinese resident identity numbers (GB 11643).", no_args_is_help=True)
mrz_app = typer.Typer(help="ICAO 9303 machine-readable zones.", no_args_is_help=True)
doc_app = typer.Typer(help="Identity documents: photographs and card-reader records.",
                      no_args_is_help=True)

JSON_OPT = typer.Option(False, "--json", help="Print one JSON object.")
ON_OPT = typer.Option(None, "--on", help="Judge validity on YYYY-MM-DD (default today).")


def _on(value: str | None) -> date:
    if value is None:
        return date.today()
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise InputError(f"--on {value!r} is not a date YYYY-MM-DD") from exc


@id_app.command("check")
def id_check(
    number: str = typer.Argument(..., help="The 18-character number."),
    as_json: bool = JSON_OPT,
) -> None:
    """Check a resident identity number: checksum, birth date, region."""
    from simkyc.document.id_number import check_id_number

    def body() -> tuple[dict[str, Any], bool]:
        result = check_id_number(number, today=date.today())
        return result.to_dict(), result.valid

    def render(p: dict[str, Any]) -> str:
        if not p["valid"]:
            return f"{p['number']}: invalid ({p['error']})"
        region = p["region"] or {}
        return (f"{p['number']}: valid; born {p['birth_date']}, sex {p['sex']}, "
                f"{region.get('province', '')}{region.get('county', '')} ({region.get('code')})")

    run_check(body, as_json=as_json, render=render)


@mrz_app.command("parse")
def mrz_parse(
    lines: list[str] | None = typer.Argument(None, help="2 or 3 MRZ lines (else read stdin)."),
    as_json: bool = JSON_OPT,
    on: str | None = typer.Option(None, "--on", help="Reference day YYYY-MM-DD for centuries."),
) -> None:
    """Parse a TD1, TD2 or TD3 MRZ and verify every check digit."""
    from simkyc.document.mrz import parse_mrz

    def body() -> tuple[dict[str, Any], bool]:
        given = list(lines or [])
        if not given:
            if sys.stdin is None or sys.stdin.isatty():
                raise InputError("give the MRZ lines as arguments or on stdin")
            given = sys.stdin.read().splitlines()
        result = parse_mrz(given, today=_on(on))
        return result.to_dict(), result.valid

    def render(p: dict[str, Any]) -> str:
        failed = [k for k, ok in p["checks"].items() if not ok]
        head = f"{p['format']} {p['document_code']} {p['issuing_state']} {p['document_number']}: "
        head += "valid" if p["valid"] else f"invalid ({', '.join(p['reasons'] or failed)})"
        return (f"{head}\n  {p['surname']}, {p['given_names']}; born {p['birth_date']}, sex "
                f"{p['sex']}, nationality {p['nationality']}; expires {p['expiry_date']}")

    run_check(body, as_json=as_json, render=render)


def _render_reading(p: dict[str, Any]) -> str:
    out = [f"{p['kind']}: " + ("accepted" if p["accepted"] else
                               "refused (" + ", ".join(p["reasons"]) + ")")]
    for name, value in p["fields"].items():
        if name == "mrz":
            continue
        check = p["validation"].get(name)
        mark = "" if check is None else ("  ok" if check["valid"] else f"  !{check['reason']}")
        out.append(f"  {name}: {value}{mark}")
    if p.get("photo"):
        ph = p["photo"]
        out.append(f"  photo: {ph['width']}x{ph['height']} at ({ph['x']}, {ph['y']})")
    sig = p.get("signature")
    if sig is not None:
        state = ("absent" if not sig["present"] else "present, not checked (no --reader-key)"
                 if not sig["checked"] else "valid" if sig["valid"] else f"!{sig['reason']}")
        out.append(f"  signature: {state}" + (f" (device {sig['device_id']})"
                                             if sig["device_id"] else ""))
    return "\n".join(out)


def _save_photo(photo: Any, path: Path | None) -> None:
    if path is None or photo is None:
        return
    from PIL import Image

    try:
        Image.fromarray(photo).save(path)
    except (OSError, ValueError) as exc:
        raise InputError(f"cannot write the photo to {path}: {exc}") from exc


@doc_app.command("read")
def doc_read(
    image: Path = typer.Argument(..., help="Photograph of the document (JPEG, PNG, WebP, BMP)."),
    kind: str = typer.Option("auto", "--kind",
                             help="auto | cn-id-front | cn-id-back | passport | td1"),
    as_json: bool = JSON_OPT,
    photo_out: Path | None = typer.Option(None, "--photo-out", help="Save the face photo here."),
    on: str | None = ON_OPT,
) -> None:
    """Read a photographed document, validate its fields, extract its face photo."""

    def body() -> tuple[dict[str, Any], bool]:
        from simkyc.document.ocr import load_document_models
        from simkyc.document.reading import READ_KINDS, read_document
        from simkyc.media.images import read_image_file

        if kind not in READ_KINDS:
            raise InputError(f"--kind {kind!r}: one of {', '.join(READ_KINDS)}")
        day = _on(on)
        pixels = read_image_file(image)
        reading = read_document(pixels, models=load_document_models(), kind=kind, on=day)
        _save_photo(reading.photo, photo_out)
        return reading.to_dict(), reading.accepted

    run_check(body, as_json=as_json, render=_render_reading)


@doc_app.command("reader-record")
def doc_reader_record(
    file: Path = typer.Argument(..., help="Reader record (JSON, see reader_record.schema.json)."),
    as_json: bool = JSON_OPT,
    photo_out: Path | None = typer.Option(None, "--photo-out", help="Save the chip photo here."),
    on: str | None = ON_OPT,
    reader_key: Path | None = typer.Option(
        None, "--reader-key", help="The reader's Ed25519 public key (PEM, or the base64 of "
        "its 32 raw bytes): also verify the record's signature. Freshness is not judged "
        "offline; the server does that."),
) -> None:
    """Validate an identity-card reader record; its chip photo becomes the reference.

    Without ``--reader-key`` the signature is reported as present or absent, not checked
    (exit 0 says nothing about who made the record). With it, a missing or failing
    signature refuses the record (exit 1, reason ``reader_unsigned`` or
    ``reader_bad_signature``).
    """

    def body() -> tuple[dict[str, Any], bool]:
        from simkyc.document.reader_record import check_reader_record

        try:
            record = json.loads(file.read_text(encoding="utf-8"))
        except OSError as exc:
            raise InputError(f"cannot read {file}: {exc.strerror or exc}") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(f"{file.name} is not JSON: {exc}") from exc
        key = None
        if reader_key is not None:
            from simkyc.cli.readers import read_reader_key

            key = read_reader_key(reader_key)
        reading = check_reader_record(record, on=_on(on))
        _save_photo(reading.photo, photo_out)
        out = reading.to_dict()
        out["signature"] = _signature_view(record, key)
        if out["signature"]["valid"] is False:
            out["reasons"] = [*out["reasons"], out["signature"]["reason"]]
            out["accepted"] = False
        return out, out["accepted"]

    run_check(body, as_json=as_json, render=_render_reading)


def _signature_view(record: Any, key: bytes | None) -> dict[str, Any]:
    """``present``, ``checked``, ``valid`` (None when not checked), ``device_id``, ``reason``."""
    from simkyc.document.reader_signature import verify_signature
    from simkyc.domain.errors import ReaderRecordRefusedError

    member = record.get("signature") if isinstance(record, dict) else None
    device = member.get("device_id") if isinstance(member, dict) else None
    view: dict[str, Any] = {"present": member is not None, "checked": key is not None,
                            "valid": None, "device_id": device, "reason": None}
    if key is None:
        return view
    try:
        verify_signature(record, key)
    except ReaderRecordRefusedError as exc:
        view.update(valid=False, reason=exc.reason)
    else:
        view["valid"] = True
    return view


def register(app: typer.Typer) -> None:
    """Mount this stage's commands: ``id``, ``mrz`` and ``doc``."""
    app.add_typer(id_app, name="id")
    app.add_typer(mrz_app, name="mrz")
    app.add_typer(doc_app, name="doc")
