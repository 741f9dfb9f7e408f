"""The face benchmark's data: photos, identities, the held-out split, degraded references.

76 single-face photos of 18 people in ``../shared/data/faces/`` (identities:
``tests/media/README-face.md``). Every ordered pair of photos is a comparison,
the first one as the reference (each pair both ways: 330 same-person and 5,370
different-person comparisons per reference condition).

**Held-out identities** (chosen before any result was seen, by person name
only): ``random.Random(2026).sample(sorted(people), 6)``, i.e. df_img13, df_img26,
df_img29, df_img8, kit_harington, rose_leslie (29 photos, 71 of the 165
same-person pairs). Thresholds for the held-out report are chosen on pairs of
the other 12 people only; the held-out figures come from every pair with a
held-out person on either side.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import random
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

REPO = Path(__file__).resolve().parents[1]
FACES = (REPO / ".." / "shared" / "data" / "faces").resolve()
FR = FACES / "face_recognition"
DF = FACES / "deepface-pairs"
OUT = REPO / "bench" / "out"

#: Photos with several faces (or an unlabelled mirror image) are not used for pairs.
EXCLUDED = {"couple.jpg", "selfie-many-people.jpg", "two_people.jpg", "img11_reflection.jpg"}
#: face_recognition photos: file-name prefix -> person.
FR_PEOPLE = {"obama": "obama", "biden": "biden", "kit_harington": "kit_harington",
             "rose_leslie": "rose_leslie", "alex": "alex_lacamoire"}
HELD_OUT_SEED = 2026
HELD_OUT_PEOPLE = 6
#: The reference conditions, in table order ("as_is": the photo itself).
CONDITIONS = ("as_is", "chip_102x126", "chip_jpeg_q40", "chip_jpeg_q15",
              "chip_q15_grey_faded_blur", "chip_grey", "chip_faded", "printed_photographed",
              "id_card_all")


#: Detector set-ups analysed once each: name -> (dlib_detector, longer side in pixels
#: below which images are upsampled x2 before detection; 0: never).
DETECTOR_SETUPS = {"hog": ("hog", 400), "yunet": ("yunet", 400), "yunet_noup": ("yunet", 0)}


def deepface_identities() -> dict[str, str]:
    """deepface img*.jpg -> person id: transitive closure of the "Yes" pairs of
    master.csv and face-recognition-pivot.csv (union-find)."""
    parent: dict[str, str] = {}

    def find(x: str) -> str:
        parent.setdefault(x, x)
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for path, dec in ((DF / "master.csv", "Decision"), (DF / "face-recognition-pivot.csv",
                                                         "decision")):
        with path.open() as fh:
            for row in csv.DictReader(fh):
                a, b = Path(row["file_x"]).name, Path(row["file_y"]).name
                find(a), find(b)
                if row[dec] == "Yes":
                    parent[find(a)] = find(b)
    groups: dict[str, list[str]] = {}
    for name in parent:
        groups.setdefault(find(name), []).append(name)
    out = {}
    for members in groups.values():
        label = "df_" + min(members, key=lambda n: int("".join(c for c in n if c.isdigit())))
        for m in members:
            out[m] = label.removesuffix(".jpg")
    return out


def all_identities() -> dict[Path, str]:
    """Every single-face photo -> its person."""
    ids: dict[Path, str] = {}
    for name, person in deepface_identities().items():
        if name not in EXCLUDED and (DF / name).is_file():
            ids[DF / name] = person
    for p in sorted(FR.iterdir()):
        if p.suffix.lower() not in {".jpg", ".jpeg", ".png"} or p.name in EXCLUDED:
            continue
        for prefix, person in FR_PEOPLE.items():
            if p.name.startswith(prefix):
                ids[p] = person
    return ids


def held_out_people(people: set[str] | list[str]) -> set[str]:
    """The held-out identities: a seeded draw by name (see the module docstring)."""
    return set(random.Random(HELD_OUT_SEED).sample(sorted(set(people)), HELD_OUT_PEOPLE))


def seed_for(*parts: str) -> int:
    """A stable seed for one photo and degradation."""
    return int.from_bytes(hashlib.sha256("/".join(parts).encode()).digest()[:8], "little")


def pair_masks(persons: list[str], held_out: set[str]) -> dict[str, np.ndarray]:
    """Boolean (n, n) masks over ordered pairs (reference i, live j), i != j.

    ``genuine`` / ``impostor``; ``tuning``: both people outside the held-out set;
    ``held_out``: a held-out person on either side.
    """
    p = np.array(persons)
    off_diag = ~np.eye(len(p), dtype=bool)
    same = (p[:, None] == p[None, :]) & off_diag
    h = np.array([x in held_out for x in persons])
    return {
        "genuine": same,
        "impostor": (p[:, None] != p[None, :]),
        "all": off_diag,
        "tuning": (~h[:, None] & ~h[None, :]) & off_diag,
        "held_out": (h[:, None] | h[None, :]) & off_diag,
    }


@dataclass
class Analysed:
    """One image in one role, condition and detector set-up: the gate's verdict and chip."""

    rgb: np.ndarray
    quality: Any  # FaceQuality
    chip: np.ndarray | None


def setup_policy(setup: str, model: str = "dlib") -> Any:
    from simkyc.domain.policy import DEFAULT_POLICY

    det, small = DETECTOR_SETUPS[setup]
    field = "yunet_small_image_side_px" if det == "yunet" else "small_image_side_px"
    return dataclasses.replace(DEFAULT_POLICY.face, model=model, dlib_detector=det,
                               **{field: small})


def analyse(img: np.ndarray, models: Any, setup: str, role: str, mesh: Any) -> Analysed:
    from simkyc.face.quality import assess_with_chip

    q, chip = assess_with_chip(img, models, policy=setup_policy(setup), mesh=mesh,
                               role=role)  # type: ignore[arg-type]
    return Analysed(img, q, chip)



__all__ = ["CONDITIONS", "DETECTOR_SETUPS", "DF", "FACES", "FR", "OUT", "REPO", "Analysed",
           "all_identities", "analyse", "deepface_identities", "held_out_people", "pair_masks",
           "seed_for", "setup_policy"]
