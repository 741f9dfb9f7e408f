"""Fixtures of the records tests: a context that signs, and a registration walked to
``face_matched`` through the application layer's own recording (the stages' own tests
run their models)."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from PIL import Image

from simkyc.adapters.jose import SigningKeys
from simkyc.domain.evidence import EvidenceKind as K
from simkyc.domain.parties import Agent
from simkyc.services.context import ServiceContext
from simkyc.services.registrations import start_registration

STEPS = ("document", "live_face", "liveness", "voice", "face_match")

IDENTITY = {"document_kind": "cn-id-reader", "name": "王小明", "id_number": "11010519491231002X",
            "issuing_state": "CHN", "nationality": "CHN", "birth_date": "1949-12-31",
            "valid_until": "2040-01-01", "sex": "M", "ethnicity": "汉",
            "address": "北京市朝阳区某路1号"}


def png(colour: tuple[int, int, int] = (120, 90, 60)) -> bytes:
    buf = io.BytesIO()
    Image.new("RGB", (64, 64), colour).save(buf, "PNG")
    return buf.getvalue()


@pytest.fixture
def rctx(ctx: ServiceContext, tmp_path: Path) -> ServiceContext:
    """The test context with a record signer (keys in a temporary folder)."""
    return replace(ctx, signer=SigningKeys(tmp_path / "signing"))


@pytest.fixture
def walk(advance: Any) -> Callable[..., str]:
    """``walk(ctx, agent, identity=..., upper_body=True, **start)`` -> id of a registration
    at ``face_matched`` whose document step kept ``identity`` (its identity fields)."""

    def make(ctx: ServiceContext, agent: Agent, *, identity: dict[str, Any] | None = None,
             upper_body: bool = True, service_kind: str = "mobile",
             service_id: str | None = "+8613800138000") -> str:
        ident = {**IDENTITY, **(identity or {})}
        reg = start_registration(ctx, actor=agent, consent=True, service_kind=service_kind,
                                 service_id=service_id)
        fields = json.dumps(ident, ensure_ascii=False).encode()
        for step in STEPS:
            ev: tuple[tuple[Any, str, bytes], ...] = ()
            if step == "document":
                ev = ((K.IDENTITY_FIELDS, "application/json", fields),
                      (K.DOCUMENT_PHOTO, "image/png", png((1, 2, 3))))
            elif step == "liveness":
                ev = ((K.LIVENESS_VIDEO, "video/mp4", b"\0\0\0\x18ftypmp42 raw video"),)
            advance(ctx, agent, reg.id, step, subject=f"CHN/{ident['id_number']}", evidence=ev)
        if upper_body:
            advance(ctx, agent, reg.id, "attach", evidence=((K.UPPER_BODY, "image/png", png()),))
        return reg.id

    return make
