"""`simkyc liveness check` / `challenge`: output contract and exit codes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from liveness_cases import GENUINE_ACTIONS, cached_video

from simkyc.cli.main import run
from simkyc.media.images import read_image_file


def _run(args: list[str], capsys: pytest.CaptureFixture[str]) -> tuple[int, str, str]:
    with pytest.raises(SystemExit) as exc:
        run(args)
    out = capsys.readouterr()
    return int(exc.value.code or 0), out.out, out.err


def test_check_json_passes_and_exports_best_frame(genuine_path: Path, tmp_path: Path,
                                                  capsys: pytest.CaptureFixture[str]) -> None:
    best = tmp_path / "best.png"
    code, out, _ = _run(["liveness", "check", str(genuine_path), "--challenge",
                         ",".join(GENUINE_ACTIONS), "--json", "--best-frame-out", str(best)],
                        capsys)
    payload = json.loads(out)
    assert code == 0 and payload["passed"] is True and payload["reasons"] == []
    assert {"passed", "steps", "frames", "fps", "reasons"} <= set(payload)
    assert [s["action"] for s in payload["steps"]] == list(GENUINE_ACTIONS)
    assert set(payload["steps"][0]) == {"action", "passed", "start_ms", "end_ms", "peak"}
    assert read_image_file(best).shape == (480, 640, 3)


def test_check_failure_exits_1_with_reasons(capsys: pytest.CaptureFixture[str]) -> None:
    import liveness_attacks as atk
    from liveness_cases import GENUINE_PHOTO

    path = cached_video("still", lambda: atk.still_photo(GENUINE_PHOTO, 3, shake=False))
    code, out, _ = _run(["liveness", "check", str(path), "--challenge", "blink,look_up,turn_left"],
                        capsys)
    assert code == 1 and "FAILED" in out and "action_missing" in out


def test_cannot_check_exits_2(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = tmp_path / "x.mp4"
    bad.write_bytes(b"not a video" * 50)
    code, out, err = _run(["liveness", "check", str(bad), "--challenge", "blink,turn_left,look_up",
                           "--json"], capsys)
    assert code == 2 and "error" in json.loads(out) and err.startswith("error:")
    code, _, err = _run(["liveness", "check", str(bad), "--challenge", "blink,wave"], capsys)
    assert code == 2 and "wave" in err


def test_challenge_command(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(["liveness", "challenge", "--json", "--screen-colours", "6"], capsys)
    p = json.loads(out)
    assert code == 0 and len(p["actions"]) == 3 and len(p["nonce"]) == 32
    assert len(p["screen_colours"]) == 6
