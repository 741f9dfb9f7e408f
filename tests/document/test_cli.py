"""The document commands under the output contract (exit 0 valid, 1 invalid, 2 cannot check)."""

from __future__ import annotations

import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import pytest

from simkyc.cli.main import run

TD3 = ["P<UTOERIKSSON<<ANNA<MARIA<<<<<<<<<<<<<<<<<<<",
       "L898902C36UTO7408122F1204159ZE184226B<<<<<10"]


def cli(args: list[str], capsys: pytest.CaptureFixture[str],
        monkeypatch: pytest.MonkeyPatch | None = None, stdin: str | None = None
        ) -> tuple[int, str, str]:
    if stdin is not None and monkeypatch is not None:
        monkeypatch.setattr("sys.stdin", io.StringIO(stdin))
    with pytest.raises(SystemExit) as exc:
        run(args)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def one_json(out: str) -> dict[str, Any]:
    lines = [ln for ln in out.splitlines() if ln.strip()]
    assert len(lines) == 1, out
    return dict(json.loads(lines[0]))


def test_id_check(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = cli(["id", "check", "11010519491231002x", "--json"], capsys)
    d = one_json(out)
    assert code == 0 and d["valid"] and d["number"] == "11010519491231002X"
    assert d["birth_date"] == "1949-12-31" and d["sex"] == "F"
    assert d["region"] == {"code": "110105", "province": "北京市", "county": "朝阳区"}
    code, out, _ = cli(["id", "check", "110105194912310021", "--json"], capsys)
    assert code == 1 and one_json(out)["error"] == "checksum"
    code, out, _ = cli(["id", "check", "360426199101010071"], capsys)
    assert code == 0 and "valid" in out


def test_id_check_usage(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["id", "check", "--json"], capsys)
    assert code == 2 and "error" in one_json(out) and err.startswith("error:")


def test_mrz_parse_args_and_stdin(capsys: pytest.CaptureFixture[str],
                                  monkeypatch: pytest.MonkeyPatch) -> None:
    code, out, _ = cli(["mrz", "parse", *TD3, "--json", "--on", "2010-01-01"], capsys)
    d = one_json(out)
    assert code == 0 and d["valid"] and d["format"] == "TD3"
    assert d["checks"] == {"document_number": True, "birth_date": True, "expiry_date": True,
                           "optional_data": True, "composite": True}
    code, out, _ = cli(["mrz", "parse", "--json"], capsys, monkeypatch, "\n".join(TD3) + "\n")
    assert code == 0 and one_json(out)["document_number"] == "L898902C3"
    bad = TD3[1][:9] + "7" + TD3[1][10:]
    code, out, _ = cli(["mrz", "parse", TD3[0], bad, "--json"], capsys)
    d = one_json(out)
    assert code == 1 and not d["valid"] and d["checks"]["document_number"] is False


@pytest.mark.parametrize("lines", [[TD3[0][:-1], TD3[1]], [TD3[0]], ["ABC", "DEF", "GHI"]])
def test_mrz_wrong_lengths_exit_2(lines: list[str], capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(["mrz", "parse", *lines, "--json"], capsys)
    assert code == 2 and "expected" in one_json(out)["error"] and "Traceback" not in err


def test_doc_read_json_and_photo_out(tmp_path: Path, generated: Any,
                                     capsys: pytest.CaptureFixture[str]) -> None:
    path, truth = generated("passport", 0)
    photo = tmp_path / "face.png"
    code, out, _ = cli(["doc", "read", str(path), "--json", "--photo-out", str(photo),
                        "--on", "2026-11-29"], capsys)
    d = one_json(out)
    assert code == 0 and d["kind"] == "passport" and d["valid"] and d["expired"] is False
    assert d["fields"]["mrz"] == truth["mrz"]
    assert set(d["photo"]) == {"x", "y", "width", "height"}
    from PIL import Image

    with Image.open(photo) as im:
        # The crop is the portrait turned upright; the box bounds it in the photo
        # (a page rotated by a few degrees makes the box slightly larger).
        w, h = d["photo"]["width"], d["photo"]["height"]
        assert 0.85 * w <= im.size[0] <= w and 0.85 * h <= im.size[1] <= h
    # The same passport judged after its expiry: checked and refused, exit 1.
    code, out, _ = cli(["doc", "read", str(path), "--json", "--kind", "passport",
                        "--on", "2040-01-01"], capsys)
    d = one_json(out)
    assert code == 1 and d["expired"] is True and "document_expired" in d["reasons"]


def _png_header(width: int, height: int) -> bytes:
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (b"\x89PNG\r\n\x1a\n" + struct.pack(">I", len(ihdr)) + chunk
            + struct.pack(">I", zlib.crc32(chunk)))


def _png(width: int, height: int) -> bytes:
    """A real, complete black PNG; 12,000 x 12,000 compresses to ~200 kB (a bomb)."""
    raw = zlib.compress(b"\x00" * ((width * 3 + 1) * height), 9)
    idat = b"IDAT" + raw
    iend = b"IEND"
    return (_png_header(width, height) + struct.pack(">I", len(raw)) + idat
            + struct.pack(">I", zlib.crc32(idat)) + struct.pack(">I", 0) + iend
            + struct.pack(">I", zlib.crc32(iend)))


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("notes.txt", b"hello, this is not an image", "not an image"),
        ("empty.jpg", b"", "empty"),
        ("wide.png", (13_000, 200), "exceeds"),
        ("enormous.png", _png_header(60_000, 60_000), "not an image|exceeds"),
        ("bomb.png", (12_000, 12_000), "exceeds"),
        ("truncated.jpg", "truncated", "truncated|corrupt|unreadable"),
        ("missing.jpg", "missing", "cannot read"),
    ],
)
def test_doc_read_bad_inputs_exit_2(name: str, content: Any, message: str, tmp_path: Path,
                                    generated: Any, capsys: pytest.CaptureFixture[str]) -> None:
    import re

    path = tmp_path / name
    if isinstance(content, tuple):
        path.write_bytes(_png(*content))
    elif content == "truncated":
        src, _ = generated("td1", 0)
        data = src.read_bytes()
        path.write_bytes(data[: len(data) // 3])
    elif content != "missing":
        path.write_bytes(content)
    code, out, err = cli(["doc", "read", str(path), "--json"], capsys)
    assert code == 2, (out, err)
    assert re.search(message, one_json(out)["error"])
    assert "Traceback" not in err and len(err.strip().splitlines()) == 1


def test_doc_read_no_document_and_bad_options(tmp_path: Path,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    from PIL import Image

    blank = tmp_path / "blank.png"
    Image.new("RGB", (640, 480), (180, 180, 180)).save(blank)
    code, out, _ = cli(["doc", "read", str(blank), "--json"], capsys)
    assert code == 2 and "no text" in one_json(out)["error"]
    code, out, _ = cli(["doc", "read", str(blank), "--kind", "visa", "--json"], capsys)
    assert code == 2 and "--kind" in one_json(out)["error"]
    code, out, _ = cli(["doc", "read", str(blank), "--on", "29/11/2026", "--json"], capsys)
    assert code == 2 and "--on" in one_json(out)["error"]


def test_reader_record_cli(tmp_path: Path, reader_record: dict[str, Any],
                           capsys: pytest.CaptureFixture[str]) -> None:
    good = tmp_path / "record.json"
    good.write_text(json.dumps(reader_record, ensure_ascii=False), encoding="utf-8")
    photo = tmp_path / "chip.png"
    code, out, _ = cli(["doc", "reader-record", str(good), "--json", "--photo-out", str(photo),
                        "--on", "2026-11-29"], capsys)
    d = one_json(out)
    assert code == 0 and d["kind"] == "cn-id-reader" and d["valid"] and photo.exists()
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps({**reader_record, "id_number": "110105194912310021"}),
                   encoding="utf-8")
    code, out, _ = cli(["doc", "reader-record", str(bad), "--json"], capsys)
    assert code == 1 and "id_number_checksum" in one_json(out)["reasons"]
    nophoto = tmp_path / "nophoto.json"
    nophoto.write_text(json.dumps({k: v for k, v in reader_record.items() if k != "photo"}),
                       encoding="utf-8")
    code, out, err = cli(["doc", "reader-record", str(nophoto), "--json"], capsys)
    assert code == 2 and "chip photo" in one_json(out)["error"]
    notjson = tmp_path / "x.json"
    notjson.write_text("{not json", encoding="utf-8")
    code, out, _ = cli(["doc", "reader-record", str(notjson), "--json"], capsys)
    assert code == 2 and "not JSON" in one_json(out)["error"]


def test_reader_record_cli_checks_the_signature_with_reader_key(
        tmp_path: Path, reader_record: dict[str, Any], capsys: pytest.CaptureFixture[str]) -> None:
    """``--reader-key`` verifies the record's Ed25519 signature offline; without it the
    signature is only reported as present (a typed record must not look reader-made)."""
    from reader_keys import device_id, public_key, signed

    from simkyc.document.reader_signature import b64url

    key = tmp_path / "reader.pub"
    key.write_text(b64url(public_key("Outlet A")))
    other = tmp_path / "other.pub"
    other.write_text(b64url(public_key("Outlet B")))
    good = tmp_path / "signed.json"
    good.write_text(json.dumps(signed(reader_record), ensure_ascii=False), encoding="utf-8")
    typed = tmp_path / "typed.json"
    typed.write_text(json.dumps(reader_record, ensure_ascii=False), encoding="utf-8")
    altered = tmp_path / "altered.json"
    altered.write_text(json.dumps({**signed(reader_record), "name": "李四"}, ensure_ascii=False),
                       encoding="utf-8")

    code, out, _ = cli(["doc", "reader-record", str(good), "--reader-key", str(key), "--json",
                        "--on", "2026-11-29"], capsys)
    sig = one_json(out)["signature"]
    assert code == 0 and sig == {"present": True, "checked": True, "valid": True,
                                 "device_id": device_id("Outlet A"), "reason": None}
    code, out, _ = cli(["doc", "reader-record", str(good), "--reader-key", str(other), "--json",
                        "--on", "2026-11-29"], capsys)
    d = one_json(out)
    assert code == 1 and not d["accepted"] and "reader_bad_signature" in d["reasons"]
    code, out, _ = cli(["doc", "reader-record", str(altered), "--reader-key", str(key),
                        "--json", "--on", "2026-11-29"], capsys)
    assert code == 1 and one_json(out)["signature"]["reason"] == "reader_bad_signature"
    code, out, _ = cli(["doc", "reader-record", str(typed), "--reader-key", str(key), "--json",
                        "--on", "2026-11-29"], capsys)
    assert code == 1 and one_json(out)["reasons"][-1] == "reader_unsigned"
    code, out, _ = cli(["doc", "reader-record", str(typed), "--json", "--on", "2026-11-29"],
                       capsys)
    assert code == 0 and one_json(out)["signature"]["checked"] is False
    code, out, _ = cli(["doc", "reader-record", str(good), "--on", "2026-11-29"], capsys)
    assert code == 0 and "present, not checked" in out
    bad_key = tmp_path / "bad.pub"
    bad_key.write_text("not a key")
    code, out, _ = cli(["doc", "reader-record", str(good), "--reader-key", str(bad_key),
                        "--json"], capsys)
    assert code == 2 and "bad.pub" in one_json(out)["error"]
