"""``GET /api/v1/flow`` and ``GET /api/v1/i18n/{lang}``: what the web app is driven by.

Both are public (no account needed): the flow definition and the texts hold
no personal data, and the page needs its texts before anyone signs in.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path
from pydantic import BaseModel

from simkyc.api.deps import ContextDep
from simkyc.api.schemas import FlowOut
from simkyc.i18n import catalogue, resolve_language, text_direction

router = APIRouter(prefix="/api/v1", tags=["flow"])


class CatalogueOut(BaseModel):
    language: str
    direction: str
    messages: dict[str, str]


@router.get("/flow", response_model=FlowOut, operation_id="read_flow")
def read_flow(ctx: ContextDep) -> dict[str, Any]:
    """The versioned flow definition: steps, order, preconditions, outcomes, evidence."""
    return ctx.flow.to_dict()


@router.get("/i18n/{lang}", response_model=CatalogueOut, operation_id="read_catalogue")
def read_catalogue(lang: Annotated[str, Path(max_length=35, pattern=r"^[A-Za-z0-9_-]+$")]
                   ) -> dict[str, Any]:
    """Every text of the page in ``lang`` (any BCP-47 tag; negotiated to a supported one)."""
    resolved = resolve_language(lang)
    return {"language": resolved, "direction": text_direction(resolved),
            "messages": catalogue(resolved)}


__all__ = ["router"]
