"""``GET /healthz``: liveness of the service and its database (no auth)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text

from simkyc import __version__
from simkyc.api.schemas import Health

router = APIRouter(tags=["health"])


@router.get("/healthz", response_model=Health, operation_id="healthz",
            responses={503: {"model": Health, "description": "database unavailable"}})
def healthz(request: Request) -> JSONResponse:
    engine = request.app.state.engine
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    except Exception as exc:  # noqa: BLE001 - any DB failure means "not ok"
        return JSONResponse(status_code=503, content={
            "status": "error", "database": engine.dialect.name, "version": __version__,
            "error": f"database unavailable: {type(exc).__name__}"})
    return JSONResponse({"status": "ok", "database": engine.dialect.name, "version": __version__})
