"""Helpers of the abuse suite (imported by its tests): racing real threads, reader records,
registrations brought to a step, accounts."""

from __future__ import annotations

import base64
import io
import threading
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from PIL import Image
from testkit import walk_to

from simkyc.domain.parties import Agent
from simkyc.services.context import ServiceContext
from simkyc.services.registrations import start_registration

FACES = Path(__file__).resolve().parents[2] / ".." / "shared" / "data" / "faces"


def race(calls: Sequence[Callable[[], Any]], *, timeout: float = 60.0) -> list[Any]:
    """Run ``calls`` in real threads released together by a barrier.

    Returns each call's return value or the exception it raised, in order.
    """
    barrier = threading.Barrier(len(calls))
    out: list[Any] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        try:
            out[i] = calls[i]()
        except BaseException as exc:  # noqa: BLE001 - reported to the test
            out[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout)
        assert not t.is_alive(), "a racing call did not finish"
    return out


def cn_id_number(serial: int, birth: str = "19610804") -> str:
    """A valid 18-character PRC resident identity number (python-stdnum's check digit);
    an odd ``serial`` is a man's."""
    from stdnum.cn import ric

    body = f"110101{birth}{serial % 1000:03d}"
    return body + ric.calc_check_digit(body + "0")  # (it ignores the last character)


def chip_jpeg_b64(name: str = "face_recognition/obama.jpg") -> str:
    """A 102x126 JPEG like a chip photo (the whole photo scaled), base64."""
    im = Image.open(FACES / name).convert("RGB").resize((102, 126))
    buf = io.BytesIO()
    im.save(buf, "JPEG", quality=80)
    return base64.b64encode(buf.getvalue()).decode()


def reader_record(id_number: str, photo_b64: str | None = None, *,
                  valid_until: str = "2040-01-01",
                  outlet: str | None = "Outlet A") -> dict[str, Any]:
    """A reader record signed now by ``outlet``'s test reader (None: unsigned)."""
    from reader_keys import signed

    record = {"name": "欧巴马", "sex": "男", "ethnicity": "汉", "birth_date": "1961-08-04",
              "address": "北京市东城区正义路2号", "id_number": id_number,
              "issuing_authority": "北京市公安局东城分局", "valid_from": "2020-01-01",
              "valid_until": valid_until, "photo": photo_b64 or chip_jpeg_b64()}
    return signed(record, outlet) if outlet else record


def start(ctx: ServiceContext, agent: Agent, **kw: Any) -> str:
    kw.setdefault("language", "yue")
    kw.setdefault("service_kind", "mobile")
    return start_registration(ctx, actor=agent, consent=True, **kw).id


def advance_to(ctx: ServiceContext, agent: Agent, rid: str, last: str, *, subject: str,
               advance: Callable[..., Any]) -> None:
    """Record each step up to and including ``last`` as passed (no models run):
    :func:`testkit.walk_to`."""
    walk_to(advance, ctx, agent, rid, last, subject=subject)


def accounts(ctx: ServiceContext) -> dict[str, tuple[Agent, str]]:
    """An agent (Outlet A) and an auditor: name -> (agent, token); Outlet A's test card
    reader is enrolled."""
    from reader_keys import enroll_test_readers

    from simkyc.domain.parties import Role
    from simkyc.services.accounts import create_account

    out = {}
    for name, role, outlet in (("agent", Role.AGENT, "Outlet A"),
                               ("auditor", Role.AUDITOR, None)):
        new = create_account(ctx, name=name, role=role, outlet_name=outlet)
        out[name] = (new.agent, new.token)
    enroll_test_readers(ctx, ["Outlet A"])
    return out
