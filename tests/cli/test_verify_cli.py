"""``simkyc verify`` on generated bundles, and ``simkyc demo`` on a fresh data directory.

The bundles are built by the demo's own generator (``simkyc.cli.demo_bundle``) from
real photos in ../shared/data/faces/: Barack Obama's chip photo and liveness,
voice and live capture from the same photo (genuine), with Joe Biden's chip
photo (impostor), with a still photo as the liveness video, with a missing
and with a corrupt file.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from simkyc.cli.demo_bundle import make_bundle

FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"
SIMKYC = [sys.executable, "-m", "simkyc.cli.main"]


def run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("SIMKYC_")}
    return subprocess.run(SIMKYC + args, capture_output=True, text=True, timeout=600,
                          env=env, cwd=cwd)


@pytest.fixture(scope="module")
def genuine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("bundles") / "genuine"
    make_bundle(folder, language="cmn", photo=FACES / "face_recognition" / "obama.jpg",
                seed=11)
    return folder


def _variant(genuine: Path, tmp_path: Path, name: str) -> Path:
    folder = tmp_path / name
    shutil.copytree(genuine, folder)
    return folder


def test_genuine_bundle_passes(genuine: Path, tmp_path: Path) -> None:
    p = run(["verify", str(genuine), "--json"], tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    out = json.loads(p.stdout)
    assert out["decision"] == "pass" and out["status"] == "face_matched"
    assert [s["step"] for s in out["steps"]] == ["document", "live_face", "liveness", "voice",
                                                 "face_match"]
    assert "distance" not in p.stdout and "threshold" not in p.stdout  # no scores
    p = run(["verify", str(genuine)], tmp_path)
    assert p.returncode == 0 and p.stdout.startswith("PASS")


def test_impostor_bundle_is_rejected_at_the_match(genuine: Path, tmp_path: Path) -> None:
    impostor = _variant(genuine, tmp_path, "impostor")
    other = tmp_path / "other"
    make_bundle(other, language="cmn", photo=FACES / "face_recognition" / "biden.jpg",
                seed=12)
    shutil.copy(other / "reader.json", impostor / "reader.json")  # Biden's card, Obama present
    p = run(["verify", str(impostor), "--json"], tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    out = json.loads(p.stdout)
    assert out["failed_step"] == "face_match" and out["status"] == "rejected"
    assert "face_mismatch" in out["steps"][-1]["reasons"]


def test_still_photo_bundle_is_rejected_at_liveness(genuine: Path, tmp_path: Path) -> None:
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "media"))
    import liveness_generate as lgen

    still = _variant(genuine, tmp_path, "still")
    photo = str(FACES / "face_recognition" / "obama.jpg")
    clip = lgen.make_clip(photo, [], 3, poses=[lgen.Pose()] * 90)  # 6 s of a still photo
    lgen.write_video(still / "liveness.mp4", clip)
    p = run(["verify", str(still), "--json"], tmp_path)
    assert p.returncode == 1, p.stdout + p.stderr
    out = json.loads(p.stdout)
    assert out["failed_step"] == "liveness" and out["steps"][-1]["reasons"]


@pytest.mark.parametrize("damage,named", [
    ("remove:voice.webm", "voice.webm"),
    ("remove:challenge.json", "challenge.json"),
    ("corrupt:liveness.mp4", "liveness video"),
    ("corrupt:challenge.json", "challenge.json"),
])
def test_missing_or_corrupt_file_cannot_be_checked(genuine: Path, tmp_path: Path,
                                                   damage: str, named: str) -> None:
    folder = _variant(genuine, tmp_path, "damaged")
    how, name = damage.split(":")
    if how == "remove":
        (folder / name).unlink()
    else:
        data = (folder / name).read_bytes()
        (folder / name).write_bytes(data[:40] + b"\x00garbage" * 50)
    p = run(["verify", str(folder), "--json"], tmp_path)
    assert p.returncode == 2, p.stdout + p.stderr
    assert named in p.stderr and len(p.stderr.strip().splitlines()) == 1
    assert named in json.loads(p.stdout)["error"]


def test_demo_runs_with_nothing_set_up(tmp_path: Path) -> None:
    """No settings, no database, no data directory: the demo makes and verifies a bundle."""
    out = tmp_path / "kept"
    p = run(["demo", "--json", "--out", str(out)], tmp_path)
    assert p.returncode == 0, p.stdout + p.stderr
    result = json.loads(p.stdout)
    assert result["decision"] == "pass" and result["bundle"] == str(out)
    assert {f.name for f in out.iterdir()} == {"reader.json", "reader.pub", "challenge.json",
                                              "liveness.mp4", "live.jpg", "voice.webm"}
    assert not (tmp_path / "var").exists()  # nothing left behind in the working directory
