"""Helpers any test may import (``tests/conftest.py`` puts this folder on ``sys.path``).

- :func:`load_test_module`: a helper module of another test folder, loaded by path.
- :func:`walk_to`: a registration walked through its steps (outcomes recorded, no
  models run) with the identity fields the registration rules read.
- :func:`chip_photo`: a chip-like portrait of a test photo, cropped around the face.
- :func:`serving`: an ASGI app served by a real uvicorn server (the browser tests).
"""

from __future__ import annotations

import base64
import contextlib
import importlib.util
import io
import json
import socket
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[2]
FACES = REPO / ".." / "shared" / "data" / "faces"

#: the steps of a registration, in order (``attach``: the upper-body photo)
STEPS = ("document", "live_face", "liveness", "voice", "face_match", "attach")


def load_test_module(relative: str, name: str) -> Any:
    """The module ``tests/RELATIVE`` loaded by path as ``name`` (once: later calls return
    the same module)."""
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, REPO / "tests" / relative)
        assert spec and spec.loader
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


def walk_to(advance: Callable[..., Any], ctx: Any, agent: Any, rid: str, last: str, *,
            subject: str, birth_date: str = "1961-08-04",
            upper_body: tuple[str, bytes] = ("image/jpeg", b"upper body")) -> None:
    """Record each step of ``rid`` up to and including ``last`` as passed with
    ``advance`` (the ``advance`` fixture: no models run, their own tests run them).

    The document step establishes ``subject`` ("CHN/<id number>") and keeps the identity
    fields the registration rules read (that id number, ``birth_date``, valid until
    2040-01-01); ``attach`` keeps ``upper_body`` (mime type, bytes) as the upper-body photo.
    """
    from simkyc.domain.evidence import EvidenceKind as K

    for step in STEPS[:STEPS.index(last) + 1]:
        if step == "document":
            fields = json.dumps({"document_kind": "cn-id-reader",
                                 "id_number": subject.split("/")[-1],
                                 "birth_date": birth_date,
                                 "valid_until": "2040-01-01"}).encode()
            advance(ctx, agent, rid, step, subject=subject,
                    evidence=((K.IDENTITY_FIELDS, "application/json", fields),))
        elif step == "attach":
            advance(ctx, agent, rid, step, evidence=((K.UPPER_BODY, *upper_body),))
        else:
            advance(ctx, agent, rid, step)


def chip_photo(name: str) -> str:
    """A 102x126 JPEG portrait like a chip photo of ``FACES/name``, base64 (cropped
    around the face dlib finds)."""
    import dlib
    from PIL import Image

    from simkyc.media.images import read_image_file

    rgb = read_image_file(FACES / name)
    d = max(dlib.get_frontal_face_detector()(rgb, 1), key=lambda r: r.area())
    cx, cy, w = (d.left() + d.right()) / 2, (d.top() + d.bottom()) / 2, d.width() * 1.8
    box = (int(cx - w / 2), int(cy - w * 0.6), int(cx + w / 2), int(cy + w * 0.65))
    im = Image.fromarray(rgb).crop(box).resize((102, 126), Image.Resampling.LANCZOS)
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80)
    return base64.b64encode(buf.getvalue()).decode()


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on (now)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextlib.contextmanager
def serving(app: Any) -> Iterator[str]:
    """``app`` served by a real uvicorn server (a daemon thread, a free port on loopback)
    while the ``with`` body runs; the base URL (``http://127.0.0.1:PORT``). It waits up
    to 10 s for the server to start, and stops it (and joins the thread) after the body."""
    import uvicorn

    port = free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        srv.should_exit = True
        thread.join(timeout=10)
