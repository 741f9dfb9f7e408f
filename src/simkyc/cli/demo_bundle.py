"""Make a sample verification bundle from one face photo (for ``simkyc demo``).

The media come from the test-media generators of the source checkout
(``tests/media/``): a card-reader record whose chip photo is cut from the
photo, signed by the demo's card reader (a fixed, public key; ``reader.pub``),
a liveness video of the photo performing a drawn challenge under the
screen's colours, the digits read by espeak-ng in the chosen language with the
face speaking them (one WebM, as a browser records it), and a live capture.
Everything is seeded, so one seed gives the same bundle.
"""

from __future__ import annotations

import io
import json
import random
import sys
from datetime import UTC, date, datetime
from pathlib import Path
from types import ModuleType
from typing import Any

from simkyc.domain.errors import InputError

DIGIT_LANGUAGES = ("cmn", "yue", "en", "ug")


def _generators() -> tuple[ModuleType, ModuleType]:
    import simkyc

    media = Path(simkyc.__file__).resolve().parents[2] / "tests" / "media"
    if not (media / "liveness_generate.py").is_file():
        raise InputError("simkyc demo needs a source checkout: tests/media/ is not beside "
                         "the installed package")
    if str(media) not in sys.path:
        sys.path.insert(0, str(media))
    import liveness_generate
    import voice_generate

    return liveness_generate, voice_generate


def _id_number(rng: random.Random) -> str:
    """A resident ID number with a valid GB 11643 check digit (Beijing Dongcheng, born 1990;
    an even sequence number: a woman, as the record says)."""
    from stdnum.cn import ric

    body = f"11010119900101{2 * rng.randrange(50, 500):03d}"
    return body + ric.calc_check_digit(body + "0")  # it drops the last character


#: The demo's card reader: a fixed, public key (the demo signs with it; never enroll it on
#: a real service).
DEMO_READER_ID = "demo-reader"


def demo_reader_key() -> Any:
    """The demo reader's Ed25519 private key (derived from a public constant)."""
    from simkyc.document.reader_signature import simulated_reader_key

    return simulated_reader_key("simkyc demo card reader (public, not secret)")


def _chip_photo(rgb: Any) -> bytes:
    """A 102x126 JPEG portrait cut around the largest face, like a chip photo."""
    import dlib
    from PIL import Image

    faces = dlib.get_frontal_face_detector()(rgb, 1)
    if not faces:
        raise InputError("no face found in the photo")
    d = max(faces, key=lambda r: r.area())
    cx, cy, w = (d.left() + d.right()) / 2, (d.top() + d.bottom()) / 2, d.width() * 1.8
    box = (int(cx - w / 2), int(cy - w * 0.6), int(cx + w / 2), int(cy + w * 0.65))
    im = Image.fromarray(rgb).crop(box).resize((102, 126), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def make_bundle(folder: Path, *, language: str = "cmn", photo: Path | None = None,
                seed: int = 7) -> dict[str, Any]:
    """Write a bundle into ``folder``; returns its challenge."""
    import base64

    import numpy as np
    from PIL import Image

    from simkyc.demo import demo_photo
    from simkyc.domain.policy import DEFAULT_POLICY
    from simkyc.liveness import issue_challenge
    from simkyc.media.images import read_image_file
    from simkyc.voice import new_challenge

    if language not in DIGIT_LANGUAGES:
        raise InputError(f"--lang must be one of {', '.join(DIGIT_LANGUAGES)}")
    photo = (photo or demo_photo()).resolve()
    if not photo.is_file():
        raise InputError(f"{photo}: no such photo")
    lgen, vgen = _generators()
    rgb = read_image_file(photo)
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    now = datetime.now(UTC)

    record = {"name": "示例", "sex": "女", "ethnicity": "汉", "birth_date": "1990-01-01",
              "address": "北京市东城区示例路1号", "id_number": _id_number(rng),
              "issuing_authority": "北京市公安局东城分局", "valid_from": "2020-01-01",
              "valid_until": date(now.year + 10, 1, 1).isoformat(),
              "photo": base64.b64encode(_chip_photo(rgb)).decode(),
              "reader": {"vendor": "simkyc", "model": "demo reader", "serial": "0"}}
    from cryptography.hazmat.primitives import serialization

    from simkyc.document.reader_signature import sign_record

    key = demo_reader_key()
    record = sign_record(record, key, DEMO_READER_ID, read_at=now)
    (folder / "reader.json").write_text(json.dumps(record, ensure_ascii=False, indent=1))
    (folder / "reader.pub").write_bytes(key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo))

    lc = issue_challenge(rng, now=now, policy=DEFAULT_POLICY.liveness, screen_colours=12)
    vc = new_challenge(language, "demo", rng=rng, now=now, policy=DEFAULT_POLICY.voice)
    challenge = {"actions": list(lc.actions), "screen_colours": list(lc.screen_colours),
                 "colour_ms": lc.colour_ms, "digits": vc.digits, "language": language}
    (folder / "challenge.json").write_text(json.dumps(challenge, indent=1))

    poses = lgen.timeline(lc.actions, np.random.default_rng(seed))
    poses = lgen.with_screen_light(poses, lc.screen_colours, lc.colour_ms)
    clip = lgen.make_clip(str(photo), lc.actions, seed, poses=poses)
    lgen.write_video(folder / "liveness.mp4", clip)
    still = lgen.make_clip(str(photo), [], seed + 1, poses=[lgen.Pose()])
    Image.fromarray(still.frames[0]).save(folder / "live.jpg", "JPEG", quality=92)

    speech = vgen.speak(language, vc.digits, seed=seed)
    (folder / "voice.webm").write_bytes(vgen.recording(str(photo), speech, seed=seed))
    return challenge


__all__ = ["DEMO_READER_ID", "DIGIT_LANGUAGES", "demo_reader_key", "make_bundle"]
