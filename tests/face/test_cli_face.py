"""`simkyc face compare|quality` under the output contract (exit 0/1/2, one JSON object)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from simkyc.cli.main import run

FR = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces" / "face_recognition"


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, dict, str]:
    with pytest.raises(SystemExit) as exc:
        run(args)
    out = capsys.readouterr()
    lines = [ln for ln in out.out.splitlines() if ln.strip()]
    assert len(lines) == 1, out.out  # exactly one JSON object on stdout
    return int(exc.value.code or 0), json.loads(lines[0]), out.err


def test_compare_match_exit_0(capsys, face_gen):
    ref = face_gen.chip_reference(FR / "obama.jpg")
    code, body, _ = _run(["face", "compare", str(ref), str(FR / "obama_small.jpg"), "--json"],
                         capsys)
    assert code == 0 and body["match"] is True
    assert 0 <= body["distance"] <= body["threshold"]
    from simkyc.domain.policy import DEFAULT_POLICY

    embedding = {"dlib": "dlib_face_recognition_resnet_model_v1", "sface": "sface_2021dec_int8bq"}
    assert body["model"].startswith(embedding[DEFAULT_POLICY.face.model] + "+")
    assert body["threshold"] == DEFAULT_POLICY.face.match_threshold
    for side in ("reference", "live"):
        assert body[side]["faces_found"] == 1
        assert body[side]["quality"]["passed"] is True
        assert body[side]["quality"]["checks"]


@pytest.mark.parametrize("model", ["dlib", "sface"])
def test_compare_with_either_matcher(model, capsys, face_gen):
    from simkyc.domain.policy import FacePolicy

    ref = face_gen.chip_reference(FR / "obama.jpg")
    code, body, _ = _run(["face", "compare", str(ref), str(FR / "obama_small.jpg"),
                          "--model", model, "--json"], capsys)
    assert code == 0 and body["match"] is True
    assert body["threshold"] == FacePolicy(model=model).match_threshold
    assert body["model"].split("+")[1] == ("yunet_2023mar_int8bq" if model == "sface" else "hog")
    code, body, _ = _run(["face", "compare", str(ref), str(FR / "biden.jpg"), "--model", model,
                          "--json"], capsys)
    assert code == 1 and "face_mismatch" in body["reasons"]
    code, body, _ = _run(["face", "quality", str(FR / "two_people.jpg"), "--model", model,
                          "--json"], capsys)
    assert code == 1 and body["faces_found"] == 2
    assert body["detector"] == FacePolicy(model=model).detector


def test_compare_different_people_exit_1(capsys):
    code, body, _ = _run(["face", "compare", str(FR / "obama.jpg"), str(FR / "biden.jpg"),
                          "--json"], capsys)
    assert code == 1 and body["match"] is False and body["distance"] > body["threshold"]
    assert "face_mismatch" in body["reasons"]


def test_compare_several_faces_exit_2(capsys):
    code, body, err = _run(["face", "compare", str(FR / "obama.jpg"), str(FR / "two_people.jpg"),
                            "--json"], capsys)
    assert code == 2 and "2 faces" in body["error"] and "2 faces" in err
    assert body["live"]["faces_found"] == 2 and body["distance"] is None
    assert body["live"]["quality"]["reasons"] == ["multiple_faces"]


def test_compare_unreadable_exit_2(capsys, tmp_path):
    bad = tmp_path / "photo.jpg"
    bad.write_bytes((FR / "obama_small.jpg").read_bytes()[:500])  # truncated JPEG
    code, body, err = _run(["face", "compare", str(FR / "obama.jpg"), str(bad), "--json"], capsys)
    assert code == 2 and body["error"] and err.startswith("error:")
    missing = tmp_path / "nope.png"
    code, body, _ = _run(["face", "compare", str(missing), str(FR / "obama.jpg"), "--json"],
                         capsys)
    assert code == 2 and "cannot read" in body["error"]


def test_compare_human_readable(capsys):
    with pytest.raises(SystemExit) as exc:
        run(["face", "compare", str(FR / "obama.jpg"), str(FR / "obama_partial_face.jpg")])
    out = capsys.readouterr().out
    assert exc.value.code == 1
    assert "NO MATCH" in out and "face_cut_off" in out and "请将整张脸置于画面中央" in out


def test_quality_command(capsys, face_gen):
    code, body, _ = _run(["face", "quality", str(face_gen.variant("obama_dark.png")), "--json"],
                         capsys)
    assert code == 1 and body["passed"] is False
    assert body["quality"]["reasons"][0] == "face_too_dark"
    assert body["quality"]["messages"]["face_too_dark"]["zh-Hans"] == "光线太暗，请面向光源。"
    code, body, _ = _run(["face", "quality", str(face_gen.id_card_reference(FR / "obama.jpg")),
                          "--reference", "--json"], capsys)
    assert code == 0 and body["passed"] is True


def test_console_script_stderr_is_one_line(tmp_path):
    """Through the installed entry point: mediapipe's native logging is kept off stderr."""
    import subprocess
    import sys

    exe = Path(sys.executable).with_name("simkyc")
    proc = subprocess.run([str(exe), "face", "compare", str(FR / "obama.jpg"),
                           str(FR / "two_people.jpg"), "--json"],
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.strip().splitlines() == [
        "error: 2 faces found in the live image (need exactly one)"]
    assert json.loads(proc.stdout)["live"]["faces_found"] == 2
