"""`simkyc voice check` / `simkyc voice challenge`: the output contract, every audio format."""

from __future__ import annotations

import json

import pytest

from simkyc.cli.main import run


def _run(args: list[str], capsys) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        run(args)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


@pytest.fixture(scope="module")
def answer(generator):
    return generator.speak("cmn", "372905", seed=21)


@pytest.mark.parametrize("fmt", ["wav", "webm", "ogg", "mp3"])
def test_check_passes_in_every_format(generator, answer, fmt, tmp_path, capsys):
    path = tmp_path / f"answer.{fmt}"
    path.write_bytes(generator.encode(answer, fmt))
    code, out, _ = _run(["voice", "check", str(path), "--digits", "372905", "--lang", "cmn",
                         "--json"], capsys)
    payload = json.loads(out)
    assert code == 0, payload
    assert payload["passed"] is True and payload["language"] == "cmn"
    assert payload["heard"] is None and payload["reasons"] == []
    for c in payload["checks"].values():
        assert set(c) == {"passed", "value", "threshold"}


def test_check_failure_exits_1_with_reasons(generator, answer, tmp_path, capsys):
    path = tmp_path / "a.wav"
    path.write_bytes(generator.encode(answer, "wav"))
    code, out, _ = _run(["voice", "check", str(path), "--digits", "37290", "--lang", "cmn",
                         "--json"], capsys)
    assert code == 1
    assert json.loads(out)["reasons"] == ["wrong_digit_count"]
    code, out, _ = _run(["voice", "check", str(path), "--digits", "37290", "--lang", "cmn"],
                        capsys)
    assert code == 1 and "FAIL unit_count" in out and "wrong_digit_count" in out


def test_english_reports_heard_digits(generator, tmp_path, capsys):
    path = tmp_path / "en.webm"
    path.write_bytes(generator.encode(generator.speak("en", "581406", seed=22), "webm"))
    code, out, _ = _run(["voice", "check", str(path), "--digits", "581406", "--lang", "en",
                         "--json"], capsys)
    assert code == 0 and json.loads(out)["heard"] == "581406"


def test_check_with_video(generator, talking_pair, tmp_path, capsys):
    x, digits, _ = talking_pair["a"]
    audio = tmp_path / "a.wav"
    audio.write_bytes(generator.encode(x, "wav"))
    video = generator.talking_video("face_recognition/obama.jpg", x, seed=11)
    code, out, _ = _run(["voice", "check", str(audio), "--digits", digits, "--lang", "en",
                         "--video", str(video), "--json"], capsys)
    payload = json.loads(out)
    assert code == 0, payload
    assert payload["checks"]["av_sync"]["passed"] is True


def test_check_one_browser_recording_as_audio_and_video(generator, talking_pair, tmp_path,
                                                        capsys):
    # One WebM carries both tracks (the capture page's upload); its camera starts 0.4 s late.
    x, digits, _ = talking_pair["a"]
    rec = tmp_path / "answer.webm"
    rec.write_bytes(generator.recording("face_recognition/obama.jpg", x, seed=11,
                                        video_delay_s=0.4))
    code, out, _ = _run(["voice", "check", str(rec), "--digits", digits, "--lang", "en",
                         "--video", str(rec), "--json"], capsys)
    payload = json.loads(out)
    assert code == 0, payload
    assert payload["checks"]["av_sync"]["passed"] is True


@pytest.mark.parametrize("bad, message", [("text", "not readable audio"),
                                          ("missing", "cannot read")])
def test_unreadable_input_exits_2(tmp_path, capsys, bad, message):
    path = tmp_path / "x.wav"
    if bad == "text":
        path.write_text("definitely not audio " * 50)
    code, out, err = _run(["voice", "check", str(path), "--digits", "372905", "--json"], capsys)
    assert code == 2
    assert message in json.loads(out)["error"] and err.startswith("error:")


def test_bad_digits_and_language_exit_2(generator, answer, tmp_path, capsys):
    path = tmp_path / "a.wav"
    path.write_bytes(generator.encode(answer, "wav"))
    code, out, _ = _run(["voice", "check", str(path), "--digits", "12x", "--json"], capsys)
    assert code == 2 and "digits" in json.loads(out)["error"]
    code, out, _ = _run(["voice", "check", str(path), "--digits", "1", "--lang", "fr", "--json"],
                        capsys)
    assert code == 2 and "unknown language" in json.loads(out)["error"]


def test_challenge_command(tmp_path, capsys):
    wav = tmp_path / "prompt.wav"
    code, out, _ = _run(["voice", "challenge", "--lang", "en", "--attempt", "2", "--audio",
                         str(wav), "--json"], capsys)
    p = json.loads(out)
    assert code == 0 and len(p["digits"]) == 6 and p["has_audio"] and wav.stat().st_size > 1000
    code, out, _ = _run(["voice", "challenge", "--lang", "en", "--attempt", "9", "--json"],
                        capsys)
    assert code == 2 and "supervisor" in json.loads(out)["error"]
