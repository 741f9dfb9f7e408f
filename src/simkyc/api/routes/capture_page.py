"""The shop counter's capture page: static HTML/JS at ``/capture`` (no build step).

The page itself needs no authentication (it holds no data); every API call it
makes carries the agent's bearer token.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

from fastapi import APIRouter
from fastapi.responses import FileResponse
from fastapi.staticfiles import StaticFiles

WEB = Path(str(resources.files("simkyc") / "web"))

router = APIRouter(tags=["capture page"])


@router.get("/capture", include_in_schema=False)
def capture_page() -> FileResponse:
    return FileResponse(WEB / "index.html", media_type="text/html; charset=utf-8",
                        headers={"Cache-Control": "no-store"})


def assets() -> StaticFiles:
    return StaticFiles(directory=WEB)
