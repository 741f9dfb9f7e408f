"""The shop counter app at ``/``: static ES modules and CSS (no build step).

The page holds no data: it signs the agent in (session cookie + CSRF token),
reads the flow definition (``GET /api/v1/flow``) and the texts
(``GET /api/v1/i18n/{lang}``), and calls the same API as every integration.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

COUNTER = Path(str(resources.files("simkyc") / "web" / "counter"))

router = APIRouter(tags=["counter page"])


@router.get("/", include_in_schema=False)
def counter_page() -> FileResponse:
    return FileResponse(COUNTER / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})


def assets() -> StaticFiles:
    return StaticFiles(directory=COUNTER)


__all__ = ["assets", "router"]
